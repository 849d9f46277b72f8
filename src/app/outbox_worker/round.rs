//! A round of the worker: take back what the gone left, apply the leaver rule,
//! push the identity provider's accounts, claim what is due, check each is
//! still wanted, make its link and message, and hand them to the sessions.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use lettre::Message;

use crate::app::format_local;
use crate::app::link_token::new_token;
use crate::domain::message::TemplateValues;
use crate::domain::settings::MessageTexts;
use crate::domain::{
    Connection, DeliveryState, MessageKind, OutboxId, OutboxMessage, Settings, UserKey, UserRecord,
};
use crate::mail::{SendFailure, Transport, compose, password};
use crate::scim::ScimClient;
use crate::store::Reads as _;
use crate::store::{NewToken, Store, StoreError, TokenPurpose, WriteTx};

use super::feed::Feed;
use super::{
    OutboxWorker, Recorder, Step, WorkerError, WorkerOptions, lease_span, lock, with_retry,
};

/// A message ready to hand over: its row and what fills its template. The
/// session that sends it composes it, so the sessions compose in parallel
/// while others wait on the server, and the next round's register work does
/// not wait for 200 messages to be encoded one after another.
pub(super) struct Ready {
    /// The outbox row as claimed (this worker holds it).
    pub(super) claimed: OutboxMessage,
    /// The template's values (the message is addressed to `values.name`).
    pub(super) values: TemplateValues,
}

/// The subjects and bodies of each kind of message, as the settings say.
pub(super) struct Texts {
    verification: MessageTexts,
    reset: MessageTexts,
    relink: MessageTexts,
}

impl Texts {
    /// The texts `settings` give each kind, read once per round.
    pub(super) fn of(settings: &Settings) -> Self {
        Self {
            verification: settings.verification_texts(),
            reset: settings.reset_texts(),
            relink: settings.relink_texts(),
        }
    }

    fn of_kind(&self, kind: MessageKind) -> &MessageTexts {
        match kind {
            MessageKind::Verification => &self.verification,
            MessageKind::PasswordReset => &self.reset,
            MessageKind::RelinkInvitation => &self.relink,
        }
    }

    /// The message `ready` stands for, or why it cannot be made (a failure
    /// that no retry mends).
    pub(super) fn compose(
        &self,
        settings: &Settings,
        ready: &Ready,
    ) -> Result<Message, SendFailure> {
        let texts = self.of_kind(ready.claimed.kind);
        compose(
            settings,
            &ready.values.name,
            &ready.claimed.recipient,
            &texts.subject,
            &texts.body,
            &ready.values,
            &ready.claimed.message_id,
        )
        .map_err(|error| SendFailure {
            transient: false,
            reply: error.to_string(),
            answer_lost: false,
        })
    }
}

/// Identity provider pushes claimed at once.
pub(super) const IDP_BATCH: usize = 200;
/// Parallel requests to the identity provider.
pub(super) const IDP_PARALLEL: usize = 8;

/// The SCIM client for the current identity provider settings, made anew
/// when they change (the token is read again then).
pub(super) fn current_scim<'a>(
    cached: &'a mut Option<(crate::domain::idp::IdpSettings, ScimClient)>,
    settings: &crate::domain::idp::IdpSettings,
) -> Result<&'a ScimClient, crate::scim::ScimSetupError> {
    if !matches!(cached, Some((s, _)) if s == settings) {
        *cached = None;
        *cached = Some((settings.clone(), ScimClient::from_settings(settings)?));
    }
    cached
        .as_ref()
        .map(|(_, client)| client)
        .ok_or(crate::scim::ScimSetupError::Off)
}

impl OutboxWorker {
    /// Applies the leaver rule when due, pushes the identity provider's
    /// accounts that wait, then sends every message due now; returns how
    /// many messages and pushes were handled.
    pub fn run_once(&mut self) -> Result<usize, WorkerError> {
        self.lock_store().reconnect_if_lost()?;
        self.take_back_from_the_gone()?;
        let now = (self.clock)();
        self.apply_leaver_rule_when_due(now);
        let lease_until = now + lease_span(&self.options);
        let settings = self.lock_store().load_settings()?;
        let pushed = self.push_accounts(&settings, now, lease_until)?;
        let (count, ready) =
            claim_and_prepare(&self.store, &self.id, &self.options, &settings, now)?;
        if count == 0 {
            return Ok(pushed);
        }
        let sessions = settings.smtp_sessions.max(1);
        let pause = pacing_pause(&settings);
        match current_transport(
            &mut self.transport,
            &crate::app::paths::folder_anchor(&self.register),
            &settings,
        ) {
            Ok((transport, rebuilt)) => {
                if rebuilt || self.sessions.len() != sessions {
                    self.sessions = (0..sessions).map(|_| transport.session()).collect();
                }
            }
            Err(error) => {
                // Nothing was handed over: queue them again for a later round.
                let reply = error.to_string();
                let retry =
                    now + SignedDuration::try_from(self.options.retry_base).unwrap_or_default();
                self.lock_store().write_outbox(|tx| {
                    for item in &ready {
                        tx.record_delivery(
                            item.claimed.id,
                            DeliveryState::Queued,
                            &reply,
                            Some(retry),
                            now,
                        )?;
                    }
                    Ok::<_, StoreError>(())
                })?;
                return Err(error);
            }
        }
        let more_due = count >= self.options.batch;
        let (untouched, topped_up) = self.send_all(&settings, ready, pause, more_due);
        let count = count + topped_up + pushed;
        // Stopped early: what no session took goes back to the queue as it was.
        if !untouched.is_empty() {
            self.lock_store().write_outbox(|tx| {
                for id in &untouched {
                    tx.unclaim(*id)?;
                }
                Ok::<_, StoreError>(())
            })?;
        }
        Ok(count)
    }

    /// Pushes up to [`IDP_BATCH`] accounts that wait for the identity
    /// provider, over parallel requests, and records the answers (only
    /// while this worker still holds them). Nothing while provisioning is
    /// off; a missing token is logged and the pushes wait.
    pub(super) fn push_accounts(
        &mut self,
        settings: &Settings,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<usize, WorkerError> {
        if !settings.idp.is_on() || !self.lock_store().has_due_idp_push(now)? {
            return Ok(0);
        }
        if let Err(error) = current_scim(&mut self.scim, &settings.idp) {
            tracing::warn!("identity provider pushes wait: {error}");
            return Ok(0);
        }
        let Some((_, client)) = &self.scim else {
            return Ok(0);
        };
        let claims = self
            .lock_store()
            .write_outbox(|tx| tx.claim_idp_due(&self.id, now, lease_until, IDP_BATCH))?;
        if claims.is_empty() {
            return Ok(0);
        }
        let keys: Vec<UserKey> = claims.iter().map(|c| c.account.user_key).collect();
        let users: HashMap<UserKey, UserRecord> = self
            .lock_store()
            .users_by_keys(&keys)?
            .into_iter()
            .map(|record| (record.key, record))
            .collect();
        let records = crate::app::idp::push_all(
            client,
            &claims,
            &users,
            settings.idp.on_disconnect,
            IDP_PARALLEL,
            &self.clock,
        );
        let recorded_at = (self.clock)();
        with_retry(&self.stopping, || {
            lock(&self.store)
                .write_outbox(|tx| tx.record_idp_results(&self.id, &records, recorded_at))
        })?;
        Ok(claims.len())
    }

    /// Hands `ready` to the sessions in parallel. A session hands in the
    /// server's answer to record, and asks for the next message to be marked
    /// handed over as it starts on it, waiting just before its content goes
    /// out until that is committed (a mark whose content never went out
    /// flags at most that one message after a crash). This thread commits
    /// what all sessions handed in meanwhile in one transaction, in order
    /// (a group commit): so when a mark is
    /// confirmed, the session's previous answer is recorded, and no session
    /// ever has more than one message whose content went out unrecorded.
    /// While more may be due (`more_due`: the last claim took a whole
    /// batch) and few messages are left for the sessions, this thread claims
    /// the next ones between two groups (for up to [`TOP_UP_FOR`]), so the
    /// sessions keep sending while it does. Returns the messages no session
    /// took (when stopping) and how many more were claimed.
    pub(super) fn send_all(
        &mut self,
        settings: &Settings,
        ready: Vec<Ready>,
        pause: Option<Duration>,
        more_due: bool,
    ) -> (Vec<OutboxId>, usize) {
        let feed = Feed::new(ready);
        let texts = &Texts::of(settings);
        let sessions = self.sessions.len();
        let recorder = Recorder {
            store: &self.store,
            owner: &self.id,
            clock: &self.clock,
            options: &self.options,
            stopping: &self.stopping,
        };
        let stopping = &*self.stopping;
        let started = Instant::now();
        let mut topped_up = 0;
        // Once closed, a session that finds the feed empty ends. An open
        // feed is never left empty with no message at a session (nothing
        // would come to record, and the sessions would wait for good): each
        // group that leaves it low claims more or closes it.
        let mut top_up = |failed: bool| {
            let Some(waiting) = feed.waiting_while_open() else {
                return;
            };
            if failed || stopping.load(Ordering::SeqCst) || started.elapsed() > TOP_UP_FOR {
                feed.close();
                return;
            }
            if waiting >= sessions * 2 {
                return;
            }
            // A whole batch no longer wanted (all cancelled) is claimed past.
            loop {
                let now = (self.clock)();
                match claim_and_prepare(&self.store, &self.id, &self.options, settings, now) {
                    Ok((claimed, ready)) => {
                        topped_up += claimed;
                        let found = !ready.is_empty();
                        feed.top_up(ready);
                        if claimed < self.options.batch {
                            feed.close();
                            break;
                        }
                        if found {
                            break;
                        }
                    }
                    Err(error) => {
                        tracing::warn!("claiming more messages failed: {error}");
                        feed.close();
                        break;
                    }
                }
            }
        };
        if !more_due {
            feed.close();
        } else if feed.waiting_while_open() == Some(0) {
            top_up(false);
        }
        let (steps, asked) = mpsc::channel::<(Step, Option<mpsc::Sender<bool>>)>();
        std::thread::scope(|scope| {
            for (n, session) in self.sessions.iter_mut().enumerate() {
                let feed = &feed;
                let steps = steps.clone();
                let spawned = std::thread::Builder::new()
                    .name(format!("smtp-session-{n}"))
                    .spawn_scoped(scope, move || {
                        let (reply, replied) = mpsc::channel::<bool>();
                        while let Some(item) = feed.take(stopping) {
                            let result = texts.compose(settings, &item).and_then(|message| {
                                // Asked as the session starts on the message,
                                // awaited just before its content goes out:
                                // the commit overlaps the envelope's exchange.
                                let asked = steps
                                    .send((Step::HandOver(item.claimed.id), Some(reply.clone())))
                                    .is_ok();
                                let mut answer = None;
                                let result = session.send(&message, &mut || {
                                    *answer.get_or_insert_with(|| {
                                        asked && replied.recv().unwrap_or(false)
                                    })
                                });
                                // The server refused before the content: the
                                // answer is still read, so the next one is
                                // the next message's.
                                if answer.is_none() && asked {
                                    let _ = replied.recv();
                                }
                                result
                            });
                            // Recorded before this session's next mark is
                            // confirmed; meanwhile it starts the next message.
                            let _ =
                                steps.send((Step::Record((Box::new(item.claimed), result)), None));
                            if let Some(pause) = pause {
                                std::thread::sleep(pause * u32::try_from(sessions).unwrap_or(1));
                            }
                        }
                    });
                if let Err(error) = spawned {
                    tracing::error!("could not start an SMTP session thread: {error}");
                }
            }
            drop(steps);
            recorder.commit_steps(&asked, &mut top_up);
        });
        let untouched = feed
            .into_rest()
            .into_iter()
            .map(|item| item.claimed.id)
            .collect();
        (untouched, topped_up)
    }
}

/// How long a round keeps claiming more messages for its sessions before it
/// ends, so that the round's other duties (taking back what the gone left,
/// the leaver rule, the identity provider's pushes, new settings) wait no
/// longer than this during a long send.
const TOP_UP_FOR: Duration = Duration::from_secs(1);

/// Claims up to a batch of the messages due at `now` under a new lease, and
/// makes them ready to send (those no longer wanted are cancelled): how
/// many were claimed, and those ready.
fn claim_and_prepare(
    store: &Mutex<Store>,
    owner: &str,
    options: &WorkerOptions,
    settings: &Settings,
    now: Timestamp,
) -> Result<(usize, Vec<Ready>), StoreError> {
    let lease_until = now + lease_span(options);
    let mut store = lock(store);
    let claimed = store.write_outbox(|tx| tx.claim_due(owner, now, lease_until, options.batch))?;
    let count = claimed.len();
    if count == 0 {
        return Ok((0, Vec::new()));
    }
    let ready = store.write_outbox(|tx| prepare(tx, settings, claimed, now))?;
    Ok((count, ready))
}

/// The transport for the current settings, made anew when they (or the
/// password) change.
pub(super) fn current_transport<'a>(
    cached: &'a mut Option<(Settings, Option<String>, Transport)>,
    register: &Path,
    settings: &Settings,
) -> Result<(&'a Transport, bool), WorkerError> {
    let password = if settings.smtp_user.is_empty() {
        None
    } else {
        password::smtp_password(&settings.smtp_host, &settings.smtp_user)
    };
    let current = matches!(cached, Some((s, p, _)) if s == settings && *p == password);
    if !current {
        let transport = Transport::from_settings(settings, register, password.as_deref())?;
        *cached = Some((settings.clone(), password, transport));
    }
    match cached {
        Some((_, _, transport)) => Ok((transport, !current)),
        None => unreachable_transport(),
    }
}

#[allow(clippy::panic)]
pub(super) fn unreachable_transport() -> ! {
    // `transport()` stores one just before reading it.
    panic!("the transport was just made")
}

/// The pause between two messages that keeps to the messages-per-minute cap.
pub(super) fn pacing_pause(settings: &Settings) -> Option<Duration> {
    (settings.messages_per_minute > 0)
        .then(|| Duration::from_secs_f64(60.0 / f64::from(settings.messages_per_minute)))
}

/// Whether a claimed message is still wanted (the reason to cancel it when
/// not), and the link it carries, if any.
pub(super) fn still_wanted(
    message: &OutboxMessage,
    record: &UserRecord,
) -> Result<Option<TokenPurpose>, &'static str> {
    match message.kind {
        MessageKind::Verification => {
            let wanted = matches!(&record.connection,
                Connection::Unverified { email, .. } if *email == message.recipient);
            if wanted && record.user.activated {
                Ok(Some(TokenPurpose::Verification))
            } else {
                Err("not sent: the address was changed, connected or deactivated meanwhile")
            }
        }
        MessageKind::PasswordReset => {
            let wanted = matches!(&record.connection,
                Connection::Connected { email, .. } if *email == message.recipient);
            if wanted {
                Ok(None)
            } else {
                Err("not sent: the user is no longer connected with this address")
            }
        }
        MessageKind::RelinkInvitation => {
            let wanted = record.connection == Connection::None
                && record.user.activated
                && record.user.email.as_ref() == Some(&message.recipient);
            if wanted {
                Ok(Some(TokenPurpose::Relink))
            } else {
                Err(
                    "not sent: the user was connected, deactivated or their Email changed meanwhile",
                )
            }
        }
    }
}

/// Checks each claimed message is still wanted, makes their links, and
/// fills in their templates' values. What is no longer wanted is cancelled,
/// with the reason.
pub(super) fn prepare(
    tx: &WriteTx<'_>,
    settings: &Settings,
    claimed: Vec<OutboxMessage>,
    now: Timestamp,
) -> Result<Vec<Ready>, StoreError> {
    let mut ready = Vec::with_capacity(claimed.len());
    let keys: Vec<UserKey> = claimed.iter().filter_map(|m| m.user_key).collect();
    let records: HashMap<UserKey, UserRecord> = tx
        .users_by_keys(&keys)?
        .into_iter()
        .map(|record| (record.key, record))
        .collect();
    // Stored together after the loop, in the same transaction: before any
    // of these messages goes out.
    let mut tokens = Vec::new();
    for message in claimed {
        let cancel = |reason: &str| {
            tx.record_delivery(message.id, DeliveryState::Cancelled, reason, None, now)
        };
        let Some(key) = message.user_key else {
            cancel("not sent: the user was deleted")?;
            continue;
        };
        let Some(record) = records.get(&key) else {
            cancel("not sent: the user was deleted")?;
            continue;
        };
        let mut values = TemplateValues {
            name: record.user.display_name(),
            email: message.recipient.to_string(),
            login_url: settings.login_page_url.clone(),
            ..TemplateValues::default()
        };
        let purpose = match still_wanted(&message, record) {
            Ok(purpose) => purpose,
            Err(reason) => {
                cancel(reason)?;
                continue;
            }
        };
        if let Some(purpose) = purpose {
            let Ok(token) = new_token() else {
                tx.record_delivery(
                    message.id,
                    DeliveryState::Queued,
                    "no random token could be made",
                    None,
                    now,
                )?;
                continue;
            };
            let expires = now + SignedDuration::from_hours(i64::from(settings.link_lifetime_hours));
            tokens.push(NewToken {
                hash: token.hash,
                key,
                email_key: message.recipient.key().to_owned(),
                expires_at: expires,
                purpose,
            });
            let page = match purpose {
                TokenPurpose::Verification => "verify",
                TokenPurpose::Relink => "relink",
            };
            values.link = format!(
                "{}/{page}/{}",
                settings.public_base_url.trim_end_matches('/'),
                token.text
            );
            values.expires = format_local(expires);
        }
        ready.push(Ready {
            claimed: message,
            values,
        });
    }
    tx.issue_tokens(&tokens, now)?;
    Ok(ready)
}
