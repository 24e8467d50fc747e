use ascii::AsciiString;

use std::io::Error as IoError;
use std::io::Result as IoResult;
use std::io::{BufRead, BufReader, BufWriter, ErrorKind, Read};

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Instant;

use crate::common::{HTTPVersion, Method};
use crate::util::refined_tcp_stream::ReadLimit;
use crate::util::RefinedTcpStream;
use crate::Limits;
use crate::util::{SequentialReader, SequentialReaderBuilder, SequentialWriterBuilder};
use crate::Request;

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

    /// (Loop patch) When the connection was accepted, until its first request has begun:
    /// the first head must be complete within the head timeout of that.
    accepted_at: Option<Instant>,

    /// (Loop patch) The last request's body was left unread: linger before closing.
    linger: bool,
}

/// Error that can happen when reading a request.
#[derive(Debug)]
enum ReadError {
    /// (Loop patch) The client closed the connection, or sent nothing within the idle
    /// timeout, before a new request began: the connection ends without an answer.
    Closed,
    WrongRequestLine,
    WrongHeader(HTTPVersion),
    /// the client sent an unrecognized `Expect` header
    ExpectationFailed(HTTPVersion),
    /// (Loop patch) the body's framing cannot be understood
    MalformedBody(&'static str),
    ReadIoError(IoError),
}

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
            accepted_at: Some(Instant::now()),
            linger: false,
        }
    }

    /// (Loop patch) Ends the connection gently after the answer to a request whose body
    /// was not read. Waits until that answer is out (the request hands the reader back when
    /// it is dropped), shuts down the sending side, so that the client sees the answer
    /// end, then reads and throws away what the client still sends, at most
    /// `linger_bytes` and for at most `linger_time`, before the connection is dropped:
    /// closing a socket with unread bytes resets it, and the client could lose the answer.
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

    /// (Loop patch) Waits for the first byte of the next request, for at most the idle
    /// timeout (for the connection's first request: the head timeout from its start),
    /// and from then gives the client the head timeout to complete the head.
    fn await_request(&mut self) -> Result<(), ReadError> {
        let limits = self.limits;
        let first = self.accepted_at.take();
        let reader = self
            .next_header_source
            .get_mut()
            .map_err(|_| ReadError::Closed)?;
        let wait_until = match first {
            Some(accepted_at) => accepted_at + limits.head_timeout,
            None => Instant::now() + limits.idle_timeout,
        };
        reader.get_mut().set_read_limit(ReadLimit::Until(wait_until));
        match reader.fill_buf() {
            Ok(bytes) if !bytes.is_empty() => {}
            _ => return Err(ReadError::Closed),
        }
        if first.is_none() {
            let head_until = Instant::now() + limits.head_timeout;
            reader.get_mut().set_read_limit(ReadLimit::Until(head_until));
        }
        Ok(())
    }

    /// (Loop patch) Puts the reads of the request body that follows the head under the
    /// body's limit: the client may pause between two bytes, but not for longer.
    fn expect_body(&mut self) -> Result<(), ReadError> {
        let gap = self.limits.body_gap_timeout;
        let reader = self
            .next_header_source
            .get_mut()
            .map_err(ReadError::ReadIoError)?;
        reader.get_mut().set_read_limit(ReadLimit::Gap(gap));
        Ok(())
    }

    /// Reads the next line from self.next_header_source.
    ///
    /// Reads until `CRLF` is reached. The next read will start
    ///  at the first byte of the new line.
    fn read_next_line(&mut self) -> IoResult<AsciiString> {
        let mut buf = Vec::new();
        let mut prev_byte_was_cr = false;

        loop {
            let byte = self.next_header_source.by_ref().bytes().next();

            let byte = match byte {
                Some(b) => b?,
                None => return Err(IoError::new(ErrorKind::ConnectionAborted, "Unexpected EOF")),
            };

            if byte == b'\n' && prev_byte_was_cr {
                buf.pop(); // removing the '\r'
                return AsciiString::from_ascii(buf)
                    .map_err(|_| IoError::new(ErrorKind::InvalidInput, "Header is not in ASCII"));
            }

            prev_byte_was_cr = byte == b'\r';

            buf.push(byte);
        }
    }

    /// Reads a request from the stream.
    /// Blocks until the header has been read.
    fn read(&mut self) -> Result<Request, ReadError> {
        self.await_request()?;
        let (method, path, version, headers) = {
            // reading the request line
            let (method, path, version) = {
                let line = self.read_next_line().map_err(ReadError::ReadIoError)?;

                parse_request_line(
                    line.as_str().trim(), // TODO: remove this conversion
                )?
            };

            // getting all headers
            let headers = {
                let mut headers = Vec::new();
                loop {
                    let line = self.read_next_line().map_err(ReadError::ReadIoError)?;

                    if line.is_empty() {
                        break;
                    };
                    headers.push(match FromStr::from_str(line.as_str().trim()) {
                        // TODO: remove this conversion
                        Ok(h) => h,
                        _ => return Err(ReadError::WrongHeader(version)),
                    });
                }

                headers
            };

            (method, path, version, headers)
        };
        self.expect_body()?;

        // building the writer for the request
        let writer = self.sink.next().unwrap();

        // follow-up for next potential request
        let mut data_source = self.source.next().unwrap();
        std::mem::swap(&mut self.next_header_source, &mut data_source);

        // building the next reader
        let request = crate::request::new_request(
            method,
            path,
            version.clone(),
            headers,
            *self.remote_addr.as_ref().unwrap(),
            data_source,
            writer,
            self.limits.max_body_bytes,
        )
        .map_err(|e| {
            use crate::request;
            match e {
                request::RequestCreationError::CreationIoError(e) => ReadError::ReadIoError(e),
                request::RequestCreationError::ExpectationFailed => {
                    ReadError::ExpectationFailed(version)
                }
                request::RequestCreationError::MalformedBody(why) => ReadError::MalformedBody(why),
            }
        })?;

        // return the request
        Ok(request)
    }
}

impl Iterator for ClientConnection {
    type Item = Request;

    /// Blocks until the next Request is available.
    /// Returns None when no new Requests will come from the client.
    fn next(&mut self) -> Option<Request> {
        use crate::{Response, StatusCode};

        // the client sent a "connection: close" header in this previous request
        //  or is using HTTP 1.0, meaning that no new request will come
        if self.no_more_requests {
            if self.linger {
                self.linger_close();
            }
            return None;
        }

        loop {
            let rq = match self.read() {
                Err(ReadError::WrongRequestLine) => {
                    let writer = self.sink.next().unwrap();
                    let response = Response::new_empty(StatusCode(400));
                    response
                        .raw_print(writer, HTTPVersion(1, 1), &[], false, true)
                        .ok();
                    return None; // we don't know where the next request would start,
                                 // se we have to close
                }

                Err(ReadError::WrongHeader(ver)) => {
                    let writer = self.sink.next().unwrap();
                    let response = Response::new_empty(StatusCode(400));
                    response.raw_print(writer, ver, &[], false, true).ok();
                    return None; // we don't know where the next request would start,
                                 // se we have to close
                }

                Err(ReadError::ReadIoError(ref err)) if err.kind() == ErrorKind::TimedOut => {
                    // request timeout
                    let writer = self.sink.next().unwrap();
                    let response = Response::new_empty(StatusCode(408));
                    response
                        .raw_print(writer, HTTPVersion(1, 1), &[], false, true)
                        .ok();
                    return None; // closing the connection
                }

                Err(ReadError::ExpectationFailed(ver)) => {
                    let writer = self.sink.next().unwrap();
                    let response = Response::new_empty(StatusCode(417));
                    response.raw_print(writer, ver, &[], true, true).ok();
                    return None; // TODO: should be recoverable, but needs handling in case of body
                }

                Err(ReadError::MalformedBody(why)) => {
                    let writer = self.sink.next().unwrap();
                    let response = Response::from_string(why).with_status_code(400);
                    response
                        .raw_print(writer, HTTPVersion(1, 1), &[], false, true)
                        .ok();
                    return None; // where the next request would start is unknown
                }

                Err(ReadError::ReadIoError(_)) | Err(ReadError::Closed) => return None,

                Ok(rq) => rq,
            };
            let mut rq = rq;

            // checking HTTP version
            if *rq.http_version() > (1, 1) {
                let writer = self.sink.next().unwrap();
                let response = Response::from_string(
                    "This server only supports HTTP versions 1.0 and 1.1".to_owned(),
                )
                .with_status_code(StatusCode(505));
                response
                    .raw_print(writer, HTTPVersion(1, 1), &[], false, true)
                    .ok();
                continue;
            }

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

            // returning the request
            return Some(rq);
        }
    }
}

/// Parses a "HTTP/1.1" string.
fn parse_http_version(version: &str) -> Result<HTTPVersion, ReadError> {
    let (major, minor) = match version {
        "HTTP/0.9" => (0, 9),
        "HTTP/1.0" => (1, 0),
        "HTTP/1.1" => (1, 1),
        "HTTP/2.0" => (2, 0),
        "HTTP/3.0" => (3, 0),
        _ => return Err(ReadError::WrongRequestLine),
    };

    Ok(HTTPVersion(major, minor))
}

/// Parses the request line of the request.
/// eg. GET / HTTP/1.1
fn parse_request_line(line: &str) -> Result<(Method, String, HTTPVersion), ReadError> {
    let mut parts = line.split(' ');

    let method = parts.next().and_then(|w| w.parse().ok());
    let path = parts.next().map(ToOwned::to_owned);
    let version = parts.next().and_then(|w| parse_http_version(w).ok());

    method
        .and_then(|method| Some((method, path?, version?)))
        .ok_or(ReadError::WrongRequestLine)
}

#[cfg(test)]
mod test {
    #[test]
    fn test_parse_request_line() {
        let (method, path, ver) = super::parse_request_line("GET /hello HTTP/1.1").unwrap();

        assert!(method == crate::Method::Get);
        assert!(path == "/hello");
        assert!(ver == crate::common::HTTPVersion(1, 1));

        assert!(super::parse_request_line("GET /hello").is_err());
        assert!(super::parse_request_line("qsd qsd qsd").is_err());
    }
}
