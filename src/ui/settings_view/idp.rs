//! Settings › Identity provider: provisioning off or SCIM 2.0, the SCIM
//! endpoint, the token (or OAuth client credentials) kept in the keyring,
//! what happens to an account when its connection goes, *Test connection*
//! and *Sync now*, each on a task so the window keeps drawing.

use egui::Ui;

use crate::app::{self, Session};
use crate::domain::SettingKey;

use super::super::format::outcome_label_ui;
use super::super::tasks::Task;
use super::{SettingsView, locked};

/// The section's own state beside the setting values.
#[derive(Default)]
pub(super) struct IdpSection {
    /// The token or client secret as typed; stored in the keyring on test
    /// or save, never in the register.
    secret: String,
    test: Option<Task<String>>,
    test_result: Option<Result<String, String>>,
    sync: Option<Task<String>>,
    sync_result: Option<Result<String, String>>,
}

impl SettingsView {
    /// The Identity provider section.
    pub(super) fn identity_provider_ui(&mut self, ui: &mut Ui, session: &Session) {
        self.poll_idp_tasks();
        ui.heading(t!("settings-idp"));
        ui.weak(t!("settings-idp-note"));
        let scim = self.value(SettingKey::IdpProvisioning) == "scim";
        ui.add_enabled_ui(!locked(SettingKey::IdpProvisioning), |ui| {
            ui.horizontal(|ui| {
                ui.label(t!("settings-idp-provisioning"));
                if ui.radio(!scim, t!("settings-idp-off")).clicked() {
                    *self.value(SettingKey::IdpProvisioning) = "off".into();
                }
                if ui.radio(scim, t!("settings-idp-scim")).clicked() {
                    *self.value(SettingKey::IdpProvisioning) = "scim".into();
                }
            });
        });
        self.error_ui(ui, SettingKey::IdpProvisioning);
        self.grid_ui(
            ui,
            "idp_grid",
            &[
                (SettingKey::ScimBaseUrl, t!("settings-idp-base-url")),
                (SettingKey::ScimTokenUrl, t!("settings-idp-token-url")),
                (SettingKey::ScimClientId, t!("settings-idp-client-id")),
            ],
        );
        ui.horizontal(|ui| {
            let label = ui.label(t!("settings-idp-secret"));
            ui.add(
                egui::TextEdit::singleline(&mut self.idp.secret)
                    .password(true)
                    .hint_text(t!("settings-idp-secret-hint"))
                    .desired_width(300.0),
            )
            .labelled_by(label.id);
        });
        let delete = self.value(SettingKey::IdpOnDisconnect) == "delete";
        ui.add_enabled_ui(!locked(SettingKey::IdpOnDisconnect), |ui| {
            ui.horizontal(|ui| {
                ui.label(t!("settings-idp-on-disconnect"));
                if ui.radio(!delete, t!("settings-idp-deactivate")).clicked() {
                    *self.value(SettingKey::IdpOnDisconnect) = "deactivate".into();
                }
                if ui.radio(delete, t!("settings-idp-delete")).clicked() {
                    *self.value(SettingKey::IdpOnDisconnect) = "delete".into();
                }
            });
        });
        ui.horizontal(|ui| {
            let testing = self.idp.test.is_some();
            if ui
                .add_enabled(!testing, egui::Button::new(t!("settings-idp-test")))
                .clicked()
            {
                self.start_idp_test(ui.ctx());
            }
            let syncing = self.idp.sync.is_some();
            if ui
                .add_enabled(!syncing, egui::Button::new(t!("settings-idp-sync")))
                .on_hover_text(t!("settings-idp-sync.hint"))
                .clicked()
            {
                self.start_idp_sync(ui.ctx(), session);
            }
            if testing || syncing {
                ui.spinner();
            }
        });
        outcome_label_ui(ui, self.idp.test_result.as_ref());
        outcome_label_ui(ui, self.idp.sync_result.as_ref());
    }

    /// Stores a typed token or secret in the keyring (then forgets it).
    pub(super) fn store_idp_secret(
        &mut self,
        settings: &crate::domain::Settings,
    ) -> Result<(), String> {
        if self.idp.secret.is_empty() {
            return Ok(());
        }
        crate::app::idp::store_secret(&settings.idp, &self.idp.secret)
            .map_err(|e| t!("settings-idp-keyring", error = e))?;
        self.idp.secret.clear();
        Ok(())
    }

    fn start_idp_test(&mut self, ctx: &egui::Context) {
        let settings = match self.parse() {
            Ok(settings) => settings,
            Err(errors) => {
                self.errors = errors;
                self.idp.test_result = Some(Err(t!("settings-test-fix-first")));
                return;
            }
        };
        if let Err(error) = self.store_idp_secret(&settings) {
            self.idp.test_result = Some(Err(error));
            return;
        }
        self.idp.test_result = None;
        self.idp.test = Some(Task::spawn(ctx, "idp-test", move |_| {
            app::idp::test_connection(&settings)
                .map(|features| app::idp::describe_features(&features))
                .map_err(|e| e.to_string())
        }));
    }

    fn start_idp_sync(&mut self, ctx: &egui::Context, session: &Session) {
        let reopen = session.reopener();
        self.idp.sync_result = None;
        self.idp.sync = Some(Task::spawn(ctx, "idp-sync", move |_| {
            let mut session = reopen().map_err(|e| e.to_string())?;
            let report = app::idp::sync(&mut session, false, 8).map_err(|e| e.to_string())?;
            let failed = report
                .lines
                .iter()
                .filter(|l| matches!(l.result, Some(Err(_))))
                .count();
            Ok(t!(
                "cli-idp-sync-summary",
                provider = report.provider_accounts,
                differences = report.lines.len(),
                unchanged = report.unchanged,
                failed = failed
            ))
        }));
    }

    fn poll_idp_tasks(&mut self) {
        if let Some(task) = self.idp.test.take() {
            match task.try_take() {
                Err(task) => self.idp.test = Some(task),
                Ok(result) => self.idp.test_result = Some(result),
            }
        }
        if let Some(task) = self.idp.sync.take() {
            match task.try_take() {
                Err(task) => self.idp.sync = Some(task),
                Ok(result) => self.idp.sync_result = Some(result),
            }
        }
    }
}
