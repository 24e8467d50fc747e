//! The `loop` command: runs the server, and manages keys and user accounts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use loop_engine::accounts;
use loop_engine::clock::{Clock, SystemClock, Timestamp};
use loop_engine::config::{self, Config, ConnectionLimits, RateLimitConfig};
use loop_engine::domain::enums::{UserRole, WireEnum};
use loop_engine::domain::review::delivery::RetrySchedule;
use loop_engine::http::ApiError;
use loop_engine::http::auth;
use loop_engine::server;
use loop_engine::store::project_keys::{self, NewProjectKey};
use loop_engine::store::{self, admin_keys, projects, users};

/// Loop: the feedback loop between software in production, AI agents and humans.
///
/// One binary, one SQLite file. Start with `loop serve`.
#[derive(Parser)]
#[command(name = "loop", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (engine API under /api, review API under /api/v1, health at
    /// /health).
    #[command(after_help = SERVE_ENV_HELP)]
    Serve(ServeArgs),
    /// Create, list and revoke admin keys and review-API project keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage the people who review tasks or administer the instance.
    #[command(subcommand)]
    Users(UsersCommand),
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Add a user. Without --password one is generated and printed once.
    Add {
        /// Their email, used to sign in.
        #[arg(long)]
        email: String,
        /// Their role: owner, admin, reviewer or viewer.
        #[arg(long, value_parser = ["owner", "admin", "reviewer", "viewer"])]
        role: String,
        /// Their password (at least 8 characters).
        #[arg(long, env = "LOOP_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// The name shown for them.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        db: DbArg,
    },
}

const SERVE_ENV_HELP: &str = "\
Other environment variables:
  LOOP_API_KEY        a bearer key that always works (compared in constant time);
                      when unset and the database has no admin key, the first start
                      creates one and prints it once
  LOOP_CORS_ORIGINS   comma-separated origins allowed by CORS
                      [default: http://localhost:5668,https://app.looped.me]
  LOOP_LOG            `info` logs one line per request to standard error [default: quiet]
  LOOP_URL            the base URL prompts tell agents to call back
                      [default: this server's own address]
  GITHUB_WEBHOOK_SECRET, SENTRY_CLIENT_SECRET, POSTHOG_WEBHOOK_SECRET
                      secrets that verify the signal webhooks (while one is unset, its
                      webhook answers 503 naming it)";

#[derive(Args)]
struct DbArg {
    /// The SQLite database file (created on first use).
    #[arg(long, env = "LOOP_DB", default_value = "./loop.db")]
    db: PathBuf,
}

#[derive(Args)]
struct ServeArgs {
    /// Interface to listen on.
    #[arg(long, env = "LOOP_HOST", default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 4242)]
    port: u16,
    #[command(flatten)]
    db: DbArg,
    /// Worker threads, each with its own database connection [default: 2 × cores, at least 4].
    #[arg(long, env = "LOOP_THREADS", value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// How long a dispatch claim lasts without activity before the issue returns to
    /// `todo`, in seconds (0: claims never lapse).
    #[arg(long, env = "LOOP_CLAIM_LEASE_SECONDS", default_value_t = config::DEFAULT_CLAIM_LEASE_SECONDS,
          value_parser = clap::value_parser!(i64).range(0..=31_536_000))]
    claim_lease_seconds: i64,
    /// Largest request body accepted, in bytes; larger ones get 413 without being read.
    #[arg(long, env = "LOOP_MAX_BODY_BYTES", default_value_t = config::DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// Seconds a client has to send a complete request head (from connecting, then from
    /// each request's first byte); 408 after that.
    #[arg(long, env = "LOOP_HEAD_TIMEOUT_SECONDS", default_value_t = config::DEFAULT_HEAD_TIMEOUT_SECONDS,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    head_timeout_seconds: u64,
    /// Longest pause, in seconds, between two bytes of a request body (a slow upload goes
    /// on while bytes keep coming); 408 after that.
    #[arg(long, env = "LOOP_BODY_TIMEOUT_SECONDS", default_value_t = config::DEFAULT_BODY_TIMEOUT_SECONDS,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    body_timeout_seconds: u64,
    /// Seconds a kept-alive connection may wait for its next request before it is closed.
    #[arg(long, env = "LOOP_IDLE_TIMEOUT_SECONDS", default_value_t = config::DEFAULT_IDLE_TIMEOUT_SECONDS,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    idle_timeout_seconds: u64,
    /// Seconds writing a response may wait for the client to read before the connection
    /// is closed.
    #[arg(long, env = "LOOP_WRITE_TIMEOUT_SECONDS", default_value_t = config::DEFAULT_WRITE_TIMEOUT_SECONDS,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    write_timeout_seconds: u64,
    /// Most client connections served at once (each on a thread of its own); more are
    /// answered 503 and closed.
    #[arg(long, env = "LOOP_MAX_CONNECTIONS", default_value_t = config::DEFAULT_MAX_CONNECTIONS,
          value_parser = at_least::<1>)]
    max_connections: usize,
    /// Largest request head (request line and headers), in bytes; larger ones get 431
    /// (414 for a request line alone).
    #[arg(long, env = "LOOP_MAX_HEAD_BYTES", default_value_t = config::DEFAULT_MAX_HEAD_BYTES,
          value_parser = at_least::<1024>)]
    max_head_bytes: usize,
    /// The workspace name the review API reports (`GET /api/v1/me`).
    #[arg(long, env = "LOOP_INSTANCE_NAME", default_value = config::DEFAULT_INSTANCE_NAME)]
    instance_name: String,
    /// Review-API requests allowed per project key in each rate-limit window.
    #[arg(long, env = "LOOP_RATE_LIMIT", default_value_t = RateLimitConfig::default().requests_per_key,
          value_parser = clap::value_parser!(u32).range(1..))]
    rate_limit: u32,
    /// Failed review-API authentications allowed per client address in each window.
    #[arg(long, env = "LOOP_AUTH_FAILURE_LIMIT", default_value_t = RateLimitConfig::default().failed_auths_per_address,
          value_parser = clap::value_parser!(u32).range(1..))]
    auth_failure_limit: u32,
    /// Seconds between verdict webhook attempts, comma-separated: a delivery gets one
    /// attempt more than there are gaps.
    #[arg(long, env = "LOOP_WEBHOOK_RETRY_SCHEDULE", default_value_t = RetrySchedule::default(),
          value_parser = RetrySchedule::parse)]
    webhook_retry_schedule: RetrySchedule,
    /// The rate-limit window, in seconds.
    #[arg(long, env = "LOOP_RATE_LIMIT_WINDOW_SECONDS", default_value_t = RateLimitConfig::default().window_seconds,
          value_parser = clap::value_parser!(i64).range(1..=86_400))]
    rate_limit_window_seconds: i64,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key and print it (alone, on standard output). Only its hash is stored.
    #[command(group = clap::ArgGroup::new("kind").required(true).args(["admin", "project"]))]
    Create {
        /// Create an engine admin key (full access to /api).
        #[arg(long)]
        admin: bool,
        /// Create a review-API key (`lq_…`) for this project, by id or name.
        #[arg(long, value_name = "ID_OR_NAME")]
        project: Option<String>,
        /// A label to recognise the key by.
        #[arg(long, default_value = "cli")]
        name: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// List keys (never the keys themselves).
    List {
        #[command(flatten)]
        db: DbArg,
    },
    /// Revoke a key by id; it stops working at once.
    Revoke {
        /// The key's id, as `loop keys list` shows it.
        id: String,
        #[command(flatten)]
        db: DbArg,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Serve(args) => serve(args),
        Command::Keys(command) => keys(command),
        Command::Users(command) => users(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: ServeArgs) -> Result<(), String> {
    let mut config = Config::new(args.db.db);
    config.host = args.host;
    config.port = args.port;
    config.max_body_bytes = args.max_body_bytes;
    config.connections = ConnectionLimits {
        head_timeout: Duration::from_secs(args.head_timeout_seconds),
        body_gap_timeout: Duration::from_secs(args.body_timeout_seconds),
        idle_timeout: Duration::from_secs(args.idle_timeout_seconds),
        write_timeout: Duration::from_secs(args.write_timeout_seconds),
        max_connections: args.max_connections,
        max_head_bytes: args.max_head_bytes,
    };
    config.claim_lease_seconds = Some(args.claim_lease_seconds).filter(|s| *s > 0);
    config.instance_name = args.instance_name;
    config.webhook_retry_schedule = args.webhook_retry_schedule;
    config.rate_limit = RateLimitConfig {
        requests_per_key: args.rate_limit,
        failed_auths_per_address: args.auth_failure_limit,
        window_seconds: args.rate_limit_window_seconds,
    };
    if let Some(threads) = args.threads {
        config.threads = usize::from(threads);
    }
    config.api_key = std::env::var("LOOP_API_KEY").ok().filter(|k| !k.is_empty());
    if let Ok(origins) = std::env::var("LOOP_CORS_ORIGINS") {
        config.cors_origins = config::split_list(&origins);
    }
    config.log_requests = std::env::var("LOOP_LOG").is_ok_and(|level| {
        matches!(
            level.to_ascii_lowercase().as_str(),
            "info" | "debug" | "trace"
        )
    });
    config.webhook_secrets = config::WebhookSecrets::from_env();
    config.loop_url = std::env::var("LOOP_URL").ok().filter(|u| !u.is_empty());
    let db_path = config.db_path.clone();
    for name in config.webhook_secrets.missing() {
        eprintln!("warning: {name} is not set; its signal webhook answers 503 until it is");
    }

    let (stop_tx, stop_rx) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .map_err(|e| format!("cannot install the signal handler: {e}"))?;

    let running = server::start(config).map_err(|e| e.to_string())?;
    println!(
        "Loop listening on {} with database {}; authenticate with `Authorization: Bearer <key>` \
         (LOOP_API_KEY or an admin key from `loop keys create --admin`)",
        running.url(),
        db_path.display()
    );
    if let Some(key) = running.generated_admin_key() {
        println!("Created the first admin key. It is shown only this once; store it now:\n  {key}");
    }
    if !users::any(&open_db(&db_path)?).map_err(|e| e.to_string())? {
        println!(
            "No reviewer accounts yet: `loop users add --email you@example.com --role owner` creates the first."
        );
    }
    loop {
        match stop_rx.recv_timeout(Duration::from_secs(1)) {
            Err(RecvTimeoutError::Timeout) if !running.listener_failed() => continue,
            Err(RecvTimeoutError::Timeout) => {
                running.shutdown();
                return Err(
                    "the listener failed; stopped so that a supervisor can restart loop".to_owned(),
                );
            }
            Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    eprintln!("Shutting down: finishing requests in flight…");
    running.shutdown();
    Ok(())
}

/// A count of at least `MIN` (a flag's value parser).
fn at_least<const MIN: usize>(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(value) if value >= MIN => Ok(value),
        _ => Err(format!("expected a whole number of at least {MIN}")),
    }
}

fn open_db(path: &Path) -> Result<rusqlite::Connection, String> {
    let mut conn = store::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    store::migrate(&mut conn, SystemClock.now()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(conn)
}

fn keys(command: KeysCommand) -> Result<(), String> {
    let now = SystemClock.now();
    match command {
        KeysCommand::Create {
            project, name, db, ..
        } => {
            let conn = open_db(&db.db)?;
            let key = match project {
                None => create_admin_key(&conn, &name, now)?,
                Some(project) => create_project_key(&conn, &project, &name, now)?,
            };
            println!("{key}");
        }
        KeysCommand::List { db } => {
            let conn = open_db(&db.db)?;
            let admin = admin_keys::list(&conn).map_err(|e| e.to_string())?;
            let project = project_keys::list_all(&conn).map_err(|e| e.to_string())?;
            println!(
                "{:<36}  {:<44}  {:<24}  {:<8}  name",
                "id", "kind", "created", "status"
            );
            let status = |revoked: &Option<String>| {
                if revoked.is_some() {
                    "revoked"
                } else {
                    "active"
                }
            };
            for key in admin {
                println!(
                    "{:<36}  {:<44}  {:<24}  {:<8}  {}",
                    key.id,
                    "admin",
                    key.created_at,
                    status(&key.revoked_at),
                    key.name
                );
            }
            for key in project {
                let kind = format!("project {} ({}…)", key.project_id, key.prefix);
                println!(
                    "{:<36}  {kind:<44}  {:<24}  {:<8}  {}",
                    key.id,
                    key.created_at,
                    status(&key.revoked_at),
                    key.name
                );
            }
        }
        KeysCommand::Revoke { id, db } => {
            let conn = open_db(&db.db)?;
            let revoked = admin_keys::revoke(&conn, &id, now).map_err(|e| e.to_string())?
                || project_keys::revoke(&conn, &id, None, now).map_err(|e| e.to_string())?;
            if !revoked {
                return Err(format!("no active key with id {id}"));
            }
            println!("Revoked {id}");
        }
    }
    Ok(())
}

fn users(command: UsersCommand) -> Result<(), String> {
    let UsersCommand::Add {
        email,
        role,
        password,
        name,
        db,
    } = command;
    let role = UserRole::parse(&role).ok_or_else(|| format!("unknown role {role}"))?;
    let generated = password.is_none();
    let password = match password {
        Some(password) => password,
        None => auth::generate_password().map_err(|e| format!("no randomness: {e}"))?,
    };
    let account =
        accounts::prepare(&email, &password, role, name.as_deref(), None).map_err(describe)?;
    let conn = open_db(&db.db)?;
    let user = accounts::store(&conn, &account, SystemClock.now()).map_err(describe)?;
    println!(
        "Created {} {} (handle {}, id {}).",
        role.as_str(),
        user.email,
        user.handle,
        user.id
    );
    if generated {
        println!("Password (shown only this once): {password}");
    }
    Ok(())
}

/// The message of an API error, for the command line.
fn describe(error: ApiError) -> String {
    match error {
        ApiError::Validation(errors) => errors
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
            .join("; "),
        ApiError::Conflict(message) => message.to_owned(),
        other => format!("{other:?}"),
    }
}

fn create_admin_key(
    conn: &rusqlite::Connection,
    name: &str,
    now: Timestamp,
) -> Result<String, String> {
    let key = auth::generate_admin_key().map_err(|e| format!("no randomness: {e}"))?;
    admin_keys::insert(conn, name, &auth::key_hash(&key), now).map_err(|e| e.to_string())?;
    Ok(key)
}

fn create_project_key(
    conn: &rusqlite::Connection,
    project: &str,
    name: &str,
    now: Timestamp,
) -> Result<String, String> {
    let project = projects::find_live_by_id_or_name(conn, project)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!("no project with id or name {project:?} (create one with POST /api/projects)")
        })?;
    let key = auth::generate_project_key().map_err(|e| format!("no randomness: {e}"))?;
    let new_key = NewProjectKey {
        project_id: &project.id,
        name,
        prefix: &auth::key_prefix(&key),
        key_hash: &auth::key_hash(&key),
    };
    project_keys::insert(conn, &new_key, now).map_err(|e| e.to_string())?;
    Ok(key)
}
