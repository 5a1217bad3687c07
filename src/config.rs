//! Configuration shared by every subcommand: command-line flags, each with an environment
//! variable, and safe defaults for a local run.

use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct Config {
    /// Database URL: `sqlite://path/to/file.db` (created if missing) or `postgres://user:pass@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/registry.db")]
    pub database_url: String,

    /// Issuer (`iss`) of the tokens this registry signs and accepts.
    #[arg(long, env = "REGISTRY_ISSUER", default_value = "placement-registry")]
    pub issuer: String,

    /// Audience (`aud`) tokens must name to be accepted by this API.
    #[arg(long, env = "REGISTRY_AUDIENCE", default_value = "placement-registry-api")]
    pub audience: String,

    /// PKCS#8 PEM file holding the Ed25519 token signing key. Without it, a key is generated on
    /// first use and kept in the database, so every process on that database shares it.
    #[arg(long, env = "REGISTRY_SIGNING_KEY_FILE")]
    pub signing_key_file: Option<PathBuf>,

    /// Lifetime of tokens issued to API clients, in seconds.
    #[arg(long, env = "REGISTRY_TOKEN_TTL", default_value_t = 3600)]
    pub token_ttl: i64,

    /// Largest number of database connections the process opens.
    #[arg(long, env = "REGISTRY_POOL_SIZE", default_value_t = 16)]
    pub pool_size: u32,
}

impl Config {
    /// Defaults for a database URL, as used by tests and tools.
    pub fn for_database(url: &str) -> Config {
        Config {
            database_url: url.to_string(),
            issuer: "placement-registry".into(),
            audience: "placement-registry-api".into(),
            signing_key_file: None,
            token_ttl: 3600,
            pool_size: 8,
        }
    }
}
