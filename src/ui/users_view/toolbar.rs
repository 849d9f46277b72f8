//! The Users view's toolbar (New, Save, Delete, Register, Verify accounts,
//! Import, Export, Download template, Go to roles, Filter, Settings,
//! About), its search row and filters, and the Register menu's dialogs.
//! What they ask for is a `Command`, carried out in `commands`.

use egui::{Key, Modifiers, RichText, Ui};

use crate::app::services::Services;
use crate::domain::ConnectionStatus;
use crate::domain::roles::Permission;

use super::super::bulk_view::BulkView;
use super::super::format::{escape_pressed, gated_button};
use super::super::register_view::{
    OpenRequest, RegisterChoice, RegisterMenuPick, register_dialog_ui, register_menu_ui,
};
use super::super::user_form::UserForm;
use super::commands::Command;
use super::{Intent, UsersView};

impl UsersView {
    /// The Register menu: a new file, another file, a shared register, the recent ones.
    pub(super) fn register_menu_ui(&mut self, ui: &mut Ui) {
        match register_menu_ui(ui, self.register.session.location(), &self.recent) {
            Some(RegisterMenuPick::Dialog(dialog)) => {
                self.ask(Command::OpenRegisterDialog(Box::new(dialog)));
            }
            Some(RegisterMenuPick::Recent(location)) => {
                self.ask(Command::SwitchRegister(OpenRequest::plain(location)));
            }
            None => {}
        }
    }

    pub(super) fn register_dialog_ui(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.register_dialog else {
            return;
        };
        match register_dialog_ui(ctx, dialog) {
            Some(RegisterChoice::Open(request)) => {
                self.register_dialog = None;
                self.ask(Command::SwitchRegister(request));
            }
            Some(RegisterChoice::Closed) => self.register_dialog = None,
            None if escape_pressed(ctx) => self.register_dialog = None,
            None => {}
        }
    }

    pub(super) fn sheet_buttons_ui(&mut self, ui: &mut Ui) {
        let refused = self.register.refusal(Permission::ImportExport);
        let refused = refused.as_deref();
        if gated_button(ui, true, &t!("toolbar-import"), refused)
            .on_hover_text(t!("toolbar-import.hint"))
            .clicked()
        {
            self.ask(Command::OpenImport);
        }
        if gated_button(ui, true, &t!("toolbar-export"), refused)
            .on_hover_text(t!("toolbar-export.hint"))
            .clicked()
        {
            self.ask(Command::OpenExport);
        }
        if gated_button(ui, true, &t!("toolbar-template"), refused).clicked() {
            self.ask(Command::OpenTemplate);
        }
    }

    /// `Verify accounts`: the confirmation for everyone the list shows.
    pub(super) fn verify_accounts_button_ui(&mut self, ui: &mut Ui) {
        let busy = matches!(self.bulk, Some(BulkView::Running(_)));
        let enabled = !busy && self.register.listing.visible_len() > 0;
        let refused = self.register.refusal(Permission::VerifyAccounts);
        if gated_button(
            ui,
            enabled,
            &t!("toolbar-verify-accounts"),
            refused.as_deref(),
        )
        .on_hover_text(t!("toolbar-verify-accounts.hint"))
        .clicked()
        {
            self.ask(Command::VerifyAccounts);
        }
    }

    /// New, Save, Delete: they ask, `run_commands` acts.
    fn edit_buttons_ui(&mut self, ui: &mut Ui) {
        let has_changes = self
            .form
            .as_ref()
            .is_some_and(UserForm::has_unsaved_changes);
        // Nothing new starts while the form waits for the register.
        let busy = self.form.as_ref().is_some_and(UserForm::is_busy);
        let has_changes = has_changes && !busy;
        let can_delete = self.form.as_ref().and_then(|f| f.key).is_some() && !busy;
        let edit = self.register.refusal(Permission::UsersEdit);
        if gated_button(ui, true, &t!("toolbar-new"), edit.as_deref())
            .on_hover_text(t!("toolbar-new.hint"))
            .clicked()
        {
            self.ask(Command::Request(Intent::New));
        }
        if gated_button(ui, has_changes, &t!("toolbar-save"), edit.as_deref())
            .on_hover_text(t!("toolbar-save.hint"))
            .clicked()
        {
            self.ask(Command::Save);
        }
        if gated_button(ui, can_delete, &t!("toolbar-delete"), edit.as_deref()).clicked() {
            self.ask(Command::AskDelete);
        }
    }

    pub(super) fn toolbar_ui(&mut self, ui: &mut Ui) {
        ui.add_space(4.0);
        ui.label(RichText::new(t!("view-path")).weak());
        ui.horizontal_wrapped(|ui| {
            self.edit_buttons_ui(ui);
            self.register_menu_ui(ui);
            self.verify_accounts_button_ui(ui);
            self.sheet_buttons_ui(ui);
            if ui
                .button(t!("toolbar-go-to-roles"))
                .on_hover_text(t!("toolbar-go-to-roles.hint"))
                .clicked()
            {
                self.ask(Command::GoToRoles);
            }
            if ui
                .add(egui::Button::new(t!("toolbar-filter")).selected(self.filter_open))
                .on_hover_text(t!("toolbar-filter.hint"))
                .clicked()
            {
                self.ask(Command::ToggleFilter);
            }
            // About and Settings keep to the right; on a narrow window they
            // go to a line of their own rather than over the other buttons,
            // and the endpoint's address is left to About.
            let links = self
                .register
                .services
                .as_ref()
                .and_then(Services::endpoint_address)
                .map(|address| t!("links-served-on", address = address.to_string()));
            let right = 200.0 + if links.is_some() { 260.0 } else { 0.0 };
            // What is left of this line (a wrapping layout reports its
            // whole width as available).
            let left_on_line = |ui: &Ui| ui.max_rect().right() - ui.cursor().min.x;
            if left_on_line(ui) < 200.0 {
                ui.end_row();
            }
            let show_links = left_on_line(ui) >= right;
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .button(t!("toolbar-about"))
                    .on_hover_text(t!("toolbar-about.hint"))
                    .clicked()
                {
                    self.ask(Command::OpenAbout);
                }
                let settings = self.register.refusal(Permission::Settings);
                if gated_button(ui, true, &t!("toolbar-settings"), settings.as_deref())
                    .on_hover_text(t!("toolbar-settings.hint"))
                    .clicked()
                {
                    self.ask(Command::OpenSettings);
                }
                if let Some(links) = links.filter(|_| show_links) {
                    ui.weak(links);
                }
            });
        });
        ui.add_space(2.0);
        self.search_row_ui(ui);
        if self.filter_open {
            self.filters_ui(ui);
        }
        self.register.listing.set_filter(self.filter.clone());
        self.banners_ui(ui);
        ui.add_space(4.0);
    }

    /// What the person working should know about the register: nobody is
    /// System administrator yet, damaged rows, the demo register.
    fn banners_ui(&mut self, ui: &mut Ui) {
        if !self.register.operator.enforced {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(t!("operator-no-administrator"))
                        .color(egui::Color32::from_rgb(0xB0, 0x6A, 0x00)),
                );
                // Only the person working can be the first: giving it to
                // someone else first would lock them out at once.
                let is_user = self.register.operator.user.is_some();
                let button = ui
                    .add_enabled(
                        is_user,
                        egui::Button::new(t!("make-me-system-administrator")),
                    )
                    .on_hover_text(t!("make-me-system-administrator.hint"))
                    .on_disabled_hover_text(t!(
                        "roles-not-an-hrm-user",
                        login = self.register.operator.login.as_str()
                    ));
                if button.clicked() {
                    self.ask(Command::MakeMeSystemAdministrator);
                }
            });
        }
        if self.register.damaged_users > 0 {
            // Said in words, with where to look; the rest works as usual.
            let said = ui.label(
                RichText::new(t!(
                    "damaged-users-banner",
                    count = self.register.damaged_users
                ))
                .color(super::super::format::ERROR_RED),
            );
            super::super::a11y::live(&said);
        }
        if self.register.is_demo {
            // A shared register is no file of its own.
            let location = self.register.session.location();
            let banner = if location.is_shared() {
                t!("demo-banner-shared", register = location.to_string())
            } else {
                t!("demo-banner", file = location.to_string())
            };
            ui.label(RichText::new(banner).color(egui::Color32::from_rgb(0x30, 0x70, 0xC0)));
        }
    }

    /// The search box and the count of users shown.
    pub(super) fn search_row_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let id = egui::Id::unique("users-search");
            // Focused before the box is drawn, so what is typed with Ctrl+F
            // (in the same frame's input) lands in it.
            if std::mem::take(&mut self.focus_search) {
                ui.memory_mut(|memory| memory.request_focus(id));
            }
            let search = ui.add(
                egui::TextEdit::singleline(&mut self.search)
                    .id(id)
                    .hint_text(t!("search-hint"))
                    .desired_width(320.0),
            );
            let search = search.accessible_name(t!("search"));
            // Down leaves the search box for the list, at its first user
            // (or the one after the selected user).
            if search.has_focus()
                && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::ArrowDown))
            {
                search.surrender_focus();
                self.run_command(Command::MoveSelection(isize::from(self.selected.is_some())));
            }
            if search.changed() {
                self.filter.search.clone_from(&self.search);
            }
            let shown = self.register.listing.visible_len();
            let total = self.register.listing.total();
            ui.label(if self.filter.is_empty() {
                t!("list-count", shown = shown, total = total)
            } else {
                t!("list-count-filtered", shown = shown, total = total)
            });
        });
    }

    pub(super) fn filters_ui(&mut self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            let departments: Vec<String> = self
                .register
                .listing
                .departments()
                .map(str::to_owned)
                .collect();
            let offices: Vec<String> = self.register.listing.offices().map(str::to_owned).collect();
            choice_ui(
                ui,
                &t!("field-department"),
                &mut self.filter.department,
                &departments,
            );
            choice_ui(ui, &t!("field-office"), &mut self.filter.office, &offices);
            let status_text = self
                .filter
                .status
                .map_or_else(|| t!("filter-all"), ConnectionStatus::label);
            labelled_combo_ui(ui, "Visma Connect", status_text, |ui| {
                ui.selectable_value(&mut self.filter.status, None, t!("filter-all"));
                for status in ConnectionStatus::ALL {
                    ui.selectable_value(&mut self.filter.status, Some(status), status.label());
                }
            });
            let activated_text = match self.filter.activated {
                None => t!("filter-all"),
                Some(true) => t!("filter-activated"),
                Some(false) => t!("filter-not-activated"),
            };
            labelled_combo_ui(ui, &t!("column-activated"), activated_text, |ui| {
                ui.selectable_value(&mut self.filter.activated, None, t!("filter-all"));
                ui.selectable_value(
                    &mut self.filter.activated,
                    Some(true),
                    t!("filter-activated"),
                );
                ui.selectable_value(
                    &mut self.filter.activated,
                    Some(false),
                    t!("filter-not-activated"),
                );
            });
            if ui.button(t!("filter-clear")).clicked() {
                self.ask(Command::ClearFilters);
            }
        });
    }
}

/// A combo box over the given values, with "All" for no filter.
fn choice_ui(ui: &mut Ui, label: &str, value: &mut Option<String>, choices: &[String]) {
    let selected = value.clone().unwrap_or_else(|| t!("filter-all"));
    labelled_combo_ui(ui, label, selected, |ui| {
        ui.selectable_value(value, None, t!("filter-all"));
        for choice in choices {
            ui.selectable_value(value, Some(choice.clone()), choice);
        }
    });
}

/// A drop-down with its label in front of it, as a filter bar reads
/// ("Department [All▼]"); the label is also its name for screen readers.
fn labelled_combo_ui(
    ui: &mut Ui,
    label: &str,
    selected: impl Into<egui::WidgetText>,
    choices_ui: impl FnOnce(&mut Ui),
) {
    ui.horizontal(|ui| {
        let id_salt = ("labelled combo", label);
        let label = ui.label(label);
        egui::ComboBox::from_id_salt(id_salt)
            .selected_text(selected)
            .show_ui(ui, choices_ui)
            .response
            .labelled_by(label.id);
    });
}
