//! (Loop patch) The limits on what one connection may cost: timeouts, sizes, the number of
//! connections. Each test runs a server with short limits and a raw client.

use std::io::{Read, Write};
use std::net::TcpStream;
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
    }
}

/// A server under `limits` answering every request `hello` from a thread of its own, and
/// a client connected to it.
fn serve(limits: Limits) -> TcpStream {
    let server = Server::new(ServerConfig {
        addr: ConfigListenAddr::from_socket_addrs("127.0.0.1:0").unwrap(),
        limits,
    })
    .unwrap();
    let addr = server.server_addr().to_ip().unwrap();
    thread::spawn(move || {
        for request in server.incoming_requests() {
            let _ = request.respond(Response::from_string("hello"));
        }
    });
    let client = TcpStream::connect(addr).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    client
}

/// Everything the server sends until it closes the connection, and how long that took.
fn read_until_closed(client: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut received = Vec::new();
    let _ = client.read_to_end(&mut received);
    (String::from_utf8_lossy(&received).into_owned(), started.elapsed())
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
    let mut client = serve(short());
    for _ in 0..3 {
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut answer = [0; 512];
        let read = client.read(&mut answer).unwrap();
        assert!(answer[..read].starts_with(b"HTTP/1.1 200"));
        // Less than the idle timeout between requests, more than the head timeout in all.
        thread::sleep(Duration::from_millis(250));
    }
}
