//! Use cases, one function each: what the Users view and the CLI both call.
//! No widget and no SQL lives here; the rules come from `domain`, the
//! storage from `store`.

pub mod account_codes;
pub mod bulk;
mod changes;
mod delete_user;
pub mod demo;
mod details;
pub mod export;
pub mod idp;
pub mod import;
mod import_sheets;
pub mod leavers;
mod link_token;
mod open;
pub mod operator;
pub mod outbox_worker;
pub mod paths;
pub mod presets;
pub mod progress;
mod reads;
pub mod register_admin;
pub mod relink;
pub mod roles;
mod save_form;
mod save_user;
pub mod server_clock;
pub mod services;

mod snapshot;
mod test_email;
pub mod verification;

use std::sync::Arc;

use jiff::Timestamp;

pub use changes::{ChangeWatch, ChangesRead};
pub use delete_user::{delete_user, delete_user_seen};
pub use details::{UserDetails, user_details};
pub use open::{OpenedRegister, open_register};
pub use save_form::{FormSaveError, FormTabs, save_user_form};
pub use save_user::{ChangedElsewhere, SaveUserError, save_user, save_user_over};

pub use relink::{
    NewLinkAnswer, RelinkError, inspect_invitation, relink_by_employee, request_new_link,
};
pub use test_email::{
    SMTP_PASSWORD_ENV, SettingsSaveError, TestEmailReport, remember_smtputf8,
    save_settings_and_password, send_test_email, store_smtp_password,
};
pub use verification::{
    ConfirmError, ConnectionError, DeletedConnection, LinkError, RelinkInvitation, VerifyOutcome,
    confirm_link, delete_connection, inspect_link, reset_password, save_settings, verify_account,
};

use crate::domain::{AuditAction, AuditEntry};
use crate::store::Store;

pub use crate::domain::Clock;
pub use crate::domain::Location;
use crate::store::StoreError;

/// True when an error says the register is damaged (not a database, or
/// rows it cannot read), whichever use case met it: a face treats that as
/// refused input (the CLI's exit code 2), not as a fault of the program.
pub fn says_damaged(error: &(dyn std::error::Error + 'static)) -> bool {
    let damaged = |e: &StoreError| {
        matches!(
            e,
            StoreError::Damaged { .. } | StoreError::NotADatabase { .. }
        )
    };
    error.downcast_ref::<StoreError>().is_some_and(damaged)
        || matches!(
            error.downcast_ref::<ConnectionError>(),
            Some(ConnectionError::Store(e)) if damaged(e)
        )
        || matches!(
            error.downcast_ref::<SaveUserError>(),
            Some(SaveUserError::Store(e)) if damaged(e)
        )
}

/// Keeps a shared register's password in the OS keyring (never in a file or
/// the register), for the next time it is opened.
pub fn remember_shared_password(
    register: &crate::domain::location::SharedRegister,
    password: &str,
) -> Result<(), StoreError> {
    crate::store::remember_shared_password(register, password)
}

/// A time in the OS's time zone, to the minute, with the zone:
/// `2026-11-23 14:05 CET`. Used in messages and pages.
pub fn format_local(at: Timestamp) -> String {
    at.to_zoned(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// An open register and who is working on it.
pub struct Session {
    /// The register: read through [`reads`](self::reads)' methods, written
    /// by the use cases (which keep the audit log).
    store: Store,
    /// The administrator's operating-system user name, written into the audit log.
    pub actor: String,
    /// Who is working: on a shared register the database login (the
    /// session user, which the server proved), on a register file the
    /// operating-system login name. The operator is the HRM user whose
    /// login field it is (see [`operator`]).
    pub login: String,
    /// The clock.
    pub clock: Clock,
    /// The operator as last read, and when (see [`operator::operator`]).
    operator_seen: std::cell::RefCell<Option<Box<operator::OperatorSeen>>>,
}

/// How many times [`Session::write_audited`] runs a write that keeps
/// crossing other programs' writes before it says so.
const CROSSED_TRIES: u64 = 4;

/// An error of a write that tells whether the register rolled it back for
/// crossing another program's write at the same moment
/// ([`StoreError::Crossed`]): such a write is tried again whole.
pub(crate) trait CrossedWrite {
    /// True when the write was rolled back for crossing another.
    fn crossed(&self) -> bool;
}

impl CrossedWrite for StoreError {
    fn crossed(&self) -> bool {
        matches!(self, Self::Crossed)
    }
}

/// `CrossedWrite` for the errors whose register error is `Store(…)`.
macro_rules! crossed_through_store {
    ($($error:ty),* $(,)?) => {$(
        impl CrossedWrite for $error {
            fn crossed(&self) -> bool {
                matches!(self, Self::Store(error) if error.crossed())
            }
        }
    )*};
}

crossed_through_store!(
    verification::ConnectionError,
    test_email::SettingsSaveError,
    account_codes::AccountCodesError,
    save_user::SaveUserError,
    operator::RequireError,
    roles::RolesError,
);

impl CrossedWrite for save_form::FormSaveError {
    fn crossed(&self) -> bool {
        match self {
            Self::User(error) => error.crossed(),
            Self::Roles(error) => error.crossed(),
            Self::AuditRights(error) => error.crossed(),
        }
    }
}

/// Who changes the register and when: the stamp every audit row of one
/// change carries.
pub(crate) struct Stamp {
    /// When the change is made.
    pub(crate) now: Timestamp,
    /// Who makes it (as [`Session::actor`]).
    pub(crate) actor: String,
}

impl Stamp {
    /// An audit row of `action` with this stamp.
    pub(crate) fn entry(&self, action: AuditAction) -> AuditEntry {
        AuditEntry::new(self.now, self.actor.as_str(), action)
    }
}

impl Session {
    /// A session on `store` as the current OS user (and, on a shared
    /// register, the database role), on the system clock.
    pub fn new(store: Store) -> Self {
        let user = whoami::username();
        let actor = match store.database_role() {
            Some(role) if role != user => format!("{user} (database role {role})"),
            _ => user.clone(),
        };
        // On a shared register the name the desktop reports proves nothing
        // (anyone can make a local account with an administrator's name);
        // the database login does.
        let login = store.database_role().map_or(user, str::to_owned);
        Self {
            store,
            actor,
            login,
            clock: Arc::new(Timestamp::now),
            operator_seen: std::cell::RefCell::default(),
        }
    }

    /// Runs `change` in one write transaction with the [`Stamp`] of its
    /// audit rows (who is working, and now): the change and its audit rows
    /// commit together, or neither does. A transaction the shared register
    /// rolled back because it crossed another program's write at the same
    /// moment (an outbox worker recording the same user's message, say) is
    /// run again whole, up to [`CROSSED_TRIES`] times in all.
    pub(crate) fn write_audited<T, E: From<StoreError> + CrossedWrite>(
        &mut self,
        mut change: impl FnMut(&crate::store::WriteTx<'_>, &Stamp) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut tries = 1;
        loop {
            match self.write_audited_once(&mut change) {
                Err(error) if error.crossed() && tries < CROSSED_TRIES => {
                    tracing::info!(tries, "a write crossed another program's; trying it again");
                    std::thread::sleep(std::time::Duration::from_millis(5 * tries));
                    tries += 1;
                }
                other => return other,
            }
        }
    }

    /// [`Self::write_audited`] tried once: for a change that cannot be made
    /// again (an import's planned rows, moved into its transaction).
    pub(crate) fn write_audited_once<T, E: From<StoreError>>(
        &mut self,
        change: impl FnOnce(&crate::store::WriteTx<'_>, &Stamp) -> Result<T, E>,
    ) -> Result<T, E> {
        let stamp = Stamp {
            now: self.now(),
            actor: self.actor.clone(),
        };
        self.store.write(|tx| change(tx, &stamp))
    }

    /// True once a shared register's connection is lost: a session for
    /// work off the UI thread is then opened anew (see [`Session::reopener`]).
    pub fn is_closed(&self) -> bool {
        self.store.is_closed()
    }

    /// A session on the register at `location`, as [`Session::new`].
    pub fn open(location: &Location) -> Result<Self, StoreError> {
        Ok(Self::new(Store::open(location)?))
    }

    /// Opens a session of its own on the same register, as the same
    /// administrator on the same clock, when called: for work on another
    /// thread (opening a shared register's connection takes a round trip,
    /// which a frame must not wait for). An in-memory register (a test's)
    /// cannot be opened twice: the reopener says so rather than opening an
    /// empty one.
    pub fn reopener(&self) -> impl FnOnce() -> Result<Self, StoreError> + Send + 'static {
        let location = self.store.location().clone();
        let actor = self.actor.clone();
        let login = self.login.clone();
        let clock = self.clock.clone();
        move || {
            if location.is_in_memory() {
                return Err(StoreError::Unsupported(
                    "an in-memory register cannot be opened a second time".to_owned(),
                ));
            }
            Ok(Self {
                store: Store::open(&location)?,
                actor,
                login,
                clock,
                operator_seen: std::cell::RefCell::default(),
            })
        }
    }

    /// The store underneath, for tests and benchmarks that arrange a
    /// register's state directly (a delivery half done, a damaged setting).
    /// No face calls it: `tests/layers.rs` checks that only `app` does.
    #[doc(hidden)]
    pub fn store_for_tests(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The time now, by the session's clock.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// True while the register is the generated demo.
    pub fn is_demo(&self) -> Result<bool, StoreError> {
        Ok(self
            .store
            .setting(crate::domain::settings::SettingsRow::DemoRegister)?
            .is_some())
    }
}
