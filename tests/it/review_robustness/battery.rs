//! Every hostile request for one route.

use super::cases::body_with;
use super::cases::{Auth, Case};
use super::hostile::{Class, Hostile, hostile_ids, malformed_bodies, nesting};
use super::probe::{HEAD_LIMIT, Probe, clip};
use super::rng::Rng;
use super::world::World;
use crate::common::KEY;

pub(super) const METHODS: [&str; 12] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "FOO", "get",
    "M-SEARCH",
];

/// Every hostile request for one route.
pub(super) fn battery(
    probe: &mut Probe,
    world: &World,
    case: &Case,
    rng: &mut Rng,
    values: &[Hostile],
) {
    let path = case.path();
    let baseline = probe
        .check("baseline", &case.request(), &[])
        .map_or(0, |r| r.status);
    let ok = |status: u16| (200..300).contains(&status);

    // Methods the path does not have.
    let allowed: Vec<&str> = loop_engine::routes()
        .into_iter()
        .filter(|(_, pattern)| *pattern == case.pattern)
        .map(|(method, _)| method)
        .collect();
    if case.method == "GET" {
        let expect = if case.consumable {
            vec![]
        } else {
            vec![baseline]
        };
        let head = probe.check("HEAD", &case.request_to("HEAD", &path), &expect);
        if head.is_some_and(|r| !r.body.is_empty()) {
            probe.fail(&case.request_to("HEAD", &path), "HEAD", "a body".to_owned());
        }
    }
    for method in METHODS {
        if allowed.contains(&method) || method == "HEAD" && allowed.contains(&"GET") {
            continue;
        }
        let expect: &[u16] = if method == "OPTIONS" { &[204] } else { &[405] };
        probe.check("wrong method", &case.request_to(method, &path), expect);
    }

    // Credentials.
    auth_battery(probe, world, case);

    // Path parameters.
    for (name, real) in &case.params {
        for id in hostile_ids(real) {
            let params: Vec<(&str, String)> = case
                .params
                .iter()
                .map(|(n, v)| (*n, if n == name { id.clone() } else { v.clone() }))
                .collect();
            let target = case.path_with(&params);
            probe.check(
                &format!("{name} = {}", clip(&id, 30)),
                &case.request_to(case.method, &target),
                &case.expecting(&[404]),
            );
        }
        // Segments that change the shape of the path: only the general rules.
        for odd in ["", "a/b", "../..", "%2e%2e/%2e%2e", "x?y=1", "x#frag"] {
            let params: Vec<(&str, String)> = case
                .params
                .iter()
                .map(|(n, v)| (*n, if n == name { odd.to_owned() } else { v.clone() }))
                .collect();
            probe.check(
                &format!("{name} = {odd:?}"),
                &case.request_to(case.method, &case.path_with(&params)),
                &[],
            );
        }
    }
    for target in [
        format!("{path}/"),
        format!("{path}//"),
        format!("{path}/."),
        format!("{path}/x"),
        path.replacen("/api/v1/", "/api/v1//", 1),
        path.replacen("/api/v1/", "/api/v1/./", 1),
        path.replacen("/api/v1/", "/api/v1/%2e%2e/v1/", 1),
        format!("{path}?"),
        format!("{path}#fragment"),
    ] {
        probe.check("odd path", &case.request_to(case.method, &target), &[]);
    }
    // The absolute form proxies send (RFC 9112 §3.2.2) reaches the same route.
    let absolute = case.request_to(case.method, &format!("http://localhost:4242{path}"));
    let same: Vec<u16> = if ok(baseline) && !case.consumable && case.method == "GET" {
        vec![baseline]
    } else {
        vec![]
    };
    let answer = probe.check("absolute-form target", &absolute, &same);
    if answer.is_some_and(|r| r.status == 404) && baseline != 404 && !case.consumable {
        probe.fail(&absolute, "absolute-form target", "not routed".to_owned());
    }

    // Query strings.
    let mut names = case.query.clone();
    names.push("unknown");
    let values_of_query = [
        "",
        "%00",
        "%ff",
        "-1",
        "0",
        "1",
        "101",
        "1.5",
        "1e2",
        "abc",
        "%F0%9F%98%80",
        "+1",
        "%201",
        "0x10",
        "99999999999999999999",
        "-9223372036854775809",
        "9223372036854775807",
        "2026-13-01T00:00:00Z",
        "2026-02-30T00:00:00Z",
        "2026-01-01",
        "2026-01-01T00:00:00",
        "2026-01-01T24:00:00Z",
        "9999-12-31T23:59:60Z",
        "0000-01-01T00:00:00Z",
        "2026-01-01T00:00:00%2B99:99",
        "2026-01-01T00:00:00.1234567891234Z",
        "pending",
        "swiper",
        "null",
    ];
    // Only list routes read their query: elsewhere a few values are enough.
    let values_of_query = if case.method == "GET" {
        &values_of_query[..]
    } else {
        &values_of_query[..4]
    };
    for name in &names {
        for value in values_of_query {
            let target = format!("{path}?{name}={value}");
            probe.check(
                &format!("query {name}={value}"),
                &case.request_to(case.method, &target),
                &[],
            );
        }
        let long = format!("{path}?{name}={}", "9".repeat(5000));
        probe.check("long query", &case.request_to(case.method, &long), &[]);
        let repeated = format!("{path}?{name}=1&{name}=2");
        let expect: Vec<u16> = if case.query.contains(name) && !case.consumable {
            vec![422]
        } else {
            vec![]
        };
        probe.check(
            "repeated query parameter",
            &case.request_to(case.method, &repeated),
            &expect,
        );
        let random: String = (0..rng.below(20))
            .map(|_| *rng.pick(&["%", "&", "=", "a", "1", "-", "+", "%2", "%C3", ";", "?"]))
            .collect();
        probe.check(
            "random query",
            &case.request_to(case.method, &format!("{path}?{name}={random}")),
            &[],
        );
    }
    for query in [
        "?&&&",
        "?=x",
        "?==",
        "?limit",
        "?limit;limit=2",
        "?%zz=1",
        "??limit=1",
    ] {
        probe.check(
            "odd query",
            &case.request_to(case.method, &format!("{path}{query}")),
            &[],
        );
    }

    // Bodies.
    let body_expect = |case: &Case| -> Vec<u16> {
        if case.reads_body {
            case.expecting(&[400])
        } else {
            vec![]
        }
    };
    for body in malformed_bodies(rng) {
        let req = case.request().body(&body);
        probe.check(
            &format!(
                "malformed body {}",
                clip(&String::from_utf8_lossy(&body), 30)
            ),
            &req,
            &body_expect(case),
        );
    }
    let too_large = case.request().body(vec![b' '; 1024 * 1024 + 1]);
    probe.check("body over 1 MiB", &too_large, &[413]);
    let blank = case.request().body(vec![b' '; 1024 * 1024]);
    probe.check("1 MiB of blanks", &blank, &[]);
    if let Some(base) = &case.base {
        for (field, kind) in &case.fields {
            for value in values {
                let body = body_with(base, field, &value.raw);
                // The body's own levels count towards the 100 a body may nest.
                let too_deep = nesting(&value.raw) + field.split('.').count() > 100;
                let expect = if too_deep {
                    vec![400]
                } else {
                    kind.expect(value)
                        .map(|statuses| case.expecting(&statuses))
                        .unwrap_or_default()
                };
                probe.check(
                    &format!("{field} = {}", clip(&value.raw, 40)),
                    &case.request().body(body),
                    &expect,
                );
            }
        }
        for value in values
            .iter()
            .filter(|v| v.class != Class::Unreadable)
            .take(12)
        {
            let body = body_with(base, "unknown_field", &value.raw);
            probe.check(
                &format!("unknown_field = {}", clip(&value.raw, 40)),
                &case.request().body(body),
                &[],
            );
        }
    }

    // Content types: state-changing session requests must declare JSON (a CSRF guard).
    let session_write =
        matches!(case.auth, Auth::Session | Auth::Manage) && !matches!(case.method, "GET" | "HEAD");
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some(""),
        Some("json"),
        Some("application/json; charset=utf-8"),
        Some(" APPLICATION/JSON"),
        Some("application/json\u{1}"),
    ] {
        let mut req = case.request().without("Content-Type");
        if let Some(value) = content_type {
            req = req.header("Content-Type", value);
        }
        let refused = session_write
            && !content_type.is_some_and(|t| {
                t.trim()
                    .to_ascii_lowercase()
                    .starts_with("application/json")
            });
        let expect = if refused && case.auth == Auth::Session {
            case.expecting(&[403])
        } else {
            Vec::new()
        };
        probe.check(&format!("Content-Type {content_type:?}"), &req, &expect);
        if refused {
            // The same with a signed-in admin instead of an admin key.
            let as_admin = req
                .without("Authorization")
                .without("Cookie")
                .header("Cookie", &world.admin.cookie);
            probe.check("session without JSON Content-Type", &as_admin, &[403]);
        }
    }

    // A baseline that succeeded still succeeds (nothing above broke the route).
    if ok(baseline) && !case.consumable && case.method == "GET" {
        probe.check("baseline again", &case.request(), &[baseline]);
    }
}

/// Credentials: missing, malformed, of the wrong kind, or odd but valid.
pub(super) fn auth_battery(probe: &mut Probe, world: &World, case: &Case) {
    let bare = case.request().without("Authorization").without("Cookie");
    let valid_key = match case.auth {
        Auth::ProjectKey => case.key.clone(),
        _ => KEY.to_owned(),
    };
    let refused: &[u16] = match case.auth {
        Auth::Public => &[],
        _ => &[401],
    };
    probe.check("no credentials", &bare, refused);
    let long = "a".repeat(100_000);
    let bad_headers = [
        String::new(),
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        "Bearer    ".to_owned(),
        format!("Bearer {valid_key} extra"),
        format!("Basic {valid_key}"),
        format!("Token {valid_key}"),
        valid_key.clone(),
        format!("Bearer {valid_key}\u{1}"),
        format!("Bearer \u{0}{valid_key}"),
        format!("Bearer {}", valid_key.to_uppercase()),
        format!("Bearer {}", &valid_key[..valid_key.len() - 1]),
        format!("Bearer {long}"),
        "Bearer lq_".to_owned(),
        "Bearer loop_".to_owned(),
        format!("Bearer {valid_key}\t{valid_key}"),
    ];
    let session_only = case.auth == Auth::Session;
    for header in &bad_headers {
        let req = bare.clone().header("Authorization", header);
        probe.check(
            &format!("Authorization {}", clip(header, 30)),
            &req,
            if header.len() > HEAD_LIMIT {
                &[431]
            } else if session_only || case.auth == Auth::Public {
                refused
            } else {
                &[401]
            },
        );
    }
    // The wrong kind of key.
    let wrong_key = match case.auth {
        Auth::ProjectKey => KEY.to_owned(),
        _ => world.key_p.clone(),
    };
    if case.auth != Auth::Public {
        let req = bare
            .clone()
            .header("Authorization", format!("Bearer {wrong_key}"));
        probe.check("the wrong kind of key", &req, &[401]);
    }
    // Leniently valid forms: scheme in any case, padding.
    if matches!(case.auth, Auth::ProjectKey | Auth::Manage) {
        for header in [
            format!("bearer {valid_key}"),
            format!("BEARER   {valid_key}  "),
        ] {
            let req = bare.clone().header("Authorization", &header);
            let status = probe
                .check("lenient Authorization", &req, &[])
                .map(|r| r.status);
            if matches!(status, Some(401 | 403)) {
                probe.fail(
                    &req,
                    "lenient Authorization",
                    format!("refused: {status:?}"),
                );
            }
        }
        // Two Authorization headers: the first counts.
        let req = bare
            .clone()
            .header("Authorization", format!("Bearer {valid_key}"))
            .header("Authorization", "Bearer nope");
        probe.check("two Authorization headers", &req, &[]);
    }
    // Cookies.
    let cookie = match case.auth {
        Auth::Session => case.cookie.clone(),
        _ => world.admin.cookie.clone(),
    };
    let token = cookie.trim_start_matches("loop_session=").to_owned();
    let bad_cookies = [
        String::new(),
        "loop_session=".to_owned(),
        "loop_session".to_owned(),
        "loop_session=junk".to_owned(),
        format!("LOOP_SESSION={token}"),
        format!("loop_session={}", token.to_uppercase()),
        format!("loop_session={token}x"),
        format!("loop_session=\u{1}{token}"),
        format!("loop_session=junk; loop_session={token}"),
        ";;;=;=".to_owned(),
        format!("loop_session={}", "f".repeat(100_000)),
        format!("other={token}"),
    ];
    if matches!(case.auth, Auth::Session | Auth::Manage) {
        for value in &bad_cookies {
            let req = bare.clone().header("Cookie", value);
            let expect: &[u16] = if value.len() > HEAD_LIMIT {
                &[431]
            } else {
                &[401]
            };
            probe.check(&format!("Cookie {}", clip(value, 30)), &req, expect);
        }
        for value in [
            format!("a=b; loop_session={token}"),
            format!("loop_session={token}; loop_session=junk"),
            format!("loop_session={token};;"),
        ] {
            if case.consumable && case.auth == Auth::Session {
                break;
            }
            let req = bare.clone().header("Cookie", &value);
            let status = probe
                .check("odd but valid Cookie", &req, &[])
                .map(|r| r.status);
            if status == Some(401) {
                probe.fail(&req, "odd but valid Cookie", "refused".to_owned());
            }
        }
    }
    match case.auth {
        Auth::Session => {
            // Keys are no sessions.
            for key in [KEY, world.key_q.as_str()] {
                let req = bare
                    .clone()
                    .header("Authorization", format!("Bearer {key}"));
                probe.check("a key instead of a session", &req, &[401]);
            }
            // Viewers may not review.
            if case.pattern.starts_with("/api/v1/review/") && case.method == "POST" {
                let req = bare.clone().header("Cookie", &world.viewer.cookie);
                probe.check("a viewer", &req, &[403]);
            }
        }
        Auth::Manage => {
            for user in [&world.reviewer2, &world.viewer] {
                let req = bare.clone().header("Cookie", &user.cookie);
                probe.check("a session without the admin role", &req, &[403]);
            }
            // A bad Authorization header is not rescued by a good cookie.
            let req = bare
                .clone()
                .header("Authorization", "Bearer nope")
                .header("Cookie", &world.admin.cookie);
            probe.check("bad key with an admin cookie", &req, &[401]);
        }
        Auth::ProjectKey => {
            let req = bare.clone().header("Cookie", &world.admin.cookie);
            probe.check("a session instead of a key", &req, &[401]);
        }
        Auth::Public => {}
    }
}
