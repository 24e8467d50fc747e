//! Credentials: every key, secret, token, password and salt is made here from the
//! operating system's randomness, and what is stored instead of it is computed here —
//! the SHA-256 of a key or session token, the Argon2id hash of a password. Engine admin
//! keys are `loop_…`, review-API project keys `lq_…`, webhook signing secrets `whsec_…`.

use std::sync::{Mutex, PoisonError};

use argon2::password_hash::{self, Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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

/// A new decoy seed: 64 lowercase hex digits (32 bytes), the key of the hash that decides
/// which of a project's cards are probes (docs/reviewer-quality.md). Made here rather than
/// by SQLite so that `loop seed`'s seeded generator makes it too.
pub fn generate_decoy_seed() -> Result<String, getrandom::Error> {
    let bytes = random_bytes::<32>()?;
    Ok(hex::encode(bytes))
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

/// Argon2id costs: 9 MiB, four passes, one lane. OWASP lists this as as strong as the
/// crate's default of 19 MiB and two passes; it halves the working memory, which every
/// hash holds while it runs (see [`HASHING`]).
const PASSWORD_MEMORY_KIB: u32 = 9 * 1024;
/// Passes over the memory (see [`PASSWORD_MEMORY_KIB`]).
const PASSWORD_PASSES: u32 = 4;

/// The most memory a stored hash may ask to be verified with (64 MiB): a hash asking for
/// more was not made here and matches nothing.
const MAX_VERIFY_MEMORY_KIB: u32 = 64 * 1024;

/// Password hashes take turns: each Argon2 hash fills megabytes of working memory, and
/// sixteen at once (concurrent sign-ins) held 180 MB. One at a time also bounds what a
/// flood of sign-in attempts can make the server allocate.
static HASHING: Mutex<()> = Mutex::new(());

/// How much address space a hash's working memory reserves (33 MiB), of which it
/// touches, and so makes resident, only what its costs ask for (9 MiB by default, see
/// [`PASSWORD_MEMORY_KIB`]). glibc's allocator serves a block above 32 MiB with a
/// mapping of its own, and unmaps it when freed; a smaller block, once one of its size
/// has been freed, comes from the heap and stays resident for good. Reserved so, the
/// 9 MiB are the server's only while a hash runs: kept between hashes, they were a
/// third of the server's peak memory under load.
const WORKSPACE_RESERVE_BLOCKS: usize = 33 * 1024;

/// The Argon2id hash of `password` with a fresh random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = random_bytes::<16>().map_err(|e| format!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| format!("salt: {e}"))?;
    let params = Params::new(PASSWORD_MEMORY_KIB, PASSWORD_PASSES, 1, None)
        .map_err(|e| format!("password parameters: {e}"))?;
    hash_in_workspace(
        password.as_bytes(),
        Algorithm::Argon2id,
        Version::V0x13,
        params,
        salt.as_salt(),
    )
    .map(|hash| hash.to_string())
    .map_err(|e| format!("password hashing failed: {e}"))
}

/// Whether `password` matches the stored PHC string `hash` (constant time; a malformed
/// hash, or one asking for more than [`MAX_VERIFY_MEMORY_KIB`], matches nothing). Hashes
/// made with other costs (such as the crate's defaults, used before) verify with theirs.
pub fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(stored) = PasswordHash::new(hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) = (
        Algorithm::try_from(stored.algorithm),
        Params::try_from(&stored),
        stored.salt,
        stored.hash,
    ) else {
        return false;
    };
    let version = stored.version.map_or(Ok(Version::V0x13), Version::try_from);
    let Ok(version) = version else {
        return false;
    };
    params.m_cost() <= MAX_VERIFY_MEMORY_KIB
        && hash_in_workspace(password.as_bytes(), algorithm, version, params, salt)
            .is_ok_and(|computed| computed.hash == Some(expected))
}

/// Argon2 over working memory of its own (see [`WORKSPACE_RESERVE_BLOCKS`]), freed
/// before the next hash may start, as `argon2`'s own `PasswordHasher` does it.
fn hash_in_workspace<'a>(
    password: &[u8],
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: Salt<'a>,
) -> password_hash::Result<PasswordHash<'a>> {
    let mut salt_buffer = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buffer)?;
    let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let output = {
        // A panic while hashing leaves nothing behind worth refusing the next hash for.
        let _turn = HASHING.lock().unwrap_or_else(PoisonError::into_inner);
        let blocks = params.block_count();
        let mut workspace = Vec::with_capacity(blocks.max(WORKSPACE_RESERVE_BLOCKS));
        workspace.resize(blocks, Block::new());
        Output::init_with(output_len, |out| {
            Ok(argon2.hash_password_into_with_memory(
                password,
                salt_bytes,
                out,
                &mut workspace[..],
            )?)
        })?
    };
    Ok(PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt),
        hash: Some(output),
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
        assert!(hash.contains("$m=9216,t=4,p=1$"), "{hash}");
        assert_eq!(generate_session_token().unwrap_or_default().len(), 64);
    }

    #[test]
    fn hashes_made_with_the_crates_defaults_before_still_verify() {
        use argon2::PasswordHasher;
        let salt = SaltString::encode_b64(b"sixteen byte salt").unwrap_or_else(|e| panic!("{e}"));
        let old = Argon2::default()
            .hash_password(b"correct horse", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default();
        assert!(old.contains("$m=19456,t=2,p=1$"), "{old}");
        assert!(verify_password("correct horse", &old));
        assert!(!verify_password("wrong horse", &old));
        let greedy = old.replace("m=19456", "m=4194304");
        assert!(
            !verify_password("correct horse", &greedy),
            "more memory than allowed"
        );
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
