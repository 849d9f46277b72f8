//! The SMTP password: kept in the OS keyring, never in the register, a file
//! or a log. Where the OS has no keyring service (a server, a container), it
//! is read from the environment variable [`PASSWORD_ENV`].

/// The environment variable read when the keyring has no password.
pub use crate::domain::settings::SMTP_PASSWORD_ENV as PASSWORD_ENV;

const SERVICE: &str = "hrm-users";

fn entry(host: &str, user: &str) -> Result<keyring::Entry, keyring::Error> {
    keyring::Entry::new(SERVICE, &format!("smtp:{user}@{host}"))
}

/// The password for `user` at `host`: the keyring's, else the environment's.
pub fn smtp_password(host: &str, user: &str) -> Option<String> {
    match entry(host, user).and_then(|e| e.get_password()) {
        Ok(password) => Some(password),
        Err(error) => {
            tracing::debug!("no SMTP password in the keyring ({error}); trying {PASSWORD_ENV}");
            std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty())
        }
    }
}

/// Why the password could not be stored.
#[derive(Debug, thiserror::Error)]
#[error(
    "{}", t!("mail-keyring", detail = .0.as_str())
)]
pub struct KeyringError(String);

/// Stores the password in the OS keyring.
pub fn store_smtp_password(host: &str, user: &str, password: &str) -> Result<(), KeyringError> {
    entry(host, user)
        .and_then(|e| e.set_password(password))
        .map_err(|e| KeyringError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_keyring_service_the_environment_is_read() {
        // No secret service runs in tests: the lookup must fail softly, not panic.
        let found = smtp_password("smtp.invalid", "nobody-in-tests");
        assert_eq!(
            found,
            std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty())
        );
    }
}
