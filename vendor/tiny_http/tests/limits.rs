//! (Loop patch) The limits on what one connection may cost: timeouts, sizes, the number of
//! connections. Each test runs a server with short limits and a raw client.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use tiny_http::{ConfigListenAddr, Limits, Response, Server, ServerConfig};

/// Limits short enough for tests.
fn short() -> Limits {
    Limits {
        head_timeout: Duration::from_millis(400),
        body_gap_timeout: Duration::from_millis(400),
        idle_timeout: Duration::from_millis(400),
        write_timeout: Duration::from_millis(400),
        max_body_bytes: 1000,
        linger_bytes: 64 * 1024,
        linger_time: Duration::from_millis(400),
        max_head_bytes: 1024,
        ..Limits::default()
    }
}

/// A server under `limits` answering from a thread of its own, and a client connected to
/// it. A request is answered 413 when its body was too large to read, else `hello`; the
/// receiver gets, for each request, its `X-Name` headers and its body as text, or `too
/// large`.
fn serve_and_watch(limits: Limits) -> (TcpStream, Receiver<String>) {
    let server = Server::new(ServerConfig {
        addr: ConfigListenAddr::from_socket_addrs("127.0.0.1:0").unwrap(),
        limits,
    })
    .unwrap();
    let addr = server.server_addr().to_ip().unwrap();
    let (seen, received) = mpsc::channel();
    thread::spawn(move || {
        for mut request in server.incoming_requests() {
            if request.body_too_large() {
                let _ = seen.send("too large".to_owned());
                let _ = request.respond(Response::from_string("too large").with_status_code(413));
                continue;
            }
            let mut body = String::new();
            request.as_reader().read_to_string(&mut body).unwrap();
            let names = request
                .headers()
                .iter()
                .filter(|h| h.field.equiv("X-Name"))
                .map(|h| h.value.clone());
            let _ = seen.send(names.chain(Some(body)).collect::<Vec<_>>().join(" "));
            let _ = request.respond(Response::from_string("hello"));
        }
    });
    let client = TcpStream::connect(addr).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    (client, received)
}

/// [`serve_and_watch`] without the watching.
fn serve(limits: Limits) -> TcpStream {
    serve_and_watch(limits).0
}

/// Everything the server sends until it closes the connection, and how long that took.
fn read_until_closed(client: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut received = Vec::new();
    let _ = client.read_to_end(&mut received);
    (
        String::from_utf8_lossy(&received).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let mut client = serve(short());
    client
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (received, waited) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 200"), "{}", received);
    assert!(received.ends_with("hello"), "{}", received);
    assert!(waited < Duration::from_secs(3), "{:?}", waited);
}

#[test]
fn a_connection_that_never_sends_is_closed_without_an_answer() {
    let mut client = serve(short());
    let (received, waited) = read_until_closed(&mut client);
    assert_eq!(received, "");
    assert!(waited < Duration::from_secs(3), "{:?}", waited);
}

#[test]
fn half_a_head_is_answered_408_and_the_connection_closed() {
    let mut client = serve(short());
    client.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    let (received, waited) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 408"), "{}", received);
    assert!(waited < Duration::from_secs(3), "{:?}", waited);
}

#[test]
fn a_head_sent_byte_by_byte_must_still_be_complete_in_time() {
    let mut client = serve(short());
    let mut writer = client.try_clone().unwrap();
    let trickle = thread::spawn(move || {
        // A byte every 100 ms: never a long pause, but 50 bytes take 5 s.
        for byte in b"GET / HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n" {
            if writer.write_all(&[*byte]).is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(100));
        }
    });
    let (received, waited) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 408"), "{}", received);
    assert!(waited < Duration::from_secs(3), "{:?}", waited);
    trickle.join().unwrap();
}

#[test]
fn a_second_request_gets_a_fresh_head_timeout() {
    let mut client = serve(Limits {
        idle_timeout: Duration::from_secs(5),
        ..short()
    });
    for _ in 0..3 {
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut answer = [0; 512];
        let read = client.read(&mut answer).unwrap();
        assert!(answer[..read].starts_with(b"HTTP/1.1 200"));
        // Within the idle timeout between requests, more than the head timeout in all.
        thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn a_body_is_read_before_the_request_is_handed_over() {
    let (mut client, seen) = serve_and_watch(short());
    client
        .write_all(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel")
        .unwrap();
    // Half the body: nothing reaches the application yet.
    assert!(seen.recv_timeout(Duration::from_millis(150)).is_err());
    client.write_all(b"lo").unwrap();
    assert_eq!(seen.recv_timeout(Duration::from_secs(5)).unwrap(), "hello");
}

#[test]
fn a_stalled_body_is_answered_408_and_never_reaches_the_application() {
    let (mut client, seen) = serve_and_watch(short());
    client
        .write_all(b"POST / HTTP/1.1\r\nContent-Length: 500\r\n\r\nsome")
        .unwrap();
    let (received, waited) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 408"), "{}", received);
    assert!(received.contains("Connection: close"), "{}", received);
    assert!(waited < Duration::from_secs(3), "{:?}", waited);
    assert!(seen.try_recv().is_err());
}

#[test]
fn a_one_tebibyte_lie_is_answered_without_reading_or_allocating_it() {
    let (mut client, seen) = serve_and_watch(short());
    client
        .write_all(b"POST / HTTP/1.1\r\nContent-Length: 1099511627776\r\n\r\nabc")
        .unwrap();
    let (received, waited) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 413"), "{}", received);
    assert!(received.contains("Connection: close"), "{}", received);
    assert!(waited < Duration::from_secs(3), "{:?}", waited);
    assert_eq!(seen.try_recv().unwrap(), "too large");
}

#[test]
fn the_rest_of_a_body_too_large_is_drained_only_up_to_the_linger_cap() {
    let (client, _seen) = serve_and_watch(short());
    let mut writer = client.try_clone().unwrap();
    let sender = thread::spawn(move || {
        // Declares 1 GiB and keeps sending until the server closes the connection.
        let mut sent = 0usize;
        let head = b"POST / HTTP/1.1\r\nContent-Length: 1073741824\r\n\r\n";
        writer.write_all(head).unwrap();
        let chunk = [b'x'; 16 * 1024];
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            match writer.write(&chunk) {
                Ok(written) => sent += written,
                Err(_) => break,
            }
        }
        (sent, started.elapsed())
    });
    let mut client = client;
    let (received, _) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 413"), "{}", received);
    let (sent, took) = sender.join().unwrap();
    // The server stopped reading after the linger cap: what the client managed to send
    // beyond it sits in socket buffers, nowhere near the declared gibibyte.
    assert!(took < Duration::from_secs(10), "{:?}", took);
    assert!(sent < 64 * 1024 * 1024, "{}", sent);
}

#[test]
fn a_chunked_body_over_the_limit_is_too_large() {
    let (mut client, seen) = serve_and_watch(short());
    client
        .write_all(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
        .unwrap();
    for _ in 0..3 {
        client.write_all(b"190\r\n").unwrap();
        client.write_all(&[b'y'; 400]).unwrap();
        client.write_all(b"\r\n").unwrap();
    }
    let (received, _) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 413"), "{}", received);
    assert_eq!(seen.try_recv().unwrap(), "too large");
}

#[test]
fn a_chunked_body_within_the_limit_is_read_and_the_connection_kept() {
    let (mut client, seen) = serve_and_watch(short());
    client
        .write_all(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        .unwrap();
    assert_eq!(seen.recv_timeout(Duration::from_secs(5)).unwrap(), "abc");
    client
        .write_all(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let (received, _) = read_until_closed(&mut client);
    assert_eq!(received.matches("HTTP/1.1 200").count(), 2, "{}", received);
}

#[test]
fn an_endless_chunk_size_line_is_cut_off() {
    let (mut client, seen) = serve_and_watch(short());
    client
        .write_all(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
        .unwrap();
    // Digits that never end a line: the decoder gets at most the limit and the framing
    // allowance, then the body counts as too large.
    let digits = [b'0'; 4096];
    for _ in 0..64 {
        if client.write_all(&digits).is_err() {
            break;
        }
    }
    let (received, _) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 413"), "{}", received);
    assert_eq!(seen.try_recv().unwrap(), "too large");
}

#[test]
fn a_malformed_content_length_is_answered_400() {
    for length in ["abc", "-1", "1 2", ""] {
        let (mut client, seen) = serve_and_watch(short());
        let head = format!("POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n", length);
        client.write_all(head.as_bytes()).unwrap();
        let (received, _) = read_until_closed(&mut client);
        assert!(
            received.starts_with("HTTP/1.1 400"),
            "{}: {}",
            length,
            received
        );
        assert!(seen.try_recv().is_err());
    }
    let (mut client, _) = serve_and_watch(short());
    client
        .write_all(b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
        .unwrap();
    let (received, _) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 400"), "{}", received);
}

#[test]
fn http_2_is_refused_505_and_the_connection_closed() {
    for preface in [
        &b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"[..],
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    ] {
        let (mut client, seen) = serve_and_watch(short());
        client.write_all(preface).unwrap();
        let (received, waited) = read_until_closed(&mut client);
        assert!(received.starts_with("HTTP/1.1 505"), "{}", received);
        assert!(received.contains("Connection: close"), "{}", received);
        assert!(waited < Duration::from_secs(3), "{:?}", waited);
        assert!(seen.try_recv().is_err());
    }
}

#[test]
fn a_request_line_outside_ascii_is_refused_400() {
    let lines: [&[u8]; 2] = [
        "GET /tâches HTTP/1.1\r\n\r\n".as_bytes(),
        b"GET /\xff HTTP/1.1\r\n\r\n",
    ];
    for line in lines {
        let (mut client, seen) = serve_and_watch(short());
        client.write_all(line).unwrap();
        let (received, _) = read_until_closed(&mut client);
        assert!(received.starts_with("HTTP/1.1 400"), "{}", received);
        assert!(
            received.ends_with("The request line is not ASCII"),
            "{}",
            received
        );
        assert!(seen.try_recv().is_err());
    }
}

#[test]
fn header_values_outside_ascii_are_served() {
    let (mut client, seen) = serve_and_watch(short());
    client
        .write_all("GET / HTTP/1.1\r\nX-Name: Jürgen\r\n\r\n".as_bytes())
        .unwrap();
    assert_eq!(
        seen.recv_timeout(Duration::from_secs(5)).unwrap(),
        "Jürgen "
    );
    client
        .write_all(b"GET / HTTP/1.1\r\nX-Name: \xff\xfe\r\nConnection: close\r\n\r\n")
        .unwrap();
    assert_eq!(
        seen.recv_timeout(Duration::from_secs(5)).unwrap(),
        "\u{fffd}\u{fffd} "
    );
    let (received, _) = read_until_closed(&mut client);
    assert_eq!(received.matches("HTTP/1.1 200").count(), 2, "{}", received);
}

#[test]
fn a_malformed_header_is_refused_400() {
    let (mut client, _) = serve_and_watch(short());
    client
        .write_all(b"GET / HTTP/1.1\r\nX-Broken\x00: a\r\n\r\n")
        .unwrap();
    let (received, _) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 400"), "{}", received);
}

#[test]
fn over_long_heads_are_refused_414_or_431() {
    let (mut client, _) = serve_and_watch(short());
    let line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(2000));
    client.write_all(line.as_bytes()).unwrap();
    let (received, _) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 414"), "{}", received);

    let (mut client, _) = serve_and_watch(short());
    let head = format!(
        "GET / HTTP/1.1\r\n{}\r\n",
        "X-Filler: aaaaaaaaaa\r\n".repeat(60)
    );
    client.write_all(head.as_bytes()).unwrap();
    let (received, _) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 431"), "{}", received);

    // Just under the limit is fine.
    let (mut client, seen) = serve_and_watch(short());
    let head = format!(
        "GET / HTTP/1.1\r\n{}Connection: close\r\n\r\n",
        "X-Filler: aaaaaaaaaa\r\n".repeat(40)
    );
    client.write_all(head.as_bytes()).unwrap();
    let (received, _) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 200"), "{}", received);
    assert!(seen.try_recv().is_ok());
}

#[test]
fn empty_lines_before_a_request_line_are_skipped() {
    let (mut client, _) = serve_and_watch(short());
    client
        .write_all(b"\r\n\r\nGET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let (received, _) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 200"), "{}", received);
}

fn json_page(
    status: tiny_http::StatusCode,
    reason: &'static str,
    target: Option<&str>,
) -> Response<std::io::Cursor<Vec<u8>>> {
    let target = target.unwrap_or("none");
    Response::from_string(format!(
        "{{\"error\":\"{}\",\"target\":\"{}\"}}",
        reason, target
    ))
    .with_status_code(status)
}

#[test]
fn the_servers_own_answers_use_the_limits_error_page() {
    let (mut client, _) = serve_and_watch(Limits {
        error_page: json_page,
        ..short()
    });
    client.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    let (received, _) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 408"), "{}", received);
    assert!(
        received
            .ends_with("{\"error\":\"The request head did not arrive in time\",\"target\":\"/\"}"),
        "{}",
        received
    );
    // A request line too long to read still gives the page its beginning.
    let (mut client, _) = serve_and_watch(Limits {
        error_page: json_page,
        ..short()
    });
    let line = format!("GET /api/{} HTTP/1.1\r\n\r\n", "a".repeat(2000));
    client.write_all(line.as_bytes()).unwrap();
    let (received, _) = read_until_closed(&mut client);
    assert!(received.starts_with("HTTP/1.1 414"), "{}", received);
    assert!(received.contains("\"target\":\"/api/aaaa"), "{}", received);
}

#[test]
fn connections_beyond_the_cap_are_turned_away_503_at_once() {
    let limits = Limits {
        max_connections: 2,
        idle_timeout: Duration::from_secs(30),
        ..short()
    };
    let server = Server::new(ServerConfig {
        addr: ConfigListenAddr::from_socket_addrs("127.0.0.1:0").unwrap(),
        limits,
    })
    .unwrap();
    let addr = server.server_addr().to_ip().unwrap();
    let server = std::sync::Arc::new(server);
    let answering = server.clone();
    thread::spawn(move || {
        for request in answering.incoming_requests() {
            let _ = request.respond(Response::from_string("hello"));
        }
    });
    let served = |client: &mut TcpStream| {
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut answer = [0; 512];
        let read = client.read(&mut answer).unwrap();
        assert!(answer[..read].starts_with(b"HTTP/1.1 200"));
    };
    let mut kept: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).unwrap()).collect();
    for client in &mut kept {
        served(client);
    }
    assert_eq!(server.num_connections(), 2);

    let mut third = TcpStream::connect(addr).unwrap();
    third
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let (received, waited) = read_until_closed(&mut third);
    assert!(received.starts_with("HTTP/1.1 503"), "{}", received);
    assert!(waited < Duration::from_secs(2), "{:?}", waited);

    // One of the two leaves: a new connection is served again.
    drop(kept.pop());
    let started = Instant::now();
    while server.num_connections() > 1 {
        assert!(started.elapsed() < Duration::from_secs(5));
        thread::sleep(Duration::from_millis(20));
    }
    let mut fourth = TcpStream::connect(addr).unwrap();
    served(&mut fourth);
}
