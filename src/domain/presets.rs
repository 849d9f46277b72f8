//! Machine-wide presets an IT administrator deploys (`defaults.toml`): the
//! register to open, the window's language, and settings that are fixed on
//! this machine. Parsed here from text; `app::presets` finds and reads the
//! file and installs the result once, at start.

use std::sync::OnceLock;

use super::settings::{SettingError, SettingKey, Settings};
use crate::i18n::Language;

/// What a `defaults.toml` fixes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Presets {
    /// Where the file was read (shown with locked settings).
    pub source: String,
    /// The register to open when no `--db` or `HRM_USERS_DB` names one.
    pub register: Option<String>,
    /// The window's language when the person has not chosen one.
    pub language: Option<Language>,
    /// Settings fixed on this machine, checked, in the file's order.
    pub settings: Vec<(SettingKey, String)>,
}

/// Why a `defaults.toml` was not used (nothing of it is applied then).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PresetsError {
    /// Not TOML.
    #[error("{source_file} is not valid TOML: {detail}")]
    Syntax {
        /// The file.
        source_file: String,
        /// The parser's words.
        detail: String,
    },
    /// A key that is neither `register`, `language` nor a setting.
    #[error("{source_file}: there is no setting {key}")]
    UnknownKey {
        /// The file.
        source_file: String,
        /// The key.
        key: String,
    },
    /// A value the setting does not accept.
    #[error("{source_file}: {error}")]
    BadValue {
        /// The file.
        source_file: String,
        /// What is wrong.
        error: SettingError,
    },
}

impl Presets {
    /// Parses a `defaults.toml`; `source` names it in messages. Every value
    /// is checked as `config set` would; one bad value refuses the file.
    pub fn parse(source: &str, text: &str) -> Result<Self, PresetsError> {
        let table: toml::Table =
            text.parse()
                .map_err(|e: toml::de::Error| PresetsError::Syntax {
                    source_file: source.to_owned(),
                    detail: e.message().to_owned(),
                })?;
        Self::from_table(source, &table)
    }

    /// Presets from names and texts (an MSI's properties, as the Windows
    /// registry keeps them), checked as a file's are; empty values are left
    /// out.
    pub fn from_pairs(source: &str, pairs: &[(String, String)]) -> Result<Self, PresetsError> {
        let table: toml::Table = pairs
            .iter()
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(name, value)| (name.clone(), toml::Value::String(value.trim().to_owned())))
            .collect();
        Self::from_table(source, &table)
    }

    /// These presets over `base`: what both fix, these win; the source
    /// names both.
    #[must_use]
    pub fn over(self, base: Self) -> Self {
        let mut settings = base.settings;
        for (key, value) in self.settings {
            settings.retain(|(k, _)| *k != key);
            settings.push((key, value));
        }
        Self {
            source: format!("{} + {}", base.source, self.source),
            register: self.register.or(base.register),
            language: self.language.or(base.language),
            settings,
        }
    }

    fn from_table(source: &str, table: &toml::Table) -> Result<Self, PresetsError> {
        let mut presets = Self {
            source: source.to_owned(),
            ..Self::default()
        };
        let mut check = Settings::default();
        for (name, value) in table {
            let text = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Array(items) => items
                    .iter()
                    .map(|item| {
                        item.as_str()
                            .map_or_else(|| item.to_string(), str::to_owned)
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            match name.as_str() {
                "register" => presets.register = Some(text),
                "language" => {
                    presets.language =
                        Some(
                            Language::from_code(&text).ok_or_else(|| PresetsError::BadValue {
                                source_file: source.to_owned(),
                                error: SettingError {
                                    key: "language",
                                    message: t!("setting-error-one-of", values = "sv, en"),
                                },
                            })?,
                        );
                }
                _ => {
                    let key =
                        SettingKey::from_name(name).ok_or_else(|| PresetsError::UnknownKey {
                            source_file: source.to_owned(),
                            key: name.clone(),
                        })?;
                    check
                        .set(key, &text)
                        .map_err(|error| PresetsError::BadValue {
                            source_file: source.to_owned(),
                            error,
                        })?;
                    presets.settings.push((key, text));
                }
            }
        }
        Ok(presets)
    }

    /// These presets without the security settings
    /// ([`SettingKey::is_security`]), and the keys left out: for a file
    /// named only to try presets out.
    #[must_use]
    pub fn without_security(mut self) -> (Self, Vec<SettingKey>) {
        let dropped = self
            .settings
            .iter()
            .map(|(key, _)| *key)
            .filter(|key| key.is_security())
            .collect();
        self.settings.retain(|(key, _)| !key.is_security());
        (self, dropped)
    }

    /// True when this machine fixes `key`.
    pub fn locks(&self, key: SettingKey) -> bool {
        self.settings.iter().any(|(k, _)| *k == key)
    }

    /// Puts the fixed settings over `settings` (values were checked when
    /// the file was read).
    pub fn apply(&self, settings: &mut Settings) {
        for (key, value) in &self.settings {
            if let Err(error) = settings.set(*key, value) {
                tracing::warn!(key = error.key, "a preset could not be applied");
            }
        }
    }
}

static MACHINE: OnceLock<Presets> = OnceLock::new();

/// Installs this machine's presets (once, at start; later calls are ignored).
pub fn install(presets: Presets) {
    let _ = MACHINE.set(presets);
}

/// This machine's presets, if a `defaults.toml` was read.
pub fn machine() -> Option<&'static Presets> {
    MACHINE.get()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preset_file_is_read_and_checked() {
        let presets = Presets::parse(
            "defaults.toml",
            "register = \"postgres://db.company.se/hrm\"\nlanguage = \"sv\"\nsmtp_host = \"smtp.company.se\"\nsmtp_port = 465\nverified_domains = [\"company.se\", \"dotter.se\"]\n",
        )
        .unwrap();
        assert_eq!(
            presets.register.as_deref(),
            Some("postgres://db.company.se/hrm")
        );
        assert_eq!(presets.language, Some(Language::Swedish));
        assert!(presets.locks(SettingKey::SmtpHost));
        assert!(!presets.locks(SettingKey::SenderName));
        let mut settings = Settings::default();
        presets.apply(&mut settings);
        assert_eq!(settings.smtp_host, "smtp.company.se");
        assert_eq!(settings.smtp_port, 465);
        assert_eq!(settings.verified_domains, ["company.se", "dotter.se"]);
    }

    #[test]
    fn a_file_to_try_out_sets_no_security_setting() {
        let presets = Presets::parse(
            "mine.toml",
            "smtp_host = \"smtp.company.se\"\noperator_field = \"external_reference\"\nverified_domains = \"company.se\"\n",
        )
        .unwrap();
        let (tried, dropped) = presets.without_security();
        assert_eq!(
            dropped,
            [SettingKey::OperatorField, SettingKey::VerifiedDomains]
        );
        assert!(tried.locks(SettingKey::SmtpHost));
        assert!(!tried.locks(SettingKey::OperatorField));
        let mut settings = Settings::default();
        tried.apply(&mut settings);
        assert!(settings.verified_domains.is_empty());
    }

    #[test]
    fn msi_properties_are_checked_like_a_file_and_win_over_it() {
        let file = Presets::parse("defaults.toml", "smtp_host = \"a\"\nsmtp_port = 25\n").unwrap();
        let pairs = [
            ("smtp_host".to_owned(), "smtp.company.se".to_owned()),
            (
                "public_base_url".to_owned(),
                "https://hrm.company.se".to_owned(),
            ),
            ("sender_address".to_owned(), "  ".to_owned()),
        ];
        let msi = Presets::from_pairs("registry", &pairs).unwrap();
        assert!(!msi.locks(SettingKey::SenderAddress), "empty is not set");
        let both = msi.over(file);
        let mut settings = Settings::default();
        both.apply(&mut settings);
        assert_eq!(settings.smtp_host, "smtp.company.se");
        assert_eq!(settings.smtp_port, 25);
        assert_eq!(settings.public_base_url, "https://hrm.company.se");
        let bad = [("smtp_port".to_owned(), "many".to_owned())];
        assert!(Presets::from_pairs("registry", &bad).is_err());
    }

    #[test]
    fn a_bad_preset_file_is_refused_whole_with_the_reason() {
        let unknown = Presets::parse("d.toml", "smtp_hots = \"x\"").unwrap_err();
        assert!(unknown.to_string().contains("smtp_hots"), "{unknown}");
        let bad = Presets::parse("d.toml", "smtp_port = 0").unwrap_err();
        assert!(bad.to_string().contains("smtp_port"), "{bad}");
        let syntax = Presets::parse("d.toml", "smtp_host = ").unwrap_err();
        assert!(matches!(syntax, PresetsError::Syntax { .. }));
    }
}
