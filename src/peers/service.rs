//! The peer directory's rules: a peer's id, URL (called through the outbound guard), keys
//! (Ed25519, with validity, several while it rotates) and the LAs it homes (each LA on one node
//! only, and never one whose records this node holds); the node's own published document; the
//! state of delivery to each peer.

use super::model::*;
use super::repo;
use crate::db::AnyConnection;
use crate::db::rows::federation::PeerRow;
use crate::error::{ApiError, FieldError, ProblemType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;

/// The refusal of a write to a record this node only projects: it names the node that holds it.
pub fn held_elsewhere(node: &str, what: &str) -> ApiError {
    let mut extra = serde_json::Map::new();
    extra.insert("origin_node".into(), serde_json::Value::String(node.to_string()));
    ApiError::Conflict {
        kind: ProblemType::HeldByAnotherNode,
        detail: format!("This {what} is held by registry node {node}, the placing LA's: change it there."),
        extra,
    }
}

/// Refuses a write to a child this node only projects.
pub fn check_child_held_here(conn: &mut AnyConnection, child_id: &str) -> Result<(), ApiError> {
    match repo::child(conn, child_id)? {
        Some((_, Some(node))) => Err(held_elsewhere(&node, "child")),
        _ => Ok(()),
    }
}

/// Refuses a write to a placement this node only projects.
pub fn check_placement_held_here(conn: &mut AnyConnection, placement_id: &str) -> Result<(), ApiError> {
    match repo::placement(conn, placement_id)? {
        Some((_, Some(node))) => Err(held_elsewhere(&node, "placement")),
        _ => Ok(()),
    }
}

/// Whether `s` is a node id: 1 to 64 lower-case letters, digits, `-` or `.`.
pub fn is_node_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

fn check_base_url(errors: &mut Vec<FieldError>, raw: &str, dev: bool) -> String {
    match crate::outbound::check_url(raw, dev) {
        Ok(u) if u.query().is_some() || u.fragment().is_some() => {
            errors.push(FieldError::new("base_url", "must not carry a query or fragment"));
            String::new()
        }
        Ok(u) => u.as_str().trim_end_matches('/').to_string(),
        Err(m) => {
            errors.push(FieldError::new("base_url", m));
            String::new()
        }
    }
}

/// The raw Ed25519 public key of a JWK, when it is one.
pub fn key_bytes(k: &PeerKey) -> Option<Vec<u8>> {
    if k.kty != "OKP" || k.crv != "Ed25519" {
        return None;
    }
    URL_SAFE_NO_PAD.decode(&k.x).ok().filter(|b| b.len() == 32)
}

fn check_keys(errors: &mut Vec<FieldError>, keys: &[PeerKey]) {
    if keys.is_empty() {
        errors.push(FieldError::new("keys", "at least one key is needed to verify the peer's messages"));
    }
    for (i, k) in keys.iter().enumerate() {
        if k.kid.trim().is_empty() || k.kid.len() > 128 {
            errors.push(FieldError::new(format!("keys[{i}].kid"), "is required (up to 128 characters)"));
        }
        if keys[..i].iter().any(|o| o.kid == k.kid) {
            errors.push(FieldError::new(format!("keys[{i}].kid"), "is used by another key of this peer"));
        }
        if k.kty != "OKP" || k.crv != "Ed25519" {
            errors.push(FieldError::new(format!("keys[{i}]"), "must be an Ed25519 key (kty OKP, crv Ed25519)"));
        } else if key_bytes(k).is_none() {
            errors.push(FieldError::new(format!("keys[{i}].x"), "must be 32 bytes in base64url"));
        }
        if k.alg.as_deref().is_some_and(|a| a != "EdDSA") {
            errors.push(FieldError::new(format!("keys[{i}].alg"), "must be EdDSA when given"));
        }
        if let (Some(a), Some(b)) = (k.not_before, k.not_after)
            && a >= b
        {
            errors.push(FieldError::new(format!("keys[{i}].not_after"), "must be after not_before"));
        }
    }
}

fn check_authorities(
    conn: &mut AnyConnection,
    errors: &mut Vec<FieldError>,
    node_id: &str,
    codes: &[String],
) -> Result<Vec<String>, ApiError> {
    let mut codes: Vec<String> = codes.iter().map(|c| c.trim().to_ascii_uppercase()).collect();
    let known = repo::known_authorities(conn, &codes)?;
    let homes = repo::all_homes(conn)?;
    for (i, code) in codes.iter().enumerate() {
        let field = format!("authorities[{i}]");
        if !known.contains(code) {
            errors.push(FieldError::new(field, format!("{code} is not an English LA's ONS code")));
        } else if let Some((_, other)) = homes.iter().find(|(la, n)| la == code && n != node_id) {
            errors.push(FieldError::new(field, format!("{code} is homed on node {other}; an LA has one home")));
        } else if repo::holds_records_of(conn, code)? {
            errors.push(FieldError::new(
                field,
                format!("this node holds children of {code} as their placing LA; they cannot move home"),
            ));
        }
    }
    codes.sort();
    codes.dedup();
    Ok(codes)
}

/// Adds a peer to the directory.
pub fn create(
    conn: &mut AnyConnection,
    input: NewPeer,
    own_id: &str,
    dev: bool,
    now: NaiveDateTime,
) -> Result<Peer, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let mut errors = Vec::new();
        if !is_node_id(&input.node_id) {
            errors.push(FieldError::new("node_id", "1 to 64 lower-case letters, digits, '-' or '.'"));
        } else if input.node_id == own_id {
            errors.push(FieldError::new("node_id", "is this node's own id"));
        }
        let base_url = check_base_url(&mut errors, &input.base_url, dev);
        check_keys(&mut errors, &input.keys);
        let authorities = check_authorities(conn, &mut errors, &input.node_id, &input.authorities)?;
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        if repo::find_peer(conn, &input.node_id)?.is_some() {
            return Err(ApiError::conflict(
                ProblemType::Conflict,
                format!("Peer {} is already listed.", input.node_id),
            ));
        }
        let row = PeerRow {
            node_id: input.node_id.clone(),
            base_url,
            keys: serde_json::to_string(&input.keys).map_err(ApiError::internal)?,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        repo::insert_peer(conn, &row)?;
        repo::set_homes(conn, &row.node_id, &authorities)?;
        Ok(Peer::of(row, authorities))
    })
}

pub fn list(conn: &mut AnyConnection) -> Result<Vec<Peer>, ApiError> {
    let rows = repo::peers(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let homes = repo::homes_of(conn, &r.node_id)?;
        out.push(Peer::of(r, homes));
    }
    Ok(out)
}

pub fn read(conn: &mut AnyConnection, node_id: &str) -> Result<Peer, ApiError> {
    let row = repo::find_peer(conn, node_id)?.ok_or(ApiError::NotFound)?;
    let homes = repo::homes_of(conn, node_id)?;
    Ok(Peer::of(row, homes))
}

/// Changes a peer (its URL, keys or LAs), if it is still at version `expected`.
pub fn update(
    conn: &mut AnyConnection,
    node_id: &str,
    patch: PeerPatch,
    expected: i64,
    dev: bool,
    now: NaiveDateTime,
) -> Result<Peer, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let mut row = repo::find_peer(conn, node_id)?.ok_or(ApiError::NotFound)?;
        if row.version != expected {
            return Err(ApiError::PreconditionFailed);
        }
        let mut errors = Vec::new();
        if let Some(u) = &patch.base_url {
            row.base_url = check_base_url(&mut errors, u, dev);
        }
        if let Some(keys) = &patch.keys {
            check_keys(&mut errors, keys);
            row.keys = serde_json::to_string(keys).map_err(ApiError::internal)?;
        }
        let authorities = match &patch.authorities {
            Some(codes) => Some(check_authorities(conn, &mut errors, node_id, codes)?),
            None => None,
        };
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        row.version = expected + 1;
        row.updated_at = now;
        if repo::update_peer(conn, &row, expected)? == 0 {
            return Err(ApiError::PreconditionFailed);
        }
        if let Some(codes) = &authorities {
            repo::set_homes(conn, node_id, codes)?;
        }
        let homes = repo::homes_of(conn, node_id)?;
        Ok(Peer::of(row, homes))
    })
}

/// Removes a peer. Refused while events for it wait: they would never be delivered.
pub fn delete(conn: &mut AnyConnection, node_id: &str, expected: Option<i64>) -> Result<(), ApiError> {
    crate::db::write_tx(conn, |conn| {
        let row = repo::find_peer(conn, node_id)?.ok_or(ApiError::NotFound)?;
        if expected.is_some_and(|v| v != row.version) {
            return Err(ApiError::PreconditionFailed);
        }
        let (pending, ..) = repo::outbox_counts(conn, node_id)?;
        if pending > 0 {
            return Err(ApiError::conflict(
                ProblemType::Conflict,
                format!("Events for {node_id} are not delivered yet ({pending}); removing it would lose them."),
            ));
        }
        repo::delete_peer(conn, node_id)
    })
}

/// Adds or replaces the peers of a directory file (`--peers`): every entry but this node's own.
/// The file is the operator's word, as the API is.
pub fn import(
    conn: &mut AnyConnection,
    entries: Vec<DirectoryEntry>,
    own_id: &str,
    dev: bool,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let mut n = 0;
    for e in entries.into_iter().filter(|e| e.node_id != own_id) {
        match repo::find_peer(conn, &e.node_id)? {
            Some(row) => {
                let patch =
                    PeerPatch { base_url: Some(e.base_url), keys: Some(e.keys), authorities: Some(e.authorities) };
                update(conn, &row.node_id, patch, row.version, dev, now)?;
            }
            None => {
                let input =
                    NewPeer { node_id: e.node_id, base_url: e.base_url, keys: e.keys, authorities: e.authorities };
                create(conn, input, own_id, dev, now)?;
            }
        }
        n += 1;
    }
    Ok(n)
}

/// A key of this node as a peer key.
pub fn own_key(jwk: &serde_json::Value) -> Result<PeerKey, ApiError> {
    serde_json::from_value(jwk.clone()).map_err(ApiError::internal)
}

/// The keys of a peer trusted at `now`, by kid.
pub fn trusted_key(peer: &Peer, kid: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Vec<u8>> {
    peer.keys
        .iter()
        .filter(|k| k.kid == kid)
        .filter(|k| k.not_before.is_none_or(|t| t <= now) && k.not_after.is_none_or(|t| now <= t))
        .find_map(key_bytes)
}

/// How delivery to each peer (and each stream with no peer left) stands.
pub fn status(conn: &mut AnyConnection, node_id: &str, kid: &str) -> Result<FederationStatus, ApiError> {
    let peers = repo::peers(conn)?;
    let streams = repo::streams(conn)?;
    let mut out = Vec::new();
    let mut names: Vec<(String, String)> = peers.iter().map(|p| (p.node_id.clone(), p.base_url.clone())).collect();
    for s in &streams {
        if !names.iter().any(|(n, _)| n == &s.dest_node) {
            names.push((s.dest_node.clone(), String::new()));
        }
    }
    for (node, base_url) in names {
        let s = streams.iter().find(|s| s.dest_node == node);
        let (backlog, oldest, escalated, undeliverable, rejected) = repo::outbox_counts(conn, &node)?;
        out.push(PeerStatus {
            applied_from_seq: repo::applied_from(conn, &node)?,
            node_id: node,
            base_url,
            backlog,
            oldest_undelivered_at: oldest.map(|t| t.and_utc()),
            last_seq: s.map_or(0, |s| s.last_seq),
            acked_seq: s.map_or(0, |s| s.acked_seq),
            last_receipt_id: s.and_then(|s| s.last_receipt_id.clone()),
            last_receipt_at: s.and_then(|s| s.last_receipt_at).map(|t| t.and_utc()),
            last_attempt_at: s.and_then(|s| s.last_attempt_at).map(|t| t.and_utc()),
            last_error: s.and_then(|s| s.last_error.clone()),
            attempts: s.map_or(0, |s| s.attempts),
            next_attempt_at: s.filter(|s| s.last_seq > s.acked_seq).map(|s| s.next_attempt_at.and_utc()),
            escalated,
            undeliverable,
            rejected,
        });
    }
    Ok(FederationStatus { node_id: node_id.to_string(), kid: kid.to_string(), peers: out })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(x: &str) -> PeerKey {
        PeerKey {
            kid: "k1".into(),
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: x.into(),
            alg: None,
            use_: None,
            not_before: None,
            not_after: None,
        }
    }

    #[test]
    fn node_ids_are_plain_names() {
        assert!(is_node_id("london-1.region"));
        for bad in ["", "London", "a b", "a/b", &"x".repeat(65)] {
            assert!(!is_node_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn keys_must_be_ed25519_with_distinct_kids() {
        let good = key(&URL_SAFE_NO_PAD.encode([7u8; 32]));
        let mut errors = Vec::new();
        check_keys(&mut errors, std::slice::from_ref(&good));
        assert!(errors.is_empty(), "{errors:?}");
        let short = key(&URL_SAFE_NO_PAD.encode([7u8; 31]));
        let mut rsa = good.clone();
        rsa.kty = "RSA".into();
        let mut errors = Vec::new();
        check_keys(&mut errors, &[good.clone(), good.clone(), short, rsa]);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["keys[1].kid", "keys[2].kid", "keys[2].x", "keys[3].kid", "keys[3]"]);
        let mut errors = Vec::new();
        check_keys(&mut errors, &[]);
        assert_eq!(errors[0].field, "keys");
    }

    #[test]
    fn a_key_is_trusted_only_inside_its_validity() {
        let now = chrono::Utc::now();
        let mut k = key(&URL_SAFE_NO_PAD.encode([9u8; 32]));
        k.not_after = Some(now - chrono::TimeDelta::seconds(1));
        let peer = Peer {
            node_id: "p".into(),
            base_url: "https://p.example".into(),
            keys: vec![k.clone()],
            authorities: vec![],
            version: 1,
            created_at: now,
            updated_at: now,
        };
        assert!(trusted_key(&peer, "k1", now).is_none(), "expired");
        assert!(trusted_key(&peer, "k1", now - chrono::TimeDelta::seconds(2)).is_some());
        assert!(trusted_key(&peer, "other", now - chrono::TimeDelta::seconds(2)).is_none(), "unknown kid");
    }
}
