use crate::db::rows::federation::PeerRow;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A public key a peer signs with: an Ed25519 JSON Web Key (RFC 8037) with its `kid`, and
/// optionally the period it is valid in (two keys overlap while a peer rotates).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PeerKey {
    pub kid: String,
    /// `OKP`.
    pub kty: String,
    /// `Ed25519`.
    pub crv: String,
    /// The public key, base64url.
    pub x: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// Not trusted before this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<DateTime<Utc>>,
    /// Not trusted after this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<DateTime<Utc>>,
}

/// Another registry node: where it is, the keys its messages are verified with, and the LAs it
/// homes (their children and placements live there; its homes report to it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Peer {
    pub node_id: String,
    /// Where its `/fed/v1` routes are, e.g. `https://registry.london.example`.
    pub base_url: String,
    pub keys: Vec<PeerKey>,
    /// ONS codes of the LAs it homes.
    pub authorities: Vec<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Peer {
    pub fn of(row: PeerRow, authorities: Vec<String>) -> Peer {
        Peer {
            keys: serde_json::from_str(&row.keys).unwrap_or_default(),
            node_id: row.node_id,
            base_url: row.base_url,
            authorities,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// A peer to add to the directory. Its keys come from its operator, never from the peer itself
/// on first contact.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPeer {
    #[schema(example = "london")]
    pub node_id: String,
    #[schema(example = "https://registry.london.example")]
    pub base_url: String,
    pub keys: Vec<PeerKey>,
    #[serde(default)]
    #[schema(example = json!(["E09000012"]))]
    pub authorities: Vec<String>,
}

/// Changes to a peer: each member given replaces the stored one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PeerPatch {
    pub base_url: Option<String>,
    pub keys: Option<Vec<PeerKey>>,
    pub authorities: Option<Vec<String>>,
}

/// What a node publishes about itself at `/.well-known/registry-node`: its id and its public
/// keys as a JWKS. Peers' operators put these in their directory; nodes never learn them on
/// first contact.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NodeDocument {
    pub node_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    pub keys: Vec<PeerKey>,
}

/// This node's entry for another node's directory (the `--peers` file holds a list of these).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectoryEntry {
    pub node_id: String,
    pub base_url: String,
    pub keys: Vec<PeerKey>,
    #[serde(default)]
    pub authorities: Vec<String>,
}

/// How delivery to one peer stands.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PeerStatus {
    pub node_id: String,
    pub base_url: String,
    /// Events written for it and not yet processed by it.
    pub backlog: i64,
    /// When the oldest of those was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oldest_undelivered_at: Option<DateTime<Utc>>,
    /// The last sequence number given, and the last it has processed.
    pub last_seq: i64,
    pub acked_seq: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_receipt_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_receipt_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_attempt_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Failed attempts in a row.
    pub attempts: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Events older than 24 hours not yet delivered (their senders have been told).
    pub escalated: i64,
    /// Events past 5 days: reported undeliverable (still retried).
    pub undeliverable: i64,
    /// Events the peer refused for good.
    pub rejected: i64,
    /// What this node last applied from that peer.
    pub applied_from_seq: i64,
}

/// The state of federation on this node.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FederationStatus {
    pub node_id: String,
    pub kid: String,
    pub peers: Vec<PeerStatus>,
}

/// A receipt a peer signed for events this node sent: the JWS verifies with the peer's
/// published key (`kid`), offline, and lists each event as applied or rejected with the peer's
/// time and audit head.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FederationReceipt {
    pub id: String,
    pub peer_node: String,
    pub kid: String,
    pub received_at: DateTime<Utc>,
    /// The compact JWS (EdDSA), as the peer signed it.
    pub jws: String,
    /// Its payload, decoded for reading.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}
