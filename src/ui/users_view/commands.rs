//! What the Users view's buttons and shortcuts ask for, as [`Command`]s,
//! and the one place they are carried out: once per frame, after
//! everything is drawn (as rerun's `SystemCommand`s), so no button changes
//! the view while it is being drawn.

use super::super::about_view::AboutView;
use super::super::bulk_view::BulkView;
use super::super::file_chooser::{Chooser, in_documents};
use super::super::register_view::{OpenRequest, RegisterDialog};
use super::super::roles_view::RolesView;
use super::super::settings_view::SettingsView;
use super::super::sheet_view::SheetView;
use super::{AfterSave, Dialog, Intent, UsersView};
use crate::domain::UserFilter;

/// What a button or shortcut asks of the view.
pub(super) enum Command {
    /// Go somewhere (asking about unsaved changes first).
    Request(Intent),
    /// Save the form.
    Save,
    /// Ask before deleting the shown user.
    AskDelete,
    /// Open Users/Authorities › Roles, marking the shown user's roles.
    GoToRoles,
    /// Open About.
    OpenAbout,
    /// Open Settings.
    OpenSettings,
    /// Give the operator the System administrator role (the first one).
    MakeMeSystemAdministrator,
    /// *Import*: choose a spreadsheet to import.
    OpenImport,
    /// *Export*: choose where the users go.
    OpenExport,
    /// *Download template*: choose where the empty template goes.
    OpenTemplate,
    /// *Verify accounts* for everyone the list shows.
    VerifyAccounts,
    /// Show or hide the filters.
    ToggleFilter,
    /// Clear the filters (the search stays).
    ClearFilters,
    /// Put the keyboard in the search box.
    FocusSearch,
    /// Move the list's selection by this many rows (`isize::MIN`/`MAX`: to
    /// the first or last).
    MoveSelection(isize),
    /// Go from the list into the shown user's form.
    EnterForm,
    /// Open one of the Register menu's dialogs.
    OpenRegisterDialog(Box<RegisterDialog>),
    /// Open another register (asking about unsaved changes first).
    SwitchRegister(OpenRequest),
}

impl UsersView {
    /// Asks for `command`: carried out by [`Self::run_commands`] in this
    /// frame, or (asked by a window drawn after it) in the next one, which
    /// this asks for.
    pub(super) fn ask(&mut self, command: Command) {
        self.commands.push(command);
        self.background.ctx.request_repaint();
    }

    /// Carries out what the buttons and shortcuts asked for this frame.
    pub(super) fn run_commands(&mut self) {
        // What they change is drawn in the next frame, which `ask` asked for.
        for command in std::mem::take(&mut self.commands) {
            self.run_command(command);
        }
    }

    /// Carries out one command now (the keyboard's moves, which must act
    /// before the panels are drawn); buttons [`Self::ask`].
    pub(super) fn run_command(&mut self, command: Command) {
        match command {
            Command::Request(intent) => self.request(intent),
            Command::Save => self.save(AfterSave::Nothing),
            Command::AskDelete => {
                self.dialog = self
                    .form
                    .as_ref()
                    .and_then(|f| f.key)
                    .map(Dialog::DeleteUser);
            }
            Command::GoToRoles => {
                let marked = self
                    .form
                    .as_ref()
                    .and_then(|f| f.key.map(|key| (key, f.title())));
                let ctx = self.background.ctx.clone();
                self.roles_view = Some(RolesView::open(&ctx, &self.register.session, marked));
            }
            Command::OpenAbout => {
                let ctx = self.background.ctx.clone();
                self.about = Some(AboutView::open(&ctx, &self.register.session));
            }
            Command::OpenSettings => {
                if self.settings_view.is_none() {
                    let ctx = self.background.ctx.clone();
                    self.settings_view = Some(SettingsView::open(&ctx, &self.register.session));
                }
            }
            Command::MakeMeSystemAdministrator => self.make_me_system_administrator(),
            Command::OpenImport => self.sheet = Some(SheetView::ChooseImport(Chooser::default())),
            Command::OpenExport => {
                let name = t!(
                    "file-export-name",
                    stamp = super::super::format::file_stamp(jiff::Timestamp::now())
                );
                self.sheet = Some(SheetView::ChooseExport {
                    chooser: Chooser::at(in_documents(&name)),
                    everyone: false,
                });
            }
            Command::OpenTemplate => {
                let name = t!("file-template-name");
                self.sheet = Some(SheetView::ChooseTemplate(Chooser::at(in_documents(&name))));
            }
            Command::VerifyAccounts => {
                let keys = self
                    .register
                    .listing
                    .visible_records()
                    .map(|r| r.key)
                    .collect();
                let ctx = self.background.ctx.clone();
                self.bulk = Some(BulkView::count(&ctx, &self.register.session, keys));
            }
            Command::ToggleFilter => self.filter_open = !self.filter_open,
            Command::ClearFilters => {
                self.filter = UserFilter {
                    search: self.search.clone(),
                    ..UserFilter::default()
                };
            }
            Command::FocusSearch => self.focus_search = true,
            Command::MoveSelection(step) => self.move_selection(step),
            Command::EnterForm => {
                if let Some(form) = &mut self.form {
                    form.focus_connection = true;
                }
            }
            Command::OpenRegisterDialog(dialog) => self.register_dialog = Some(*dialog),
            Command::SwitchRegister(request) => {
                self.switch_pending = Some(request);
                self.request(Intent::SwitchRegister);
            }
        }
    }
}
