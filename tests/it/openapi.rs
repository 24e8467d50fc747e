//! The OpenAPI document served at `/api/openapi.json` describes exactly the routes the
//! server has, with the security each one asks for, and its examples are true. (That
//! every answer matches it is checked on every request of the integration suite, by
//! `common::contract`.)

use std::collections::BTreeSet;
use std::panic::catch_unwind;

use loop_engine::Access;
use serde_json::{Value, json};

use crate::common::contract::{document, problems, resolve, strict_document, validator_for};
use crate::common::{Response, TestServer};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every (method, path) pair of the document, e.g. `("GET", "/api/issues/{id}")`.
fn documented_operations(document: &Value) -> BTreeSet<(String, String)> {
    let paths = document["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| (m.to_uppercase(), path.clone()))
        })
        .collect()
}

#[test]
fn every_route_is_documented_and_nothing_else() {
    let routes: BTreeSet<(String, String)> = loop_engine::routes()
        .into_iter()
        .map(|(method, pattern)| (method.to_owned(), pattern.to_owned()))
        .collect();
    let documented = documented_operations(&document());
    let undocumented: Vec<_> = routes.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routes).collect();
    assert!(
        undocumented.is_empty() && unrouted.is_empty(),
        "routes missing from src/api/openapi.json: {undocumented:?}\n\
         operations of the document no route answers: {unrouted:?}"
    );
}

#[test]
fn path_parameters_match_the_path_templates() {
    let document = document();
    for (path, item) in document["paths"].as_object().expect("paths") {
        let in_template: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        for method in METHODS.iter().filter(|m| item.get(**m).is_some()) {
            let declared: BTreeSet<&str> = item[*method]["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| resolve(&document, p))
                .filter(|p| p["in"] == "path")
                .map(|p| {
                    assert_eq!(
                        p["required"], true,
                        "{method} {path}: path parameters are required"
                    );
                    p["name"].as_str().expect("parameter name")
                })
                .collect();
            assert_eq!(declared, in_template, "{method} {path}");
        }
    }
}

/// The security requirement an access class documents.
fn security_of(access: Access) -> Value {
    match access {
        Access::Public | Access::Signed => json!([]),
        Access::Admin | Access::Manage => json!([{"bearerAuth": []}, {"sessionCookie": []}]),
        Access::ProjectKey => json!([{"projectKey": []}]),
        Access::Session => json!([{"sessionCookie": []}]),
        Access::Key => json!([{"bearerAuth": []}, {"projectKey": []}]),
        Access::Metrics => json!([{"bearerAuth": []}, {"metricsToken": []}]),
    }
}

#[test]
fn each_operation_documents_the_security_of_its_route() {
    let document = document();
    for (method, pattern, access) in loop_engine::route_access() {
        let operation = &document["paths"][pattern][method.to_lowercase()];
        let what = format!("{method} {pattern}");
        assert_eq!(operation["security"], security_of(access), "{what}");
        if access != Access::Public {
            assert!(
                operation["responses"]["401"].is_object(),
                "{what}: a refused credential (401) is documented"
            );
        }
    }
    let schemes = document["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes");
    assert_eq!(
        schemes.keys().collect::<Vec<_>>(),
        ["bearerAuth", "projectKey", "sessionCookie", "metricsToken"]
    );
}

/// Checks `example` against `schema`, the schema it illustrates.
fn check_example(example: &Value, schema: &Value, at: &str) {
    let problems = problems(&validator_for(schema), example);
    assert!(
        problems.is_empty(),
        "the example at {at} does not match its schema:\n{problems}"
    );
}

/// Walks the document checking every example: those of media types against their
/// schema, and those inside schemas against the schema they sit in.
fn check_examples(value: &Value, at: &str) {
    match value {
        Value::Object(object) => {
            if let Some(example) = object.get("example") {
                match object.get("schema") {
                    Some(schema) => check_example(example, schema, at),
                    None => check_example(example, value, at),
                }
            }
            for (key, child) in object {
                check_examples(child, &format!("{at}/{key}"));
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                check_examples(child, &format!("{at}/{i}"));
            }
        }
        _ => {}
    }
}

#[test]
fn every_example_matches_its_schema() {
    check_examples(strict_document(), "#");
}

#[test]
fn keeps_what_the_originals_clients_rely_on() {
    let document = document();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["title"], "Loop API");
    assert!(document["info"]["version"].is_string());
    assert!(
        document["servers"]
            .as_array()
            .is_some_and(|s| !s.is_empty())
    );
    let tags: Vec<&str> = document["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    for tag in [
        "System",
        "Issues",
        "Relations",
        "Comments",
        "Projects",
        "Goals",
        "Labels",
        "Signals",
        "Templates",
        "Prompt Reviews",
        "Dispatch",
        "Dashboard",
        "Webhooks",
    ] {
        assert!(tags.contains(&tag), "tag {tag}");
    }
    for schema in [
        "Issue",
        "HypothesisData",
        "CommitRef",
        "PullRequestRef",
        "Label",
        "IssueRelation",
        "Comment",
        "Goal",
        "Project",
        "Signal",
        "PromptTemplate",
        "PromptVersion",
        "PromptReview",
    ] {
        assert!(
            document["components"]["schemas"][schema].is_object(),
            "schema {schema}"
        );
    }
    assert_eq!(
        document["components"]["securitySchemes"]["bearerAuth"],
        json!({"type": "http", "scheme": "bearer", "description": document["components"]["securitySchemes"]["bearerAuth"]["description"]})
    );
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in METHODS.iter().filter(|m| item.get(**m).is_some()) {
            let operation = &item[*method];
            let tag = operation["tags"][0].as_str().unwrap_or_default();
            assert!(
                tags.contains(&tag),
                "{method} {path}: tag {tag:?} is declared"
            );
            assert!(
                operation["operationId"].is_string(),
                "{method} {path}: operationId"
            );
        }
    }
}

#[test]
fn the_document_is_served_without_a_key() {
    let server = TestServer::start();
    let response = server.send("GET", "/api/openapi.json", &[], b"");
    assert_eq!(response.status, 200);
    assert_eq!(response.header("Content-Type"), Some("application/json"));
    assert_eq!(response.json(), document());
}

#[test]
fn review_answers_declare_their_charset() {
    let server = TestServer::start();
    let (_, key) = server.review_project("Charset");
    for response in [
        server.review(&key, "GET", "/api/v1/me", None),
        server.review("lq_wrong", "GET", "/api/v1/me", None),
        server.send("GET", "/api/v1/nowhere", &[], b""),
    ] {
        assert_eq!(
            response.header("Content-Type"),
            Some("application/json; charset=utf-8"),
            "{}",
            response.text()
        );
    }
    assert_eq!(
        server.get("/api/issues").header("Content-Type"),
        Some("application/json"),
        "the engine API keeps the original's plain content type"
    );
}

/// A response as the test client would have received it.
fn received(status: u16, content_type: Option<&str>, body: &str) -> Response {
    Response {
        status,
        headers: content_type
            .map(|t| vec![("Content-Type".to_owned(), t.to_owned())])
            .unwrap_or_default(),
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn the_contract_check_refuses_answers_the_document_does_not_describe() {
    let check = |method: &str, target: &str, response: Response| {
        catch_unwind(|| crate::common::contract::check(method, target, &response)).is_ok()
    };
    let json = Some("application/json");
    assert!(check(
        "GET",
        "/api/labels?limit=5",
        received(200, json, r#"{"data":[],"total":0}"#)
    ));
    assert!(check("DELETE", "/api/labels/x", received(204, None, "")));
    assert!(check(
        "GET",
        "/nowhere",
        received(404, json, r#"{"error":"Not found"}"#)
    ));
    assert!(check(
        "GET",
        "/api/v1/tasks",
        received(
            431,
            json,
            r#"{"error":"Request head too large","code":"payload_too_large"}"#
        )
    ));
    for (method, target, response, why) in [
        (
            "GET",
            "/api/labels",
            received(200, json, r#"{"data":[]}"#),
            "a required field is missing",
        ),
        (
            "GET",
            "/api/labels",
            received(200, json, r#"{"data":[],"total":0,"extra":1}"#),
            "an undocumented field",
        ),
        (
            "GET",
            "/api/labels",
            received(418, json, r#"{"error":"teapot"}"#),
            "an undocumented status",
        ),
        (
            "GET",
            "/api/labels",
            received(200, Some("text/plain"), r#"{"data":[],"total":0}"#),
            "another content type",
        ),
        (
            "GET",
            "/api/labels",
            received(200, json, "not json"),
            "a body that is not JSON",
        ),
        (
            "DELETE",
            "/api/labels/x",
            received(204, None, "{}"),
            "a body where none is documented",
        ),
        (
            "GET",
            "/api/v1/me/",
            received(401, json, r#"{"error":"x","code":"forbidden"}"#),
            "the wrong error code",
        ),
        (
            "GET",
            "/api/labels",
            received(431, Some("text/plain"), "Request head too large"),
            "a refusal of the HTTP layer that is not JSON",
        ),
        (
            "GET",
            "/api/labels",
            received(431, json, r#"{"message":"too large"}"#),
            "a refusal of the HTTP layer in another error shape",
        ),
    ] {
        assert!(!check(method, target, response), "{why} passed");
    }
}
