//! Settings in the register: one row per key, read over the defaults.

use crate::domain::settings::SettingsRow;
use crate::domain::{SettingKey, Settings};

use super::db::Sql;
use super::{StoreError, WriteTx};

/// The query of the stored settings, one row per key.
pub(super) const SELECT_SETTINGS: &str = "SELECT key, value FROM settings";

/// The stored settings over the defaults.
pub(super) fn load(db: &impl Sql) -> Result<Settings, StoreError> {
    let rows = db.fetch(SELECT_SETTINGS, &[], |r| Ok((r.text(0)?, r.text(1)?)))?;
    Ok(from_rows(rows))
}

/// The settings of stored rows read as texts (key, value), over the
/// defaults (see `db::TextRow`).
pub(super) fn from_text_rows<'a>(
    rows: impl Iterator<Item = super::db::TextRow<'a>>,
) -> Result<Settings, StoreError> {
    use super::db::RowRead as _;
    Ok(from_rows(
        rows.map(|row| Ok((row.text(0)?, row.text(1)?)))
            .collect::<Result<_, StoreError>>()?,
    ))
}

/// The settings of the stored rows (key, value), over the defaults.
pub(super) fn from_rows(rows: Vec<(String, String)>) -> Settings {
    let mut settings = Settings::default();
    {
        for (name, value) in rows {
            if name == SettingsRow::RolesInForce.name() {
                settings.roles_in_force = value == "true";
                continue;
            }
            if let Some(key) = SettingKey::from_name(&name)
                && let Err(error) = settings.set(key, &value)
            {
                tracing::warn!(
                    key = error.key,
                    "ignoring a stored setting this version does not accept"
                );
            }
        }
        // What this machine's IT administrator fixed wins over the register.
        if let Some(presets) = crate::domain::presets::machine() {
            presets.apply(&mut settings);
        }
    }
    settings
}

impl WriteTx<'_> {
    /// Stores the settings that differ from `old` (the settings as this
    /// transaction read them). A key this machine's presets fix is never
    /// written: the preset stays on its machine, and every other machine
    /// keeps the register's value. Returns the keys written.
    pub fn save_settings(
        &self,
        old: &Settings,
        settings: &Settings,
    ) -> Result<Vec<SettingKey>, StoreError> {
        let presets = crate::domain::presets::machine();
        let mut written = Vec::new();
        for key in SettingKey::ALL {
            let value = settings.get(key);
            if value == old.get(key) || presets.is_some_and(|p| p.locks(key)) {
                continue;
            }
            self.set_setting(key, Some(&value))?;
            written.push(key);
        }
        Ok(written)
    }
}
