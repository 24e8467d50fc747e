//! Routing: a table of (method, path pattern, access class, handler), matched segment by
//! segment. `{name}` segments capture one non-empty, percent-decoded path segment;
//! earlier rows win, so literal routes are listed before parameterised ones.

use super::error::ApiError;
use super::request::{Method, Request};
use super::response::Reply;
use crate::app::Ctx;

/// A request handler: a plain function from request to response.
pub type Handler = fn(&mut Ctx<'_>, &Request) -> Result<Reply, ApiError>;

/// What answers requests for pages rather than the API (the web app): `None` leaves the
/// request to the routing table.
pub type Pages = fn(&Request) -> Option<Reply>;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// An engine admin key (`Authorization: Bearer …`).
    Admin,
    /// Anyone; the handler checks a provider signature instead of a bearer key.
    Signed,
    /// A review-API project key (`Authorization: Bearer lq_…`), rate limited per key.
    ProjectKey,
    /// A signed-in user (the `loop_session` cookie), whatever their role.
    Session,
    /// An administrator: an engine admin key, or a signed-in owner or admin.
    Manage,
    /// Any key: an engine admin key or a review-API project key (the MCP endpoint, whose
    /// tools depend on which). Not counted against a project key's budget: the API
    /// requests the handler makes with the key are.
    Key,
    /// The metrics scraper: an engine admin key, or the `LOOP_METRICS_TOKEN` bearer
    /// token that opens nothing else.
    Metrics,
}

/// One row of the routing table.
#[derive(Clone, Copy)]
pub struct Route {
    /// The method (safe GET routes also answer HEAD).
    pub method: Method,
    /// The path pattern, e.g. `/api/issues/{id}/comments`.
    pub pattern: &'static str,
    /// Who may call it.
    pub access: Access,
    /// What answers it.
    pub handler: Handler,
    /// Whether the route changes nothing, as GET promises (RFC 9110 §9.2.1). Only a safe
    /// GET route answers HEAD too: a HEAD request runs the GET handler, and a client
    /// that asks for headers alone must not, say, claim an issue it never sees.
    pub safe: bool,
}

impl Route {
    /// The same route marked as changing state although its method is GET (the wire
    /// contract says GET): HEAD on its path is then a 405.
    #[must_use]
    pub fn changes_state(self) -> Self {
        Self {
            safe: false,
            ..self
        }
    }
}

/// What the router made of a request line.
pub enum Resolution<'r> {
    /// A route answers it, with these path parameters.
    Found(&'r Route, Vec<(&'static str, String)>),
    /// The path exists but not with this method; the allowed methods, for `Allow`.
    WrongMethod(String),
    /// No route has this path.
    NotFound,
}

/// The routing table.
pub struct Router {
    routes: Vec<Route>,
    pages: Option<Pages>,
}

impl Router {
    /// A router over `routes`.
    pub fn new(routes: Vec<Route>) -> Self {
        Self {
            routes,
            pages: None,
        }
    }

    /// The same router, with `pages` answering the requests it claims before the table.
    #[must_use]
    pub fn with_pages(self, pages: Pages) -> Self {
        Self {
            pages: Some(pages),
            ..self
        }
    }

    /// The page answering `request`, if it is one (see [`Pages`]).
    pub fn page(&self, request: &Request) -> Option<Reply> {
        self.pages.and_then(|pages| pages(request))
    }

    /// Every route, in matching order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Finds the route for `method` and `path`.
    pub fn resolve(&self, method: Method, path: &str) -> Resolution<'_> {
        let wanted = if method == Method::Head {
            Method::Get
        } else {
            method
        };
        let mut allowed: Vec<&'static str> = Vec::new();
        for route in &self.routes {
            let Some(params) = match_pattern(route.pattern, path) else {
                continue;
            };
            if route.method == wanted && (method != Method::Head || route.safe) {
                return Resolution::Found(route, params);
            }
            if !allowed.contains(&route.method.as_str()) {
                allowed.push(route.method.as_str());
                if route.method == Method::Get && route.safe {
                    allowed.push(Method::Head.as_str());
                }
            }
        }
        if allowed.is_empty() {
            Resolution::NotFound
        } else {
            allowed.push(Method::Options.as_str());
            Resolution::WrongMethod(allowed.join(", "))
        }
    }
}

/// Matches `path` against `pattern`, returning the captured parameters.
fn match_pattern(pattern: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let mut params = Vec::new();
    let mut pattern_parts = pattern.split('/');
    let mut path_parts = path.split('/');
    loop {
        match (pattern_parts.next(), path_parts.next()) {
            (None, None) => return Some(params),
            (Some(want), Some(got)) => {
                if let Some(name) = want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                    if got.is_empty() {
                        return None;
                    }
                    let value = percent_encoding::percent_decode_str(got)
                        .decode_utf8()
                        .ok()?;
                    params.push((name, value.into_owned()));
                } else if want != got {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(_: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
        Ok(Reply::empty(204))
    }

    fn router() -> Router {
        let route = |method, pattern| Route {
            method,
            pattern,
            access: Access::Admin,
            handler: ok,
            safe: true,
        };
        Router::new(vec![
            route(Method::Get, "/api/dispatch/next").changes_state(),
            route(Method::Get, "/api/templates/preview/{issueId}"),
            route(Method::Get, "/api/templates/{id}"),
            route(Method::Patch, "/api/templates/{id}"),
            route(Method::Get, "/api/issues"),
            route(Method::Post, "/api/issues"),
        ])
    }

    #[test]
    fn literal_routes_win_over_parameters() {
        let router = router();
        let Resolution::Found(route, params) =
            router.resolve(Method::Get, "/api/templates/preview/x")
        else {
            panic!("preview not found");
        };
        assert_eq!(route.pattern, "/api/templates/preview/{issueId}");
        assert_eq!(params, vec![("issueId", "x".to_owned())]);
    }

    #[test]
    fn parameters_are_decoded_and_non_empty() {
        let router = router();
        let Resolution::Found(_, params) = router.resolve(Method::Get, "/api/templates/a%20b")
        else {
            panic!("template not found");
        };
        assert_eq!(params, vec![("id", "a b".to_owned())]);
        assert!(matches!(
            router.resolve(Method::Get, "/api/templates/"),
            Resolution::NotFound
        ));
        assert!(matches!(
            router.resolve(Method::Get, "/api/issues/"),
            Resolution::NotFound
        ));
        assert!(matches!(
            router.resolve(Method::Get, "/api/templates/a/b"),
            Resolution::NotFound
        ));
    }

    #[test]
    fn head_follows_get_and_wrong_methods_list_the_allowed_ones() {
        let router = router();
        assert!(matches!(
            router.resolve(Method::Head, "/api/issues"),
            Resolution::Found(..)
        ));
        let Resolution::WrongMethod(allow) = router.resolve(Method::Put, "/api/templates/x") else {
            panic!("expected 405");
        };
        assert_eq!(allow, "GET, HEAD, PATCH, OPTIONS");
    }

    #[test]
    fn head_is_refused_on_a_get_route_that_changes_state() {
        let router = router();
        assert!(matches!(
            router.resolve(Method::Get, "/api/dispatch/next"),
            Resolution::Found(..)
        ));
        let Resolution::WrongMethod(allow) = router.resolve(Method::Head, "/api/dispatch/next")
        else {
            panic!("expected 405");
        };
        assert_eq!(allow, "GET, OPTIONS");
    }
}
