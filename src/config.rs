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
    /// first use and kept in the database sealed with the secrets key, so every process on that
    /// database shares it (and `keys rotate` makes a new one).
    #[arg(long, env = "REGISTRY_SIGNING_KEY_FILE")]
    pub signing_key_file: Option<PathBuf>,

    /// File holding the secrets key (base64 of 32 bytes) that seals the signing keys, webhook
    /// secrets and the node key in the database and keys the audit chain; created with mode 0600
    /// at first start if absent. Default: `registry.key` beside the SQLite database file, or
    /// `data/registry.key` with PostgreSQL. Keep it backed up, apart from the database.
    #[arg(long, env = "REGISTRY_SECRETS_KEY_FILE")]
    pub secrets_key_file: Option<PathBuf>,

    /// The secrets key itself, from the environment only (`REGISTRY_SECRETS_KEY`, for
    /// containers); it takes precedence over the file.
    #[arg(skip = std::env::var("REGISTRY_SECRETS_KEY").ok())]
    pub secrets_key: Option<String>,

    /// This node's id, published with its public key; peers know it by this name.
    #[arg(long, env = "REGISTRY_NODE_ID", default_value = "local")]
    pub node_id: String,

    /// File of this node's Ed25519 key (sealed with the secrets key), created at first start if
    /// absent. Default: `node.key` beside the secrets key file.
    #[arg(long, env = "REGISTRY_NODE_KEY_FILE")]
    pub node_key_file: Option<PathBuf>,

    /// The URL other nodes reach this one at (`https://registry.example`): published with the
    /// node's keys, and the `@target-uri` peers sign requests to it with. When unset, a request's
    /// own scheme and host are used.
    #[arg(long, env = "REGISTRY_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// A directory file (a JSON list of nodes: `node_id`, `base_url`, `keys`, `authorities`, as
    /// `placement-registry node entry` prints them) whose peers are added or updated at start.
    /// This node's own entry is skipped.
    #[arg(long, env = "REGISTRY_PEERS")]
    pub peers: Option<PathBuf>,

    /// How often the federation worker looks for events to send, in milliseconds (0: never; the
    /// tests drive it).
    #[arg(long, env = "REGISTRY_FEDERATION_POLL_MS", default_value_t = 500)]
    pub federation_poll_ms: u64,

    /// Seconds between signed checkpoints of the audit log's head (while it moves).
    #[arg(long, env = "REGISTRY_AUDIT_CHECKPOINT_SECS", default_value_t = 300)]
    pub audit_checkpoint_secs: u64,

    /// Lifetime of tokens issued to API clients, in seconds.
    #[arg(long, env = "REGISTRY_TOKEN_TTL", default_value_t = 3600)]
    pub token_ttl: i64,

    /// Largest number of database connections the process opens.
    #[arg(long, env = "REGISTRY_POOL_SIZE", default_value_t = 16)]
    pub pool_size: u32,

    /// Where a request's database work runs: `worker`, on the HTTP worker thread that took the
    /// request (no hand-off between threads); `pool`, on a blocking thread pool, so a worker
    /// serves other requests while one waits for the database; `auto`, `worker` on SQLite
    /// (in-process, so the work is the worker's own CPU) and `pool` on PostgreSQL, where the
    /// child read also runs on each worker's own asynchronous connections (`db::reads`).
    #[arg(long, env = "REGISTRY_DB_CALLS", value_enum, default_value_t = DbCalls::Auto)]
    pub db_calls: DbCalls,

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

    /// Requests per minute from one address that fail authentication (no token, a bad or
    /// expired one, an unknown issuer), and requests to `POST /v1/oauth/token`, before that
    /// address gets 429 with `Retry-After`; checked before any token is verified. 0 turns it off.
    #[arg(long, env = "REGISTRY_UNAUTHENTICATED_RATE_LIMIT", default_value_t = 60)]
    pub unauthenticated_rate_limit_per_minute: u32,

    /// Origins allowed to call the API from a browser (comma-separated); none by default.
    #[arg(long, env = "REGISTRY_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// How often the webhook worker looks for due deliveries, in milliseconds (0 disables it).
    #[arg(long, env = "REGISTRY_WEBHOOK_POLL_MS", default_value_t = 1000)]
    pub webhook_poll_ms: u64,

    /// How often the alerts worker checks the clocks (return interviews, missing children,
    /// repeat missing, quarterly returns, acknowledgements, deliveries), in milliseconds
    /// (0 disables it).
    #[arg(long, env = "REGISTRY_ALERTS_POLL_MS", default_value_t = 60_000)]
    pub alerts_poll_ms: u64,

    /// Hours a child may be missing before `missing.long` tells the placing and host LA.
    #[arg(long, env = "REGISTRY_MISSING_LONG_HOURS", default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=8760))]
    pub missing_long_hours: u32,
}

impl Config {
    /// Defaults for a database URL, as used by tests and tools.
    pub fn for_database(url: &str) -> Config {
        Config {
            database_url: url.to_string(),
            issuer: "placement-registry".into(),
            audience: "placement-registry-api".into(),
            signing_key_file: None,
            secrets_key_file: None,
            secrets_key: None,
            node_id: "local".into(),
            node_key_file: None,
            public_url: None,
            peers: None,
            federation_poll_ms: 500,
            audit_checkpoint_secs: 300,
            token_ttl: 3600,
            pool_size: 8,
            db_calls: DbCalls::Auto,
            bank_holidays_file: None,
            ack_overdue_working_days: 2,
            dev: false,
            webhook_poll_ms: 1000,
            alerts_poll_ms: 60_000,
            missing_long_hours: 24,
            return_due_days: 28,
            tls_cert: None,
            tls_key: None,
            rate_limit_per_minute: 1200,
            unauthenticated_rate_limit_per_minute: 60,
            cors_origins: vec![],
        }
    }
}

impl Config {
    /// Where the secrets key file is: as configured, else beside the SQLite database, else
    /// `data/registry.key`.
    pub fn secrets_key_path(&self) -> PathBuf {
        if let Some(p) = &self.secrets_key_file {
            return p.clone();
        }
        let url = &self.database_url;
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
            if path != ":memory:"
                && !path.starts_with("file:")
                && let Some(dir) = std::path::Path::new(path).parent()
            {
                return dir.join("registry.key");
            }
        }
        PathBuf::from("data/registry.key")
    }

    /// Where the node key file is: as configured, else `node.key` beside the secrets key file.
    pub fn node_key_path(&self) -> PathBuf {
        self.node_key_file.clone().unwrap_or_else(|| {
            self.secrets_key_path().parent().map_or_else(|| PathBuf::from("node.key"), |d| d.join("node.key"))
        })
    }
}

/// Where a request's database work runs (see `Config::db_calls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DbCalls {
    Auto,
    Worker,
    Pool,
}
