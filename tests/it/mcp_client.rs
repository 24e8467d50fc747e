//! The MCP server driven by a real client: the official MCP Python SDK
//! (`fixtures/mcp_client.py`) connects over Streamable HTTP and over stdio, lists the
//! tools and calls every one of them against a seeded server, checking each result,
//! while a person approves the review task it waits on.
//!
//! The SDK is installed by `.ci/mcp-client` (CI runs it before the tests). Without it
//! these tests are skipped, loudly, except under `CI=true`, where they fail.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::cli::BIN;
use crate::common::{KEY, TestServer, User};

/// The longest a client run may take (it waits a second for one timeout, and on a
/// person's verdict, which comes within a fraction of a second).
const RUN_LIMIT: Duration = Duration::from_secs(300);

/// The SDK's Python: `LOOP_MCP_PYTHON`, or the venv `.ci/mcp-client` makes.
fn sdk_python() -> Option<PathBuf> {
    if let Some(python) = std::env::var_os("LOOP_MCP_PYTHON") {
        return Some(python.into());
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/mcp-client-venv/bin/python");
    if venv.exists() {
        return Some(venv);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the MCP Python SDK is missing: .ci/run installs it with .ci/mcp-client"
    );
    // Straight to the process's standard error: the harness would swallow `eprintln!`.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: the MCP Python SDK is not installed, so no real MCP client ran \
         (`bash .ci/mcp-client` installs it)."
    );
    None
}

/// A server with a project, its key, a reviewer of it, and two `todo` issues, the
/// second blocked by the first.
struct Seeded {
    server: TestServer,
    project_id: String,
    project_key: String,
    reviewer: User,
}

fn seeded() -> Seeded {
    let server = TestServer::start();
    let (project_id, project_key) = server.review_project("Checkout");
    let issue = |title: &str, priority: i64| {
        server.create(
            "/api/issues",
            json!({"title": title, "type": "task", "status": "todo", "priority": priority,
                   "projectId": project_id}),
        )["id"]
            .as_str()
            .expect("issue id")
            .to_owned()
    };
    let fix = issue("Fix the login", 1);
    let deploy = issue("Deploy the fix", 2);
    server.create(
        &format!("/api/issues/{deploy}/relations"),
        json!({"type": "blocked_by", "relatedIssueId": fix}),
    );
    let reviewer = server.user("reviewer@example.com", "reviewer");
    server.add_reviewer(&project_id, &reviewer);
    Seeded {
        server,
        project_id,
        project_key,
        reviewer,
    }
}

/// Runs the client script with `args`, approving the swiper card it waits on
/// meanwhile, and fails the test with its output unless every check passed.
fn run_client(seeded: &Seeded, python: &Path, args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/mcp_client.py");
    let mut child = Command::new(python)
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the client starts");
    let finished = AtomicBool::new(false);
    let status = std::thread::scope(|scope| {
        scope.spawn(|| approve_gate_cards(&seeded.server, &seeded.reviewer, &finished));
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("the client runs") {
                break Some(status);
            }
            if started.elapsed() > RUN_LIMIT {
                let _ = child.kill();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        finished.store(true, Ordering::SeqCst);
        status
    });
    let output = child.wait_with_output().expect("the client's output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        status.is_some_and(|s| s.success()) && stdout.contains("all checks passed"),
        "the MCP client failed ({status:?}):\n{stdout}\n{stderr}"
    );
}

/// How long the reviewer looks at a gate card before approving it: long enough for the
/// script to check the task is still pending right after creating it.
const THINKING: Duration = Duration::from_secs(1);

/// Plays the reviewer: approves every gate card until `finished`, and skips the others
/// (the sign-off the script requests), so that holding one never keeps a gate card
/// from them.
fn approve_gate_cards(server: &TestServer, reviewer: &User, finished: &AtomicBool) {
    while !finished.load(Ordering::SeqCst) {
        match server.next_card(reviewer) {
            Some((assignment, task)) if task["mode"] == "gate" => {
                // A person takes a moment: the script reads the task as pending first.
                std::thread::sleep(THINKING);
                let decided = server.decide(reviewer, &assignment, json!({"decision": "approve"}));
                assert_eq!(decided.status, 200, "{}", decided.text());
            }
            Some((assignment, _)) => {
                let skipped = server.as_user(
                    reviewer,
                    "POST",
                    &format!("/api/v1/review/assignments/{assignment}/skip"),
                    Some(json!({})),
                );
                assert_eq!(skipped.status, 204, "{}", skipped.text());
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

#[test]
fn a_real_client_uses_every_tool_over_streamable_http() {
    let Some(python) = sdk_python() else { return };
    let seeded = seeded();
    let url = format!("{}/mcp", seeded.server.running().url());
    run_client(
        &seeded,
        &python,
        &["http", &url, KEY, &seeded.project_key, &seeded.project_id],
    );
}

#[test]
fn a_real_client_uses_every_tool_over_stdio() {
    let Some(python) = sdk_python() else { return };
    let seeded = seeded();
    let url = seeded.server.running().url();
    let db = seeded.server.db_path();
    run_client(
        &seeded,
        &python,
        &[
            "stdio",
            BIN,
            &url,
            KEY,
            &seeded.project_key,
            &seeded.project_id,
            db.to_str().expect("a UTF-8 path"),
        ],
    );
}
