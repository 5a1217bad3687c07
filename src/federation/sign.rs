//! Signing the requests this node sends its peers, and verifying the ones it receives: HTTP
//! Message Signatures (RFC 9421) with the node's Ed25519 key over `@method`, `@target-uri` and,
//! with a body, its `Content-Digest` (RFC 9530); `created`, `expires` at most 300 s later, the
//! `keyid`, a `nonce` never accepted twice, and the tag `registry-node`. Only keys in the peer
//! directory are trusted, each within its validity.

use crate::error::ApiError;
use crate::httpsig::{self, Params};
use crate::node::Node;
use crate::peers::model::Peer;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};

/// The signature's tag: what it is for.
pub const TAG: &str = "registry-node";
/// The longest a signature may be valid for.
pub const MAX_WINDOW_SECS: i64 = 300;
/// How far ahead of this node's clock a signature's `created` may be.
pub const CLOCK_SKEW_SECS: i64 = 30;
/// The signature's label.
const LABEL: &str = "reg";

/// The headers that sign a request from this node: `Content-Digest` (with a body),
/// `Signature-Input` and `Signature`.
pub fn sign_request(
    node: &Node,
    method: &str,
    url: &str,
    body: Option<&[u8]>,
    now: DateTime<Utc>,
) -> Result<Vec<(String, String)>, ApiError> {
    let mut headers = Vec::new();
    let mut components = vec!["@method", "@target-uri"];
    if let Some(body) = body {
        headers.push(("content-digest".to_string(), httpsig::content_digest(body)));
        components.push("content-digest");
    }
    let nonce = URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes());
    let created = now.timestamp();
    let params = Params::new(&components)
        .int("created", created)
        .int("expires", created + MAX_WINDOW_SECS)
        .str("keyid", &node.kid)
        .str("nonce", &nonce)
        .str("alg", "ed25519")
        .str("tag", TAG);
    let req = httpsig::Request { method, target_uri: url, headers: headers.clone() };
    let (input, signature) =
        httpsig::sign(&req, LABEL, &params, |b| node.sign(b)).map_err(|e| ApiError::internal(e.to_string()))?;
    headers.push(("signature-input".to_string(), input));
    headers.push(("signature".to_string(), signature));
    Ok(headers)
}

/// A request whose signature checked out, before the key and nonce are looked up.
#[derive(Debug, Clone)]
pub struct Signed {
    pub keyid: String,
    pub nonce: String,
    pub expires: DateTime<Utc>,
    pub base: String,
    pub signature: Vec<u8>,
}

fn refuse(why: impl Into<String>) -> ApiError {
    ApiError::Unauthorized { detail: format!("Node signature refused: {}.", why.into()) }
}

/// Checks what can be checked without the directory: a signature is there, covers what it
/// must, is in its window, carries a nonce and a key id, and the body matches its digest.
pub fn check(req: &httpsig::Request<'_>, body: Option<&[u8]>, now: DateTime<Utc>) -> Result<Signed, ApiError> {
    let found = httpsig::signatures(req).map_err(|e| refuse(e.to_string()))?;
    let Some(sig) = found.into_iter().find(|f| f.params.get_str("tag") == Some(TAG)) else {
        return Err(refuse("no signature tagged registry-node"));
    };
    let p = &sig.params;
    for needed in ["@method", "@target-uri"] {
        if !p.covers(needed) {
            return Err(refuse(format!("the signature must cover {needed}")));
        }
    }
    if let Some(body) = body {
        if !p.covers("content-digest") {
            return Err(refuse("the signature must cover content-digest"));
        }
        let digest = req
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-digest"))
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        if !httpsig::digest_matches(digest, body) {
            return Err(refuse("the body does not match its Content-Digest"));
        }
    }
    if p.get_str("alg").is_some_and(|a| a != "ed25519") {
        return Err(refuse("only ed25519 signatures are accepted"));
    }
    let (Some(created), Some(expires)) = (p.get_int("created"), p.get_int("expires")) else {
        return Err(refuse("created and expires are required"));
    };
    let t = now.timestamp();
    if expires <= created || expires - created > MAX_WINDOW_SECS {
        return Err(refuse(format!("a signature is valid for at most {MAX_WINDOW_SECS} seconds")));
    }
    if created > t + CLOCK_SKEW_SECS {
        return Err(refuse("created in the future"));
    }
    if expires < t {
        return Err(refuse("expired"));
    }
    let Some(nonce) = p.get_str("nonce").filter(|n| !n.is_empty() && n.len() <= 128) else {
        return Err(refuse("a nonce is required"));
    };
    let Some(keyid) = p.get_str("keyid").filter(|k| !k.is_empty()) else {
        return Err(refuse("a keyid is required"));
    };
    Ok(Signed {
        keyid: keyid.to_string(),
        nonce: nonce.to_string(),
        expires: DateTime::from_timestamp(expires, 0).unwrap_or(now + TimeDelta::seconds(MAX_WINDOW_SECS)),
        base: sig.base,
        signature: sig.signature,
    })
}

/// The peer whose directory key (valid now) made the signature.
pub fn signer<'a>(peers: &'a [Peer], signed: &Signed, now: DateTime<Utc>) -> Result<&'a Peer, ApiError> {
    use aws_lc_rs::signature::{ED25519, UnparsedPublicKey};
    let holders: Vec<&Peer> = peers.iter().filter(|p| p.keys.iter().any(|k| k.kid == signed.keyid)).collect();
    let [peer] = holders.as_slice() else {
        return Err(refuse(if holders.is_empty() { "unknown keyid" } else { "keyid held by several peers" }));
    };
    let Some(key) = crate::peers::service::trusted_key(peer, &signed.keyid, now) else {
        return Err(refuse("the key is outside its validity"));
    };
    UnparsedPublicKey::new(&ED25519, &key)
        .verify(signed.base.as_bytes(), &signed.signature)
        .map_err(|_| refuse("the signature does not verify"))?;
    Ok(peer)
}

/// A compact JWS from a peer, verified with its directory key named in the JWS header.
pub fn verify_from(peer: &Peer, jws: &str, now: DateTime<Utc>) -> Option<serde_json::Value> {
    let kid = crate::node::jws_kid(jws)?;
    let key = crate::peers::service::trusted_key(peer, &kid, now)?;
    crate::node::verify_jws(jws, &key)
}
