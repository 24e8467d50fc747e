//! `loop-bench`: a load generator for Loop's benchmark scenarios (see BENCHMARKS.md).
//!
//! ```text
//! cargo run --release -p loop-bench -- <scenario> [--clients N] [--seconds S]
//! cargo run --release -p loop-bench -- all
//! ```
//!
//! Each scenario starts its own server (this binary re-executed as `serve-internal`, so
//! the server's memory is measured apart from the load generator's) on a fresh
//! temporary database, seeds the data it needs through the store, drives it with N
//! client threads over keep-alive connections, and prints requests/s, latency
//! percentiles, errors by status and the server's peak resident memory.
//!
//! Set-up failures (a port, a seed row, the server's start) stop the run with
//! `expect`: a benchmark that cannot set itself up has nothing to measure, and the
//! message says which step failed.
//!
//! The bench server allows a billion review-API requests per project key per minute
//! (`BENCH_RATE_LIMIT`), as `loop serve --rate-limit 1000000000` would.

// A benchmark that cannot set itself up has nothing to measure: it stops with a message.
#![allow(clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use loop_engine::config::Config;
use loop_engine::seed::{self, ReviewSeed, Seed, Seeded};

/// The admin key of the engine API (`LOOP_API_KEY` of the bench server).
const KEY: &str = "bench-key";

/// The bench server's review-API rate limit per project key (`loop serve --rate-limit`,
/// `LOOP_RATE_LIMIT`). The default, 120 requests a minute, would refuse all but the
/// first 120 tasks; this is high enough never to refuse one, while each request still
/// passes through the limiter.
const BENCH_RATE_LIMIT: u32 = 1_000_000_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve-internal") {
        serve_internal(&args[1..]);
        return;
    }
    let Some(scenario) = args.first().cloned() else {
        eprintln!(
            "usage: loop-bench <scenario|all> [--clients N] [--seconds S]\nscenarios: {}",
            SCENARIOS.join(", ")
        );
        std::process::exit(2);
    };
    let option = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let clients = option("--clients");
    let seconds = option("--seconds").unwrap_or(10);
    let chosen: Vec<&str> = if scenario == "all" {
        SCENARIOS.to_vec()
    } else {
        vec![scenario.as_str()]
    };
    let mut ceiling = None;
    for name in chosen {
        let Some(result) = run(name, clients, Duration::from_secs(seconds)) else {
            eprintln!("unknown scenario {name}; one of: {}", SCENARIOS.join(", "));
            std::process::exit(2);
        };
        if name == "health" {
            ceiling = Some(result.per_second);
        }
        result.print(ceiling);
    }
}

/// Every scenario, in the order `all` runs them.
const SCENARIOS: [&str; 16] = [
    "health",
    "create-issue",
    "signals",
    "review-tasks",
    "list-10k",
    "list-100k",
    "dispatch-500",
    "dispatch-10k",
    "queue-3k",
    "queue-100k",
    "mixed",
    "dashboard-stats",
    "dashboard-activity",
    "dashboard-prompts",
    "deliveries",
    "deliveries-drain",
];

fn run(name: &str, clients: Option<u64>, duration: Duration) -> Option<Outcome> {
    let clients = |default: u64| usize::try_from(clients.unwrap_or(default)).unwrap_or(8);
    let get = |path: &'static str| move |_: usize, _: u64| Call::get(path);
    Some(match name {
        "health" => timed(name, &Seed::default(), clients(8), duration, get("/health")),
        "create-issue" => timed(name, &Seed::default(), clients(8), duration, |client, i| {
            let body = format!(
                r#"{{"title":"Bench issue {client}-{i}","type":"task","priority":{}}}"#,
                i % 5
            );
            Call::post("/api/issues", body)
        }),
        "signals" => timed(name, &Seed::default(), clients(8), duration, |client, i| {
            let body = format!(
                r#"{{"source":"bench","type":"error","severity":"high","payload":{{"message":"Error {client}-{i}","count":{i}}}}}"#
            );
            Call::post("/api/signals", body)
        }),
        "review-tasks" => {
            let key = seed::new_project_key().expect("a project key");
            let seed = Seed {
                project_key: Some(key.clone()),
                ..Seed::default()
            };
            timed(name, &seed, clients(8), duration, |client, i| {
                let body = format!(
                    r#"{{"module":"swiper","source":"bench","external_id":"bench-{client}-{i}","payload":{{"content":"Review {client}-{i}","score":{i}}}}}"#
                );
                Call::post("/api/v1/tasks", body)
                    .with_key(&key)
                    .with_header("Idempotency-Key", &format!("bench-{client}-{i}"))
            })
        }
        "list-10k" => timed(
            name,
            &Seed::issues(10_000),
            clients(8),
            duration,
            get("/api/issues?limit=50"),
        ),
        "list-100k" => timed(
            name,
            &Seed::issues(100_000),
            clients(8),
            duration,
            get("/api/issues?limit=50"),
        ),
        "dispatch-500" => claims(
            name,
            &Seed {
                todo: 500,
                ..Seed::issues(100_000)
            },
            clients(16),
        ),
        "dispatch-10k" => claims(
            name,
            &Seed {
                todo: 10_000,
                ..Seed::issues(100_000)
            },
            clients(16),
        ),
        "queue-3k" => timed(
            name,
            &Seed {
                todo: 3_000,
                ..Seed::issues(3_000)
            },
            clients(8),
            duration,
            get("/api/dispatch/queue?limit=50"),
        ),
        "queue-100k" => timed(
            name,
            &Seed {
                todo: 100_000,
                ..Seed::issues(100_000)
            },
            clients(8),
            duration,
            get("/api/dispatch/queue?limit=50"),
        ),
        "mixed" => mixed(name, clients(8), duration),
        "dashboard-stats" => timed(
            name,
            &Seed::dashboard(),
            clients(8),
            duration,
            get("/api/dashboard/stats"),
        ),
        "dashboard-activity" => timed(
            name,
            &Seed::dashboard(),
            clients(8),
            duration,
            get("/api/dashboard/activity"),
        ),
        "dashboard-prompts" => timed(
            name,
            &Seed::dashboard(),
            clients(8),
            duration,
            get("/api/dashboard/prompts"),
        ),
        "deliveries" => deliveries(name, clients(8), 20_000),
        "deliveries-drain" => drain(name, 20_000),
        _ => return None,
    })
}

/// What a scenario's database holds before the load starts.
/// A local webhook receiver: answers 200 at once and notes when the `n`-th delivery
/// arrived.
struct Receiver {
    url: String,
    received: std::sync::Arc<AtomicU64>,
    server: std::sync::Arc<tiny_http::Server>,
}

impl Receiver {
    fn start(threads: usize) -> Self {
        let server =
            std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("receiver listens"));
        let url = format!(
            "http://{}/verdicts",
            server.server_addr().to_ip().expect("an address")
        );
        let received = std::sync::Arc::new(AtomicU64::new(0));
        for _ in 0..threads {
            let (server, received) = (server.clone(), received.clone());
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    received.fetch_add(1, Ordering::Relaxed);
                    let _ = request.respond(tiny_http::Response::empty(200));
                }
            });
        }
        Self {
            url,
            received,
            server,
        }
    }

    /// Waits until `n` deliveries arrived (or two minutes passed); the time it took.
    fn wait_for(&self, n: u64, since: Instant) -> Duration {
        while self.received.load(Ordering::Relaxed) < n
            && since.elapsed() < Duration::from_secs(120)
        {
            std::thread::sleep(Duration::from_millis(1));
        }
        since.elapsed()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        for _ in 0..16 {
            self.server.unblock();
        }
    }
}

/// Verdict deliveries of live resolutions: `clients` admins resolve `n` escalated tasks
/// (each resolution queues one signed delivery to a local receiver); the rate is `n`
/// over the time from the first resolution to the `n`-th delivery received.
fn deliveries(name: &str, clients: usize, n: usize) -> Outcome {
    let receiver = Receiver::start(4);
    let seed = Seed {
        review: Some(ReviewSeed {
            callback_url: receiver.url.clone(),
            escalated: n,
            delivering: 0,
        }),
        ..Seed::default()
    };
    let server = Server::start(&seed);
    let ids = &server.seeded.escalated_task_ids;
    let next = AtomicU64::new(0);
    let started = Instant::now();
    let tallies: Vec<Tally> = in_threads(clients, |_| {
        let (addr, ids, next) = (server.addr, &ids, &next);
        let mut connection = Connection::open(addr);
        let mut tally = Tally::default();
        while let Some(id) = usize::try_from(next.fetch_add(1, Ordering::Relaxed))
            .ok()
            .and_then(|i| ids.get(i))
        {
            let call = Call::post(
                &format!("/api/v1/review/tasks/{id}/resolve"),
                r#"{"decision":"approve"}"#.to_owned(),
            );
            let sent = Instant::now();
            let (status, _) = connection.send(&call);
            tally.record(sent, status);
        }
        tally
    });
    let resolved_in = started.elapsed();
    let delivered_in = receiver.wait_for(u64::try_from(n).unwrap_or(u64::MAX), started);
    let delivered = receiver.received.load(Ordering::Relaxed);
    #[allow(clippy::cast_precision_loss)]
    let note = format!(
        "  deliveries received {delivered} of {n} in {:.2} s: {:.0} deliveries/s (resolutions took {:.2} s)",
        delivered_in.as_secs_f64(),
        delivered as f64 / delivered_in.as_secs_f64(),
        resolved_in.as_secs_f64()
    );
    let outcome = collect(name, clients, resolved_in, tallies, &server, note);
    server.stop();
    outcome
}

/// The outbox after a restart: `n` verdict deliveries are pending when the server
/// starts; the rate is `n` over the time from its start to the `n`-th received.
fn drain(name: &str, n: usize) -> Outcome {
    let receiver = Receiver::start(4);
    let seed = Seed {
        review: Some(ReviewSeed {
            callback_url: receiver.url.clone(),
            escalated: 0,
            delivering: n,
        }),
        ..Seed::default()
    };
    let started = Instant::now();
    let server = Server::start(&seed);
    let seeded_in = started.elapsed();
    let since = Instant::now();
    let drained_in = receiver.wait_for(u64::try_from(n).unwrap_or(u64::MAX), since);
    let delivered = receiver.received.load(Ordering::Relaxed);
    #[allow(clippy::cast_precision_loss)]
    let note = format!(
        "  pending deliveries drained {delivered} of {n} in {:.2} s: {:.0} deliveries/s (seeding and start took {:.2} s)",
        drained_in.as_secs_f64(),
        delivered as f64 / drained_in.as_secs_f64(),
        seeded_in.as_secs_f64()
    );
    let outcome = collect(name, 0, drained_in, Vec::new(), &server, note);
    server.stop();
    outcome
}

/// One request to send.
struct Call {
    method: &'static str,
    path: String,
    body: String,
    /// The bearer key (the admin key unless set; none if empty).
    key: String,
    /// More header lines, each ending in CRLF.
    headers: String,
}

impl Call {
    fn get(path: &str) -> Self {
        Self::post(path, String::new()).with_method("GET")
    }

    fn post(path: &str, body: String) -> Self {
        Self {
            method: "POST",
            path: path.to_owned(),
            body,
            key: KEY.to_owned(),
            headers: String::new(),
        }
    }

    fn with_method(self, method: &'static str) -> Self {
        Self { method, ..self }
    }

    fn with_key(mut self, key: &str) -> Self {
        key.clone_into(&mut self.key);
        self
    }

    fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push_str(&format!("{name}: {value}\r\n"));
        self
    }
}

/// A benchmark's figures.
struct Outcome {
    name: String,
    clients: usize,
    requests: u64,
    per_second: f64,
    latencies_us: Vec<u64>,
    statuses: BTreeMap<u16, u64>,
    peak_rss_kb: u64,
    note: String,
}

impl Outcome {
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let index = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        #[allow(clippy::cast_precision_loss)]
        let micros = self.latencies_us[index] as f64;
        micros / 1000.0
    }

    fn print(&self, ceiling: Option<f64>) {
        let ratio = ceiling.map_or_else(String::new, |c| {
            format!("  ({:.0}% of /health)", 100.0 * self.per_second / c)
        });
        println!(
            "{:<14} clients {:>2}  {:>9.0} req/s{ratio}  p50 {:.2} ms  p99 {:.2} ms  p99.9 {:.2} ms  requests {}  statuses {:?}  server peak RSS {:.1} MB{}",
            self.name,
            self.clients,
            self.per_second,
            self.percentile(0.5),
            self.percentile(0.99),
            self.percentile(0.999),
            self.requests,
            self.statuses,
            f64::from(u32::try_from(self.peak_rss_kb).unwrap_or(u32::MAX)) / 1024.0,
            self.note
        );
    }
}

/// A running server process.
struct Server {
    child: Child,
    addr: SocketAddr,
    seeded: Seeded,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(seed: &Seed) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let db = dir.path().join("bench.db");
        let seeded = seed.write(&db).expect("seed the database");
        let exe = std::env::current_exe().expect("own path");
        let mut child = Command::new(exe)
            .args(["serve-internal", &db.to_string_lossy()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("server address");
        let addr = line.trim().parse().expect("an address");
        Self {
            child,
            addr,
            seeded,
            _dir: dir,
        }
    }

    fn peak_rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    fn stop(mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// The server side: `loop-bench serve-internal <db>` serves until standard input closes
/// and prints its address first.
fn serve_internal(args: &[String]) {
    let mut config = Config::new(
        args.first()
            .cloned()
            .unwrap_or_else(|| "bench.db".to_owned()),
    );
    config.port = 0;
    config.api_key = Some(KEY.to_owned());
    config.rate_limit.requests_per_key = BENCH_RATE_LIMIT;
    let running = loop_engine::server::start(config).expect("server starts");
    println!("{}", running.addr());
    let _ = std::io::stdout().flush();
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    running.shutdown();
}

/// A keep-alive HTTP/1.1 connection.
struct Connection {
    stream: BufReader<TcpStream>,
    /// The `name=value` of the last `Set-Cookie` answered.
    cookie: Option<String>,
}

impl Connection {
    fn open(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Self {
            stream: BufReader::new(stream),
            cookie: None,
        }
    }

    /// Sends a request and returns the status and body.
    fn send(&mut self, call: &Call) -> (u16, Vec<u8>) {
        let authorization = if call.key.is_empty() {
            String::new()
        } else {
            format!("Authorization: Bearer {}\r\n", call.key)
        };
        let request = format!(
            "{} {} HTTP/1.1\r\nHost: bench\r\n{authorization}{}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
            call.method,
            call.path,
            call.headers,
            call.body.len(),
            call.body
        );
        self.stream
            .get_mut()
            .write_all(request.as_bytes())
            .expect("send");
        let mut status = 0;
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).expect("read the answer");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if status == 0 {
                status = line
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
            } else if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            } else if line.to_ascii_lowercase().starts_with("set-cookie:") {
                self.cookie = line[11..].split(';').next().map(|c| c.trim().to_owned());
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).expect("read the body");
        (status, body)
    }
}

impl Connection {
    /// Sends a request that should set a cookie (a sign-in) and answers the cookie.
    fn send_for_cookie(&mut self, call: &Call) -> Option<String> {
        self.cookie = None;
        self.send(call);
        self.cookie.take()
    }
}

/// Per-thread tallies.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    statuses: BTreeMap<u16, u64>,
    claimed: Vec<String>,
}

impl Tally {
    fn record(&mut self, started: Instant, status: u16) {
        self.latencies_us
            .push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
        *self.statuses.entry(status).or_default() += 1;
    }
}

fn collect(
    name: &str,
    clients: usize,
    elapsed: Duration,
    tallies: Vec<Tally>,
    server: &Server,
    note: String,
) -> Outcome {
    let mut latencies_us = Vec::new();
    let mut statuses = BTreeMap::new();
    for tally in tallies {
        latencies_us.extend(tally.latencies_us);
        for (status, count) in tally.statuses {
            *statuses.entry(status).or_default() += count;
        }
    }
    latencies_us.sort_unstable();
    let requests = u64::try_from(latencies_us.len()).unwrap_or(u64::MAX);
    #[allow(clippy::cast_precision_loss)]
    let per_second = requests as f64 / elapsed.as_secs_f64();
    Outcome {
        name: name.to_owned(),
        clients,
        requests,
        per_second,
        latencies_us,
        statuses,
        peak_rss_kb: server.peak_rss_kb(),
        note,
    }
}

/// Runs `make` in `clients` threads for `duration`.
fn timed(
    name: &str,
    seed: &Seed,
    clients: usize,
    duration: Duration,
    make: impl Fn(usize, u64) -> Call + Sync,
) -> Outcome {
    let server = Server::start(seed);
    let started = Instant::now();
    let tallies: Vec<Tally> = in_threads(clients, |client| {
        let (make, addr) = (&make, server.addr);
        let mut connection = Connection::open(addr);
        let mut tally = Tally::default();
        let mut i = 0;
        while started.elapsed() < duration {
            let call = make(client, i);
            let sent = Instant::now();
            let (status, _) = connection.send(&call);
            tally.record(sent, status);
            i += 1;
        }
        tally
    });
    let outcome = collect(
        name,
        clients,
        started.elapsed(),
        tallies,
        &server,
        String::new(),
    );
    server.stop();
    outcome
}

/// What each client of the `mixed` scenario does, in turn: mostly reads, then writes,
/// claims, review tasks and reviewer decisions, roughly as a team with agents and
/// reviewers at work would.
const MIXED_ROUND: [&str; 20] = [
    "list", "list", "list", "list", "list", "issue", "issue", "queue", "stats", "create", "create",
    "create", "signal", "signal", "claim", "task", "task", "decide", "decide", "list",
];

/// Everything at once: `clients` threads each run [`MIXED_ROUND`] over and over for
/// `duration`, each signed in as a reviewer of its own for the decisions; reports the
/// p99 of each operation.
fn mixed(name: &str, clients: usize, duration: Duration) -> Outcome {
    let key = seed::new_project_key().expect("a project key");
    let seed = Seed {
        project_key: Some(key.clone()),
        todo: 10_000,
        ..Seed::issues(20_000)
    };
    let server = Server::start(&seed);
    let mut admin = Connection::open(server.addr);
    let (_, projects) = admin.send(&Call::get("/api/v1/projects"));
    let project: serde_json::Value = serde_json::from_slice(&projects).expect("projects JSON");
    let project_id = project[0]["id"]
        .as_str()
        .expect("the bench project")
        .to_owned();
    let cookies: Vec<String> = (0..clients)
        .map(|client| reviewer(&mut admin, &project_id, client))
        .collect();
    for i in 0..200 {
        admin.send(&review_task(&key, 0, i));
    }
    let (_, listed) = admin.send(&Call::get("/api/issues?limit=1&status=todo"));
    let listed: serde_json::Value = serde_json::from_slice(&listed).expect("issues JSON");
    let issue_path = format!(
        "/api/issues/{}",
        listed["data"][0]["id"].as_str().expect("an issue")
    );
    let started = Instant::now();
    let per_op: Vec<BTreeMap<&str, Tally>> = in_threads(clients, |client| {
        let (addr, key, cookie, issue_path) = (server.addr, &key, &cookies[client], &issue_path);
        let mut connection = Connection::open(addr);
        let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
        let mut i = 0_u64;
        while started.elapsed() < duration {
            let op = MIXED_ROUND[usize::try_from(i).unwrap_or(0) % MIXED_ROUND.len()];
            let sent = Instant::now();
            let status = match op {
                "list" => connection.send(&Call::get("/api/issues?limit=50")).0,
                "issue" => connection.send(&Call::get(issue_path)).0,
                "queue" => {
                    connection
                        .send(&Call::get("/api/dispatch/queue?limit=50"))
                        .0
                }
                "stats" => connection.send(&Call::get("/api/dashboard/stats")).0,
                "create" => {
                    let body = format!(
                        r#"{{"title":"Mixed issue {client}-{i}","type":"task","status":"todo","priority":{}}}"#,
                        i % 5
                    );
                    connection.send(&Call::post("/api/issues", body)).0
                }
                "signal" => {
                    let body = format!(
                        r#"{{"source":"bench","type":"error","severity":"high","payload":{{"message":"Mixed {client}-{i}"}}}}"#
                    );
                    connection.send(&Call::post("/api/signals", body)).0
                }
                "claim" => connection.send(&Call::get("/api/dispatch/next")).0,
                "task" => connection.send(&review_task(key, client + 1, i)).0,
                _ => decide(&mut connection, cookie),
            };
            tallies.entry(op).or_default().record(sent, status);
            i += 1;
        }
        tallies
    });
    let elapsed = started.elapsed();
    let mut by_op: BTreeMap<&str, Tally> = BTreeMap::new();
    for tallies in per_op {
        for (op, tally) in tallies {
            let merged = by_op.entry(op).or_default();
            merged.latencies_us.extend(tally.latencies_us);
            for (status, count) in tally.statuses {
                *merged.statuses.entry(status).or_default() += count;
            }
        }
    }
    let mut note = String::from("\n    p99 by operation:");
    for (op, tally) in &mut by_op {
        tally.latencies_us.sort_unstable();
        let at = |p: f64| {
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )]
            let index = ((tally.latencies_us.len().max(1) as f64 - 1.0) * p).round() as usize;
            #[allow(clippy::cast_precision_loss)]
            let ms = tally
                .latencies_us
                .get(index)
                .map_or(0.0, |us| *us as f64 / 1000.0);
            ms
        };
        note.push_str(&format!(
            " {op} {:.2} ms (n {}, {:?});",
            at(0.99),
            tally.latencies_us.len(),
            tally.statuses
        ));
    }
    let outcome = collect(
        name,
        clients,
        elapsed,
        by_op.into_values().collect(),
        &server,
        note,
    );
    server.stop();
    outcome
}

/// A swiper review task for the `mixed` scenario, unique per client and round.
fn review_task(key: &str, client: usize, i: u64) -> Call {
    let body = format!(
        r#"{{"module":"swiper","source":"bench","external_id":"mixed-{client}-{i}","payload":{{"content":"Review {client}-{i}"}}}}"#
    );
    Call::post("/api/v1/tasks", body).with_key(key)
}

/// Creates reviewer number `client` of the bench project, signs them in and answers
/// their session cookie.
fn reviewer(admin: &mut Connection, project_id: &str, client: usize) -> String {
    let email = format!("reviewer{client}@bench.example");
    let body = format!(r#"{{"email":"{email}","password":"bench-password","role":"reviewer"}}"#);
    let (status, created) = admin.send(&Call::post("/api/v1/users", body));
    assert_eq!(status, 201, "create a reviewer");
    let created: serde_json::Value = serde_json::from_slice(&created).expect("user JSON");
    let user_id = created["id"].as_str().expect("a user id");
    let (status, _) = admin.send(
        &Call::post(
            &format!("/api/v1/projects/{project_id}/reviewers/{user_id}"),
            String::new(),
        )
        .with_method("PUT"),
    );
    assert!(status < 300, "add a reviewer: {status}");
    let body = format!(r#"{{"email":"{email}","password":"bench-password"}}"#);
    let login = Call::post("/api/v1/auth/login", body).with_key("");
    admin.send_for_cookie(&login).expect("a session cookie")
}

/// One reviewer decision: the next card, approved. Answers the decision's status (or the
/// status of `/review/next` when there was no card).
fn decide(connection: &mut Connection, cookie: &str) -> u16 {
    let as_reviewer = |call: Call| call.with_key("").with_header("Cookie", cookie);
    let (status, body) = connection.send(&as_reviewer(Call::post(
        "/api/v1/review/next",
        "{}".to_owned(),
    )));
    if status != 200 {
        return status;
    }
    let Some(assignment) = json_field(&body, "assignment_id") else {
        return 0;
    };
    let path = format!("/api/v1/review/assignments/{assignment}/decision");
    connection
        .send(&as_reviewer(Call::post(
            &path,
            r#"{"decision":"approve"}"#.to_owned(),
        )))
        .0
}

/// The first `"field":"…"` string of a JSON body, found without parsing it.
fn json_field(body: &[u8], field: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let marker = format!(r#""{field}":""#);
    let start = text.find(&marker)? + marker.len();
    let end = start + text[start..].find('"')?;
    Some(text[start..end].to_owned())
}

/// Claims with `clients` threads until the queue is empty, checking no issue is claimed
/// twice.
fn claims(name: &str, seed: &Seed, clients: usize) -> Outcome {
    let server = Server::start(seed);
    let started = Instant::now();
    let empties = AtomicU64::new(0);
    let tallies: Vec<Tally> = in_threads(clients, |_| {
        let (addr, empties) = (server.addr, &empties);
        let mut connection = Connection::open(addr);
        let mut tally = Tally::default();
        loop {
            let sent = Instant::now();
            let (status, body) = connection.send(&Call::get("/api/dispatch/next"));
            if status == 204 {
                empties.fetch_add(1, Ordering::Relaxed);
                return tally;
            }
            tally.record(sent, status);
            if let Some(id) = issue_id(&body) {
                tally.claimed.push(id);
            }
        }
    });
    let elapsed = started.elapsed();
    let claimed: Vec<String> = tallies
        .iter()
        .flat_map(|t| t.claimed.iter().cloned())
        .collect();
    let distinct: HashSet<&String> = claimed.iter().collect();
    let note = format!(
        "  claims {} of {} todo, distinct {}, double claims {}",
        claimed.len(),
        seed.todo,
        distinct.len(),
        claimed.len() - distinct.len()
    );
    let outcome = collect(name, clients, elapsed, tallies, &server, note);
    server.stop();
    outcome
}

/// Runs `client` once per client, each on a thread of its own, and collects what each
/// returns (a thread that panicked counts as nothing measured).
fn in_threads<T: Default + Send>(clients: usize, client: impl Fn(usize) -> T + Sync) -> Vec<T> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|n| {
                let client = &client;
                scope.spawn(move || client(n))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// The claimed issue's id: the first `"id":"…"` of the answer (the issue summary comes
/// first), found without parsing the whole body so the load generator spends its CPU
/// on load rather than on JSON.
fn issue_id(body: &[u8]) -> Option<String> {
    json_field(body, "id")
}
