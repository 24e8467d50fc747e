//! The `loop` binary serving as a child process.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use super::cli::BIN;
use super::server::KEY;

/// The `loop` binary serving as a child process, for what a test can only see from
/// outside the server: its threads and memory, a crash, a restart after `SIGKILL`. It
/// listens on a free port (`--port 0`; the port is read from the line it prints on
/// start) with the database given, `LOOP_API_KEY` = [`KEY`] and nothing else from the
/// environment; its standard error goes to `<database>.log`.
pub struct ServerProcess {
    child: std::process::Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts `loop serve` on `db` with the extra `args`, waiting until it listens.
    pub fn start(db: &Path, args: &[&str]) -> Self {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let log = db.with_extension("log");
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("server log");
        let mut child = Command::new(BIN)
            .arg("serve")
            .args(["--port", "0", "--db"])
            .arg(db)
            .args(args)
            .env_clear()
            .env("LOOP_API_KEY", KEY)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("loop serve starts");
        let stdout = child.stdout.take().expect("standard output");
        let mut lines = std::io::BufReader::new(stdout).lines();
        // "Loop listening on http://127.0.0.1:PORT with database …"
        let addr = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                let rest = line.strip_prefix("Loop listening on http://")?;
                rest.split_whitespace().next()?.parse().ok()
            })
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!(
                    "loop serve did not start: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
        // Whatever else it prints is drained, so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, addr, log }
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A number from `/proc/<pid>/status`, e.g. `Threads`, or `VmHWM` (peak resident
    /// memory, in kB); `None` once the process is gone.
    pub fn status(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status.lines().find_map(|line| {
            let value = line.strip_prefix(field)?.strip_prefix(':')?;
            value.split_whitespace().next()?.parse().ok()
        })
    }

    /// Whether it is still running (not exited, not killed).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// What it wrote to standard error so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills it with `SIGKILL`, as a crash or the OOM killer would, and reaps it.
    pub fn kill(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A child process killed when the test ends, also when an assertion fails first: a
/// leaked `loop serve` or `loop demo` would keep serving and keep open whatever files it
/// inherited (a build lock, say).
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
