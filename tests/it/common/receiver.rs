//! A local HTTP receiver for verdict webhooks: records every request and answers from a
//! script (a status, a redirect, or a hang).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a receiver answers its n-th request (0-based).
#[derive(Clone, Copy)]
pub enum Answer {
    /// This status, no body.
    Status(u16),
    /// A 302 to the receiver on this port.
    RedirectTo(u16),
    /// 200 after this long.
    Hang(Duration),
}

/// One request a receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    /// Header pairs as sent.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
    /// When it arrived.
    pub at: Instant,
}

impl Received {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A local HTTP receiver that records what it gets and answers from a script.
pub struct Receiver {
    /// Where it listens (`http://127.0.0.1:port/hook`).
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
    server: Arc<tiny_http::Server>,
}

impl Receiver {
    /// A receiver on a free port.
    pub fn start(script: impl Fn(usize) -> Answer + Send + Sync + 'static) -> Self {
        Self::on_port(0, script)
    }

    /// A receiver on `port` (0: a free one).
    pub fn on_port(port: u16, script: impl Fn(usize) -> Answer + Send + Sync + 'static) -> Self {
        let server =
            Arc::new(tiny_http::Server::http(("127.0.0.1", port)).expect("receiver listens"));
        let url = format!(
            "http://{}/hook",
            server.server_addr().to_ip().expect("ip address")
        );
        let got = Arc::new(Mutex::new(Vec::new()));
        let (listener, log, script) = (server.clone(), got.clone(), Arc::new(script));
        let count = Arc::new(AtomicUsize::new(0));
        std::thread::spawn(move || {
            for mut request in listener.incoming_requests() {
                let mut body = Vec::new();
                let _ = request.as_reader().read_to_end(&mut body);
                let headers = request
                    .headers()
                    .iter()
                    .map(|h| {
                        (
                            h.field.as_str().as_str().to_owned(),
                            h.value.as_str().to_owned(),
                        )
                    })
                    .collect();
                log.lock().expect("log").push(Received {
                    headers,
                    body,
                    at: Instant::now(),
                });
                let answer = script(count.fetch_add(1, Ordering::SeqCst));
                std::thread::spawn(move || match answer {
                    Answer::Status(status) => {
                        let _ = request.respond(tiny_http::Response::empty(status));
                    }
                    Answer::RedirectTo(port) => {
                        let location = tiny_http::Header::from_bytes(
                            "Location",
                            format!("http://127.0.0.1:{port}/hook"),
                        )
                        .expect("header");
                        let _ =
                            request.respond(tiny_http::Response::empty(302).with_header(location));
                    }
                    Answer::Hang(time) => {
                        std::thread::sleep(time);
                        let _ = request.respond(tiny_http::Response::empty(200));
                    }
                });
            }
        });
        Self { url, got, server }
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.got.lock().expect("log").clone()
    }

    /// Waits until at least `n` requests arrived (at most ten seconds).
    pub fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.received().len() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.received()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.unblock();
    }
}
