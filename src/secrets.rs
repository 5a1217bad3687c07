//! Secrets at rest. The registry's signing key, webhook secrets and node key are stored sealed
//! (AES-256-GCM) with a master key that never enters the database; the audit chain is keyed
//! (HMAC-SHA256) with a key derived from it too. A copy of the database alone yields no usable
//! secret and no way to rewrite the audit log unseen.
//!
//! The master key comes from `REGISTRY_SECRETS_KEY` (base64 of 32 bytes, for containers) or from
//! a key file (`--secrets-key-file`, default `registry.key` beside the SQLite database, or
//! `data/registry.key` for PostgreSQL), created with mode 0600 at first start if absent. Every
//! process on one database must have the same key: keep it backed up, apart from the database.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::{Path, PathBuf};

/// Prefix of a sealed value (the format's version).
const SEALED: &str = "v1.";

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("cannot read or create the secrets key file {path}: {cause}")]
    File { path: PathBuf, cause: String },
    #[error("the secrets key must be 32 bytes, base64-encoded: {0}")]
    Malformed(String),
    #[error("a sealed secret could not be opened: wrong secrets key, or the value was altered")]
    Open,
    #[error("sealing failed")]
    Seal,
}

/// The master key and what is derived from it.
pub struct Secrets {
    seal: LessSafeKey,
    audit: [u8; 32],
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

/// HMAC-SHA256 of `data` under `key`.
fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else { return [0; 32] };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

impl Secrets {
    /// The secrets of a master key (32 bytes): a sealing key and an audit key, each derived for
    /// its purpose (HKDF-SHA256, RFC 5869, one block).
    pub fn from_master(master: &[u8; 32]) -> Result<Secrets, SecretsError> {
        let prk = hmac(b"placement-registry secrets v1", master);
        let derive = |info: &[u8]| {
            let mut t = info.to_vec();
            t.push(1);
            hmac(&prk, &t)
        };
        let unbound = UnboundKey::new(&AES_256_GCM, &derive(b"seal")).map_err(|_| SecretsError::Seal)?;
        Ok(Secrets { seal: LessSafeKey::new(unbound), audit: derive(b"audit chain") })
    }

    /// The master key from the environment variable's value, or else the key file (created at
    /// mode 0600 if absent).
    pub fn load(from_env: Option<&str>, file: &Path) -> Result<Secrets, SecretsError> {
        let encoded = match from_env.map(str::trim).filter(|s| !s.is_empty()) {
            Some(v) => v.to_string(),
            None => read_or_create(file)?,
        };
        let bytes = STANDARD.decode(encoded.trim()).map_err(|e| SecretsError::Malformed(e.to_string()))?;
        let master: [u8; 32] =
            bytes.try_into().map_err(|b: Vec<u8>| SecretsError::Malformed(format!("{} bytes", b.len())))?;
        Secrets::from_master(&master)
    }

    /// Seals a secret; `context` (for example `signing_keys:<kid>`) must be given again to open
    /// it, so a sealed value cannot be moved to another row.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Result<String, SecretsError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| SecretsError::Seal)?;
        let mut buf = plaintext.to_vec();
        self.seal
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(context.as_bytes()), &mut buf)
            .map_err(|_| SecretsError::Seal)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(format!("{SEALED}{}", STANDARD.encode(out)))
    }

    /// Opens a sealed secret.
    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, SecretsError> {
        let raw = sealed.strip_prefix(SEALED).ok_or(SecretsError::Open)?;
        let bytes = STANDARD.decode(raw).map_err(|_| SecretsError::Open)?;
        if bytes.len() < NONCE_LEN {
            return Err(SecretsError::Open);
        }
        let (nonce, ct) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SecretsError::Open)?;
        let mut buf = ct.to_vec();
        let plain =
            self.seal.open_in_place(nonce, Aad::from(context.as_bytes()), &mut buf).map_err(|_| SecretsError::Open)?;
        Ok(plain.to_vec())
    }

    /// Whether a stored value is sealed (values written before sealing existed are not).
    pub fn is_sealed(value: &str) -> bool {
        value.starts_with(SEALED)
    }

    /// The key of the audit chain's HMAC.
    pub fn audit_key(&self) -> &[u8; 32] {
        &self.audit
    }
}

/// Reads the key file, or creates it with a fresh key (mode 0600) when it does not exist.
fn read_or_create(path: &Path) -> Result<String, SecretsError> {
    let fail = |cause: String| SecretsError::File { path: path.to_path_buf(), cause };
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            SystemRandom::new().fill(&mut key).map_err(|_| fail("no randomness".into()))?;
            let encoded = STANDARD.encode(key);
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            match options.open(path) {
                Ok(mut f) => {
                    use std::io::Write;
                    f.write_all(format!("{encoded}\n").as_bytes()).map_err(|e| fail(e.to_string()))?;
                    tracing::warn!(path = %path.display(), "created a new secrets key file: back it up apart from the database");
                    Ok(encoded)
                }
                // Another process created it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))
                }
                Err(e) => Err(fail(e.to_string())),
            }
        }
        Err(e) => Err(fail(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> Secrets {
        Secrets::from_master(&[7u8; 32]).expect("secrets")
    }

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_context() {
        let s = secrets();
        let sealed = s.seal(b"whsec_abc", "webhook_endpoints:1").expect("seal");
        assert!(Secrets::is_sealed(&sealed));
        assert!(!sealed.contains("whsec"));
        assert_eq!(s.open(&sealed, "webhook_endpoints:1").expect("open"), b"whsec_abc");
        assert!(s.open(&sealed, "webhook_endpoints:2").is_err(), "moved to another row");
        let other = Secrets::from_master(&[8u8; 32]).expect("other");
        assert!(other.open(&sealed, "webhook_endpoints:1").is_err(), "another key");
        let mut tampered = sealed.clone();
        tampered.replace_range(10..11, if &sealed[10..11] == "A" { "B" } else { "A" });
        assert!(s.open(&tampered, "webhook_endpoints:1").is_err(), "altered");
        assert_ne!(s.seal(b"x", "c").expect("a"), s.seal(b"x", "c").expect("b"), "fresh nonce each time");
    }

    #[test]
    fn the_key_file_is_created_private_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("registry-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join("registry.key");
        let a = Secrets::load(None, &path).expect("created");
        let sealed = a.seal(b"secret", "ctx").expect("seal");
        let b = Secrets::load(None, &path).expect("reread");
        assert_eq!(b.open(&sealed, "ctx").expect("open"), b"secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let from_env = std::fs::read_to_string(&path).expect("read");
        let c = Secrets::load(Some(&from_env), &dir.join("unused.key")).expect("env");
        assert_eq!(c.open(&sealed, "ctx").expect("open"), b"secret");
        assert!(!dir.join("unused.key").exists(), "the environment's key wins and no file is made");
        assert!(Secrets::load(Some("c2hvcnQ="), &path).is_err(), "a short key is refused");
        let _ = std::fs::remove_dir_all(dir);
    }
}
