//! The `loop` binary itself: help texts, key management, start-up output and graceful
//! shutdown on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::cli::{BIN, run_loop};
use crate::common::process::KillOnDrop;

#[test]
fn help_describes_every_flag_and_variable() {
    let top = Command::new(BIN).arg("--help").output().expect("loop runs");
    let text = String::from_utf8_lossy(&top.stdout);
    assert!(text.contains("serve") && text.contains("keys"), "{text}");
    let serve = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .expect("loop runs");
    let text = String::from_utf8_lossy(&serve.stdout);
    for needle in [
        "--host",
        "--port",
        "--db",
        "--threads",
        "--max-body-bytes",
        "PORT",
        "LOOP_DB",
        "LOOP_API_KEY",
        "LOOP_CORS_ORIGINS",
        "LOOP_LOG",
        "LOOP_URL",
        "GITHUB_WEBHOOK_SECRET",
        "SENTRY_CLIENT_SECRET",
        "POSTHOG_WEBHOOK_SECRET",
        "4242",
        "./loop.db",
    ] {
        assert!(text.contains(needle), "serve --help lacks {needle}: {text}");
    }
}

#[test]
fn keys_can_be_created_listed_and_revoked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("keys.db");
    let created = run_loop(&db, &["keys", "create", "--admin", "--name", "laptop"]);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let key = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    assert!(key.starts_with("loop_") && key.len() == 69, "{key}");

    let listed = String::from_utf8_lossy(&run_loop(&db, &["keys", "list"]).stdout).into_owned();
    assert!(
        listed.contains("laptop") && listed.contains("active"),
        "{listed}"
    );
    assert!(!listed.contains(&key), "keys are never shown again");
    let id = listed
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().next())
        .expect("a key row")
        .to_owned();

    assert!(run_loop(&db, &["keys", "revoke", &id]).status.success());
    assert!(String::from_utf8_lossy(&run_loop(&db, &["keys", "list"]).stdout).contains("revoked"));
    assert!(
        !run_loop(&db, &["keys", "revoke", &id]).status.success(),
        "revoking twice is an error"
    );
    assert!(
        !run_loop(&db, &["keys", "create"]).status.success(),
        "the kind of key must be named"
    );
}

#[test]
fn serve_prints_where_it_listens_and_the_first_key_then_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("serve.db");
    let mut guard = KillOnDrop(
        Command::new(BIN)
            .args(["serve", "--port", "0"])
            .env("LOOP_DB", &db)
            .env_remove("LOOP_API_KEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("loop serve starts"),
    );
    let child = &mut guard.0;
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let banner = lines.next().and_then(Result::ok).unwrap_or_default();
    assert!(
        banner.contains("http://127.0.0.1:")
            && banner.contains("serve.db")
            && banner.contains("Bearer"),
        "{banner}"
    );
    let _notice = lines.next();
    let key = lines
        .next()
        .and_then(Result::ok)
        .unwrap_or_default()
        .trim()
        .to_owned();
    assert!(key.starts_with("loop_"), "{key}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = child.wait().expect("loop exits");
    assert!(exit.success(), "graceful shutdown exits 0: {exit:?}");
    assert!(db.exists());
}
