//! One user, end to end, against a real SMTP server and the real endpoint:
//! queue → delivered → the link from the received message → GET changes
//! nothing → POST connects. Then every way a link can fail, and the mail
//! server's faults.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use hrm_users::app::outbox_worker::{OutboxWorker, WorkerOptions};
use hrm_users::app::{NewLinkAnswer, RelinkInvitation, VerifyOutcome, verify_account};
use hrm_users::domain::{
    AuditAction, ConnectedBy, Connection, ConnectionStatus, DeliveryState, Email, SettingKey,
};
use hrm_users::web::start_endpoint;
use support::{Register, SmtpServer, TestClock, link_in, pending_user, smtp_settings};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

struct Answer {
    status: u16,
    body: String,
    headers: ureq::http::HeaderMap,
}

fn get(url: &str) -> Answer {
    let mut response = agent().get(url).call().unwrap();
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.body_mut().read_to_string().unwrap(),
    }
}

fn post_form(url: &str, fields: &[(&str, &str)]) -> Answer {
    let mut response = agent().post(url).send_form(fields.to_vec()).unwrap();
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.body_mut().read_to_string().unwrap(),
    }
}

fn post(url: &str) -> Answer {
    let mut response = agent().post(url).send_empty().unwrap();
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.body_mut().read_to_string().unwrap(),
    }
}

fn fast_retries() -> WorkerOptions {
    WorkerOptions {
        retry_base: Duration::from_mins(1),
        ..WorkerOptions::default()
    }
}

/// A register, SMTP server, endpoint and worker wired together.
struct Rig {
    register: Register,
    clock: TestClock,
    smtp: SmtpServer,
    endpoint: hrm_users::web::Endpoint,
    session: hrm_users::app::Session,
    worker: OutboxWorker,
}

impl Rig {
    fn on(register: Register) -> Self {
        let clock = TestClock::new();
        let smtp = SmtpServer::start();
        let endpoint = start_endpoint(&register.location, "127.0.0.1:0", clock.clock()).unwrap();
        let mut session = register.session(&clock);
        smtp_settings(
            &mut session,
            &smtp,
            &format!("http://{}", endpoint.address()),
        );
        let worker = OutboxWorker::open(&register.location, clock.clock(), fast_retries()).unwrap();
        Self {
            register,
            clock,
            smtp,
            endpoint,
            session,
            worker,
        }
    }

    fn connection(&self, key: hrm_users::domain::UserKey) -> Connection {
        self.session.user(key).unwrap().unwrap().connection
    }
}

fn an_employee_confirms_the_link_from_the_email_and_is_connected(register: Register) {
    let mut rig = Rig::on(register);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna.svensson@company.se");

    let outcome = verify_account(&mut rig.session, key).unwrap();
    assert!(matches!(outcome, VerifyOutcome::Queued(_)));
    assert_eq!(rig.worker.run_once().unwrap(), 1);

    let received = rig.smtp.accepted();
    assert_eq!(received.len(), 1);
    let text = support::text_part(&received[0]);
    // Swedish by default (the register's message language).
    assert!(text.contains("Hej Anna Testsson"), "{text}");
    assert!(text.contains("Glömt ditt lösenord?"));
    let raw = String::from_utf8_lossy(&received[0]);
    assert!(raw.contains("Content-Type: text/html"), "an HTML part too");
    let message = rig.session.last_message_for(key).unwrap().unwrap();
    assert_eq!(message.state, DeliveryState::Sent);
    assert!(
        raw.contains(&message.message_id),
        "the recorded Message-ID is the one sent"
    );
    assert!(message.last_result.unwrap().starts_with("250"));

    let link = link_in(&received[0]);
    assert!(link.starts_with(&format!("http://{}/verify/", rig.endpoint.address())));

    // Opening the link shows the masked address and changes nothing.
    let page = get(&link);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("a***@company.se"), "{}", page.body);
    assert!(
        !page.body.contains("anna.svensson"),
        "the address is masked"
    );
    assert!(page.body.contains("Bekräfta"));
    assert!(page.body.contains("<html lang=\"sv\">"));
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
    assert_eq!(page.headers["cache-control"], "no-store");
    assert!(
        page.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert_eq!(rig.connection(key).status(), ConnectionStatus::Pending);

    // Confirming connects the user.
    let done = post(&link);
    assert_eq!(done.status, 200);
    assert!(done.body.contains("verifierad"), "{}", done.body);
    assert!(done.body.contains("Glömt ditt lösenord?"));
    assert!(matches!(
        rig.connection(key),
        Connection::Connected {
            by: ConnectedBy::Link,
            ..
        }
    ));
    let actions: Vec<AuditAction> = rig
        .session
        .audit_for(key)
        .unwrap()
        .iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions[0], AuditAction::LinkConfirmed);
    assert!(actions.contains(&AuditAction::MessageDelivered));
    assert!(actions.contains(&AuditAction::VerificationQueued));

    // The same link again: used.
    let again = post(&link);
    assert_eq!(again.status, 410);
    assert!(again.body.contains("redan använts"));
}

fn an_expired_link_is_refused(register: Register) {
    let mut rig = Rig::on(register);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let link = link_in(&rig.smtp.accepted()[0]);
    rig.clock.advance_hours(25);
    let page = get(&link);
    assert_eq!(page.status, 410);
    assert!(page.body.contains("gått ut"));
    assert_eq!(post(&link).status, 410);
    assert_eq!(rig.connection(key).status(), ConnectionStatus::Pending);
}

fn sending_again_makes_the_older_link_useless(register: Register) {
    let mut rig = Rig::on(register);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let received = rig.smtp.accepted();
    assert_eq!(received.len(), 2);
    let (old, new) = (link_in(&received[0]), link_in(&received[1]));
    let refused = post(&old);
    assert_eq!(refused.status, 410);
    assert!(refused.body.contains("ersatts"));
    assert_eq!(post(&new).status, 200);
    let Connection::Connected { .. } = rig.connection(key) else {
        panic!("not connected");
    };
}

fn changing_the_address_makes_the_link_useless(register: Register) {
    let mut rig = Rig::on(register);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let link = link_in(&rig.smtp.accepted()[0]);
    let record = rig.session.user(key).unwrap().unwrap();
    let draft = hrm_users::domain::UserDraft {
        visma_email: "anna.s@company.se".into(),
        visma_email_confirm: "anna.s@company.se".into(),
        ..hrm_users::domain::UserDraft::from_record(&record)
    };
    hrm_users::app::save_user(&mut rig.session, Some(key), &draft).unwrap();
    assert_eq!(post(&link).status, 410);
    assert_eq!(rig.connection(key).status(), ConnectionStatus::Pending);
}

fn tampered_and_unknown_links_are_refused_without_saying_more(register: Register) {
    let mut rig = Rig::on(register);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let link = link_in(&rig.smtp.accepted()[0]);
    let mut tampered = link.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    for url in [
        tampered,
        format!("http://{}/verify/nonsense", rig.endpoint.address()),
    ] {
        let page = get(&url);
        assert_eq!(page.status, 404);
        assert!(page.body.contains("inte giltig"));
        assert!(!page.body.contains('@'), "nothing about any address");
        assert_eq!(post(&url).status, 404);
    }
    assert_eq!(rig.connection(key).status(), ConnectionStatus::Pending);
}

fn repeated_failures_from_one_client_are_slowed_down(register: Register) {
    let rig = Rig::on(register);
    let url = format!(
        "http://{}/verify/{}",
        rig.endpoint.address(),
        "x".repeat(43)
    );
    let started = std::time::Instant::now();
    for _ in 0..5 {
        assert_eq!(get(&url).status, 404);
    }
    let free = started.elapsed();
    let slowed = std::time::Instant::now();
    get(&url);
    get(&url);
    assert!(
        free < Duration::from_millis(1500),
        "the first failures are answered at once: {free:?}"
    );
    assert!(
        slowed.elapsed() >= Duration::from_millis(700),
        "later ones wait: {:?}",
        slowed.elapsed()
    );
}

fn a_valid_link_is_answered_at_once_after_many_failures_from_the_same_address(register: Register) {
    let mut rig = Rig::on(register);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let link = link_in(&rig.smtp.accepted()[0]);
    let wrong = format!(
        "http://{}/verify/{}",
        rig.endpoint.address(),
        "x".repeat(43)
    );
    for _ in 0..8 {
        get(&wrong);
    }
    let started = std::time::Instant::now();
    assert_eq!(get(&link).status, 200);
    assert_eq!(post(&link).status, 200);
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "a valid link waits for no one: {:?}",
        started.elapsed()
    );
}

fn an_address_in_a_verified_domain_connects_at_once_without_a_message(register: Register) {
    let mut rig = Rig::on(register);
    let mut settings = rig.session.load_settings().unwrap();
    settings
        .set(SettingKey::VerifiedDomains, "company.se")
        .unwrap();
    hrm_users::app::save_settings(&mut rig.session, &settings).unwrap();
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@Company.se");
    let outcome = verify_account(&mut rig.session, key).unwrap();
    assert!(matches!(outcome, VerifyOutcome::ConnectedByDomain(_)));
    assert_eq!(rig.worker.run_once().unwrap(), 0);
    assert!(rig.smtp.accepted().is_empty());
    assert!(matches!(
        rig.connection(key),
        Connection::Connected {
            by: ConnectedBy::VerifiedDomain,
            ..
        }
    ));
}

fn a_451_then_250_is_delivered_once(register: Register) {
    let mut rig = Rig::on(register);
    rig.smtp.answer_next(&[(451, "4.3.0 Try again later")]);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let first = rig.session.last_message_for(key).unwrap().unwrap();
    assert_eq!(first.state, DeliveryState::Queued);
    assert!(first.last_result.unwrap().contains("451"));
    assert_eq!(
        rig.worker.run_once().unwrap(),
        0,
        "not due before its pause"
    );
    rig.clock.advance_hours(1);
    rig.worker.run_once().unwrap();
    let done = rig.session.last_message_for(key).unwrap().unwrap();
    assert_eq!(done.state, DeliveryState::Sent);
    assert_eq!(done.attempts, 2);
    assert_eq!(rig.smtp.accepted().len(), 1);
    assert_eq!(rig.worker.run_once().unwrap(), 0);
}

fn a_550_fails_with_the_servers_words(register: Register) {
    let mut rig = Rig::on(register);
    rig.smtp.answer_next(&[(550, "5.1.1 Mailbox unavailable")]);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let failed = rig.session.last_message_for(key).unwrap().unwrap();
    assert_eq!(failed.state, DeliveryState::Failed);
    let words = failed.last_result.unwrap();
    assert!(
        words.contains("550") && words.contains("Mailbox unavailable"),
        "{words}"
    );
    assert!(rig.smtp.accepted().is_empty());
    let audit = rig.session.audit_for(key).unwrap();
    assert_eq!(audit[0].action, AuditAction::MessageFailed);
    rig.clock.advance_hours(1);
    assert_eq!(
        rig.worker.run_once().unwrap(),
        0,
        "a permanent failure is not retried"
    );
}

fn a_worker_stopped_before_sending_delivers_exactly_once_after_restart(register: Register) {
    let mut rig = Rig::on(register);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    // The worker that would have sent it is gone; a new one starts.
    drop(rig.worker);
    let mut worker =
        OutboxWorker::open(&rig.register.location, rig.clock.clock(), fast_retries()).unwrap();
    assert_eq!(worker.run_once().unwrap(), 1);
    assert_eq!(worker.run_once().unwrap(), 0);
    let mut again =
        OutboxWorker::open(&rig.register.location, rig.clock.clock(), fast_retries()).unwrap();
    assert_eq!(again.run_once().unwrap(), 0);
    assert_eq!(rig.smtp.accepted().len(), 1);
    let sent = rig.session.last_message_for(key).unwrap().unwrap();
    assert!(!sent.possible_duplicate);
}

/// A round claims the next messages while its sessions send the last
/// ones, so a send larger than a batch goes out in one round with no pause
/// between batches, each message once.
fn a_round_claims_more_while_its_sessions_send(register: Register) {
    let mut rig = Rig::on(register);
    let keys: Vec<_> = (0..23)
        .map(|n| {
            pending_user(
                &mut rig.session,
                &format!("{}", 100 + n),
                "Anna",
                &format!("anna{n}@company.se"),
            )
        })
        .collect();
    for key in &keys {
        verify_account(&mut rig.session, *key).unwrap();
    }
    let mut worker = OutboxWorker::open(
        &rig.register.location,
        rig.clock.clock(),
        WorkerOptions {
            batch: 4,
            ..fast_retries()
        },
    )
    .unwrap();
    assert_eq!(worker.run_once().unwrap(), 23, "one round sent them all");
    assert_eq!(rig.smtp.accepted().len(), 23);
    for key in keys {
        let message = rig.session.last_message_for(key).unwrap().unwrap();
        assert_eq!(message.state, DeliveryState::Sent);
        assert_eq!(message.attempts, 1);
    }
    assert_eq!(worker.run_once().unwrap(), 0);
}

fn a_message_interrupted_while_sending_is_sent_again_and_flagged(register: Register) {
    let mut rig = Rig::on(register);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    // A worker claims it, hands its content to the server and dies before
    // recording the answer; its lease has run out.
    let now = rig.session.now();
    let claimed = rig
        .session
        .store_for_tests()
        .write(|tx| tx.claim_due("w-gone", now, now, 10))
        .unwrap();
    let id = claimed[0].id;
    assert!(
        rig.session
            .store_for_tests()
            .write(|tx| tx.mark_handed_over(id, "w-gone"))
            .unwrap()
    );
    drop(rig.worker);
    let mut worker =
        OutboxWorker::open(&rig.register.location, rig.clock.clock(), fast_retries()).unwrap();
    assert_eq!(worker.run_once().unwrap(), 1);
    let sent = rig.session.last_message_for(key).unwrap().unwrap();
    assert_eq!(sent.state, DeliveryState::Sent);
    assert!(sent.possible_duplicate);
    assert_eq!(rig.smtp.accepted().len(), 1);
}

fn a_message_claimed_but_not_handed_over_is_taken_back_unflagged(register: Register) {
    let mut rig = Rig::on(register);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    let now = rig.session.now();
    rig.session
        .store_for_tests()
        .write(|tx| tx.claim_due("w-gone", now, now, 10))
        .unwrap();
    drop(rig.worker);
    let mut worker =
        OutboxWorker::open(&rig.register.location, rig.clock.clock(), fast_retries()).unwrap();
    assert_eq!(worker.run_once().unwrap(), 1);
    let sent = rig.session.last_message_for(key).unwrap().unwrap();
    assert_eq!(sent.state, DeliveryState::Sent);
    assert!(!sent.possible_duplicate, "its content never went out");
    assert_eq!(sent.attempts, 1, "the unfinished claim is not counted");
}

fn a_live_workers_message_is_not_taken_by_another_worker(register: Register) {
    let mut rig = Rig::on(register);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    let now = rig.session.now();
    let lease = now + jiff::SignedDuration::from_mins(5);
    rig.session
        .store_for_tests()
        .write(|tx| tx.claim_due("w-alive", now, lease, 10))
        .unwrap();
    let mut other =
        OutboxWorker::open(&rig.register.location, rig.clock.clock(), fast_retries()).unwrap();
    assert_eq!(other.run_once().unwrap(), 0);
    assert!(rig.smtp.accepted().is_empty());
    let message = rig.session.last_message_for(key).unwrap().unwrap();
    assert_eq!(message.state, DeliveryState::Sending);
}

fn reset_password_and_delete_connection(register: Register) {
    let mut rig = Rig::on(register);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let link = link_in(&rig.smtp.accepted()[0]);
    assert_eq!(post(&link).status, 200);

    hrm_users::app::reset_password(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let received = rig.smtp.accepted();
    assert_eq!(received.len(), 2);
    assert!(support::text_part(&received[1]).contains("Glömt ditt lösenord?"));

    let after = hrm_users::app::delete_connection(&mut rig.session, key).unwrap();
    assert_eq!(after.record.connection, Connection::None);
    // Live phase (the default): nobody is invited; the administrator
    // enters the new address.
    assert_eq!(after.invitation, RelinkInvitation::NotSent);
    rig.worker.run_once().unwrap();
    assert_eq!(
        rig.smtp.accepted().len(),
        2,
        "no invitation in the live phase"
    );
    assert!(hrm_users::app::reset_password(&mut rig.session, key).is_err());
    let audit = rig.session.audit_for(key).unwrap();
    assert_eq!(audit[0].action, AuditAction::ConnectionDeleted);
}

fn a_name_that_looks_like_a_placeholder_is_not_expanded(register: Register) {
    let mut rig = Rig::on(register);
    let key = pending_user(&mut rig.session, "14", "{link}", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let raw = &rig.smtp.accepted()[0];
    let text = support::text_part(raw);
    assert!(text.contains("Hej {link} Testsson"), "{text}");
    assert_eq!(text.matches("/verify/").count(), 1, "{text}");
    let parsed = mailparse::parse_mail(raw).unwrap();
    let subject = parsed
        .headers
        .iter()
        .find(|h| h.get_key_ref() == "Subject")
        .map(mailparse::MailHeader::get_value)
        .unwrap();
    assert!(!subject.contains("/verify/"), "{subject}");
}

fn a_line_break_stored_in_the_sender_name_does_not_stop_delivery(register: Register) {
    let mut rig = Rig::on(register);
    // As an older version could store it.
    rig.session
        .store_for_tests()
        .write(|tx| {
            tx.set_setting(
                hrm_users::domain::SettingKey::SenderName,
                Some("HRM\nBcc: x@evil.example"),
            )
        })
        .unwrap();
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    assert_eq!(rig.worker.run_once().unwrap(), 1);
    let raw = String::from_utf8_lossy(&rig.smtp.accepted()[0]).into_owned();
    assert!(!raw.contains("Bcc:"), "{raw}");
    let message = rig.session.last_message_for(key).unwrap().unwrap();
    assert_eq!(message.state, DeliveryState::Sent);
}

fn an_answer_lost_after_the_content_is_flagged_and_named_a_time_out(register: Register) {
    let mut rig = Rig::on(register);
    let mut settings = rig.session.load_settings().unwrap();
    settings.set(SettingKey::SmtpTimeoutSecs, "1").unwrap();
    hrm_users::app::save_settings(&mut rig.session, &settings).unwrap();
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    // The server takes the message but answers too late.
    rig.smtp.set_delay_ms(2_500);
    assert_eq!(rig.worker.run_once().unwrap(), 1);
    let first = rig.session.last_message_for(key).unwrap().unwrap();
    assert_eq!(first.state, DeliveryState::Queued);
    assert_eq!(
        first.last_result.as_deref(),
        Some("the server did not answer within 1 s")
    );
    assert!(first.possible_duplicate, "the server may have it already");

    rig.smtp.set_delay_ms(0);
    rig.clock.advance_hours(1);
    assert_eq!(rig.worker.run_once().unwrap(), 1);
    let sent = rig.session.last_message_for(key).unwrap().unwrap();
    assert_eq!(sent.state, DeliveryState::Sent);
    assert!(sent.possible_duplicate);
}

fn a_user_deactivated_after_the_link_went_out_cannot_confirm_it(register: Register) {
    let mut rig = Rig::on(register);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let link = link_in(&rig.smtp.accepted()[0]);
    // A second verification waits in the outbox when the user is deactivated.
    verify_account(&mut rig.session, key).unwrap();

    let record = rig.session.user(key).unwrap().unwrap();
    let mut draft = hrm_users::domain::UserDraft::from_record(&record);
    draft.activated = false;
    hrm_users::app::save_user(&mut rig.session, Some(key), &draft).unwrap();

    let answer = post(&link);
    assert_eq!(answer.status, 410, "{}", answer.body);
    assert!(matches!(rig.connection(key), Connection::Unverified { .. }));
    let waiting = rig.session.last_message_for(key).unwrap().unwrap();
    assert_eq!(waiting.state, DeliveryState::Cancelled);
    assert_eq!(rig.worker.run_once().unwrap(), 0);
    assert_eq!(rig.smtp.accepted().len(), 1);
}

fn health_says_when_the_outbox_worker_has_stopped(register: Register) {
    let rig = Rig::on(register);
    let health = format!("http://{}/health", rig.endpoint.address());
    assert_eq!(get(&health).status, 200);
    let worker = hrm_users::app::outbox_worker::WorkerHealth::new();
    rig.endpoint.watch_worker(std::sync::Arc::clone(&worker));
    assert_eq!(get(&health).status, 200);
    worker.set_stopped();
    let answer = get(&health);
    assert_eq!(answer.status, 503);
    assert!(answer.body.contains("outbox worker has stopped"));
}

fn a_stopped_worker_is_no_longer_alive(register: Register) {
    let rig = Rig::on(register);
    let handle = OutboxWorker::open(&rig.register.location, rig.clock.clock(), fast_retries())
        .unwrap()
        .spawn()
        .unwrap();
    let health = handle.health();
    assert!(health.is_running());
    assert_eq!(health.problem(), None);
    handle.stop();
    assert!(!health.is_running());
}

/// A register whose message language is English sends English emails and
/// shows English pages; the templates left at the default follow it.
fn a_register_set_to_english_sends_and_shows_english(register: Register) {
    let mut rig = Rig::on(register);
    let mut settings = rig.session.load_settings().unwrap();
    settings.set(SettingKey::MessageLanguage, "en").unwrap();
    hrm_users::app::save_settings(&mut rig.session, &settings).unwrap();
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let raw = &rig.smtp.accepted()[0];
    let text = support::text_part(raw);
    assert!(text.contains("Hello Anna Testsson"), "{text}");
    assert!(text.contains("Forgot your password?"), "{text}");
    assert!(
        String::from_utf8_lossy(raw).contains("Verify your email address for Visma Connect"),
        "the subject is English too"
    );
    let link = link_in(raw);
    let page = get(&link);
    assert!(
        page.body.contains("Confirm your email address"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<html lang=\"en\">"));
    let done = post(&link);
    assert!(done.body.contains("Your email address is verified"));
    assert!(post(&link).body.contains("already been used"));
}

/// A template an administrator wrote stays as written in either language.
fn an_edited_template_is_sent_as_written(register: Register) {
    let mut rig = Rig::on(register);
    let mut settings = rig.session.load_settings().unwrap();
    settings
        .set(SettingKey::VerificationBody, "Välkommen {name}! {link}")
        .unwrap();
    settings.set(SettingKey::MessageLanguage, "en").unwrap();
    hrm_users::app::save_settings(&mut rig.session, &settings).unwrap();
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let text = support::text_part(&rig.smtp.accepted()[0]);
    assert!(text.starts_with("Välkommen Anna Testsson!"), "{text}");
}

/// A connected user with a General Email, on a register in the preparation
/// phase.
fn connected_user_in_preparation(rig: &mut Rig) -> hrm_users::domain::UserKey {
    let mut settings = rig.session.load_settings().unwrap();
    settings
        .set(SettingKey::VismaConnectPhase, "preparation")
        .unwrap();
    hrm_users::app::save_settings(&mut rig.session, &settings).unwrap();
    let key = pending_user(&mut rig.session, "14", "Anna", "anna.wrong@company.se");
    let record = rig.session.user(key).unwrap().unwrap();
    let draft = hrm_users::domain::UserDraft {
        email: "anna.home@example.org".into(),
        ..hrm_users::domain::UserDraft::from_record(&record)
    };
    hrm_users::app::save_user(&mut rig.session, Some(key), &draft).unwrap();
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    assert_eq!(post(&link_in(&rig.smtp.accepted()[0])).status, 200);
    key
}

/// The link of a relink invitation in a received message.
fn relink_link_in(raw: &[u8]) -> String {
    support::text_part(raw)
        .split_whitespace()
        .find(|w| w.contains("/relink/"))
        .unwrap()
        .to_owned()
}

/// Preparation phase, end to end over real HTTP and SMTP: the administrator
/// deletes a wrong connection → the invitation goes to the General Email →
/// its link opens *Security and login* (GET changes nothing) → a refused
/// address changes nothing → the new address twice → the verification
/// email → its link → connected. The invitation works once.
fn in_the_preparation_phase_the_employee_links_again_themselves(register: Register) {
    let mut rig = Rig::on(register);
    let key = connected_user_in_preparation(&mut rig);

    let deleted = hrm_users::app::delete_connection(&mut rig.session, key).unwrap();
    let home = Email::parse("anna.home@example.org").unwrap();
    assert_eq!(deleted.invitation, RelinkInvitation::Queued(home.clone()));
    assert_eq!(rig.worker.run_once().unwrap(), 1);
    let received = rig.smtp.accepted();
    assert_eq!(received.len(), 2);
    let invitation = support::text_part(&received[1]);
    assert!(invitation.contains("Hej Anna Testsson"), "{invitation}");
    assert!(
        invitation.contains("Säkerhet och inloggning"),
        "{invitation}"
    );
    let raw = String::from_utf8_lossy(&received[1]);
    assert!(
        raw.contains("anna.home@example.org"),
        "sent to the General Email"
    );
    let link = relink_link_in(&received[1]);
    assert!(link.starts_with(&format!("http://{}/relink/", rig.endpoint.address())));
    // The invitation's token is not a verification link.
    let as_verification = get(&link.replace("/relink/", "/verify/"));
    assert_eq!(as_verification.status, 404);

    let page = get(&link);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Min profil › Säkerhet och inloggning"));
    assert!(
        page.body
            .contains("Ditt konto är inte kopplat till Visma Connect")
    );
    assert!(page.body.contains("Skicka verifieringsmejl"));
    assert_eq!(rig.connection(key), Connection::None, "GET changes nothing");

    // Refused addresses change nothing and leave the invitation usable.
    let differ = post_form(
        &link,
        &[
            ("email", "anna@company.se"),
            ("confirm", "anna@company.com"),
        ],
    );
    assert_eq!(differ.status, 422);
    assert!(differ.body.contains("inte likadana"), "{}", differ.body);
    assert!(
        differ.body.contains("value=\"anna@company.se\""),
        "what was typed stays"
    );
    let invalid = post_form(&link, &[("email", "anna@"), ("confirm", "anna@")]);
    assert_eq!(invalid.status, 422);
    assert!(invalid.body.contains("giltig e-postadress"));
    assert_eq!(rig.connection(key), Connection::None);

    // An address in a verified domain is proven by a message all the same.
    let mut settings = rig.session.load_settings().unwrap();
    settings
        .set(hrm_users::domain::SettingKey::VerifiedDomains, "company.se")
        .unwrap();
    hrm_users::app::save_settings(&mut rig.session, &settings).unwrap();
    let sent = post_form(
        &link,
        &[("email", "anna@company.se"), ("confirm", "anna@company.se")],
    );
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("a***@company.se"), "{}", sent.body);
    assert!(matches!(
        rig.connection(key),
        Connection::Unverified { email, .. } if email.as_str() == "anna@company.se"
    ));
    // The invitation is used up.
    assert_eq!(get(&link).status, 410);

    assert_eq!(rig.worker.run_once().unwrap(), 1);
    let received = rig.smtp.accepted();
    assert_eq!(received.len(), 3);
    let verification = link_in(&received[2]);
    assert_eq!(post(&verification).status, 200);
    assert!(matches!(
        rig.connection(key),
        Connection::Connected { email, by: ConnectedBy::Link, .. } if email.as_str() == "anna@company.se"
    ));
    let actions: Vec<AuditAction> = rig
        .session
        .audit_for(key)
        .unwrap()
        .iter()
        .map(|e| e.action)
        .collect();
    for action in [
        AuditAction::ConnectionDeleted,
        AuditAction::RelinkInvitationQueued,
        AuditAction::RelinkRequested,
        AuditAction::LinkConfirmed,
    ] {
        assert!(actions.contains(&action), "{action:?} in {actions:?}");
    }
}

/// A colleague's address on *Security and login* gets the same answer as a
/// free one, uses the invitation up, and changes nothing: the page never
/// tells a registered address from a free one.
fn a_colleagues_address_gets_the_same_answer_and_changes_nothing(register: Register) {
    let mut rig = Rig::on(register);
    let key = connected_user_in_preparation(&mut rig);
    let other = pending_user(&mut rig.session, "15", "Bo", "bo@company.se");
    hrm_users::app::delete_connection(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let again = relink_link_in(rig.smtp.accepted().last().unwrap());
    let taken = post_form(
        &again,
        &[("email", "bo@company.se"), ("confirm", "BO@company.se")],
    );
    assert_eq!(taken.status, 200, "{}", taken.body);
    assert!(taken.body.contains("b***@company.se"), "{}", taken.body);
    assert!(
        !taken.body.contains("15") && !taken.body.contains("Bo "),
        "never whose"
    );
    assert_eq!(
        get(&again).status,
        410,
        "used up as a free address's would be"
    );
    assert_eq!(rig.connection(key), Connection::None);
    assert_eq!(rig.connection(other).status(), ConnectionStatus::Pending);
    let sent_before = rig.smtp.accepted().len();
    rig.worker.run_once().unwrap();
    assert_eq!(rig.smtp.accepted().len(), sent_before, "nothing sent to bo");
}

/// Preparation phase: an invitation still waiting when the administrator
/// enters a new address is not sent (only the verification is); without a
/// General Email nothing is queued and the administrator is told so.
fn an_invitation_is_dropped_when_the_administrator_acts_first_and_needs_an_email(
    register: Register,
) {
    let mut rig = Rig::on(register);
    let key = connected_user_in_preparation(&mut rig);
    let deleted = hrm_users::app::delete_connection(&mut rig.session, key).unwrap();
    assert!(matches!(deleted.invitation, RelinkInvitation::Queued(_)));
    let record = rig.session.user(key).unwrap().unwrap();
    let new_address = hrm_users::domain::UserDraft {
        visma_email: "anna@company.se".into(),
        visma_email_confirm: "anna@company.se".into(),
        ..hrm_users::domain::UserDraft::from_record(&record)
    };
    hrm_users::app::save_user(&mut rig.session, Some(key), &new_address).unwrap();
    rig.worker.run_once().unwrap();
    assert_eq!(rig.smtp.accepted().len(), 1, "the invitation is not sent");
    let invitation = rig.session.last_message_for(key).unwrap().unwrap();
    assert_eq!(
        invitation.kind,
        hrm_users::domain::MessageKind::RelinkInvitation
    );
    assert_eq!(invitation.state, DeliveryState::Cancelled);
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let received = rig.smtp.accepted();
    assert_eq!(
        received.len(),
        2,
        "the first verification and the new one only"
    );
    let text = support::text_part(&received[1]);
    assert!(
        text.contains("/verify/") && !text.contains("/relink/"),
        "{text}"
    );

    // Connected again; then without a General Email: nobody to invite.
    assert_eq!(post(&link_in(&received[1])).status, 200);
    let record = rig.session.user(key).unwrap().unwrap();
    let without_email = hrm_users::domain::UserDraft {
        email: String::new(),
        ..hrm_users::domain::UserDraft::from_record(&record)
    };
    hrm_users::app::save_user(&mut rig.session, Some(key), &without_email).unwrap();
    let deleted = hrm_users::app::delete_connection(&mut rig.session, key).unwrap();
    assert_eq!(deleted.invitation, RelinkInvitation::NoEmail);
    assert_eq!(rig.worker.run_once().unwrap(), 0);
    assert_eq!(rig.smtp.accepted().len(), 2);
}

/// *Send me a new link* on an expired page: a new verification to the same
/// pending address, at most once per 10 minutes; the page says the same
/// whatever happened, also for a made-up link.
fn an_expired_link_offers_a_new_one_at_most_every_ten_minutes(register: Register) {
    let mut rig = Rig::on(register);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let link = link_in(&rig.smtp.accepted()[0]);
    rig.clock.advance_hours(25);

    let expired = get(&link);
    assert_eq!(expired.status, 410);
    assert!(
        expired.body.contains("Skicka en ny länk till mig"),
        "{}",
        expired.body
    );
    let token = link.rsplit('/').next().unwrap();
    assert!(expired.body.contains(&format!("action=\"{token}/new\"")));
    // A used or unknown link offers nothing of the kind.
    let unknown = get(&format!(
        "http://{}/verify/{}",
        rig.endpoint.address(),
        "ab".repeat(32)
    ));
    assert!(!unknown.body.contains("Skicka en ny länk"));

    let asked = post(&format!("{link}/new"));
    assert_eq!(asked.status, 200);
    assert!(asked.body.contains("Titta i din inkorg"));
    assert_eq!(rig.worker.run_once().unwrap(), 1);
    let received = rig.smtp.accepted();
    assert_eq!(received.len(), 2);
    let fresh = link_in(&received[1]);
    assert_ne!(fresh, link);

    // Again at once: the same page, nothing sent.
    let again = post(&format!("{link}/new"));
    assert_eq!(again.status, 200);
    assert_eq!(again.body, asked.body, "the same words");
    assert_eq!(
        hrm_users::app::request_new_link(&mut rig.session, token).unwrap(),
        NewLinkAnswer::TooSoon
    );
    // A made-up link: the same page.
    let made_up = post(&format!(
        "http://{}/verify/{}/new",
        rig.endpoint.address(),
        "cd".repeat(32)
    ));
    assert_eq!(made_up.status, 200);
    assert_eq!(made_up.body, asked.body);
    assert_eq!(rig.worker.run_once().unwrap(), 0);
    assert_eq!(rig.smtp.accepted().len(), 2);

    // The fresh link works; the old one, asked again later, sends nothing
    // (the user is connected).
    assert_eq!(post(&fresh).status, 200);
    rig.clock.advance_hours(1);
    assert_eq!(
        hrm_users::app::request_new_link(&mut rig.session, token).unwrap(),
        NewLinkAnswer::Nothing
    );
    let actions: Vec<AuditAction> = rig
        .session
        .audit_for(key)
        .unwrap()
        .iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == AuditAction::NewLinkRequested)
            .count(),
        1
    );
}

/// Leavers, with the test's clock: five days (the default) after
/// *Employment ends* the connection is removed — not a day earlier — by
/// the outbox worker, with a History row naming the address and the date;
/// a pending user's queued verification is cancelled with it.
fn a_leavers_connection_is_removed_on_the_right_day(register: Register) {
    let mut rig = Rig::on(register);
    let today = rig
        .session
        .now()
        .to_zoned(jiff::tz::TimeZone::system())
        .date();
    let ended = |days: i64| {
        today
            .checked_sub(jiff::Span::new().days(days))
            .unwrap()
            .to_string()
    };
    let set_ends = |rig: &mut Rig, key, date: String| {
        let record = rig.session.user(key).unwrap().unwrap();
        let draft = hrm_users::domain::UserDraft {
            employment_ends: date,
            ..hrm_users::domain::UserDraft::from_record(&record)
        };
        hrm_users::app::save_user(&mut rig.session, Some(key), &draft).unwrap();
    };
    let anna = pending_user(&mut rig.session, "14", "Anna", "anna@company.se");
    verify_account(&mut rig.session, anna).unwrap();
    rig.worker.run_once().unwrap();
    assert_eq!(post(&link_in(&rig.smtp.accepted()[0])).status, 200);
    let bo = pending_user(&mut rig.session, "15", "Bo", "bo@company.se");
    let cleo = pending_user(&mut rig.session, "16", "Cleo", "cleo@company.se");
    set_ends(&mut rig, anna, ended(5));
    // Bo's verification went out before his end date was entered; once it
    // has passed, no new one is sent.
    verify_account(&mut rig.session, bo).unwrap();
    set_ends(&mut rig, bo, ended(4));
    assert!(matches!(
        verify_account(&mut rig.session, bo),
        Err(hrm_users::app::ConnectionError::Refused(
            hrm_users::domain::SkipReason::EmploymentEnded
        ))
    ));

    let now = rig.session.now();
    let removed =
        hrm_users::app::leavers::remove_leavers_connections(rig.session.store_for_tests(), now)
            .unwrap();
    assert_eq!(
        removed,
        vec![anna],
        "five days after: removed; four: not yet"
    );
    assert_eq!(rig.connection(anna), Connection::None);
    assert_eq!(rig.connection(bo).status(), ConnectionStatus::Pending);
    assert_eq!(rig.connection(cleo).status(), ConnectionStatus::Pending);
    let history = rig.session.audit_for(anna).unwrap();
    assert_eq!(history[0].action, AuditAction::LeaverConnectionRemoved);
    assert_eq!(history[0].actor, "leaver rule");
    assert_eq!(
        history[0].describe(),
        format!(
            "Connection removed (anna@company.se): employment ended {}",
            ended(5)
        )
    );
    assert!(
        hrm_users::app::leavers::remove_leavers_connections(rig.session.store_for_tests(), now)
            .unwrap()
            .is_empty(),
        "once"
    );

    // A day later the worker removes Bo's pending connection; his queued
    // verification is not sent.
    rig.clock.advance_hours(24);
    let before = rig.smtp.accepted().len();
    rig.worker.run_once().unwrap();
    assert_eq!(rig.connection(bo), Connection::None);
    assert_eq!(
        rig.smtp.accepted().len(),
        before,
        "nothing sent to a leaver"
    );
    let message = rig.session.last_message_for(bo).unwrap().unwrap();
    assert_eq!(message.state, DeliveryState::Cancelled);
    assert_eq!(rig.connection(cleo).status(), ConnectionStatus::Pending);
}

/// An expired invitation offers *Send me a new link* too: a new invitation
/// to the same General Email, once per 10 minutes.
fn an_expired_invitation_sends_a_new_invitation(register: Register) {
    let mut rig = Rig::on(register);
    let key = connected_user_in_preparation(&mut rig);
    hrm_users::app::delete_connection(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let old = relink_link_in(&rig.smtp.accepted()[1]);
    rig.clock.advance_hours(25);
    let expired = get(&old);
    assert_eq!(expired.status, 410);
    assert!(expired.body.contains("Skicka en ny länk till mig"));
    assert_eq!(post(&format!("{old}/new")).status, 200);
    assert_eq!(rig.worker.run_once().unwrap(), 1);
    let received = rig.smtp.accepted();
    assert_eq!(received.len(), 3);
    let fresh = relink_link_in(&received[2]);
    assert_ne!(fresh, old);
    assert!(String::from_utf8_lossy(&received[2]).contains("anna.home@example.org"));
    assert_eq!(get(&fresh).status, 200, "the new invitation opens the page");
    assert_eq!(
        hrm_users::app::request_new_link(&mut rig.session, old.rsplit('/').next().unwrap())
            .unwrap(),
        NewLinkAnswer::TooSoon
    );
}

support::on_both_backends!(
    a_colleagues_address_gets_the_same_answer_and_changes_nothing,
    an_expired_invitation_sends_a_new_invitation,
    a_leavers_connection_is_removed_on_the_right_day,
    in_the_preparation_phase_the_employee_links_again_themselves,
    an_invitation_is_dropped_when_the_administrator_acts_first_and_needs_an_email,
    an_expired_link_offers_a_new_one_at_most_every_ten_minutes,
    a_register_set_to_english_sends_and_shows_english,
    an_edited_template_is_sent_as_written,
    an_employee_confirms_the_link_from_the_email_and_is_connected,
    an_expired_link_is_refused,
    sending_again_makes_the_older_link_useless,
    changing_the_address_makes_the_link_useless,
    tampered_and_unknown_links_are_refused_without_saying_more,
    repeated_failures_from_one_client_are_slowed_down,
    a_valid_link_is_answered_at_once_after_many_failures_from_the_same_address,
    an_address_in_a_verified_domain_connects_at_once_without_a_message,
    a_451_then_250_is_delivered_once,
    a_550_fails_with_the_servers_words,
    a_worker_stopped_before_sending_delivers_exactly_once_after_restart,
    a_message_interrupted_while_sending_is_sent_again_and_flagged,
    a_round_claims_more_while_its_sessions_send,
    a_message_claimed_but_not_handed_over_is_taken_back_unflagged,
    a_live_workers_message_is_not_taken_by_another_worker,
    reset_password_and_delete_connection,
    a_name_that_looks_like_a_placeholder_is_not_expanded,
    a_line_break_stored_in_the_sender_name_does_not_stop_delivery,
    an_answer_lost_after_the_content_is_flagged_and_named_a_time_out,
    a_user_deactivated_after_the_link_went_out_cannot_confirm_it,
    health_says_when_the_outbox_worker_has_stopped,
    a_stopped_worker_is_no_longer_alive,
);

/// An address with letters outside ASCII before the @ needs a server that
/// announces SMTPUTF8: Send test email says so in plain words and remembers
/// it, and the worker refuses such a message for good instead of a relay's
/// "500 strict ASCII mode". A non-ASCII domain alone goes out as punycode.
#[test]
fn an_address_that_needs_smtputf8_is_refused_clearly_and_the_server_remembered() {
    let register = Register::new();
    let clock = TestClock::new();
    let smtp = SmtpServer::start();
    let mut session = register.session(&clock);
    let settings = smtp_settings(&mut session, &smtp, "http://127.0.0.1:9");
    let anchor = hrm_users::app::paths::folder_anchor(&register.location);

    let klara = Email::parse("klara.sjöberg@företaget.se").unwrap();
    let report = hrm_users::app::send_test_email(&settings, &anchor, &klara);
    let error = report.result.unwrap_err();
    assert!(error.contains("SMTPUTF8"), "{error}");
    assert!(smtp.accepted().is_empty());
    let checked = report.smtputf8_checked.unwrap();
    assert_eq!(checked, format!("127.0.0.1:{} no", smtp.port));
    hrm_users::app::remember_smtputf8(&mut session, &checked).unwrap();
    assert!(session.load_settings().unwrap().server_lacks_smtputf8());

    // Only the local part matters: the domain goes out in its ASCII form.
    let plain = Email::parse("klara@företaget.se").unwrap();
    let report = hrm_users::app::send_test_email(&settings, &anchor, &plain);
    assert!(report.result.is_ok(), "{:?}", report.result);
    let sent = String::from_utf8_lossy(&smtp.accepted()[0]).into_owned();
    assert!(sent.contains("klara@xn--fretaget-n4a.se"), "{sent}");
    // The test email speaks the register's message language.
    let mut swedish = settings.clone();
    swedish.message_language = hrm_users::i18n::Language::Swedish;
    let report = hrm_users::app::send_test_email(&swedish, &anchor, &plain);
    assert!(report.result.is_ok(), "{:?}", report.result);
    let text = support::text_part(&smtp.accepted()[1]);
    assert!(
        text.contains("Detta är ett testmeddelande från HRM Users"),
        "{text}"
    );

    // Queued for a user: failed for good, in the same words, never retried.
    let key = pending_user(&mut session, "7", "Klara", "klara.sjöberg@företaget.se");
    verify_account(&mut session, key).unwrap();
    OutboxWorker::open(&register.location, clock.clock(), WorkerOptions::default())
        .unwrap()
        .run_once()
        .unwrap();
    let message = session.last_message_for(key).unwrap().unwrap();
    assert_eq!(message.state, DeliveryState::Failed);
    assert!(
        message
            .last_result
            .as_deref()
            .unwrap_or("")
            .contains("SMTPUTF8"),
        "{message:?}"
    );
    assert_eq!(
        smtp.accepted().len(),
        2,
        "only the ASCII test emails arrived"
    );
}
