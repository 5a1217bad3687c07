//! The database schema: twin migration folders that stay in step and can be undone.

use crate::support::internals::migrations_go_down_and_up;

fn names(dir: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
        .expect("migrations dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
        .collect();
    v.sort();
    v
}

#[test]
fn migration_folders_have_the_same_names() {
    assert_eq!(names("sqlite"), names("postgres"));
    assert!(!names("sqlite").is_empty());
}

#[test]
fn migrations_go_down_and_up_again() {
    migrations_go_down_and_up();
}
