//! What `GET /metrics` reports, in the OpenMetrics text format that Prometheus scrapes:
//! counters and histograms kept in memory as the server works (requests, claims, lease
//! expiries, delivery attempts, rate-limit refusals, writer group sizes), and gauges read
//! when scraped ([`Snapshot`]: queue depths, review tasks by status, deliveries waiting
//! or failed, the database's size on disk). Counters start at zero with each process,
//! as Prometheus expects.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The content type of the exposition.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A request's labels: its method, the route pattern that answered it, its status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: &'static str,
    status: u16,
}

/// A latency's labels: the method and route pattern.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: &'static str,
}

/// One label, named for what it tells apart (`outcome`, `limit`, `status`, `file`).
type KindLabel = Vec<(&'static str, String)>;

/// Request latency buckets: 0.5 ms to about 16 s, doubling.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// The outcomes a delivery attempt is counted under.
const DELIVERY_OUTCOMES: &[&str] = &["delivered", "retry", "failed"];

/// The limits a refusal is counted under.
const RATE_LIMITS: &[&str] = &["project_key", "auth_failures"];

/// The server's metrics that accumulate in memory.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    writer_group_size: Histogram,
    claims: Counter,
    lease_expiries: Counter,
    delivery_attempts: Family<KindLabel, Counter>,
    rate_limit_refusals: Family<KindLabel, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Every metric at zero, registered under its name.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "loop_http_requests",
            "Requests answered, by method, route pattern and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register(
            "loop_http_request_duration_seconds",
            "Time to answer a request, by method and route pattern",
            latency.clone(),
        );
        let writer_group_size = Histogram::new([1.0, 2.0, 4.0, 8.0, 16.0, 32.0]);
        registry.register(
            "loop_writer_group_size",
            "Writes committed together by one commit of the single writer",
            writer_group_size.clone(),
        );
        let claims = Counter::default();
        registry.register(
            "loop_dispatch_claims",
            "Issues claimed by agents through dispatch",
            claims.clone(),
        );
        let lease_expiries = Counter::default();
        registry.register(
            "loop_dispatch_lease_expiries",
            "Claims whose lease lapsed, returning their issue to todo",
            lease_expiries.clone(),
        );
        let delivery_attempts = Family::<KindLabel, Counter>::default();
        registry.register(
            "loop_delivery_attempts",
            "Verdict webhook attempts, by outcome (delivered, retry, failed)",
            delivery_attempts.clone(),
        );
        let rate_limit_refusals = Family::<KindLabel, Counter>::default();
        registry.register(
            "loop_rate_limit_refusals",
            "Requests refused with 429, by limit (project_key, auth_failures)",
            rate_limit_refusals.clone(),
        );
        // Every known label value from the start, so that a series exists (at zero)
        // before its first event: rates and alerts need no special case for absence.
        for outcome in DELIVERY_OUTCOMES {
            delivery_attempts
                .get_or_create(&vec![("outcome", (*outcome).to_owned())])
                .inc_by(0);
        }
        for limit in RATE_LIMITS {
            rate_limit_refusals
                .get_or_create(&vec![("limit", (*limit).to_owned())])
                .inc_by(0);
        }
        Self {
            registry,
            requests,
            latency,
            writer_group_size,
            claims,
            lease_expiries,
            delivery_attempts,
            rate_limit_refusals,
        }
    }

    /// Counts an answered request and its latency.
    pub fn request(&self, method: &'static str, route: &'static str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route,
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { method, route })
            .observe(seconds);
    }

    /// Records a commit of the single writer that made `writes` writes durable.
    pub fn group_committed(&self, writes: usize) {
        self.writer_group_size.observe(writes as f64);
    }

    /// Counts a dispatch claim.
    pub fn claimed(&self) {
        self.claims.inc();
    }

    /// Counts claims whose lease lapsed.
    pub fn leases_expired(&self, count: usize) {
        self.lease_expiries.inc_by(count as u64);
    }

    /// Counts a verdict delivery attempt by its outcome (`delivered`, `retry`, `failed`).
    pub fn delivery_attempt(&self, outcome: &str) {
        self.delivery_attempts
            .get_or_create(&vec![("outcome", outcome.to_owned())])
            .inc();
    }

    /// Counts a request refused by a rate limit (`project_key`, `auth_failures`).
    pub fn rate_limited(&self, limit: &str) {
        self.rate_limit_refusals
            .get_or_create(&vec![("limit", limit.to_owned())])
            .inc();
    }

    /// The exposition: the accumulated metrics, then the gauges of `snapshot`.
    pub fn render(&self, snapshot: &Snapshot) -> Result<String, std::fmt::Error> {
        let mut gauges = Registry::default();
        let gauge = |value: i64| {
            let gauge = Gauge::<i64>::default();
            gauge.set(value);
            gauge
        };
        let family = |label: &'static str, values: &[(String, i64)]| {
            let family = Family::<KindLabel, Gauge>::default();
            for (kind, value) in values {
                family
                    .get_or_create(&vec![(label, kind.clone())])
                    .set(*value);
            }
            family
        };
        gauges.register(
            "loop_writer_queue_depth",
            "Writes waiting for the single writer",
            gauge(snapshot.writer_queue_depth),
        );
        gauges.register(
            "loop_dispatch_queue_depth",
            "Live issues in todo, waiting to be claimed",
            gauge(snapshot.dispatch_queue_depth),
        );
        gauges.register(
            "loop_review_tasks",
            "Review tasks by status",
            family("status", &snapshot.review_tasks),
        );
        gauges.register(
            "loop_deliveries",
            "Verdict deliveries waiting for an attempt (pending) or given up (failed)",
            family("status", &snapshot.deliveries),
        );
        gauges.register(
            "loop_database_bytes",
            "Size on disk of the database file (database) and its write-ahead log (wal)",
            family("file", &snapshot.files),
        );
        let mut text = String::new();
        encode_registry(&mut text, &self.registry)?;
        encode_registry(&mut text, &gauges)?;
        encode_eof(&mut text)?;
        Ok(text)
    }
}

/// The gauges read at each scrape.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Writes waiting for the writer lock.
    pub writer_queue_depth: i64,
    /// Live `todo` issues.
    pub dispatch_queue_depth: i64,
    /// Review tasks per status.
    pub review_tasks: Vec<(String, i64)>,
    /// Deliveries `pending` and `failed`.
    pub deliveries: Vec<(String, i64)>,
    /// Bytes of `database` and `wal`.
    pub files: Vec<(String, i64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_gauges() {
        let metrics = Metrics::new();
        metrics.request("GET", "/api/issues", 200, 0.002);
        metrics.claimed();
        metrics.rate_limited("project_key");
        let snapshot = Snapshot {
            review_tasks: vec![("pending".to_owned(), 3)],
            ..Snapshot::default()
        };
        let text = metrics.render(&snapshot).unwrap_or_default();
        assert!(text.contains(
            "loop_http_requests_total{method=\"GET\",route=\"/api/issues\",status=\"200\"} 1"
        ));
        assert!(text.contains(
            "loop_http_request_duration_seconds_count{method=\"GET\",route=\"/api/issues\"} 1"
        ));
        assert!(text.contains("loop_dispatch_claims_total 1"));
        assert!(text.contains("loop_review_tasks{status=\"pending\"} 3"));
        assert!(text.ends_with("# EOF\n"));
    }
}
