//! Engine admin authentication (loop-api.md §1.1, DECISIONS 15): `Authorization: Bearer
//! <key>` where the key is `LOOP_API_KEY` (compared in constant time) or an admin key
//! whose SHA-256 is stored.

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

/// Lowercase hex SHA-256 of a key: what is stored instead of the key.
pub fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The 401 for a well-formed header carrying an unknown key.
pub fn invalid_key() -> ApiError {
    ApiError::Unauthorized(INVALID)
}

/// A new random admin key: `loop_` followed by 64 lowercase hex digits.
pub fn generate_admin_key() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("loop_{}", hex::encode(bytes)))
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
