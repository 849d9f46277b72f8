//! `verify --user`, `serve`, `config`, `outbox`: the connection's commands.

use std::io::Write as _;
use std::process::ExitCode;

use serde::Serialize;

use crate::app::outbox_worker::{OutboxWorker, WorkerOptions};
use crate::app::services::{Services, StartEndpoint};
use crate::app::{self, ConnectionError, Session, VerifyOutcome};
use crate::domain::{DeliveryState, OutboxMessage, SettingKey, UserId};

use super::Refused;
use super::users::say;

/// `verify --user ID`: the rule of the `Verify account` button, then one
/// delivery round so the result can be printed.
pub fn verify_user(session: &mut Session, user_id: &str) -> anyhow::Result<ExitCode> {
    let id = UserId::parse(user_id).map_err(|e| Refused(e.to_string()))?;
    let record = session
        .user_by_user_id(&id)?
        .ok_or_else(|| Refused(t!("cli-no-such-user", user_id = id.to_string())))?;
    super::check_permission_for(
        session,
        crate::domain::roles::Permission::UsersEdit,
        &record,
    )?;
    match app::verify_account(session, record.key) {
        Ok(VerifyOutcome::ConnectedByDomain(email)) => say(&t!(
            "cli-connected-by-domain",
            user_id = id.to_string(),
            email = email.to_string()
        )),
        Ok(VerifyOutcome::Queued(email)) => {
            say(&t!(
                "cli-queued",
                user_id = id.to_string(),
                email = email.to_string()
            ))?;
            let mut worker = OutboxWorker::open(
                session.location(),
                session.clock.clone(),
                WorkerOptions::default(),
            )?;
            if let Err(error) = worker.run_once() {
                say(&t!("cli-not-sent-now", error = error.to_string()))?;
                return Ok(ExitCode::SUCCESS);
            }
            let message = session.last_message_for(record.key)?;
            say(&match message {
                Some(m) if m.state == DeliveryState::Sent => {
                    t!("cli-delivered", answer = m.last_result.unwrap_or_default())
                }
                Some(m) if m.state == DeliveryState::Failed => {
                    return Err(anyhow::anyhow!(t!(
                        "cli-server-refused",
                        answer = m.last_result.unwrap_or_default()
                    )));
                }
                Some(m) => t!(
                    "cli-not-delivered-yet",
                    answer = m.last_result.unwrap_or_else(|| t!("outcome-waiting"))
                ),
                None => t!("cli-queued-short"),
            })
        }
        Err(ConnectionError::Refused(reason)) => Err(Refused(t!(
            "cli-user-refused",
            user_id = id.to_string(),
            reason = reason.sentence()
        ))
        .into()),
        Err(error) => Err(error.into()),
    }
}

/// `serve`: the verification endpoint and the outbox worker until Ctrl+C.
pub fn serve(
    session: &Session,
    bind: Option<&str>,
    start_endpoint: StartEndpoint,
) -> anyhow::Result<ExitCode> {
    let mut settings = session.load_settings()?;
    if let Some(bind) = bind {
        settings
            .set(SettingKey::BindAddress, bind)
            .map_err(|e| Refused(e.to_string()))?;
    }
    settings.endpoint_enabled = true;
    if let Some(warning) = settings.unreachable_links_warning(&settings.bind_address) {
        tracing::warn!("{warning}");
        // A warning for the person starting the server, before it runs.
        #[allow(clippy::print_stderr)]
        {
            eprintln!("hrm-users: warning: {warning}");
        }
    }
    let services = Services::start(
        session.location(),
        session.clock.clone(),
        &settings,
        crate::app::services::Runner::Serve,
        start_endpoint,
    );
    if let Some(problem) = services.problems().first() {
        return Err(anyhow::anyhow!("{problem}"));
    }
    let address = services
        .endpoint_address()
        .map_or_else(|| settings.bind_address.clone(), |a| a.to_string());
    say(&t!(
        "cli-serving",
        address = address,
        base = &settings.public_base_url
    ))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(tokio::signal::ctrl_c())?;
    drop(services);
    say(&t!("cli-stopped"))
}

fn key(name: &str) -> Result<SettingKey, Refused> {
    if name == "smtp_password" {
        return Err(Refused(t!(
            "cli-smtp-password-not-a-setting",
            variable = crate::app::SMTP_PASSWORD_ENV
        )));
    }
    SettingKey::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = SettingKey::ALL.iter().map(|k| k.name()).collect();
        Refused(t!(
            "cli-no-such-setting",
            name = name,
            names = names.join(", ")
        ))
    })
}

/// `config get KEY`.
pub fn config_get(session: &Session, name: &str) -> anyhow::Result<ExitCode> {
    let key = key(name)?;
    say(&session.load_settings()?.get(key))
}

/// `config set KEY VALUE`.
pub fn config_set(session: &mut Session, name: &str, value: &str) -> anyhow::Result<ExitCode> {
    let key = key(name)?;
    if let Some(presets) = crate::domain::presets::machine().filter(|p| p.locks(key)) {
        return Err(Refused(t!(
            "cli-setting-locked",
            name = name,
            file = &presets.source
        ))
        .into());
    }
    let mut settings = session.load_settings()?;
    settings
        .set(key, value)
        .map_err(|e| Refused(e.to_string()))?;
    settings.check().map_err(|e| Refused(e.to_string()))?;
    app::save_settings(session, &settings)?;
    say(&format!("{name} = {}", settings.get(key)))
}

/// `config list [--json]`.
pub fn config_list(session: &Session, json: bool) -> anyhow::Result<ExitCode> {
    let settings = session.load_settings()?;
    let mut out = std::io::stdout().lock();
    if json {
        let map: serde_json::Map<String, serde_json::Value> = SettingKey::ALL
            .iter()
            .map(|k| {
                (
                    k.name().to_owned(),
                    serde_json::Value::String(settings.get(*k)),
                )
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &map)?;
        writeln!(out)?;
    } else {
        for key in SettingKey::ALL {
            let value = settings.get(key);
            let first = value.lines().next().unwrap_or_default();
            let more = if value.lines().count() > 1 {
                " …"
            } else {
                ""
            };
            writeln!(out, "{} = {first}{more}", key.name())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One message as `outbox --json` prints it. Field names are a stable interface.
#[derive(Serialize)]
struct MessageJson<'a> {
    id: i64,
    message_id: &'a str,
    kind: &'static str,
    recipient: &'a str,
    state: &'static str,
    attempts: u32,
    created_at: String,
    sent_at: Option<String>,
    last_result: Option<&'a str>,
    possible_duplicate: bool,
}

impl<'a> MessageJson<'a> {
    fn new(m: &'a OutboxMessage) -> Self {
        Self {
            id: m.id.0,
            message_id: &m.message_id,
            kind: m.kind.code(),
            recipient: m.recipient.as_str(),
            state: m.state.code(),
            attempts: m.attempts,
            created_at: m.created_at.to_string(),
            sent_at: m.sent_at.map(|t| t.to_string()),
            last_result: m.last_result.as_deref(),
            possible_duplicate: m.possible_duplicate,
        }
    }
}

/// `outbox [--json] [--limit N]`: the newest messages and their delivery state.
pub fn outbox(session: &Session, json: bool, limit: usize) -> anyhow::Result<ExitCode> {
    let messages = session.outbox(limit)?;
    let mut out = std::io::stdout().lock();
    if json {
        let rows: Vec<MessageJson<'_>> = messages.iter().map(MessageJson::new).collect();
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{:>6}  {:<9}  {:<14}  {:<32}  {:>3}  RESULT",
            "ID", "STATE", "KIND", "TO", "TRY"
        )?;
        for m in &messages {
            writeln!(
                out,
                "{:>6}  {:<9}  {:<14}  {:<32}  {:>3}  {}{}",
                m.id,
                m.state.code(),
                m.kind.code(),
                m.recipient.as_str(),
                m.attempts,
                super::printable(m.last_result.as_deref().unwrap_or("")),
                if m.possible_duplicate {
                    " (possible duplicate)"
                } else {
                    ""
                }
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
