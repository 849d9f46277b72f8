//! A user of the register: identity, the seed's General fields, and the
//! organisation fields (department, office) that bulk actions narrow by.

use std::fmt;

use super::connection::Connection;
use super::email::Email;

/// Longest User-ID, in characters.
pub const MAX_USER_ID_CHARS: usize = 50;
/// Longest free-text field, in characters.
pub const MAX_TEXT_CHARS: usize = 200;

/// The register's own key of a user row. Stable across edits of the User-ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserKey(pub i64);

/// The User-ID the administrator types (required, unique in the register).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UserId(String);

/// Why a text is not a valid User-ID.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UserIdError {
    /// Nothing was entered.
    #[error("{}", t!("user-id-empty"))]
    Empty,
    /// Longer than [`MAX_USER_ID_CHARS`].
    #[error("{}", t!("user-id-too-long"))]
    TooLong,
    /// Has a control character or a line break.
    #[error("{}", t!("user-id-bad-character"))]
    BadCharacter,
}

impl UserId {
    /// Parses a User-ID; surrounding white space is ignored.
    pub fn parse(input: &str) -> Result<Self, UserIdError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(UserIdError::Empty);
        }
        if trimmed.chars().count() > MAX_USER_ID_CHARS {
            return Err(UserIdError::TooLong);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(UserIdError::BadCharacter);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The User-ID as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Orders User-IDs as a person expects: numbers by value (2 before 10),
    /// numbers before text, text without regard to case.
    pub fn natural_cmp(&self, other: &Self) -> std::cmp::Ordering {
        natural_cmp(&self.0, &other.0)
    }
}

/// Orders two User-ID texts: numbers by value, then text without regard to case.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a
            .to_lowercase()
            .cmp(&b.to_lowercase())
            .then_with(|| a.cmp(b)),
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A validated user: what is stored in the register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// "User is activated": only activated users may log in or be sent verifications.
    pub activated: bool,
    /// "User-ID *".
    pub user_id: UserId,
    /// "Alias user-ID".
    pub alias_user_id: String,
    /// "Signature", often initials.
    pub signature: String,
    /// "Card-/Tag-ID".
    pub card_tag_id: String,
    /// "External reference".
    pub external_reference: String,
    /// "Email": the user's contact address in HRM (not the Visma Connect one).
    pub email: Option<Email>,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Department.
    pub department: String,
    /// Office.
    pub office: String,
    /// "Employment ends": the last day of employment, if known. Some days
    /// after it (a setting) the Visma Connect connection is removed.
    pub employment_ends: Option<jiff::civil::Date>,
}

/// A date as the form, the spreadsheet and the CLI write it: `2027-01-31`.
pub fn date_text(date: Option<jiff::civil::Date>) -> String {
    date.map(|d| d.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A text that is not a date as `2027-01-31`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", t!("field-date-invalid"))]
pub struct DateError;

/// Parses `2027-01-31` (also with a time after it, as a spreadsheet's date
/// cell reads); empty is no date.
pub fn parse_date(text: &str) -> Result<Option<jiff::civil::Date>, DateError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let day = text.split([' ', 'T']).next().unwrap_or(text);
    jiff::civil::Date::strptime("%Y-%m-%d", day)
        .map(Some)
        .map_err(|_| DateError)
}

impl User {
    /// "First Last", or the User-ID when both names are empty.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name, self.last_name);
        let name = name.trim();
        if name.is_empty() {
            self.user_id.to_string()
        } else {
            name.to_owned()
        }
    }
}

/// A user as the register holds it: key, fields and Visma Connect connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRecord {
    /// The row's key.
    pub key: UserKey,
    /// The user's fields.
    pub user: User,
    /// The connection to Visma Connect.
    pub connection: Connection,
}

impl User {
    /// An activated user with this User-ID and every other field empty
    /// (the first administrator `roles recover` makes; tests and
    /// benchmarks set what they need on top).
    pub fn activated(user_id: UserId) -> Self {
        Self {
            activated: true,
            user_id,
            alias_user_id: String::new(),
            signature: String::new(),
            card_tag_id: String::new(),
            external_reference: String::new(),
            email: None,
            first_name: String::new(),
            last_name: String::new(),
            department: String::new(),
            office: String::new(),
            employment_ends: None,
        }
    }
}

/// A user for tests: activated, the given User-ID, every other field empty,
/// no connection. Tests set what they need on top.
#[cfg(test)]
pub(crate) fn test_record(key: i64, user_id: &str) -> UserRecord {
    UserRecord {
        key: UserKey(key),
        user: User::activated(UserId(user_id.to_owned())),
        connection: Connection::None,
    }
}

#[cfg(test)]
mod date_tests {
    use super::{date_text, parse_date};

    #[test]
    fn dates_are_read_as_written_and_a_spreadsheets_time_is_dropped() {
        let date = parse_date(" 2027-01-31 ").unwrap().unwrap();
        assert_eq!(date_text(Some(date)), "2027-01-31");
        assert_eq!(parse_date("2027-01-31 00:00:00").unwrap(), Some(date));
        assert_eq!(parse_date("").unwrap(), None);
        assert_eq!(date_text(None), "");
        for bad in ["31/01/2027", "2027-02-30", "2027-13-01", "soon", "46418"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
