//! The form's work on the register — *Save*, *Delete user*, *Verify
//! account*, *Reset password*, *Try again* and *Delete connection* — as
//! jobs: done at once on
//! a register file, and on a shared register off the UI thread (see
//! `background`), with what the form shows next read in the same job.

use crate::app::operator::Operator;
use crate::app::{self, ConnectionError, FormSaveError, Session, UserDetails, VerifyOutcome};
use crate::domain::{UserDraft, UserKey, UserRecord};

use super::Intent;

/// Work the form hands over.
pub(super) enum Job {
    /// Save the form, then do what follows.
    Save(Box<SaveJob>),
    /// A connection button of the form, for this user.
    Connection(UserKey, ConnectionJob),
    /// *Delete user* (`base`: unless someone changed them since the form
    /// showed these fields).
    DeleteUser {
        /// The user.
        key: UserKey,
        /// The fields as the form opened them.
        base: Option<Box<UserDraft>>,
    },
    /// *Make me System administrator* (not the form's, but a write the
    /// same way).
    MakeMeSystemAdministrator,
}

/// The form's Save.
pub(super) struct SaveJob {
    /// The stored user (`None`: a new one).
    pub key: Option<UserKey>,
    /// The fields as edited.
    pub draft: UserDraft,
    /// The fields as the form opened them (`None`: save whatever changed
    /// elsewhere meanwhile).
    pub base: Option<UserDraft>,
    /// The tabs that changed.
    pub tabs: app::FormTabs,
    /// What follows a Save that landed.
    pub then: AfterSave,
}

/// A connection button.
pub(super) enum ConnectionJob {
    /// *Verify account* (or *Send again*).
    Verify,
    /// *Reset password*.
    ResetPassword,
    /// *Try again* for the identity provider.
    RetryPush,
    /// *Delete connection*, for the user titled so.
    Delete(String),
}

/// What follows a Save that landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum AfterSave {
    /// Nothing more.
    Nothing,
    /// Go where the administrator asked (after *Save* in Unsaved changes).
    Go(Intent),
    /// *Verify account* for the saved user.
    Verify,
}

/// A user as the register has them after the work, with their details.
pub(super) type Reread = Option<(UserRecord, UserDetails)>;

/// The user as saved and the operator read again; or why nothing was saved.
pub(super) type SaveResult = Result<(UserRecord, Option<Operator>), FormSaveError>;

/// What a job did.
pub(super) enum Done {
    /// *Delete user*: done (or the user was gone already), or why not.
    Deleted {
        /// The user.
        key: UserKey,
        /// The outcome.
        result: Result<(), app::SaveUserError>,
    },
    /// The Save: the user as saved and the operator read again (their own
    /// roles may have changed); or why nothing was saved.
    Saved {
        /// The outcome.
        result: Box<SaveResult>,
        /// What follows when it landed.
        then: AfterSave,
    },
    /// A connection button: the sentence for the status line (or the
    /// error), and the user as they are now.
    Connection {
        /// What to say.
        result: Result<String, ConnectionError>,
        /// The user and details read after it.
        now: Box<Reread>,
    },
    /// *Make me System administrator*: the User-ID given the role and the
    /// operator read after it, or why not.
    MadeSystemAdministrator(Result<(String, Option<Box<Operator>>), String>),
}

/// Does `job` on `session` (the window's own on a register file, a session
/// of its own off the UI thread on a shared register).
pub(super) fn run(session: &mut Session, job: Job) -> Done {
    match job {
        Job::Save(job) => {
            let SaveJob {
                key,
                draft,
                base,
                tabs,
                then,
            } = *job;
            // The operator again: their own roles may have changed (kept
            // while nothing did, so usually no read).
            let result = app::save_user_form(session, key, &draft, base.as_ref(), tabs)
                .map(|record| (record, app::operator::operator(session).ok()));
            Done::Saved {
                result: Box::new(result),
                then,
            }
        }
        Job::MakeMeSystemAdministrator => Done::MadeSystemAdministrator(
            app::roles::make_me_system_administrator(session)
                .map(|record| {
                    let operator = app::operator::operator(session).ok().map(Box::new);
                    (record.user.user_id.to_string(), operator)
                })
                .map_err(|error| error.to_string()),
        ),
        Job::DeleteUser { key, base } => {
            let result = match base {
                Some(base) => app::delete_user_seen(session, key, &base),
                None => app::delete_user(session, key),
            };
            Done::Deleted { key, result }
        }
        Job::Connection(key, job) => {
            let result = connection(session, key, job);
            let now = match session.user(key) {
                Ok(Some(record)) => {
                    let details = app::user_details(session, key).unwrap_or_default();
                    Some((record, details))
                }
                _ => None,
            };
            Done::Connection {
                result,
                now: Box::new(now),
            }
        }
    }
}

/// Does a connection button's work; the sentence the status line says.
fn connection(
    session: &mut Session,
    key: UserKey,
    job: ConnectionJob,
) -> Result<String, ConnectionError> {
    match job {
        ConnectionJob::Verify => app::verify_account(session, key).map(|outcome| match outcome {
            VerifyOutcome::Queued(email) => {
                t!("status-verification-queued", email = email.to_string())
            }
            VerifyOutcome::ConnectedByDomain(email) => {
                t!("status-connected-by-domain", email = email.to_string())
            }
        }),
        ConnectionJob::ResetPassword => app::reset_password(session, key)
            .map(|email| t!("status-reset-queued", email = email.to_string())),
        ConnectionJob::RetryPush => app::idp::try_again(session, key)
            .map(|_| t!("status-idp-try-again"))
            .map_err(ConnectionError::from),
        ConnectionJob::Delete(title) => {
            app::delete_connection(session, key).map(|deleted| match deleted.invitation {
                app::RelinkInvitation::NotSent => t!("status-connection-deleted", user = &title),
                app::RelinkInvitation::Queued(email) => t!(
                    "status-connection-deleted-invited",
                    user = &title,
                    address = email.to_string()
                ),
                app::RelinkInvitation::NoEmail => {
                    t!("status-connection-deleted-no-email", user = &title)
                }
            })
        }
    }
}
