//! CORS (docs/engine-api.md#cors, docs/decisions.md#cors-origins, docs/decisions.md#client-compatibility): applied to every response, before auth.

use super::response::Reply;

const ALLOW_METHODS: &str = "GET,POST,PUT,PATCH,DELETE,OPTIONS";
const ALLOW_HEADERS: &str = "Authorization,Content-Type,Idempotency-Key,MCP-Protocol-Version";

/// The answer to a preflight `OPTIONS` request, for any path.
pub fn preflight(origin: Option<&str>, allowed: &[String]) -> Reply {
    let reply = Reply::empty(204)
        .with_header("Access-Control-Allow-Methods", ALLOW_METHODS)
        .with_header("Access-Control-Allow-Headers", ALLOW_HEADERS)
        .with_header("Access-Control-Max-Age", "86400")
        .with_header("Vary", "Origin, Access-Control-Request-Headers");
    with_allow_origin(reply, origin, allowed)
}

/// Adds the CORS headers every non-preflight response carries.
pub fn decorate(reply: Reply, origin: Option<&str>, allowed: &[String]) -> Reply {
    with_allow_origin(reply.with_header("Vary", "Origin"), origin, allowed)
}

fn with_allow_origin(reply: Reply, origin: Option<&str>, allowed: &[String]) -> Reply {
    match origin {
        Some(origin) if allowed.iter().any(|a| a == origin) => {
            reply.with_header("Access-Control-Allow-Origin", origin)
        }
        _ => reply,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<String> {
        vec!["http://localhost:5668".to_owned()]
    }

    #[test]
    fn allowed_origins_are_echoed() {
        let reply = decorate(Reply::empty(200), Some("http://localhost:5668"), &allowed());
        assert_eq!(
            reply.header("Access-Control-Allow-Origin"),
            Some("http://localhost:5668")
        );
        assert_eq!(reply.header("Vary"), Some("Origin"));
    }

    #[test]
    fn other_origins_get_no_allow_header() {
        let reply = decorate(Reply::empty(200), Some("https://evil.example"), &allowed());
        assert_eq!(reply.header("Access-Control-Allow-Origin"), None);
        let reply = preflight(None, &allowed());
        assert_eq!(reply.status(), 204);
        assert_eq!(reply.header("Access-Control-Allow-Origin"), None);
        assert_eq!(reply.header("Access-Control-Max-Age"), Some("86400"));
        assert!(
            reply
                .header("Access-Control-Allow-Headers")
                .is_some_and(|h| h.contains("Idempotency-Key"))
        );
    }
}
