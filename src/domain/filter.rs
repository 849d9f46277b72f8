//! Who is in the selection: the search box and the filters, as one rule that
//! the Users view, the CLI and bulk actions share.

use memchr::memmem;

use super::connection::ConnectionStatus;
use super::user::UserRecord;

/// The search text and the filters of the Users view (and of `users list`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Words that must all occur (without regard to case) in the User-ID,
    /// names, signature, department, office, either address or the external
    /// reference: every text column the list shows, and a few more.
    pub search: String,
    /// Only this department, when set.
    pub department: Option<String>,
    /// Only this office, when set.
    pub office: Option<String>,
    /// Only users in this connection state, when set.
    pub status: Option<ConnectionStatus>,
    /// Only activated (`true`) or deactivated (`false`) users, when set.
    pub activated: Option<bool>,
}

/// The lower-cased text a user is searched in; build it once per user.
pub fn search_text(record: &UserRecord) -> String {
    let mut text = String::with_capacity(96);
    push_search_text(record, &mut text);
    text
}

/// Appends the user's [`search_text`] to `text`, lower-casing as it copies
/// (no text of its own per field).
pub fn push_search_text(record: &UserRecord, text: &mut String) {
    let user = &record.user;
    let parts = [
        user.user_id.as_str(),
        user.first_name.as_str(),
        user.last_name.as_str(),
        user.signature.as_str(),
        user.department.as_str(),
        user.office.as_str(),
        user.email.as_ref().map_or("", |e| e.as_str()),
        record.connection.email().map_or("", |e| e.as_str()),
        user.external_reference.as_str(),
    ];
    for part in parts {
        // A separator no one types keeps a term from matching across fields.
        text.push('\u{1f}');
        if part.is_ascii() {
            text.extend(part.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            text.push_str(&part.to_lowercase());
        }
    }
}

impl UserFilter {
    /// True when nothing narrows the selection.
    pub fn is_empty(&self) -> bool {
        self.search.trim().is_empty()
            && self.department.is_none()
            && self.office.is_none()
            && self.status.is_none()
            && self.activated.is_none()
    }

    /// Prepares the search words once, for matching many users.
    pub fn matcher(&self) -> Matcher<'_> {
        Matcher {
            filter: self,
            terms: self
                .search
                .to_lowercase()
                .split_whitespace()
                .map(|term| memmem::Finder::new(term).into_owned())
                .collect(),
        }
    }
}

/// A filter with its search words prepared: one substring finder per word,
/// built once for all users (a fresh searcher per user costs more than the search).
pub struct Matcher<'a> {
    filter: &'a UserFilter,
    terms: Vec<memmem::Finder<'static>>,
}

impl Matcher<'_> {
    /// True when the user is in the selection; `search_text` is the user's
    /// [`search_text`].
    pub fn matches(&self, record: &UserRecord, search_text: &str) -> bool {
        self.fields_match(record) && self.text_matches(search_text)
    }

    /// True when the filters other than the search words let the user in.
    pub fn fields_match(&self, record: &UserRecord) -> bool {
        let filter = self.filter;
        let user = &record.user;
        filter.activated.is_none_or(|a| a == user.activated)
            && filter
                .status
                .is_none_or(|s| s == record.connection.status())
            && filter
                .department
                .as_ref()
                .is_none_or(|d| *d == user.department)
            && filter.office.as_ref().is_none_or(|o| *o == user.office)
    }

    /// True when a filter other than the search words is set.
    pub fn filters_fields(&self) -> bool {
        let filter = self.filter;
        filter.activated.is_some()
            || filter.status.is_some()
            || filter.department.is_some()
            || filter.office.is_some()
    }

    /// True when every search word occurs in `search_text`.
    pub fn text_matches(&self, search_text: &str) -> bool {
        self.terms
            .iter()
            .all(|term| term.find(search_text.as_bytes()).is_some())
    }

    /// The search words, lower-cased, one finder each.
    pub fn terms(&self) -> &[memmem::Finder<'static>] {
        &self.terms
    }
}
