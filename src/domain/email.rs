//! The e-mail address type: parsed once, compared without regard to case.
//!
//! An address that has passed [`Email::parse`] is valid everywhere downstream,
//! so no other code re-checks a bare string. The rules follow what mail servers
//! and Visma Connect accept in practice: a dot-atom local part of at most 64
//! octets (UTF-8 allowed, as SMTPUTF8 does), a domain with at least one dot
//! that converts to ASCII through IDNA (so `bjö[email protected]` works),
//! and at most 254 octets in all.

use std::fmt;

/// Longest local part, in octets (RFC 5321 §4.5.3.1.1).
pub const MAX_LOCAL_OCTETS: usize = 64;
/// Longest whole address, in octets (RFC 5321 path limit less the angle brackets).
pub const MAX_ADDRESS_OCTETS: usize = 254;

/// A valid e-mail address.
///
/// Two addresses are equal when their [`Email::key`]s are: the local part and
/// domain lower-cased, the domain in its ASCII (punycode) form.
#[derive(Clone, Debug)]
pub struct Email {
    /// The address as the user wrote it, trimmed, with the domain lower-cased.
    text: String,
    /// The comparison key: lower-case local part `@` ASCII domain.
    key: String,
}

/// Why a text is not a valid e-mail address. The messages are shown at the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing was entered.
    #[error("{}", t!("email-empty"))]
    Empty,
    /// There is no `@`, or more than one outside a quoted part.
    #[error("{}", t!("email-no-at"))]
    NoAt,
    /// Nothing before the `@`.
    #[error("{}", t!("email-empty-local"))]
    EmptyLocal,
    /// The part before the `@` is longer than 64 octets.
    #[error("{}", t!("email-local-too-long"))]
    LocalTooLong,
    /// The part before the `@` has a character or dot placement mail servers refuse.
    #[error("{}", t!("email-bad-local"))]
    BadLocal,
    /// The domain has no dot, as in `anna@company`.
    #[error("{}", t!("email-domain-without-dot"))]
    DomainWithoutDot,
    /// The top-level domain has one letter, as in `anna@company.s`: no such
    /// domain exists, so the address is a typing error.
    #[error("{}", t!("email-short-top-level"))]
    ShortTopLevel,
    /// The domain is not a valid host name, even after IDNA conversion.
    #[error("{}", t!("email-bad-domain"))]
    BadDomain,
    /// The whole address is longer than 254 octets.
    #[error("{}", t!("email-too-long"))]
    TooLong,
}

impl Email {
    /// Parses and validates an address; surrounding white space is ignored.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        let mut parts = trimmed.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(EmailError::NoAt);
        };
        check_local(local)?;
        let ascii_domain = parse_domain(domain)?;
        if local.len() + 1 + ascii_domain.len() > MAX_ADDRESS_OCTETS
            || local.len() + 1 + domain.len() > MAX_ADDRESS_OCTETS
        {
            return Err(EmailError::TooLong);
        }
        // The parts written straight into their strings: an import of
        // 100,000 rows parses each address more than once.
        let mut text = String::with_capacity(local.len() + 1 + domain.len());
        text.push_str(local);
        text.push('@');
        if domain.is_ascii() {
            let start = text.len();
            text.push_str(domain);
            text[start..].make_ascii_lowercase();
        } else {
            text.push_str(&domain.to_lowercase());
        }
        let mut key = String::with_capacity(local.len() + 1 + ascii_domain.len());
        if local.is_ascii() {
            key.push_str(local);
            key.make_ascii_lowercase();
        } else {
            key.push_str(&local.to_lowercase());
        }
        key.push('@');
        key.push_str(&ascii_domain);
        Ok(Self { text, key })
    }

    /// The address as entered (trimmed, domain in lower case).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The key two addresses are compared by: case-folded, domain in ASCII.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The domain in ASCII form, as matched against verified domains.
    pub fn ascii_domain(&self) -> &str {
        self.key.rsplit_once('@').map_or("", |(_, domain)| domain)
    }

    /// True when the part before the @ has letters outside ASCII: the
    /// address can only go through a mail server that announces SMTPUTF8
    /// (the domain is sent in its ASCII form).
    pub fn needs_smtputf8(&self) -> bool {
        self.text
            .rsplit_once('@')
            .is_some_and(|(local, _)| !local.is_ascii())
    }

    /// The address as sent in the envelope and headers: the local part as
    /// entered, the domain in its ASCII (punycode) form.
    pub fn for_transport(&self) -> String {
        let local = self.text.rsplit_once('@').map_or("", |(local, _)| local);
        format!("{local}@{}", self.ascii_domain())
    }

    /// The address with most of the local part hidden, for logs and public pages:
    /// `anna.svensson@company.se` becomes `a***@company.se`.
    pub fn masked(&self) -> String {
        let (local, domain) = self.text.rsplit_once('@').unwrap_or((&self.text, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }
}

impl PartialEq for Email {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Email {}

impl std::hash::Hash for Email {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The signs a dot-atom local part may hold besides letters and digits.
const LOCAL_SIGNS: &[u8] = b"!#$%&'*+-/=?^_`{|}~.";

fn check_local(local: &str) -> Result<(), EmailError> {
    if local.is_empty() {
        return Err(EmailError::EmptyLocal);
    }
    if local.len() > MAX_LOCAL_OCTETS {
        return Err(EmailError::LocalTooLong);
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(EmailError::BadLocal);
    }
    let allowed = |c: char| {
        c.is_ascii_alphanumeric()
            || u8::try_from(c).is_ok_and(|b| LOCAL_SIGNS.contains(&b))
            || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
    };
    if local.chars().all(allowed) {
        Ok(())
    } else {
        Err(EmailError::BadLocal)
    }
}

/// Validates the domain and returns its ASCII form.
fn parse_domain(domain: &str) -> Result<String, EmailError> {
    // Plain letter-digit-hyphen domains need no IDNA processing (the common
    // case, and the hot path when a register of 100,000 users is loaded);
    // anything else, punycode labels included, goes through IDNA.
    let plain_letters = domain
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if domain.is_empty()
        || (!plain_letters && domain.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        return Err(EmailError::BadDomain);
    }
    let plain = plain_letters
        && !domain
            .split('.')
            .any(|label| label.len() >= 4 && label[..4].eq_ignore_ascii_case("xn--"));
    let ascii = if plain {
        domain.to_ascii_lowercase()
    } else {
        idna::domain_to_ascii_strict(domain).map_err(|_| EmailError::BadDomain)?
    };
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    // The labels are walked once, with no list of them made.
    let (mut labels, mut all_ok, mut top_level) = (0_usize, true, "");
    for label in ascii.split('.') {
        labels += 1;
        all_ok &= label_ok(label);
        top_level = label;
    }
    if labels < 2 {
        return Err(EmailError::DomainWithoutDot);
    }
    if !all_ok || top_level.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EmailError::BadDomain);
    }
    if top_level.len() < 2 {
        return Err(EmailError::ShortTopLevel);
    }
    Ok(ascii)
}

/// Validates a bare domain name (as in the list of verified domains) and
/// returns its ASCII form in lower case.
pub fn parse_domain_name(domain: &str) -> Result<String, EmailError> {
    let domain = domain.trim().trim_start_matches('@');
    if domain.is_empty() {
        return Err(EmailError::Empty);
    }
    parse_domain(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local_of(octets: usize) -> String {
        "a".repeat(octets)
    }

    #[test]
    fn only_letters_outside_ascii_before_the_at_need_smtputf8() {
        let klara = Email::parse("klara.sjöberg@företaget.se").unwrap();
        assert!(klara.needs_smtputf8());
        assert_eq!(klara.for_transport(), "klara.sjöberg@xn--fretaget-n4a.se");
        let ascii_local = Email::parse("klara@företaget.se").unwrap();
        assert!(!ascii_local.needs_smtputf8());
        assert!(ascii_local.for_transport().is_ascii());
    }

    #[test]
    fn a_one_letter_top_level_domain_is_refused() {
        assert_eq!(Email::parse("x@company.s"), Err(EmailError::ShortTopLevel));
        assert!(Email::parse("x@company.se").is_ok());
        assert!(Email::parse("x@co.uk").is_ok());
    }

    #[test]
    fn accepts_ordinary_addresses_and_trims() {
        let email = Email::parse("  anna.svensson@company.se ").unwrap();
        assert_eq!(email.as_str(), "anna.svensson@company.se");
        assert_eq!(email.ascii_domain(), "company.se");
    }

    #[test]
    fn local_part_of_64_octets_is_accepted_and_65_refused() {
        assert!(Email::parse(&format!("{}@company.se", local_of(64))).is_ok());
        assert_eq!(
            Email::parse(&format!("{}@company.se", local_of(65))),
            Err(EmailError::LocalTooLong)
        );
    }

    #[test]
    fn local_part_counts_octets_not_characters() {
        // 32 'ö' are 64 octets; 33 are 66.
        assert!(Email::parse(&format!("{}@company.se", "ö".repeat(32))).is_ok());
        assert_eq!(
            Email::parse(&format!("{}@company.se", "ö".repeat(33))),
            Err(EmailError::LocalTooLong)
        );
    }

    fn address_of_total(total: usize) -> String {
        // local (64) + '@' + labels of at most 63 joined by dots, ending in ".se".
        let local = local_of(64);
        let mut domain_len = total - 65;
        let mut labels = Vec::new();
        domain_len -= 3; // ".se"
        while domain_len > 0 {
            let take = domain_len.min(63);
            // A label and its following dot; avoid a trailing one-char gap.
            let take = if domain_len - take == 1 {
                take - 1
            } else {
                take
            };
            labels.push("b".repeat(take));
            domain_len -= take;
            // The dot before the next label.
            domain_len = domain_len.saturating_sub(1);
        }
        format!("{local}@{}.se", labels.join("."))
    }

    #[test]
    fn total_of_254_octets_is_accepted_and_255_refused() {
        let ok = address_of_total(254);
        assert_eq!(ok.len(), 254);
        assert!(Email::parse(&ok).is_ok(), "{ok}");
        let long = address_of_total(255);
        assert_eq!(long.len(), 255);
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn international_domains_are_accepted_and_compared_in_ascii() {
        let unicode = Email::parse("anna@bjärred.se").unwrap();
        assert_eq!(unicode.as_str(), "anna@bjärred.se");
        assert_eq!(unicode.ascii_domain(), "xn--bjrred-cua.se");
        let ascii = Email::parse("ANNA@xn--bjrred-cua.se").unwrap();
        assert_eq!(unicode, ascii);
    }

    #[test]
    fn domain_without_dot_is_refused() {
        assert_eq!(
            Email::parse("anna@company"),
            Err(EmailError::DomainWithoutDot)
        );
    }

    #[test]
    fn comparison_ignores_case() {
        assert_eq!(
            Email::parse("Anna.Svensson@Company.SE").unwrap(),
            Email::parse("anna.svensson@company.se").unwrap()
        );
    }

    #[test]
    fn malformed_addresses_are_refused_with_a_reason() {
        assert_eq!(Email::parse(""), Err(EmailError::Empty));
        assert_eq!(Email::parse("anna.company.se"), Err(EmailError::NoAt));
        assert_eq!(Email::parse("a@b@company.se"), Err(EmailError::NoAt));
        assert_eq!(Email::parse("@company.se"), Err(EmailError::EmptyLocal));
        assert_eq!(
            Email::parse("anna..s@company.se"),
            Err(EmailError::BadLocal)
        );
        assert_eq!(Email::parse(".anna@company.se"), Err(EmailError::BadLocal));
        assert_eq!(Email::parse("an na@company.se"), Err(EmailError::BadLocal));
        assert_eq!(Email::parse("anna@-company.se"), Err(EmailError::BadDomain));
        assert_eq!(Email::parse("anna@company..se"), Err(EmailError::BadDomain));
        assert_eq!(Email::parse("anna@company.123"), Err(EmailError::BadDomain));
        assert_eq!(Email::parse("anna@comp_any.se"), Err(EmailError::BadDomain));
    }

    #[test]
    fn masking_hides_the_local_part() {
        let email = Email::parse("anna.svensson@company.se").unwrap();
        assert_eq!(email.masked(), "a***@company.se");
    }

    #[test]
    fn domain_names_are_validated_alone() {
        assert_eq!(parse_domain_name(" Company.SE ").unwrap(), "company.se");
        assert_eq!(parse_domain_name("@company.se").unwrap(), "company.se");
        assert!(parse_domain_name("company").is_err());
    }
}
