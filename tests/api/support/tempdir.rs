//! A directory of the test's own under the system's temporary directory, removed when dropped
//! (the standard library has none, and a crate for it would rebuild half the dependencies for
//! tests with other features).

use std::path::{Path, PathBuf};

pub struct TempDir(PathBuf);

/// A new, empty directory.
pub fn tempdir() -> std::io::Result<TempDir> {
    let path = std::env::temp_dir().join(format!("placement-registry-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&path)?;
    Ok(TempDir(path))
}

impl TempDir {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
