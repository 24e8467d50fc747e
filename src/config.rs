//! Server settings: the single source of every knob, filled by `main.rs` from its flags
//! (each of which clap also reads from an environment variable), or directly by tests.

use std::path::PathBuf;
use std::time::Duration;

pub use crate::domain::review::delivery::RetrySchedule;
pub use crate::log::LogFormat;

/// The CORS origins allowed when `LOOP_CORS_ORIGINS` is unset (the original's two).
pub const DEFAULT_CORS_ORIGINS: [&str; 2] = ["http://localhost:5668", "https://app.looped.me"];

/// The default largest request body accepted: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The default claim lease: two hours.
pub const DEFAULT_CLAIM_LEASE_SECONDS: i64 = 2 * 60 * 60;

/// The default time a client has to send a complete request head: 10 s.
pub const DEFAULT_HEAD_TIMEOUT_SECONDS: u64 = 10;

/// The default longest pause between two bytes of a request body: 10 s.
pub const DEFAULT_BODY_TIMEOUT_SECONDS: u64 = 10;

/// The default time a kept-alive connection may wait for its next request: 60 s.
pub const DEFAULT_IDLE_TIMEOUT_SECONDS: u64 = 60;

/// The default time a response write may wait for the client to read: 10 s.
pub const DEFAULT_WRITE_TIMEOUT_SECONDS: u64 = 10;

/// The default most connections served at once: 256 (each takes a thread and two file
/// descriptors, well within the usual limit of 1,024 descriptors).
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// The default largest request head (request line and headers): 16 KiB.
pub const DEFAULT_MAX_HEAD_BYTES: usize = 16 * 1024;

/// The workspace name reported when `LOOP_INSTANCE_NAME` is unset.
pub const DEFAULT_INSTANCE_NAME: &str = "Loop";

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Interface to bind (`127.0.0.1` by default).
    pub host: String,
    /// TCP port; 0 picks a free one (tests).
    pub port: u16,
    /// The SQLite database file, created if missing.
    pub db_path: PathBuf,
    /// Worker threads, each with its own database connection.
    pub threads: usize,
    /// `LOOP_API_KEY`: a bearer key that always works, besides stored admin keys.
    pub api_key: Option<String>,
    /// Origins that get `Access-Control-Allow-Origin`.
    pub cors_origins: Vec<String>,
    /// Largest request body accepted; larger ones get 413 without being read.
    pub max_body_bytes: usize,
    /// What one client connection may cost: its timeouts, its head, how many at once.
    pub connections: ConnectionLimits,
    /// `LOOP_LOG`: whether requests and background events are logged to standard
    /// error, as text or as JSON lines.
    pub log: LogFormat,
    /// `LOOP_URL`: the base URL prompts tell agents to call back (default: this server's
    /// own address).
    pub loop_url: Option<String>,
    /// `LOOP_CLAIM_LEASE_SECONDS`: how long a dispatch claim lasts without activity
    /// before the issue returns to `todo` (`None`: claims never lapse).
    pub claim_lease_seconds: Option<i64>,
    /// How often the background tick looks for lapsed claims and overdue gate tasks
    /// (gate timeouts resolve within this much of their deadline).
    pub maintenance_interval: Duration,
    /// Secrets the signal webhooks verify deliveries with.
    pub webhook_secrets: WebhookSecrets,
    /// `LOOP_INSTANCE_NAME`: the workspace name the review API reports.
    pub instance_name: String,
    /// `LOOP_WEBHOOK_RETRY_SCHEDULE`: seconds between verdict delivery attempts.
    pub webhook_retry_schedule: RetrySchedule,
    /// How long a receiver has to answer a verdict webhook.
    pub webhook_timeout: Duration,
    /// How many deliveries may be in flight at once (so slow receivers cannot hold up
    /// the others).
    pub delivery_workers: usize,
    /// How often the delivery thread looks for deliveries that fell due.
    pub delivery_poll_interval: Duration,
    /// The review API's rate limits.
    pub rate_limit: RateLimitConfig,
    /// `LOOP_PUBLIC_URL`: the address people reach the server at (e.g. behind a TLS
    /// proxy). When it is https, session cookies are marked `Secure`.
    pub public_url: Option<String>,
    /// `LOOP_METRICS_TOKEN`: a bearer token that opens `GET /metrics` (and nothing
    /// else), so that a Prometheus scraper needs no admin key.
    pub metrics_token: Option<String>,
    /// `LOOP_BACKUP_DIR`: where `POST /api/admin/backup` writes (default: `backups/`
    /// beside the database).
    pub backup_dir: Option<PathBuf>,
}

/// The limits on each client connection, so that no client, slow or hostile, can hold a
/// worker or a thread for long, or grow the thread count without bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// `LOOP_HEAD_TIMEOUT_SECONDS`: time to send a complete request head (from the
    /// connection's start, then from each request's first byte); 408 after it.
    pub head_timeout: Duration,
    /// `LOOP_BODY_TIMEOUT_SECONDS`: the longest pause between two bytes of a request body
    /// (slow uploads go on as long as bytes keep coming); 408 after it.
    pub body_gap_timeout: Duration,
    /// `LOOP_IDLE_TIMEOUT_SECONDS`: how long a kept-alive connection may wait for its next
    /// request before it is closed.
    pub idle_timeout: Duration,
    /// `LOOP_WRITE_TIMEOUT_SECONDS`: how long writing a response may wait for the client
    /// to read; the connection is closed after it.
    pub write_timeout: Duration,
    /// `LOOP_MAX_CONNECTIONS`: connections served at once; more are answered 503.
    pub max_connections: usize,
    /// `LOOP_MAX_HEAD_BYTES`: the largest request head; 431 (or 414 for the request line)
    /// beyond it.
    pub max_head_bytes: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            head_timeout: Duration::from_secs(DEFAULT_HEAD_TIMEOUT_SECONDS),
            body_gap_timeout: Duration::from_secs(DEFAULT_BODY_TIMEOUT_SECONDS),
            idle_timeout: Duration::from_secs(DEFAULT_IDLE_TIMEOUT_SECONDS),
            write_timeout: Duration::from_secs(DEFAULT_WRITE_TIMEOUT_SECONDS),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_head_bytes: DEFAULT_MAX_HEAD_BYTES,
        }
    }
}

/// The review API's rolling-window rate limits (docs/review-api.md#rate-limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// `LOOP_RATE_LIMIT`: requests per project key per window.
    pub requests_per_key: u32,
    /// `LOOP_AUTH_FAILURE_LIMIT`: failed authentications per client address per window.
    pub failed_auths_per_address: u32,
    /// `LOOP_RATE_LIMIT_WINDOW_SECONDS`: the window's length.
    pub window_seconds: i64,
}

impl Default for RateLimitConfig {
    /// 120 requests per key and 60 failed authentications per address, per 60 s.
    fn default() -> Self {
        Self {
            requests_per_key: 120,
            failed_auths_per_address: 60,
            window_seconds: 60,
        }
    }
}

/// The provider secrets of the signal webhooks; an unset (or empty) secret disables
/// that provider's route.
#[derive(Debug, Clone, Default)]
pub struct WebhookSecrets {
    /// `GITHUB_WEBHOOK_SECRET`: the HMAC key of `X-Hub-Signature-256`.
    pub github: Option<String>,
    /// `SENTRY_CLIENT_SECRET`: the HMAC key of `Sentry-Hook-Signature`.
    pub sentry: Option<String>,
    /// `POSTHOG_WEBHOOK_SECRET`: the value `X-PostHog-Secret` must carry.
    pub posthog: Option<String>,
}

impl WebhookSecrets {
    /// The environment variables of the secrets that are not set.
    pub fn missing(&self) -> Vec<&'static str> {
        [
            ("GITHUB_WEBHOOK_SECRET", &self.github),
            ("SENTRY_CLIENT_SECRET", &self.sentry),
            ("POSTHOG_WEBHOOK_SECRET", &self.posthog),
        ]
        .into_iter()
        .filter(|(_, secret)| secret.is_none())
        .map(|(name, _)| name)
        .collect()
    }
}

impl Config {
    /// Defaults for everything but the database file.
    pub fn new(db_path: impl Into<PathBuf>) -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 4242,
            db_path: db_path.into(),
            threads: default_threads(),
            api_key: None,
            cors_origins: DEFAULT_CORS_ORIGINS
                .iter()
                .map(|o| (*o).to_owned())
                .collect(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            connections: ConnectionLimits::default(),
            log: LogFormat::Quiet,
            loop_url: None,
            claim_lease_seconds: Some(DEFAULT_CLAIM_LEASE_SECONDS),
            maintenance_interval: Duration::from_secs(1),
            webhook_secrets: WebhookSecrets::default(),
            instance_name: DEFAULT_INSTANCE_NAME.to_owned(),
            webhook_retry_schedule: RetrySchedule::default(),
            webhook_timeout: Duration::from_secs(10),
            delivery_workers: 8,
            delivery_poll_interval: Duration::from_secs(1),
            rate_limit: RateLimitConfig::default(),
            public_url: None,
            metrics_token: None,
            backup_dir: None,
        }
    }

    /// Where `POST /api/admin/backup` writes: `LOOP_BACKUP_DIR`, else `backups/` beside
    /// the database file.
    pub fn backup_dir(&self) -> PathBuf {
        self.backup_dir.clone().unwrap_or_else(|| {
            self.db_path
                .parent()
                .unwrap_or_else(|| std::path::Path::new("."))
                .join("backups")
        })
    }

    /// Whether session cookies get the `Secure` flag: the public URL is https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|url| {
            url.get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        })
    }
}

/// Checks a `--public-url`: an absolute http or https URL, kept without a trailing
/// slash.
pub fn parse_public_url(text: &str) -> Result<String, String> {
    let trimmed = text.trim().trim_end_matches('/');
    let lower = trimmed.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .filter(|host| !host.is_empty() && !host.contains(char::is_whitespace));
    match rest {
        Some(_) => Ok(trimmed.to_owned()),
        None => Err(format!(
            "the public URL must be an absolute http or https URL such as https://loop.example.com, not {text:?}"
        )),
    }
}

/// Twice the available cores, at least 4: requests are short and mostly wait on SQLite,
/// and a few slow clients must not take every worker.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(4, |n| (n.get() * 2).max(4))
}

/// Splits a comma-separated list, dropping blanks (`LOOP_CORS_ORIGINS`).
pub fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_ignore_blanks() {
        assert_eq!(split_list(" a, ,b ,"), vec!["a", "b"]);
        assert!(split_list("").is_empty());
    }

    #[test]
    fn public_urls() {
        assert_eq!(
            parse_public_url("https://loop.example.com/").as_deref(),
            Ok("https://loop.example.com")
        );
        assert!(parse_public_url("loop.example.com").is_err());
        assert!(parse_public_url("https://").is_err());
        let mut config = Config::new("x.db");
        assert!(!config.secure_cookies());
        config.public_url = Some("HTTPS://loop.example.com".to_owned());
        assert!(config.secure_cookies());
        config.public_url = Some("http://localhost:4242".to_owned());
        assert!(!config.secure_cookies());
    }

    #[test]
    fn defaults() {
        let config = Config::new("x.db");
        assert_eq!(config.port, 4242);
        assert_eq!(config.host, "127.0.0.1");
        assert!(config.threads >= 4);
        assert_eq!(config.max_body_bytes, 1_048_576);
        assert_eq!(config.connections.head_timeout, Duration::from_secs(10));
        assert_eq!(config.connections.body_gap_timeout, Duration::from_secs(10));
        assert_eq!(config.connections.idle_timeout, Duration::from_secs(60));
        assert_eq!(config.connections.write_timeout, Duration::from_secs(10));
        assert_eq!(config.connections.max_connections, 256);
        assert_eq!(config.connections.max_head_bytes, 16_384);
    }
}
