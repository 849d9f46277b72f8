//! Where a register lives: an SQLite file, or a shared register on a
//! PostgreSQL server named by a `postgres://` URL. Shown to people and logs
//! without its password.

use std::fmt;
use std::path::{Path, PathBuf};

/// A register's place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file on this computer.
    File(PathBuf),
    /// A shared register on a PostgreSQL server.
    Shared(SharedRegister),
}

/// A PostgreSQL connection URL, as given (it may carry a password).
#[derive(Clone, PartialEq, Eq)]
pub struct SharedRegister {
    url: String,
}

impl SharedRegister {
    /// The URL as given, password included: only for connecting.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The same register as `user`, with `password` kept in memory only
    /// (for this session, when the keyring cannot keep it).
    #[must_use]
    pub fn with_login(&self, user: &str, password: Option<&str>) -> Self {
        let Some((scheme, rest)) = self.url.split_once("://") else {
            return self.clone();
        };
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let (old_user, host) = match authority.rsplit_once('@') {
            Some((userinfo, host)) => (userinfo.split(':').next().unwrap_or_default(), host),
            None => ("", authority),
        };
        let user = if user.trim().is_empty() {
            old_user.to_owned()
        } else {
            encode(user.trim())
        };
        let login = match (user.is_empty(), password) {
            (true, _) => String::new(),
            (false, Some(password)) => format!("{user}:{}@", encode(password)),
            (false, None) => format!("{user}@"),
        };
        Self {
            url: format!("{scheme}://{login}{host}{tail}"),
        }
    }
}

/// Percent-encodes what a URL's user or password may not hold as it is.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl fmt::Debug for SharedRegister {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SharedRegister({self})")
    }
}

impl fmt::Display for SharedRegister {
    /// `postgres://user@host:port/db?…` with any password left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&without_password(&self.url))
    }
}

/// The URL with the password between `user:` and `@` left out.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            format!("{scheme}://{user}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

impl Location {
    /// An in-memory SQLite register (tests): it cannot be opened a second
    /// time, so work on it stays on its one connection.
    pub fn is_in_memory(&self) -> bool {
        matches!(self, Self::File(path) if path.as_os_str() == ":memory:")
    }

    /// A `postgres://` or `postgresql://` URL is a shared register; anything
    /// else is a file path.
    pub fn parse(text: &str) -> Self {
        let lower = text.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Self::Shared(SharedRegister {
                url: text.trim().to_owned(),
            })
        } else {
            Self::File(PathBuf::from(text))
        }
    }

    /// The file, for an SQLite register.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Self::File(path) => Some(path),
            Self::Shared(_) => None,
        }
    }

    /// True for a register on a PostgreSQL server.
    pub fn is_shared(&self) -> bool {
        matches!(self, Self::Shared(_))
    }

    /// The backend's name, as `db status` prints it.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::File(_) => "sqlite",
            Self::Shared(_) => "postgresql",
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Shared(shared) => shared.fmt(f),
        }
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Self {
        Self::File(path.to_owned())
    }
}

impl From<&PathBuf> for Location {
    fn from(path: &PathBuf) -> Self {
        Self::File(path.clone())
    }
}

impl From<PathBuf> for Location {
    fn from(path: PathBuf) -> Self {
        Self::File(path)
    }
}

impl From<&Location> for Location {
    fn from(location: &Location) -> Self {
        location.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_a_shared_register_shown_without_its_password() {
        let location = Location::parse("postgres://hr:s3cret@db.example:5433/hrm?sslmode=require");
        assert!(location.is_shared());
        assert_eq!(
            location.to_string(),
            "postgres://hr@db.example:5433/hrm?sslmode=require"
        );
        assert!(!format!("{location:?}").contains("s3cret"));
        let Location::Shared(shared) = &location else {
            unreachable!()
        };
        assert!(shared.url().contains("s3cret"));
    }

    #[test]
    fn a_login_is_put_into_the_url_and_kept_out_of_its_display() {
        let Location::Shared(shared) = Location::parse("postgres://db.example/hrm?sslmode=require")
        else {
            unreachable!()
        };
        let with_user = shared.with_login("anna", None);
        assert_eq!(
            with_user.url(),
            "postgres://anna@db.example/hrm?sslmode=require"
        );
        let with_password = shared.with_login("anna", Some("p@ss:wörd"));
        assert_eq!(
            with_password.url(),
            "postgres://anna:p%40ss%3Aw%C3%B6rd@db.example/hrm?sslmode=require"
        );
        assert_eq!(
            with_password.to_string(),
            "postgres://anna@db.example/hrm?sslmode=require"
        );
        assert_eq!(
            with_password.with_login("", None).url(),
            "postgres://anna@db.example/hrm?sslmode=require"
        );
    }

    #[test]
    fn anything_else_is_a_file() {
        assert_eq!(
            Location::parse("C:\\HR\\register.db"),
            Location::File(PathBuf::from("C:\\HR\\register.db"))
        );
        assert_eq!(Location::parse("postgres.db").backend_name(), "sqlite");
        assert_eq!(
            Location::parse("postgresql://localhost/hrm").to_string(),
            "postgresql://localhost/hrm"
        );
    }
}
