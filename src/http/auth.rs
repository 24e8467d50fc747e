//! Reading credentials off requests: bearer keys in `Authorization` (engine admin
//! keys exactly as `Bearer <key>`, docs/engine-api.md#authentication; review-API project keys leniently,
//! as its clients send them, docs/review-api.md#conventions) and the session cookie. Making and
//! hashing keys, secrets and passwords is [`crate::domain::credentials`]'s job.

use super::error::ApiError;

const MISSING: &str = "Missing or malformed Authorization header";
const INVALID: &str = "Invalid API key";

/// The token of an `Authorization` header value: everything after exactly `Bearer `
/// (untrimmed), or the 401 a malformed header gets.
pub fn bearer_token(header: Option<&str>) -> Result<&str, ApiError> {
    header
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized(MISSING))
}

/// The token of an `Authorization` header on the review API: the scheme word `Bearer` in
/// any case, then the key (surrounding whitespace ignored).
pub fn lenient_bearer_token(header: Option<&str>) -> Result<&str, ApiError> {
    let (scheme, token) = header
        .map(str::trim)
        .and_then(|value| value.split_once(' '))
        .ok_or(ApiError::Unauthorized(MISSING))?;
    let token = token.trim();
    if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() {
        Ok(token)
    } else {
        Err(ApiError::Unauthorized(MISSING))
    }
}

/// The 401 for a well-formed header carrying an unknown key.
pub fn invalid_key() -> ApiError {
    ApiError::Unauthorized(INVALID)
}

/// The cookie holding a browser session's token.
pub const SESSION_COOKIE: &str = "loop_session";

/// The session token of a `Cookie` header, if it carries one.
pub fn session_token(cookie_header: Option<&str>) -> Option<&str> {
    cookie_header?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// The `Set-Cookie` value that stores `token` for `max_age_seconds` (0 clears it).
/// `secure` (the server is reached over https) keeps browsers from ever sending it over
/// plain http.
pub fn session_cookie(token: &str, max_age_seconds: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_seconds}{secure}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_prefix_is_exact() {
        assert!(matches!(
            bearer_token(None),
            Err(ApiError::Unauthorized(MISSING))
        ));
        assert!(bearer_token(Some("Basic x")).is_err());
        assert!(bearer_token(Some("bearer x")).is_err());
        assert!(bearer_token(Some("Bearer")).is_err());
        assert_eq!(bearer_token(Some("Bearer x")).ok(), Some("x"));
        assert_eq!(bearer_token(Some("Bearer  x")).ok(), Some(" x"));
    }

    #[test]
    fn session_cookies() {
        assert_eq!(
            session_token(Some("a=1; loop_session=abc ; b=2")),
            Some("abc")
        );
        assert_eq!(session_token(Some("loop_session=")), None);
        assert_eq!(session_token(Some("other=1")), None);
        assert_eq!(session_token(None), None);
        assert_eq!(
            session_cookie("t", 60, false),
            "loop_session=t; HttpOnly; SameSite=Strict; Path=/; Max-Age=60"
        );
        assert_eq!(
            session_cookie("t", 60, true),
            "loop_session=t; HttpOnly; SameSite=Strict; Path=/; Max-Age=60; Secure"
        );
    }

    #[test]
    fn review_bearer_scheme_is_case_insensitive() {
        assert_eq!(lenient_bearer_token(Some("bearer lq_x")).ok(), Some("lq_x"));
        assert_eq!(
            lenient_bearer_token(Some("BEARER  lq_x ")).ok(),
            Some("lq_x")
        );
        assert!(lenient_bearer_token(Some("Basic lq_x")).is_err());
        assert!(lenient_bearer_token(Some("Bearer ")).is_err());
        assert!(lenient_bearer_token(Some("lq_x")).is_err());
        assert!(lenient_bearer_token(None).is_err());
    }
}
