//! This registry node's identity: its id (`--node-id`) and its Ed25519 key, which signs audit
//! checkpoints and, between nodes, messages and receipts. The key lives in a file beside the
//! secrets key (`--node-key-file`, default `node.key`), sealed with the secrets key, created at
//! first start if absent; its public half is published with the node id.

use crate::secrets::Secrets;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum NodeKeyError {
    #[error("node key file {path}: {cause}")]
    File { path: String, cause: String },
    #[error(transparent)]
    Secrets(#[from] crate::secrets::SecretsError),
    #[error("the node key is not an Ed25519 PKCS#8 key")]
    Invalid,
}

/// This node: its id and signing key.
pub struct Node {
    pub id: String,
    pub kid: String,
    pair: Ed25519KeyPair,
    pkcs8: Vec<u8>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({}, {})", self.id, self.kid)
    }
}

/// The key id of an Ed25519 public key: base64url of the first 12 bytes of its SHA-256.
pub fn kid_of(public: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(public)[..12])
}

const CONTEXT: &str = "node.key";

impl Node {
    pub fn from_pkcs8(id: &str, pkcs8: Vec<u8>) -> Result<Node, NodeKeyError> {
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|_| NodeKeyError::Invalid)?;
        let kid = kid_of(pair.public_key().as_ref());
        Ok(Node { id: id.to_string(), kid, pair, pkcs8 })
    }

    /// The node key from its file (sealed with the secrets key), or a new one written there.
    pub fn load(id: &str, path: &Path, secrets: &Secrets) -> Result<Node, NodeKeyError> {
        let fail = |cause: String| NodeKeyError::File { path: path.display().to_string(), cause };
        match std::fs::read_to_string(path) {
            Ok(sealed) => Node::from_pkcs8(id, secrets.open(sealed.trim(), CONTEXT)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let doc = Ed25519KeyPair::generate_pkcs8(&aws_lc_rs::rand::SystemRandom::new())
                    .map_err(|_| NodeKeyError::Invalid)?;
                let node = Node::from_pkcs8(id, doc.as_ref().to_vec())?;
                let sealed = secrets.seal(&node.pkcs8, CONTEXT)?;
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
                        f.write_all(format!("{sealed}\n").as_bytes()).map_err(|e| fail(e.to_string()))?;
                        Ok(node)
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Node::load(id, path, secrets),
                    Err(e) => Err(fail(e.to_string())),
                }
            }
            Err(e) => Err(fail(e.to_string())),
        }
    }

    pub fn public(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    /// An Ed25519 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }

    /// The public key as a JSON Web Key.
    pub fn jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
            "kid": self.kid, "x": URL_SAFE_NO_PAD.encode(self.public()),
        })
    }

    /// A compact JWS (RFC 7515) of `payload`, signed with the node key: header `alg` EdDSA,
    /// `kid`, `typ`.
    pub fn jws(&self, typ: &str, payload: &serde_json::Value) -> String {
        let header = serde_json::json!({"alg": "EdDSA", "kid": self.kid, "typ": typ});
        let h = URL_SAFE_NO_PAD.encode(header.to_string());
        let p = URL_SAFE_NO_PAD.encode(payload.to_string());
        let signing_input = format!("{h}.{p}");
        let sig = URL_SAFE_NO_PAD.encode(self.sign(signing_input.as_bytes()));
        format!("{signing_input}.{sig}")
    }
}

/// Verifies a compact JWS signed with Ed25519 by the public key `public`; its payload as JSON.
pub fn verify_jws(jws: &str, public: &[u8]) -> Option<serde_json::Value> {
    serde_json::from_slice(&verify_jws_bytes(jws, public)?).ok()
}

/// Verifies a compact JWS signed with Ed25519 by the public key `public`; its payload's bytes.
pub fn verify_jws_bytes(jws: &str, public: &[u8]) -> Option<Vec<u8>> {
    use aws_lc_rs::signature::{ED25519, UnparsedPublicKey};
    let mut parts = jws.trim().split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
    if header.get("alg")?.as_str()? != "EdDSA" {
        return None;
    }
    let sig = URL_SAFE_NO_PAD.decode(s).ok()?;
    UnparsedPublicKey::new(&ED25519, public).verify(format!("{h}.{p}").as_bytes(), &sig).ok()?;
    URL_SAFE_NO_PAD.decode(p).ok()
}

/// The `kid` in a compact JWS's header, unverified (to choose the key to verify with).
pub fn jws_kid(jws: &str) -> Option<String> {
    let h = jws.trim().split('.').next()?;
    let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
    header.get("kid")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8037, appendix A.4: the JWS of "Example of Ed25519 signing" with the key of A.1.
    #[test]
    fn rfc_8037_ed25519_jws_vector_verifies_and_is_reproduced() {
        let x = URL_SAFE_NO_PAD.decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").expect("x");
        let d = URL_SAFE_NO_PAD.decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A").expect("d");
        let jws = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.\
                   hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
        let jws: String = jws.split_whitespace().collect();
        assert_eq!(verify_jws_bytes(&jws, &x).as_deref(), Some(&b"Example of Ed25519 signing"[..]));
        let pair = Ed25519KeyPair::from_seed_and_public_key(&d, &x).expect("RFC key");
        let (signing_input, _) = jws.rsplit_once('.').expect("input");
        let sig = URL_SAFE_NO_PAD.encode(pair.sign(signing_input.as_bytes()).as_ref());
        assert_eq!(jws.rsplit('.').next(), Some(sig.as_str()), "Ed25519 is deterministic: the same signature");
        assert_eq!(kid_of(&x).len(), 16);
    }

    #[test]
    fn a_node_key_is_made_once_sealed_and_signs_what_its_public_key_verifies() {
        let dir = std::env::temp_dir().join(format!("node-key-{}", uuid::Uuid::new_v4()));
        let secrets = Secrets::from_master(&[3u8; 32]).expect("secrets");
        let path = dir.join("node.key");
        let a = Node::load("north", &path, &secrets).expect("made");
        let on_disk = std::fs::read_to_string(&path).expect("file");
        assert!(Secrets::is_sealed(on_disk.trim()), "the file holds the key sealed, not in clear");
        let b = Node::load("north", &path, &secrets).expect("reloaded");
        assert_eq!(a.kid, b.kid);
        let jws = a.jws("checkpoint", &serde_json::json!({"seq": 7}));
        assert_eq!(verify_jws(&jws, b.public()).and_then(|v| v["seq"].as_i64()), Some(7));
        assert_eq!(jws_kid(&jws).as_deref(), Some(a.kid.as_str()));
        let mut forged = jws.clone();
        forged.insert(jws.find('.').expect("dot") + 2, 'x');
        assert!(verify_jws(&forged, a.public()).is_none(), "an altered payload does not verify");
        let other = Secrets::from_master(&[4u8; 32]).expect("other");
        assert!(Node::load("north", &path, &other).is_err(), "another secrets key cannot open it");
        let _ = std::fs::remove_dir_all(dir);
    }
}
