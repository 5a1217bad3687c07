//! The command line: `serve` (the default), `migrate`, `openapi`, `token`, `seed`, `audit`,
//! `keys`, `node entry` and `federation` (status, import, pull).

use crate::app;
use crate::auth::tokens::Grant;
use crate::auth::{OrgType, parse_scopes};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::state::AppState;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(name = "placement-registry", version, about = "Register of out-of-area placements of looked-after children")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the API (the default when no subcommand is given).
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate(Config),
    /// Write the OpenAPI document.
    Openapi {
        /// Where to write it.
        #[arg(long, default_value = "openapi/openapi.json")]
        out: PathBuf,
    },
    /// Print a signed bearer token for an organisation (for operators and tests).
    Token(TokenArgs),
    /// Generate deterministic synthetic national data (for benchmarks and trials).
    Seed(crate::seed::SeedArgs),
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The token signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// This node's identity.
    Node {
        #[command(subcommand)]
        command: NodeCommand,
    },
    /// Other registry nodes: the directory, delivery, pulling what was missed.
    Federation {
        #[command(subcommand)]
        command: FederationCommand,
    },
}

#[derive(Subcommand, Debug)]
enum NodeCommand {
    /// Print this node's entry for other nodes' directories (JSON: node id, public URL, public
    /// keys, the LAs it homes), making the node key if it has none yet. Give it to the operators
    /// of the other nodes; they list it with `--peers` or `POST /v1/federation/peers`.
    Entry {
        #[command(flatten)]
        config: Config,
        /// ONS codes of the LAs this node homes (comma-separated).
        #[arg(long, value_delimiter = ',')]
        authorities: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
enum FederationCommand {
    /// Each peer: backlog, oldest undelivered event, last receipt, last error (JSON).
    Status(Config),
    /// Add or update the peers listed in a directory file (a JSON list of node entries; this
    /// node's own entry is skipped).
    Import {
        #[command(flatten)]
        config: Config,
        file: PathBuf,
    },
    /// Fetch and apply what a peer holds for this node (after a restore from backup).
    Pull {
        #[command(flatten)]
        config: Config,
        /// The peer's node id (default: every peer).
        #[arg(long)]
        from: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Check the keyed chain of the audit log, and the signed checkpoints stored with it and any
    /// given in a file; report the first broken link (exit status 2).
    Verify {
        #[command(flatten)]
        config: Config,
        /// A file of checkpoints kept apart from the database (one compact JWS per line, as
        /// `audit checkpoints` prints them): a log truncated or rewound behind them is caught.
        #[arg(long)]
        checkpoints: Option<PathBuf>,
    },
    /// Print the signed checkpoints of the log's head (one compact JWS per line), to keep apart
    /// from the database: `audit checkpoints >> checkpoints.jws`.
    Checkpoints {
        #[command(flatten)]
        config: Config,
        /// Only those after this event.
        #[arg(long, default_value_t = 0)]
        after: i64,
    },
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Make a new token signing key; the previous one still verifies for a day.
    Rotate(Config),
}

#[derive(clap::Parser, Debug)]
struct ServeArgs {
    #[command(flatten)]
    config: Config,
    /// Address to listen on.
    #[arg(long, env = "REGISTRY_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// Seed a small demo (if the database has no children yet) and print tokens to try it with.
    #[arg(long)]
    demo: bool,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "REGISTRY_WORKERS")]
    workers: Option<usize>,
}

#[derive(clap::Args, Debug)]
struct TokenArgs {
    #[command(flatten)]
    config: Config,
    /// Kind of organisation the token acts for.
    #[arg(long, value_parser = ["authority", "provider", "operator"])]
    org_type: String,
    /// ONS code of the authority, registry id of the provider, or a label for the operator.
    #[arg(long)]
    org: String,
    /// Space-separated scopes (default: all the organisation type may hold).
    #[arg(long)]
    scope: Option<String>,
    /// Subject the token names (a person or system).
    #[arg(long, default_value = "cli")]
    sub: String,
    /// Lifetime in seconds.
    #[arg(long, default_value_t = 86_400)]
    ttl: i64,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => serve(ServeArgs::parse_from(["placement-registry"])),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Migrate(config)) => migrate(&config),
        Some(Command::Openapi { out }) => write_openapi(&out),
        Some(Command::Token(args)) => token(args),
        Some(Command::Seed(args)) => crate::seed::run(args),
        Some(Command::Audit { command: AuditCommand::Verify { config, checkpoints } }) => {
            return audit_verify(config, checkpoints.as_deref());
        }
        Some(Command::Audit { command: AuditCommand::Checkpoints { config, after } }) => {
            audit_checkpoints(config, after)
        }
        Some(Command::Keys { command: KeysCommand::Rotate(config) }) => rotate_keys(config),
        Some(Command::Node { command: NodeCommand::Entry { config, authorities } }) => node_entry(config, authorities),
        Some(Command::Federation { command: FederationCommand::Status(config) }) => federation_status(config),
        Some(Command::Federation { command: FederationCommand::Import { config, file } }) => {
            import_peers(config, &file)
        }
        Some(Command::Federation { command: FederationCommand::Pull { config, from } }) => {
            federation_pull(config, from)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn audit_verify(config: Config, file: Option<&std::path::Path>) -> ExitCode {
    let run = || -> Result<crate::audit::Verdict> {
        let state = AppState::open(config, Arc::new(SystemClock))?;
        let mut conn = state.pool.get()?;
        let mut jws: Vec<String> = crate::audit::repo::checkpoints_after(&mut conn, 0).map_err(|e| format!("{e:?}"))?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            jws.extend(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string));
        }
        let mut checkpoints = Vec::new();
        for (i, j) in jws.iter().enumerate() {
            let c = crate::audit::Checkpoint::from_jws(j, state.node.public())
                .ok_or_else(|| format!("checkpoint {} is not signed by this node's key", i + 1))?;
            checkpoints.push(c);
        }
        let secrets = state.secrets.clone();
        Ok(crate::audit::verify(&mut conn, secrets.audit_key(), &checkpoints).map_err(|e| format!("{e:?}"))?)
    };
    match run() {
        Ok(crate::audit::Verdict::Intact { events }) => {
            println!("audit log intact: {events} events");
            ExitCode::SUCCESS
        }
        Ok(crate::audit::Verdict::Broken { seq, reason }) => {
            println!("audit log broken at event {seq}: {reason}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn audit_checkpoints(config: Config, after: i64) -> Result<()> {
    let state = AppState::open(config, Arc::new(SystemClock))?;
    let mut conn = state.pool.get()?;
    crate::audit::chain_pending(&mut conn, state.secrets.audit_key()).map_err(|e| format!("{e:?}"))?;
    crate::audit::checkpoint(&mut conn, &state.node, state.now()).map_err(|e| format!("{e:?}"))?;
    for jws in crate::audit::repo::checkpoints_after(&mut conn, after).map_err(|e| format!("{e:?}"))? {
        println!("{jws}");
    }
    Ok(())
}

fn rotate_keys(config: Config) -> Result<()> {
    let state = AppState::open(config, Arc::new(SystemClock))?;
    let mut conn = state.pool.get()?;
    let key = crate::auth::keys::rotate(&mut conn, &state.secrets, state.now())?;
    println!("new signing key {}; the previous one verifies tokens for another day", key.kid);
    Ok(())
}

fn node_entry(config: Config, authorities: Vec<String>) -> Result<()> {
    let base_url = config.public_url.clone().ok_or("give the URL peers reach this node at: --public-url")?;
    let state = AppState::open(config, Arc::new(SystemClock))?;
    let key = crate::peers::service::own_key(&state.node.jwk()).map_err(|e| format!("{e:?}"))?;
    let entry = crate::peers::model::DirectoryEntry {
        node_id: state.node.id.clone(),
        base_url,
        keys: vec![key],
        authorities: authorities.iter().map(|a| a.trim().to_ascii_uppercase()).filter(|a| !a.is_empty()).collect(),
    };
    println!("{}", serde_json::to_string_pretty(&entry)?);
    Ok(())
}

fn federation_status(config: Config) -> Result<()> {
    let state = AppState::open(config, Arc::new(SystemClock))?;
    let mut conn = state.pool.get()?;
    let status =
        crate::peers::service::status(&mut conn, &state.node.id, &state.node.kid).map_err(|e| format!("{e:?}"))?;
    println!("{}", serde_json::to_string_pretty(&status)?);
    Ok(())
}

/// Adds or updates the peers of a directory file.
fn import_peers_into(state: &AppState, file: &std::path::Path) -> Result<usize> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let entries: Vec<crate::peers::model::DirectoryEntry> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut conn = state.pool.get()?;
    let (own, dev, now) = (state.node.id.clone(), state.config.dev, state.now());
    crate::peers::service::import(&mut conn, entries, &own, dev, now)
        .map_err(|e| format!("{}: {}", file.display(), e.problem().detail).into())
}

fn import_peers(config: Config, file: &std::path::Path) -> Result<()> {
    let state = AppState::open(config, Arc::new(SystemClock))?;
    let n = import_peers_into(&state, file)?;
    println!("{n} peer(s) listed");
    Ok(())
}

fn federation_pull(config: Config, from: Option<String>) -> Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let state = AppState::open(config, Arc::new(SystemClock))?;
    actix_web::rt::System::new().block_on(async move {
        let worker = crate::federation::worker::Worker::new(state.clone(), "cli-pull");
        let peers = match from {
            Some(p) => vec![p],
            None => state
                .db(crate::peers::service::list)
                .await
                .map_err(|e| format!("{e:?}"))?
                .into_iter()
                .map(|p| p.node_id)
                .collect(),
        };
        for p in peers {
            let n = worker.pull_from(&p).await.map_err(|e| format!("{p}: {}", e.problem().detail))?;
            println!("{p}: {n} event(s) applied");
        }
        state.chain_audit().await.map_err(|e| format!("{e:?}"))?;
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}

fn migrate(config: &Config) -> Result<()> {
    let n = crate::db::migrate(&config.database_url)?;
    println!("{n} migration(s) applied");
    Ok(())
}

fn write_openapi(out: &std::path::Path) -> Result<()> {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, crate::app::openapi_json())?;
    println!("wrote {}", out.display());
    Ok(())
}

fn token(args: TokenArgs) -> Result<()> {
    let org_type = OrgType::parse(&args.org_type).ok_or("unknown org type")?;
    let scopes = parse_scopes(org_type, args.scope.as_deref())?;
    let clock = Arc::new(SystemClock);
    let state = AppState::open(args.config, clock.clone())?;
    let grant =
        Grant { sub: &args.sub, org_type, org: &args.org, scopes: &scopes, client_id: None, ttl_secs: args.ttl };
    println!("{}", state.tokens().issue(&grant, clock.now()).map_err(|e| e.to_string())?);
    Ok(())
}

/// Appends pending audit events to the chain every 200 ms, and signs a checkpoint of its head
/// every `audit_checkpoint_secs` while it moves.
fn spawn_audit_chainer(state: AppState) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(std::time::Duration::from_millis(200));
        let every = std::time::Duration::from_secs(state.config.audit_checkpoint_secs.max(1));
        let mut last_checkpoint = std::time::Instant::now();
        loop {
            tick.tick().await;
            if let Err(e) = state.chain_audit().await {
                tracing::error!(error = %e, "chaining audit events failed; will retry");
            }
            if last_checkpoint.elapsed() >= every {
                last_checkpoint = std::time::Instant::now();
                if let Err(e) = state.checkpoint_audit().await {
                    tracing::error!(error = %e, "signing an audit checkpoint failed; will retry");
                }
            }
        }
    });
}

fn serve(args: ServeArgs) -> Result<()> {
    crate::telemetry::init();
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let state = AppState::open(args.config, Arc::new(SystemClock))?;
    if let Some(file) = state.config.peers.clone() {
        let n = import_peers_into(&state, &file)?;
        tracing::info!(peers = n, "peer directory updated from {}", file.display());
    }
    if args.demo {
        crate::demo::load_and_print(&state, &args.bind)?;
    }
    tracing::info!(bind = %args.bind, "serving; API docs at /docs");
    let workers = args.workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let state = state.with_workers(workers);
    {
        let mut conn = state.pool.get()?;
        let sealed = crate::webhooks::service::seal_stored_secrets(&mut conn, &state.secrets)
            .map_err(|e| format!("sealing webhook secrets: {e:?}"))?;
        if sealed > 0 {
            tracing::info!(sealed, "webhook signing secrets stored in clear are now sealed");
        }
    }
    actix_web::rt::System::new().block_on(async move {
        crate::webhooks::worker::spawn(state.clone());
        crate::alerts::worker::spawn(state.clone());
        crate::federation::worker::spawn(state.clone());
        spawn_audit_chainer(state.clone());
        let last = state.clone();
        let tls = match (&state.config.tls_cert, &state.config.tls_key) {
            (Some(cert), Some(key)) => Some(crate::tls::server_config(cert, key).map_err(std::io::Error::other)?),
            _ => None,
        };
        let server = actix_web::HttpServer::new(move || app::build(state.clone()))
            .workers(workers)
            .client_request_timeout(std::time::Duration::from_secs(10))
            .client_disconnect_timeout(std::time::Duration::from_secs(5));
        let server = match tls {
            Some(config) => server.bind_rustls_0_23(&args.bind, config)?,
            None => server.bind(&args.bind)?,
        };
        server.run().await?;
        if let Err(e) = last.chain_audit().await {
            tracing::error!(error = %e, "final chaining of audit events failed");
        }
        if let Err(e) = last.checkpoint_audit().await {
            tracing::error!(error = %e, "final audit checkpoint failed");
        }
        Ok::<_, std::io::Error>(())
    })?;
    Ok(())
}
