//! The single writer: every write transaction of the server, one at a time, on one
//! connection, with group commit.
//!
//! Most of a small write's cost is its commit: a `BEGIN IMMEDIATE` (file locks), then a
//! WAL frame per page the write dirtied (two `pwrite`s each), then the locks again, all
//! while every other writer waits. Consecutive writes mostly dirty the same pages (the
//! right-most leaves of each index), so when writers are queued the holder of the
//! lock leaves the transaction open for them and the last of the group commits it once
//! for all. Each write still runs alone under the lock and in its own savepoint, so a
//! write that fails or panics undoes only itself, and `write` returns only after the
//! commit that makes its work durable (or with that commit's error): a 2xx still means
//! committed.
//!
//! Checkpoints (copying the WAL back into the database file, with two `fsync`s) are
//! mostly done by a thread of their own, so that the writer, which SQLite makes
//! checkpoint after the commit that grows the WAL past a threshold, rarely has much left
//! to copy while every writer waits.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use rusqlite::{Connection, TransactionBehavior};

use crate::clock::Timestamp;
use crate::metrics::Metrics;
use crate::store::StoreError;

/// Most writes committed together, so that a steady stream of writers cannot hold a
/// transaction open (and its members waiting) indefinitely.
const MAX_GROUP: usize = 32;

/// Commits between two background checkpoints. Each checkpoint copies every page written
/// since the last once, however often it was written, and syncs twice: every 16 commits,
/// under issue creation, the checkpoint thread took 12% of the server's time. Every 128
/// saved 5–10% of the CPU per write but left more for the writer's own checkpoints (see
/// [`WRITER_CHECKPOINT_PAGES`]) to copy under the lock; every 32, with those rarer, the
/// write paths' p99 fell by half at the same throughput (BENCHMARKS.md).
const COMMITS_PER_CHECKPOINT: u64 = 32;

/// WAL pages after which the writer checkpoints itself (SQLite's `wal_autocheckpoint`,
/// 1000 by default). It copies only what the background checkpoints have not, but only
/// a checkpoint during which nothing commits lets the WAL start again from its
/// beginning rather than grow. That checkpoint runs under the writer lock and syncs
/// twice (0.5–1 ms each here), and SQLite repeats it after every commit until one
/// completes (a reader on an older snapshot stops it short): at 4,000 pages about one
/// commit in 64 took some 4 ms, and every writer waited behind it. At 16,000 (a WAL of up
/// to some 64 MB, reused) those pauses are a quarter as frequent and drop out of the p99.
const WRITER_CHECKPOINT_PAGES: i64 = 16_000;

/// Serialises writes, on its own connection once it has one.
pub struct Writer {
    /// The writer connection (`None`: writes run on the caller's connection, one at a
    /// time, each in its own transaction) and the group whose transaction is open.
    state: Mutex<Option<State>>,
    /// Writers waiting for `state`: while there are any, the holder leaves the group
    /// open for them.
    queued: AtomicUsize,
    /// Writes committed so far: answers kept for reuse ([`crate::answers`]) are stamped
    /// with it, since a connection's `data_version` misses the connection's own commits.
    written: AtomicU64,
    /// The background checkpoint thread, when there is a writer connection.
    checkpointer: Option<(Arc<Checkpoints>, JoinHandle<()>)>,
}

struct State {
    conn: Connection,
    /// The group whose transaction is open on `conn`, if any.
    open: Option<Arc<Group>>,
    /// Writes of the open group that succeeded (and wait for its commit).
    members: usize,
    /// Commits so far.
    commits: u64,
    /// Where to ask for a background checkpoint.
    checkpoints: Arc<Checkpoints>,
    /// Where each commit's group size is recorded.
    metrics: Arc<Metrics>,
}

/// Requests to the background checkpoint thread.
#[derive(Default)]
struct Checkpoints {
    /// `(due, stop)`: a checkpoint is wanted; the thread should end.
    asked: Mutex<(bool, bool)>,
    wake: Condvar,
}

impl Checkpoints {
    fn ask(&self, stop: bool) {
        let mut asked = self.asked.lock().unwrap_or_else(PoisonError::into_inner);
        asked.0 = true;
        asked.1 |= stop;
        self.wake.notify_one();
    }

    /// The checkpoint thread: a passive checkpoint (it copies what it can without
    /// waiting for the writer or any reader) each time one is asked for.
    fn run(&self, conn: &Connection) {
        loop {
            {
                let mut asked = self.asked.lock().unwrap_or_else(PoisonError::into_inner);
                while !asked.0 {
                    asked = self
                        .wake
                        .wait(asked)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                if asked.1 {
                    return;
                }
                asked.0 = false;
            }
            if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                eprintln!("warning: background checkpoint failed: {error}");
            }
        }
    }
}

/// Writes committed together; each member waits for the group's outcome.
#[derive(Default)]
struct Group {
    outcome: Mutex<Option<Result<(), String>>>,
    settled: Condvar,
}

impl Group {
    fn settle(&self, outcome: Result<(), String>) {
        *self.outcome.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
        self.settled.notify_all();
    }

    fn wait(&self) -> Result<(), String> {
        let mut outcome = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(outcome) = outcome.as_ref() {
                return outcome.clone();
            }
            outcome = self
                .settled
                .wait(outcome)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl Writer {
    /// Writes waiting for their turn.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::SeqCst)
    }

    /// Writes committed so far (each counted before its `write` returns).
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::SeqCst)
    }

    /// Writes on the caller's connection, one at a time (tests with in-memory
    /// databases, which a second connection could not see).
    pub fn on_callers_connection() -> Self {
        Self {
            state: Mutex::new(None),
            queued: AtomicUsize::new(0),
            written: AtomicU64::new(0),
            checkpointer: None,
        }
    }

    /// Writes on `conn` alone, with group commit, and checkpoints mostly on
    /// `checkpoints` in a thread of its own, recording each commit's group size in
    /// `metrics`. Being the only connection that writes, `conn` also keeps its page
    /// cache: in WAL mode a connection empties it whenever it begins a transaction after
    /// another connection has committed.
    pub fn on(
        conn: Connection,
        checkpoints: Connection,
        metrics: Arc<Metrics>,
    ) -> std::io::Result<Self> {
        conn.pragma_update(None, "wal_autocheckpoint", WRITER_CHECKPOINT_PAGES)
            .map_err(std::io::Error::other)?;
        // Each write's savepoint journals the pages it changes. SQLite keeps that journal
        // in memory only up to 64 KiB unless temporary storage is in memory; past it, it
        // created a temporary file under the writer lock (once in some 37 issue
        // creations, 136 times a second under load).
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(std::io::Error::other)?;
        let asked = Arc::new(Checkpoints::default());
        let thread = std::thread::Builder::new()
            .name("loop-checkpoint".to_owned())
            .spawn({
                let asked = asked.clone();
                move || asked.run(&checkpoints)
            })?;
        Ok(Self {
            state: Mutex::new(Some(State {
                conn,
                open: None,
                members: 0,
                commits: 0,
                checkpoints: asked.clone(),
                metrics,
            })),
            queued: AtomicUsize::new(0),
            written: AtomicU64::new(0),
            checkpointer: Some((asked, thread)),
        })
    }

    /// Runs `work` as one write: alone, on the writer connection (or on `conn` when
    /// there is none), with the time `now` reads once the write's turn has come. Its
    /// changes are kept if it returns `Ok` and undone if it returns an error or panics;
    /// `write` returns once they are committed.
    pub fn write<T, E: From<StoreError>>(
        &self,
        conn: &mut Connection,
        now: impl FnOnce() -> Timestamp,
        work: impl FnOnce(&Connection, Timestamp) -> Result<T, E>,
    ) -> Result<T, E> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        self.queued.fetch_sub(1, Ordering::SeqCst);
        let Some(state) = guard.as_mut() else {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::from)?;
            let value = work(&tx, now())?;
            tx.commit().map_err(StoreError::from)?;
            self.written.fetch_add(1, Ordering::SeqCst);
            return Ok(value);
        };
        let group = state.join()?;
        let outcome = state.run(work, now);
        let committed = state.finish(self.queued.load(Ordering::SeqCst));
        drop(guard);
        let value = match outcome {
            Ok(value) => value?,
            Err(panic) => resume_unwind(panic),
        };
        committed
            .unwrap_or_else(|| group.wait())
            .map_err(StoreError::Commit)?;
        self.written.fetch_add(1, Ordering::SeqCst);
        Ok(value)
    }
}

impl Drop for Writer {
    /// Stops the checkpoint thread.
    fn drop(&mut self) {
        if let Some((asked, thread)) = self.checkpointer.take() {
            asked.ask(true);
            if thread.join().is_err() {
                eprintln!("warning: the checkpoint thread ended abnormally");
            }
        }
    }
}

type Outcome<T, E> = std::thread::Result<Result<T, E>>;

impl State {
    /// The open group, beginning its transaction if there is none.
    fn join(&mut self) -> Result<Arc<Group>, StoreError> {
        if let Some(group) = &self.open {
            return Ok(group.clone());
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let group = Arc::new(Group::default());
        self.open = Some(group.clone());
        self.members = 0;
        Ok(group)
    }

    /// Runs `work` in a savepoint of the open transaction, keeping its changes only if
    /// it succeeds. A panic is caught (and handed back) so the group is still settled.
    fn run<T, E: From<StoreError>>(
        &mut self,
        work: impl FnOnce(&Connection, Timestamp) -> Result<T, E>,
        now: impl FnOnce() -> Timestamp,
    ) -> Outcome<T, E> {
        if let Err(error) = self.statement("SAVEPOINT write") {
            return Ok(Err(StoreError::from(error).into()));
        }
        let conn = &self.conn;
        let outcome = catch_unwind(AssertUnwindSafe(|| work(conn, now())));
        let kept = match &outcome {
            Ok(Ok(_)) => self.statement("RELEASE write"),
            _ => self
                .statement("ROLLBACK TO write")
                .and_then(|()| self.statement("RELEASE write")),
        };
        match (outcome, kept) {
            (Ok(Ok(value)), Ok(())) => {
                self.members += 1;
                Ok(Ok(value))
            }
            (Ok(Ok(_)), Err(error)) => Ok(Err(StoreError::from(error).into())),
            (outcome, _) => outcome,
        }
    }

    fn statement(&self, sql: &str) -> rusqlite::Result<()> {
        self.conn.prepare_cached(sql)?.execute([]).map(|_| ())
    }

    /// After a write: commits the group unless writers are queued to join it (and it
    /// is not full). Returns the outcome when this call settled the group.
    fn finish(&mut self, queued: usize) -> Option<Result<(), String>> {
        let group = self.open.clone()?;
        if self.conn.is_autocommit() {
            // SQLite rolled the whole transaction back (a full disk, an I/O error): the
            // group's earlier writes are gone with it.
            return Some(self.settle(
                &group,
                Err("database: the write transaction was rolled back".to_owned()),
            ));
        }
        if queued > 0 && self.members < MAX_GROUP {
            return None;
        }
        let outcome = if self.members == 0 {
            self.conn.execute_batch("ROLLBACK")
        } else {
            self.conn.execute_batch("COMMIT").inspect(|()| {
                self.commits += 1;
                self.metrics.group_committed(self.members);
                if self.commits.is_multiple_of(COMMITS_PER_CHECKPOINT) {
                    self.checkpoints.ask(false);
                }
            })
        };
        let outcome = outcome.map_err(|error| {
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            format!("database: {error}")
        });
        Some(self.settle(&group, outcome))
    }

    fn settle(&mut self, group: &Group, outcome: Result<(), String>) -> Result<(), String> {
        self.open = None;
        self.members = 0;
        group.settle(outcome.clone());
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a write of these tests can fail with: the store's error, or a refusal of
    /// its own (as a use case's validation would be).
    #[derive(Debug)]
    enum TestError {
        Store,
        Refused,
    }

    impl From<StoreError> for TestError {
        fn from(_: StoreError) -> Self {
            Self::Store
        }
    }

    fn writer() -> (tempfile::TempDir, std::path::PathBuf, Writer) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("w.db");
        let conn = crate::store::open(&path).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY)")
            .unwrap_or_else(|e| panic!("{e}"));
        let writer =
            Writer::on(conn, other(&path), Arc::default()).unwrap_or_else(|e| panic!("{e}"));
        (dir, path, writer)
    }

    fn other(path: &std::path::Path) -> Connection {
        crate::store::open(path).unwrap_or_else(|e| panic!("{e}"))
    }

    fn insert(n: i64) -> impl FnOnce(&Connection, Timestamp) -> Result<(), TestError> {
        move |conn, _| {
            conn.execute("INSERT INTO t (n) VALUES (?1)", [n])
                .map_err(StoreError::from)?;
            Ok(())
        }
    }

    fn stored(conn: &Connection) -> Vec<i64> {
        conn.prepare("SELECT n FROM t ORDER BY n")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn now() -> Timestamp {
        Timestamp::from_unix_millis(0)
    }

    #[test]
    fn every_write_is_committed_when_it_returns() {
        let (_dir, path, writer) = writer();
        std::thread::scope(|scope| {
            for thread in 0..8 {
                let (writer, path) = (&writer, &path);
                scope.spawn(move || {
                    let mut own = other(path);
                    for i in 0..50 {
                        let n = thread * 1000 + i;
                        writer
                            .write(&mut own, now, insert(n))
                            .unwrap_or_else(|e| panic!("{e:?}"));
                        let seen: i64 = own
                            .query_row("SELECT COUNT(*) FROM t WHERE n = ?1", [n], |r| r.get(0))
                            .unwrap_or_else(|e| panic!("{e}"));
                        assert_eq!(seen, 1, "write {n} is visible once it returns");
                    }
                });
            }
        });
        assert_eq!(stored(&other(&path)).len(), 400);
    }

    /// A write that fails or panics inside a group undoes only itself; the group's
    /// other writes commit.
    #[test]
    fn a_failed_member_undoes_only_itself() {
        let (_dir, path, writer) = writer();
        let mut own = other(&path);
        // Pretend a writer is queued, so the first write leaves its group open and waits.
        writer.queued.fetch_add(1, Ordering::SeqCst);
        std::thread::scope(|scope| {
            let first = scope.spawn(|| {
                let mut own = other(&path);
                writer.write(&mut own, now, insert(1))
            });
            while writer
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .as_ref()
                .is_none_or(|s| s.members == 0)
            {
                std::thread::yield_now();
            }
            let failed = writer.write(&mut own, now, |conn, _| {
                conn.execute("INSERT INTO t (n) VALUES (2)", [])
                    .map_err(StoreError::from)?;
                Err::<(), _>(TestError::Refused)
            });
            assert!(matches!(failed, Err(TestError::Refused)));
            let panicked = catch_unwind(AssertUnwindSafe(|| {
                writer.write(&mut own, now, |conn, _| -> Result<(), TestError> {
                    conn.execute("INSERT INTO t (n) VALUES (3)", [])
                        .unwrap_or_else(|e| panic!("{e}"));
                    panic!("handler bug")
                })
            }));
            assert!(panicked.is_err(), "the panic carries on");
            writer.queued.fetch_sub(1, Ordering::SeqCst);
            writer
                .write(&mut own, now, insert(4))
                .unwrap_or_else(|e| panic!("{e:?}"));
            let first = first.join().unwrap_or_else(|_| panic!("first writer"));
            assert!(first.is_ok(), "{first:?}");
        });
        assert_eq!(stored(&other(&path)), vec![1, 4]);
    }

    #[test]
    fn without_a_connection_it_writes_on_the_callers() {
        let writer = Writer::on_callers_connection();
        let mut conn =
            crate::store::open(std::path::Path::new(":memory:")).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY)")
            .unwrap_or_else(|e| panic!("{e}"));
        writer
            .write(&mut conn, now, insert(7))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(matches!(
            writer.write(&mut conn, now, insert(7)),
            Err(TestError::Store)
        ));
        assert_eq!(stored(&conn), vec![7]);
    }
}
