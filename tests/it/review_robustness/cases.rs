//! The route table as the batteries drive it: one case per `/api/v1` route.

use serde_json::{Value, json};

use super::hostile::{Class, Hostile};
use super::probe::Req;
use super::world::{Targets, World};
use crate::common::{self, KEY};

/// How a route authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Auth {
    Public,
    ProjectKey,
    Session,
    Manage,
}

/// What a body field must be, to know which wrong values get a 422.
#[derive(Clone, Copy, Debug)]
pub(super) enum Kind {
    /// Whatever is sent, only the general rules apply.
    Any,
    Str,
    /// One of these exact strings.
    Enum(&'static [&'static str]),
    Int,
    Bool,
    Object,
    Array,
}

impl Kind {
    /// The statuses `value` may get when sent as this field, or `None` when only the
    /// general rules apply.
    pub(super) fn expect(self, value: &Hostile) -> Option<Vec<u16>> {
        use Class::*;
        if value.class == Unreadable {
            return Some(vec![400]);
        }
        let wrong = match (self, value.class) {
            (_, Absent) | (Kind::Any, _) => false,
            (Kind::Str, class) => class != Str,
            (Kind::Enum(allowed), Str) => {
                let text: Value = serde_json::from_str(&value.raw).unwrap_or(Value::Null);
                !allowed.contains(&text.as_str().unwrap_or_default())
            }
            (Kind::Enum(_), _) => true,
            (Kind::Int, class) => matches!(class, Bool | Array | Object),
            (Kind::Bool, class) => matches!(class, Number | Array | Object),
            (Kind::Object, class) => class != Object,
            (Kind::Array, class) => class != Array,
        };
        wrong.then(|| vec![422])
    }
}

/// One route of the table, as the battery drives it.
pub(super) struct Case {
    pub(super) method: &'static str,
    pub(super) pattern: &'static str,
    pub(super) auth: Auth,
    /// The path parameters' real values.
    pub(super) params: Vec<(&'static str, String)>,
    /// The project key (ProjectKey routes).
    pub(super) key: String,
    /// The session cookie (Session routes).
    pub(super) cookie: String,
    /// A body the route accepts (or, for routes that must stay usable, a body it
    /// refuses for its content but reads completely).
    pub(super) base: Option<Value>,
    /// Body fields and what they must be (dotted paths for nested fields).
    pub(super) fields: Vec<(&'static str, Kind)>,
    /// Whether the route reads the body (malformed JSON → 400).
    pub(super) reads_body: bool,
    /// Query parameters the route reads.
    pub(super) query: Vec<&'static str>,
    /// Whether a valid request uses the target up (later ones then get 404 or 409).
    pub(super) consumable: bool,
}

impl Case {
    pub(super) fn path_with(&self, params: &[(&str, String)]) -> String {
        let mut path = self.pattern.to_owned();
        for (name, value) in params {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        path
    }

    pub(super) fn path(&self) -> String {
        let params: Vec<(&str, String)> =
            self.params.iter().map(|(n, v)| (*n, v.clone())).collect();
        self.path_with(&params)
    }

    /// The request with valid credentials, `Content-Type: application/json` and the
    /// base body, to `target`.
    pub(super) fn request_to(&self, method: &str, target: &str) -> Req {
        let mut req = Req::new(method, target).header("Content-Type", "application/json");
        req = match self.auth {
            Auth::Public => req,
            Auth::ProjectKey => req.header("Authorization", format!("Bearer {}", self.key)),
            Auth::Session => req.header("Cookie", &self.cookie),
            Auth::Manage => req.header("Authorization", format!("Bearer {KEY}")),
        };
        match &self.base {
            Some(body) => req.body(body.to_string()),
            None => req,
        }
    }

    pub(super) fn request(&self) -> Req {
        self.request_to(self.method, &self.path())
    }

    /// Statuses allowed besides the expected ones once the target may be used up.
    pub(super) fn used_up(&self) -> &'static [u16] {
        match (self.consumable, self.auth) {
            (false, _) => &[],
            // A route that ends its session (logout) leaves it signed out.
            (true, Auth::Session) => &[401, 404, 409],
            (true, _) => &[404, 409],
        }
    }

    pub(super) fn expecting(&self, statuses: &[u16]) -> Vec<u16> {
        let mut all = statuses.to_vec();
        all.extend_from_slice(self.used_up());
        all
    }
}

/// The base body with `field` (a dotted path) replaced by the raw JSON `raw`.
pub(super) fn body_with(base: &Value, field: &str, raw: &str) -> Vec<u8> {
    const MARK: &str = "__hostile_value_goes_here__";
    let mut body = base.clone();
    let mut at = &mut body;
    let parts: Vec<&str> = field.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !at.is_object() {
            *at = json!({});
        }
        let object = at.as_object_mut().expect("an object");
        if i + 1 == parts.len() {
            object.insert((*part).to_owned(), json!(MARK));
            break;
        }
        at = object
            .entry((*part).to_owned())
            .or_insert_with(|| json!({}));
    }
    body.to_string()
        .replace(&format!("\"{MARK}\""), raw)
        .into_bytes()
}

pub(super) const ROLES: &[&str] = &["owner", "admin", "reviewer", "viewer"];
pub(super) const DECISIONS: &[&str] = &["approve", "flag", "escalate"];

/// A case with the common defaults.
pub(super) fn case(method: &'static str, pattern: &'static str, auth: Auth) -> Case {
    Case {
        method,
        pattern,
        auth,
        params: Vec::new(),
        key: String::new(),
        cookie: String::new(),
        base: None,
        fields: Vec::new(),
        reads_body: false,
        query: Vec::new(),
        consumable: false,
    }
}

/// One case per `/api/v1` route, each aimed at data it may change or use up.
pub(super) fn cases(world: &World, targets: &Targets) -> Vec<Case> {
    use Auth::*;
    use Kind::*;
    let p = |case: Case, params: &[(&'static str, &str)]| Case {
        params: params.iter().map(|(n, v)| (*n, (*v).to_owned())).collect(),
        ..case
    };
    let key_p = |case: Case| Case {
        key: world.key_p.clone(),
        ..case
    };
    let key_q = |case: Case| Case {
        key: world.key_q.clone(),
        ..case
    };
    let session = |case: Case, cookie: &str| Case {
        cookie: cookie.to_owned(),
        ..case
    };
    let task_fields = vec![
        ("module", Enum(&common::GAMES)),
        ("payload", Object),
        ("mode", Enum(&["gate", "monitor"])),
        ("timeout_seconds", Int),
        ("on_timeout", Enum(&["escalate", "reject", "approve"])),
        ("source", Str),
        ("external_id", Str),
        ("callback_url", Str),
        ("card", Object),
        ("reviews_required", Int),
        ("golden", Bool),
        ("answer", Any),
        ("card.title", Str),
        ("card.subtitle", Str),
        ("card.body", Str),
        ("card.suggestion", Object),
        ("card.suggestion.confidence", Any),
        ("card.fields", Array),
        ("card.choices", Array),
        ("payload.content", Any),
        ("payload.fields", Any),
    ];
    vec![
        key_p(case("GET", "/api/v1/me", ProjectKey)),
        key_p(Case {
            base: Some(json!({
                "module": "swiper", "payload": {"content": "hello"}, "card": {"title": "t", "suggestion": {"label": "ok", "confidence": 0.5}},
                "mode": "gate", "timeout_seconds": 2_592_000, "on_timeout": "reject", "source": "fuzz",
                "external_id": "e", "callback_url": "http://127.0.0.1:9/cb", "reviews_required": 1, "golden": false
            })),
            fields: task_fields,
            reads_body: true,
            ..case("POST", "/api/v1/tasks", ProjectKey)
        }),
        key_p(Case {
            query: vec![
                "status",
                "module",
                "source",
                "external_id",
                "before",
                "limit",
            ],
            ..case("GET", "/api/v1/tasks", ProjectKey)
        }),
        key_p(p(
            case("GET", "/api/v1/tasks/{id}", ProjectKey),
            &[("id", &targets.keeper)],
        )),
        key_p(p(
            Case {
                consumable: true,
                ..case("DELETE", "/api/v1/tasks/{id}", ProjectKey)
            },
            &[("id", &targets.doomed_task)],
        )),
        key_p(Case {
            base: Some(json!({"url": "http://127.0.0.1:9/hook", "event": "verdict"})),
            fields: vec![("url", Str), ("event", Enum(&["verdict"]))],
            reads_body: true,
            ..case("POST", "/api/v1/hooks", ProjectKey)
        }),
        key_p(case("GET", "/api/v1/hooks", ProjectKey)),
        key_p(p(
            Case {
                consumable: true,
                ..case("DELETE", "/api/v1/hooks/{id}", ProjectKey)
            },
            &[("id", &targets.doomed_hook)],
        )),
        key_q(Case {
            query: vec!["limit", "since"],
            ..case("GET", "/api/v1/verdicts", ProjectKey)
        }),
        key_q(Case {
            query: vec!["task_id", "status", "limit"],
            ..case("GET", "/api/v1/deliveries", ProjectKey)
        }),
        key_q(p(
            case("POST", "/api/v1/deliveries/{id}/redeliver", ProjectKey),
            &[("id", &targets.delivery)],
        )),
        case("GET", "/api/v1/projects", Manage),
        Case {
            base: Some(json!({"name": "fuzz", "default_gate_timeout_seconds": 3600})),
            fields: vec![("name", Str), ("default_gate_timeout_seconds", Int)],
            reads_body: true,
            ..case("POST", "/api/v1/projects", Manage)
        },
        p(
            case("GET", "/api/v1/projects/{id}", Manage),
            &[("id", &world.project_p)],
        ),
        p(
            Case {
                base: Some(json!({"name": "Scratch", "default_gate_timeout_seconds": 86_400})),
                fields: vec![("name", Str), ("default_gate_timeout_seconds", Int)],
                reads_body: true,
                ..case("PATCH", "/api/v1/projects/{id}", Manage)
            },
            &[("id", &world.project_s)],
        ),
        p(
            Case {
                query: vec![
                    "status",
                    "module",
                    "source",
                    "external_id",
                    "before",
                    "limit",
                ],
                ..case("GET", "/api/v1/projects/{id}/tasks", Manage)
            },
            &[("id", &world.project_p)],
        ),
        p(
            case("GET", "/api/v1/projects/{id}/tasks/{task_id}", Manage),
            &[("id", &world.project_p), ("task_id", &targets.keeper)],
        ),
        p(
            case("GET", "/api/v1/projects/{id}/hooks", Manage),
            &[("id", &world.project_p)],
        ),
        p(
            Case {
                base: Some(json!({"url": "http://127.0.0.1:9/admin-hook", "event": "verdict"})),
                fields: vec![("url", Str), ("event", Enum(&["verdict"]))],
                reads_body: true,
                ..case("POST", "/api/v1/projects/{id}/hooks", Manage)
            },
            &[("id", &world.project_s)],
        ),
        p(
            Case {
                consumable: true,
                ..case("DELETE", "/api/v1/projects/{id}/hooks/{hook_id}", Manage)
            },
            &[("id", &world.project_p), ("hook_id", &targets.doomed_hook)],
        ),
        p(
            Case {
                query: vec!["task_id", "status", "limit"],
                ..case("GET", "/api/v1/projects/{id}/deliveries", Manage)
            },
            &[("id", &world.project_q)],
        ),
        p(
            case(
                "POST",
                "/api/v1/projects/{id}/deliveries/{delivery_id}/redeliver",
                Manage,
            ),
            &[("id", &world.project_q), ("delivery_id", &targets.delivery)],
        ),
        p(
            Case {
                base: Some(json!({"name": "fuzz"})),
                fields: vec![("name", Str)],
                reads_body: true,
                ..case("POST", "/api/v1/projects/{id}/keys", Manage)
            },
            &[("id", &world.project_s)],
        ),
        p(
            case("GET", "/api/v1/projects/{id}/keys", Manage),
            &[("id", &world.project_p)],
        ),
        p(
            Case {
                consumable: true,
                ..case("DELETE", "/api/v1/projects/{id}/keys/{key_id}", Manage)
            },
            &[("id", &world.project_s), ("key_id", &targets.doomed_key)],
        ),
        p(
            case("GET", "/api/v1/projects/{id}/signing-secret", Manage),
            &[("id", &world.project_p)],
        ),
        p(
            case(
                "POST",
                "/api/v1/projects/{id}/signing-secret/rotate",
                Manage,
            ),
            &[("id", &world.project_s)],
        ),
        p(
            case("GET", "/api/v1/projects/{id}", Manage),
            &[("id", &world.project_p)],
        ),
        p(
            Case {
                base: Some(json!({"decoy_rate": 0, "golden_rate": 0})),
                fields: vec![("decoy_rate", Any), ("golden_rate", Any)],
                reads_body: true,
                ..case("PATCH", "/api/v1/projects/{id}", Manage)
            },
            &[("id", &world.project_s)],
        ),
        p(
            Case {
                query: vec!["since", "after", "limit"],
                ..case("GET", "/api/v1/projects/{id}/audit", Manage)
            },
            &[("id", &world.project_q)],
        ),
        p(
            case("GET", "/api/v1/projects/{id}/audit/verify", Manage),
            &[("id", &world.project_q)],
        ),
        p(
            case("GET", "/api/v1/projects/{id}/reviewers", Manage),
            &[("id", &world.project_q)],
        ),
        p(
            Case {
                query: vec!["limit"],
                ..case("GET", "/api/v1/projects/{id}/reviewers/{user_id}", Manage)
            },
            &[("id", &world.project_q), ("user_id", &world.reviewer.id)],
        ),
        p(
            case("PUT", "/api/v1/projects/{id}/reviewers/{user_id}", Manage),
            &[("id", &world.project_s), ("user_id", &targets.member)],
        ),
        p(
            Case {
                consumable: true,
                ..case(
                    "DELETE",
                    "/api/v1/projects/{id}/reviewers/{user_id}",
                    Manage,
                )
            },
            &[("id", &world.project_s), ("user_id", &targets.member)],
        ),
        Case {
            base: Some(json!({"email": "rolf@example.com", "password": common::PASSWORD})),
            fields: vec![("email", Str), ("password", Str)],
            reads_body: true,
            ..case("POST", "/api/v1/auth/login", Public)
        },
        session(
            Case {
                consumable: true,
                ..case("POST", "/api/v1/auth/logout", Session)
            },
            &targets.doomed_session,
        ),
        session(
            case("GET", "/api/v1/auth/session", Session),
            &world.reviewer2.cookie,
        ),
        Case {
            base: Some(
                json!({"email": "new@example.com", "password": "password-123", "role": "viewer",
                              "display_name": "New", "handle": "new-user"}),
            ),
            fields: vec![
                ("email", Str),
                ("password", Str),
                ("role", Enum(ROLES)),
                ("display_name", Str),
                ("handle", Str),
            ],
            reads_body: true,
            ..case("POST", "/api/v1/users", Manage)
        },
        case("GET", "/api/v1/users", Manage),
        p(
            Case {
                base: Some(json!({"display_name": "Changed", "role": "viewer"})),
                fields: vec![
                    ("role", Enum(ROLES)),
                    ("display_name", Str),
                    ("handle", Str),
                    ("password", Str),
                ],
                reads_body: true,
                ..case("PATCH", "/api/v1/users/{id}", Manage)
            },
            &[("id", &targets.patched_user)],
        ),
        p(
            Case {
                consumable: true,
                ..case("DELETE", "/api/v1/users/{id}", Manage)
            },
            &[("id", &targets.doomed_user)],
        ),
        p(
            case("POST", "/api/v1/users/{id}/reset-password", Manage),
            &[("id", &targets.patched_user)],
        ),
        session(
            case("GET", "/api/v1/review/projects", Session),
            &world.reviewer2.cookie,
        ),
        session(
            Case {
                base: Some(json!({"project_id": world.project_q, "modules": ["versus", "swiper"]})),
                fields: vec![("project_id", Str), ("modules", Array)],
                reads_body: true,
                ..case("POST", "/api/v1/review/next", Session)
            },
            &world.reviewer2.cookie,
        ),
        session(
            p(
                Case {
                    // A choice versus does not offer: refused for its content, so the
                    // lease stays live for every other case.
                    base: Some(json!({"decision": "approve", "choice": "neither"})),
                    fields: vec![
                        ("decision", Enum(DECISIONS)),
                        ("choice", Str),
                        ("reason", Str),
                        ("detail", Object),
                        ("severity", Any),
                    ],
                    reads_body: true,
                    consumable: true,
                    ..case("POST", "/api/v1/review/assignments/{id}/decision", Session)
                },
                &[("id", &targets.decision_assignment)],
            ),
            &world.reviewer2.cookie,
        ),
        session(
            p(
                Case {
                    consumable: true,
                    ..case("POST", "/api/v1/review/assignments/{id}/skip", Session)
                },
                &[("id", &targets.skip_assignment)],
            ),
            &world.reviewer2.cookie,
        ),
        session(
            case("GET", "/api/v1/review/stats", Session),
            &world.reviewer2.cookie,
        ),
        Case {
            query: vec!["project_id", "limit"],
            ..case("GET", "/api/v1/review/escalations", Manage)
        },
        p(
            Case {
                // Escalating is not a resolution: refused for its content, so the task
                // stays escalated for every other case.
                base: Some(json!({"decision": "escalate"})),
                fields: vec![
                    ("decision", Enum(&["approve", "flag"])),
                    ("choice", Str),
                    ("reason", Str),
                    ("detail", Object),
                    ("severity", Any),
                ],
                reads_body: true,
                consumable: true,
                ..case("POST", "/api/v1/review/tasks/{id}/resolve", Manage)
            },
            &[("id", &targets.escalated)],
        ),
    ]
}
