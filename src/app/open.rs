//! Open the register for the window: the given file, the default one, or on
//! the very first run the demo register in a file of its own.

use crate::domain::UserRecord;
use crate::store::Location;
use crate::store::Reads as _;
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
    /// The register's change stamp, read before the users were: the window
    /// fetches what changed after it, so a change made while the users were
    /// being read is not missed.
    pub change_stamp: i64,
    /// User rows that could not be read (damaged or edited by hand): left
    /// out of `users`, named in the log; the window says how many.
    pub damaged_users: usize,
    /// The settings, read with the users (off the UI thread); `None`: the
    /// window reads them itself.
    pub settings: Option<Box<crate::domain::Settings>>,
    /// Who is working and what they may do, read with the users; `None`:
    /// the window reads it itself.
    pub operator: Option<Box<super::operator::Operator>>,
}

/// Registers smaller than this are read on one connection.
const PARALLEL_LOAD_FROM: i64 = 5_000;

/// Every user, read on two connections at once, half of the keys each: on
/// two cores close to half the time of one read. When the second
/// connection cannot be opened or read, its half is read on `store`.
/// Also how many rows could not be read (left out, named in the log).
fn load_all_users(store: &Store) -> Result<(Vec<UserRecord>, usize), StoreError> {
    let (rows, bounds) = store.users_at_a_glance()?;
    let Some((low, high)) = bounds else {
        return Ok((Vec::new(), 0));
    };
    let users = load_users_between(store, low, high)?;
    let damaged = rows.saturating_sub(users.len());
    if damaged > 0 {
        tracing::warn!(
            damaged,
            "user rows that cannot be read are left out of the list"
        );
    }
    Ok((users, damaged))
}

/// The users with keys from `low` to `high` (see [`load_all_users`]).
fn load_users_between(store: &Store, low: i64, high: i64) -> Result<Vec<UserRecord>, StoreError> {
    let location = store.location();
    let in_memory = location.is_in_memory();
    if high - low < PARALLEL_LOAD_FROM || in_memory {
        return store.load_users();
    }
    let middle = low + (high - low) / 2;
    std::thread::scope(|scope| {
        let upper = std::thread::Builder::new()
            .name("load-users".into())
            .spawn_scoped(scope, || {
                Store::open(location)?.load_users_in_key_range(middle + 1, high)
            });
        let mut users = store.load_users_in_key_range(low, middle)?;
        let upper = upper
            .ok()
            .and_then(|handle| handle.join().ok())
            .and_then(Result::ok);
        match upper {
            Some(upper) => users.extend(upper),
            None => users.extend(store.load_users_in_key_range(middle + 1, high)?),
        }
        Ok(users)
    })
}

/// Opens the register at `location` (a file or a shared register), or the
/// default register file. With none named and no default file (the first
/// run), the demo register in its own file, made on first use.
pub fn open_register(location: Option<&Location>) -> Result<OpenedRegister, StoreError> {
    // With nothing named: the default register if there is one, else the
    // demo in its own file (made on first use), never in a real register.
    let default = paths::default_database();
    let demo_file = location.is_none() && !default.exists();
    let store = match location {
        Some(location) => Store::open(location)?,
        None if demo_file => Store::open(paths::demo_database())?,
        None => Store::open(&default)?,
    };
    // The window's own connection runs quick writes on the UI thread: it
    // reports a register locked by a long writer (an import elsewhere)
    // instead of freezing the frame.
    store.set_busy_timeout(WINDOW_BUSY_TIMEOUT)?;
    let mut session = Session::new(store);
    let change_stamp = session.store.last_change_ms()?;
    let (users, damaged_users) = if demo_file && session.store.count_users()? == 0 {
        tracing::info!(
            users = FIRST_RUN_USERS,
            "first run: making the demo register"
        );
        (create_demo_register(&mut session, FIRST_RUN_USERS)?, 0)
    } else {
        load_all_users(&session.store)?
    };
    let is_demo = session.is_demo()?;
    // What the window needs before its first frame, read here so that the
    // window does not wait on a shared register for them.
    let settings = session.load_settings().ok().map(Box::new);
    // (This also starts listening for other programs' changes, so the
    // window's first look for them costs no round trip.)
    let operator = super::operator::operator(&session).ok().map(Box::new);
    Ok(OpenedRegister {
        session,
        users,
        is_demo,
        change_stamp,
        damaged_users,
        settings,
        operator,
    })
}
