//! Data the tests share: the fixture of the golden prompts, the keys of a verdict, and
//! small readers of JSON answers.

use serde_json::Value;

use super::server::TestServer;

/// The original's golden-prompt fixture: issues, a project, a goal, a label and relations
/// that the default templates must render byte for byte as the original does. Written
/// through SQL with its fixed ids and numbers (the dispatch columns are then filled in as
/// the store would).
pub fn golden_fixture(server: &TestServer) {
    use serde_json::json;
    let conn = rusqlite::Connection::open(server.db_path()).expect("open the database");
    let hypothesis = loop_engine::testing::stored_json_text(json!({
        "statement": "OAuth redirect broke", "confidence": 0.75, "evidence": ["a", "b"], "validationCriteria": "conv back to 3.6%"
    }));
    let payload =
        loop_engine::testing::stored_json_text(json!({"metric": "signup", "change": -0.12}));
    conn.execute_batch(&format!(
        "INSERT INTO projects (id, name, description, status, health, created_at, updated_at)
           VALUES ('proj_1', 'Onboarding', 'Improve onboarding', 'active', 'on_track', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
         INSERT INTO goals (id, title, status, target_value, current_value, unit, project_id, created_at, updated_at)
           VALUES ('goal_1', 'Raise conversion', 'active', 4, 3.2, '%', 'proj_1', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
         INSERT INTO issues (number, id, title, description, type, status, priority, hypothesis, created_at, updated_at)
           VALUES (10, 'iss_parent', 'Signups dropped', 'Conversion fell <12%> & \"more\"', 'signal', 'done', 0, '{hypothesis}', '2026-01-01T00:00:01.000Z', '2026-01-01T00:00:01.000Z');
         INSERT INTO issues (number, id, title, description, type, status, priority, parent_id, project_id, agent_summary, created_at, updated_at)
           VALUES (11, 'iss_task', 'Fix redirect', 'Fix the OAuth redirect', 'task', 'todo', 2, 'iss_parent', 'proj_1', 'Tried X, failed', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:02.000Z');
         INSERT INTO issues (number, id, title, type, status, priority, parent_id, created_at, updated_at)
           VALUES (12, 'iss_sib1', 'Add spinner', 'task', 'done', 0, 'iss_parent', '2026-01-01T00:00:03.000Z', '2026-01-01T00:00:03.000Z');
         INSERT INTO issues (number, id, title, type, status, priority, parent_id, agent_summary, created_at, updated_at)
           VALUES (13, 'iss_sib2', 'Old attempt', 'task', 'canceled', 0, 'iss_parent', 'gave up', '2026-01-01T00:00:04.000Z', '2026-01-01T00:00:04.000Z');
         INSERT INTO issues (number, id, title, type, status, priority, signal_source, signal_payload, created_at, updated_at)
           VALUES (14, 'iss_signal', 'PostHog: signup -12% (24h)', 'signal', 'todo', 0, 'posthog', '{payload}', '2026-01-01T00:00:05.000Z', '2026-01-01T00:00:05.000Z');
         INSERT INTO labels (id, name, color, created_at) VALUES ('lbl_1', 'frontend', '#f00', '2026-01-01T00:00:00.000Z');
         INSERT INTO issue_labels (issue_id, label_id) VALUES ('iss_task', 'lbl_1');
         INSERT INTO issue_relations (id, type, issue_id, related_issue_id, created_at)
           VALUES ('rel_1', 'blocked_by', 'iss_task', 'iss_sib1', '2026-01-01T00:00:06.000Z'),
                  ('rel_2', 'blocks', 'iss_task', 'iss_sib2', '2026-01-01T00:00:06.000Z');"
    ))
    .expect("fixture inserted");
    loop_engine::testing::fill_dispatch_columns(&conn).expect("dispatch columns filled");
}

/// The keys of a verdict payload, in order (docs/review-api.md#verdict-webhooks, then Loop's extensions).
pub const VERDICT_KEYS: [&str; 13] = [
    "task_id",
    "external_id",
    "source",
    "module",
    "verdict",
    "choice",
    "reason",
    "escalated",
    "timed_out",
    "reviewed_at",
    "status",
    "mode",
    "detail",
];

/// The keys of a JSON object, in order (none for anything else).
pub fn keys_of(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The review games, as a task's `module` names them.
pub const GAMES: [&str; 7] = [
    "swiper",
    "versus",
    "sorter",
    "detective",
    "fixer",
    "redact",
    "grounding",
];

/// Lowercase hex HMAC-SHA256 of `data` under `key`, computed here rather than by the
/// server's own code, so that a signature the server makes is checked independently.
pub fn hmac_sha256_hex(key: &[u8], data: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

/// The `id` of a created object (empty when it has none).
pub fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_default().to_owned()
}
