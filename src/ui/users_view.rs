//! The Users view: breadcrumb, toolbar, search and filters, the list, and the
//! form of the chosen user beside it. The view owns only widget state; it
//! asks `app` to save and delete, and keeps its in-memory list current from
//! what `app` returns, so no frame reloads the register.

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};

use crate::app::{self, OpenedRegister, SaveUserError, Session};
use crate::domain::{ConnectionStatus, Listing, Sort, UserFilter, UserKey};

use super::format::{ERROR_RED, GREEN};
use super::user_form::{UserForm, user_form_ui};
use super::user_table::user_table_ui;

const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
const NEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::N);
const FIND: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);

/// Where the administrator wants to go; held while unsaved changes are asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Intent {
    /// Open this user's form.
    Select(UserKey),
    /// Open an empty form.
    New,
    /// Close the window.
    Close,
}

/// A message in the status bar.
struct Notice {
    text: String,
    is_error: bool,
}

/// The Users view.
// Each flag is a separate piece of widget state (a toggle, a one-frame request).
#[allow(clippy::struct_excessive_bools)]
pub struct UsersView {
    session: Session,
    listing: Listing,
    is_demo: bool,
    search: String,
    filter_open: bool,
    filter: UserFilter,
    selected: Option<UserKey>,
    form: Option<UserForm>,
    pending_intent: Option<Intent>,
    confirm_delete: Option<UserKey>,
    notice: Option<Notice>,
    scroll_to_selected: bool,
    focus_search: bool,
    close_confirmed: bool,
}

impl UsersView {
    /// The view of an opened register.
    pub fn new(opened: OpenedRegister) -> Self {
        Self {
            session: opened.session,
            listing: Listing::new(opened.users),
            is_demo: opened.is_demo,
            search: String::new(),
            filter_open: false,
            filter: UserFilter::default(),
            selected: None,
            form: None,
            pending_intent: None,
            confirm_delete: None,
            notice: None,
            scroll_to_selected: false,
            focus_search: false,
            close_confirmed: false,
        }
    }

    /// The list as it stands (for tests and benchmarks).
    pub fn listing(&self) -> &Listing {
        &self.listing
    }

    /// The session (for tests).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The user whose form is open, if a stored one is.
    pub fn selected(&self) -> Option<UserKey> {
        self.selected
    }

    /// Draws the view.
    pub fn ui(&mut self, ui: &mut Ui) {
        self.shortcuts(ui);
        self.close_request(ui.ctx());
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar_ui(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_ui(ui));
        egui::Panel::right("user_form")
            .default_size(460.0)
            .min_size(360.0)
            .show(ui, |ui| self.form_panel_ui(ui));
        egui::CentralPanel::default().show(ui, |ui| self.list_ui(ui));
        self.unsaved_changes_dialog_ui(ui.ctx());
        self.delete_dialog_ui(ui.ctx());
    }

    fn shortcuts(&mut self, ui: &Ui) {
        let ctx = ui.ctx();
        if ctx.input_mut(|i| i.consume_shortcut(&SAVE)) {
            self.save();
        }
        if ctx.input_mut(|i| i.consume_shortcut(&NEW)) {
            self.request(Intent::New);
        }
        if ctx.input_mut(|i| i.consume_shortcut(&FIND)) {
            self.focus_search = true;
        }
        let dialog_open = self.pending_intent.is_some() || self.confirm_delete.is_some();
        if !dialog_open && !ctx.egui_wants_keyboard_input() {
            let down = ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::ArrowDown));
            let up = ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::ArrowUp));
            if down || up {
                self.move_selection(if down { 1 } else { -1 });
            }
        }
    }

    fn close_request(&mut self, ctx: &egui::Context) {
        let unsaved = self
            .form
            .as_ref()
            .is_some_and(UserForm::has_unsaved_changes);
        if ctx.input(|i| i.viewport().close_requested()) && unsaved && !self.close_confirmed {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.pending_intent = Some(Intent::Close);
        }
    }

    fn move_selection(&mut self, step: isize) {
        let count = self.listing.visible_len();
        if count == 0 {
            return;
        }
        let next = match self.selected.and_then(|k| self.listing.visible_position(k)) {
            Some(position) => position.saturating_add_signed(step).min(count - 1),
            None => 0,
        };
        if let Some(record) = self.listing.visible(next) {
            let key = record.key;
            self.request(Intent::Select(key));
        }
    }

    /// Goes where asked, or first asks about unsaved changes.
    fn request(&mut self, intent: Intent) {
        if intent == Intent::Select(self.selected.unwrap_or(UserKey(i64::MIN)))
            && self.form.as_ref().is_some_and(|f| f.key.is_some())
        {
            return;
        }
        if self
            .form
            .as_ref()
            .is_some_and(UserForm::has_unsaved_changes)
        {
            self.pending_intent = Some(intent);
        } else {
            self.go(intent);
        }
    }

    fn go(&mut self, intent: Intent) {
        match intent {
            Intent::Select(key) => {
                self.form = self.listing.get(key).map(UserForm::edit);
                self.selected = self.form.as_ref().and(Some(key));
                self.scroll_to_selected = true;
            }
            Intent::New => {
                self.selected = None;
                self.form = Some(UserForm::new_user());
            }
            Intent::Close => {
                // The form is left as it is; the window closes.
                self.close_confirmed = true;
            }
        }
    }

    /// Saves the open form. Returns true when it was saved.
    fn save(&mut self) -> bool {
        let Some(form) = &mut self.form else {
            return false;
        };
        match app::save_user(&mut self.session, form.key, &form.draft) {
            Ok(record) => {
                let text = format!(
                    "Saved user {} {}.",
                    record.user.user_id,
                    record.user.display_name()
                );
                self.selected = Some(record.key);
                *form = UserForm::edit(&record);
                self.listing.upsert(record);
                self.scroll_to_selected = true;
                self.notice = Some(Notice {
                    text,
                    is_error: false,
                });
                true
            }
            Err(SaveUserError::Invalid(errors)) => {
                form.errors = errors;
                self.notice = Some(Notice {
                    text: SaveUserError::Invalid(form.errors.clone()).to_string(),
                    is_error: true,
                });
                false
            }
            Err(error) => {
                // The message may name an address: log only that it failed.
                tracing::warn!("saving a user failed");
                self.notice = Some(Notice {
                    text: error.to_string(),
                    is_error: true,
                });
                false
            }
        }
    }

    fn delete(&mut self, key: UserKey) {
        let title = self.form.as_ref().map(UserForm::title).unwrap_or_default();
        match app::delete_user(&mut self.session, key) {
            Ok(()) | Err(SaveUserError::NotFound) => {
                self.listing.remove(key);
                self.form = None;
                self.selected = None;
                self.notice = Some(Notice {
                    text: format!("Deleted user {title}."),
                    is_error: false,
                });
            }
            Err(error) => {
                self.notice = Some(Notice {
                    text: error.to_string(),
                    is_error: true,
                });
            }
        }
    }

    fn toolbar_ui(&mut self, ui: &mut Ui) {
        ui.add_space(4.0);
        ui.label(RichText::new("Users/Authorities > Users").weak());
        ui.horizontal(|ui| {
            let has_changes = self
                .form
                .as_ref()
                .is_some_and(UserForm::has_unsaved_changes);
            let can_delete = self.form.as_ref().and_then(|f| f.key).is_some();
            if ui
                .button("+ New")
                .on_hover_text("New user (Ctrl+N)")
                .clicked()
            {
                self.request(Intent::New);
            }
            if ui
                .add_enabled(has_changes, egui::Button::new("Save"))
                .on_hover_text("Save (Ctrl+S)")
                .clicked()
            {
                self.save();
            }
            if ui
                .add_enabled(can_delete, egui::Button::new("Delete"))
                .clicked()
            {
                self.confirm_delete = self.form.as_ref().and_then(|f| f.key);
            }
            if ui
                .add(egui::Button::new("Filter").selected(self.filter_open))
                .on_hover_text("Filter by department, office, connection and activation")
                .clicked()
            {
                self.filter_open = !self.filter_open;
            }
        });
        ui.add_space(2.0);
        ui.horizontal(|ui| {
            let search = ui.add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("Search (Ctrl+F)")
                    .desired_width(320.0),
            );
            let search = search.accessible_name("Search");
            if std::mem::take(&mut self.focus_search) {
                search.request_focus();
            }
            if search.changed() {
                self.filter.search.clone_from(&self.search);
            }
            let filtered = if self.filter.is_empty() {
                ""
            } else {
                " (filtered)"
            };
            ui.label(format!(
                "{} of {} users{filtered}",
                self.listing.visible_len(),
                self.listing.total()
            ));
        });
        if self.filter_open {
            self.filters_ui(ui);
        }
        self.listing.set_filter(self.filter.clone());
        if self.is_demo {
            ui.label(
                RichText::new(format!(
                    "Demo register: made-up users created on first run so you can try the program. Stored in {}.",
                    self.session.store.path().display()
                ))
                .color(egui::Color32::from_rgb(0x30, 0x70, 0xC0)),
            );
        }
        ui.add_space(4.0);
    }

    fn filters_ui(&mut self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            let departments: Vec<String> = self.listing.departments().map(str::to_owned).collect();
            let offices: Vec<String> = self.listing.offices().map(str::to_owned).collect();
            choice_ui(ui, "Department", &mut self.filter.department, &departments);
            choice_ui(ui, "Office", &mut self.filter.office, &offices);
            let status_text = self.filter.status.map_or("All", ConnectionStatus::label);
            egui::ComboBox::from_label("Visma Connect")
                .selected_text(status_text)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.status, None, "All");
                    for status in ConnectionStatus::ALL {
                        ui.selectable_value(&mut self.filter.status, Some(status), status.label());
                    }
                });
            let activated_text = match self.filter.activated {
                None => "All",
                Some(true) => "Activated",
                Some(false) => "Not activated",
            };
            egui::ComboBox::from_label("Activated")
                .selected_text(activated_text)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.activated, None, "All");
                    ui.selectable_value(&mut self.filter.activated, Some(true), "Activated");
                    ui.selectable_value(&mut self.filter.activated, Some(false), "Not activated");
                });
            if ui.button("Clear filters").clicked() {
                self.filter = UserFilter {
                    search: self.search.clone(),
                    ..UserFilter::default()
                };
            }
        });
    }

    fn list_ui(&mut self, ui: &mut Ui) {
        if self.listing.visible_len() == 0 {
            ui.add_space(24.0);
            ui.vertical_centered(|ui| {
                ui.label(if self.listing.total() == 0 {
                    "The register is empty. Press + New to add a user."
                } else {
                    "No user matches the search and filters."
                });
            });
            return;
        }
        let scroll_to = if std::mem::take(&mut self.scroll_to_selected) {
            self.selected.and_then(|k| self.listing.visible_position(k))
        } else {
            None
        };
        let output = user_table_ui(ui, &self.listing, self.selected, scroll_to);
        if let Some(column) = output.sort_by {
            let sort = self.listing.sort();
            self.listing.set_sort(Sort {
                column,
                descending: sort.column == column && !sort.descending,
            });
        }
        if let Some(key) = output.clicked {
            self.request(Intent::Select(key));
        }
    }

    fn form_panel_ui(&mut self, ui: &mut Ui) {
        egui::ScrollArea::vertical().show(ui, |ui| {
            if let Some(form) = &mut self.form {
                user_form_ui(ui, form);
            } else {
                ui.add_space(24.0);
                ui.label("Choose a user in the list, or press + New.");
                ui.weak("The Up and Down arrow keys move through the list.");
            }
        });
    }

    fn status_ui(&self, ui: &mut Ui) {
        ui.horizontal(|ui| match &self.notice {
            Some(notice) if notice.is_error => {
                ui.label(RichText::new(&notice.text).color(ERROR_RED));
            }
            Some(notice) => {
                ui.label(RichText::new(&notice.text).color(GREEN));
            }
            None => {
                ui.weak(self.session.store.path().display().to_string());
            }
        });
    }

    fn unsaved_changes_dialog_ui(&mut self, ctx: &egui::Context) {
        let Some(intent) = self.pending_intent else {
            return;
        };
        let title = self.form.as_ref().map(UserForm::title).unwrap_or_default();
        let mut answer = None;
        egui::Modal::new(egui::Id::unique("unsaved_changes")).show(ctx, |ui| {
            ui.set_max_width(380.0);
            ui.heading("Unsaved changes");
            ui.label(format!(
                "You have changed {title} without saving. Save the changes before you leave the form?"
            ));
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("Save changes").clicked() {
                    answer = Some(true);
                }
                if ui.button("Discard changes").clicked() {
                    answer = Some(false);
                }
                if ui.button("Cancel").clicked() {
                    self.pending_intent = None;
                }
            });
        });
        match answer {
            Some(true) => {
                self.pending_intent = None;
                if self.save() {
                    self.go(intent);
                }
            }
            Some(false) => {
                self.pending_intent = None;
                if let Some(form) = &mut self.form {
                    form.draft = form.original.clone();
                }
                self.go(intent);
            }
            None => {}
        }
        if self.close_confirmed {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    fn delete_dialog_ui(&mut self, ctx: &egui::Context) {
        let Some(key) = self.confirm_delete else {
            return;
        };
        let title = self.form.as_ref().map(UserForm::title).unwrap_or_default();
        egui::Modal::new(egui::Id::unique("confirm_delete")).show(ctx, |ui| {
            ui.set_max_width(380.0);
            ui.heading("Delete user");
            ui.label(format!(
                "Delete user {title}? The connection to Visma Connect is removed too. This cannot be undone."
            ));
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("Delete user").clicked() {
                    self.confirm_delete = None;
                    self.delete(key);
                }
                if ui.button("Cancel").clicked() {
                    self.confirm_delete = None;
                }
            });
        });
    }
}

/// A combo box over the given values, with "All" for no filter.
fn choice_ui(ui: &mut Ui, label: &str, value: &mut Option<String>, choices: &[String]) {
    egui::ComboBox::from_label(label)
        .selected_text(value.as_deref().unwrap_or("All"))
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, "All");
            for choice in choices {
                ui.selectable_value(value, Some(choice.clone()), choice);
            }
        });
}
