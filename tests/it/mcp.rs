//! The MCP server (`POST /mcp` and `loop mcp`) through its wire protocol: version
//! negotiation, the Streamable HTTP transport's rules, keys and tool sets, errors,
//! batches, the agent loop, the review tools and the bounds on waiting.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::cli::BIN;
use crate::common::http::send_to;
use crate::common::{KEY, Response, TestServer};

const ACCEPT: &str = "application/json, text/event-stream";

/// POSTs `body` to `/mcp` with `key` and the headers MCP clients send, except where
/// `headers` gives others.
fn post_mcp(server: &TestServer, key: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    let auth = format!("Bearer {key}");
    let mut all: Vec<(&str, &str)> = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
        ("Accept", ACCEPT),
    ]
    .into_iter()
    .filter(|(name, _)| {
        !headers
            .iter()
            .any(|(given, _)| given.eq_ignore_ascii_case(name))
    })
    .collect();
    all.extend_from_slice(headers);
    server.send("POST", "/mcp", &all, body)
}

/// One JSON-RPC message to `/mcp` with `key`.
fn rpc(server: &TestServer, key: &str, message: &Value) -> Response {
    post_mcp(server, key, &[], message.to_string().as_bytes())
}

fn request(id: i64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// The answer to one request, which must be a 200 JSON-RPC success.
fn result_of(response: &Response) -> Value {
    assert_eq!(response.status, 200, "{}", response.text());
    let body = response.json();
    assert!(body.get("error").is_none(), "{body}");
    body["result"].clone()
}

/// Calls tool `name` with `key`: its result.
fn call(server: &TestServer, key: &str, name: &str, arguments: Value) -> Value {
    result_of(&rpc(
        server,
        key,
        &request(
            1,
            "tools/call",
            json!({"name": name, "arguments": arguments}),
        ),
    ))
}

/// A tool's text, which must not be an error.
fn text(result: &Value) -> String {
    assert_eq!(result["isError"], json!(false), "{result}");
    result["content"][0]["text"]
        .as_str()
        .expect("text content")
        .to_owned()
}

/// A tool's text parsed as JSON.
fn json_text(result: &Value) -> Value {
    serde_json::from_str(&text(result)).expect("JSON text")
}

/// A tool's error text.
fn error_text(result: &Value) -> String {
    assert_eq!(result["isError"], json!(true), "{result}");
    result["content"][0]["text"]
        .as_str()
        .expect("text content")
        .to_owned()
}

fn tool_names(server: &TestServer, key: &str) -> Vec<String> {
    result_of(&rpc(server, key, &request(1, "tools/list", json!({}))))["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|tool| tool["name"].as_str().expect("name").to_owned())
        .collect()
}

#[test]
fn initialize_negotiates_the_protocol_version() {
    let server = TestServer::start();
    for (asked, agreed) in [
        ("2024-11-05", "2024-11-05"),
        ("2025-03-26", "2025-03-26"),
        ("2025-06-18", "2025-06-18"),
        ("2025-11-25", "2025-11-25"),
        ("1999-01-01", "2025-11-25"),
    ] {
        let response = rpc(
            &server,
            KEY,
            &request(
                1,
                "initialize",
                json!({"protocolVersion": asked, "capabilities": {},
                       "clientInfo": {"name": "test", "version": "1"}}),
            ),
        );
        let result = result_of(&response);
        assert_eq!(result["protocolVersion"], agreed, "{asked}");
        assert_eq!(result["serverInfo"]["name"], "loop-mcp");
        assert_eq!(
            result["capabilities"],
            json!({"tools": {"listChanged": false}})
        );
        assert!(
            result["instructions"]
                .as_str()
                .is_some_and(|i| !i.is_empty())
        );
        assert!(
            response
                .header("Content-Type")
                .is_some_and(|t| t.starts_with("application/json")),
            "{:?}",
            response.header("Content-Type")
        );
        assert_eq!(response.header("Mcp-Session-Id"), None, "stateless");
    }
    let initialized = rpc(
        &server,
        KEY,
        &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    );
    assert_eq!(initialized.status, 202);
    assert!(initialized.body.is_empty());
    let ping = rpc(&server, KEY, &request(9, "ping", json!({})));
    assert_eq!(
        ping.json(),
        json!({"jsonrpc": "2.0", "id": 9, "result": {}})
    );
}

#[test]
fn the_key_decides_the_tools_and_a_wrong_key_gets_401() {
    let server = TestServer::start();
    let (_, project_key) = server.review_project("Support");
    assert_eq!(
        tool_names(&server, KEY),
        [
            "loop_get_next_task",
            "loop_complete_task",
            "loop_create_issue",
            "loop_update_issue",
            "loop_list_issues",
            "loop_get_issue",
            "loop_create_comment",
            "loop_ingest_signal",
            "loop_get_dashboard",
            "loop_request_review",
        ]
    );
    assert_eq!(
        tool_names(&server, &project_key),
        ["create_review_task", "get_task_status", "wait_for_verdict"]
    );
    let tools = result_of(&rpc(&server, KEY, &request(1, "tools/list", json!({}))));
    let create = &tools["tools"][2];
    assert_eq!(create["inputSchema"]["type"], "object");
    assert_eq!(create["inputSchema"]["required"], json!(["title"]));
    assert_eq!(
        create["inputSchema"]["properties"]["type"]["enum"],
        json!(["signal", "hypothesis", "plan", "task", "monitor"])
    );
    assert_eq!(create["annotations"]["readOnlyHint"], false);

    for key in ["loop_wrong", "lq_wrong"] {
        let refused = rpc(&server, key, &request(1, "tools/list", json!({})));
        assert_eq!(refused.status, 401, "{}", refused.text());
    }
    let anonymous = server.send(
        "POST",
        "/mcp",
        &[("Content-Type", "application/json"), ("Accept", ACCEPT)],
        request(1, "ping", json!({})).to_string().as_bytes(),
    );
    assert_eq!(anonymous.status, 401);

    // A tool of the other kind of key is not there for this one.
    let crossed = rpc(
        &server,
        KEY,
        &request(
            5,
            "tools/call",
            json!({"name": "get_task_status", "arguments": {"task_id": "x"}}),
        ),
    );
    assert_eq!(crossed.json()["error"]["code"], -32602);
    let crossed = rpc(
        &server,
        &project_key,
        &request(6, "tools/call", json!({"name": "loop_get_dashboard"})),
    );
    assert_eq!(crossed.json()["error"]["code"], -32602);
}

#[test]
fn the_transport_follows_streamable_http() {
    let server = TestServer::start();
    let ping = request(1, "ping", json!({})).to_string();
    let auth = format!("Bearer {KEY}");
    for method in ["GET", "DELETE", "PUT"] {
        let response = server.send(method, "/mcp", &[("Authorization", &auth)], b"");
        assert_eq!(response.status, 405, "{method}");
        assert_eq!(response.header("Allow"), Some("POST, OPTIONS"));
    }
    let plain = post_mcp(
        &server,
        KEY,
        &[("Content-Type", "text/plain")],
        ping.as_bytes(),
    );
    assert_eq!(plain.status, 415);
    assert_eq!(plain.json()["error"]["code"], -32000);
    let html = post_mcp(&server, KEY, &[("Accept", "text/html")], ping.as_bytes());
    assert_eq!(html.status, 406);
    for version in ["1900-01-01", "2026-07-28", "not-a-version"] {
        let response = post_mcp(
            &server,
            KEY,
            &[("MCP-Protocol-Version", version)],
            ping.as_bytes(),
        );
        assert_eq!(response.status, 400, "{version}");
        assert_eq!(response.json()["id"], Value::Null);
    }
    let current = post_mcp(
        &server,
        KEY,
        &[("MCP-Protocol-Version", "2025-06-18")],
        ping.as_bytes(),
    );
    assert_eq!(current.status, 200);

    // Origins: pages of other sites are refused (DNS rebinding); allowed ones get CORS.
    let foreign = post_mcp(
        &server,
        KEY,
        &[("Origin", "https://evil.example")],
        ping.as_bytes(),
    );
    assert_eq!(foreign.status, 403);
    let allowed = post_mcp(
        &server,
        KEY,
        &[("Origin", "http://localhost:5668")],
        ping.as_bytes(),
    );
    assert_eq!(allowed.status, 200);
    assert_eq!(
        allowed.header("Access-Control-Allow-Origin"),
        Some("http://localhost:5668")
    );

    // A client that takes only an event stream gets one.
    let stream = post_mcp(
        &server,
        KEY,
        &[("Accept", "text/event-stream")],
        ping.as_bytes(),
    );
    assert_eq!(stream.status, 200);
    assert_eq!(stream.header("Content-Type"), Some("text/event-stream"));
    assert_eq!(
        stream.text(),
        "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n"
    );

    // Responses (to requests we never send) and notifications alone: 202, no body.
    for message in [
        json!({"jsonrpc": "2.0", "id": 4, "result": {}}),
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}}),
    ] {
        let response = rpc(&server, KEY, &message);
        assert_eq!(response.status, 202, "{message}");
        assert!(response.body.is_empty());
    }

    // Not JSON, not JSON-RPC: 400 with the JSON-RPC error.
    let garbled = post_mcp(&server, KEY, &[], b"{\"jsonrpc\": ");
    assert_eq!(garbled.status, 400);
    assert_eq!(garbled.json()["error"]["code"], -32700);
    let invalid = rpc(&server, KEY, &json!({"id": 3, "method": "ping"}));
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.json()["error"]["code"], -32600);
    assert_eq!(invalid.json()["id"], 3);
}

#[test]
fn batches_are_answered_only_where_the_version_allows_them() {
    let server = TestServer::start();
    let batch = json!([
        request(1, "ping", json!({})),
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        request(2, "tools/list", json!({})),
        request(3, "nope", json!({})),
    ])
    .to_string();
    for headers in [vec![], vec![("MCP-Protocol-Version", "2025-03-26")]] {
        let response = post_mcp(&server, KEY, &headers, batch.as_bytes());
        let answers = response.json();
        let answers = answers.as_array().expect("an array of answers");
        assert_eq!(answers.len(), 3, "{headers:?}");
        assert_eq!(answers[0]["result"], json!({}));
        assert_eq!(
            answers[1]["result"]["tools"].as_array().map(Vec::len),
            Some(10)
        );
        assert_eq!(answers[2]["error"]["code"], -32601);
    }
    let refused = post_mcp(
        &server,
        KEY,
        &[("MCP-Protocol-Version", "2025-06-18")],
        batch.as_bytes(),
    );
    assert_eq!(refused.status, 400);
    assert_eq!(refused.json()["error"]["code"], -32600);
    let notifications = json!([{"jsonrpc": "2.0", "method": "notifications/initialized"}]);
    assert_eq!(rpc(&server, KEY, &notifications).status, 202);
    assert_eq!(rpc(&server, KEY, &json!([])).status, 400);
}

#[test]
fn unknown_methods_are_protocol_errors_and_bad_arguments_tool_errors() {
    let server = TestServer::start();
    let unknown = rpc(&server, KEY, &request(7, "resources/list", json!({})));
    assert_eq!(unknown.status, 200);
    assert_eq!(unknown.json()["id"], 7);
    assert_eq!(unknown.json()["error"]["code"], -32601);
    let no_tool = rpc(
        &server,
        KEY,
        &request(8, "tools/call", json!({"name": "loop_delete_everything"})),
    );
    assert_eq!(no_tool.json()["error"]["code"], -32602);

    let bad = call(
        &server,
        KEY,
        "loop_create_issue",
        json!({"title": "", "type": "bug", "priority": "high"}),
    );
    assert_eq!(
        error_text(&bad),
        "Invalid arguments for loop_create_issue:\ntitle: Expected at least 1 character(s)\n\
         type: Expected one of: signal, hypothesis, plan, task, monitor\n\
         priority: Expected a whole number from 0 to 4"
    );
    let not_object = call(&server, KEY, "loop_list_issues", json!([1]));
    assert_eq!(
        error_text(&not_object),
        "Invalid arguments for loop_list_issues:\narguments: Expected an object"
    );
    // The API's own refusals come through with its message.
    let missing = call(
        &server,
        KEY,
        "loop_update_issue",
        json!({"issueId": "nope", "status": "done"}),
    );
    assert_eq!(
        error_text(&missing),
        "Not found: Issue not found. Use loop_list_issues to find valid IDs."
    );
    let rejected = call(
        &server,
        KEY,
        "loop_create_issue",
        json!({"title": "Child", "parentId": "no-such-parent"}),
    );
    assert!(
        error_text(&rejected).starts_with("API error ("),
        "{rejected}"
    );
    assert_eq!(
        server.get("/api/issues").json()["total"],
        0,
        "nothing stored"
    );
}

#[test]
fn the_agent_loop_runs_over_mcp() {
    let server = TestServer::start();
    let empty = call(&server, KEY, "loop_get_next_task", json!({}));
    assert_eq!(
        text(&empty),
        "No tasks available. The dispatch queue is empty."
    );

    let issue = server.create(
        "/api/issues",
        json!({"title": "Login fails on Safari", "type": "task", "status": "todo", "priority": 1}),
    );
    let id = issue["id"].as_str().expect("id");
    let claimed = call(&server, KEY, "loop_get_next_task", json!({}));
    let task = json_text(&claimed);
    assert_eq!(claimed["structuredContent"], task);
    assert_eq!(
        task["issue"],
        json!({"id": id, "number": 1, "title": "Login fails on Safari", "type": "task",
               "priority": 1, "status": "in_progress"})
    );
    let prompt = task["prompt"].as_str().expect("a hydrated prompt");
    assert!(prompt.contains("Login fails on Safari"), "{prompt}");
    assert!(
        prompt.contains(&format!("Authorization: Bearer {KEY}")),
        "the prompt carries the agent's own key: {prompt}"
    );
    assert_eq!(task["meta"]["templateSlug"], "task-execution");
    assert_eq!(
        server.get(&format!("/api/issues/{id}")).json()["data"]["status"],
        "in_progress",
        "claimed for real"
    );

    let done = json_text(&call(
        &server,
        KEY,
        "loop_complete_task",
        json!({"issueId": id, "outcome": "Fixed the cookie's SameSite attribute."}),
    ));
    assert_eq!(done["issue"]["status"], "done");
    assert_eq!(done["comment"]["authorType"], "agent");
    assert_eq!(done["unblockedIssues"], json!([]));
    let stored = server.get(&format!("/api/issues/{id}")).json()["data"].clone();
    assert_eq!(stored["status"], "done");
    assert_eq!(
        stored["agentSummary"],
        "Fixed the cookie's SameSite attribute."
    );
    assert!(stored["completedAt"].is_string());

    let dashboard = json_text(&call(&server, KEY, "loop_get_dashboard", json!({})));
    assert_eq!(dashboard, server.get("/api/dashboard/stats").json()["data"]);
    assert_eq!(dashboard["issues"]["byStatus"]["done"], 1, "{dashboard}");
    let detail = json_text(&call(
        &server,
        KEY,
        "loop_get_issue",
        json!({"issueId": id}),
    ));
    assert_eq!(
        detail["comments"][0]["body"],
        "Fixed the cookie's SameSite attribute."
    );
}

#[test]
fn completing_a_task_lists_the_issues_it_unblocked() {
    let server = TestServer::start();
    let todo = |title: &str| {
        server.create(
            "/api/issues",
            json!({"title": title, "type": "task", "status": "todo"}),
        )["id"]
            .as_str()
            .expect("id")
            .to_owned()
    };
    let (first, second, third, other) =
        (todo("First"), todo("Second"), todo("Third"), todo("Other"));
    for (blocked, blocker) in [(&second, &first), (&third, &first), (&third, &other)] {
        server.create(
            &format!("/api/issues/{blocked}/relations"),
            json!({"type": "blocked_by", "relatedIssueId": blocker}),
        );
    }
    let done = json_text(&call(
        &server,
        KEY,
        "loop_complete_task",
        json!({"issueId": first, "outcome": "Done"}),
    ));
    let unblocked: Vec<&str> = done["unblockedIssues"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|issue| issue["title"].as_str().expect("title"))
        .collect();
    assert_eq!(unblocked, ["Second"], "Third still waits for Other");
}

#[test]
fn review_tools_create_read_and_wait_for_verdicts() {
    let server = TestServer::start();
    let (project_id, key) = server.review_project("Refunds");
    let reviewer = server.user("ana@example.com", "reviewer");
    server.add_reviewer(&project_id, &reviewer);

    let created = call(
        &server,
        &key,
        "create_review_task",
        json!({"content": "Refund £2,400", "title": "Refund #4821", "mode": "gate",
               "timeout_seconds": 3600, "external_id": "order-4821"}),
    );
    let task = json_text(&created);
    let id = task["id"].as_str().expect("task id").to_owned();
    assert_eq!(task["status"], "pending");
    assert_eq!(task["external_id"], "order-4821");
    assert_eq!(
        text(&created),
        server
            .review(&key, "GET", &format!("/api/v1/tasks/{id}"), None)
            .text(),
        "the API's answer, as it is"
    );
    let status = call(&server, &key, "get_task_status", json!({"task_id": id}));
    assert_eq!(json_text(&status)["status"], "pending");

    let waited = call(
        &server,
        &key,
        "wait_for_verdict",
        json!({"task_id": id, "timeout_seconds": 1}),
    );
    assert_eq!(json_text(&waited)["status"], "pending", "the wait ran out");

    let verdict = std::thread::scope(|scope| {
        let waiting = scope.spawn(|| {
            call(
                &server,
                &key,
                "wait_for_verdict",
                json!({"task_id": id, "timeout_seconds": 120}),
            )
        });
        std::thread::sleep(Duration::from_millis(300));
        let (assignment, card) = server.next_card(&reviewer).expect("the card");
        assert_eq!(card["id"], id.as_str());
        let decided = server.decide(&reviewer, &assignment, json!({"decision": "approve"}));
        assert_eq!(decided.status, 200, "{}", decided.text());
        waiting.join().expect("the wait ends")
    });
    let verdict = json_text(&verdict);
    assert_eq!(verdict["status"], "reviewed");
    assert_eq!(verdict["verdict"], true);

    // Already decided: no waiting at all.
    let again = call(&server, &key, "wait_for_verdict", json!({"task_id": id}));
    assert_eq!(json_text(&again)["status"], "reviewed");

    let missing = call(&server, &key, "get_task_status", json!({"task_id": "nope"}));
    assert_eq!(
        serde_json::from_str::<Value>(&error_text(&missing)).expect("JSON")["code"],
        "not_found"
    );
    let invalid = call(
        &server,
        &key,
        "create_review_task",
        json!({"module": "chess"}),
    );
    assert!(error_text(&invalid).contains("module: Expected one of: swiper"));
    let refused = call(
        &server,
        &key,
        "create_review_task",
        json!({"content": "x", "callback_url": "not a URL"}),
    );
    assert_eq!(
        serde_json::from_str::<Value>(&error_text(&refused)).expect("JSON")["code"],
        "validation_failed",
        "the review API's own refusal"
    );
}

#[test]
fn waits_leave_workers_free_and_end_at_shutdown() {
    // Two workers: one may wait, the other keeps answering.
    let mut server = TestServer::start_with(|config| {
        config.threads = 2;
        // The long wait may have to ask again for its seat (below).
        config.rate_limit.requests_per_key = 1_000_000;
    });
    let (_, key) = server.review_project("Gates");
    let task = server.task(
        &key,
        json!({"module": "swiper", "payload": {"content": "x"}}),
    );
    let id = task["id"].as_str().expect("id").to_owned();
    let addr = server.running().addr();
    let wait = |seconds: i64| {
        let body = request(
            1,
            "tools/call",
            json!({"name": "wait_for_verdict", "arguments": {"task_id": id, "timeout_seconds": seconds}}),
        )
        .to_string();
        let auth = format!("Bearer {key}");
        send_to(
            addr,
            "POST",
            "/mcp",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
                ("Accept", ACCEPT),
            ],
            body.as_bytes(),
        )
    };
    let started = Instant::now();
    std::thread::scope(|scope| {
        // The long wait may lose the seat to a probe at first; it asks again until it
        // holds it.
        let first = scope.spawn(|| {
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let answer = wait(300);
                let result = result_of(&answer);
                let refused = result["isError"] == true
                    && result["content"][0]["text"]
                        .as_str()
                        .is_some_and(|text| text.contains("already holding"));
                if !refused || Instant::now() > deadline {
                    return answer;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        // Short waits until one finds the seat taken by the long one.
        let refused = (0..60).find_map(|_| {
            let probe = result_of(&wait(1));
            (probe["isError"] == true).then(|| error_text(&probe))
        });
        assert!(
            refused
                .as_deref()
                .is_some_and(|r| r.contains("already holding 1 wait(s)")),
            "{refused:?}"
        );
        assert_eq!(
            server.get("/health").status,
            200,
            "the other worker answers"
        );
        server.restart();
        let first = result_of(&first.join().expect("the first wait ends"));
        assert_eq!(json_text(&first)["status"], "pending");
    });
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "shutdown ended the wait instead of serving its 300 s"
    );
}

/// Runs `loop mcp args…` with `lines` on its standard input: its answers, one per line.
fn stdio(args: &[&str], env: &[(&str, &str)], lines: &[Value]) -> (Vec<Value>, String) {
    let mut command = Command::new(BIN);
    command
        .arg("mcp")
        .args(args)
        .env_remove("LOOP_API_KEY")
        .env_remove("LOOP_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("loop mcp starts");
    let mut stdin = child.stdin.take().expect("stdin");
    for line in lines {
        writeln!(stdin, "{line}").expect("write a message");
    }
    drop(stdin);
    let output = child.wait_with_output().expect("loop mcp ends");
    let answers = BufReader::new(output.stdout.as_slice())
        .lines()
        .map(|line| serde_json::from_str(&line.expect("a line")).expect("each line is JSON"))
        .collect();
    (
        answers,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn loop_mcp_serves_stdio_on_a_database_or_a_server() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("local.db");
    let db = db.to_str().expect("UTF-8 path");
    let initialize = request(
        1,
        "initialize",
        json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
    );
    let (answers, _) = stdio(
        &["--db", db],
        &[],
        &[
            initialize.clone(),
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            request(2, "tools/list", json!({})),
            request(
                3,
                "tools/call",
                json!({"name": "loop_create_issue", "arguments": {"title": "Local work", "priority": 2}}),
            ),
            request(
                4,
                "tools/call",
                json!({"name": "loop_list_issues", "arguments": {}}),
            ),
        ],
    );
    assert_eq!(answers.len(), 4, "{answers:?}");
    assert_eq!(answers[0]["result"]["protocolVersion"], "2025-06-18");
    assert_eq!(
        answers[1]["result"]["tools"].as_array().map(Vec::len),
        Some(10)
    );
    let created: Value = serde_json::from_str(
        answers[2]["result"]["content"][0]["text"]
            .as_str()
            .expect("text"),
    )
    .expect("JSON");
    assert_eq!(created["title"], "Local work");
    assert_eq!(created["priority"], 2);
    let listed: Value = serde_json::from_str(
        answers[3]["result"]["content"][0]["text"]
            .as_str()
            .expect("text"),
    )
    .expect("JSON");
    assert_eq!(listed["total"], 1);

    // Against a server: the key decides the tools; a refused key is a clear error.
    let server = TestServer::start();
    let url = server.running().url();
    let (answers, _) = stdio(
        &["--url", &url],
        &[("LOOP_API_KEY", KEY)],
        &[initialize.clone(), request(2, "tools/list", json!({}))],
    );
    assert_eq!(
        answers[1]["result"]["tools"].as_array().map(Vec::len),
        Some(10)
    );
    let (answers, _) = stdio(
        &["--url", &url, "--key", "loop_wrong"],
        &[],
        &[request(2, "tools/list", json!({}))],
    );
    assert_eq!(answers[0]["error"]["code"], -32603);
    assert!(
        answers[0]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("refused this key")),
        "{answers:?}"
    );
    let (answers, stderr) = stdio(&["--url", &url], &[], &[initialize]);
    assert!(answers.is_empty(), "nothing but MCP on stdout");
    assert!(stderr.contains("--key or LOOP_API_KEY"), "{stderr}");
}

#[test]
fn an_agent_requests_sign_off_over_mcp() {
    let server = TestServer::start();
    let project = server.create(
        "/api/projects",
        json!({"name": "Payments", "signOff": "required"}),
    );
    let project_id = project["id"].as_str().expect("project id");
    let issue = server.create(
        "/api/issues",
        json!({"title": "Retry failed payouts", "type": "task", "status": "todo", "projectId": project_id}),
    );
    let id = issue["id"].as_str().expect("id");
    let claimed = json_text(&call(&server, KEY, "loop_get_next_task", json!({})));
    let prompt = claimed["prompt"].as_str().unwrap_or_default();
    assert!(prompt.contains("loop_request_review"), "{prompt}");

    // Completing it directly is refused, with the way out in the message.
    let refused = call(
        &server,
        KEY,
        "loop_complete_task",
        json!({"issueId": id, "outcome": "Retried them."}),
    );
    assert_eq!(refused["isError"], true);
    let message = refused["content"][0]["text"].as_str().unwrap_or_default();
    assert!(message.starts_with("API error (409): "), "{message}");
    assert!(message.contains("loop_request_review"), "{message}");

    let requested = json_text(&call(
        &server,
        KEY,
        "loop_request_review",
        json!({"issueId": id, "summary": "Payouts retry three times with backoff.",
               "fields": [{"label": "Attempts", "value": 3}]}),
    ));
    let stored = server.get(&format!("/api/issues/{id}")).json()["data"].clone();
    assert_eq!(
        requested,
        json!({"id": id, "number": 1, "title": "Retry failed payouts", "status": "in_progress",
               "reviewStatus": "pending", "reviewTaskId": stored["reviewTaskId"]})
    );
    assert_eq!(
        stored["agentSummary"],
        "Payouts retry three times with backoff."
    );

    let again = call(&server, KEY, "loop_request_review", json!({"issueId": id}));
    assert_eq!(again["isError"], true, "one pending review at a time");
    let invalid = call(
        &server,
        KEY,
        "loop_request_review",
        json!({"issueId": id, "module": "versus", "fields": {"label": "x"}}),
    );
    assert_eq!(
        invalid["content"][0]["text"],
        "Invalid arguments for loop_request_review:\nmodule: Expected one of: swiper, fixer\n\
         fields: Expected an array of objects"
    );
    let missing = call(
        &server,
        KEY,
        "loop_request_review",
        json!({"issueId": "no-such-issue"}),
    );
    assert!(
        missing["content"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Not found: Issue not found.")
    );
}
