//! `idp sync`: every account in the identity provider compared with what the
//! register says it should be, and the differences repaired (or only listed,
//! with `--dry-run`).

use crate::app::Session;
use crate::domain::idp::{Desired, IdpAccount, IdpState, OnDisconnect, ScimUser, desired};
use crate::domain::{AuditAction, AuditEntry, UserKey, UserRecord};
use crate::scim::{ScimClient, ScimError, ScimSetupError, id_of};
use crate::store::Reads as _;
use crate::store::StoreError;

use super::{Pushed, find_existing, parallel_map, take_over};

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
pub(super) struct Planned {
    pub(super) key: UserKey,
    pub(super) user_id: String,
    pub(super) action: SyncAction,
    pub(super) user: Option<ScimUser>,
    pub(super) idp_id: Option<String>,
    pub(super) difference: String,
}

/// Which attributes of `resource` differ from `user`.
pub(super) fn differences(user: &ScimUser, resource: &serde_json::Value) -> String {
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
pub(super) fn plan_sync(
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
pub(super) fn repair(client: &ScimClient, planned: &Planned) -> Result<Pushed, ScimError> {
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
pub(super) fn repair_all(
    client: &ScimClient,
    planned: &[Planned],
    threads: usize,
) -> Vec<Result<Pushed, ScimError>> {
    parallel_map(planned, threads, "scim-sync", |one| repair(client, one))
}
