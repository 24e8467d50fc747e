use std::io::Result as IoResult;
use std::io::{BufRead, BufReader, BufWriter, ErrorKind, Read, Write};

use std::net::SocketAddr;
use std::time::Instant;

use crate::common::{is_token, HTTPVersion, Header, Method, StatusCode};
use crate::request::RequestCreationError;
use crate::util::refined_tcp_stream::ReadLimit;
use crate::util::RefinedTcpStream;
use crate::util::{SequentialReader, SequentialReaderBuilder, SequentialWriterBuilder};
use crate::{Limits, Request};

/// A ClientConnection is an object that will store a socket to a client
/// and return Request objects.
pub struct ClientConnection {
    // address of the client
    remote_addr: IoResult<Option<SocketAddr>>,

    // sequence of Readers to the stream, so that the data is not read in
    //  the wrong order
    source: SequentialReaderBuilder<BufReader<RefinedTcpStream>>,

    // sequence of Writers to the stream, to avoid writing response #2 before
    //  response #1
    sink: SequentialWriterBuilder<BufWriter<RefinedTcpStream>>,

    // Reader to read the next header from
    next_header_source: SequentialReader<BufReader<RefinedTcpStream>>,

    // set to true if we know that the previous request is the last one
    no_more_requests: bool,

    /// (Loop patch) What this connection may cost.
    limits: Limits,

    /// (Loop patch) No request has been read yet: the first head must be complete within
    /// the head timeout of the connection's start (when its thread begins to read, so
    /// that a busy machine's delay is not held against the client).
    first_request: bool,

    /// (Loop patch) The last request's body was left unread: linger before closing.
    linger: bool,

    /// (Loop patch) The target of the request being read, as far as it arrived, for the
    /// error page of a refusal.
    target: Option<String>,
}

/// (Loop patch) Why no request could be read. Upstream dropped the connection without a
/// word on a head that was not ASCII, and answered other faults with an empty body.
#[derive(Debug, PartialEq, Eq)]
enum ReadError {
    /// The client closed the connection, went quiet before a new request began, or went
    /// away in the middle of one: the connection ends without an answer.
    Closed,
    /// The request cannot be served: answer this status, with this reason in the
    /// limits' error page, then close the connection (where the next request would start
    /// is unknown).
    Refuse(StatusCode, &'static str),
}

const HEAD_TOO_SLOW: ReadError =
    ReadError::Refuse(StatusCode(408), "The request head did not arrive in time");
const BODY_TOO_SLOW: ReadError =
    ReadError::Refuse(StatusCode(408), "The request body stopped arriving");
const LINE_TOO_LONG: ReadError = ReadError::Refuse(StatusCode(414), "The request line is too long");
const HEAD_TOO_LARGE: ReadError =
    ReadError::Refuse(StatusCode(431), "The request head is too large");
const MALFORMED_LINE: ReadError = ReadError::Refuse(StatusCode(400), "Malformed request line");
const NOT_ASCII: ReadError = ReadError::Refuse(StatusCode(400), "The request line is not ASCII");
const MALFORMED_HEADER: ReadError = ReadError::Refuse(StatusCode(400), "Malformed header line");
const UNSUPPORTED_VERSION: ReadError =
    ReadError::Refuse(StatusCode(505), "Only HTTP/1.0 and HTTP/1.1 are supported");
const UNSUPPORTED_EXPECT: ReadError = ReadError::Refuse(
    StatusCode(417),
    "Only the expectation 100-continue is supported",
);

impl ClientConnection {
    /// Creates a new `ClientConnection` that takes ownership of the `TcpStream`.
    pub fn new(
        write_socket: RefinedTcpStream,
        mut read_socket: RefinedTcpStream,
        limits: Limits,
    ) -> ClientConnection {
        let remote_addr = read_socket.peer_addr();

        let mut source = SequentialReaderBuilder::new(BufReader::with_capacity(1024, read_socket));
        let first_header = source.next().unwrap();

        ClientConnection {
            source,
            sink: SequentialWriterBuilder::new(BufWriter::with_capacity(1024, write_socket)),
            remote_addr,
            next_header_source: first_header,
            no_more_requests: false,
            limits,
            first_request: true,
            linger: false,
            target: None,
        }
    }

    /// (Loop patch) Waits for the first byte of the next request, for at most the idle
    /// timeout (for the connection's first request: the head timeout from its start),
    /// and from then gives the client the head timeout to complete the head.
    fn await_request(&mut self) -> Result<(), ReadError> {
        let limits = self.limits;
        let first = std::mem::replace(&mut self.first_request, false);
        let reader = self
            .next_header_source
            .get_mut()
            .map_err(|_| ReadError::Closed)?;
        let wait_until = if first {
            Instant::now() + limits.head_timeout
        } else {
            Instant::now() + limits.idle_timeout
        };
        reader
            .get_mut()
            .set_read_limit(ReadLimit::Until(wait_until));
        match reader.fill_buf() {
            Ok(bytes) if !bytes.is_empty() => {}
            _ => return Err(ReadError::Closed),
        }
        if !first {
            let head_until = Instant::now() + limits.head_timeout;
            reader
                .get_mut()
                .set_read_limit(ReadLimit::Until(head_until));
        }
        Ok(())
    }

    /// (Loop patch) Reads one line of the request head, without its line end (CRLF, or a
    /// bare LF, which RFC 9112 §2.2 allows a server to accept), taking at most `budget`
    /// bytes of what is left of the head's allowance. Upstream read byte by byte, without
    /// any limit, and refused (by dropping the connection) a line that was not ASCII.
    fn read_line(
        &mut self,
        budget: &mut usize,
        too_long: ReadError,
        line: &mut Vec<u8>,
    ) -> Result<(), ReadError> {
        let reader = self
            .next_header_source
            .get_mut()
            .map_err(|_| ReadError::Closed)?;
        line.clear();
        let read = reader
            .by_ref()
            .take(*budget as u64)
            .read_until(b'\n', line)
            .map_err(|e| match e.kind() {
                ErrorKind::TimedOut => HEAD_TOO_SLOW,
                _ => ReadError::Closed,
            })?;
        *budget -= read;
        if line.last() != Some(&b'\n') {
            // Either the allowance ran out, or the client left mid-line.
            return Err(if *budget == 0 {
                too_long
            } else {
                ReadError::Closed
            });
        }
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(())
    }

    /// (Loop patch) Reads the request line and the headers, at most `max_head_bytes` in
    /// all. Empty lines before the request line are skipped (RFC 9112 §2.2: some clients
    /// send one after a body).
    fn read_head(&mut self) -> Result<(Method, String, HTTPVersion, Vec<Header>), ReadError> {
        let mut budget = self.limits.max_head_bytes;
        let mut line = Vec::new();
        self.target = None;
        let (method, path, version) = loop {
            let read = self.read_line(&mut budget, LINE_TOO_LONG, &mut line);
            self.target = target_of(&line);
            read?;
            if !line.is_empty() {
                break parse_request_line(&line)?;
            }
        };
        let mut headers = Vec::new();
        loop {
            self.read_line(&mut budget, HEAD_TOO_LARGE, &mut line)?;
            if line.is_empty() {
                break;
            }
            headers.push(Header::parse_line(&line).map_err(|()| MALFORMED_HEADER)?);
        }
        Ok((method, path, version, headers))
    }

    /// (Loop patch) Puts the reads of the request body that follows the head under the
    /// body's limit: the client may pause between two bytes, but not for longer.
    fn expect_body(&mut self) -> Result<(), ReadError> {
        let gap = self.limits.body_gap_timeout;
        let reader = self
            .next_header_source
            .get_mut()
            .map_err(|_| ReadError::Closed)?;
        reader.get_mut().set_read_limit(ReadLimit::Gap(gap));
        Ok(())
    }

    /// Reads a request from the stream.
    /// Blocks until the header has been read.
    fn read(&mut self) -> Result<Request, ReadError> {
        self.await_request()?;
        let (method, path, version, headers) = self.read_head()?;
        self.expect_body()?;

        // building the writer for the request
        let writer = self.sink.next().unwrap();

        // follow-up for next potential request
        let mut data_source = self.source.next().unwrap();
        std::mem::swap(&mut self.next_header_source, &mut data_source);

        // building the next reader (Loop patch: which reads the body, and no longer
        // panics when the client's address could not be had)
        let remote_addr = self.remote_addr.as_ref().ok().copied().flatten();
        crate::request::new_request(
            method,
            path,
            version,
            headers,
            remote_addr,
            data_source,
            writer,
            self.limits.max_body_bytes,
        )
        .map_err(|e| match e {
            RequestCreationError::CreationIoError(e) if e.kind() == ErrorKind::TimedOut => {
                BODY_TOO_SLOW
            }
            RequestCreationError::CreationIoError(_) => ReadError::Closed,
            RequestCreationError::ExpectationFailed => UNSUPPORTED_EXPECT,
            RequestCreationError::MalformedBody(why) => ReadError::Refuse(StatusCode(400), why),
        })
    }

    /// (Loop patch) Answers a request that cannot be served with the limits' error page,
    /// saying that the connection closes, then closes it gently.
    fn refuse(&mut self, status: StatusCode, reason: &'static str) {
        let page = (self.limits.error_page)(status, reason, self.target.as_deref());
        let mut writer = self.sink.next().unwrap();
        let sent = page
            .raw_print(&mut writer, HTTPVersion(1, 1), &[], false, true)
            .and_then(|()| writer.flush());
        drop(writer);
        if sent.is_ok() {
            self.linger_close();
        }
    }

    /// (Loop patch) Ends the connection gently after an answer that leaves bytes unread
    /// (a body too large to read, a head that could not be understood). Waits until that
    /// answer is out (a request hands the reader back when it is dropped), shuts down the
    /// sending side, so that the client sees the answer end, then reads and throws away
    /// what the client still sends, at most `linger_bytes` and for at most `linger_time`,
    /// before the connection is dropped: closing a socket with unread bytes resets it,
    /// and the client could lose the answer.
    fn linger_close(&mut self) {
        let limits = self.limits;
        let Ok(reader) = self.next_header_source.get_mut() else {
            return;
        };
        let socket = reader.get_mut();
        socket.shutdown_write();
        socket.set_read_limit(ReadLimit::Until(Instant::now() + limits.linger_time));
        crate::util::drain(reader, limits.linger_bytes);
    }
}

impl Iterator for ClientConnection {
    type Item = Request;

    /// Blocks until the next Request is available.
    /// Returns None when no new Requests will come from the client.
    fn next(&mut self) -> Option<Request> {
        // the client sent a "connection: close" header in this previous request
        //  or is using HTTP 1.0, meaning that no new request will come
        if self.no_more_requests {
            if self.linger {
                self.linger_close();
            }
            return None;
        }

        let mut rq = match self.read() {
            Ok(rq) => rq,
            Err(ReadError::Closed) => return None,
            Err(ReadError::Refuse(status, reason)) => {
                self.refuse(status, reason);
                return None;
            }
        };

        // updating the status of the connection
        let connection_header = rq
            .headers()
            .iter()
            .find(|h| h.field.equiv("Connection"))
            .map(|h| h.value.as_str());

        let lowercase = connection_header.map(|h| h.to_ascii_lowercase());

        match lowercase {
            Some(ref val) if val.contains("close") => self.no_more_requests = true,
            Some(ref val) if val.contains("upgrade") => self.no_more_requests = true,
            Some(ref val)
                if !val.contains("keep-alive") && *rq.http_version() == HTTPVersion(1, 0) =>
            {
                self.no_more_requests = true
            }
            None if *rq.http_version() == HTTPVersion(1, 0) => self.no_more_requests = true,
            _ => (),
        };

        // (Loop patch) a body left unread ends the connection, after lingering
        if rq.body_too_large() {
            self.no_more_requests = true;
            self.linger = true;
        }
        rq.set_closes_connection(self.no_more_requests);

        Some(rq)
    }
}

/// (Loop patch) The request target in a request line, or in as much of one as arrived
/// (bytes outside ASCII replaced): the second of its words.
fn target_of(line: &[u8]) -> Option<String> {
    let line = String::from_utf8_lossy(line);
    line.split(' ').nth(1).map(str::to_owned)
}

/// Parses a "HTTP/1.1" string. (Loop patch: any well-formed version other than 1.0 and
/// 1.1 is refused with 505 and the connection closed; upstream answered 505 to 2.0 and
/// 3.0, then waited on the connection for ever, and took other versions for garbage.)
fn parse_http_version(version: &str) -> Result<HTTPVersion, ReadError> {
    match version.strip_prefix("HTTP/").map(str::as_bytes) {
        Some([b'1', b'.', b'0']) => Ok(HTTPVersion(1, 0)),
        Some([b'1', b'.', b'1']) => Ok(HTTPVersion(1, 1)),
        Some([major, b'.', minor]) if major.is_ascii_digit() && minor.is_ascii_digit() => {
            Err(UNSUPPORTED_VERSION)
        }
        _ => Err(MALFORMED_LINE),
    }
}

/// Parses the request line of the request.
/// eg. GET / HTTP/1.1
/// (Loop patch: from bytes, refusing with 400 what is not ASCII or has other than three
/// parts, a method that is not a token, or control characters in the target.)
fn parse_request_line(line: &[u8]) -> Result<(Method, String, HTTPVersion), ReadError> {
    if !line.is_ascii() {
        return Err(NOT_ASCII);
    }
    let line = std::str::from_utf8(line).map_err(|_| NOT_ASCII)?;
    let mut parts = line.split(' ');
    let (Some(method), Some(path), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(MALFORMED_LINE);
    };
    let version = parse_http_version(version)?;
    if !is_token(method.as_bytes()) || path.is_empty() || path.bytes().any(|b| b.is_ascii_control())
    {
        return Err(MALFORMED_LINE);
    }
    let method = method.parse().map_err(|()| MALFORMED_LINE)?;
    Ok((method, path.to_owned(), version))
}

#[cfg(test)]
mod test {
    use super::{
        parse_request_line, ClientConnection, ReadError, HEAD_TOO_LARGE, LINE_TOO_LONG,
        MALFORMED_LINE, NOT_ASCII, UNSUPPORTED_VERSION,
    };
    use crate::common::HTTPVersion;
    use crate::util::RefinedTcpStream;
    use crate::Limits;
    use std::io::Write;
    use std::net::{Shutdown, TcpListener, TcpStream};

    /// The head limit of [`read_head_of`].
    const HEAD_LIMIT: usize = 64;

    /// What a connection reads as a request head when a client sends `sent` and closes
    /// its side: the target and the header values, or the refusal.
    fn read_head_of(sent: &[u8]) -> Result<(String, Vec<String>), ReadError> {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        client.write_all(sent).unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let (read, write) = RefinedTcpStream::new(accepted).unwrap();
        let limits = Limits {
            max_head_bytes: HEAD_LIMIT,
            ..Limits::default()
        };
        let mut connection = ClientConnection::new(write, read, limits);
        connection.await_request()?;
        let (_, target, _, headers) = connection.read_head()?;
        Ok((target, headers.into_iter().map(|h| h.value).collect()))
    }

    /// A head of `HEAD_LIMIT` bytes with a header of `value_length` bytes of value.
    fn head_with_value(value_length: usize) -> Vec<u8> {
        format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "v".repeat(value_length)).into_bytes()
    }

    #[test]
    fn heads_are_read_up_to_the_limit_and_refused_beyond_it() {
        // 16 bytes of request line, 3 + 41 + 2 of header line, 2 of blank line: 64.
        let at_limit = head_with_value(41);
        assert_eq!(at_limit.len(), HEAD_LIMIT);
        assert_eq!(
            read_head_of(&at_limit),
            Ok(("/".to_owned(), vec!["v".repeat(41)]))
        );
        assert_eq!(read_head_of(&head_with_value(42)), Err(HEAD_TOO_LARGE));
        // Blank lines before the request line count against the limit too.
        let mut padded = b"\r\n".to_vec();
        padded.extend(head_with_value(39));
        assert_eq!(
            read_head_of(&padded).map(|(target, _)| target),
            Ok("/".to_owned())
        );
        padded.splice(0..0, b"\r\n".iter().copied());
        assert_eq!(read_head_of(&padded), Err(HEAD_TOO_LARGE));
    }

    #[test]
    fn a_request_line_longer_than_the_limit_is_refused_414() {
        let target = format!("/{}", "a".repeat(HEAD_LIMIT));
        let head = format!("GET {target} HTTP/1.1\r\n\r\n");
        assert_eq!(read_head_of(head.as_bytes()), Err(LINE_TOO_LONG));
    }

    #[test]
    fn header_values_outside_ascii_are_read_not_refused() {
        let head = "GET / HTTP/1.1\r\nX-Name: J\u{fc}rgen\r\nX-Raw: \r\n\r\n";
        let mut bytes = head.as_bytes().to_vec();
        // A value of bytes that are not UTF-8 (obs-text) is read too, decoded lossily.
        let raw = bytes.len() - 4;
        bytes.splice(raw..raw, [0xff, 0xfe]);
        assert_eq!(
            read_head_of(&bytes),
            Ok((
                "/".to_owned(),
                vec!["J\u{fc}rgen".to_owned(), "\u{fffd}\u{fffd}".to_owned()]
            ))
        );
    }

    #[test]
    fn test_parse_request_line() {
        let (method, path, ver) = parse_request_line(b"GET /hello HTTP/1.1").unwrap();

        assert!(method == crate::Method::Get);
        assert!(path == "/hello");
        assert!(ver == crate::common::HTTPVersion(1, 1));

        assert!(parse_request_line(b"GET /hello").is_err());
        assert!(parse_request_line(b"qsd qsd qsd").is_err());
    }

    fn refusal(line: &[u8]) -> ReadError {
        parse_request_line(line).map(|_| ()).unwrap_err()
    }

    #[test]
    fn versions_other_than_1_0_and_1_1_are_refused_505() {
        let (_, _, ver) = parse_request_line(b"GET / HTTP/1.0").unwrap();
        assert_eq!(ver, HTTPVersion(1, 0));
        for line in [
            &b"GET / HTTP/2.0"[..],
            b"PRI * HTTP/2.0",
            b"GET / HTTP/3.0",
            b"GET / HTTP/0.9",
            b"GET / HTTP/1.2",
        ] {
            assert_eq!(refusal(line), UNSUPPORTED_VERSION);
        }
        for line in [&b"GET / HTTP/11"[..], b"GET / HTTPS/1.1", b"GET / HTTP/a.b"] {
            assert_eq!(refusal(line), MALFORMED_LINE);
        }
    }

    #[test]
    fn malformed_or_non_ascii_request_lines_are_refused_400() {
        assert_eq!(refusal("GET /é HTTP/1.1".as_bytes()), NOT_ASCII);
        assert_eq!(refusal(b"GET /\xff HTTP/1.1"), NOT_ASCII);
        for line in [
            &b"GET /a b HTTP/1.1"[..],
            b"GET  / HTTP/1.1",
            b"G(T / HTTP/1.1",
            b" / HTTP/1.1",
            b"GET /\x01 HTTP/1.1",
        ] {
            assert_eq!(refusal(line), MALFORMED_LINE, "{:?}", line);
        }
    }
}
