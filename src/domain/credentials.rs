//! Credentials: every key, secret, token, password and salt is made here from the
//! operating system's randomness, and what is stored instead of it is computed here —
//! the SHA-256 of a key or session token, the Argon2id hash of a password. Engine admin
//! keys are `loop_…`, review-API project keys `lq_…`, webhook signing secrets `whsec_…`.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of a key: what is stored instead of the key.
pub fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// `N` random bytes (the operating system's, see [`super::entropy`]): the source of every
/// key, secret, token, password and salt made here.
fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    super::entropy::fill(&mut bytes)?;
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

/// A new random session token: 64 lowercase hex digits (32 bytes).
pub fn generate_session_token() -> Result<String, getrandom::Error> {
    let bytes = random_bytes::<32>()?;
    Ok(hex::encode(bytes))
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
        assert_eq!(generate_session_token().unwrap_or_default().len(), 64);
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
