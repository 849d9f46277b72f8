//! Settings' Email section: the transport, sender and SMTP server, and *Send
//! test email* with the server's exact answer.

use egui::{RichText, TextEdit, Ui};

use crate::app::{self, Session};
use crate::domain::{Email, SettingKey, Settings, TransportKind};
use crate::ui::format::{ERROR_RED, GREEN};
use crate::ui::tasks::Task;

use super::{SettingsView, locked};

impl SettingsView {
    pub(super) fn email_ui(&mut self, ui: &mut Ui, session: &Session) {
        self.grid_ui(
            ui,
            "sender_grid",
            &[
                (SettingKey::SenderName, t!("settings-sender-name")),
                (SettingKey::SenderAddress, t!("settings-sender-address")),
            ],
        );
        let serve_only = self.value(SettingKey::DeliveredBy) == "serve_only";
        ui.add_enabled_ui(!locked(SettingKey::DeliveredBy), |ui| {
            ui.horizontal(|ui| {
                ui.label(t!("settings-delivered-by"));
                if ui.radio(!serve_only, t!("settings-every-window")).clicked() {
                    *self.value(SettingKey::DeliveredBy) = "every_window".into();
                }
                if ui
                    .radio(serve_only, t!("settings-serve-only"))
                    .on_hover_text(t!("settings-serve-only.hint"))
                    .clicked()
                {
                    *self.value(SettingKey::DeliveredBy) = "serve_only".into();
                }
            })
        });
        let smtp = self.value(SettingKey::Transport) == "smtp";
        ui.add_enabled_ui(!locked(SettingKey::Transport), |ui| {
            ui.horizontal(|ui| {
                ui.label(t!("settings-send-by"));
                if ui.radio(!smtp, t!("settings-folder")).clicked() {
                    *self.value(SettingKey::Transport) = "folder".into();
                }
                if ui.radio(smtp, "SMTP").clicked() {
                    *self.value(SettingKey::Transport) = "smtp".into();
                }
            })
        });
        if smtp {
            self.grid_ui(
                ui,
                "smtp_grid",
                &[
                    (SettingKey::SmtpHost, t!("settings-smtp-host")),
                    (SettingKey::SmtpPort, t!("settings-smtp-port")),
                    (SettingKey::SmtpUser, t!("settings-smtp-user")),
                    (SettingKey::SmtpTimeoutSecs, t!("settings-smtp-timeout")),
                    (SettingKey::SmtpSessions, t!("settings-smtp-sessions")),
                    (SettingKey::MessagesPerMinute, t!("settings-per-minute")),
                ],
            );
            ui.add_enabled_ui(!locked(SettingKey::SmtpSecurity), |ui| {
                ui.horizontal(|ui| {
                    ui.label(t!("settings-security"));
                    let current = self.value(SettingKey::SmtpSecurity).clone();
                    for (code, label) in [
                        ("starttls", "STARTTLS".to_owned()),
                        ("tls", "TLS".to_owned()),
                        ("none", t!("settings-security-none")),
                    ] {
                        if ui.radio(current == code, label).clicked() {
                            *self.value(SettingKey::SmtpSecurity) = code.into();
                        }
                    }
                })
            });
            self.error_ui(ui, SettingKey::SmtpSecurity);
            ui.horizontal(|ui| {
                let label = ui.label(t!("connect-password"));
                ui.add(
                    TextEdit::singleline(&mut self.password)
                        .password(true)
                        .hint_text(t!("settings-password-unchanged")),
                )
                .labelled_by(label.id);
            });
            ui.weak(t!(
                "settings-password-note",
                variable = app::SMTP_PASSWORD_ENV
            ));
        } else {
            let folder = if self.value(SettingKey::OutboxFolder).is_empty() {
                session
                    .outbox_folder(&Settings::default())
                    .display()
                    .to_string()
            } else {
                self.value(SettingKey::OutboxFolder).clone()
            };
            self.grid_ui(
                ui,
                "folder_grid",
                &[(SettingKey::OutboxFolder, t!("settings-outbox-folder"))],
            );
            ui.weak(t!("settings-folder-note", folder = folder));
        }
        self.test_email_ui(ui, session);
    }

    /// "Send test email to" and the server's answer.
    pub(super) fn test_email_ui(&mut self, ui: &mut Ui, session: &Session) {
        ui.horizontal(|ui| {
            let label = ui.label(t!("settings-test-to"));
            ui.add(TextEdit::singleline(&mut self.test_to).desired_width(220.0))
                .labelled_by(label.id);
            let running = self.test.is_some();
            if ui
                .add_enabled(!running, egui::Button::new(t!("settings-test-send")))
                .clicked()
            {
                self.start_test(ui.ctx(), session);
            }
            if running {
                ui.spinner();
            }
        });
        match &self.test_result {
            Some(Ok(answer)) => {
                ui.label(RichText::new(t!("settings-test-sent", answer = answer)).color(GREEN));
            }
            Some(Err(answer)) => {
                ui.label(
                    RichText::new(t!("settings-test-not-sent", answer = answer)).color(ERROR_RED),
                );
            }
            None => {}
        }
    }

    pub(super) fn start_test(&mut self, ctx: &egui::Context, session: &Session) {
        let to = match Email::parse(&self.test_to) {
            Ok(to) => to,
            Err(error) => {
                self.test_result = Some(Err(error.to_string()));
                return;
            }
        };
        let settings = match self.parse() {
            Ok(settings) => settings,
            Err(errors) => {
                self.errors = errors;
                self.test_result = Some(Err(t!("settings-test-fix-first")));
                return;
            }
        };
        if !self.password.is_empty()
            && settings.transport == TransportKind::Smtp
            && let Err(error) = app::store_smtp_password(&settings, &self.password)
        {
            self.test_result = Some(Err(error.to_string()));
            return;
        }
        let register = app::paths::folder_anchor(session.location());
        self.test_result = None;
        // What the server announced is remembered in the register on the
        // test's own thread and connection (never a write on the UI thread),
        // unless the stored settings could not be read.
        let remember = self.load_error.is_none().then(|| session.reopener());
        self.test = Some(Task::spawn(ctx, "test-email", move |_| {
            let report = app::send_test_email(&settings, &register, &to);
            if let (Some(reopen), Some(checked)) = (remember, &report.smtputf8_checked) {
                let remembered = reopen().map_err(|e| e.to_string()).and_then(|mut session| {
                    app::remember_smtputf8(&mut session, checked).map_err(|e| e.to_string())
                });
                if let Err(error) = remembered {
                    tracing::warn!("what the mail server announced was not remembered: {error}");
                }
            }
            Ok(report)
        }));
    }

    pub(super) fn poll_test(&mut self) {
        if let Some(task) = self.test.take() {
            match task.try_take() {
                Err(task) => self.test = Some(task),
                Ok(Err(error)) => self.test_result = Some(Err(error)),
                Ok(Ok(report)) => {
                    self.test_result = Some(report.result);
                    // What the server announced (remembered by the test)
                    // goes in the fields too, so Save settings keeps it.
                    if let Some(checked) = report.smtputf8_checked {
                        self.value(SettingKey::Smtputf8Checked).clone_from(&checked);
                    }
                }
            }
        }
    }
}
