//! Verification links: the tokens (256 random bits, stored hashed). The
//! endpoint employees open lives in `web/`.

pub mod token;
