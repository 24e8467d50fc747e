//! Bearer keys and secrets. Engine admin keys (loop-api.md §1.1, DECISIONS 15): `Bearer
//! <key>` where the key is `LOOP_API_KEY` (compared in constant time) or an admin key
//! whose SHA-256 is stored. Project keys of the review API (review-api.md §2, §15.4,
//! DECISIONS 17) are stored the same way but parsed leniently, as its clients expect.
//! Every key and secret is made here from the operating system's randomness, and user
//! passwords are hashed here (Argon2id) and session tokens made and read.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use sha2::{Digest, Sha256};

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

/// Lowercase hex SHA-256 of a key: what is stored instead of the key.
pub fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The 401 for a well-formed header carrying an unknown key.
pub fn invalid_key() -> ApiError {
    ApiError::Unauthorized(INVALID)
}

/// `N` bytes from the operating system's randomness: the source of every key, secret,
/// token, password and salt made here.
fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

/// A new random admin key: `loop_` followed by 64 lowercase hex digits.
pub fn generate_admin_key() -> Result<String, getrandom::Error> {
    let bytes = random_bytes::<32>()?;
    Ok(format!("loop_{}", hex::encode(bytes)))
}

/// A new random project key: `lq_` followed by 43 base64url characters (32 bytes).
pub fn generate_project_key() -> Result<String, getrandom::Error> {
    let bytes = random_bytes::<32>()?;
    Ok(format!(
        "lq_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// The part of a project key that may be shown after creation, to recognise it by:
/// `lq_` and the next four characters.
pub fn key_prefix(key: &str) -> String {
    key.chars().take(7).collect()
}

/// A new webhook signing secret: `whsec_` followed by 64 lowercase hex digits.
pub fn generate_signing_secret() -> Result<String, getrandom::Error> {
    let bytes = random_bytes::<32>()?;
    Ok(format!("whsec_{}", hex::encode(bytes)))
}

/// The cookie holding a browser session's token.
pub const SESSION_COOKIE: &str = "loop_session";

/// A new random session token: 64 lowercase hex digits (32 bytes).
pub fn generate_session_token() -> Result<String, getrandom::Error> {
    let bytes = random_bytes::<32>()?;
    Ok(hex::encode(bytes))
}

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

/// A new random password for a user created without one: 24 base64url characters.
pub fn generate_password() -> Result<String, getrandom::Error> {
    let bytes = random_bytes::<18>()?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The Argon2id hash of `password` with a fresh random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = random_bytes::<16>().map_err(|e| format!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| format!("salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| format!("password hashing failed: {e}"))
}

/// Whether `password` matches the stored PHC string `hash` (constant time; a malformed
/// hash matches nothing).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
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
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse").unwrap_or_default();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
        assert_ne!(
            hash_password("correct horse").unwrap_or_default(),
            hash,
            "salted"
        );
        assert_eq!(generate_password().unwrap_or_default().len(), 24);
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
        assert_eq!(generate_session_token().unwrap_or_default().len(), 64);
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

    #[test]
    fn project_keys_and_secrets_have_the_documented_form() {
        let key = generate_project_key().unwrap_or_default();
        assert_eq!(key.len(), 46);
        assert!(key.starts_with("lq_"));
        assert!(
            key[3..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(key_prefix(&key), key[..7]);
        let secret = generate_signing_secret().unwrap_or_default();
        assert_eq!(secret.len(), 70);
        assert!(secret.starts_with("whsec_"));
    }

    #[test]
    fn generated_keys_have_the_documented_form() {
        let key = generate_admin_key().unwrap_or_default();
        assert_eq!(key.len(), 69);
        assert!(key.starts_with("loop_"));
        assert!(
            key[5..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_eq!(
            key_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
