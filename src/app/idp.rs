//! The user's account in the identity provider: a push is marked in the
//! transaction of the change that causes it ([`mark`]); a worker claims it
//! and [`push`]es the account to what the user is now (active while
//! connected, closed otherwise), looking it up before it makes one, so a
//! retry or a second worker never makes a second account; *Try again*,
//! *Test connection* and the account's state for the form and the CLI.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::domain::idp::{Desired, IdpAccount, IdpState, OnDisconnect, ScimUser, desired};
use crate::domain::{AuditAction, AuditEntry, Settings, UserKey, UserRecord};
use crate::scim::{ScimClient, ScimError, ScimSetupError, ServerFeatures, id_of};
use crate::store::Reads as _;
use crate::store::{IdpClaim, IdpOutcome, IdpRecord, StoreError, WriteTx};

use super::Session;

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

/// What `idp sync` does (or, in a dry run, would do) for one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncAction {
    /// The connected user has no account: it is made.
    Create,
    /// The account differs (address, name, User-ID, inactive): it is corrected.
    Update,
    /// The account is as wanted but the register did not know it: linked.
    Link,
    /// The connection is gone but the account is active: deactivated.
    Deactivate,
    /// The connection is gone and accounts are deleted: deleted.
    Delete,
}

impl SyncAction {
    /// The stable word (`idp sync --json`'s `action`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Link => "link",
            Self::Deactivate => "deactivate",
            Self::Delete => "delete",
        }
    }
}

/// One difference `idp sync` found, and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncLine {
    /// The user's User-ID (or the deleted user's).
    pub user_id: String,
    /// The address the account should have (empty when it is to be closed).
    pub user_name: String,
    /// What is done.
    pub action: SyncAction,
    /// What differs (`userName`, `name`, `active`, …).
    pub difference: String,
    /// `None` in a dry run; the result, or the server's words when refused.
    pub result: Option<Result<String, String>>,
}

/// What `idp sync` found and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// The provider's accounts read.
    pub provider_accounts: usize,
    /// Connected users whose account was already right.
    pub unchanged: usize,
    /// Each difference, by User-ID.
    pub lines: Vec<SyncLine>,
}

/// Why `idp sync` could not run.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No client (off, no token).
    #[error(transparent)]
    Setup(#[from] ScimSetupError),
    /// The provider's users could not be read.
    #[error("{}", t!("idp-test-failed", error = .0.words()))]
    Server(ScimError),
    /// The register.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A planned repair: the user, what to do, and the account it concerns.
struct Planned {
    key: UserKey,
    user_id: String,
    action: SyncAction,
    user: Option<ScimUser>,
    idp_id: Option<String>,
    difference: String,
}

/// Which attributes of `resource` differ from `user`.
fn differences(user: &ScimUser, resource: &serde_json::Value) -> String {
    let text = |pointer: &str| {
        resource
            .pointer(pointer)
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
    };
    let mut names = Vec::new();
    if !text("/userName").eq_ignore_ascii_case(&user.user_name) {
        names.push("userName");
    }
    if text("/externalId") != user.external_id {
        names.push("externalId");
    }
    if text("/name/givenName") != user.given_name || text("/name/familyName") != user.family_name {
        names.push("name");
    }
    if resource
        .pointer("/active")
        .and_then(serde_json::Value::as_bool)
        == Some(false)
    {
        names.push("active");
    }
    names.join(", ")
}

/// Compares the register's users with the provider's accounts and plans
/// the repairs.
fn plan_sync(
    users: &[UserRecord],
    accounts: &std::collections::HashMap<UserKey, IdpAccount>,
    provider: &[serde_json::Value],
    on_disconnect: OnDisconnect,
) -> (Vec<Planned>, usize) {
    use std::collections::HashMap;
    let by_id: HashMap<&str, &serde_json::Value> = provider
        .iter()
        .filter_map(|r| Some((r.get("id")?.as_str()?, r)))
        .collect();
    let by_external: HashMap<&str, &serde_json::Value> = provider
        .iter()
        .filter_map(|r| Some((r.get("externalId")?.as_str()?, r)))
        .collect();
    let by_name: HashMap<String, &serde_json::Value> = provider
        .iter()
        .filter_map(|r| Some((r.get("userName")?.as_str()?.to_lowercase(), r)))
        .collect();
    let mut planned = Vec::new();
    let mut unchanged = 0;
    let close = match on_disconnect {
        OnDisconnect::Deactivate => SyncAction::Deactivate,
        OnDisconnect::Delete => SyncAction::Delete,
    };
    let mut seen = std::collections::HashSet::new();
    let mut consider = |key: UserKey, user_id: String, record: Option<&UserRecord>| {
        let account = accounts.get(&key);
        let kept = account
            .and_then(|a| a.idp_id.as_deref())
            .and_then(|id| by_id.get(id).copied());
        let external = account.map_or(user_id.as_str(), |a| a.external_id.as_str());
        match desired(record) {
            Desired::Active(user) => {
                let found = kept
                    .or_else(|| by_external.get(user.external_id.as_str()).copied())
                    .or_else(|| by_external.get(external).copied())
                    .or_else(|| by_name.get(&user.user_name.to_lowercase()).copied());
                let (action, idp_id, difference) = match found {
                    None => (SyncAction::Create, None, "missing".to_owned()),
                    Some(resource) if !user.matches(resource) => (
                        SyncAction::Update,
                        id_of(resource),
                        differences(&user, resource),
                    ),
                    Some(resource) => {
                        let known = account.is_some_and(|a| {
                            a.state == IdpState::Active && a.idp_id == id_of(resource)
                        });
                        if known {
                            unchanged += 1;
                            return;
                        }
                        (
                            SyncAction::Link,
                            id_of(resource),
                            "unknown to the register".into(),
                        )
                    }
                };
                planned.push(Planned {
                    key,
                    user_id,
                    action,
                    user: Some(user),
                    idp_id,
                    difference,
                });
            }
            Desired::Closed => {
                let found = kept.or_else(|| by_external.get(external).copied());
                let Some(resource) = found else { return };
                let active = resource
                    .pointer("/active")
                    .and_then(serde_json::Value::as_bool)
                    != Some(false);
                if active || close == SyncAction::Delete {
                    planned.push(Planned {
                        key,
                        user_id,
                        action: close,
                        user: None,
                        idp_id: id_of(resource),
                        difference: "no connection".into(),
                    });
                }
            }
        }
    };
    for record in users {
        seen.insert(record.key);
        consider(record.key, record.user.user_id.to_string(), Some(record));
    }
    // Accounts of users deleted since.
    for account in accounts.values().filter(|a| !seen.contains(&a.user_key)) {
        consider(account.user_key, account.external_id.clone(), None);
    }
    planned.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    (planned, unchanged)
}

/// Carries out one planned repair.
fn repair(client: &ScimClient, planned: &Planned) -> Result<Pushed, ScimError> {
    let external_id = planned
        .user
        .as_ref()
        .map_or_else(|| planned.user_id.clone(), |u| u.external_id.clone());
    match (planned.action, &planned.user, &planned.idp_id) {
        (SyncAction::Create, Some(user), _) => match client.create(&user.resource()) {
            Ok(made) => Ok(Pushed {
                state: IdpState::Active,
                idp_id: id_of(&made),
                external_id,
                action: "created",
            }),
            Err(error) if error.is_conflict() || error.answer_lost => {
                let account = IdpAccount {
                    user_key: planned.key,
                    external_id: external_id.clone(),
                    idp_id: None,
                    state: IdpState::None,
                    attempts: 0,
                    last_result: String::new(),
                    since: None,
                };
                match find_existing(client, &account, user)? {
                    Some(found) => take_over(client, &found, user),
                    None => Err(error),
                }
            }
            Err(error) => Err(error),
        },
        (SyncAction::Update, Some(user), Some(id)) => {
            client.patch(id, &user.patch())?;
            Ok(Pushed {
                state: IdpState::Active,
                idp_id: Some(id.clone()),
                external_id,
                action: "changed",
            })
        }
        (SyncAction::Deactivate, _, Some(id)) => {
            client.patch(id, &crate::domain::idp::deactivate_patch())?;
            Ok(Pushed {
                state: IdpState::Deactivated,
                idp_id: Some(id.clone()),
                external_id,
                action: "deactivated",
            })
        }
        (SyncAction::Delete, _, Some(id)) => {
            client.delete(id)?;
            Ok(Pushed {
                state: IdpState::None,
                idp_id: None,
                external_id,
                action: "deleted",
            })
        }
        (_, _, idp_id) => Ok(Pushed {
            state: if planned.user.is_some() {
                IdpState::Active
            } else {
                IdpState::Deactivated
            },
            idp_id: idp_id.clone(),
            external_id,
            action: "linked",
        }),
    }
}

/// `idp sync`: compares the register's users with the provider's accounts
/// (read page by page) and, unless `dry_run`, repairs each difference over
/// `threads` parallel requests: makes the missing, corrects what differs,
/// closes accounts whose connection is gone; each repair is recorded with
/// its History row. The first sync after provisioning is turned on is the
/// initial load.
pub fn sync(session: &mut Session, dry_run: bool, threads: usize) -> Result<SyncReport, SyncError> {
    let settings = session.store.load_settings()?;
    let client = ScimClient::from_settings(&settings.idp)?;
    let provider = client.all_users().map_err(SyncError::Server)?;
    let users = session.store.load_users()?;
    let accounts: std::collections::HashMap<UserKey, IdpAccount> = session
        .store
        .idp_accounts()?
        .into_iter()
        .map(|a| (a.user_key, a))
        .collect();
    let generations: std::collections::HashMap<UserKey, i64> =
        session.store.idp_generations()?.into_iter().collect();
    let (planned, unchanged) = plan_sync(&users, &accounts, &provider, settings.idp.on_disconnect);
    let mut report = SyncReport {
        provider_accounts: provider.len(),
        unchanged,
        lines: Vec::with_capacity(planned.len()),
    };
    if dry_run {
        report.lines = planned
            .into_iter()
            .map(|p| SyncLine {
                user_name: p.user.map(|u| u.user_name).unwrap_or_default(),
                user_id: p.user_id,
                action: p.action,
                difference: p.difference,
                result: None,
            })
            .collect();
        return Ok(report);
    }
    let results = repair_all(&client, &planned, threads);
    let now = session.now();
    let actor = session.actor.clone();
    let mut records = Vec::with_capacity(planned.len());
    for (planned, result) in planned.iter().zip(results) {
        let generation = generations.get(&planned.key).copied().unwrap_or(0);
        let (state, idp_id, external_id, words, ok) = match &result {
            Ok(pushed) => (
                pushed.state,
                pushed.idp_id.clone(),
                pushed.external_id.clone(),
                pushed.action.to_owned(),
                true,
            ),
            Err(error) => (
                IdpState::Failed,
                None,
                planned.user_id.clone(),
                error.words(),
                false,
            ),
        };
        let action = if ok {
            AuditAction::IdpPushed
        } else {
            AuditAction::IdpFailed
        };
        records.push(crate::store::IdpSyncRecord {
            user_key: planned.key,
            external_id,
            idp_id: idp_id.clone(),
            state,
            result: words.clone(),
            generation,
            audit: Some(
                AuditEntry::new(now, format!("{actor} (idp sync)"), action)
                    .about(planned.key, planned.user_id.clone())
                    .after(
                        serde_json::json!({
                            "result": words,
                            "idp_state": state.code(),
                            "idp_id": idp_id,
                            "difference": planned.difference,
                        })
                        .to_string(),
                    ),
            ),
        });
        report.lines.push(SyncLine {
            user_id: planned.user_id.clone(),
            user_name: planned
                .user
                .as_ref()
                .map(|u| u.user_name.clone())
                .unwrap_or_default(),
            action: planned.action,
            difference: planned.difference.clone(),
            result: Some(if ok { Ok(words) } else { Err(words) }),
        });
    }
    for chunk in records.chunks(1_000) {
        session.store.write(|tx| tx.record_idp_sync(chunk, now))?;
    }
    Ok(report)
}

/// Carries out the repairs over `threads` parallel requests, in order.
fn repair_all(
    client: &ScimClient,
    planned: &[Planned],
    threads: usize,
) -> Vec<Result<Pushed, ScimError>> {
    parallel_map(planned, threads, "scim-sync", |one| repair(client, one))
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
