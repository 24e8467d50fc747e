use std::io::Error as IoError;
use std::io::{self, Cursor, ErrorKind, Read, Write};

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use crate::{HTTPVersion, Header, Method, Response};
use chunked_transfer::Decoder;

/// Represents an HTTP request made by a client.
///
/// A `Request` object is what is produced by the server, and is your what
/// your code must analyse and answer.
///
/// This object implements the `Send` trait, therefore you can dispatch your requests to
/// worker threads.
///
/// # Bodies (Loop patch)
///
/// The connection reads a request's whole body before it hands the request over, so that
/// the application's threads never wait on a slow client; a body larger than
/// [`Limits::max_body_bytes`](crate::Limits) is not read at all: the request comes with
/// [`body_too_large`](Request::body_too_large) set and an empty body, and the connection
/// closes after the answer (which says `Connection: close`).
///
/// # Pipelining
///
/// If a client sends multiple requests in a row (without waiting for the response), then you will
/// get multiple `Request` objects simultaneously. This is called *requests pipelining*.
/// Tiny-http automatically reorders the responses so that you don't need to worry about the order
/// in which you call `respond` or `into_writer`.
///
/// This mechanic is disabled if:
///
///  - A request sends a `Connection: close` header or `Connection: upgrade` header, which
///    indicates that this is the last request that will be received on this connection
///  - A request's body is too large to be read
///
/// # Automatic cleanup
///
/// If a `Request` object is destroyed without `into_writer` or `respond` being called,
/// an empty response with a 500 status code (internal server error) will automatically be
/// sent back to the client.
/// This means that if your code fails during the handling of a request, this "internal server
/// error" response will automatically be sent during the stack unwinding.
///
/// # Testing
///
/// If you want to build fake requests to test your server, use [`TestRequest`](crate::test::TestRequest).
pub struct Request {
    /// (Loop patch) The body, read in full before the request was handed over.
    body: Cursor<Vec<u8>>,

    // if this writer is empty, then the request has been answered
    response_writer: Option<Box<dyn Write + Send + 'static>>,

    remote_addr: Option<SocketAddr>,

    method: Method,

    path: String,

    http_version: HTTPVersion,

    headers: Vec<Header>,

    body_length: Option<usize>,

    /// (Loop patch) The body was larger than the limit and has not been read.
    body_too_large: bool,

    /// (Loop patch) The connection closes after this request's answer, which says so.
    closes_connection: bool,

    /// (Loop patch) The connection's reader, when the body was left unread: kept until the
    /// request is dropped, after its answer, so that the connection reads nothing more
    /// (and closes) only once the answer is out.
    _unread_body: Option<Box<dyn Send>>,
}

/// Error that can happen when building a `Request` object.
#[derive(Debug)]
pub enum RequestCreationError {
    /// The client sent an `Expect` header that was not recognized by tiny-http.
    ExpectationFailed,

    /// Error while reading data from the socket during the creation of the `Request`.
    CreationIoError(IoError),

    /// (Loop patch) The body's framing cannot be understood (a `Content-Length` that is
    /// not a number, or two that differ; broken chunked encoding): where the next request
    /// would start is unknown.
    MalformedBody(&'static str),
}

impl From<IoError> for RequestCreationError {
    fn from(err: IoError) -> RequestCreationError {
        RequestCreationError::CreationIoError(err)
    }
}

/// (Loop patch) How many raw bytes a chunked body may spend on its framing (chunk sizes,
/// extensions, line ends) on top of its data, so that a client cannot feed the decoder an
/// endless chunk-size line.
const CHUNK_FRAMING_ALLOWANCE: u64 = 64 * 1024;

/// (Loop patch) The most memory set aside for a body before its bytes arrive: a declared
/// length is a promise, not a reason to allocate.
const INITIAL_BODY_CAPACITY: usize = 64 * 1024;

/// Builds a new request.
///
/// After the request line and headers have been read from the socket, a new `Request` object
/// is built.
///
/// You must pass a `Read` that will allow the `Request` object to read from the incoming data.
/// It is the responsibility of the `Request` to read only the data of the request and not further.
///
/// (Loop patch) The body is read here, in full, when it is at most `max_body_bytes` long
/// (after a `100 Continue` when the client asked for one); a longer one is not read, and
/// `source_data` is kept until the request is dropped.
///
/// The `Write` object will be used by the `Request` to write the response.
#[allow(clippy::too_many_arguments)]
pub fn new_request<R, W>(
    method: Method,
    path: String,
    version: HTTPVersion,
    headers: Vec<Header>,
    remote_addr: Option<SocketAddr>,
    mut source_data: R,
    mut writer: W,
    max_body_bytes: usize,
) -> Result<Request, RequestCreationError>
where
    R: Read + Send + 'static,
    W: Write + Send + 'static,
{
    // finding the transfer-encoding header
    let chunked = headers
        .iter()
        .any(|h: &Header| h.field.equiv("Transfer-Encoding"));

    // finding the content-length header
    let content_length = if chunked {
        // if transfer-encoding is specified, the Content-Length
        // header must be ignored (RFC2616 #4.4)
        None
    } else {
        declared_length(&headers)?
    };

    // true if the client sent a `Expect: 100-continue` header
    let expects_continue = {
        match headers
            .iter()
            .find(|h: &&Header| h.field.equiv("Expect"))
            .map(|h| h.value.as_str())
        {
            None => false,
            Some(v) if v.eq_ignore_ascii_case("100-continue") => true,
            _ => return Err(RequestCreationError::ExpectationFailed),
        }
    };

    let fits = content_length.is_none_or(|length| length <= max_body_bytes);
    let body = if !fits {
        None
    } else {
        let has_body = chunked || content_length.is_some_and(|length| length > 0);
        if expects_continue && has_body && version >= HTTPVersion(1, 1) {
            writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            writer.flush()?;
        }
        match content_length {
            Some(length) => Some(read_body(&mut source_data, length)?),
            None if chunked => read_chunked_body(&mut source_data, max_body_bytes)?,
            // if we have neither a Content-Length nor a Transfer-Encoding,
            // assuming that we have no data
            None => Some(Vec::new()),
        }
    };
    let (body, body_too_large, unread_body) = match body {
        Some(body) => {
            // The next request may be read while this one is answered.
            drop(source_data);
            (body, false, None)
        }
        None => (
            Vec::new(),
            true,
            Some(Box::new(source_data) as Box<dyn Send>),
        ),
    };

    Ok(Request {
        body: Cursor::new(body),
        response_writer: Some(Box::new(writer) as Box<dyn Write + Send + 'static>),
        remote_addr,
        method,
        path,
        http_version: version,
        headers,
        body_length: content_length,
        body_too_large,
        closes_connection: false,
        _unread_body: unread_body,
    })
}

/// (Loop patch) The `Content-Length` of a request: none, or one number (repeated
/// headers must agree). Upstream took a malformed value for "no body" and read the body
/// as the next request.
fn declared_length(headers: &[Header]) -> Result<Option<usize>, RequestCreationError> {
    let mut length = None;
    for header in headers.iter().filter(|h| h.field.equiv("Content-Length")) {
        let value = header.value.as_str();
        let parsed = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            usize::from_str(value).ok()
        } else {
            None
        };
        match (parsed, length) {
            (None, _) => {
                return Err(RequestCreationError::MalformedBody(
                    "Invalid Content-Length",
                ))
            }
            (Some(new), Some(old)) if new != old => {
                return Err(RequestCreationError::MalformedBody(
                    "Conflicting Content-Length headers",
                ))
            }
            (Some(new), _) => length = Some(new),
        }
    }
    Ok(length)
}

/// (Loop patch) Reads a body of `length` bytes, growing the buffer as bytes arrive.
fn read_body<R: Read>(source: &mut R, length: usize) -> Result<Vec<u8>, RequestCreationError> {
    let mut body = Vec::with_capacity(length.min(INITIAL_BODY_CAPACITY));
    source.by_ref().take(length as u64).read_to_end(&mut body)?;
    if body.len() < length {
        let info = "Connection has been closed before we received enough data";
        return Err(IoError::new(ErrorKind::ConnectionAborted, info).into());
    }
    Ok(body)
}

/// (Loop patch) Reads and decodes a chunked body of at most `limit` bytes; `None` when it
/// is longer (what was read of it is dropped).
fn read_chunked_body<R: Read>(
    source: &mut R,
    limit: usize,
) -> Result<Option<Vec<u8>>, RequestCreationError> {
    let raw_budget = (limit as u64).saturating_add(CHUNK_FRAMING_ALLOWANCE);
    let mut decoder = Decoder::new(source.by_ref().take(raw_budget));
    let mut body = Vec::new();
    let read = decoder
        .by_ref()
        .take((limit as u64).saturating_add(1))
        .read_to_end(&mut body);
    match read {
        Ok(_) if body.len() <= limit => Ok(Some(body)),
        Ok(_) => Ok(None),
        Err(_) if decoder.get_ref().limit() == 0 => Ok(None),
        Err(e) if e.kind() == ErrorKind::InvalidInput => Err(RequestCreationError::MalformedBody(
            "Malformed chunked request body",
        )),
        Err(e) => Err(e.into()),
    }
}

impl Request {
    /// Returns the method requested by the client (eg. `GET`, `POST`, etc.).
    #[inline]
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// Returns the resource requested by the client.
    #[inline]
    pub fn url(&self) -> &str {
        &self.path
    }

    /// Returns a list of all headers sent by the client.
    #[inline]
    pub fn headers(&self) -> &[Header] {
        &self.headers
    }

    /// Returns the HTTP version of the request.
    #[inline]
    pub fn http_version(&self) -> &HTTPVersion {
        &self.http_version
    }

    /// Returns the length of the body in bytes.
    ///
    /// Returns `None` if the length is unknown.
    #[inline]
    pub fn body_length(&self) -> Option<usize> {
        self.body_length
    }

    /// Returns the address of the client that sent this request.
    ///
    /// The address is always `Some` for TCP listeners, but always `None` for UNIX listeners
    /// (as the remote address of a UNIX client is almost always unnamed).
    ///
    /// Note that this is gathered from the socket. If you receive the request from a proxy,
    /// this function will return the address of the proxy and not the address of the actual
    /// user.
    #[inline]
    pub fn remote_addr(&self) -> Option<&SocketAddr> {
        self.remote_addr.as_ref()
    }

    /// (Loop patch) Whether the body was larger than the limit, and so not read: the
    /// body is then empty, and the request should be answered 413.
    #[inline]
    pub fn body_too_large(&self) -> bool {
        self.body_too_large
    }

    /// (Loop patch) Marks the request as its connection's last: the answer then says
    /// `Connection: close`.
    pub(crate) fn set_closes_connection(&mut self, closes: bool) {
        self.closes_connection = closes;
    }

    /// Allows to read the body of the request.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # use std::io::Read;
    /// # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
    /// let mut request = server.recv().unwrap();
    ///
    /// let mut content = String::new();
    /// request.as_reader().read_to_string(&mut content).unwrap();
    /// ```
    #[inline]
    pub fn as_reader(&mut self) -> &mut dyn Read {
        &mut self.body
    }

    /// Turns the `Request` into a writer.
    ///
    /// The writer has a raw access to the stream to the user.
    /// This function is useful for things like CGI.
    ///
    /// Note that the destruction of the `Writer` object may trigger
    /// some events. For exemple if a client has sent multiple requests and the requests
    /// have been processed in parallel, the destruction of a writer will trigger
    /// the writing of the next response.
    /// Therefore you should always destroy the `Writer` as soon as possible.
    #[inline]
    pub fn into_writer(mut self) -> Box<dyn Write + Send + 'static> {
        self.extract_writer_impl()
    }

    /// Extract the response `Writer` object from the Request, dropping this `Writer` has the same side effects
    /// as the object returned by `into_writer` above.
    ///
    /// This may only be called once on a single request.
    fn extract_writer_impl(&mut self) -> Box<dyn Write + Send + 'static> {
        use std::mem;

        assert!(self.response_writer.is_some());

        let mut writer = None;
        mem::swap(&mut self.response_writer, &mut writer);
        writer.unwrap()
    }

    /// Sends a response to this request.
    #[inline]
    pub fn respond<R>(mut self, response: Response<R>) -> Result<(), IoError>
    where
        R: Read,
    {
        self.respond_impl(response)
    }

    fn respond_impl<R>(&mut self, response: Response<R>) -> Result<(), IoError>
    where
        R: Read,
    {
        let mut writer = self.extract_writer_impl();

        let do_not_send_body = self.method == Method::Head;

        Self::ignore_client_closing_errors(response.raw_print(
            writer.by_ref(),
            self.http_version.clone(),
            &self.headers,
            do_not_send_body,
            self.closes_connection,
        ))?;

        Self::ignore_client_closing_errors(writer.flush())
    }

    fn ignore_client_closing_errors(result: io::Result<()>) -> io::Result<()> {
        result.or_else(|err| match err.kind() {
            ErrorKind::BrokenPipe => Ok(()),
            ErrorKind::ConnectionAborted => Ok(()),
            ErrorKind::ConnectionRefused => Ok(()),
            ErrorKind::ConnectionReset => Ok(()),
            _ => Err(err),
        })
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> Result<(), fmt::Error> {
        write!(
            formatter,
            "Request({} {} from {:?})",
            self.method, self.path, self.remote_addr
        )
    }
}

impl Drop for Request {
    fn drop(&mut self) {
        if self.response_writer.is_some() {
            let response = Response::empty(500);
            let _ = self.respond_impl(response); // ignoring any potential error
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{new_request, Request, RequestCreationError};
    use crate::{HTTPVersion, Header, Method};

    fn post(
        headers: &[&str],
        body: &'static [u8],
        limit: usize,
    ) -> Result<Request, RequestCreationError> {
        let headers = headers
            .iter()
            .map(|h| h.parse::<Header>().unwrap())
            .collect();
        new_request(
            Method::Post,
            "/".to_owned(),
            HTTPVersion(1, 1),
            headers,
            None,
            body,
            std::io::sink(),
            limit,
        )
    }

    #[test]
    fn a_declared_length_over_the_limit_is_neither_read_nor_allocated() {
        let mut request = post(&["Content-Length: 1099511627776"], b"abc", 1024).unwrap();
        assert!(request.body_too_large());
        assert_eq!(request.body_length(), Some(1 << 40));
        let mut body = Vec::new();
        request.as_reader().read_to_end(&mut body).unwrap();
        assert!(body.is_empty());
    }

    #[test]
    fn a_body_within_the_limit_is_read_whole() {
        let mut request = post(&["Content-Length: 5"], b"hello, and more", 5).unwrap();
        assert!(!request.body_too_large());
        let mut body = String::new();
        request.as_reader().read_to_string(&mut body).unwrap();
        assert_eq!(body, "hello");
    }

    #[test]
    fn a_body_cut_short_is_an_error() {
        assert!(matches!(
            post(&["Content-Length: 10"], b"short", 100),
            Err(RequestCreationError::CreationIoError(_))
        ));
    }

    #[test]
    fn content_lengths_must_be_one_plain_number() {
        for bad in ["+5", "5 5", "0x5", "99999999999999999999999"] {
            let header = format!("Content-Length: {}", bad);
            assert!(
                matches!(
                    post(&[&header], b"hello", 100),
                    Err(RequestCreationError::MalformedBody(_))
                ),
                "{}",
                bad
            );
        }
        assert!(post(&["Content-Length: 5", "Content-Length: 5"], b"hello", 100).is_ok());
    }

    #[test]
    fn chunked_bodies_are_decoded_within_the_limit() {
        let chunked = "Transfer-Encoding: chunked";
        let mut request = post(&[chunked], b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 5).unwrap();
        let mut body = String::new();
        request.as_reader().read_to_string(&mut body).unwrap();
        assert_eq!(body, "abcde");
        let request = post(&[chunked], b"3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", 5).unwrap();
        assert!(request.body_too_large());
        assert!(matches!(
            post(&[chunked], b"zz\r\nabc\r\n", 5),
            Err(RequestCreationError::MalformedBody(_))
        ));
    }

    #[test]
    fn must_be_send() {
        #![allow(dead_code)]
        fn f<T: Send>(_: &T) {}
        fn bar(rq: &Request) {
            f(rq);
        }
    }
}
