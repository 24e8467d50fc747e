//! The demo data: `loop seed` is deterministic, `loop.db.example` is what it writes
//! (so the committed file never goes stale after a migration), and `loop demo` serves a
//! moved-to-now copy and cleans up after itself.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::common::cli::{BIN, run_loop};
use crate::common::http::send_to;
use crate::common::process::KillOnDrop;

/// Every table of the database at `path`, schema and rows, as text: rows sorted, so
/// that two databases with the same logical content dump the same whatever their pages.
fn dump(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut out = String::new();
    let tables: Vec<(String, String)> = conn
        .prepare("SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY type, name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (name, sql) in &tables {
        out.push_str(&format!("{sql};\n"));
        if !sql.starts_with("CREATE TABLE") {
            continue;
        }
        let mut statement = conn.prepare(&format!("SELECT * FROM \"{name}\"")).unwrap();
        let columns = statement.column_count();
        let mut rows: Vec<String> = statement
            .query_map([], |row| {
                let values: Vec<String> = (0..columns)
                    .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                    .collect();
                Ok(values.join(" | "))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.sort();
        for row in rows {
            out.push_str(&format!("{name}: {row}\n"));
        }
    }
    out
}

/// Seeds a new database in `dir` with `args`, failing the test if `loop seed` fails.
fn seeded(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let mut all = vec!["seed", "--db", path.to_str().unwrap()];
    all.extend_from_slice(args);
    let output = run_loop(&path, &all);
    assert!(output.status.success(), "{output:?}");
    path
}

/// The first line where two dumps differ, for a readable failure.
fn first_difference(a: &str, b: &str) -> String {
    a.lines().zip(b.lines()).find(|(x, y)| x != y).map_or_else(
        || "one dump is longer".to_owned(),
        |(x, y)| format!("\n  {x}\n  {y}"),
    )
}

#[test]
fn seeding_twice_writes_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let first = dump(&seeded(dir.path(), "one.db", &[]));
    let second = dump(&seeded(dir.path(), "two.db", &[]));
    assert!(first == second, "{}", first_difference(&first, &second));
    // It never touches an existing file.
    let again = run_loop(
        &dir.path().join("one.db"),
        &["seed", "--db", dir.path().join("one.db").to_str().unwrap()],
    );
    assert!(!again.status.success());
}

#[test]
fn the_example_database_is_what_seed_writes() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dump(&seeded(dir.path(), "fresh.db", &[]));
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("loop.db.example");
    let example = dump(&committed);
    assert!(
        fresh == example,
        "loop.db.example is stale; regenerate it with \
         `rm loop.db.example && cargo run -- seed --db loop.db.example`. First difference:{}",
        first_difference(&example, &fresh)
    );
    let bytes = std::fs::metadata(&committed).unwrap().len();
    assert!(
        bytes < 400 * 1024,
        "loop.db.example has grown to {bytes} bytes"
    );
}

#[test]
fn the_story_covers_every_state() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("loop.db.example");
    let conn = rusqlite::Connection::open(committed).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    for source in ["github", "sentry", "posthog", "datadog", "review"] {
        assert!(
            count(&format!(
                "SELECT COUNT(*) FROM signals WHERE source = '{source}' AND issue_id IS NOT NULL"
            )) > 0,
            "{source}"
        );
    }
    for kind in ["signal", "hypothesis", "plan", "task", "monitor"] {
        assert!(
            count(&format!(
                "SELECT COUNT(*) FROM issues WHERE type = '{kind}'"
            )) > 0,
            "{kind}"
        );
    }
    for status in [
        "triage",
        "backlog",
        "todo",
        "in_progress",
        "done",
        "canceled",
    ] {
        assert!(
            count(&format!(
                "SELECT COUNT(*) FROM issues WHERE status = '{status}'"
            )) > 0,
            "{status}"
        );
    }
    assert!(
        count(
            "SELECT COUNT(*) FROM issues WHERE status = 'done' AND agent_summary IS NOT NULL AND commits IS NOT NULL AND pull_requests IS NOT NULL"
        ) > 0
    );
    assert!(
        count(
            "SELECT COUNT(*) FROM issues WHERE status = 'in_progress' AND lease_expires_at < '2026-01-26T09:00:00.000Z'"
        ) == 1
    );
    assert!(
        count(
            "SELECT COUNT(*) FROM issues WHERE status = 'in_progress' AND lease_expires_at > '2026-01-26T09:00:00.000Z'"
        ) >= 1
    );
    assert!(count("SELECT COUNT(*) FROM issue_relations WHERE type = 'blocked_by'") > 0);
    assert!(count("SELECT COUNT(*) FROM comments WHERE parent_id IS NOT NULL") > 0);
    assert!(count("SELECT COUNT(DISTINCT status) FROM goals") == 3);
    assert!(
        count("SELECT COUNT(*) FROM prompt_versions WHERE template_id NOT LIKE 'tpl_default_%'")
            >= 3
    );
    assert!(count("SELECT COUNT(DISTINCT version_id) FROM prompt_reviews") >= 3);
    for game in [
        "swiper",
        "versus",
        "sorter",
        "detective",
        "fixer",
        "redact",
        "grounding",
    ] {
        assert!(
            count(&format!(
                "SELECT COUNT(*) FROM review_tasks WHERE module = '{game}' AND status = 'pending'"
            )) > 0,
            "{game}"
        );
    }
    assert!(
        count(
            "SELECT COUNT(*) FROM review_tasks WHERE status = 'reviewed' AND reviews_required > 1"
        ) > 0
    );
    assert!(
        count("SELECT COUNT(*) FROM review_tasks WHERE status = 'reviewed' AND verdict = 0") > 0
    );
    assert!(count("SELECT COUNT(*) FROM review_tasks WHERE status = 'escalated'") > 0);
    assert!(
        count("SELECT COUNT(*) FROM review_tasks WHERE status = 'reviewed' AND escalated = 1") > 0
    );
    assert!(count("SELECT COUNT(*) FROM review_tasks WHERE timed_out = 1") >= 2);
    assert!(count("SELECT COUNT(*) FROM review_tasks WHERE golden = 1") >= 2);
    assert!(count("SELECT COUNT(DISTINCT reviewer_id) FROM task_reviews") >= 3);
    for status in ["succeeded", "pending", "failed"] {
        assert!(
            count(&format!(
                "SELECT COUNT(*) FROM deliveries WHERE status = '{status}'"
            )) > 0,
            "{status}"
        );
    }
    assert!(count("SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND attempts > 0") > 0);
    assert_eq!(
        count("SELECT COUNT(*) FROM sessions"),
        0,
        "the story signs everyone out"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM admin_keys"),
        0,
        "no admin key ships"
    );
}

#[test]
fn the_story_has_people_sign_off_agents_work() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("loop.db.example");
    let conn = rusqlite::Connection::open(committed).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    for policy in ["required", "sampled"] {
        assert_eq!(
            count(&format!(
                "SELECT COUNT(*) FROM projects WHERE sign_off = '{policy}'"
            )),
            1,
            "{policy}"
        );
    }
    // Awaiting: in progress, without a lease, its review task pending in the queue.
    assert!(
        count(
            "SELECT COUNT(*) FROM issues i JOIN review_tasks t ON t.id = i.review_task_id \
             WHERE i.review_status = 'pending' AND i.status = 'in_progress' \
             AND i.lease_expires_at IS NULL AND t.status = 'pending'"
        ) >= 2
    );
    // Signed off, once with a fixer's corrected figures.
    assert!(
        count(
            "SELECT COUNT(*) FROM issues WHERE review_status = 'approved' AND status = 'done' AND completed_at IS NOT NULL"
        ) >= 2
    );
    assert!(
        count(
            "SELECT COUNT(*) FROM issues WHERE review_status = 'approved' AND review_correction IS NOT NULL"
        ) >= 1
    );
    // Flagged: back to the queue with the reviewer's reason as a comment.
    assert!(
        count(
            "SELECT COUNT(*) FROM issues i WHERE i.review_status = 'flagged' AND i.status = 'todo' \
             AND i.lease_expires_at IS NULL AND EXISTS (SELECT 1 FROM comments c \
             WHERE c.issue_id = i.id AND c.body LIKE 'Flagged in review%')"
        ) >= 1
    );
    // The verdicts scored the prompt versions, as people.
    assert!(count("SELECT COUNT(*) FROM prompt_reviews WHERE author_type = 'human'") >= 3);
    // The sample let one of the onboarding project's issues through without review.
    assert!(
        count(
            "SELECT COUNT(*) FROM issues i JOIN projects p ON p.id = i.project_id \
             WHERE p.sign_off = 'sampled' AND i.status = 'done' AND i.review_status IS NULL \
             AND i.agent_summary IS NOT NULL"
        ) >= 1
    );
}

#[test]
fn the_story_probes_reviewers_and_its_audit_log_verifies() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("loop.db.example");
    let conn = rusqlite::Connection::open(&committed).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    for (correct, what) in [(1, "caught"), (0, "missed")] {
        assert!(
            count(&format!(
                "SELECT COUNT(*) FROM audit_records WHERE kind = 'decoy' AND correct = {correct}"
            )) >= 1,
            "a decoy {what}"
        );
    }
    assert!(count("SELECT COUNT(*) FROM audit_records WHERE golden = 1 AND correct = 1") >= 3);
    assert!(count("SELECT COUNT(*) FROM audit_records WHERE golden = 1 AND correct = 0") >= 1);
    assert!(
        count("SELECT COUNT(*) FROM reviewer_scores WHERE best_streak >= 10") >= 1,
        "a streak_10 badge"
    );
    assert!(
        count("SELECT COUNT(DISTINCT reviewer_id) FROM audit_records WHERE kind = 'decoy'") >= 2
    );

    // The audit log verifies, draws and planted errors included (on a copy: verifying
    // opens the file).
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("example.db");
    std::fs::copy(&committed, &copy).unwrap();
    let out = run_loop(&copy, &["audit", "verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}");
    let decoys = count("SELECT COUNT(*) FROM audit_records WHERE kind = 'decoy'");
    let plants: i64 = stdout
        .lines()
        .filter_map(|line| line.split(" draws and ").nth(1))
        .filter_map(|rest| rest.split(' ').next()?.parse::<i64>().ok())
        .sum();
    assert_eq!(plants, decoys, "{stdout}");
}

#[test]
fn seed_now_moves_the_story_to_end_now() {
    let dir = tempfile::tempdir().unwrap();
    let path = seeded(dir.path(), "now.db", &["--now"]);
    let conn = rusqlite::Connection::open(path).unwrap();
    let latest: String = conn
        .query_row("SELECT MAX(created_at) FROM review_tasks", [], |r| r.get(0))
        .unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let latest = loop_engine::clock::Timestamp::parse_canonical(&latest).unwrap();
    // The last tasks were submitted 16 hours before the story's end.
    let hours_ago = (now - latest.unix_millis()) / 3_600_000;
    assert!((15..=17).contains(&hours_ago), "{hours_ago} hours ago");
}

#[test]
fn demo_serves_the_story_and_removes_it_on_ctrl_c() {
    let mut guard = KillOnDrop(
        Command::new(BIN)
            .args(["demo", "--port", "0"])
            .env_remove("LOOP_API_KEY")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let child = &mut guard.0;
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let (mut url, mut dir, mut key) = (None, None, None);
    for line in lines.by_ref().map_while(Result::ok) {
        if let Some(rest) = line.strip_prefix("Loop demo at ") {
            let mut words = rest.split_whitespace();
            url = words.next().map(str::to_owned);
            dir = rest
                .split(" data in ")
                .nth(1)
                .and_then(|r| r.split(" (removed").next())
                .map(PathBuf::from);
        }
        if let Some(rest) = line.strip_prefix("Admin API key: ") {
            key = Some(rest.to_owned());
        }
        printed.push(line);
        if key.is_some() {
            break;
        }
    }
    let printed = printed.join("\n");
    let (url, dir, key) = (
        url.expect(&printed),
        dir.expect(&printed),
        key.expect(&printed),
    );
    assert!(
        printed.contains("ana@example.com") && printed.contains("loop-demo"),
        "{printed}"
    );
    assert!(dir.join("loop.db").exists());
    let addr = url.trim_start_matches("http://").parse().unwrap();

    let auth = format!("Bearer {key}");
    let issues = send_to(
        addr,
        "GET",
        "/api/issues?limit=100",
        &[("Authorization", &auth)],
        b"",
    );
    assert_eq!(issues.status, 200);
    let body = issues.json();
    let guard = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "Guard the cart total when a coupon expires")
        .expect("a seeded issue");
    assert_eq!(guard["status"], "done");
    // Moved to now: the story's three weeks end today.
    let created =
        loop_engine::clock::Timestamp::parse_canonical(guard["createdAt"].as_str().unwrap())
            .unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let days_ago = (now - created.unix_millis()) / 86_400_000;
    assert!((18..=20).contains(&days_ago), "{days_ago} days ago");

    // Sign-off and reviewer quality are there to see.
    let get = |path: &str| {
        let answer = send_to(addr, "GET", path, &[("Authorization", &auth)], b"");
        assert_eq!(answer.status, 200, "{path}: {}", answer.text());
        answer.json()
    };
    let awaiting = get("/api/issues?reviewStatus=pending");
    assert!(
        awaiting["data"].as_array().unwrap().len() >= 2,
        "{awaiting}"
    );
    assert!(get("/api/dashboard/stats")["data"]["signOff"]["awaiting"].as_i64() >= Some(2));
    let projects = get("/api/projects?limit=100");
    let support = projects["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Support replies")
        .expect("the support project")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reviewers = get(&format!("/api/v1/projects/{support}/reviewers"));
    assert!(
        reviewers
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["stats"]["catch_rate"].as_f64() > Some(0.0)),
        "{reviewers}"
    );
    // Moving the story to now left the audit chain whole.
    let verified = get(&format!("/api/v1/projects/{support}/audit/verify"));
    assert_eq!(verified["ok"], true, "{verified}");
    assert!(
        verified["plants_recomputed"].as_i64() > Some(0),
        "{verified}"
    );

    let login = send_to(
        addr,
        "POST",
        "/api/v1/auth/login",
        &[("Content-Type", "application/json")],
        json!({"email": "ana@example.com", "password": "loop-demo"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(login.status, 200, "{}", login.text());
    let cookie = login
        .header("Set-Cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let stats = send_to(
        addr,
        "GET",
        "/api/v1/review/stats",
        &[("Cookie", &cookie)],
        b"",
    );
    assert_eq!(stats.status, 200);
    assert!(
        stats.json()["reviews"].as_i64() > Some(0),
        "{}",
        stats.text()
    );

    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the demo did not stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(child.wait().unwrap().success());
    assert!(!dir.exists(), "{} is left behind", dir.display());
}
