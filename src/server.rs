//! The listener and its worker pool: each worker owns one SQLite connection, which it
//! reads on, and answers requests from tiny_http's queue until the server is shut down.
//! Every write goes through one more connection, the writer's (see [`crate::writer`]).

use std::io::Cursor;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::Instant;

use rusqlite::Connection;
use serde_json::json;

use crate::answers::Answers;
use crate::api;
use crate::app::{App, Ctx, Outbox};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::http::pipeline;
use crate::http::router::Router;
use crate::http::{ApiError, Method, Reply, Request};
use crate::log::{self, Level};
use crate::outbox::{self, Deliverer};
use crate::service::{issues, keys, maintenance};
use crate::store::{self, admin_keys};

/// Why the server could not start.
#[derive(Debug)]
pub struct StartError(String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

/// A running server.
pub struct Running {
    app: Arc<App>,
    addr: SocketAddr,
    listener: Arc<tiny_http::Server>,
    workers: Vec<JoinHandle<()>>,
    stopping: Arc<AtomicBool>,
    listener_failed: Arc<AtomicBool>,
    maintenance: Option<(mpsc::Sender<()>, JoinHandle<()>)>,
    deliverer: Option<Deliverer>,
    generated_admin_key: Option<String>,
}

impl Running {
    /// The address it listens on (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The admin key created on this start, when the database had none and no
    /// `LOOP_API_KEY` was set. It is shown once and only its hash is stored.
    pub fn generated_admin_key(&self) -> Option<&str> {
        self.generated_admin_key.as_deref()
    }

    /// Whether the listener died (tiny_http stops accepting for good after an accept
    /// error, e.g. when the process runs out of file descriptors). The process should
    /// then shut down and be restarted by its supervisor.
    pub fn listener_failed(&self) -> bool {
        self.listener_failed.load(Ordering::SeqCst)
    }

    /// Runs one round of the background work now (lapsed claims, overdue gate tasks) on
    /// a connection of its own, as the maintenance thread does every interval: lets
    /// tests that move a manual clock see its effects without waiting for a tick.
    pub fn run_background_work(&self) -> Result<(), StartError> {
        let path = &self.app.config.db_path;
        let mut conn = store::open(path)
            .map_err(|e| StartError(format!("cannot open database {}: {e}", path.display())))?;
        tick(&self.app, &mut conn);
        Ok(())
    }

    /// Stops taking requests, lets every worker finish the requests already received,
    /// and closes the database connections.
    pub fn shutdown(self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.app.waits.close();
        for _ in &self.workers {
            self.listener.unblock();
        }
        for worker in self.workers {
            if worker.join().is_err() {
                eprintln!("warning: a worker thread ended abnormally");
            }
        }
        if let Some((stop, thread)) = self.maintenance {
            drop(stop);
            if thread.join().is_err() {
                eprintln!("warning: the maintenance thread ended abnormally");
            }
        }
        if let Some(deliverer) = self.deliverer {
            deliverer.shutdown();
        }
    }
}

/// Starts a server with the system clock.
pub fn start(config: Config) -> Result<Running, StartError> {
    start_with_clock(config, Arc::new(SystemClock))
}

/// Starts a server: opens and migrates the database, creates the first admin key if
/// needed, binds the listener and starts the workers.
pub fn start_with_clock(mut config: Config, clock: Arc<dyn Clock>) -> Result<Running, StartError> {
    let db_path = config.db_path.clone();
    let open = || {
        store::open(&db_path)
            .map_err(|e| StartError(format!("cannot open database {}: {e}", db_path.display())))
    };
    let mut first = open()?;
    store::migrate(&mut first, clock.now())
        .map_err(|e| StartError(format!("{}: {e}", db_path.display())))?;
    let generated_admin_key = ensure_admin_key(&first, &config, clock.as_ref())?;

    let listener = listen(&config)?;
    let addr = listener
        .server_addr()
        .to_ip()
        .ok_or_else(|| StartError("the listener has no IP address".to_owned()))?;
    let listener = Arc::new(listener);
    let threads = config.threads.max(1);
    if config.loop_url.is_none() {
        config.loop_url = Some(own_url(&config.host, addr));
    }
    let (outbox, wakeups) = Outbox::channel();
    let router = api::router();
    let app = App::new(config, clock, outbox)
        .with_writer(open()?, open()?)
        .map_err(|e| StartError(format!("cannot start the checkpoint thread: {e}")))?;
    let app = Arc::new(app);
    let stopping = Arc::new(AtomicBool::new(false));
    let listener_failed = Arc::new(AtomicBool::new(false));

    let mut maintenance_conn = open()?;
    // Work that fell due while the server was down is done before the first request.
    tick(&app, &mut maintenance_conn);
    let deliverer =
        outbox::start(&app, wakeups, &|| open().map_err(|e| e.0)).map_err(StartError)?;

    let mut connections = vec![first];
    for _ in 1..threads {
        connections.push(open()?);
    }
    let workers = connections
        .into_iter()
        .enumerate()
        .map(|(i, conn)| {
            let (app, listener) = (app.clone(), listener.clone());
            let (stopping, failed) = (stopping.clone(), listener_failed.clone());
            std::thread::Builder::new()
                .name(format!("loop-worker-{i}"))
                .spawn(move || work(&app, router, &listener, conn, &stopping, &failed))
                .map_err(|e| StartError(format!("cannot start a worker thread: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;

    let (stop, stopped) = mpsc::channel();
    let maintenance = std::thread::Builder::new()
        .name("loop-maintenance".to_owned())
        .spawn({
            let app = app.clone();
            move || maintain(&app, maintenance_conn, &stopped)
        })
        .map_err(|e| StartError(format!("cannot start the maintenance thread: {e}")))?;

    Ok(Running {
        app,
        addr,
        listener,
        workers,
        stopping,
        listener_failed,
        maintenance: Some((stop, maintenance)),
        deliverer: Some(deliverer),
        generated_admin_key,
    })
}

/// Binds the listening socket with `TCP_NODELAY`, which accepted connections inherit:
/// tiny_http writes a response head and body separately, and without it Nagle's
/// algorithm holds the body back until the client's delayed ACK (some 40 ms). Each
/// connection is held to the configured limits (see [`limits`]).
fn listen(config: &Config) -> Result<tiny_http::Server, StartError> {
    let fail = |e: &dyn std::fmt::Display| {
        StartError(format!(
            "cannot listen on {}:{}: {e}",
            config.host, config.port
        ))
    };
    let socket = TcpListener::bind((config.host.as_str(), config.port)).map_err(|e| fail(&e))?;
    socket2::SockRef::from(&socket)
        .set_tcp_nodelay(true)
        .map_err(|e| fail(&e))?;
    tiny_http::Server::from_listener_with_limits(socket, limits(config)).map_err(|e| fail(&e))
}

/// What tiny_http lets one connection cost. Bodies are read whole, up to
/// `max_body_bytes`, by the connection's own thread before a worker sees the request, so a
/// slow or stalled client never holds a worker; a larger body is not read at all.
fn limits(config: &Config) -> tiny_http::Limits {
    let connections = &config.connections;
    tiny_http::Limits {
        head_timeout: connections.head_timeout,
        body_gap_timeout: connections.body_gap_timeout,
        idle_timeout: connections.idle_timeout,
        write_timeout: connections.write_timeout,
        max_body_bytes: config.max_body_bytes,
        max_head_bytes: connections.max_head_bytes,
        max_connections: connections.max_connections,
        error_page,
        ..tiny_http::Limits::default()
    }
}

/// The answers tiny_http gives by itself, before a request reaches the router (a head it
/// cannot read, a timeout, an unsupported HTTP version, too many connections), as JSON
/// errors like every other, in the conventions of the API the target (as far as it
/// arrived) belongs to: the engine API's when there is none. Like every answer, each
/// carries an `X-Request-Id` (a new one: no header of the request was read).
fn error_page(
    status: tiny_http::StatusCode,
    reason: &'static str,
    target: Option<&str>,
) -> tiny_http::Response<Cursor<Vec<u8>>> {
    let request = Request::new(Method::Other, target.unwrap_or("/"), Vec::new(), Vec::new());
    let reply = ApiError::Refused(status.0, reason)
        .to_reply_in(pipeline::style_of(&request))
        .replacing_header(REQUEST_ID, request_id(&[]));
    response_of(reply)
}

/// The tiny_http response that sends `reply`.
fn response_of(reply: Reply) -> tiny_http::Response<Cursor<Vec<u8>>> {
    let status = reply.status();
    let (_, headers, body) = reply.into_parts();
    let mut response = tiny_http::Response::from_data(body)
        .with_status_code(status)
        // The whole body is in memory: always send its length rather than chunks.
        .with_chunked_threshold(usize::MAX);
    for (name, value) in headers {
        if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    response
}

/// This server's base URL as agents should call it (`localhost` for loopback and
/// wildcard binds).
fn own_url(host: &str, addr: SocketAddr) -> String {
    if addr.ip().is_loopback() || addr.ip().is_unspecified() || host == "localhost" {
        format!("http://localhost:{}", addr.port())
    } else {
        format!("http://{addr}")
    }
}

/// Creates and returns a first admin key when there is neither `LOOP_API_KEY` nor any
/// stored admin key, so that a fresh server is never open to everyone.
fn ensure_admin_key(
    conn: &Connection,
    config: &Config,
    clock: &dyn Clock,
) -> Result<Option<String>, StartError> {
    let fail =
        |e: &dyn std::fmt::Display| StartError(format!("cannot create the first admin key: {e}"));
    if config.api_key.is_some() || admin_keys::any(conn).map_err(|e| fail(&e))? {
        return Ok(None);
    }
    let created = keys::create_admin_key(conn, "default", clock.now())
        .map_err(|e| fail(&format!("{e:?}")))?;
    Ok(Some(created.key))
}

/// The background loop: a [`tick`] every `maintenance_interval` until the stop channel
/// closes.
fn maintain(app: &App, mut conn: Connection, stop: &mpsc::Receiver<()>) {
    loop {
        match stop.recv_timeout(app.config.maintenance_interval) {
            Err(mpsc::RecvTimeoutError::Timeout) => tick(app, &mut conn),
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// One round of background work: lapsed claims go back to `todo`, overdue gate tasks
/// get their `on_timeout` outcome, and the full-text index catches up with the writes
/// to issues. Failures are logged and retried next round.
fn tick(app: &App, conn: &mut Connection) {
    let mut ctx = Ctx::new(app, conn);
    let format = app.config.log;
    match maintenance::expire_leases(&mut ctx) {
        Ok(0) => {}
        Ok(n) => log::event(
            format,
            ctx.now(),
            Level::Info,
            "leases_expired",
            &format!("{n} lapsed claim(s) returned to todo"),
            json!({"count": n}),
        ),
        Err(error) => log::event(
            format,
            ctx.now(),
            Level::Warning,
            "leases_expired",
            &format!("expiring claim leases failed: {error:?}"),
            json!({"error": format!("{error:?}")}),
        ),
    }
    if let Err(error) = issues::catch_up_search_index(&mut ctx) {
        log::event(
            format,
            ctx.now(),
            Level::Warning,
            "search_index",
            &format!("indexing issues for search failed: {error:?}"),
            json!({"error": format!("{error:?}")}),
        );
    }
    match maintenance::time_out_gates(&mut ctx) {
        Ok(0) => {}
        Ok(n) => log::event(
            format,
            ctx.now(),
            Level::Info,
            "gates_timed_out",
            &format!("{n} overdue gate task(s) resolved by their on_timeout"),
            json!({"count": n}),
        ),
        Err(error) => log::event(
            format,
            ctx.now(),
            Level::Warning,
            "gates_timed_out",
            &format!("resolving overdue gate tasks failed: {error:?}"),
            json!({"error": format!("{error:?}")}),
        ),
    }
}

/// A worker: answers queued requests until shutdown. An error from the queue is either
/// the shutdown signal or the news that tiny_http's accept loop has died.
fn work(
    app: &App,
    router: &Router,
    listener: &tiny_http::Server,
    mut conn: Connection,
    stopping: &AtomicBool,
    failed: &AtomicBool,
) {
    let answers = Answers::default();
    loop {
        match listener.recv() {
            Ok(request) => serve(app, router, &mut conn, &answers, request),
            Err(_) if stopping.load(Ordering::SeqCst) => return,
            Err(error) => {
                eprintln!("error: the listener stopped accepting connections: {error}");
                failed.store(true, Ordering::SeqCst);
            }
        }
    }
}

/// Reads, answers, logs and counts one request; every answer carries an
/// `X-Request-Id` (the client's own when it sent a usable one).
fn serve(
    app: &App,
    router: &Router,
    conn: &mut Connection,
    answers: &Answers,
    mut raw: tiny_http::Request,
) {
    let started = Instant::now();
    let method = Method::parse(raw.method().as_str());
    let headers: Vec<(String, String)> = raw
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_owned(),
                h.value.as_str().to_owned(),
            )
        })
        .collect();
    let request_id = request_id(&headers);
    let target = raw.url().to_owned();
    let peer = raw.remote_addr().map(std::net::SocketAddr::ip);
    let handled = match read_body(&mut raw, app.config.max_body_bytes) {
        Ok(body) => pipeline::handle(
            app,
            router,
            conn,
            Some(answers),
            Request::new(method, &target, headers, body).with_peer(peer),
        ),
        Err(error) => pipeline::Handled {
            reply: pipeline::refuse(
                app,
                &Request::new(method, &target, headers, Vec::new()),
                &error,
            ),
            route: pipeline::UNMATCHED,
        },
    };
    let reply = handled
        .reply
        .replacing_header(REQUEST_ID, request_id.as_str());
    let status = reply.status();
    // A client that hung up before reading its answer is not the server's problem.
    let _ = raw.respond(response_of(reply));
    let seconds = started.elapsed().as_secs_f64();
    app.metrics
        .request(method.as_str(), handled.route, status, seconds);
    log::request(
        app.config.log,
        &log::RequestLine {
            time: app.clock.now(),
            method: method.as_str(),
            route: handled.route,
            status,
            duration_ms: seconds * 1000.0,
            request_id: &request_id,
        },
    );
}

/// The header that names a request in logs, on both sides.
const REQUEST_ID: &str = "X-Request-Id";

/// The id a request is logged and answered with: the client's `X-Request-Id` when it
/// is 1 to 128 visible ASCII characters (so that it cannot forge log lines), else a new
/// UUIDv7.
fn request_id(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(REQUEST_ID))
        .map(|(_, value)| value.trim())
        .filter(|value| {
            (1..=128).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic())
        })
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned)
}

/// The body, which tiny_http has already read in full; 413 when it was larger than
/// `limit` and so left unread (the connection then closes after the answer).
fn read_body(raw: &mut tiny_http::Request, limit: usize) -> Result<Vec<u8>, ApiError> {
    if raw.body_too_large() {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    let mut body = Vec::new();
    raw.as_reader()
        .read_to_end(&mut body)
        .map_err(|e| ApiError::Internal(format!("reading a body from memory: {e}")))?;
    Ok(body)
}
