//! (Loop patch) Reading and throwing away what a client still sends. Upstream drained an
//! unread body when its reader was dropped, through a buffer as large as the *declared*
//! remaining length: `Content-Length: 1099511627776` aborted the process on a failed
//! 1 TiB allocation, and any large lie was read to its end on an application thread.

use std::io::{ErrorKind, Read};

/// The buffer bytes are thrown away through: small and fixed, whatever is declared.
const CHUNK: usize = 8 * 1024;

/// Reads and discards at most `cap` bytes from `reader`, stopping early at the end of the
/// stream or at the first error (a read timeout included). Returns how many it read.
pub fn drain<R: Read>(reader: &mut R, cap: usize) -> usize {
    let mut buf = [0u8; CHUNK];
    let mut drained = 0;
    while drained < cap {
        let want = CHUNK.min(cap - drained);
        match reader.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(read) => drained += read,
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    drained
}

#[cfg(test)]
mod tests {
    use super::drain;
    use std::io::{self, Read};

    #[test]
    fn stops_at_the_cap_however_much_is_on_offer() {
        let mut endless = io::repeat(7);
        assert_eq!(drain(&mut endless, 100_000), 100_000);
        let mut endless = io::repeat(7);
        assert_eq!(drain(&mut endless, 0), 0);
    }

    #[test]
    fn stops_at_the_end_of_the_stream() {
        let mut short = &b"rest of a body"[..];
        assert_eq!(drain(&mut short, 64 * 1024), 14);
    }

    /// A reader that gives `left` bytes, then fails as a timed-out socket does.
    struct Stalls {
        left: usize,
    }

    impl Read for Stalls {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.left == 0 {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "stalled"));
            }
            let read = buf.len().min(self.left);
            self.left -= read;
            Ok(read)
        }
    }

    #[test]
    fn stops_at_the_first_error() {
        assert_eq!(drain(&mut Stalls { left: 10_000 }, 1 << 40), 10_000);
    }
}
