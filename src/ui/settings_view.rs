//! The Settings window: sending email (folder or SMTP, with a test that
//! reports the server's answer), the verification link and endpoint, verified
//! domains (Security), and the message templates.
//!
//! Here: the window and its sections. Sending email is `email`, the identity
//! provider `idp`.

use std::collections::BTreeMap;

use egui::{RichText, TextEdit, Ui};

use crate::app::{self, Session};
use crate::domain::message::PLACEHOLDERS;
use crate::domain::{SettingKey, Settings};
use crate::i18n::Language;

use super::format::{ERROR_RED, outcome_label_ui};
use super::tasks::Task;

mod email;
mod idp;

/// Height kept under the scrolling fields for the separator and
/// `Save settings`, also when the window was resized smaller.
const SAVE_ROW_HEIGHT: f32 = 44.0;

/// The Settings window's state: every value as text until saved.
pub struct SettingsView {
    values: Vec<String>,
    errors: BTreeMap<&'static str, String>,
    password: String,
    test_to: String,
    test: Option<Task<app::TestEmailReport>>,
    test_result: Option<Result<String, String>>,
    saved_message: Option<Result<String, String>>,
    /// Why the stored settings could not be read. The fields then show the
    /// defaults, and saving stays off so they never overwrite the real ones.
    load_error: Option<String>,
    /// Settings › Identity provider's token field and tasks.
    idp: idp::IdpSection,
    /// *Save settings* under way off the UI thread (a shared register).
    saving: Option<Task<Settings>>,
    /// The stored settings being read off the UI thread (a shared
    /// register); the fields wait for them.
    loading: Option<Task<Settings>>,
}

impl SettingsView {
    /// Opens with the stored settings: read at once from a register file,
    /// off the UI thread from a shared register (the fields wait for them).
    pub fn open(ctx: &egui::Context, session: &Session) -> Self {
        // The defaults until the stored settings are read (never saved:
        // the fields are not shown meanwhile).
        let defaults = Settings::default();
        let mut view = Self {
            load_error: None,
            values: SettingKey::ALL.iter().map(|k| defaults.get(*k)).collect(),
            errors: BTreeMap::new(),
            password: String::new(),
            test_to: String::new(),
            test: None,
            test_result: None,
            saved_message: None,
            idp: idp::IdpSection::default(),
            saving: None,
            loading: None,
        };
        if session.location().is_shared() {
            let reopen = session.reopener();
            view.loading = Some(Task::spawn(ctx, "read-settings", move |_| {
                let session = reopen().map_err(|e| e.to_string())?;
                session.load_settings().map_err(|e| e.to_string())
            }));
        } else {
            view.loaded(session.load_settings().map_err(|e| e.to_string()));
        }
        view
    }

    /// Fills the fields with the stored settings, or with the defaults and
    /// why the stored ones could not be read (saving then stays off, so
    /// they are never overwritten).
    fn loaded(&mut self, read: Result<Settings, String>) {
        let settings = match read {
            Ok(settings) => settings,
            Err(error) => {
                self.load_error = Some(error);
                Settings::default()
            }
        };
        self.values = SettingKey::ALL.iter().map(|k| settings.get(*k)).collect();
    }

    /// True while the stored settings are being read.
    fn loading(&mut self) -> bool {
        if let Some(read) = self.loading.as_mut().and_then(Task::take_result) {
            self.loading = None;
            self.loaded(read);
        }
        self.loading.is_some()
    }

    /// Whether the mail server in the fields is known not to take
    /// international addresses (what *Send test email* found out goes in the
    /// fields); `None` while the fields cannot be read as settings.
    pub fn smtputf8_missing(&mut self) -> Option<bool> {
        if self.loading.is_some() {
            return None;
        }
        self.parse().ok().map(|s| s.server_lacks_smtputf8())
    }

    fn value(&mut self, key: SettingKey) -> &mut String {
        let index = SettingKey::ALL.iter().position(|k| *k == key).unwrap_or(0);
        &mut self.values[index]
    }

    /// The settings the fields describe, or the errors per key.
    fn parse(&mut self) -> Result<Settings, BTreeMap<&'static str, String>> {
        let mut settings = Settings::default();
        let mut errors = BTreeMap::new();
        for (key, value) in SettingKey::ALL.iter().zip(&self.values) {
            // Verified domains are edited one per line.
            let value = if *key == SettingKey::VerifiedDomains {
                value.replace('\n', ",")
            } else {
                value.clone()
            };
            if let Err(error) = settings.set(*key, &value) {
                errors.insert(error.key, error.message);
            }
        }
        if errors.is_empty()
            && let Err(error) = settings.check()
        {
            errors.insert(error.key, error.message);
        }
        if errors.is_empty() {
            Ok(settings)
        } else {
            Err(errors)
        }
    }

    /// Draws the window; returns the settings when they were saved.
    pub fn window_ui(
        &mut self,
        ctx: &egui::Context,
        open: &mut bool,
        session: &mut Session,
    ) -> Option<Settings> {
        let mut saved = None;
        // The fields scroll; Save settings stays below them, always in view.
        let fields_height = (ctx.content_rect().height() - 190.0).max(160.0);
        egui::Window::new(t!("settings-title"))
            .id(egui::Id::unique("settings_window"))
            .title_bar(false)
            .default_width(560.0)
            .default_height(620.0)
            .show(ctx, |ui| {
                super::a11y::window_title_ui(ui, &t!("settings-title"), open);
                if self.loading() {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(t!("settings-reading"));
                    });
                    return;
                }
                egui::ScrollArea::vertical()
                    .max_height(fields_height.min(ui.available_height() - SAVE_ROW_HEIGHT))
                    .auto_shrink([false, true])
                    .show(ui, |ui| self.contents_ui(ui, session));
                ui.separator();
                saved = self.save_row_ui(ui, session);
            });
        saved
    }

    fn contents_ui(&mut self, ui: &mut Ui, session: &mut Session) {
        self.poll_test();
        if let Some(error) = &self.load_error {
            ui.label(
                RichText::new(t!(
                    "settings-unreadable",
                    error = error.trim_end_matches('.')
                ))
                .color(ERROR_RED)
                .strong(),
            );
            ui.add_space(6.0);
        }
        window_ui(ui);
        if let Some(presets) = crate::domain::presets::machine().filter(|p| !p.settings.is_empty())
        {
            ui.add_space(6.0);
            let names: Vec<&str> = presets.settings.iter().map(|(k, _)| k.name()).collect();
            ui.label(
                RichText::new(t!(
                    "settings-locked-note",
                    file = &presets.source,
                    names = names.join(", ")
                ))
                .strong(),
            );
        }
        ui.add_space(10.0);
        ui.heading(t!("settings-email"));
        self.email_ui(ui, session);
        ui.add_space(10.0);
        ui.heading(t!("settings-link"));
        self.grid_ui(
            ui,
            "link_grid",
            &[
                (SettingKey::PublicBaseUrl, t!("settings-public-base-url")),
                (SettingKey::LinkLifetimeHours, t!("settings-link-lifetime")),
                (SettingKey::LoginPageUrl, t!("settings-login-page")),
            ],
        );
        let mut enabled = self.value(SettingKey::EndpointEnabled) == "true";
        if ui
            .add_enabled(
                !locked(SettingKey::EndpointEnabled),
                egui::Checkbox::new(&mut enabled, t!("settings-endpoint-enabled")),
            )
            .changed()
        {
            *self.value(SettingKey::EndpointEnabled) = enabled.to_string();
        }
        self.grid_ui(
            ui,
            "bind_grid",
            &[
                (SettingKey::BindAddress, t!("settings-bind-address")),
                (SettingKey::TrustedProxies, t!("settings-trusted-proxies")),
            ],
        );
        ui.add_space(10.0);
        self.security_ui(ui);
        ui.add_space(10.0);
        ui.heading(t!("settings-visma-connect"));
        self.phase_ui(ui);
        ui.add_space(10.0);
        self.identity_provider_ui(ui, session);
        ui.add_space(10.0);
        ui.heading(t!("settings-messages"));
        self.message_language_ui(ui);
        ui.weak(t!("settings-placeholders", list = PLACEHOLDERS.join(" ")));
        self.template_ui(
            ui,
            SettingKey::VerificationSubject,
            SettingKey::VerificationBody,
            &t!("message-verification"),
        );
        self.template_ui(
            ui,
            SettingKey::ResetSubject,
            SettingKey::ResetBody,
            &t!("message-reset"),
        );
    }

    /// Security: the verified domains, the resend interval and the login field.
    fn security_ui(&mut self, ui: &mut Ui) {
        ui.heading(t!("settings-security"));
        let label = ui.label(t!("settings-verified-domains"));
        let mut domains = self.value(SettingKey::VerifiedDomains).replace(',', "\n");
        if ui
            .add_enabled(
                !locked(SettingKey::VerifiedDomains),
                TextEdit::multiline(&mut domains)
                    .desired_rows(3)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id)
            .changed()
        {
            *self.value(SettingKey::VerifiedDomains) = domains;
        }
        self.error_ui(ui, SettingKey::VerifiedDomains);
        self.grid_ui(
            ui,
            "resend_grid",
            &[
                (SettingKey::ResendAfterMinutes, t!("settings-resend-after")),
                (SettingKey::TimeZone, t!("settings-time-zone")),
            ],
        );
        self.operator_field_ui(ui);
    }

    /// `Save settings` and what came of it.
    fn save_row_ui(&mut self, ui: &mut Ui, session: &mut Session) -> Option<Settings> {
        let mut saved = self.take_saved(session);
        ui.horizontal(|ui| {
            let can_save = self.load_error.is_none() && self.saving.is_none();
            if ui
                .add_enabled(can_save, egui::Button::new(t!("settings-save")))
                .on_disabled_hover_text(t!("settings-save.disabled"))
                .clicked()
            {
                saved = self.save(ui.ctx(), session);
            }
            if self.saving.is_some() {
                ui.spinner();
                ui.label(t!("form-saving"));
            } else {
                outcome_label_ui(ui, self.saved_message.as_ref());
            }
        });
        saved
    }

    /// The settings saved off the UI thread, once they are.
    fn take_saved(&mut self, session: &Session) -> Option<Settings> {
        let result = self.saving.as_mut()?.take_result()?;
        self.saving = None;
        match result {
            Ok(settings) => {
                // Saved on another connection: who is working may read
                // differently now (the login field).
                app::operator::forget(session);
                self.password.clear();
                self.saved_message = Some(Ok(t!("settings-saved")));
                Some(settings)
            }
            Err(error) => {
                self.saved_message = Some(Err(error));
                None
            }
        }
    }

    /// Which user field holds the login name of the person at the window.
    fn operator_field_ui(&mut self, ui: &mut Ui) {
        use crate::domain::settings::OperatorField;
        let field_label = |field: OperatorField| match field {
            OperatorField::AliasUserId => t!("field-alias-user-id"),
            OperatorField::UserId => t!("settings-operator-user-id"),
            OperatorField::EmailLocalPart => t!("settings-operator-email"),
            OperatorField::ExternalReference => t!("field-external-reference"),
        };
        let current =
            OperatorField::from_code(self.value(SettingKey::OperatorField)).unwrap_or_default();
        let mut chosen = current;
        ui.add_enabled_ui(!locked(SettingKey::OperatorField), |ui| {
            ui.horizontal(|ui| {
                let label = ui.label(t!("settings-operator-field"));
                egui::ComboBox::from_id_salt("operator_field")
                    .selected_text(field_label(current))
                    .show_ui(ui, |ui| {
                        for field in OperatorField::ALL {
                            ui.selectable_value(&mut chosen, field, field_label(field));
                        }
                    })
                    .response
                    .labelled_by(label.id);
            });
        });
        if chosen != current {
            chosen
                .code()
                .clone_into(self.value(SettingKey::OperatorField));
        }
    }

    /// The Visma Connect phase: *Preparation* or *Live*.
    fn phase_ui(&mut self, ui: &mut Ui) {
        let preparation = self.value(SettingKey::VismaConnectPhase) == "preparation";
        ui.add_enabled_ui(!locked(SettingKey::VismaConnectPhase), |ui| {
            ui.horizontal(|ui| {
                ui.label(t!("settings-phase"));
                if ui
                    .radio(preparation, t!("settings-phase-preparation"))
                    .clicked()
                {
                    *self.value(SettingKey::VismaConnectPhase) = "preparation".into();
                }
                if ui.radio(!preparation, t!("settings-phase-live")).clicked() {
                    *self.value(SettingKey::VismaConnectPhase) = "live".into();
                }
            })
        });
        ui.weak(t!("settings-phase-note"));
        self.grid_ui(
            ui,
            "leaver_grid",
            &[(
                SettingKey::RemoveConnectionAfterDays,
                t!("settings-remove-after"),
            )],
        );
    }

    /// The language of the emails and the employee's pages (the register's).
    /// Templates still at a language's default text change with it.
    fn message_language_ui(&mut self, ui: &mut Ui) {
        let before =
            Language::from_code(self.value(SettingKey::MessageLanguage)).unwrap_or_default();
        let mut chosen = before;
        ui.add_enabled_ui(!locked(SettingKey::MessageLanguage), |ui| {
            ui.horizontal(|ui| {
                ui.label(t!("settings-message-language"));
                for language in Language::ALL {
                    ui.radio_value(&mut chosen, language, language.native_name());
                }
            });
        });
        if chosen == before {
            return;
        }
        chosen
            .code()
            .clone_into(self.value(SettingKey::MessageLanguage));
        let (old_verification, new_verification) = (
            crate::domain::default_verification(before),
            crate::domain::default_verification(chosen),
        );
        let (old_reset, new_reset) = (
            crate::domain::default_reset(before),
            crate::domain::default_reset(chosen),
        );
        for (key, old, new) in [
            (
                SettingKey::VerificationSubject,
                old_verification.subject,
                new_verification.subject,
            ),
            (
                SettingKey::VerificationBody,
                old_verification.body,
                new_verification.body,
            ),
            (
                SettingKey::ResetSubject,
                old_reset.subject,
                new_reset.subject,
            ),
            (SettingKey::ResetBody, old_reset.body, new_reset.body),
        ] {
            let value = self.value(key);
            if value.trim_end() == old.trim_end() {
                *value = new;
            }
        }
    }

    /// Saves the fields: at once in a register file; off the UI thread on
    /// a shared register, on a connection of its own (then `None` now, and
    /// the settings once saved from [`Self::take_saved`]).
    fn save(&mut self, ctx: &egui::Context, session: &mut Session) -> Option<Settings> {
        match self.parse() {
            Ok(settings) => {
                self.errors.clear();
                if let Err(error) = self.store_idp_secret(&settings) {
                    self.saved_message = Some(Err(error));
                    return None;
                }
                if session.location().is_shared() {
                    let reopen = session.reopener();
                    let password = self.password.clone();
                    self.saved_message = None;
                    self.saving = Some(Task::spawn(ctx, "save-settings", move |_| {
                        let mut session = reopen().map_err(|e| e.to_string())?;
                        app::save_settings_and_password(&mut session, &settings, &password)
                            .map(|()| settings)
                            .map_err(|e| e.to_string())
                    }));
                    return None;
                }
                match app::save_settings_and_password(session, &settings, &self.password) {
                    Ok(()) => {
                        self.password.clear();
                        self.saved_message = Some(Ok(t!("settings-saved")));
                        Some(settings)
                    }
                    Err(error) => {
                        self.saved_message = Some(Err(error.to_string()));
                        None
                    }
                }
            }
            Err(errors) => {
                self.errors = errors;
                self.saved_message = Some(Err(t!("settings-not-saved")));
                None
            }
        }
    }

    fn grid_ui(&mut self, ui: &mut Ui, id: &str, rows: &[(SettingKey, String)]) {
        egui::Grid::new(id)
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                for (key, label) in rows {
                    let label = ui.label(label.as_str());
                    ui.vertical(|ui| {
                        let locked = locked(*key);
                        let edit = ui
                            .add_enabled(
                                !locked,
                                TextEdit::singleline(self.value(*key)).desired_width(300.0),
                            )
                            .labelled_by(label.id);
                        if locked {
                            edit.on_disabled_hover_text(t!("settings-locked-hint"));
                        }
                        self.error_ui(ui, *key);
                    });
                    ui.end_row();
                }
            });
    }

    fn template_ui(&mut self, ui: &mut Ui, subject: SettingKey, body: SettingKey, title: &str) {
        egui::CollapsingHeader::new(title).show(ui, |ui| {
            self.grid_ui(
                ui,
                &format!("{title}_subject"),
                &[(subject, t!("settings-subject"))],
            );
            let label = ui.label(t!("settings-text"));
            ui.add(
                TextEdit::multiline(self.value(body))
                    .desired_rows(8)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
            self.error_ui(ui, body);
        });
    }

    fn error_ui(&self, ui: &mut Ui, key: SettingKey) {
        if let Some(error) = self.errors.get(key.name()) {
            ui.label(RichText::new(error).color(ERROR_RED).small());
        }
    }
}

/// True when this computer's presets fix `key` (the field is then locked).
fn locked(key: SettingKey) -> bool {
    crate::domain::presets::machine().is_some_and(|p| p.locks(key))
}

/// The window's language and theme: this OS user's choices, applied at
/// once and remembered with the window (not settings of the shared register).
fn window_ui(ui: &mut Ui) {
    ui.heading(t!("settings-window"));
    let before = super::language::chosen(ui.ctx());
    let mut language = before;
    ui.horizontal(|ui| {
        ui.label(t!("settings-language"));
        ui.radio_value(&mut language, None, t!("settings-follow-system"));
        for choice in Language::ALL {
            ui.radio_value(&mut language, Some(choice), choice.native_name());
        }
    });
    if language != before {
        super::language::choose(ui.ctx(), language);
    }
    let before = ui.options(|o| o.theme_preference);
    let mut preference = before;
    ui.horizontal(|ui| {
        ui.label(t!("settings-theme"));
        ui.radio_value(
            &mut preference,
            egui::ThemePreference::System,
            t!("settings-follow-system"),
        );
        ui.radio_value(
            &mut preference,
            egui::ThemePreference::Light,
            t!("settings-theme-light"),
        );
        ui.radio_value(
            &mut preference,
            egui::ThemePreference::Dark,
            t!("settings-theme-dark"),
        );
    });
    if preference != before {
        ui.ctx().set_theme(preference);
    }
    ui.weak(t!("settings-window-note"));
}
