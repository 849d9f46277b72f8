//! The windows the Users view opens beside the list: the spreadsheet
//! flows, Users/Authorities › Roles, Settings and About.

use crate::domain::roles::Permission;

use super::super::format::escape_pressed;
use super::super::sheet_view::sheet_ui;
use super::UsersView;

impl UsersView {
    pub(super) fn sheet_window_ui(&mut self, ctx: &egui::Context) {
        if let Some(sheet) = &mut self.sheet
            && (!sheet_ui(ctx, sheet, &self.register.session, &self.register.listing)
                || escape_pressed(ctx))
        {
            self.sheet = None;
        }
    }

    pub(super) fn roles_window_ui(&mut self, ctx: &egui::Context) {
        let Some(view) = &mut self.roles_view else {
            return;
        };
        // Escape does not throw away a role's unsaved changes.
        let mut open = !escape_pressed(ctx) || view.unsaved();
        let refused = self
            .register
            .operator
            .may(Permission::Roles)
            .err()
            .map(|r| r.sentence);
        view.window_ui(
            ctx,
            &mut open,
            &mut self.register.session,
            refused.as_deref(),
        );
        if std::mem::take(&mut view.changed) {
            self.read_operator();
        }
        if !open {
            self.roles_view = None;
        }
    }

    pub(super) fn about_window_ui(&mut self, ctx: &egui::Context) {
        let Some(about) = &self.about else {
            return;
        };
        let mut open = !escape_pressed(ctx);
        about.window_ui(ctx, &mut open);
        if !open {
            self.about = None;
        }
    }

    pub(super) fn settings_window_ui(&mut self, ctx: &egui::Context) {
        let Some(settings_view) = &mut self.settings_view else {
            return;
        };
        let mut open = !escape_pressed(ctx);
        let saved = settings_view.window_ui(ctx, &mut open, &mut self.register.session);
        if let Some(settings) = &saved {
            self.preparation = super::is_preparation(settings);
        }
        if let Some(settings) = saved
            && let Some(services) = &mut self.register.services
        {
            services.apply(&settings);
            // What the new settings keep from running is said in the status
            // line at once, instead of an older message.
            if !services.problems().is_empty() {
                self.notice = None;
            }
        }
        if !open {
            // Send test email may have found out what the server takes (it
            // is in the fields, and remembered in the register).
            if let Some(missing) = settings_view.smtputf8_missing() {
                self.smtputf8_missing = missing;
            }
            self.settings_view = None;
        }
    }
}
