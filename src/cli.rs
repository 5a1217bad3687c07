//! The command line: `serve` (the default), `migrate`, `openapi` and `token`.

use crate::app::{self, AppState};
use crate::auth::tokens::Grant;
use crate::auth::{OrgType, parse_scopes};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
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

fn migrate(config: &Config) -> Result<()> {
    let n = crate::db::migrate(&config.database_url)?;
    println!("{n} migration(s) applied");
    Ok(())
}

fn write_openapi(out: &std::path::Path) -> Result<()> {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, crate::openapi::to_pretty_json())?;
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
    println!("{}", state.tokens.issue(&grant, clock.now()).map_err(|e| e.to_string())?);
    Ok(())
}

fn serve(args: ServeArgs) -> Result<()> {
    crate::telemetry::init();
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let state = AppState::open(args.config, Arc::new(SystemClock))?;
    if args.demo {
        crate::demo::seed_and_print(&state, &args.bind)?;
    }
    tracing::info!(bind = %args.bind, "serving; API docs at /docs");
    let workers = args.workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    actix_web::rt::System::new().block_on(async move {
        actix_web::HttpServer::new(move || app::build(state.clone())).workers(workers).bind(&args.bind)?.run().await
    })?;
    Ok(())
}
