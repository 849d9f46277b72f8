//! The user's account in the identity provider: a push is marked in the
//! transaction of the change that causes it ([`mark`]); a worker claims it
//! and [`push`]es the account to what the user is now (active while
//! connected, closed otherwise), looking it up before it makes one, so a
//! retry or a second worker never makes a second account; *Try again*,
//! *Test connection* and the account's state for the form and the CLI.
//! `idp sync` is `sync`.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::domain::idp::{Desired, IdpAccount, IdpState, OnDisconnect, ScimUser, desired};
use crate::domain::{AuditAction, AuditEntry, Settings, UserKey, UserRecord};
use crate::scim::{ScimClient, ScimError, ScimSetupError, ServerFeatures, id_of};
use crate::store::Reads as _;
use crate::store::{IdpClaim, IdpOutcome, IdpRecord, StoreError, WriteTx};

use super::Session;

mod sync;

pub use sync::{SyncAction, SyncError, SyncLine, SyncReport, sync};

/// Keeps the identity provider's bearer token (or, with client
/// credentials, the client secret) in the OS keyring, never in the register.
pub fn store_secret(settings: &crate::domain::idp::IdpSettings, value: &str) -> Result<(), String> {
    crate::scim::store_secret(settings, value)
}

/// Who the audit log names for what the pushes do.
pub const PUSH_ACTOR: &str = "identity provider push";

/// Tries of a push the server keeps failing before it counts as failed.
pub const MAX_ATTEMPTS: u32 = 8;
/// Pause before the first retry; doubled for each further one.
pub const RETRY_BASE: Duration = Duration::from_secs(10);
/// Longest pause between retries.
pub const RETRY_MAX: Duration = Duration::from_mins(30);

/// Marks, in the change's own transaction, that `key`'s account should
/// follow the user as they are after it; nothing while provisioning is off.
pub fn mark(
    tx: &WriteTx<'_>,
    settings: &Settings,
    key: UserKey,
    now: Timestamp,
) -> Result<(), StoreError> {
    if settings.idp.is_on() {
        tx.mark_idp_push(key, now)?;
    }
    Ok(())
}

/// What a push did at the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pushed {
    /// The account's state now.
    pub state: IdpState,
    /// The provider's id (none once deleted or when there was none).
    pub idp_id: Option<String>,
    /// The User-ID the account carries.
    pub external_id: String,
    /// What was done: `created`, `linked`, `changed`, `unchanged`,
    /// `deactivated`, `deleted`, `none`.
    pub action: &'static str,
}

/// Finds the account of a user: by the User-ID it carries (now, or as last
/// pushed), then by the address.
fn find_existing(
    client: &ScimClient,
    account: &IdpAccount,
    user: &ScimUser,
) -> Result<Option<serde_json::Value>, ScimError> {
    let mut ids = vec![user.external_id.as_str()];
    if !account.external_id.is_empty() && account.external_id != user.external_id {
        ids.push(account.external_id.as_str());
    }
    for id in ids {
        if let Some(found) = client.find("externalId", id)? {
            return Ok(Some(found));
        }
    }
    client.find("userName", &user.user_name)
}

/// Makes `resource` (an existing account) this user's, active.
fn take_over(
    client: &ScimClient,
    resource: &serde_json::Value,
    user: &ScimUser,
) -> Result<Pushed, ScimError> {
    let id = id_of(resource);
    if let Some(id) = &id
        && !user.matches(resource)
    {
        client.patch(id, &user.patch())?;
    }
    Ok(Pushed {
        state: IdpState::Active,
        idp_id: id,
        external_id: user.external_id.clone(),
        action: "linked",
    })
}

fn activate(
    client: &ScimClient,
    account: &IdpAccount,
    user: &ScimUser,
) -> Result<Pushed, ScimError> {
    if let Some(id) = &account.idp_id
        && client.patch(id, &user.patch())?
    {
        return Ok(Pushed {
            state: IdpState::Active,
            idp_id: Some(id.clone()),
            external_id: user.external_id.clone(),
            action: "changed",
        });
    }
    // No account known, or it was removed at the provider: look before making one.
    if let Some(found) = find_existing(client, account, user)? {
        return take_over(client, &found, user);
    }
    match client.create(&user.resource()) {
        Ok(made) => Ok(Pushed {
            state: IdpState::Active,
            idp_id: id_of(&made),
            external_id: user.external_id.clone(),
            action: "created",
        }),
        // Made meanwhile (by an earlier try whose answer was lost, or by
        // someone else): the one there is taken over, never a second one.
        Err(error) if error.is_conflict() || error.answer_lost => {
            match find_existing(client, account, user)? {
                Some(found) => take_over(client, &found, user),
                None => Err(error),
            }
        }
        Err(error) => Err(error),
    }
}

fn close(
    client: &ScimClient,
    account: &IdpAccount,
    on_disconnect: OnDisconnect,
) -> Result<Pushed, ScimError> {
    let none = |action| Pushed {
        state: IdpState::None,
        idp_id: None,
        external_id: account.external_id.clone(),
        action,
    };
    let id = match &account.idp_id {
        Some(id) => Some(id.clone()),
        None if account.external_id.is_empty() => None,
        None => client
            .find("externalId", &account.external_id)?
            .as_ref()
            .and_then(id_of),
    };
    let Some(id) = id else {
        return Ok(none("none"));
    };
    match on_disconnect {
        OnDisconnect::Deactivate => {
            if client.patch(&id, &crate::domain::idp::deactivate_patch())? {
                Ok(Pushed {
                    state: IdpState::Deactivated,
                    idp_id: Some(id),
                    external_id: account.external_id.clone(),
                    action: "deactivated",
                })
            } else {
                Ok(none("none"))
            }
        }
        OnDisconnect::Delete => {
            client.delete(&id)?;
            Ok(none("deleted"))
        }
    }
}

/// Brings the provider's account of `account`'s user to what `record` (the
/// user now; `None` once deleted) wants: active with their attributes while
/// connected, else deactivated or deleted per `on_disconnect`.
pub fn push(
    client: &ScimClient,
    account: &IdpAccount,
    record: Option<&UserRecord>,
    on_disconnect: OnDisconnect,
) -> Result<Pushed, ScimError> {
    match desired(record) {
        Desired::Active(user) => activate(client, account, &user),
        Desired::Closed => close(client, account, on_disconnect),
    }
}

/// What recording a push's result writes: the outcome (done, retry at a
/// later time, or failed for good) and its History row.
pub fn push_record(
    claim: &IdpClaim,
    user_id: &str,
    result: Result<Pushed, ScimError>,
    now: Timestamp,
) -> IdpRecord {
    let audit = |action, after: serde_json::Value| {
        AuditEntry::new(now, PUSH_ACTOR, action)
            .about(claim.account.user_key, user_id.to_owned())
            .after(after.to_string())
    };
    match result {
        Ok(pushed) => IdpRecord {
            user_key: claim.account.user_key,
            generation: claim.generation,
            result: pushed.action.to_owned(),
            audit: (pushed.action != "none").then(|| {
                audit(
                    AuditAction::IdpPushed,
                    serde_json::json!({
                        "result": pushed.action,
                        "idp_state": pushed.state.code(),
                        "idp_id": pushed.idp_id,
                    }),
                )
            }),
            outcome: IdpOutcome::Done {
                state: pushed.state,
                idp_id: pushed.idp_id,
                external_id: pushed.external_id,
            },
        },
        Err(error) if error.is_transient() && claim.account.attempts < MAX_ATTEMPTS => {
            let pause = crate::domain::idp::retry_pause(
                claim.account.attempts,
                RETRY_BASE,
                RETRY_MAX,
                error.retry_after,
            );
            IdpRecord {
                user_key: claim.account.user_key,
                generation: claim.generation,
                result: error.words(),
                audit: None,
                outcome: IdpOutcome::Retry {
                    next_at: now + SignedDuration::try_from(pause).unwrap_or_default(),
                },
            }
        }
        Err(error) => {
            let words = if error.is_transient() {
                t!(
                    "idp-gave-up",
                    attempts = claim.account.attempts.to_string(),
                    error = error.words()
                )
            } else {
                error.words()
            };
            IdpRecord {
                user_key: claim.account.user_key,
                generation: claim.generation,
                audit: Some(audit(
                    AuditAction::IdpFailed,
                    serde_json::json!({ "result": words }),
                )),
                result: words,
                outcome: IdpOutcome::Failed,
            }
        }
    }
}

/// Pushes `claims` over `threads` parallel requests (each claim's user as
/// `users` has them now), and returns what to record, in claim order.
pub fn push_all(
    client: &ScimClient,
    claims: &[IdpClaim],
    users: &std::collections::HashMap<UserKey, UserRecord, impl std::hash::BuildHasher + Sync>,
    on_disconnect: OnDisconnect,
    threads: usize,
    clock: &crate::domain::Clock,
) -> Vec<IdpRecord> {
    parallel_map(claims, threads, "scim-push", |claim| {
        let record = users.get(&claim.account.user_key);
        let user_id = record.map_or_else(
            || claim.account.external_id.clone(),
            |r| r.user.user_id.to_string(),
        );
        let result = push(client, &claim.account, record, on_disconnect);
        push_record(claim, &user_id, result, clock())
    })
}

/// `work` on each of `items` over `threads` named threads, the answers in
/// the items' order (the pushes and the sync's repairs: one request each).
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    name: &str,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.clamp(1, 64).min(items.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done = std::sync::Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        for n in 0..threads {
            let (next, done, work) = (&next, &done, &work);
            let spawned = std::thread::Builder::new()
                .name(format!("{name}-{n}"))
                .spawn_scoped(scope, move || {
                    loop {
                        let index = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let Some(item) = items.get(index) else { break };
                        let answer = work(item);
                        if let Ok(mut done) = done.lock() {
                            done.push((index, answer));
                        }
                    }
                });
            if let Err(error) = spawned {
                tracing::error!("could not start a {name} thread: {error}");
            }
        }
    });
    let mut done = done
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, answer)| answer).collect()
}

/// *Try again* on a failed push: it is wanted anew, now.
pub fn try_again(session: &mut Session, key: UserKey) -> Result<bool, StoreError> {
    let now = session.now();
    session.store.write(|tx| tx.retry_idp_push(key, now))
}

/// A user's account at the provider, as the register has it.
pub fn account(session: &Session, key: UserKey) -> Result<Option<IdpAccount>, StoreError> {
    session.store.idp_account(key)
}

/// Every account the register knows of.
pub fn accounts(session: &Session) -> Result<Vec<IdpAccount>, StoreError> {
    session.store.idp_accounts()
}

/// What *Test connection* found.
#[derive(Debug, thiserror::Error)]
pub enum TestError {
    /// No client could be made (off, no token).
    #[error(transparent)]
    Setup(#[from] ScimSetupError),
    /// The server answered with an error, or not at all.
    #[error("{}", t!("idp-test-failed", error = .0.words()))]
    Server(ScimError),
}

/// *Test connection*: reads `/ServiceProviderConfig` and `/Schemas` and
/// says what the server supports.
pub fn test_connection(settings: &Settings) -> Result<ServerFeatures, TestError> {
    let client = ScimClient::from_settings(&settings.idp)?;
    client.features().map_err(TestError::Server)
}

/// The words for what a server supports, for the window and `idp status`.
pub fn describe_features(features: &ServerFeatures) -> String {
    let yes_no = |b: bool| if b { t!("idp-yes") } else { t!("idp-no") };
    t!(
        "idp-features",
        patch = yes_no(features.patch),
        filter = yes_no(features.filter),
        bulk = features
            .bulk
            .map_or_else(|| t!("idp-no"), |n| n.to_string()),
        etag = yes_no(features.etag),
        schema = yes_no(features.user_schema)
    )
}

/// `idp status`: the server, what it supports (or why it cannot be read),
/// and how many accounts are in each state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdpStatus {
    /// `off` or `scim`.
    pub provisioning: &'static str,
    /// The SCIM endpoint.
    pub server: String,
    /// What the server supports, or why it could not be asked.
    pub features: Result<ServerFeatures, String>,
    /// Per state (`IdpState::ALL`'s order), how many users.
    pub counts: Vec<(IdpState, usize)>,
}

/// Reads [`IdpStatus`]: connected users with no account row count as `none`.
pub fn status(session: &Session) -> Result<IdpStatus, StoreError> {
    let settings = session.store.load_settings()?;
    let accounts = session.store.idp_accounts()?;
    let users = session.store.count_users()?;
    let mut counts: Vec<(IdpState, usize)> = IdpState::ALL.iter().map(|s| (*s, 0)).collect();
    for account in &accounts {
        if let Some((_, n)) = counts.iter_mut().find(|(s, _)| *s == account.state) {
            *n += 1;
        }
    }
    let with_rows = accounts.len();
    if let Some((_, none)) = counts.iter_mut().find(|(s, _)| *s == IdpState::None) {
        *none += users.saturating_sub(with_rows);
    }
    let features = if settings.idp.is_on() {
        test_connection(&settings).map_err(|e| e.to_string())
    } else {
        Err(ScimSetupError::Off.to_string())
    };
    Ok(IdpStatus {
        provisioning: settings.idp.provisioning.code(),
        server: settings.idp.scim_base_url.clone(),
        features,
        counts,
    })
}
