//! Settings in the register: one row per key, read over the defaults.

use super::{Store, StoreError, WriteTx};
use crate::domain::{SettingKey, Settings};

impl Store {
    /// The settings: stored values over the defaults. A stored value this
    /// version does not accept is ignored (and logged by key only).
    pub fn load_settings(&self) -> Result<Settings, StoreError> {
        load(&self.conn)
    }
}

fn load(conn: &rusqlite::Connection) -> Result<Settings, StoreError> {
    {
        let mut settings = Settings::default();
        let mut statement = conn.prepare_cached("SELECT key, value FROM settings")?;
        let rows =
            statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (name, value) = row?;
            if let Some(key) = SettingKey::from_name(&name)
                && let Err(error) = settings.set(key, &value)
            {
                tracing::warn!(
                    key = error.key,
                    "ignoring a stored setting this version does not accept"
                );
            }
        }
        Ok(settings)
    }
}

impl WriteTx<'_> {
    /// The settings as this transaction sees them.
    pub fn load_settings(&self) -> Result<Settings, StoreError> {
        load(&self.tx)
    }

    /// Stores every setting.
    pub fn save_settings(&self, settings: &Settings) -> Result<(), StoreError> {
        for key in SettingKey::ALL {
            self.set_setting(key.name(), Some(&settings.get(key)))?;
        }
        Ok(())
    }
}
