//! The `loop` command: runs the server, and manages keys and user accounts.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use loop_engine::admin;
use loop_engine::clock::{Clock, SystemClock};
use loop_engine::config::{
    self, Config, ConnectionLimits, LogFormat, RateLimitConfig, RetrySchedule,
};
use loop_engine::log::{self, Level};
use loop_engine::server;
use serde_json::json;

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
    Serve(Box<ServeArgs>),
    /// Create, list and revoke admin keys and review-API project keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage the people who review tasks or administer the instance.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Check the tamper-evident audit log of reviewers' decisions.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Serve Loop's MCP tools over stdio, for agents that launch a command.
    ///
    /// For Claude Code, Cursor and other MCP clients. Standard output carries only MCP
    /// messages; errors go to standard error. The server itself also serves MCP over
    /// HTTP at POST /mcp.
    Mcp(McpArgs),
    /// Copy the database consistently, even while the server runs and writes.
    ///
    /// The copy holds every write committed before the backup began, is compacted, and
    /// is checked with `integrity_check` before this reports success. It never
    /// overwrites a file.
    Backup {
        /// The file to write (must not exist).
        path: PathBuf,
        #[command(flatten)]
        db: DbArg,
    },
    /// Check a database file: integrity, foreign keys, schema version, rows per table,
    /// pending and failed deliveries, lapsed claims.
    ///
    /// Exits with status 1 when the file is damaged (or newer than this binary); what
    /// only deserves a look is printed as a warning.
    Check {
        #[command(flatten)]
        db: DbArg,
    },
    /// Write the demo story into a new database: three weeks of a team's work across the
    /// engine and human review, every state represented, the same rows every time.
    ///
    /// Times run from 2026-01-05 to 2026-01-26 unless --now moves them to end now. The
    /// demo accounts' password is `loop-demo`.
    Seed {
        /// The database file to create (must not exist).
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        /// Move every time so that the story ends now rather than on 2026-01-26.
        #[arg(long)]
        now: bool,
    },
    /// Try Loop with demo data: unpacks the example database into a temporary directory,
    /// moves its times to now and serves it until Ctrl-C, which removes it all.
    Demo {
        /// Interface to listen on.
        #[arg(long, env = "LOOP_HOST", default_value = "127.0.0.1")]
        host: String,
        /// Port to listen on (0 picks a free one).
        #[arg(long, env = "PORT", default_value_t = 4242)]
        port: u16,
    },
}

#[derive(Args)]
struct McpArgs {
    /// The Loop server whose API the tools use (with --db: only the address prompts tell
    /// agents to call back).
    #[arg(long, env = "LOOP_URL", default_value = "http://localhost:4242")]
    url: String,
    /// The key the tools act with: an admin key opens the engine tools, a project key
    /// (`lq_…`) the review tools. Optional with --db.
    #[arg(long, env = "LOOP_API_KEY", hide_env_values = true)]
    key: Option<String>,
    /// Open this database file directly instead of talking to a server (one local user;
    /// without --key the tools act as an admin).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
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

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every project's audit chain (hashes, the draws that made probes, the
    /// errors planted in decoys); exits non-zero naming the first bad record.
    Verify {
        /// Only this project, by id or name.
        #[arg(long, value_name = "ID_OR_NAME")]
        project: Option<String>,
        #[command(flatten)]
        db: DbArg,
    },
}

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
    /// The address people reach this server at, e.g. https://loop.example.com behind a
    /// TLS proxy; when it is https, session cookies are marked Secure.
    #[arg(long, env = "LOOP_PUBLIC_URL", value_parser = config::parse_public_url)]
    public_url: Option<String>,
    /// The rate-limit window, in seconds.
    #[arg(long, env = "LOOP_RATE_LIMIT_WINDOW_SECONDS", default_value_t = RateLimitConfig::default().window_seconds,
          value_parser = clap::value_parser!(i64).range(1..=86_400))]
    rate_limit_window_seconds: i64,
    /// A bearer token that opens `GET /metrics` and nothing else, for a Prometheus
    /// scraper (an admin key opens it too).
    #[arg(long, env = "LOOP_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// Where `POST /api/admin/backup` writes its copies [default: backups/ beside the
    /// database].
    #[arg(long, env = "LOOP_BACKUP_DIR", value_name = "DIR")]
    backup_dir: Option<PathBuf>,
    /// A bearer key that always works (compared in constant time). When unset and the
    /// database has no admin key, the first start creates one and prints it once.
    #[arg(long, env = "LOOP_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Origins allowed by CORS, comma-separated [default: http://localhost:5668,https://app.looped.me].
    #[arg(long, env = "LOOP_CORS_ORIGINS", value_name = "ORIGINS")]
    cors_origins: Option<String>,
    /// `info`, `debug` or `trace` logs one line per request and per background event to
    /// standard error; `json` logs the same (and warnings) as one JSON object per line;
    /// anything else keeps the server quiet but for warnings [default: quiet].
    #[arg(long, env = "LOOP_LOG", value_name = "LEVEL")]
    log: Option<String>,
    /// The base URL prompts tell agents to call back [default: this server's own address].
    #[arg(long, env = "LOOP_URL")]
    url: Option<String>,
    /// The HMAC key of GitHub's `X-Hub-Signature-256` (unset: the GitHub webhook answers 503 naming it).
    #[arg(long, env = "GITHUB_WEBHOOK_SECRET", hide_env_values = true)]
    github_webhook_secret: Option<String>,
    /// The HMAC key of Sentry's `Sentry-Hook-Signature` (unset: the Sentry webhook answers 503 naming it).
    #[arg(long, env = "SENTRY_CLIENT_SECRET", hide_env_values = true)]
    sentry_client_secret: Option<String>,
    /// The value PostHog's `X-PostHog-Secret` must carry (unset: the PostHog webhook answers 503 naming it).
    #[arg(long, env = "POSTHOG_WEBHOOK_SECRET", hide_env_values = true)]
    posthog_webhook_secret: Option<String>,
}

/// A setting given as an empty string counts as unset.
fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
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
        Command::Serve(args) => serve(*args),
        Command::Keys(command) => keys(command),
        Command::Users(command) => users(command),
        Command::Audit(command) => audit(command),
        Command::Mcp(args) => mcp(args),
        Command::Backup { path, db } => backup(&db.db, &path),
        Command::Check { db } => check(&db.db),
        Command::Seed { db, now } => seed(&db, now),
        Command::Demo { host, port } => demo(host, port),
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
    config.public_url = args.public_url;
    config.rate_limit = RateLimitConfig {
        requests_per_key: args.rate_limit,
        failed_auths_per_address: args.auth_failure_limit,
        window_seconds: args.rate_limit_window_seconds,
    };
    if let Some(threads) = args.threads {
        config.threads = usize::from(threads);
    }
    config.api_key = non_empty(args.api_key);
    config.metrics_token = non_empty(args.metrics_token);
    config.backup_dir = args.backup_dir;
    if let Some(origins) = args.cors_origins {
        config.cors_origins = config::split_list(&origins);
    }
    config.log = config::LogFormat::parse(args.log.as_deref());
    config.webhook_secrets = config::WebhookSecrets {
        github: non_empty(args.github_webhook_secret),
        sentry: non_empty(args.sentry_client_secret),
        posthog: non_empty(args.posthog_webhook_secret),
    };
    config.loop_url = non_empty(args.url);
    let db_path = config.db_path.clone();
    let log_format = config.log;
    for name in config.webhook_secrets.missing() {
        log::event(
            config.log,
            SystemClock.now(),
            Level::Warning,
            "webhook_secret_missing",
            &format!("{name} is not set; its signal webhook answers 503 until it is"),
            json!({"variable": name}),
        );
    }

    let stop = stop_signal()?;
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
    if !admin::has_users(&db_path)? {
        println!(
            "No reviewer accounts yet: `loop users add --email you@example.com --role owner` creates the first."
        );
    }
    run_until_stopped(running, &stop, log_format)
}

/// A channel that receives once Ctrl-C (or a termination signal) arrives.
fn stop_signal() -> Result<std::sync::mpsc::Receiver<()>, String> {
    let (stop_tx, stop_rx) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .map_err(|e| format!("cannot install the signal handler: {e}"))?;
    Ok(stop_rx)
}

/// Serves until a stop signal, then finishes the requests in flight; fails when the
/// listener dies, so that a supervisor restarts the process.
fn run_until_stopped(
    running: server::Running,
    stop_rx: &std::sync::mpsc::Receiver<()>,
    log_format: LogFormat,
) -> Result<(), String> {
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
    log::event(
        log_format,
        SystemClock.now(),
        Level::Notice,
        "shutdown",
        "Shutting down: finishing requests in flight…",
        json!({}),
    );
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

fn keys(command: KeysCommand) -> Result<(), String> {
    match command {
        KeysCommand::Create {
            project, name, db, ..
        } => {
            let key = match project {
                None => admin::create_admin_key(&db.db, &name)?,
                Some(project) => admin::create_project_key(&db.db, &project, &name)?,
            };
            println!("{key}");
        }
        KeysCommand::List { db } => {
            println!(
                "{:<36}  {:<44}  {:<24}  {:<8}  name",
                "id", "kind", "created", "status"
            );
            for key in admin::list_keys(&db.db)? {
                let status = if key.active { "active" } else { "revoked" };
                println!(
                    "{:<36}  {:<44}  {:<24}  {status:<8}  {}",
                    key.id, key.kind, key.created_at, key.name
                );
            }
        }
        KeysCommand::Revoke { id, db } => {
            admin::revoke_key(&db.db, &id)?;
            println!("Revoked {id}");
        }
    }
    Ok(())
}

fn mcp(args: McpArgs) -> Result<(), String> {
    let key = non_empty(args.key);
    match args.db {
        Some(db) => admin::serve_mcp_on_database(&db, key, args.url),
        None => loop_engine::mcp::serve_stdio_over_http(&args.url, &key.unwrap_or_default()),
    }
}

fn users(command: UsersCommand) -> Result<(), String> {
    let UsersCommand::Add {
        email,
        role,
        password,
        name,
        db,
    } = command;
    let user = admin::add_user(&db.db, &email, &role, password, name.as_deref())?;
    println!(
        "Created {} {} (handle {}, id {}).",
        user.role, user.email, user.handle, user.id
    );
    if let Some(password) = user.generated_password {
        println!("Password (shown only this once): {password}");
    }
    Ok(())
}

fn audit(command: AuditCommand) -> Result<(), String> {
    let AuditCommand::Verify { project, db } = command;
    let checks = admin::verify_audit(&db.db, project.as_deref())?;
    if checks.is_empty() {
        println!("No audit records yet.");
    }
    let mut broken = 0;
    for check in &checks {
        let name = if check.project_name.is_empty() {
            check.project_id.clone()
        } else {
            format!("{} ({})", check.project_name, check.project_id)
        };
        match &check.first_break {
            None => {
                let head = check
                    .head
                    .as_ref()
                    .map(|(seq, hash)| format!("; head record {seq}, hash {hash}"))
                    .unwrap_or_default();
                println!(
                    "ok   {name}: {} records, {} draws and {} planted errors recomputed ({} from deleted tasks not recomputable){head}",
                    check.records, check.draws, check.plants, check.plants_erased
                );
            }
            Some((seq, id, problem)) => {
                broken += 1;
                println!("FAIL {name}: record {seq} (id {id}): {problem}");
            }
        }
    }
    if broken > 0 {
        return Err(format!(
            "{broken} audit chain(s) broken; the first bad record of each is named above"
        ));
    }
    Ok(())
}

fn backup(db: &std::path::Path, path: &std::path::Path) -> Result<(), String> {
    let backup = admin::backup(db, path)?;
    println!(
        "Backed up {} to {} ({} bytes, {} ms); it passes integrity_check.",
        db.display(),
        backup.path.display(),
        backup.bytes,
        backup.duration_ms
    );
    Ok(())
}

fn check(db: &std::path::Path) -> Result<(), String> {
    let report = admin::check(db)?;
    println!("database        {}", db.display());
    println!(
        "schema version  {} (this binary: {})",
        report.schema_version, report.latest_version
    );
    for (table, rows) in &report.tables {
        println!("rows            {table:<24} {rows}");
    }
    for (status, count) in &report.deliveries {
        println!("deliveries      {status:<24} {count}");
    }
    println!("expired leases  {}", report.expired_leases);
    for warning in &report.warnings {
        println!("warning: {warning}");
    }
    for problem in &report.problems {
        println!("problem: {problem}");
    }
    if report.problems.is_empty() {
        println!("ok");
        Ok(())
    } else {
        Err(format!("{} problem(s) found", report.problems.len()))
    }
}

fn seed(db: &std::path::Path, now: bool) -> Result<(), String> {
    loop_engine::demo::seed(db, now.then(|| SystemClock.now()))?;
    println!(
        "Seeded {} with the demo story; sign in with any demo account and the password {}.",
        db.display(),
        loop_engine::demo::DEMO_PASSWORD
    );
    Ok(())
}

fn demo(host: String, port: u16) -> Result<(), String> {
    use loop_engine::demo;
    let dir = std::env::temp_dir().join(format!(
        "loop-demo-{}-{}",
        std::process::id(),
        SystemClock.now().unix_millis()
    ));
    std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let served = (|| {
        let mut config = Config::new(demo::unpack(&dir, SystemClock.now())?);
        config.host = host;
        config.port = port;
        config.backup_dir = Some(dir.join("backups"));
        let stop = stop_signal()?;
        let running = server::start(config).map_err(|e| e.to_string())?;
        println!(
            "Loop demo at {} on a temporary copy of the demo data in {} (removed on Ctrl-C)",
            running.url(),
            dir.display()
        );
        println!(
            "Sign in with any of these, password {}:",
            demo::DEMO_PASSWORD
        );
        for (email, name, role) in demo::PEOPLE {
            println!("  {email:<22} {role:<9} {name}");
        }
        if let Some(key) = running.generated_admin_key() {
            println!("Admin API key: {key}");
        }
        run_until_stopped(running, &stop, LogFormat::Quiet)
    })();
    let removed = std::fs::remove_dir_all(&dir);
    served?;
    removed.map_err(|e| format!("cannot remove {}: {e}", dir.display()))
}
