//! Operating a running server (docs/operations.md): request ids and JSON logs, the
//! Prometheus metrics, backups under load and the database check.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::cli::run_loop;
use crate::common::http::send_to;
use crate::common::process::ServerProcess;
use crate::common::{KEY, TestServer};

#[test]
fn every_answer_carries_a_request_id_echoing_the_clients_own() {
    let server = TestServer::start();
    let auth = format!("Bearer {KEY}");
    let echoed = server.send(
        "GET",
        "/api/issues",
        &[("Authorization", &auth), ("X-Request-Id", "trace-42.a_b")],
        b"",
    );
    assert_eq!(echoed.header("X-Request-Id"), Some("trace-42.a_b"));
    // Errors too, and a made-up id when the client sent none or one unfit for a log.
    let long = "x".repeat(129);
    for headers in [
        vec![],
        vec![("X-Request-Id", "two words")],
        vec![("X-Request-Id", long.as_str())],
    ] {
        let answer = server.send("GET", "/api/issues", &headers, b"");
        assert_eq!(answer.status, 401);
        let id = answer.header("X-Request-Id").expect("a request id");
        assert_eq!(id.len(), 36, "a UUID: {id}");
        assert!(uuid_like(id), "{id}");
    }
    let first = server.get("/health");
    let second = server.get("/health");
    assert_ne!(first.header("X-Request-Id"), second.header("X-Request-Id"));
}

fn uuid_like(id: &str) -> bool {
    id.split('-').map(str::len).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && id.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

#[test]
fn json_logs_are_one_object_per_line_for_requests_and_background_events() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        &dir.path().join("loop.db"),
        &["--log", "json", "--claim-lease-seconds", "1"],
    );
    let auth = format!("Bearer {KEY}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
        ("X-Request-Id", "log-test-1"),
    ];
    let body = json!({"title": "Logged", "type": "task", "status": "todo"}).to_string();
    let created = send_to(
        server.addr(),
        "POST",
        "/api/issues",
        &headers,
        body.as_bytes(),
    );
    assert_eq!(created.status, 201);
    let id = created.json()["data"]["id"].as_str().unwrap().to_owned();
    let read = send_to(
        server.addr(),
        "GET",
        &format!("/api/issues/{id}?x=1"),
        &headers,
        b"",
    );
    assert_eq!(read.status, 200);
    let claimed = send_to(server.addr(), "GET", "/api/dispatch/next", &headers, b"");
    assert_eq!(claimed.status, 200);
    // The one-second lease lapses; the background round returns the claim and logs it.
    let deadline = Instant::now() + Duration::from_secs(15);
    while !server.log().contains("\"leases_expired\"") {
        assert!(
            Instant::now() < deadline,
            "no lease event:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let lines: Vec<Value> = server
        .log()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let requests: Vec<&Value> = lines.iter().filter(|l| l["event"] == "request").collect();
    let detail = requests
        .iter()
        .find(|l| l["route"] == "/api/issues/{id}")
        .expect("the detail request is logged by its route pattern");
    assert_eq!(detail["method"], "GET");
    assert_eq!(detail["status"], 200);
    assert_eq!(detail["requestId"], "log-test-1");
    assert!(detail["durationMs"].as_f64().is_some_and(|ms| ms >= 0.0));
    assert!(detail["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(detail["level"], "info");
    assert!(
        requests
            .iter()
            .any(|l| l["route"] == "/api/issues" && l["status"] == 201)
    );
    let lapsed = lines
        .iter()
        .find(|l| l["event"] == "leases_expired")
        .unwrap();
    assert_eq!(lapsed["count"], 1);
    assert!(lapsed["message"].is_string());
}

/// One sample line of a Prometheus / OpenMetrics exposition: name, labels, value.
type Sample = (String, BTreeMap<String, String>, f64);

/// Parses an OpenMetrics text exposition, failing on any line that is not a comment, a
/// sample or the final `# EOF`: the samples, and the type declared for each family.
fn parse_exposition(text: &str) -> (Vec<Sample>, BTreeMap<String, String>) {
    let mut samples = Vec::new();
    let mut types = BTreeMap::new();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.last(), Some(&"# EOF"), "ends with # EOF");
    for line in &lines[..lines.len() - 1] {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("# TYPE name kind");
            assert!(
                ["counter", "gauge", "histogram", "info", "unknown"].contains(&kind),
                "{line}"
            );
            types.insert(name.to_owned(), kind.to_owned());
            continue;
        }
        if line.starts_with("# HELP ") || line.starts_with("# UNIT ") {
            continue;
        }
        assert!(!line.starts_with('#'), "unexpected comment: {line}");
        let (series, value) = line.rsplit_once(' ').expect("a sample: series value");
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("a number: {line}")),
        };
        let (name, labels) = match series.split_once('{') {
            None => (series, BTreeMap::new()),
            Some((name, rest)) => {
                let inner = rest.strip_suffix('}').expect("labels close");
                let labels = inner
                    .split(',')
                    .filter(|pair| !pair.is_empty())
                    .map(|pair| {
                        let (key, value) = pair.split_once('=').expect("label=value");
                        let value = value
                            .strip_prefix('"')
                            .and_then(|v| v.strip_suffix('"'))
                            .expect("quoted label value");
                        (key.to_owned(), value.to_owned())
                    })
                    .collect();
                (name, labels)
            }
        };
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "metric name: {line}"
        );
        samples.push((name.to_owned(), labels, value));
    }
    (samples, types)
}

/// The value of the sample `name` whose labels include `labels` (0 when absent).
fn value_of(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .find(|(n, l, _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
        .map_or(0.0, |(_, _, v)| *v)
}

#[test]
fn metrics_parse_as_prometheus_text_and_move_with_the_requests_made() {
    let server = TestServer::start_with(|config| {
        config.metrics_token = Some("scrape-me".to_owned());
        config.rate_limit.requests_per_key = 2;
    });
    let scrape = |token: &str| {
        let auth = format!("Bearer {token}");
        server.send("GET", "/metrics", &[("Authorization", &auth)], b"")
    };
    assert_eq!(server.send("GET", "/metrics", &[], b"").status, 401);
    assert_eq!(scrape("wrong").status, 401);
    // The scraper's token opens the metrics and nothing else.
    let auth = "Bearer scrape-me";
    assert_eq!(
        server
            .send("GET", "/api/issues", &[("Authorization", auth)], b"")
            .status,
        401
    );
    let before = scrape("scrape-me");
    assert_eq!(before.status, 200);
    assert!(
        before
            .header("Content-Type")
            .is_some_and(|t| t.starts_with("application/openmetrics-text"))
    );
    let (samples, types) = parse_exposition(&before.text());
    for (family, kind) in [
        ("loop_http_requests", "counter"),
        ("loop_http_request_duration_seconds", "histogram"),
        ("loop_writer_queue_depth", "gauge"),
        ("loop_writer_group_size", "histogram"),
        ("loop_dispatch_queue_depth", "gauge"),
        ("loop_dispatch_claims", "counter"),
        ("loop_dispatch_lease_expiries", "counter"),
        ("loop_review_tasks", "gauge"),
        ("loop_deliveries", "gauge"),
        ("loop_delivery_attempts", "counter"),
        ("loop_rate_limit_refusals", "counter"),
        ("loop_database_bytes", "gauge"),
    ] {
        assert_eq!(
            types.get(family).map(String::as_str),
            Some(kind),
            "{family}"
        );
    }
    assert!(value_of(&samples, "loop_database_bytes", &[("file", "database")]) > 0.0);
    assert_eq!(value_of(&samples, "loop_dispatch_claims_total", &[]), 0.0);

    // Work: two issues, one claimed; a review task; a key past its budget.
    for title in ["One", "Two"] {
        server.create(
            "/api/issues",
            json!({"title": title, "type": "task", "status": "todo"}),
        );
    }
    assert_eq!(server.get("/api/dispatch/next").status, 200);
    let (_, key) = server.review_project("Metrics");
    server.task(
        &key,
        json!({"module": "swiper", "payload": {"content": "x"}}),
    );
    assert_eq!(server.review(&key, "GET", "/api/v1/me", None).status, 200);
    assert_eq!(server.review(&key, "GET", "/api/v1/me", None).status, 429);

    let after = scrape("scrape-me");
    let (samples, _) = parse_exposition(&after.text());
    let created = [
        ("method", "POST"),
        ("route", "/api/issues"),
        ("status", "201"),
    ];
    assert_eq!(
        value_of(&samples, "loop_http_requests_total", &created),
        2.0
    );
    assert_eq!(
        value_of(
            &samples,
            "loop_http_request_duration_seconds_count",
            &[("method", "POST"), ("route", "/api/issues")]
        ),
        2.0
    );
    assert_eq!(value_of(&samples, "loop_dispatch_claims_total", &[]), 1.0);
    assert_eq!(value_of(&samples, "loop_dispatch_queue_depth", &[]), 1.0);
    assert_eq!(
        value_of(&samples, "loop_review_tasks", &[("status", "pending")]),
        1.0
    );
    assert_eq!(
        value_of(
            &samples,
            "loop_rate_limit_refusals_total",
            &[("limit", "project_key")]
        ),
        1.0
    );
    assert!(value_of(&samples, "loop_writer_group_size_count", &[]) >= 4.0);
    assert_eq!(
        value_of(&samples, "loop_deliveries", &[("status", "failed")]),
        0.0
    );
    // The earlier scrape itself was counted, by its route pattern.
    assert!(
        value_of(
            &samples,
            "loop_http_requests_total",
            &[("route", "/metrics"), ("status", "200")]
        ) >= 1.0
    );
}

/// Eight writers creating issues as fast as the server takes them, each id recorded
/// once its 201 arrived; stops when `stop` is set.
fn writers(
    server: &Arc<TestServer>,
    stop: &Arc<AtomicBool>,
) -> (Arc<Mutex<Vec<String>>>, Vec<std::thread::JoinHandle<()>>) {
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let threads = (0..8)
        .map(|n| {
            let (server, stop, acknowledged) = (server.clone(), stop.clone(), acknowledged.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    let issue = server.create(
                        "/api/issues",
                        json!({"title": format!("writer {n} issue {i}"), "type": "task"}),
                    );
                    acknowledged
                        .lock()
                        .unwrap()
                        .push(issue["id"].as_str().unwrap().to_owned());
                    i += 1;
                }
            })
        })
        .collect();
    (acknowledged, threads)
}

/// The ids of the issues stored in the database file at `path`, which must pass
/// `integrity_check`.
fn issues_in(path: &Path) -> std::collections::HashSet<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let mut statement = conn.prepare("SELECT id FROM issues").unwrap();
    statement
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn backups_taken_under_load_hold_every_write_acknowledged_before_they_began() {
    let dir = tempfile::tempdir().unwrap();
    let backup_dir = dir.path().join("served-backups");
    let server = Arc::new(TestServer::start_with({
        let backup_dir = backup_dir.clone();
        move |config| config.backup_dir = Some(backup_dir)
    }));
    let stop = Arc::new(AtomicBool::new(false));
    let (acknowledged, threads) = writers(&server, &stop);
    let wait_for = |n: usize| {
        while acknowledged.lock().unwrap().len() < n {
            std::thread::sleep(Duration::from_millis(5));
        }
    };

    // From another process, as an operator would.
    wait_for(50);
    let before_cli: Vec<String> = acknowledged.lock().unwrap().clone();
    let copy = dir.path().join("copy.db");
    let output = run_loop(&server.db_path(), &["backup", copy.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("passes integrity_check"));

    // Through the API.
    wait_for(before_cli.len() + 50);
    let before_api: Vec<String> = acknowledged.lock().unwrap().clone();
    let answer = server.post("/api/admin/backup", json!({}));
    assert_eq!(answer.status, 201, "{}", answer.text());
    let served = answer.json()["data"].clone();
    let served_path = Path::new(served["path"].as_str().unwrap()).to_owned();
    assert!(served_path.starts_with(&backup_dir));
    assert_eq!(
        served["bytes"].as_u64(),
        Some(std::fs::metadata(&served_path).unwrap().len())
    );

    wait_for(before_api.len() + 20);
    stop.store(true, Ordering::SeqCst);
    for thread in threads {
        thread.join().unwrap();
    }
    for (path, before) in [(&copy, &before_cli), (&served_path, &before_api)] {
        let stored = issues_in(path);
        let missing: Vec<&String> = before.iter().filter(|id| !stored.contains(*id)).collect();
        assert!(missing.is_empty(), "{} lacks {missing:?}", path.display());
    }
    // A backup never overwrites.
    let again = run_loop(&server.db_path(), &["backup", copy.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
}

#[test]
fn check_passes_a_healthy_database_and_fails_a_corrupted_copy() {
    let server = TestServer::start();
    for i in 0..200 {
        server.create(
            "/api/issues",
            json!({"title": format!("Issue {i} {}", "padding ".repeat(20)), "type": "task"}),
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let healthy = dir.path().join("healthy.db");
    assert!(
        run_loop(&server.db_path(), &["backup", healthy.to_str().unwrap()])
            .status
            .success()
    );

    let output = run_loop(&healthy, &["check"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("schema version"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("rows") && l.contains("issues") && l.ends_with(" 200")),
        "{stdout}"
    );
    assert!(stdout.lines().last() == Some("ok"), "{stdout}");

    // Overwrite the head of every page after the first: SQLite can no longer read
    // any table, and the check must say so.
    let mut bytes = std::fs::read(&healthy).unwrap();
    let page = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    for start in (page..bytes.len()).step_by(page) {
        bytes[start..start + 12].fill(0x7f);
    }
    let corrupted = dir.path().join("corrupted.db");
    std::fs::write(&corrupted, bytes).unwrap();
    let output = run_loop(&corrupted, &["check"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(stdout.contains("problem:"), "{stdout}");

    let missing = run_loop(&dir.path().join("nothing.db"), &["check"]);
    assert!(!missing.status.success());
    assert!(
        !dir.path().join("nothing.db").exists(),
        "check creates nothing"
    );
}
