//! The Users view: breadcrumb, toolbar, search and filters, the list, and the
//! form of the chosen user beside it. The view owns only widget state; it
//! asks `app` to save and delete, and keeps its in-memory list current from
//! what `app` returns, so no frame reloads the register.
//!
//! Its parts: `state` (the register it draws from: session, services,
//! operator, change watch, listing), `commands` (what every button and
//! shortcut asks for, carried out in one place once a frame), `toolbar`,
//! `panels` (list, form, status line), `windows` and `dialogs` beside the
//! list, `navigation` (keys, selection, going somewhere), `saving`, `jobs`
//! (the form's work and its results), `background` and `form_work` (the
//! work a shared register does off the UI thread).

use egui::{Key, KeyboardShortcut, Modifiers, Ui};

use crate::app::Location;
use crate::app::services::Services;
use crate::app::{self, OpenedRegister, Session};
use crate::domain::{Listing, UserFilter, UserKey, UserRecord};

use super::about_view::AboutView;
use super::bulk_view::{BulkView, bulk_ui};
use super::register_view::{OpenRequest, RegisterDialog};
use super::settings_view::SettingsView;
use super::sheet_view::SheetView;
use super::user_form::UserForm;

mod background;
mod commands;
mod dialogs;
mod form_work;
mod jobs;
mod navigation;
mod panels;
mod saving;
mod state;
mod toolbar;
mod windows;

use dialogs::Dialog;
use form_work::{AfterSave, Job};
use state::RegisterState;

const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
const NEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::N);
const FIND: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);

/// Where the list's sort is remembered with the window.
fn sort_memory_id() -> egui::Id {
    egui::Id::unique("hrm-users-list-sort")
}

/// Where the administrator wants to go; held while unsaved changes are asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Intent {
    /// Open this user's form.
    Select(UserKey),
    /// Open an empty form.
    New,
    /// Close the window.
    Close,
    /// Switch to the register in `switch_pending`.
    SwitchRegister,
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
    /// The register and who is working on it: what every part of the view
    /// draws from.
    register: RegisterState,
    search: String,
    filter_open: bool,
    filter: UserFilter,
    selected: Option<UserKey>,
    form: Option<UserForm>,
    /// The question being asked, if any.
    dialog: Option<Dialog>,
    /// What buttons and shortcuts asked for this frame.
    commands: Vec<commands::Command>,
    notice: Option<Notice>,
    scroll_to_selected: bool,
    focus_search: bool,
    close_confirmed: bool,
    register_dialog: Option<RegisterDialog>,
    /// A register chosen in the Register menu, waiting for unsaved changes.
    switch_pending: Option<OpenRequest>,
    /// The register to switch to; the window takes it after this frame.
    switch_to: Option<OpenRequest>,
    /// This OS user's registers, the last used first (read when opening).
    recent: Vec<Location>,
    settings_view: Option<SettingsView>,
    about: Option<AboutView>,
    /// *Users/Authorities › Roles*, when open.
    roles_view: Option<super::roles_view::RolesView>,
    bulk: Option<BulkView>,
    sheet: Option<SheetView>,
    /// The configured SMTP server was found (by *Send test email*) not to
    /// take addresses with letters outside ASCII before the @.
    smtputf8_missing: bool,
    /// Visma Connect is in its preparation phase (as read at the start or
    /// saved in Settings here): Delete connection then invites the employee.
    preparation: bool,
    /// Close was confirmed with emails still waiting.
    close_with_waiting: bool,
    /// The operator confirmed a Save that takes their own rights.
    losing_rights_confirmed: bool,
    /// Rows the list showed in the last frame: how far Page Up and Page Down move.
    rows_per_page: usize,
    /// A shared register's reads and the form's work, off the UI thread.
    background: background::Background,
    /// Where the administrator asked to go while the form was saving: gone
    /// to once the Save landed.
    after_saving: Option<Intent>,
    /// True once the list's sort this OS user chose last was restored.
    sort_restored: bool,
}

impl UsersView {
    /// The view of an opened register, with no worker or endpoint (tests).
    pub fn new(opened: OpenedRegister) -> Self {
        let changes = app::ChangeWatch::from(&opened.session, opened.change_stamp);
        // Read with the users, off the UI thread (here only in tests).
        let operator = opened.operator.map_or_else(
            || app::operator::operator(&opened.session).unwrap_or_default(),
            |operator| *operator,
        );
        let settings = opened
            .settings
            .map(|settings| *settings)
            .or_else(|| opened.session.load_settings().ok());
        let smtputf8_missing = settings
            .as_ref()
            .is_some_and(crate::domain::Settings::server_lacks_smtputf8);
        let preparation = settings.as_ref().is_some_and(is_preparation);
        Self {
            register: RegisterState {
                session: opened.session,
                listing: Listing::new(opened.users),
                is_demo: opened.is_demo,
                damaged_users: opened.damaged_users,
                services: None,
                operator,
                changes,
                next_poll_secs: 0.0,
            },
            search: String::new(),
            filter_open: false,
            filter: UserFilter::default(),
            selected: None,
            form: None,
            dialog: None,
            commands: Vec::new(),
            notice: None,
            scroll_to_selected: false,
            focus_search: false,
            close_confirmed: false,
            register_dialog: None,
            switch_pending: None,
            switch_to: None,
            recent: Vec::new(),
            settings_view: None,
            about: None,
            roles_view: None,
            bulk: None,
            sheet: None,
            rows_per_page: 20,
            smtputf8_missing,
            preparation,
            close_with_waiting: false,
            losing_rights_confirmed: false,
            background: background::Background::new(),
            after_saving: None,
            sort_restored: false,
        }
    }

    /// The view with the outbox worker and verification endpoint running
    /// beside it (started where the register was opened, off the UI thread:
    /// [`Services::start_for_window`]).
    pub fn with_services(opened: OpenedRegister, services: Services) -> Self {
        let mut view = Self::new(opened);
        // A part that did not start is said in the status line for as long
        // as it is not running (`status_ui`).
        view.register.services = Some(services);
        view
    }

    /// The form of a stored user, with its details: read here from a
    /// register file, and on a shared register off the UI thread (the form
    /// says it is loading until they are there).
    fn open_form(&mut self, record: &UserRecord) -> UserForm {
        if self.register.session.location().is_shared() {
            self.background
                .start_details(&self.register.session, record.key);
            let mut form = UserForm::edit(record, app::UserDetails::default());
            form.loading = true;
            return form;
        }
        let details = app::user_details(&self.register.session, record.key).unwrap_or_default();
        UserForm::edit(record, details)
    }

    /// Puts the details read off the UI thread into the form they were read
    /// for (nothing of it can have changed while it was loading).
    fn take_details(&mut self) {
        let Some(form) = self.form.as_mut().filter(|f| f.loading) else {
            return;
        };
        let (Some(key), Some(record)) = (form.key, form.record.clone()) else {
            return;
        };
        match self.background.take_details(key) {
            Some(Ok(details)) => {
                let tab = form.tab;
                *form = UserForm::edit(&record, details);
                form.tab = tab;
            }
            Some(Err(error)) => {
                form.loading = false;
                self.notice = Some(Notice {
                    text: error,
                    is_error: true,
                });
            }
            None => {}
        }
    }

    /// Picks up what other connections changed (the endpoint confirming a
    /// link, the worker delivering): a cheap check a few times a second.
    fn poll_changes(&mut self, ctx: &egui::Context) {
        // Keep looking while idle: another program may change the register.
        ctx.request_repaint_after(std::time::Duration::from_millis(250));
        let now = ctx.input(|i| i.time);
        if now < self.register.next_poll_secs {
            return;
        }
        self.register.next_poll_secs = now + 0.2;
        if self.register.session.location().is_shared() {
            // The check is the notifications already received; the changed
            // users are read off the UI thread (one read at a time: a change
            // meanwhile is read once it is done).
            if !self.background.changes_running()
                && self.register.changes.changed(&self.register.session)
            {
                self.background
                    .start_changes(&self.register.session, self.register.changes.since());
            }
        } else if let Some(changed) = self.register.changes.changes(&self.register.session) {
            self.changed(ctx, changed);
        }
    }

    /// Shows what other programs changed: the list, the form, the
    /// operator's rights (each change stamps the user) and the Roles window.
    fn changed(&mut self, ctx: &egui::Context, changed: Vec<crate::domain::UserRecord>) {
        self.register.listing.upsert_many(changed);
        self.refresh_form();
        self.read_operator();
        if let Some(view) = &mut self.roles_view {
            view.refresh(ctx, &mut self.register.session);
        }
    }

    /// *Make me System administrator*: the first System administrator is
    /// the person working; the banner and the buttons follow once it is
    /// done (at once on a register file, off the UI thread on a shared one).
    fn make_me_system_administrator(&mut self) {
        self.start_job(Job::MakeMeSystemAdministrator);
    }

    /// Reads the operator's rights again: here from a register file, off
    /// the UI thread from a shared register.
    fn read_operator(&mut self) {
        if self.register.session.location().is_shared() {
            self.background.start_operator(&self.register.session);
        } else if let Ok(operator) = app::operator::operator(&self.register.session) {
            self.register.operator = operator;
        }
    }

    /// Reads the open form's user again (another program changed them):
    /// here from a register file, off the UI thread from a shared register.
    fn refresh_form(&mut self) {
        let Some(key) = self.form.as_ref().and_then(|f| f.key) else {
            return;
        };
        if self.register.session.location().is_shared() {
            self.background.start_refresh(&self.register.session, key);
            return;
        }
        let Ok(Some(record)) = self.register.session.user(key) else {
            return;
        };
        let details = app::user_details(&self.register.session, key).unwrap_or_default();
        self.show_reread(record, details);
    }

    /// Shows `record` as read again, in the list and, when it is the open
    /// form's user, in the form (keeping what the form has unsaved).
    fn show_reread(&mut self, record: UserRecord, details: app::UserDetails) {
        if let Some(form) = self.form.as_mut().filter(|f| f.key == Some(record.key)) {
            // The status bar spoke of the connection as it was ("queued …"):
            // once it has moved on (the employee confirmed), it says nothing.
            let moved_on = form
                .record
                .as_ref()
                .is_some_and(|old| old.connection != record.connection);
            if moved_on {
                self.notice = None;
            }
            form.refresh(&record, details);
            // The message did not go out: the status line says what the
            // form says, not a green "queued".
            if let Some((problem, to)) = form.delivery_problem()
                && self
                    .notice
                    .as_ref()
                    .is_some_and(|n| !n.is_error && n.text.contains(&to))
            {
                self.notice = Some(Notice {
                    text: problem,
                    is_error: true,
                });
            }
        }
        self.register.listing.upsert(record);
    }

    /// The list as it stands (for tests and benchmarks).
    pub fn listing(&self) -> &Listing {
        &self.register.listing
    }

    /// The session (for tests).
    pub fn session(&self) -> &Session {
        &self.register.session
    }

    /// The user whose form is open, if a stored one is.
    pub fn selected(&self) -> Option<UserKey> {
        self.selected
    }

    /// Draws the view.
    pub fn ui(&mut self, ui: &mut Ui) {
        self.background.ctx = ui.ctx().clone();
        self.take_details();
        self.take_background_work();
        self.shortcuts(ui);
        self.close_request(ui.ctx());
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar_ui(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_ui(ui));
        // The form never takes more than half the window: the list keeps
        // its name and connection columns down to 800 px.
        // (A first frame before the window has its size does not count.)
        let width = ui.available_width();
        let max = if width >= 600.0 {
            (width * 0.5).max(360.0)
        } else {
            f32::INFINITY
        };
        // A small window starts with the form at its least, so the list
        // keeps its names whole beside it.
        let first = if width < 1000.0 { 360.0 } else { 420.0 };
        egui::Panel::right("user_form")
            .default_size(first)
            .min_size(360.0)
            .max_size(max)
            .show(ui, |ui| self.form_panel_ui(ui));
        let form_edge = ui.scope_id().with("user_form").with("__resize");
        super::a11y::splitter(ui.ctx(), form_edge, || t!("form-resize"));
        egui::CentralPanel::default().show(ui, |ui| self.list_ui(ui));
        self.run_commands();
        self.dialog_ui(ui.ctx());
        self.register_dialog_ui(ui.ctx());
        self.settings_window_ui(ui.ctx());
        self.about_window_ui(ui.ctx());
        self.roles_window_ui(ui.ctx());
        if let Some(bulk) = &mut self.bulk
            && !bulk_ui(
                ui.ctx(),
                bulk,
                &self.register.session,
                self.register.services.as_ref(),
            )
        {
            self.bulk = None;
        }
        self.sheet_window_ui(ui.ctx());
        self.poll_changes(ui.ctx());
        super::a11y::window_edges_named(ui.ctx());
        super::a11y::give_back_focus(ui.ctx());
    }

    /// The register the administrator chose to switch to (taken once, by the
    /// window, which then opens it).
    pub fn take_switch(&mut self) -> Option<OpenRequest> {
        self.switch_to.take()
    }

    /// The recent registers the Register menu lists.
    pub fn set_recent(&mut self, recent: Vec<Location>) {
        self.recent = recent;
    }

    /// Shows `text` in the status bar.
    pub fn say(&mut self, text: String, is_error: bool) {
        self.notice = Some(Notice { text, is_error });
    }
}

/// True in Visma Connect's preparation phase.
fn is_preparation(settings: &crate::domain::Settings) -> bool {
    settings.visma_connect_phase == crate::domain::VismaConnectPhase::Preparation
}
