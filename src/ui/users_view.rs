//! The Users view: breadcrumb, toolbar, search and filters, the list, and the
//! form of the chosen user beside it. The view owns only widget state; it
//! asks `app` to save and delete, and keeps its in-memory list current from
//! what `app` returns, so no frame reloads the register.

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};

use crate::app::services::{Services, StartEndpoint};
use crate::app::{self, OpenedRegister, SaveUserError, Session};
use crate::domain::roles::Permission;
use crate::domain::{Listing, Sort, UserFilter, UserKey, UserRecord};

use super::about_view::AboutView;
use super::bulk_view::{BulkView, bulk_ui};
use super::conflict_dialog::Conflict;
use super::file_chooser::Chooser;
use super::format::{ERROR_RED, GREEN};
use super::register_view::{OpenRequest, RegisterDialog};
use super::settings_view::SettingsView;
use super::sheet_view::SheetView;
use super::user_form::{FormAction, UserForm, user_form_ui};
use super::user_table::{list_has_focus, rows_in, user_table_ui};
use crate::app::Location;

mod background;
mod dialogs;
mod form_work;
mod toolbar;
mod windows;

use dialogs::Dialog;
use form_work::{AfterSave, ConnectionJob, Done, Job};

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
    session: Session,
    listing: Listing,
    is_demo: bool,
    /// User rows the register holds that could not be read when it was
    /// opened (left out of the list).
    damaged_users: usize,
    search: String,
    filter_open: bool,
    filter: UserFilter,
    selected: Option<UserKey>,
    form: Option<UserForm>,
    /// The question being asked, if any.
    dialog: Option<Dialog>,
    /// What buttons and shortcuts asked for this frame.
    commands: Vec<toolbar::Command>,
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
    services: Option<Services>,
    settings_view: Option<SettingsView>,
    about: Option<AboutView>,
    /// *Users/Authorities › Roles*, when open.
    roles_view: Option<super::roles_view::RolesView>,
    /// Who is working and what their roles permit (read again on changes).
    operator: app::operator::Operator,
    bulk: Option<BulkView>,
    sheet: Option<SheetView>,
    /// What other programs changed since the last look.
    changes: app::ChangeWatch,
    next_poll_secs: f64,
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
            session: opened.session,
            listing: Listing::new(opened.users),
            is_demo: opened.is_demo,
            damaged_users: opened.damaged_users,
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
            services: None,
            settings_view: None,
            about: None,
            roles_view: None,
            operator,
            bulk: None,
            sheet: None,
            changes,
            next_poll_secs: 0.0,
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

    /// The view with the outbox worker and verification endpoint running beside it.
    pub fn with_services(opened: OpenedRegister, start_endpoint: StartEndpoint) -> Self {
        let settings = opened.settings.clone();
        let mut view = Self::new(opened);
        let settings = settings
            .map(|settings| *settings)
            .or_else(|| view.session.load_settings().ok())
            .unwrap_or_default();
        let services = Services::start(
            view.session.location(),
            view.session.clock.clone(),
            &settings,
            crate::app::services::Runner::Window,
            start_endpoint,
        );
        // A part that did not start is said in the status line for as long
        // as it is not running (`status_ui`).
        view.services = Some(services);
        view
    }

    /// The form of a stored user, with its details: read here from a
    /// register file, and on a shared register off the UI thread (the form
    /// says it is loading until they are there).
    fn open_form(&mut self, record: &UserRecord) -> UserForm {
        if self.session.location().is_shared() {
            self.background.start_details(&self.session, record.key);
            let mut form = UserForm::edit(record, app::UserDetails::default());
            form.loading = true;
            return form;
        }
        let details = app::user_details(&self.session, record.key).unwrap_or_default();
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
        if now < self.next_poll_secs {
            return;
        }
        self.next_poll_secs = now + 0.2;
        if self.session.location().is_shared() {
            // The check is the notifications already received; the changed
            // users are read off the UI thread (one read at a time: a change
            // meanwhile is read once it is done).
            if !self.background.changes_running() && self.changes.changed(&self.session) {
                self.background
                    .start_changes(&self.session, self.changes.since());
            }
        } else if let Some(changed) = self.changes.changes(&self.session) {
            self.changed(ctx, changed);
        }
    }

    /// Shows what other programs changed: the list, the form, the
    /// operator's rights (each change stamps the user) and the Roles window.
    fn changed(&mut self, ctx: &egui::Context, changed: Vec<crate::domain::UserRecord>) {
        self.listing.upsert_many(changed);
        self.refresh_form();
        self.read_operator();
        if let Some(view) = &mut self.roles_view {
            view.refresh(ctx, &mut self.session);
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
        if self.session.location().is_shared() {
            self.background.start_operator(&self.session);
        } else if let Ok(operator) = app::operator::operator(&self.session) {
            self.operator = operator;
        }
    }

    /// Why the operator may not do what `permission` covers; `None` when they may.
    fn refusal(&self, permission: Permission) -> Option<String> {
        self.operator.may(permission).err().map(|r| r.sentence)
    }

    /// Reads the open form's user again (another program changed them):
    /// here from a register file, off the UI thread from a shared register.
    fn refresh_form(&mut self) {
        let Some(key) = self.form.as_ref().and_then(|f| f.key) else {
            return;
        };
        if self.session.location().is_shared() {
            self.background.start_refresh(&self.session, key);
            return;
        }
        let Ok(Some(record)) = self.session.user(key) else {
            return;
        };
        let details = app::user_details(&self.session, key).unwrap_or_default();
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
        self.listing.upsert(record);
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
            && !bulk_ui(ui.ctx(), bulk, &self.session, self.services.as_ref())
        {
            self.bulk = None;
        }
        self.sheet_window_ui(ui.ctx());
        self.poll_changes(ui.ctx());
        super::a11y::window_edges_named(ui.ctx());
        super::a11y::give_back_focus(ui.ctx());
    }

    /// Runs a connection button of the form.
    fn form_action(&mut self, action: FormAction) {
        let Some(form) = &self.form else {
            return;
        };
        let job = match action {
            FormAction::VerifyAccount => {
                // A new or changed user is saved first; the Save then verifies.
                if form.key.is_none() || form.has_unsaved_changes() {
                    self.save_checked(true, AfterSave::Verify);
                    return;
                }
                ConnectionJob::Verify
            }
            FormAction::ImportAccountCodes => {
                match self.refusal(Permission::ImportExport) {
                    Some(why) => {
                        self.notice = Some(Notice {
                            text: why,
                            is_error: true,
                        });
                    }
                    None => self.sheet = Some(SheetView::ChooseCodes(Chooser::default())),
                }
                return;
            }
            FormAction::RetryIdpPush => ConnectionJob::RetryPush,
            FormAction::ResetPassword => ConnectionJob::ResetPassword,
            FormAction::DeleteConnection => {
                // One settings read when the question opens, not per frame;
                // on a shared register the phase as last read or saved here
                // (no read on the UI thread).
                let preparation = if self.session.location().is_shared() {
                    self.preparation
                } else {
                    self.session
                        .load_settings()
                        .is_ok_and(|s| is_preparation(&s))
                };
                let email = form
                    .record
                    .as_ref()
                    .and_then(|r| r.user.email.as_ref().map(ToString::to_string));
                let note = preparation.then(|| match email {
                    Some(address) => t!("delete-connection-invites", address = address),
                    None => t!("delete-connection-no-email"),
                });
                if let Some(key) = form.key {
                    self.dialog = Some(Dialog::DeleteConnection { key, note });
                }
                return;
            }
        };
        if let Some(key) = form.key {
            self.start_job(Job::Connection(key, job));
        }
    }

    /// Starts the form's `job`: done at once on a register file; on a
    /// shared register off the UI thread, the form saying that it works.
    /// Nothing starts while other work of the form is under way.
    fn start_job(&mut self, job: Job) {
        if !self.session.location().is_shared() {
            let done = form_work::run(&mut self.session, job);
            self.job_done(done);
            return;
        }
        let working = match &job {
            Job::Save(_) => t!("form-saving"),
            Job::Connection(..) | Job::DeleteUser { .. } | Job::MakeMeSystemAdministrator => {
                t!("form-working")
            }
        };
        if !self.background.start_job(&self.session, job) {
            self.notice = Some(Notice {
                text: t!("status-still-working"),
                is_error: true,
            });
        } else if let Some(form) = &mut self.form {
            form.working = Some(working);
        }
    }

    /// The emails still waiting were counted after a request to close (on a
    /// shared register): asks when some wait, else closes (also when the
    /// count failed: the register did not answer, the emails stay queued).
    fn waiting_counted(&mut self, counted: &Result<usize, String>) {
        match counted {
            Ok(waiting) if *waiting > 0 => {
                self.dialog = Some(Dialog::CloseWithWaiting(*waiting));
            }
            _ => {
                self.close_with_waiting = true;
                self.background
                    .ctx
                    .send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    /// Takes what the work off the UI thread finished since the last frame.
    fn take_background_work(&mut self) {
        if let Some(done) = self.background.take_job() {
            if let Some(form) = &mut self.form {
                form.working = None;
            }
            match done {
                Ok(done) => self.job_done(done),
                Err(error) => {
                    // The work could not run (the register could not be
                    // reached): nothing was saved, the form keeps its edits.
                    self.after_saving = None;
                    self.notice = Some(Notice {
                        text: error,
                        is_error: true,
                    });
                }
            }
        }
        if let Some((_, Some((record, details)))) = self.background.take_refresh() {
            self.show_reread(record, details);
        }
        if let Some(operator) = self.background.take_operator() {
            self.operator = operator;
        }
        if let Some(counted) = self.background.take_waiting_count() {
            self.waiting_counted(&counted);
        }
        match self.background.take_changes() {
            Some(Ok(read)) => {
                let changed = self.changes.take(read);
                let ctx = self.background.ctx.clone();
                self.changed(&ctx, changed);
            }
            // Read again at the next look (the register may be back).
            Some(Err(_)) => self.changes.read_failed(),
            None => {}
        }
    }

    /// Shows what the form's work did.
    fn job_done(&mut self, done: Done) {
        match done {
            Done::Deleted { key, result } => self.deleted(key, result),
            Done::Saved { result, then } => {
                let saved = self.saved(*result);
                let gone_to = self.after_saving.take();
                if saved {
                    match then {
                        AfterSave::Nothing => {}
                        AfterSave::Go(intent) => {
                            self.go(intent);
                            if self.close_confirmed {
                                self.background
                                    .ctx
                                    .send_viewport_cmd(egui::ViewportCommand::Close);
                            }
                        }
                        AfterSave::Verify => self.form_action(FormAction::VerifyAccount),
                    }
                    // Where the administrator clicked meanwhile, still
                    // saying that the Save landed.
                    if let Some(intent) = gone_to {
                        let said = self.notice.take();
                        self.request(intent);
                        self.notice = self.notice.take().or(said);
                    }
                }
            }
            Done::Connection { result, now } => {
                // The form first: the notice below speaks of the state it shows.
                if let Some((record, details)) = *now {
                    self.show_reread(record, details);
                }
                match result {
                    Ok(text) => {
                        self.notice = Some(Notice {
                            text,
                            is_error: false,
                        });
                        if let Some(services) = &self.services {
                            services.wake();
                        }
                    }
                    Err(error) => {
                        self.notice = Some(Notice {
                            text: error.to_string(),
                            is_error: true,
                        });
                    }
                }
            }
            Done::MadeSystemAdministrator(result) => self.made_system_administrator(result),
        }
    }

    /// Says what *Make me System administrator* did; the banner and the
    /// buttons follow the operator read after it.
    fn made_system_administrator(
        &mut self,
        result: Result<(String, Option<Box<app::operator::Operator>>), String>,
    ) {
        self.notice = Some(match result {
            Ok((user_id, operator)) => {
                if let Some(operator) = operator {
                    self.operator = *operator;
                }
                Notice {
                    text: t!("status-made-system-administrator", user_id = user_id),
                    is_error: false,
                }
            }
            Err(error) => Notice {
                text: error,
                is_error: true,
            },
        });
        self.refresh_form();
    }

    fn shortcuts(&mut self, ui: &Ui) {
        let ctx = ui.ctx();
        if ctx.input_mut(|i| i.consume_shortcut(&SAVE)) {
            self.commands.push(toolbar::Command::Save);
        }
        if ctx.input_mut(|i| i.consume_shortcut(&NEW))
            && self.refusal(Permission::UsersEdit).is_none()
        {
            self.commands.push(toolbar::Command::Request(Intent::New));
        }
        if ctx.input_mut(|i| i.consume_shortcut(&FIND)) {
            self.focus_search = true;
        }
        let dialog_open = self.bulk.is_some()
            || self.sheet.is_some()
            || self.dialog.is_some()
            || self.register_dialog.is_some();
        // The keys move through the list when nothing else has the
        // keyboard, or the list itself has it.
        let keys_for_list = !ctx.egui_wants_keyboard_input() || list_has_focus(ctx);
        if !dialog_open && keys_for_list {
            let page = isize::try_from(self.rows_per_page.max(1)).unwrap_or(1);
            let moves = [
                (Key::ArrowDown, 1),
                (Key::ArrowUp, -1),
                (Key::PageDown, page),
                (Key::PageUp, -page),
                (Key::End, isize::MAX),
                (Key::Home, isize::MIN),
            ];
            for (key, step) in moves {
                if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key)) {
                    self.move_selection(step);
                }
            }
            // Enter goes from the list into the shown user's form: to the
            // Visma Connect Email (User-ID for a connected user).
            if let Some(form) = &mut self.form
                && ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Enter))
            {
                form.focus_connection = true;
            }
        }
    }

    fn close_request(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) {
            return;
        }
        if self.close_confirmed {
            ctx.send_viewport_cmd(egui::ViewportCommand::Visible(false));
            return;
        }
        let unsaved = self
            .form
            .as_ref()
            .is_some_and(UserForm::has_unsaved_changes);
        if unsaved {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.dialog = Some(Dialog::UnsavedChanges(Intent::Close));
            return;
        }
        // This window delivers: emails still waiting (retries) would wait
        // until the program or `serve` runs again. Ask first.
        let delivering = self.services.as_ref().is_some_and(Services::is_delivering);
        if delivering && !self.close_with_waiting {
            if self.session.location().is_shared() {
                // Counted off the UI thread; the window closes, or asks,
                // once the count is there (`waiting_counted`).
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.background.start_waiting_count(&self.session);
                return;
            }
            if let Ok(waiting) = self.session.queued_count()
                && waiting > 0
            {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.dialog = Some(Dialog::CloseWithWaiting(waiting));
                return;
            }
        }
        // The window closes: hide it at once. Stopping the endpoint and the
        // outbox worker (and saving the window's state) then happens out of
        // sight, instead of in a window gone black for a few seconds.
        ctx.send_viewport_cmd(egui::ViewportCommand::Visible(false));
    }

    fn move_selection(&mut self, step: isize) {
        let count = self.listing.visible_len();
        if count == 0 {
            return;
        }
        let next = match self.selected.and_then(|k| self.listing.visible_position(k)) {
            Some(position) => position.saturating_add_signed(step).min(count - 1),
            None if step == isize::MAX => count - 1,
            None => 0,
        };
        if let Some(record) = self.listing.visible(next) {
            let key = record.key;
            self.request(Intent::Select(key));
        }
    }

    /// Goes where asked, or first asks about unsaved changes.
    fn request(&mut self, intent: Intent) {
        // The user shown already: nothing to do.
        let shown_already = matches!(intent, Intent::Select(key) if Some(key) == self.selected);
        if shown_already && self.form.as_ref().is_some_and(|f| f.key.is_some()) {
            return;
        }
        // A Save under way: go once it landed (its edits are not lost).
        if self
            .form
            .as_ref()
            .is_some_and(|f| f.working.is_some() && f.has_unsaved_changes())
        {
            self.after_saving = Some(intent);
            return;
        }
        if self
            .form
            .as_ref()
            .is_some_and(UserForm::has_unsaved_changes)
        {
            self.dialog = Some(Dialog::UnsavedChanges(intent));
        } else {
            self.go(intent);
        }
    }

    fn go(&mut self, intent: Intent) {
        match intent {
            Intent::Select(key) => {
                // The status bar spoke of the user shown before.
                if self.selected != Some(key) {
                    self.notice = None;
                }
                self.form = self.listing.get(key).cloned().map(|r| self.open_form(&r));
                self.selected = self.form.as_ref().and(Some(key));
                self.scroll_to_selected = true;
            }
            Intent::New => {
                self.selected = None;
                self.notice = None;
                let mut form = UserForm::new_user();
                form.focus_user_id = true;
                self.form = Some(form);
            }
            Intent::Close => {
                // The form is left as it is; the window closes.
                self.close_confirmed = true;
            }
            Intent::SwitchRegister => self.switch_to = self.switch_pending.take(),
        }
    }

    /// Saves the open form, then does `then`. A stored user that someone
    /// else changed meanwhile is not saved: the dialog asks.
    fn save(&mut self, then: AfterSave) {
        self.save_checked(true, then);
    }

    /// Why the operator may not save the form as it stands: editing users
    /// (at the place the user is saved in, for a limited role), and
    /// changing authorisations when those changed.
    fn save_refusal(&self) -> Option<String> {
        let form = self.form.as_ref()?;
        self.operator
            .may_save_user(
                &form.draft.department,
                &form.draft.office,
                form.authorisations_changed(),
            )
            .err()
            .map(|r| r.sentence)
    }

    /// Saves the form (`checked`: unless someone else changed the user
    /// since it opened), then does `then`: at once on a register file, off
    /// the UI thread on a shared register.
    fn save_checked(&mut self, checked: bool, then: AfterSave) {
        let refused = self.save_refusal();
        let Some(form) = &mut self.form else {
            return;
        };
        // The roles are read first: a date that cannot be read saves nothing.
        let read = refused.map_or_else(
            || Ok((form.roles_to_save()?, form.audit_rights_to_save()?)),
            Err,
        );
        let (roles, audit_rights) = match read {
            Ok(read) => read,
            Err(why) => {
                self.notice = Some(Notice {
                    text: why,
                    is_error: true,
                });
                return;
            }
        };
        // A change of one's own roles that takes Roles or Settings away is
        // asked about first, saying what will be lost.
        let lost = roles.as_deref().map_or_else(Vec::new, |after| {
            self.operator.rights_lost_with(form.key, after)
        });
        if !std::mem::take(&mut self.losing_rights_confirmed) && !lost.is_empty() {
            let lost = lost.into_iter().map(Permission::label).collect();
            self.dialog = Some(Dialog::LoseOwnRights {
                lost,
                checked,
                then,
            });
            return;
        }
        // The General fields, the roles and the rows: one use case, one
        // transaction; a refusal of any part saves nothing.
        let job = Job::Save(Box::new(form_work::SaveJob {
            key: form.key,
            base: form.key.filter(|_| checked).map(|_| form.original.clone()),
            draft: form.draft.clone(),
            tabs: app::FormTabs {
                roles,
                audit_rights,
            },
            then,
        }));
        self.start_job(job);
    }

    /// Shows what a Save did; true when it landed.
    fn saved(&mut self, result: form_work::SaveResult) -> bool {
        let saved = match result {
            Err(app::FormSaveError::Roles(error)) => {
                return self.tab_refused(super::user_form::FormTab::Authorisations, &error);
            }
            Err(app::FormSaveError::AuditRights(error)) => {
                return self.tab_refused(super::user_form::FormTab::AuditOfAccountCode, &error);
            }
            Err(app::FormSaveError::User(error)) => Err(error),
            Ok(saved) => Ok(saved),
        };
        let Some(form) = &mut self.form else {
            return false;
        };
        match saved {
            Ok((record, operator)) => {
                if let Some(operator) = operator {
                    self.operator = operator;
                }
                let text = t!(
                    "status-user-saved",
                    user_id = record.user.user_id.to_string(),
                    name = record.user.display_name()
                );
                self.selected = Some(record.key);
                // The form as saved, at once: its tabs hold what was saved;
                // History and the rest follow from the register.
                *form = form.saved_as(&record);
                self.listing.upsert(record);
                self.scroll_to_selected = true;
                self.notice = Some(Notice {
                    text,
                    is_error: false,
                });
                self.refresh_form();
                true
            }
            Err(SaveUserError::ChangedElsewhere(changed)) => {
                if let Some(key) = form.key {
                    self.dialog = Some(Dialog::Conflict(Conflict {
                        key,
                        message: changed.to_string(),
                        is_delete: false,
                    }));
                }
                false
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

    /// *Delete user* (`checked`: unless someone changed them since the
    /// form opened): at once on a register file, off the UI thread on a
    /// shared register.
    fn delete(&mut self, key: UserKey, checked: bool) {
        let base = self
            .form
            .as_ref()
            .filter(|f| checked && f.key == Some(key))
            .map(|f| Box::new(f.opened.clone()));
        self.start_job(Job::DeleteUser { key, base });
    }

    /// Shows what *Delete user* did.
    fn deleted(&mut self, key: UserKey, result: Result<(), SaveUserError>) {
        let title = self
            .form
            .as_ref()
            .filter(|f| f.key == Some(key))
            .map(UserForm::title)
            .or_else(|| {
                self.listing
                    .get(key)
                    .map(|r| format!("{} {}", r.user.user_id, r.user.display_name()))
            })
            .unwrap_or_default();
        match result {
            Ok(()) | Err(SaveUserError::NotFound) => {
                self.listing.remove(key);
                if self.form.as_ref().is_some_and(|f| f.key == Some(key)) {
                    self.form = None;
                    self.selected = None;
                }
                self.notice = Some(Notice {
                    text: t!("status-user-deleted", user = &title),
                    is_error: false,
                });
            }
            Err(SaveUserError::ChangedElsewhere(changed)) => {
                self.dialog = Some(Dialog::Conflict(Conflict {
                    key,
                    message: format!("{changed} {}", t!("delete-user-changed-again")),
                    is_delete: true,
                }));
            }
            Err(error) => {
                self.notice = Some(Notice {
                    text: error.to_string(),
                    is_error: true,
                });
            }
        }
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

    /// The list's sort as this OS user left it (remembered with the window).
    fn restore_sort(&mut self, ctx: &egui::Context) {
        if self.sort_restored {
            return;
        }
        let remembered = ctx.data_mut(|d| d.get_persisted::<(usize, bool)>(sort_memory_id()));
        if let Some((index, descending)) = remembered
            && let Some(column) = crate::domain::Column::ALL.get(index)
        {
            self.sort_restored = true;
            self.listing.set_sort(Sort {
                column: *column,
                descending,
            });
        }
    }

    fn list_ui(&mut self, ui: &mut Ui) {
        self.restore_sort(ui.ctx());
        if self.listing.visible_len() == 0 {
            ui.add_space(24.0);
            ui.vertical_centered(|ui| {
                ui.label(if self.listing.total() == 0 {
                    t!("list-empty")
                } else {
                    t!("list-no-match")
                });
            });
            return;
        }
        let scroll_to = if std::mem::take(&mut self.scroll_to_selected) {
            self.selected.and_then(|k| self.listing.visible_position(k))
        } else {
            None
        };
        // Page Up and Page Down move by the rows the list has room for.
        self.rows_per_page = rows_in(ui.available_height());
        // Columns widened by hand beyond the list scroll sideways, rather
        // than under the form.
        let output = egui::ScrollArea::horizontal()
            .id_salt("users_list_sideways")
            .show(ui, |ui| {
                user_table_ui(ui, &self.listing, self.selected, scroll_to)
            })
            .inner;
        if let Some(column) = output.sort_by {
            let sort = self.listing.sort();
            let descending = sort.column == column && !sort.descending;
            self.listing.set_sort(Sort { column, descending });
            self.sort_restored = true;
            if let Some(index) = crate::domain::Column::ALL.iter().position(|c| *c == column) {
                ui.ctx()
                    .data_mut(|d| d.insert_persisted(sort_memory_id(), (index, descending)));
            }
        }
        if let Some(key) = output.clicked {
            self.request(Intent::Select(key));
        }
    }

    fn form_panel_ui(&mut self, ui: &mut Ui) {
        let mut action = None;
        // Fills the panel: a shrinking scroll area would shrink the panel to
        // its content, frame by frame, down to the minimum.
        egui::ScrollArea::vertical()
            .auto_shrink([false, true])
            .show(ui, |ui| {
                if let Some(form) = &mut self.form {
                    // A limited role: the user's department and office as stored.
                    let edit = match &form.record {
                        Some(record) => self.operator.may_for(
                            Permission::UsersEdit,
                            &record.user.department,
                            &record.user.office,
                        ),
                        None => self.operator.may(Permission::UsersEdit),
                    };
                    form.read_only = edit.err().map(|r| r.sentence);
                    form.roles_read_only = self
                        .operator
                        .may(Permission::Roles)
                        .err()
                        .map(|r| r.sentence);
                    action = user_form_ui(ui, form, self.smtputf8_missing, &self.operator.roles);
                } else {
                    ui.add_space(24.0);
                    ui.label(t!("form-none-chosen"));
                    ui.weak(t!("form-none-chosen-keys"));
                }
            });
        if let Some(action) = action {
            self.form_action(action);
        }
    }

    /// The form was not saved because its tab `tab` was refused (`why`):
    /// the tab is shown with the reason at it; nothing of the form was
    /// written, so every field stays as edited.
    fn tab_refused(&mut self, tab: super::user_form::FormTab, why: &dyn std::fmt::Display) -> bool {
        let Some(form) = &mut self.form else {
            return false;
        };
        let why = why.to_string();
        if tab == super::user_form::FormTab::Authorisations {
            form.roles_error = Some(why.clone());
        } else {
            form.audit_error = Some(why.clone());
        }
        form.tab = tab;
        self.notice = Some(Notice {
            text: t!("status-form-not-saved", reason = why),
            is_error: true,
        });
        false
    }

    fn status_ui(&self, ui: &mut Ui) {
        if let Some(waited) = self.background.waiting_long() {
            // Said in words, and the window keeps working meanwhile.
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(
                    RichText::new(t!(
                        "status-register-not-answering",
                        seconds = waited.as_secs()
                    ))
                    .color(ERROR_RED),
                );
            });
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(500));
            return;
        }
        // A polite live region, and the colour also in words.
        ui.horizontal(|ui| match &self.notice {
            Some(notice) if notice.is_error => {
                ui.label(
                    RichText::new(t!("status-word-error"))
                        .strong()
                        .color(ERROR_RED),
                );
                let said = ui.label(RichText::new(&notice.text).color(ERROR_RED));
                super::a11y::live(&said);
            }
            Some(notice) => {
                ui.label(RichText::new(t!("status-word-done")).strong().color(GREEN));
                let said = ui.label(RichText::new(&notice.text).color(GREEN));
                super::a11y::live(&said);
            }
            None => {
                // A part that is not running is said for as long as it is not.
                let problem = self
                    .services
                    .as_ref()
                    .and_then(|s| s.problems().into_iter().next());
                match problem {
                    Some(problem) => {
                        ui.label(
                            RichText::new(t!("status-word-error"))
                                .strong()
                                .color(ERROR_RED),
                        );
                        let said = ui.label(RichText::new(problem.to_string()).color(ERROR_RED));
                        super::a11y::live(&said);
                    }
                    None => {
                        ui.weak(self.session.location().to_string());
                    }
                }
            }
        });
    }
}

/// True in Visma Connect's preparation phase.
fn is_preparation(settings: &crate::domain::Settings) -> bool {
    settings.visma_connect_phase == crate::domain::VismaConnectPhase::Preparation
}
