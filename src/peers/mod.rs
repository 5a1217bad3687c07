//! Other registry nodes: the peer directory the operator keeps (where each peer is, the keys
//! its messages are verified with, the LAs it homes), this node's published identity, and the
//! outbox of events for peers written in the transaction of each change. Sending, receiving
//! and applying are in `federation`, which sits above the domains.

pub mod model;
pub mod outbox;
pub mod repo;
pub mod routes;
pub mod service;
pub mod wire;

pub use routes::routes;
