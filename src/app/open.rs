//! Open the register for the window: the given file, or the default one,
//! which on the very first run is made as a demo register.

use crate::store::Location;

use crate::domain::UserRecord;
use crate::store::{Store, StoreError};

use super::demo::{FIRST_RUN_USERS, create_demo_register};
use super::{Session, paths};

/// How long the window's connection waits for another writer.
const WINDOW_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// An open register and its users.
pub struct OpenedRegister {
    /// The session on it.
    pub session: Session,
    /// Every user.
    pub users: Vec<UserRecord>,
    /// True when the register is the generated demo.
    pub is_demo: bool,
}

/// Opens the register at `location` (a file or a shared register), or the
/// default register file. With none named and no default file yet (the
/// first run), the default is created as a demo register.
pub fn open_register(location: Option<&Location>) -> Result<OpenedRegister, StoreError> {
    let default = paths::default_database();
    let first_run = location.is_none() && !default.exists();
    let store = match location {
        Some(location) => Store::open(location)?,
        None => Store::open(&default)?,
    };
    // The window's own connection runs quick writes on the UI thread: it
    // reports a register locked by a long writer (an import elsewhere)
    // instead of freezing the frame.
    store.set_busy_timeout(WINDOW_BUSY_TIMEOUT)?;
    let mut session = Session::new(store);
    let users = if first_run && session.store.count_users()? == 0 {
        tracing::info!(
            users = FIRST_RUN_USERS,
            "first run: making the demo register"
        );
        create_demo_register(&mut session, FIRST_RUN_USERS)?
    } else {
        session.store.load_users()?
    };
    let is_demo = session.is_demo()?;
    Ok(OpenedRegister {
        session,
        users,
        is_demo,
    })
}
