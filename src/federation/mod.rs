//! Registry nodes that behave, for their users, as one registry (DESIGN §7). A child and their
//! placements live on the placing LA's node; the host LA's node keeps a read-only projection of
//! what a host LA may see. Changes that another node must know are written to the outbox (in
//! `peers`) in their own transaction; this module delivers them (`worker`), signs and verifies
//! the requests between nodes (`sign`, over `httpsig`), takes batches from peers and applies
//! them once each, in order, with their audit entries (`routes`, `apply`), and answers with a
//! receipt signed by the node key that the sender keeps as proof.

pub mod apply;
pub mod repo;
pub mod routes;
pub mod sign;
pub mod worker;

pub use routes::routes;
