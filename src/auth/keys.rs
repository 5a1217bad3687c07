//! The registry's Ed25519 signing key: from a PEM file named in the configuration, or generated
//! on first use and kept in the database so every process on that database shares it.

use crate::db::rows::auth::SigningKeyRow;
use crate::db::{AnyConnection, write_tx};
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// A private key (PKCS#8 DER) with its raw public key and key id.
pub struct SigningKey {
    pub kid: String,
    pub pkcs8: Vec<u8>,
    pub public: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the signing key file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the signing key is not a PKCS#8 Ed25519 key: {0}")]
    Invalid(String),
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
}

impl SigningKey {
    fn from_pkcs8(pkcs8: Vec<u8>) -> Result<SigningKey, KeyError> {
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|e| KeyError::Invalid(e.to_string()))?;
        let public = pair.public_key().as_ref().to_vec();
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(&public)[..12]);
        Ok(SigningKey { kid, pkcs8, public })
    }

    pub fn generate() -> Result<SigningKey, KeyError> {
        let pair = Ed25519KeyPair::generate().map_err(|e| KeyError::Invalid(e.to_string()))?;
        let der = pair.to_pkcs8().map_err(|e| KeyError::Invalid(e.to_string()))?;
        SigningKey::from_pkcs8(der.as_ref().to_vec())
    }

    /// Reads a `-----BEGIN PRIVATE KEY-----` PEM file.
    pub fn from_pem_file(path: &std::path::Path) -> Result<SigningKey, KeyError> {
        let text = std::fs::read_to_string(path)?;
        let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect::<Vec<_>>().join("");
        let der = STANDARD.decode(body.trim()).map_err(|e| KeyError::Invalid(e.to_string()))?;
        SigningKey::from_pkcs8(der)
    }

    /// The oldest key stored in the database, or a new one stored now.
    pub fn load_or_create(conn: &mut AnyConnection, now: chrono::NaiveDateTime) -> Result<SigningKey, KeyError> {
        if let Some(k) = oldest(conn)? {
            return Ok(k);
        }
        let fresh = SigningKey::generate()?;
        let row = SigningKeyRow {
            kid: fresh.kid.clone(),
            private_key: STANDARD.encode(&fresh.pkcs8),
            public_key: URL_SAFE_NO_PAD.encode(&fresh.public),
            created_at: now,
        };
        write_tx(conn, |conn| super::repo::insert_signing_key(conn, &row))?;
        // Two processes starting at once both insert; both then use the oldest.
        oldest(conn)?.ok_or_else(|| KeyError::Invalid("signing key vanished".into()))
    }
}

fn oldest(conn: &mut AnyConnection) -> Result<Option<SigningKey>, KeyError> {
    match super::repo::oldest_signing_key(conn)? {
        None => Ok(None),
        Some(row) => {
            let der = STANDARD.decode(row.private_key).map_err(|e| KeyError::Invalid(e.to_string()))?;
            Ok(Some(SigningKey::from_pkcs8(der)?))
        }
    }
}
