//! The operator's use cases: the metrics exposition, a consistent backup of a live
//! database, and a check of a database file's health. The server's routes and the
//! command line (`loop backup`, `loop check`) share them.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::Connection;

use crate::app::Ctx;
use crate::clock::Timestamp;
use crate::domain::enums::{TaskStatus, WireEnum};
use crate::error::ApiError;
use crate::metrics::Snapshot;
use crate::store::{self, StoreError, operations};

/// The `GET /metrics` exposition: the in-memory counters and the gauges read now.
pub fn metrics_text(ctx: &Ctx<'_>) -> Result<String, ApiError> {
    let gauges = operations::gauges(ctx.db())?;
    let db_path = &ctx.config().db_path;
    let files = vec![
        ("database".to_owned(), file_size(db_path)),
        ("wal".to_owned(), file_size(&wal_path(db_path))),
    ];
    let snapshot = Snapshot {
        writer_queue_depth: i64::try_from(ctx.app().writer_queue_depth()).unwrap_or(i64::MAX),
        dispatch_queue_depth: gauges.todo,
        review_tasks: TaskStatus::ALL
            .iter()
            .map(|status| {
                let count = gauges
                    .review_tasks
                    .iter()
                    .find(|(s, _)| s == status.as_str())
                    .map_or(0, |(_, n)| *n);
                (status.as_str().to_owned(), count)
            })
            .collect(),
        deliveries: gauges.deliveries,
        files,
    };
    ctx.app()
        .metrics
        .render(&snapshot)
        .map_err(|e| ApiError::Internal(format!("encoding the metrics: {e}")))
}

/// The write-ahead log beside a database file.
fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// A file's size in bytes; 0 when it does not exist (no WAL yet, an in-memory test).
fn file_size(path: &Path) -> i64 {
    std::fs::metadata(path).map_or(0, |m| i64::try_from(m.len()).unwrap_or(i64::MAX))
}

/// A backup just written.
#[derive(Debug, Clone)]
pub struct Backup {
    /// Where it is.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// How long it took, copy and check together.
    pub duration_ms: u64,
}

/// Why a backup was not made.
#[derive(Debug)]
pub enum BackupError {
    /// The target file exists already (a backup never overwrites).
    Exists(PathBuf),
    /// The copy could not be written or read back.
    Failed(String),
    /// The copy was written but does not pass `integrity_check`.
    Damaged(Vec<String>),
}

impl std::fmt::Display for BackupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Exists(path) => write!(f, "{} exists already", path.display()),
            Self::Failed(message) => f.write_str(message),
            Self::Damaged(problems) => write!(
                f,
                "the copy does not pass integrity_check: {}",
                problems.join("; ")
            ),
        }
    }
}

/// Copies the database `conn` reads into `target` (a new file), consistently even while
/// the server writes: the copy holds every write committed before it began. The copy
/// is then opened and must pass `integrity_check`.
pub fn backup(conn: &Connection, target: &Path) -> Result<Backup, BackupError> {
    let started = Instant::now();
    if target.exists() {
        return Err(BackupError::Exists(target.to_owned()));
    }
    let failed = |e: StoreError| BackupError::Failed(format!("{}: {e}", target.display()));
    operations::vacuum_into(conn, target).map_err(failed)?;
    let copy = operations::open_existing(target).map_err(failed)?;
    let problems = operations::integrity_problems(&copy).map_err(failed)?;
    if !problems.is_empty() {
        return Err(BackupError::Damaged(problems));
    }
    let bytes = std::fs::metadata(target)
        .map_err(|e| BackupError::Failed(format!("{}: {e}", target.display())))?
        .len();
    Ok(Backup {
        path: target.to_owned(),
        bytes,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

/// `POST /api/admin/backup`: a backup into the server's backup directory, named for the
/// time it was taken (`loop-2026-01-05T09-00-00.000Z.db`).
pub fn backup_now(ctx: &Ctx<'_>) -> Result<Backup, ApiError> {
    let dir = ctx.config().backup_dir();
    std::fs::create_dir_all(&dir).map_err(|e| {
        ApiError::Internal(format!(
            "cannot create the backup directory {}: {e}",
            dir.display()
        ))
    })?;
    let name = format!("loop-{}.db", ctx.now().to_string().replace(':', "-"));
    backup(ctx.db(), &dir.join(name)).map_err(|error| match error {
        BackupError::Exists(_) => {
            ApiError::Conflict("a backup was taken this very millisecond; try again")
        }
        other => ApiError::Internal(other.to_string()),
    })
}

/// What `loop check` found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// The database's schema version.
    pub schema_version: u32,
    /// The newest schema version this binary knows.
    pub latest_version: u32,
    /// Rows per table.
    pub tables: Vec<(String, i64)>,
    /// Deliveries `pending` and `failed`.
    pub deliveries: Vec<(String, i64)>,
    /// Claims past their lease, still `in_progress`.
    pub expired_leases: i64,
    /// What is wrong with the file: damage, dangling references, a schema newer than
    /// this binary. Any makes `loop check` fail.
    pub problems: Vec<String>,
    /// What deserves a look but is not damage: failed deliveries, lapsed claims, a
    /// schema the server will migrate.
    pub warnings: Vec<String>,
}

/// Checks the database `conn` is open on, at `now`. A file too damaged to read is a
/// report with that problem, not an error.
pub fn check(conn: &Connection, now: Timestamp) -> CheckReport {
    let mut report = CheckReport {
        latest_version: store::latest_version(),
        ..CheckReport::default()
    };
    if let Err(error) = inspect(conn, now, &mut report) {
        report
            .problems
            .push(format!("cannot read the database: {error}"));
    }
    report
}

fn inspect(conn: &Connection, now: Timestamp, report: &mut CheckReport) -> Result<(), StoreError> {
    report.problems.extend(
        operations::integrity_problems(conn)?
            .into_iter()
            .map(|line| format!("integrity_check: {line}")),
    );
    report.problems.extend(
        operations::foreign_key_problems(conn)?
            .into_iter()
            .map(|line| format!("foreign_key_check: {line}")),
    );
    report.schema_version = operations::schema_version(conn)?;
    if report.schema_version > report.latest_version {
        report.problems.push(format!(
            "schema version {} is newer than this binary's {}",
            report.schema_version, report.latest_version
        ));
    } else if report.schema_version < report.latest_version {
        report.warnings.push(format!(
            "schema version {} will be migrated to {} when the server next starts",
            report.schema_version, report.latest_version
        ));
    }
    report.tables = operations::table_counts(conn)?;
    if report.schema_version == 0 {
        return Ok(());
    }
    report.deliveries = operations::gauges(conn)?.deliveries;
    if let Some((_, failed)) = report
        .deliveries
        .iter()
        .find(|(s, n)| s == "failed" && *n > 0)
    {
        report.warnings.push(format!(
            "{failed} verdict deliveries failed for good (redeliver them from the web app or the API)"
        ));
    }
    report.expired_leases = operations::expired_leases(conn, now)?;
    if report.expired_leases > 0 {
        report.warnings.push(format!(
            "{} claims are past their lease (a running server returns them to todo)",
            report.expired_leases
        ));
    }
    Ok(())
}
