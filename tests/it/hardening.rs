//! Hostile and slow clients, through real sockets against the real server: one test per
//! way they could crash the process, pin its workers, or grow its threads or memory
//! without bound, and a crash-safety test that kills the server mid-write.
//!
//! What only the process shows (its threads, its memory, surviving a kill) is tested on
//! the `loop` binary run as a child process ([`ServerProcess`]); the rest in-process.

use std::collections::{BTreeSet, HashSet};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::http::{Framing, read_response, send_to, try_send_to};
use crate::common::process::ServerProcess;
use crate::common::{KEY, PASSWORD, Response, TestServer};

/// A connection to `addr` whose reads give up after `timeout`.
fn connect(addr: SocketAddr, timeout: Duration) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(timeout)).expect("timeout");
    stream
}

/// What the server sent on `stream` until it closed the connection, and whether it did
/// close it (rather than the read timing out).
fn read_until_closed(stream: &mut TcpStream) -> (String, bool) {
    let mut received = Vec::new();
    let mut buf = [0; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&received).into_owned(), true),
            Ok(read) => received.extend_from_slice(&buf[..read]),
            Err(error) => {
                let closed = error.kind() == std::io::ErrorKind::ConnectionReset;
                return (String::from_utf8_lossy(&received).into_owned(), closed);
            }
        }
    }
}

/// Sends `raw` on a new connection and reads until the server closes it (or `timeout`).
fn exchange(addr: SocketAddr, raw: &[u8], timeout: Duration) -> (String, bool) {
    let mut stream = connect(addr, timeout);
    let _ = stream.write_all(raw);
    read_until_closed(&mut stream)
}

/// The JSON body of a raw answer.
fn body_of(answer: &str) -> Value {
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {answer}"))
}

/// `GET /health` on a new connection; `None` when no answer came within `timeout`.
fn health_within(addr: SocketAddr, timeout: Duration) -> Option<u16> {
    let (answer, _) = exchange(
        addr,
        b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        timeout,
    );
    read_response(&mut answer.as_bytes(), Framing::UntilClose).map(|r| r.status)
}

/// Waits until `done` holds, for at most `limit`.
fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// Defect 1: a body declared 1 TiB long (tiny_http drained it through a buffer of the
/// declared size and aborted), and lies of a few GB (which exhausted memory).
#[test]
fn a_one_tebibyte_content_length_leaves_the_process_alive_and_its_memory_flat() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut server = ServerProcess::start(&dir.path().join("loop.db"), &["--threads", "4"]);
    let addr = server.addr();
    assert_eq!(health_within(addr, Duration::from_secs(5)), Some(200));
    let before = server.status("VmHWM").expect("peak memory");
    for declared in [1u64 << 40, 4 << 30, 1 << 40, 3 << 30] {
        let head = format!(
            "POST /api/issues HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\n\r\n{{\"title\""
        );
        let (answer, closed) = exchange(addr, head.as_bytes(), Duration::from_secs(10));
        assert!(answer.starts_with("HTTP/1.1 413"), "{declared}: {answer}");
        assert!(answer.contains("Connection: close"), "{answer}");
        assert!(closed, "the connection stays open: {answer}");
    }
    thread::sleep(Duration::from_millis(200));
    assert!(server.is_running(), "the server died: {}", server.log());
    assert_eq!(health_within(addr, Duration::from_secs(5)), Some(200));
    let grown_kb = server.status("VmHWM").expect("peak memory") - before;
    assert!(grown_kb < 16 * 1024, "peak memory grew by {grown_kb} kB");
}

/// Defect 2: clients that send a head announcing a body and then nothing, more of them
/// than there are workers. Bodies are read by the connection, not by a worker.
#[test]
fn stalled_bodies_on_every_worker_leave_health_answering() {
    let server = TestServer::start_with(|c| c.threads = 4);
    let addr = server.running().addr();
    let stalled: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut stream = connect(addr, Duration::from_secs(5));
            let head = format!(
                "POST /api/issues HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{{\"title\":"
            );
            stream.write_all(head.as_bytes()).expect("head sent");
            stream
        })
        .collect();
    thread::sleep(Duration::from_millis(300));
    // Each answers (before, it never did); on a machine busy with other tests, one of
    // three tries is asked to be quick.
    let took: Vec<Duration> = (0..3)
        .map(|_| {
            let started = Instant::now();
            assert_eq!(health_within(addr, Duration::from_secs(5)), Some(200));
            started.elapsed()
        })
        .collect();
    assert!(
        took.iter().any(|t| *t < Duration::from_secs(1)),
        "/health took {took:?}"
    );
    // Authenticated writes go through too.
    let created = server.post(
        "/api/issues",
        json!({"title": "still served", "type": "task"}),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    drop(stalled);
}

/// The body timeout: a stalled body is answered 408 and its connection closed, while an
/// upload that is slow but keeps moving goes through.
#[test]
fn a_stalled_body_times_out_and_a_slow_one_goes_through() {
    let server = TestServer::start_with(|c| {
        c.connections.body_gap_timeout = Duration::from_millis(1500);
    });
    let addr = server.running().addr();
    let head = |length: usize| {
        format!(
            "POST /api/issues HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        )
    };
    let mut stalled = connect(addr, Duration::from_secs(5));
    stalled
        .write_all(format!("{}{{\"title\":", head(100)).as_bytes())
        .expect("sent");
    let (answer, closed) = read_until_closed(&mut stalled);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(closed);
    assert_eq!(
        body_of(&answer)["error"],
        "The request body stopped arriving"
    );

    let body = json!({"title": "slow", "type": "task", "description": "x".repeat(400)}).to_string();
    let mut slow = connect(addr, Duration::from_secs(10));
    slow.write_all(head(body.len()).as_bytes()).expect("sent");
    // Ten pieces, 300 ms apart: 3 s in all, twice the body timeout, but never a pause of
    // 1.5 s.
    for piece in body.as_bytes().chunks(body.len().div_ceil(10)) {
        thread::sleep(Duration::from_millis(300));
        slow.write_all(piece).expect("sent");
    }
    let mut answer = [0; 512];
    let read = slow.read(&mut answer).expect("an answer");
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert_eq!(server.get("/api/issues").json()["total"], 1);
}

/// Defect 3: idle connections and connections holding half a request head are closed
/// after the configured timeouts (a half head with a 408).
#[test]
fn idle_and_half_head_connections_are_closed_after_the_timeouts() {
    let server = TestServer::start_with(|c| {
        c.connections.head_timeout = Duration::from_millis(500);
        c.connections.idle_timeout = Duration::from_millis(500);
    });
    let addr = server.running().addr();
    // Generous for a busy machine: before, nothing was ever closed.
    let timeout = Duration::from_secs(10);
    let silent: Vec<TcpStream> = (0..12).map(|_| connect(addr, timeout)).collect();
    let half: Vec<TcpStream> = (0..12)
        .map(|_| {
            let mut stream = connect(addr, timeout);
            stream
                .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
                .expect("sent");
            stream
        })
        .collect();
    let mut kept = connect(addr, timeout);
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("sent");
    thread::sleep(Duration::from_millis(1500));
    for mut stream in silent {
        assert_eq!(read_until_closed(&mut stream), (String::new(), true));
    }
    for mut stream in half {
        let (answer, closed) = read_until_closed(&mut stream);
        assert!(closed, "still open: {answer}");
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("Connection: close"), "{answer}");
        assert_eq!(
            body_of(&answer)["error"],
            "The request head did not arrive in time"
        );
    }
    let (answer, closed) = read_until_closed(&mut kept);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "the idle kept-alive connection stays open");
}

/// Defect 4: after answering 413 to a body declared too large, the server reads (and
/// throws away) only a little of it before closing, however much the client sends.
#[test]
fn after_a_413_only_a_little_of_the_body_is_drained() {
    let server = TestServer::start();
    let addr = server.running().addr();
    let mut stream = connect(addr, Duration::from_secs(10));
    let declared: usize = 1 << 30;
    let head = format!(
        "POST /api/issues HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).expect("head sent");
    let mut writer = stream.try_clone().expect("clone");
    let sender = thread::spawn(move || {
        let chunk = vec![b' '; 64 * 1024];
        let (mut sent, started) = (0usize, Instant::now());
        while sent < declared && started.elapsed() < Duration::from_secs(20) {
            match writer.write(&chunk) {
                Ok(written) => sent += written,
                Err(_) => break,
            }
        }
        (sent, started.elapsed())
    });
    let (answer, closed) = read_until_closed(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("Connection: close"), "{answer}");
    assert!(closed);
    let (sent, took) = sender.join().expect("sender");
    // What the client got in beyond the 64 KiB drained sits in the socket buffers.
    assert!(sent < 64 << 20, "the server took {sent} bytes of the body");
    assert!(
        took < Duration::from_secs(10),
        "the client sent for {took:?}"
    );
    assert_eq!(health_within(addr, Duration::from_secs(5)), Some(200));
}

/// Defect 5: `HTTP/2.0` request lines get a 505 and leave no thread behind, even while
/// the clients keep their connections open.
#[test]
fn http_2_request_lines_get_505_and_leave_no_thread_behind() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let server = ServerProcess::start(&dir.path().join("loop.db"), &["--threads", "4"]);
    let addr = server.addr();
    assert_eq!(health_within(addr, Duration::from_secs(5)), Some(200));
    thread::sleep(Duration::from_millis(200));
    let baseline = server.status("Threads").expect("thread count");
    let mut clients: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut stream = connect(addr, Duration::from_secs(5));
            stream
                .write_all(b"GET /health HTTP/2.0\r\nHost: x\r\n\r\n")
                .expect("sent");
            stream
        })
        .collect();
    for stream in &mut clients {
        let (answer, closed) = read_until_closed(stream);
        assert!(answer.starts_with("HTTP/1.1 505"), "{answer}");
        assert!(answer.contains("Connection: close"), "{answer}");
        assert_eq!(
            body_of(&answer)["error"],
            "Only HTTP/1.0 and HTTP/1.1 are supported"
        );
        assert!(closed);
    }
    let back = eventually(Duration::from_secs(20), || {
        server.status("Threads").is_some_and(|n| n <= baseline)
    });
    assert!(
        back,
        "{:?} threads, {baseline} before",
        server.status("Threads")
    );
    drop(clients);
}

/// Defect 6: bytes outside ASCII in a head are answered, never a dropped connection: a
/// request target outside ASCII is a 400, header values outside ASCII (UTF-8 or not)
/// reach the API.
#[test]
fn heads_with_bytes_outside_ascii_are_answered() {
    let server = TestServer::start();
    let addr = server.running().addr();
    let timeout = Duration::from_secs(5);
    let (answer, closed) = exchange(
        addr,
        "GET /api/issues/é HTTP/1.1\r\nHost: x\r\n\r\n".as_bytes(),
        timeout,
    );
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(closed);
    assert_eq!(body_of(&answer)["error"], "The request line is not ASCII");

    for value in [&b"\xff\xfe"[..], "Jürgen".as_bytes()] {
        let mut raw = b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Name: ".to_vec();
        raw.extend_from_slice(value);
        raw.extend_from_slice(b"\r\n\r\n");
        let (answer, _) = exchange(addr, &raw, timeout);
        assert!(answer.starts_with("HTTP/1.1 200"), "{value:?}: {answer}");
    }
    let created = server.send(
        "POST",
        "/api/issues",
        &[
            ("Authorization", &format!("Bearer {KEY}")),
            ("Content-Type", "application/json"),
            ("X-Name", "Jürgen"),
        ],
        json!({"title": "served", "type": "task"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    // A key outside ASCII is a wrong key, not a dropped connection.
    let refused = server.send(
        "GET",
        "/api/issues",
        &[("Authorization", "Bearer clé")],
        b"",
    );
    assert_eq!(refused.status, 401, "{}", refused.text());
}

/// Defect 7: HEAD on the dispatch claim runs nothing: it is a 405 and the issue stays
/// `todo`. HEAD still works where GET changes nothing.
#[test]
fn head_on_dispatch_next_claims_nothing() {
    let server = TestServer::start();
    let issue = server.create(
        "/api/issues",
        json!({"title": "Claim me", "type": "task", "status": "todo"}),
    );
    let id = issue["id"].as_str().expect("id");
    let auth = format!("Bearer {KEY}");
    let head = server.send(
        "HEAD",
        "/api/dispatch/next",
        &[("Authorization", &auth)],
        b"",
    );
    assert_eq!(head.status, 405);
    let allow = head.header("Allow").unwrap_or_default();
    assert!(allow.contains("GET") && !allow.contains("HEAD"), "{allow}");
    let stored = server.get(&format!("/api/issues/{id}")).json();
    assert_eq!(stored["data"]["status"], "todo", "{stored}");
    assert_eq!(
        server.get("/api/dispatch/queue").json()["total"],
        1,
        "still a candidate"
    );
    let queue = server.send(
        "HEAD",
        "/api/dispatch/queue",
        &[("Authorization", &auth)],
        b"",
    );
    assert_eq!(queue.status, 200);
    assert!(queue.body.is_empty());
    let claimed = server.get("/api/dispatch/next");
    assert_eq!(claimed.status, 200, "{}", claimed.text());
    assert_eq!(claimed.json()["issue"]["id"], id);
}

/// Connections beyond the cap are turned away at once, so the thread count stays
/// bounded however many connections clients open.
#[test]
fn connections_beyond_the_cap_are_refused_and_threads_stay_bounded() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let server = ServerProcess::start(
        &dir.path().join("loop.db"),
        &[
            "--threads",
            "4",
            "--max-connections",
            "16",
            "--head-timeout-seconds",
            "1",
        ],
    );
    let addr = server.addr();
    assert_eq!(health_within(addr, Duration::from_secs(5)), Some(200));
    thread::sleep(Duration::from_millis(200));
    let baseline = server.status("Threads").expect("thread count");
    // The 16 served send nothing and are closed after the 1 s head timeout.
    let mut clients: Vec<TcpStream> = (0..100)
        .map(|_| connect(addr, Duration::from_secs(10)))
        .collect();
    thread::sleep(Duration::from_millis(500));
    let threads = server.status("Threads").expect("thread count");
    assert!(
        threads <= baseline + 16,
        "{threads} threads for 100 connections, {baseline} before"
    );
    let refused = clients
        .iter_mut()
        .map(read_until_closed)
        .filter(|(answer, _)| answer.starts_with("HTTP/1.1 503"))
        .count();
    assert!(refused >= 100 - 16, "{refused} of 100 refused");
    drop(clients);
    assert!(eventually(Duration::from_secs(5), || {
        health_within(addr, Duration::from_secs(1)) == Some(200)
    }));
}

/// Heads over the limit are refused: 431 for headers, 414 for a request line, each with
/// a request id like every answer.
#[test]
fn over_long_heads_are_refused() {
    let server = TestServer::start();
    let addr = server.running().addr();
    let filler = "x".repeat(20 * 1024);
    let raw = format!("GET /health HTTP/1.1\r\nHost: x\r\nX-Filler: {filler}\r\n\r\n");
    let (answer, closed) = exchange(addr, raw.as_bytes(), Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    let head = answer.split_once("\r\n\r\n").map_or("", |(head, _)| head);
    assert!(
        head.lines()
            .any(|line| line.to_ascii_lowercase().starts_with("x-request-id: ")),
        "tiny_http's own answers carry a request id too: {head}"
    );
    assert_eq!(
        body_of(&answer),
        json!({"error": "The request head is too large"})
    );
    assert!(closed);
    // On the review API, in its conventions.
    let raw = format!("GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Filler: {filler}\r\n\r\n");
    let (answer, _) = exchange(addr, raw.as_bytes(), Duration::from_secs(5));
    assert_eq!(
        body_of(&answer),
        json!({"error": "The request head is too large", "code": "headers_too_large"})
    );
    let raw = format!("GET /health?{filler} HTTP/1.1\r\nHost: x\r\n\r\n");
    let (answer, _) = exchange(addr, raw.as_bytes(), Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 414"), "{answer}");
}

/// Every new setting is a flag with its environment variable in `loop serve --help`.
#[test]
fn serve_help_lists_the_connection_settings() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_loop"))
        .args(["serve", "--help"])
        .output()
        .expect("loop serve --help runs");
    let help = String::from_utf8_lossy(&output.stdout);
    for (flag, variable) in [
        ("--head-timeout-seconds", "LOOP_HEAD_TIMEOUT_SECONDS"),
        ("--body-timeout-seconds", "LOOP_BODY_TIMEOUT_SECONDS"),
        ("--idle-timeout-seconds", "LOOP_IDLE_TIMEOUT_SECONDS"),
        ("--write-timeout-seconds", "LOOP_WRITE_TIMEOUT_SECONDS"),
        ("--max-connections", "LOOP_MAX_CONNECTIONS"),
        ("--max-head-bytes", "LOOP_MAX_HEAD_BYTES"),
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
        assert!(help.contains(variable), "{variable} missing from:\n{help}");
    }
}

// ---------------------------------------------------------------------------------------
// Crash safety
// ---------------------------------------------------------------------------------------

/// What the writers saw acknowledged (answered 2xx), across every life of the server.
#[derive(Default)]
struct Acknowledged {
    issues: Vec<String>,
    signal_issues: Vec<String>,
    tasks: Vec<String>,
    /// Tasks whose decision was answered 2xx: their verdict must be delivered.
    resolved: Vec<String>,
}

/// The review project, its key and a signed-in reviewer, set up once.
struct ReviewSetup {
    key: String,
    cookie: String,
}

/// A local receiver of verdict webhooks: the task ids it was sent, each as often as it
/// came.
struct VerdictReceiver {
    url: String,
    tasks: Arc<Mutex<Vec<String>>>,
    _server: Arc<tiny_http::Server>,
}

impl VerdictReceiver {
    fn start() -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("receiver listens"));
        let addr = server.server_addr().to_ip().expect("ip address");
        let tasks = Arc::new(Mutex::new(Vec::new()));
        let (listener, log) = (server.clone(), tasks.clone());
        thread::spawn(move || {
            for mut request in listener.incoming_requests() {
                let mut body = Vec::new();
                let _ = request.as_reader().read_to_end(&mut body);
                if let Ok(verdict) = serde_json::from_slice::<Value>(&body)
                    && let Some(task) = verdict["task_id"].as_str()
                {
                    log.lock().expect("log").push(task.to_owned());
                }
                let _ = request.respond(tiny_http::Response::empty(200));
            }
        });
        Self {
            url: format!("http://{addr}/verdicts"),
            tasks,
            _server: server,
        }
    }

    fn received(&self) -> HashSet<String> {
        self.tasks.lock().expect("log").iter().cloned().collect()
    }
}

/// A number in `0..n` from the clock's nanoseconds: enough to vary the moment of a kill.
fn roughly_random(n: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    u64::from(nanos).wrapping_mul(6_364_136_223_846_793_005) % n
}

/// The `data` (engine) or whole body (review) of a 2xx answer.
fn acknowledged(response: Option<Response>) -> Option<Value> {
    let response = response.filter(|r| (200..300).contains(&r.status))?;
    serde_json::from_slice(&response.body).ok()
}

/// One writer's loop until `stop`: `write` makes one request and records what was
/// acknowledged.
fn writer(stop: &Arc<AtomicBool>, write: impl Fn(u64) + Send + 'static) -> thread::JoinHandle<()> {
    let stop = stop.clone();
    thread::spawn(move || {
        let mut n = 0;
        while !stop.load(Ordering::SeqCst) {
            write(n);
            n += 1;
        }
    })
}

/// The server under concurrent writes (issues, signals, review tasks with callback URLs,
/// reviewer decisions) is killed with SIGKILL at random moments, several times, and
/// started again on the same database. Afterwards every write answered 2xx is readable,
/// the database passes `PRAGMA integrity_check`, and every verdict resolved is delivered
/// at least once to the callback receiver.
#[test]
fn killed_mid_write_the_server_loses_nothing_it_acknowledged() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("loop.db");
    let args = [
        "--threads",
        "4",
        "--rate-limit",
        "1000000",
        "--webhook-retry-schedule",
        "1,1,1,1,1,1,1,1,1,1",
    ];
    let receiver = VerdictReceiver::start();
    let auth = format!("Bearer {KEY}");
    let acked = Arc::new(Mutex::new(Acknowledged::default()));

    let server = ServerProcess::start(&db, &args);
    let setup = review_setup(server.addr());
    let setup = Arc::new(setup);
    let mut server = Some(server);
    for life in 0..4 {
        let running = server
            .take()
            .unwrap_or_else(|| ServerProcess::start(&db, &args));
        let addr = running.addr();
        let stop = Arc::new(AtomicBool::new(false));
        let mut writers = Vec::new();
        for _ in 0..2 {
            let (acked, auth) = (acked.clone(), auth.clone());
            writers.push(writer(&stop, move |n| {
                let body = json!({"title": format!("life {life} issue {n}"), "type": "task"});
                let response = try_send_to(
                    addr,
                    "POST",
                    "/api/issues",
                    &[
                        ("Authorization", &auth),
                        ("Content-Type", "application/json"),
                    ],
                    body.to_string().as_bytes(),
                );
                if let Some(id) =
                    acknowledged(response).and_then(|b| b["data"]["id"].as_str().map(str::to_owned))
                {
                    acked.lock().expect("acked").issues.push(id);
                }
            }));
        }
        {
            let (acked, auth) = (acked.clone(), auth.clone());
            writers.push(writer(&stop, move |n| {
                let body = json!({"source": "crash", "type": "error", "severity": "low",
                    "payload": {"message": format!("life {life} signal {n}")}});
                let response = try_send_to(
                    addr,
                    "POST",
                    "/api/signals",
                    &[
                        ("Authorization", &auth),
                        ("Content-Type", "application/json"),
                    ],
                    body.to_string().as_bytes(),
                );
                if let Some(id) = acknowledged(response)
                    .and_then(|b| b["data"]["issue"]["id"].as_str().map(str::to_owned))
                {
                    acked.lock().expect("acked").signal_issues.push(id);
                }
            }));
        }
        {
            let (acked, setup, url) = (acked.clone(), setup.clone(), receiver.url.clone());
            writers.push(writer(&stop, move |n| {
                let body = json!({"module": "swiper", "payload": {"content": format!("life {life} task {n}")},
                    "callback_url": url});
                let response = try_send_to(
                    addr,
                    "POST",
                    "/api/v1/tasks",
                    &[
                        ("Authorization", &format!("Bearer {}", setup.key)),
                        ("Content-Type", "application/json"),
                    ],
                    body.to_string().as_bytes(),
                );
                if let Some(id) = acknowledged(response).and_then(|b| b["id"].as_str().map(str::to_owned)) {
                    acked.lock().expect("acked").tasks.push(id);
                }
            }));
        }
        {
            let (acked, setup) = (acked.clone(), setup.clone());
            writers.push(writer(&stop, move |_| {
                let headers = [
                    ("Cookie", setup.cookie.as_str()),
                    ("Content-Type", "application/json"),
                ];
                let Some(card) = acknowledged(try_send_to(
                    addr,
                    "POST",
                    "/api/v1/review/next",
                    &headers,
                    b"{}",
                )) else {
                    thread::sleep(Duration::from_millis(5));
                    return;
                };
                let (Some(assignment), Some(task)) =
                    (card["assignment_id"].as_str(), card["task"]["id"].as_str())
                else {
                    return;
                };
                let decided = try_send_to(
                    addr,
                    "POST",
                    &format!("/api/v1/review/assignments/{assignment}/decision"),
                    &headers,
                    json!({"decision": "approve"}).to_string().as_bytes(),
                );
                if acknowledged(decided).is_some() {
                    acked.lock().expect("acked").resolved.push(task.to_owned());
                }
            }));
        }
        thread::sleep(Duration::from_millis(300 + roughly_random(600)));
        running.kill();
        stop.store(true, Ordering::SeqCst);
        for handle in writers {
            handle.join().expect("writer");
        }
    }

    let server = ServerProcess::start(&db, &args);
    let addr = server.addr();
    let acked = acked.lock().expect("acked");
    assert!(
        !acked.issues.is_empty() && !acked.tasks.is_empty() && !acked.resolved.is_empty(),
        "the writers got nothing done: {} issues, {} tasks, {} resolved",
        acked.issues.len(),
        acked.tasks.len(),
        acked.resolved.len()
    );
    for id in acked.issues.iter().chain(&acked.signal_issues) {
        let read = send_to(
            addr,
            "GET",
            &format!("/api/issues/{id}"),
            &[("Authorization", &auth)],
            b"",
        );
        assert_eq!(read.status, 200, "issue {id} acknowledged, then lost");
    }
    let key = format!("Bearer {}", setup.key);
    for id in &acked.tasks {
        let read = send_to(
            addr,
            "GET",
            &format!("/api/v1/tasks/{id}"),
            &[("Authorization", &key)],
            b"",
        );
        assert_eq!(read.status, 200, "task {id} acknowledged, then lost");
    }
    for id in &acked.resolved {
        let read = send_to(
            addr,
            "GET",
            &format!("/api/v1/tasks/{id}"),
            &[("Authorization", &key)],
            b"",
        );
        assert_ne!(
            read.json()["status"],
            "pending",
            "task {id} decided, then undone"
        );
    }
    let wanted: BTreeSet<&String> = acked.resolved.iter().collect();
    let delivered = eventually(Duration::from_secs(20), || {
        let received = receiver.received();
        wanted.iter().all(|task| received.contains(*task))
    });
    let received = receiver.received();
    let missing: Vec<_> = wanted.iter().filter(|t| !received.contains(**t)).collect();
    assert!(
        delivered,
        "{} resolved verdicts never delivered: {missing:?}",
        missing.len()
    );

    server.kill();
    let conn = rusqlite::Connection::open(&db).expect("open the database");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity check");
    assert_eq!(integrity, "ok");
}

/// A review project with a key, and a reviewer of it, signed in.
fn review_setup(addr: SocketAddr) -> ReviewSetup {
    let auth = format!("Bearer {KEY}");
    let admin = |method: &str, path: &str, body: Value| {
        let response = send_to(
            addr,
            method,
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body.to_string().as_bytes(),
        );
        assert!(
            (200..300).contains(&response.status),
            "{method} {path}: {}",
            response.text()
        );
        response.json()
    };
    let project = admin("POST", "/api/projects", json!({"name": "crash"}));
    let project_id = project["data"]["id"]
        .as_str()
        .expect("project id")
        .to_owned();
    // Every card dealt must be a task whose verdict the test can wait for: no decoys.
    admin(
        "PATCH",
        &format!("/api/v1/projects/{project_id}"),
        json!({"decoy_rate": 0}),
    );
    let key = admin(
        "POST",
        &format!("/api/v1/projects/{project_id}/keys"),
        json!({"name": "crash"}),
    )["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let user = admin(
        "POST",
        "/api/v1/users",
        json!({"email": "reviewer@example.com", "password": PASSWORD, "role": "reviewer"}),
    );
    let user_id = user["id"].as_str().expect("user id");
    admin(
        "PUT",
        &format!("/api/v1/projects/{project_id}/reviewers/{user_id}"),
        json!({}),
    );
    let login = send_to(
        addr,
        "POST",
        "/api/v1/auth/login",
        &[("Content-Type", "application/json")],
        json!({"email": "reviewer@example.com", "password": PASSWORD})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(login.status, 200, "{}", login.text());
    let cookie = login
        .header("Set-Cookie")
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    ReviewSetup { key, cookie }
}
