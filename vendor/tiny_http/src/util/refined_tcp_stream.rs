use std::io::Result as IoResult;
use std::io::{Error as IoError, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

use crate::connection::Connection;

/// (Loop patch) How long a read from the client may wait, set by the connection for each
/// part of a request. Upstream reads without any limit, so a client that stops sending
/// holds its thread for ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadLimit {
    /// Reads fail with `TimedOut` once this instant has passed: the wait for the next
    /// request, the time to send a request head, the lingering close.
    Until(Instant),
    /// A read fails with `TimedOut` after waiting this long for a byte: a request body,
    /// which may be slow as long as it keeps moving.
    Gap(Duration),
}

/// How far past an [`ReadLimit::Until`] deadline a read may block. The receive timeout on
/// the socket is only changed when it would overshoot the deadline by more than this, so
/// that a connection busy with back-to-back requests does not pay a system call per read.
const DEADLINE_SLACK: Duration = Duration::from_millis(100);

pub struct RefinedTcpStream {
    stream: Connection,
    close_read: bool,
    close_write: bool,
    /// (Loop patch) The limit reads are under; `None` until the connection sets one.
    read_limit: Option<ReadLimit>,
    /// (Loop patch) The receive timeout last set on the socket: `None` when unknown (not
    /// set yet, or found too short for the current deadline), `Some(None)` for none.
    applied: Option<Option<Duration>>,
}

impl RefinedTcpStream {
    /// The read and the write half of one connection. (Loop patch: an error, rather than
    /// a panic of the accepting thread, when the socket cannot be duplicated.)
    pub(crate) fn new<S>(stream: S) -> IoResult<(RefinedTcpStream, RefinedTcpStream)>
    where
        S: Into<Connection>,
    {
        let stream: Connection = stream.into();

        let (read, write) = (stream.try_clone()?, stream);

        let read = RefinedTcpStream {
            stream: read,
            close_read: true,
            close_write: false,
            read_limit: None,
            applied: None,
        };

        let write = RefinedTcpStream {
            stream: write,
            close_read: false,
            close_write: true,
            read_limit: None,
            applied: None,
        };

        Ok((read, write))
    }

    pub(crate) fn peer_addr(&mut self) -> IoResult<Option<SocketAddr>> {
        self.stream.peer_addr()
    }

    /// (Loop patch) Sends the end of the stream after what has been written, so that the
    /// client sees its last answer end; reading stays possible.
    pub(crate) fn shutdown_write(&self) {
        self.stream.shutdown(Shutdown::Write).ok();
    }

    /// (Loop patch) Puts the following reads under `limit`.
    pub(crate) fn set_read_limit(&mut self, limit: ReadLimit) {
        self.read_limit = Some(limit);
    }

    /// (Loop patch) Sets the socket's receive timeout to what the read limit allows now,
    /// unless the one already set will do.
    fn apply_read_limit(&mut self) -> IoResult<()> {
        let wanted = match self.read_limit {
            None => None,
            Some(ReadLimit::Gap(gap)) => Some(gap),
            Some(ReadLimit::Until(deadline)) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(timed_out());
                }
                Some(left)
            }
        };
        let fits = match (self.read_limit, self.applied) {
            (_, None) => false,
            // A shorter timeout is fine: a read that times out early is retried.
            (Some(ReadLimit::Until(_)), Some(Some(applied))) => {
                wanted.is_some_and(|left| applied <= left + DEADLINE_SLACK)
            }
            (_, Some(applied)) => applied == wanted,
        };
        if !fits {
            self.stream.set_read_timeout(wanted)?;
            self.applied = Some(wanted);
        }
        Ok(())
    }
}

/// The error of a read or write that ran out of time (the socket reports `WouldBlock` on
/// Unix and `TimedOut` on Windows).
fn timed_out() -> IoError {
    IoError::new(ErrorKind::TimedOut, "the client took too long")
}

fn is_timeout(error: &IoError) -> bool {
    matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

impl Drop for RefinedTcpStream {
    fn drop(&mut self) {
        if self.close_read {
            self.stream.shutdown(Shutdown::Read).ok();
        }

        if self.close_write {
            self.stream.shutdown(Shutdown::Write).ok();
        }
    }
}

impl Read for RefinedTcpStream {
    fn read(&mut self, buf: &mut [u8]) -> IoResult<usize> {
        loop {
            self.apply_read_limit()?;
            match self.stream.read(buf) {
                Err(error) if is_timeout(&error) => {
                    let deadline_left = match self.read_limit {
                        Some(ReadLimit::Until(deadline)) => Instant::now() < deadline,
                        _ => false,
                    };
                    if !deadline_left {
                        return Err(timed_out());
                    }
                    // The timeout set was shorter than the deadline: set it anew.
                    self.applied = None;
                }
                other => return other,
            }
        }
    }
}

impl Write for RefinedTcpStream {
    /// (Loop patch) A write that times out (the socket's write timeout, set when the
    /// connection is accepted) ends the connection: part of a response may have been
    /// sent, so nothing after it could be understood, and the client is not reading.
    fn write(&mut self, buf: &[u8]) -> IoResult<usize> {
        self.stream
            .write(buf)
            .map_err(|error| self.close_on_timeout(error))
    }

    fn flush(&mut self) -> IoResult<()> {
        self.stream
            .flush()
            .map_err(|error| self.close_on_timeout(error))
    }
}

impl RefinedTcpStream {
    fn close_on_timeout(&self, error: IoError) -> IoError {
        if is_timeout(&error) {
            self.stream.shutdown(Shutdown::Both).ok();
            timed_out()
        } else {
            error
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ReadLimit, RefinedTcpStream};
    use std::io::{ErrorKind, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::time::{Duration, Instant};

    /// A connected pair: the server's read and write halves, and the client's socket.
    fn pair() -> (RefinedTcpStream, RefinedTcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        let (read, write) = RefinedTcpStream::new(accepted).unwrap();
        (read, write, client)
    }

    #[test]
    fn a_read_past_its_deadline_times_out() {
        let (mut read, _write, mut client) = pair();
        read.set_read_limit(ReadLimit::Until(
            Instant::now() + Duration::from_millis(200),
        ));
        client.write_all(b"ab").unwrap();
        let mut buf = [0; 8];
        assert_eq!(read.read(&mut buf).unwrap(), 2);
        let started = Instant::now();
        let error = read.read(&mut buf).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(2));
        // Once past the deadline, reads fail at once.
        assert_eq!(read.read(&mut buf).unwrap_err().kind(), ErrorKind::TimedOut);
    }

    #[test]
    fn a_deadline_is_kept_across_reads_that_each_wait_less() {
        let (mut read, write, mut client) = pair();
        read.set_read_limit(ReadLimit::Until(
            Instant::now() + Duration::from_millis(600),
        ));
        let writer = std::thread::spawn(move || {
            // One byte every 150 ms for 6 s: each read waits less than the deadline, all
            // of them together far more.
            for _ in 0..40 {
                if client.write_all(b"x").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(150));
            }
        });
        let started = Instant::now();
        let mut buf = [0; 1];
        let error = loop {
            if let Err(error) = read.read_exact(&mut buf) {
                break error;
            }
        };
        assert_eq!(error.kind(), ErrorKind::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(4));
        drop((read, write));
        writer.join().unwrap();
    }

    #[test]
    fn a_gap_limit_allows_slow_but_moving_data() {
        let (mut read, _write, mut client) = pair();
        read.set_read_limit(ReadLimit::Gap(Duration::from_secs(1)));
        let writer = std::thread::spawn(move || {
            for _ in 0..4 {
                client.write_all(b"x").unwrap();
                std::thread::sleep(Duration::from_millis(150));
            }
            client
        });
        let mut buf = [0; 1];
        for _ in 0..4 {
            assert_eq!(read.read(&mut buf).unwrap(), 1);
        }
        // The sender stops: the next read gives up after the gap.
        let error = read.read(&mut buf).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::TimedOut);
        drop(writer.join().unwrap());
    }

    #[test]
    fn a_write_that_times_out_closes_the_connection() {
        let (_read, mut write, mut client) = pair();
        write
            .stream
            .set_write_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        // The client reads nothing: the socket buffers fill and a write blocks.
        let chunk = vec![0u8; 1 << 16];
        let started = Instant::now();
        let error = loop {
            if let Err(error) = write.write_all(&chunk) {
                break error;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "never blocked");
        };
        assert_eq!(error.kind(), ErrorKind::TimedOut);
        // The connection was shut down: the client reads what was sent, then the end.
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut sink = Vec::new();
        let ended = client.read_to_end(&mut sink);
        assert!(
            ended.is_ok() || matches!(&ended, Err(e) if e.kind() == ErrorKind::ConnectionReset),
            "{:?}",
            ended
        );
    }
}
