//! The user form's draft: strings as typed, turned into a [`User`] or a list
//! of errors per field. Two stages, as ripgrep parses flags: raw text first,
//! validated values after.

use std::collections::BTreeMap;

use super::email::Email;
use super::user::{MAX_TEXT_CHARS, User, UserId, UserRecord};

/// A field of the user form, in the seed's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// "User-ID *".
    UserId,
    /// "Alias user-ID".
    AliasUserId,
    /// "Signature".
    Signature,
    /// "Card-/Tag-ID".
    CardTagId,
    /// "External reference".
    ExternalReference,
    /// "Email".
    Email,
    /// "First name".
    FirstName,
    /// "Last name".
    LastName,
    /// "Department".
    Department,
    /// "Office".
    Office,
    /// "Employment ends".
    EmploymentEnds,
    /// "Email" in Connection to Visma Connect.
    VismaEmail,
    /// "Confirm email" in Connection to Visma Connect.
    VismaEmailConfirm,
}

impl Field {
    /// The label shown beside the field (required ones end in `*`).
    pub fn label(self) -> String {
        match self {
            Self::UserId => t!("field-user-id"),
            Self::AliasUserId => t!("field-alias-user-id"),
            Self::Signature => t!("field-signature"),
            Self::CardTagId => t!("field-card-tag-id"),
            Self::ExternalReference => t!("field-external-reference"),
            Self::Email | Self::VismaEmail => t!("field-email"),
            Self::FirstName => t!("field-first-name"),
            Self::LastName => t!("field-last-name"),
            Self::Department => t!("field-department"),
            Self::Office => t!("field-office"),
            Self::EmploymentEnds => t!("field-employment-ends"),
            Self::VismaEmailConfirm => t!("field-confirm-email"),
        }
    }
}

/// Errors per field; empty when the draft is valid.
pub type FieldErrors = BTreeMap<Field, String>;

/// The form as typed: every field a string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserDraft {
    /// "User is activated".
    pub activated: bool,
    /// "User-ID *".
    pub user_id: String,
    /// "Alias user-ID".
    pub alias_user_id: String,
    /// "Signature".
    pub signature: String,
    /// "Card-/Tag-ID".
    pub card_tag_id: String,
    /// "External reference".
    pub external_reference: String,
    /// "Email".
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Department.
    pub department: String,
    /// Office.
    pub office: String,
    /// "Employment ends", as typed (`2027-01-31`, or empty).
    pub employment_ends: String,
    /// Visma Connect "Email".
    pub visma_email: String,
    /// Visma Connect "Confirm email".
    pub visma_email_confirm: String,
}

/// A draft that passed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidDraft {
    /// The user's fields.
    pub user: User,
    /// The Visma Connect address to keep or save as pending; `None` for none.
    /// Ignored for a connected user, whose address is not edited on the form.
    pub visma_email: Option<Email>,
}

/// The fields another administrator changed since `base` was loaded into a
/// form (`current` is the register now) that saving `mine` would overwrite,
/// by their labels. A field changed on both sides to the same value is no
/// conflict; nor is the pending address of a user who got connected
/// meanwhile (saving keeps a connected user's address).
pub fn overwritten_fields(
    base: &UserDraft,
    current: &UserDraft,
    mine: &UserDraft,
    current_is_connected: bool,
) -> Vec<&'static str> {
    type Value = fn(&UserDraft) -> String;
    let fields: [(&'static str, Value); 13] = [
        ("User is activated", |d| d.activated.to_string()),
        ("User-ID", |d| d.user_id.clone()),
        ("Alias user-ID", |d| d.alias_user_id.clone()),
        ("Signature", |d| d.signature.clone()),
        ("Card-/Tag-ID", |d| d.card_tag_id.clone()),
        ("External reference", |d| d.external_reference.clone()),
        ("Email", |d| d.email.clone()),
        ("First name", |d| d.first_name.clone()),
        ("Last name", |d| d.last_name.clone()),
        ("Department", |d| d.department.clone()),
        ("Office", |d| d.office.clone()),
        ("Employment ends", |d| d.employment_ends.trim().to_owned()),
        ("Email Visma Connect", |d| d.visma_email.clone()),
    ];
    fields
        .iter()
        .filter(|(label, _)| !(current_is_connected && *label == "Email Visma Connect"))
        .filter(|(_, value)| value(current) != value(base) && value(mine) != value(current))
        .map(|(label, _)| *label)
        .collect()
}

impl UserDraft {
    /// The General Email to offer for Visma Connect: the user has no
    /// connection yet, both address fields are empty, and the Email is a
    /// valid address. Offering fills the fields; it saves nothing.
    pub fn suggested_visma_email(&self, connection: &super::Connection) -> Option<Email> {
        let fields_empty =
            self.visma_email.trim().is_empty() && self.visma_email_confirm.trim().is_empty();
        if !matches!(connection, super::Connection::None) || !fields_empty {
            return None;
        }
        Email::parse(&self.email).ok()
    }

    /// True when the Visma Connect address typed needs a mail server that
    /// announces SMTPUTF8 (letters outside ASCII before the @).
    pub fn visma_email_needs_smtputf8(&self) -> bool {
        Email::parse(&self.visma_email).is_ok_and(|e| e.needs_smtputf8())
    }

    /// The text of `field` as typed.
    pub fn text(&self, field: Field) -> &str {
        match field {
            Field::UserId => &self.user_id,
            Field::AliasUserId => &self.alias_user_id,
            Field::Signature => &self.signature,
            Field::CardTagId => &self.card_tag_id,
            Field::ExternalReference => &self.external_reference,
            Field::Email => &self.email,
            Field::FirstName => &self.first_name,
            Field::LastName => &self.last_name,
            Field::Department => &self.department,
            Field::Office => &self.office,
            Field::EmploymentEnds => &self.employment_ends,
            Field::VismaEmail => &self.visma_email,
            Field::VismaEmailConfirm => &self.visma_email_confirm,
        }
    }

    /// The errors of `shown` (from the last Save) as they stand after the
    /// person edited `before` into `self`: a field's error goes once the
    /// field is corrected, or changes with it; the two Visma Connect
    /// addresses are judged together (a mismatch is mended in either);
    /// errors of fields not edited stay (some come from the register).
    pub fn errors_after_edit(&self, before: &Self, shown: &FieldErrors) -> FieldErrors {
        let edited = |field: Field| {
            let pair = matches!(field, Field::VismaEmail | Field::VismaEmailConfirm);
            self.text(field) != before.text(field)
                || (pair
                    && (self.visma_email != before.visma_email
                        || self.visma_email_confirm != before.visma_email_confirm))
        };
        let now = self.validate().err().unwrap_or_default();
        shown
            .iter()
            .filter_map(|(field, message)| {
                if edited(*field) {
                    now.get(field).map(|m| (*field, m.clone()))
                } else {
                    Some((*field, message.clone()))
                }
            })
            .collect()
    }

    /// A new user's empty form: activated, as a new employee usually is.
    pub fn new_user() -> Self {
        Self {
            activated: true,
            ..Self::default()
        }
    }

    /// The form of an existing user; a pending address fills both address fields.
    pub fn from_record(record: &UserRecord) -> Self {
        let user = &record.user;
        let pending = match &record.connection {
            super::Connection::Unverified { email, .. } => email.to_string(),
            _ => String::new(),
        };
        Self {
            activated: user.activated,
            user_id: user.user_id.to_string(),
            alias_user_id: user.alias_user_id.clone(),
            signature: user.signature.clone(),
            card_tag_id: user.card_tag_id.clone(),
            external_reference: user.external_reference.clone(),
            email: user
                .email
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            department: user.department.clone(),
            office: user.office.clone(),
            employment_ends: super::user::date_text(user.employment_ends),
            visma_email_confirm: pending.clone(),
            visma_email: pending,
        }
    }

    /// Validates every field; returns the user or every error at once.
    pub fn validate(&self) -> Result<ValidDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let user_id = UserId::parse(&self.user_id)
            .map_err(|e| errors.insert(Field::UserId, e.to_string()))
            .ok();
        let mut text = |field: Field, value: &str| -> String {
            let value = value.trim();
            if value.chars().count() > MAX_TEXT_CHARS {
                errors.insert(field, t!("field-too-long", field = field.label()));
            } else if value.chars().any(char::is_control) {
                errors.insert(field, t!("field-control-characters"));
            }
            value.to_owned()
        };
        let alias_user_id = text(Field::AliasUserId, &self.alias_user_id);
        let signature = text(Field::Signature, &self.signature);
        let card_tag_id = text(Field::CardTagId, &self.card_tag_id);
        let external_reference = text(Field::ExternalReference, &self.external_reference);
        let first_name = text(Field::FirstName, &self.first_name);
        let last_name = text(Field::LastName, &self.last_name);
        let department = text(Field::Department, &self.department);
        let office = text(Field::Office, &self.office);
        let email = if self.email.trim().is_empty() {
            None
        } else {
            Email::parse(&self.email)
                .map_err(|e| errors.insert(Field::Email, e.to_string()))
                .ok()
        };
        let employment_ends = super::user::parse_date(&self.employment_ends)
            .map_err(|e| errors.insert(Field::EmploymentEnds, e.to_string()))
            .ok()
            .flatten();
        let visma_email =
            validate_visma_email(&self.visma_email, &self.visma_email_confirm, &mut errors);
        match (user_id, errors.is_empty()) {
            (Some(user_id), true) => Ok(ValidDraft {
                user: User {
                    activated: self.activated,
                    user_id,
                    alias_user_id,
                    signature,
                    card_tag_id,
                    external_reference,
                    email,
                    first_name,
                    last_name,
                    department,
                    office,
                    employment_ends,
                },
                visma_email,
            }),
            _ => Err(errors),
        }
    }
}

/// The Visma Connect address and its confirmation: both empty means no
/// address; otherwise the address must be valid and the confirmation equal.
fn validate_visma_email(
    address: &str,
    confirmation: &str,
    errors: &mut FieldErrors,
) -> Option<Email> {
    if address.trim().is_empty() && confirmation.trim().is_empty() {
        return None;
    }
    let email = match Email::parse(address) {
        Ok(email) => email,
        Err(error) => {
            errors.insert(Field::VismaEmail, error.to_string());
            return None;
        }
    };
    match Email::parse(confirmation) {
        Ok(confirmed) if confirmed == email => Some(email),
        _ => {
            errors.insert(Field::VismaEmailConfirm, t!("field-confirmation-mismatch"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_goes_once_its_field_is_corrected_and_others_stay() {
        let before = UserDraft {
            user_id: "14".into(),
            visma_email: "anna@company.se".into(),
            visma_email_confirm: "anna@company.s".into(),
            ..UserDraft::new_user()
        };
        let mut shown = before.validate().unwrap_err();
        assert!(shown.contains_key(&Field::VismaEmailConfirm));
        // An error the register gave (the User-ID is taken) stays while
        // other fields are edited.
        shown.insert(Field::UserId, "taken".into());
        let mended = UserDraft {
            visma_email_confirm: "anna@company.se".into(),
            ..before.clone()
        };
        let now = mended.errors_after_edit(&before, &shown);
        assert!(!now.contains_key(&Field::VismaEmailConfirm), "{now:?}");
        assert_eq!(now.get(&Field::UserId).map(String::as_str), Some("taken"));
        // The User-ID edited: its error goes too.
        let renamed = UserDraft {
            user_id: "15".into(),
            ..mended.clone()
        };
        assert!(renamed.errors_after_edit(&mended, &now).is_empty());
    }

    fn anna() -> UserDraft {
        UserDraft {
            user_id: "14".into(),
            first_name: "Anna".into(),
            last_name: "Svensson".into(),
            visma_email: "anna.svensson@company.se".into(),
            visma_email_confirm: "Anna.Svensson@company.se".into(),
            ..UserDraft::new_user()
        }
    }

    #[test]
    fn a_complete_draft_becomes_a_user_with_a_pending_address() {
        let valid = anna().validate().unwrap();
        assert_eq!(valid.user.user_id.as_str(), "14");
        assert!(valid.user.activated);
        assert_eq!(
            valid.visma_email.unwrap().as_str(),
            "anna.svensson@company.se"
        );
    }

    #[test]
    fn user_id_is_required() {
        let draft = UserDraft {
            user_id: "   ".into(),
            ..anna()
        };
        let errors = draft.validate().unwrap_err();
        assert_eq!(errors[&Field::UserId], "User-ID is required.");
    }

    #[test]
    fn mismatched_confirmation_is_an_error_at_the_confirmation() {
        let draft = UserDraft {
            visma_email_confirm: "anna.svenson@company.se".into(),
            ..anna()
        };
        let errors = draft.validate().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[&Field::VismaEmailConfirm].contains("does not match"));
    }

    #[test]
    fn missing_confirmation_is_an_error() {
        let draft = UserDraft {
            visma_email_confirm: String::new(),
            ..anna()
        };
        assert!(
            draft
                .validate()
                .unwrap_err()
                .contains_key(&Field::VismaEmailConfirm)
        );
    }

    #[test]
    fn invalid_address_is_an_error_at_the_address() {
        let draft = UserDraft {
            visma_email: "anna@company".into(),
            visma_email_confirm: "anna@company".into(),
            ..anna()
        };
        let errors = draft.validate().unwrap_err();
        assert!(errors[&Field::VismaEmail].contains("dot"));
    }

    #[test]
    fn no_address_at_all_is_valid() {
        let draft = UserDraft {
            visma_email: String::new(),
            visma_email_confirm: String::new(),
            ..anna()
        };
        assert_eq!(draft.validate().unwrap().visma_email, None);
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let draft = UserDraft {
            user_id: String::new(),
            email: "not an address".into(),
            signature: "a\nb".into(),
            ..anna()
        };
        let errors = draft.validate().unwrap_err();
        let fields: Vec<Field> = errors.keys().copied().collect();
        assert_eq!(fields, vec![Field::UserId, Field::Signature, Field::Email]);
    }

    #[test]
    fn over_long_text_is_refused() {
        let draft = UserDraft {
            department: "x".repeat(201),
            ..anna()
        };
        assert!(
            draft
                .validate()
                .unwrap_err()
                .contains_key(&Field::Department)
        );
    }
}

#[cfg(test)]
mod overwrite_tests {
    use super::*;

    fn draft(office: &str, first: &str, visma: &str) -> UserDraft {
        UserDraft {
            user_id: "14".into(),
            office: office.into(),
            first_name: first.into(),
            visma_email: visma.into(),
            visma_email_confirm: visma.into(),
            ..UserDraft::new_user()
        }
    }

    #[test]
    fn only_fields_changed_elsewhere_that_saving_would_undo_conflict() {
        let base = draft("Lund", "Anna", "");
        // Someone moved her to Malmö; I changed her first name.
        let current = draft("Malmö", "Anna", "");
        let mine = draft("Lund", "Annika", "");
        assert_eq!(
            overwritten_fields(&base, &current, &mine, false),
            ["Office"]
        );
        // I made the same change: nothing is lost.
        let mine = draft("Malmö", "Annika", "");
        assert!(overwritten_fields(&base, &current, &mine, false).is_empty());
        // Nobody else changed anything.
        assert!(overwritten_fields(&base, &base, &mine, false).is_empty());
    }

    #[test]
    fn a_user_connected_meanwhile_is_no_conflict_over_the_address() {
        let base = draft("Lund", "Anna", "anna@company.se");
        let current = draft("Lund", "Anna", "");
        let mine = draft("Lund", "Annika", "anna@company.se");
        assert!(overwritten_fields(&base, &current, &mine, true).is_empty());
        assert_eq!(
            overwritten_fields(&base, &current, &mine, false),
            ["Email Visma Connect"]
        );
    }

    #[test]
    fn the_general_email_is_offered_only_to_a_user_without_connection_and_empty_fields() {
        use crate::domain::Connection;
        let mut draft = UserDraft::new_user();
        draft.email = " Anna@Company.se ".into();
        assert_eq!(
            draft
                .suggested_visma_email(&Connection::None)
                .map(|e| e.to_string()),
            Some("Anna@company.se".to_owned())
        );
        let pending = Connection::Unverified {
            email: Email::parse("a@b.se").unwrap(),
            sent_count: 0,
            last_sent_at: None,
        };
        assert!(draft.suggested_visma_email(&pending).is_none());
        draft.visma_email_confirm = "x".into();
        assert!(draft.suggested_visma_email(&Connection::None).is_none());
        draft.visma_email_confirm.clear();
        draft.email = "not an address".into();
        assert!(draft.suggested_visma_email(&Connection::None).is_none());
    }

    #[test]
    fn employment_ends_must_be_a_date() {
        let mut draft = UserDraft {
            user_id: "14".into(),
            employment_ends: "31.01.2027".into(),
            ..UserDraft::new_user()
        };
        let errors = draft.validate().unwrap_err();
        assert!(errors.contains_key(&Field::EmploymentEnds));
        draft.employment_ends = "2027-01-31".into();
        let valid = draft.validate().unwrap();
        assert_eq!(
            valid.user.employment_ends.map(|d| d.to_string()).as_deref(),
            Some("2027-01-31")
        );
    }
}
