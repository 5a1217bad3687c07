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

    /// CSV (`date,name`) of England and Wales bank holidays replacing the bundled 2015-2030 table.
    #[arg(long, env = "REGISTRY_BANK_HOLIDAYS_FILE")]
    pub bank_holidays_file: Option<PathBuf>,

    /// Working days after which an unacknowledged notification is listed as overdue.
    #[arg(long, env = "REGISTRY_ACK_OVERDUE_WORKING_DAYS", default_value_t = 2)]
    pub ack_overdue_working_days: u32,

    /// Development mode: webhook and JWKS URLs may be plain `http://` on a loopback address
    /// (never in production).
    #[arg(long, env = "REGISTRY_DEV", default_value_t = false)]
    pub dev: bool,

    /// Days after the end of a calendar quarter by which a setting's quarterly return is due.
    #[arg(long, env = "REGISTRY_RETURN_DUE_DAYS", default_value_t = 28)]
    pub return_due_days: u32,

    /// PEM certificate chain: with `--tls-key`, serve HTTPS only (TLS 1.2 and 1.3) and send HSTS.
    #[arg(long, env = "REGISTRY_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key for `--tls-cert`.
    #[arg(long, env = "REGISTRY_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Requests per minute each API client (or user) may make; 0 turns the limit off.
    #[arg(long, env = "REGISTRY_RATE_LIMIT", default_value_t = 1200)]
    pub rate_limit_per_minute: u32,

    /// Origins allowed to call the API from a browser (comma-separated); none by default.
    #[arg(long, env = "REGISTRY_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// How often the webhook worker looks for due deliveries, in milliseconds (0 disables it).
    #[arg(long, env = "REGISTRY_WEBHOOK_POLL_MS", default_value_t = 1000)]
    pub webhook_poll_ms: u64,
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
            bank_holidays_file: None,
            ack_overdue_working_days: 2,
            dev: false,
            webhook_poll_ms: 1000,
            return_due_days: 28,
            tls_cert: None,
            tls_key: None,
            rate_limit_per_minute: 1200,
            cors_origins: vec![],
        }
    }
}
