//! The Employees/users template: its columns in order, and how a header in a
//! file is recognised (English or Swedish, any case, surrounding spaces).

/// A column of the template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TemplateColumn {
    /// User-ID (required).
    UserId,
    /// Alias user-ID.
    AliasUserId,
    /// First name.
    FirstName,
    /// Last name.
    LastName,
    /// Signature.
    Signature,
    /// Card-/Tag-ID.
    CardTagId,
    /// External reference.
    ExternalReference,
    /// Email (the user's contact address).
    Email,
    /// Email Visma Connect.
    EmailVismaConnect,
    /// Department.
    Department,
    /// Office.
    Office,
    /// User is activated.
    Activated,
    /// Employment ends (the last day, `2027-01-31`).
    EmploymentEnds,
}

impl TemplateColumn {
    /// The template's columns, in order.
    pub const ALL: [Self; 13] = [
        Self::UserId,
        Self::AliasUserId,
        Self::FirstName,
        Self::LastName,
        Self::Signature,
        Self::CardTagId,
        Self::ExternalReference,
        Self::Email,
        Self::EmailVismaConnect,
        Self::Department,
        Self::Office,
        Self::Activated,
        Self::EmploymentEnds,
    ];

    /// The header the template writes.
    pub fn header(self) -> &'static str {
        match self {
            Self::UserId => "User-ID",
            Self::AliasUserId => "Alias user-ID",
            Self::FirstName => "First name",
            Self::LastName => "Last name",
            Self::Signature => "Signature",
            Self::CardTagId => "Card-/Tag-ID",
            Self::ExternalReference => "External reference",
            Self::Email => "Email",
            Self::EmailVismaConnect => "Email Visma Connect",
            Self::Department => "Department",
            Self::Office => "Office",
            Self::Activated => "User is activated",
            Self::EmploymentEnds => "Employment ends",
        }
    }

    /// The header the template and exports write in `language`; a file
    /// with either language's headers is read (they are among the
    /// [`Self::aliases`]).
    pub fn header_in(self, language: crate::i18n::Language) -> &'static str {
        if language == crate::i18n::Language::English {
            return self.header();
        }
        match self {
            Self::UserId => "Användar-ID",
            Self::AliasUserId => "Alias användar-ID",
            Self::FirstName => "Förnamn",
            Self::LastName => "Efternamn",
            Self::Signature => "Signatur",
            Self::CardTagId => "Kort-/tagg-ID",
            Self::ExternalReference => "Extern referens",
            Self::Email => "E-post",
            Self::EmailVismaConnect => "E-post Visma Connect",
            Self::Department => "Avdelning",
            Self::Office => "Kontor",
            Self::Activated => "Användaren är aktiverad",
            Self::EmploymentEnds => "Anställning upphör",
        }
    }

    /// The column's value for a stored user as the template writes it;
    /// `None` for *Email Visma Connect*, which is the connection's, not the
    /// user's. One table for the export and for describing an import's
    /// changes.
    pub fn user_text(self, user: &super::user::User) -> Option<String> {
        Some(match self {
            Self::UserId => user.user_id.to_string(),
            Self::AliasUserId => user.alias_user_id.clone(),
            Self::FirstName => user.first_name.clone(),
            Self::LastName => user.last_name.clone(),
            Self::Signature => user.signature.clone(),
            Self::CardTagId => user.card_tag_id.clone(),
            Self::ExternalReference => user.external_reference.clone(),
            Self::Email => user
                .email
                .as_ref()
                .map(super::email::Email::to_string)
                .unwrap_or_default(),
            Self::EmailVismaConnect => return None,
            Self::Department => user.department.clone(),
            Self::Office => user.office.clone(),
            Self::Activated => if user.activated { "Yes" } else { "No" }.to_owned(),
            Self::EmploymentEnds => super::user::date_text(user.employment_ends),
        })
    }

    /// The key of the form's label for the column's field.
    pub fn field_key(self) -> &'static str {
        match self {
            Self::UserId => "field-user-id",
            Self::AliasUserId => "field-alias-user-id",
            Self::FirstName => "field-first-name",
            Self::LastName => "field-last-name",
            Self::Signature => "field-signature",
            Self::CardTagId => "field-card-tag-id",
            Self::ExternalReference => "field-external-reference",
            Self::Email => "field-email",
            Self::EmailVismaConnect => "form-connection",
            Self::Department => "field-department",
            Self::Office => "field-office",
            Self::Activated => "field-activated",
            Self::EmploymentEnds => "field-employment-ends",
        }
    }

    /// Other names a file may use for the column (compared after [`normalize_header`]).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Self::UserId => &[
                "user-id *",
                "user id",
                "userid",
                "användar-id",
                "användar-id *",
                "användarid",
            ],
            Self::AliasUserId => &[
                "alias user id",
                "alias",
                "alias användar-id",
                "alias-användar-id",
            ],
            Self::FirstName => &["förnamn", "firstname"],
            Self::LastName => &["efternamn", "lastname", "surname"],
            Self::Signature => &["signatur"],
            Self::CardTagId => &[
                "card/tag id",
                "card-/tag id",
                "kort-/tagg-id",
                "kort/tagg-id",
                "kort-/tag-id",
            ],
            Self::ExternalReference => &["extern referens"],
            Self::Email => &["e-post", "e-mail", "epost", "mail"],
            Self::EmailVismaConnect => &[
                "e-post visma connect",
                "e-mail visma connect",
                "epost visma connect",
                "visma connect email",
            ],
            Self::Department => &["avdelning"],
            Self::Office => &["kontor"],
            Self::Activated => &[
                "activated",
                "användaren är aktiverad",
                "aktiverad",
                "user is enabled",
            ],
            Self::EmploymentEnds => &[
                "anställning upphör",
                "anställningen upphör",
                "end of employment",
                "employment end date",
            ],
        }
    }

    /// The column a header names, if any.
    pub fn from_header(header: &str) -> Option<Self> {
        let wanted = normalize_header(header);
        Self::ALL.into_iter().find(|column| {
            normalize_header(column.header()) == wanted
                || column
                    .aliases()
                    .iter()
                    .any(|a| normalize_header(a) == wanted)
        })
    }
}

/// Lower case, trimmed, inner white space folded to one space.
pub fn normalize_header(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Parses a "User is activated" cell: yes/no, ja/nej, true/false, 1/0, x.
pub fn parse_activated(cell: &str) -> Option<bool> {
    match cell.trim().to_lowercase().as_str() {
        "yes" | "y" | "ja" | "j" | "true" | "1" | "x" | "sant" => Some(true),
        "no" | "n" | "nej" | "false" | "0" | "falskt" => Some(false),
        _ => None,
    }
}

/// How an export is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// An Excel workbook.
    Xlsx,
    /// Semicolon-separated UTF-8 text with a BOM, as Excel in Sweden opens it.
    Csv,
}

impl ExportFormat {
    /// The format a file's name asks for: `.xlsx` or `.csv` (any case);
    /// any other name is refused, by the window and the CLI alike.
    pub fn for_file(path: &std::path::Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "xlsx" => Some(Self::Xlsx),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headers_written_in_either_language_are_read_back() {
        for language in [
            crate::i18n::Language::English,
            crate::i18n::Language::Swedish,
        ] {
            for column in TemplateColumn::ALL {
                assert_eq!(
                    TemplateColumn::from_header(column.header_in(language)),
                    Some(column),
                    "{language:?} {column:?}"
                );
            }
        }
    }

    #[test]
    fn headers_match_in_any_case_spacing_and_in_swedish() {
        assert_eq!(
            TemplateColumn::from_header("  user-ID "),
            Some(TemplateColumn::UserId)
        );
        assert_eq!(
            TemplateColumn::from_header("Användar-ID"),
            Some(TemplateColumn::UserId)
        );
        assert_eq!(
            TemplateColumn::from_header("E-post  Visma Connect"),
            Some(TemplateColumn::EmailVismaConnect)
        );
        assert_eq!(
            TemplateColumn::from_header("EMAIL VISMA CONNECT"),
            Some(TemplateColumn::EmailVismaConnect)
        );
        assert_eq!(
            TemplateColumn::from_header("Förnamn"),
            Some(TemplateColumn::FirstName)
        );
        assert_eq!(
            TemplateColumn::from_header("\u{feff}User-ID"),
            Some(TemplateColumn::UserId)
        );
        assert_eq!(TemplateColumn::from_header("Shoe size"), None);
        for column in TemplateColumn::ALL {
            assert_eq!(TemplateColumn::from_header(column.header()), Some(column));
        }
    }

    #[test]
    fn activation_words() {
        assert_eq!(parse_activated("Ja"), Some(true));
        assert_eq!(parse_activated(" no "), Some(false));
        assert_eq!(parse_activated("maybe"), None);
    }
}
