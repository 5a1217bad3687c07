//! Authentication: the registry's own tokens, the scopes and roles each endpoint demands, and
//! API clients with the client-credentials flow. Trusted external issuers are in
//! `trusted_issuers.rs`.

mod api_clients;
mod tokens;
