//! The registry's Ed25519 token signing keys: from a PEM file named in the configuration, or
//! generated on first use and kept in the database sealed with the secrets key, so every process
//! on that database shares them and a copy of the database alone cannot mint tokens. Keys rotate:
//! the newest signs; one it replaced still verifies for a day, so tokens already issued expire
//! before their key is dropped.

use crate::db::rows::auth::SigningKeyRow;
use crate::db::{AnyConnection, write_tx};
use crate::secrets::Secrets;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{NaiveDateTime, TimeDelta};
use sha2::{Digest, Sha256};

/// How long a replaced key still verifies tokens (the longest a token lives, with leeway).
pub const RETIRE_AFTER: TimeDelta = TimeDelta::hours(25);

/// A private key (PKCS#8 DER) with its raw public key and key id.
#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    pub pkcs8: Vec<u8>,
    pub public: Vec<u8>,
    /// When it was made; None for a key from a file.
    pub created_at: Option<NaiveDateTime>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the signing key file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the signing key is not a PKCS#8 Ed25519 key: {0}")]
    Invalid(String),
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    #[error(transparent)]
    Secrets(#[from] crate::secrets::SecretsError),
}

impl SigningKey {
    pub fn from_pkcs8(pkcs8: Vec<u8>, created_at: Option<NaiveDateTime>) -> Result<SigningKey, KeyError> {
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|e| KeyError::Invalid(e.to_string()))?;
        let public = pair.public_key().as_ref().to_vec();
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(&public)[..12]);
        Ok(SigningKey { kid, pkcs8, public, created_at })
    }

    pub fn generate(now: NaiveDateTime) -> Result<SigningKey, KeyError> {
        let pair = Ed25519KeyPair::generate().map_err(|e| KeyError::Invalid(e.to_string()))?;
        let der = pair.to_pkcs8().map_err(|e| KeyError::Invalid(e.to_string()))?;
        SigningKey::from_pkcs8(der.as_ref().to_vec(), Some(now))
    }

    /// Reads a `-----BEGIN PRIVATE KEY-----` PEM file.
    pub fn from_pem_file(path: &std::path::Path) -> Result<SigningKey, KeyError> {
        let text = std::fs::read_to_string(path)?;
        let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect::<Vec<_>>().join("");
        let der = STANDARD.decode(body.trim()).map_err(|e| KeyError::Invalid(e.to_string()))?;
        SigningKey::from_pkcs8(der, None)
    }
}

/// The keys tokens are signed and verified with: the newest signs; each key verifies until a day
/// after the next one was made.
#[derive(Clone)]
pub struct KeyRing {
    /// Oldest first; the last one signs.
    pub keys: Vec<SigningKey>,
}

impl KeyRing {
    pub fn signer(&self) -> Option<&SigningKey> {
        self.keys.last()
    }

    /// The keys that still verify at `now`.
    pub fn verifiers(&self, now: NaiveDateTime) -> impl Iterator<Item = &SigningKey> {
        let next_made: Vec<Option<NaiveDateTime>> =
            (0..self.keys.len()).map(|i| self.keys.get(i + 1).and_then(|k| k.created_at)).collect();
        self.keys
            .iter()
            .zip(next_made)
            .filter(move |(_, next)| next.is_none_or(|t| now < t + RETIRE_AFTER))
            .map(|(k, _)| k)
    }
}

fn context(kid: &str) -> String {
    format!("signing_keys:{kid}")
}

fn stored(key: &SigningKey, secrets: &Secrets, now: NaiveDateTime) -> Result<SigningKeyRow, KeyError> {
    Ok(SigningKeyRow {
        kid: key.kid.clone(),
        private_key: secrets.seal(&key.pkcs8, &context(&key.kid))?,
        public_key: URL_SAFE_NO_PAD.encode(&key.public),
        created_at: key.created_at.unwrap_or(now),
    })
}

/// Every stored key, oldest first, opened with the secrets key. A key stored in clear by an
/// earlier version is sealed in place.
pub fn load(conn: &mut AnyConnection, secrets: &Secrets) -> Result<KeyRing, KeyError> {
    let mut keys = Vec::new();
    for row in super::repo::signing_keys(conn)? {
        let der = if Secrets::is_sealed(&row.private_key) {
            secrets.open(&row.private_key, &context(&row.kid))?
        } else {
            let der = STANDARD.decode(&row.private_key).map_err(|e| KeyError::Invalid(e.to_string()))?;
            let sealed = secrets.seal(&der, &context(&row.kid))?;
            write_tx(conn, |conn| super::repo::reseal_signing_key(conn, &row.kid, &sealed))?;
            der
        };
        keys.push(SigningKey::from_pkcs8(der, Some(row.created_at))?);
    }
    Ok(KeyRing { keys })
}

/// The stored keys, making the first one if there is none.
pub fn load_or_create(conn: &mut AnyConnection, secrets: &Secrets, now: NaiveDateTime) -> Result<KeyRing, KeyError> {
    let ring = load(conn, secrets)?;
    if !ring.keys.is_empty() {
        return Ok(ring);
    }
    let fresh = SigningKey::generate(now)?;
    let row = stored(&fresh, secrets, now)?;
    write_tx(conn, |conn| super::repo::insert_signing_key(conn, &row))?;
    // Two processes starting at once both insert; both then use the same ring.
    load(conn, secrets)
}

/// Makes a new signing key; the previous one keeps verifying for [`RETIRE_AFTER`].
pub fn rotate(conn: &mut AnyConnection, secrets: &Secrets, now: NaiveDateTime) -> Result<SigningKey, KeyError> {
    let fresh = SigningKey::generate(now)?;
    let row = stored(&fresh, secrets, now)?;
    write_tx(conn, |conn| super::repo::insert_signing_key(conn, &row))?;
    Ok(fresh)
}
