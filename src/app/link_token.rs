//! Link tokens: 256 random bits from the OS, sent in the link; only their
//! SHA-256 is stored, so a copy of the database opens no account. (The
//! endpoint employees open lives in `web/`; the tokens' rows in `store`.)

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

/// Length of a token in the link: 32 bytes in URL-safe base64 without padding.
pub const TOKEN_CHARS: usize = 43;

/// A new token and its hash.
pub struct NewToken {
    /// What goes into the link.
    pub text: String,
    /// What is stored.
    pub hash: [u8; 32],
}

/// Why no token could be made.
#[derive(Debug, thiserror::Error)]
#[error("The operating system's random number generator failed: {0}")]
pub struct RandomError(String);

/// Makes a token from the OS's cryptographically secure generator.
pub fn new_token() -> Result<NewToken, RandomError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| RandomError(e.to_string()))?;
    let text = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_bytes(&text);
    Ok(NewToken { text, hash })
}

/// A random hex string for Message-IDs.
pub fn random_hex(bytes: usize) -> Result<String, RandomError> {
    let mut buffer = vec![0_u8; bytes];
    getrandom::fill(&mut buffer).map_err(|e| RandomError(e.to_string()))?;
    Ok(buffer
        .iter()
        .fold(String::with_capacity(bytes * 2), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        }))
}

fn hash_bytes(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// The hash of a token from a link, or `None` when the text cannot be a token
/// (wrong length or characters): such a link is unknown without a lookup.
pub fn hash_token(text: &str) -> Option<[u8; 32]> {
    let well_formed = text.len() == TOKEN_CHARS
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && URL_SAFE_NO_PAD
            .decode(text)
            .is_ok_and(|bytes| bytes.len() == 32);
    well_formed.then(|| hash_bytes(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hash_back() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_eq!(a.text.len(), TOKEN_CHARS);
        assert_ne!(a.text, b.text);
        assert_eq!(hash_token(&a.text), Some(a.hash));
    }

    #[test]
    fn malformed_tokens_have_no_hash() {
        assert_eq!(hash_token("short"), None);
        assert_eq!(hash_token(&"a".repeat(44)), None);
        assert_eq!(hash_token(&format!("{}!", "a".repeat(42))), None);
    }
}
