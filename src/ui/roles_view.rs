//! *Users/Authorities › Roles*, opened by `Go to roles`: the roles with
//! how many hold each, and the chosen role's form: name, description,
//! permissions (with their department and office limits) and members with
//! their dates. Built-in roles are shown and can be copied; roles made here
//! can be changed and deleted (not while anyone holds them). Opened from a
//! user's form, that user's roles are marked.
//!
//! Here: the window, its list and reading the roles. The role's form is
//! `editor`.

use egui::{RichText, Ui};

use crate::app::Session;
use crate::app::roles::{delete_role, members_of, roles, save_role};
use crate::domain::UserRecord;
use crate::domain::roles::{Assignment, Permission, Role, RoleDraft, Scope, place_list_text};

use super::format::{ERROR_RED, gated_button};
use super::tasks::Task;

mod editor;

use editor::RoleEditor;

/// What the window asks of the register: read the roles and members
/// again, save a role, or delete one; each ends with the roles read again.
enum RolesJob {
    /// Read again; then show the role `select` (or the one shown).
    Reload(Option<String>),
    /// Save the role form (`None`: a new role).
    Save(Option<String>, RoleDraft),
    /// Delete the role with this id and name.
    Delete(String, String),
}

/// What a job read and did.
struct RolesRead {
    roles: Result<Vec<Role>, String>,
    members: Result<Vec<Vec<(UserRecord, Assignment)>>, String>,
    /// What to say (an error when true).
    status: Option<(bool, String)>,
    /// The role to show.
    select: Option<String>,
    /// A role was saved or deleted.
    changed: bool,
    /// A Save was refused: the form keeps what was typed.
    keep_form: bool,
}

/// Does `job` on `session`, then reads the roles and members again.
fn run_roles_job(session: &mut Session, job: RolesJob) -> RolesRead {
    let refused_save = matches!(job, RolesJob::Save(..));
    let (status, select, changed) = match job {
        RolesJob::Reload(select) => (None, select, false),
        RolesJob::Save(id, draft) => match save_role(session, id.as_deref(), &draft) {
            Ok(role) => (
                Some((false, t!("roles-saved", name = role.name.as_str()))),
                Some(role.id),
                true,
            ),
            Err(error) => (Some((true, error.to_string())), id, false),
        },
        // A refusal may come from a holder given the role elsewhere: the
        // read after it shows who holds it now.
        RolesJob::Delete(id, name) => match delete_role(session, &id) {
            Ok(()) => (Some((false, t!("roles-deleted", name = name))), None, true),
            Err(error) => (Some((true, error.to_string())), Some(id), false),
        },
    };
    let keep_form = refused_save && !changed;
    RolesRead {
        keep_form,
        ..read_back(session, status, select, changed)
    }
}

/// Reads the roles and their members, with what a job said and did.
fn read_back(
    session: &Session,
    status: Option<(bool, String)>,
    select: Option<String>,
    changed: bool,
) -> RolesRead {
    let roles = roles(session).map_err(|e| e.to_string());
    let members = match &roles {
        Ok(list) => members_of(session, list).map_err(|e| e.to_string()),
        Err(error) => Err(error.clone()),
    };
    RolesRead {
        roles,
        members,
        status,
        select,
        changed,
        keep_form: false,
    }
}

/// One member of a role as the view lists it.
struct Member {
    title: String,
    assignment: Assignment,
    marked: bool,
}

/// One permission on the role form: given or not, and its limits as typed
/// (comma-separated; empty for all).
#[derive(Clone, PartialEq, Eq)]
struct GrantRow {
    permission: Permission,
    given: bool,
    departments: String,
    offices: String,
}

/// The open Roles window.
pub struct RolesView {
    roles: Vec<Role>,
    members: Vec<Vec<Member>>,
    selected: usize,
    /// The user whose roles are marked: key and "14 Anna Svensson".
    marked: Option<(crate::domain::UserKey, String)>,
    /// The ids of the roles the marked user holds.
    marked_roles: Vec<String>,
    /// Why the roles or members could not be read, if they could not.
    error: Option<String>,
    /// The role form being edited, and as it was when opened.
    editor: Option<(RoleEditor, RoleEditor)>,
    /// Why the last save or delete was refused, or what it did.
    status: Option<(bool, String)>,
    /// Asking before deleting the selected role.
    confirm_delete: bool,
    /// A role was saved or deleted since the owner last looked (who may do
    /// what must be read again).
    pub changed: bool,
    /// The register's work under way off the UI thread (a shared register).
    work: Option<Task<RolesRead>>,
    /// Opened for a user: their first role is shown once the roles are read.
    show_marked: bool,
}

impl RolesView {
    /// Reads the roles and their members (a few small queries). `marked`:
    /// the user whose roles to mark, by key and title.
    pub fn open(
        ctx: &egui::Context,
        session: &Session,
        marked: Option<(crate::domain::UserKey, String)>,
    ) -> Self {
        let mut view = Self {
            roles: Vec::new(),
            members: Vec::new(),
            selected: 0,
            marked,
            marked_roles: Vec::new(),
            error: None,
            editor: None,
            status: None,
            confirm_delete: false,
            changed: false,
            work: None,
            show_marked: true,
        };
        // From a register file at once; from a shared register off the UI
        // thread (the window says it is working meanwhile).
        if session.location().is_shared() {
            let reopen = session.reopener();
            view.work = Some(Task::spawn(ctx, "roles", move |_| {
                let mut session = reopen().map_err(|e| e.to_string())?;
                Ok(run_roles_job(&mut session, RolesJob::Reload(None)))
            }));
        } else {
            view.apply(read_back(session, None, None, false));
        }
        view
    }

    /// Starts `job`: at once on a register file; on a shared register off
    /// the UI thread, on a connection of its own (nothing new starts while
    /// one runs).
    fn start(&mut self, ctx: &egui::Context, session: &mut Session, job: RolesJob) {
        if !session.location().is_shared() {
            let read = run_roles_job(session, job);
            self.apply(read);
            return;
        }
        if self.work.is_some() {
            return;
        }
        let reopen = session.reopener();
        self.work = Some(Task::spawn(ctx, "roles", move |_| {
            let mut session = reopen().map_err(|e| e.to_string())?;
            Ok(run_roles_job(&mut session, job))
        }));
    }

    /// Takes what the work off the UI thread read, once it is done.
    fn take_work(&mut self) {
        let Some(result) = self.work.as_mut().and_then(Task::take_result) else {
            return;
        };
        self.work = None;
        match result {
            Ok(read) => self.apply(read),
            Err(error) => self.status = Some((true, error)),
        }
    }

    /// Shows what a job read and did.
    fn apply(&mut self, read: RolesRead) {
        if read.status.is_some() {
            self.status = read.status;
        }
        if read.keep_form {
            return;
        }
        self.changed |= read.changed;
        let previous = read
            .select
            .or_else(|| self.roles.get(self.selected).map(|r| r.id.clone()));
        self.error = None;
        self.roles = read.roles.unwrap_or_else(|e| {
            self.error = Some(e);
            crate::domain::roles::builtin_roles()
        });
        let read = match read.members {
            Ok(read) => read,
            Err(e) => {
                self.error = Some(e);
                vec![Vec::new(); self.roles.len()]
            }
        };
        let marked = self.marked.as_ref().map(|(key, _)| *key);
        self.members = read
            .into_iter()
            .map(|list| {
                list.into_iter()
                    .map(|(record, assignment)| Member {
                        title: format!("{} {}", record.user.user_id, record.user.display_name()),
                        marked: marked == Some(record.key),
                        assignment,
                    })
                    .collect()
            })
            .collect();
        self.marked_roles = self
            .roles
            .iter()
            .zip(&self.members)
            .filter(|(_, list)| list.iter().any(|m| m.marked))
            .map(|(role, _)| role.id.clone())
            .collect();
        let index = previous
            .and_then(|id| self.roles.iter().position(|r| r.id == id))
            .unwrap_or(0);
        self.select(index);
        // Opened for a user: their first role is shown.
        if std::mem::take(&mut self.show_marked)
            && let Some(index) = self
                .roles
                .iter()
                .position(|r| self.marked_roles.contains(&r.id))
        {
            self.select(index);
        }
    }

    /// Shows role `index`: its form is editable when it was made here.
    fn select(&mut self, index: usize) {
        self.selected = index;
        self.confirm_delete = false;
        self.editor = self
            .roles
            .get(index)
            .filter(|r| r.builtin.is_none())
            .map(|role| {
                let editor = RoleEditor::of(Some(role.id.clone()), &RoleDraft::of(role));
                (editor.clone(), editor)
            });
    }

    /// Reads the roles and members again after a change elsewhere (another
    /// window or program); a role form with unsaved changes is left alone.
    pub fn refresh(&mut self, ctx: &egui::Context, session: &mut Session) {
        if !self.unsaved() && !self.confirm_delete {
            self.start(ctx, session, RolesJob::Reload(None));
        }
    }

    /// True while the role form has changes not saved.
    pub fn unsaved(&self) -> bool {
        self.editor.as_ref().is_some_and(|(now, was)| now != was)
    }

    /// Draws the window. `refused`: why the operator may not change roles.
    pub fn window_ui(
        &mut self,
        ctx: &egui::Context,
        open: &mut bool,
        session: &mut Session,
        refused: Option<&str>,
    ) {
        self.take_work();
        egui::Window::new(t!("roles-title"))
            .id(egui::Id::unique("roles_window"))
            .title_bar(false)
            .collapsible(false)
            .default_size([720.0, 480.0])
            .show(ctx, |ui| {
                super::a11y::window_title_ui(ui, &t!("roles-title"), open);
                if let Some((_, title)) = &self.marked {
                    ui.label(t!("roles-marked", user = title.as_str()));
                }
                if let Some(error) = &self.error {
                    ui.colored_label(ERROR_RED, error);
                }
                if self.work.is_some() {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(t!("form-working"));
                    });
                }
                self.toolbar_ui(ui, session, refused);
                ui.separator();
                ui.horizontal_top(|ui| {
                    ui.vertical(|ui| {
                        ui.set_width(200.0);
                        self.list_ui(ui);
                    });
                    ui.separator();
                    ui.vertical(|ui| self.role_ui(ui, session, refused));
                });
            });
    }

    fn toolbar_ui(&mut self, ui: &mut Ui, session: &mut Session, refused: Option<&str>) {
        let clean = !self.unsaved();
        ui.horizontal(|ui| {
            if gated_button(ui, clean, &t!("roles-new"), refused)
                .on_hover_text(t!("roles-new.hint"))
                .clicked()
            {
                let draft = RoleDraft {
                    name: String::new(),
                    description: String::new(),
                    grants: Vec::new(),
                };
                let editor = RoleEditor::of(None, &draft);
                self.editor = Some((editor.clone(), editor));
                self.status = None;
            }
            let role = self.roles.get(self.selected).cloned();
            let copyable = clean && role.is_some();
            if gated_button(ui, copyable, &t!("roles-copy"), refused)
                .on_hover_text(t!("roles-copy.hint"))
                .clicked()
                && let Some(role) = &role
            {
                let mut draft = RoleDraft::of(role);
                draft.name = t!("roles-copy-name", name = role.name.as_str());
                let editor = RoleEditor::of(None, &draft);
                self.editor = Some((editor.clone(), editor));
                self.status = None;
            }
            let deletable = clean && role.as_ref().is_some_and(|r| r.builtin.is_none());
            if gated_button(ui, deletable, &t!("roles-delete"), refused)
                .on_hover_text(t!("roles-delete.hint"))
                .clicked()
            {
                self.confirm_delete = true;
            }
            if self.confirm_delete
                && let Some(role) = &role
            {
                ui.separator();
                ui.label(t!("roles-delete-question", name = role.name.as_str()));
                if ui
                    .add_enabled(
                        self.work.is_none(),
                        egui::Button::new(t!("roles-delete-yes")),
                    )
                    .clicked()
                {
                    self.confirm_delete = false;
                    let job = RolesJob::Delete(role.id.clone(), role.name.clone());
                    self.start(ui.ctx(), session, job);
                }
                if ui.button(t!("cancel")).clicked() {
                    self.confirm_delete = false;
                }
            }
        });
        // The line is always there, so nothing moves when a message comes.
        match &self.status {
            Some((true, text)) => {
                ui.colored_label(ERROR_RED, text);
            }
            Some((false, text)) => {
                ui.label(text);
            }
            None => super::format::empty_line_ui(ui),
        }
    }

    fn list_ui(&mut self, ui: &mut Ui) {
        ui.label(RichText::new(t!("roles-list")).strong());
        let clean = !self.unsaved();
        let mut chosen = None;
        for (index, role) in self.roles.iter().enumerate() {
            let text = RichText::new(format!("{} ({})", role.name, self.members[index].len()));
            let text = if self.marked_roles.contains(&role.id) {
                text.strong().underline()
            } else {
                text
            };
            let current = self.selected == index
                && self
                    .editor
                    .as_ref()
                    .is_none_or(|(editor, _)| editor.id.as_deref() == Some(role.id.as_str()));
            let response = ui
                .add_enabled(clean || current, egui::Button::selectable(current, text))
                .on_disabled_hover_text(t!("roles-unsaved"));
            if response.clicked() {
                chosen = Some(index);
            }
        }
        if let Some(index) = chosen {
            self.status = None;
            self.select(index);
        }
    }

    fn role_ui(&mut self, ui: &mut Ui, session: &mut Session, refused: Option<&str>) {
        if self.editor.is_some() {
            self.editor_ui(ui, session, refused);
        } else if let Some(role) = self.roles.get(self.selected) {
            ui.heading(&role.name);
            ui.weak(t!("roles-built-in"));
            ui.label(&role.description);
            ui.add_space(6.0);
            ui.label(RichText::new(t!("roles-permissions")).strong());
            for permission in Permission::ALL {
                let grant = role.grants.iter().find(|g| g.permission == permission);
                // Editing users includes reading them.
                let mut held = role.permits(permission, None);
                ui.horizontal(|ui| {
                    ui.add_enabled(false, egui::Checkbox::new(&mut held, permission.label()));
                    if let Some(grant) = grant {
                        ui.weak(scope_text(&grant.scope));
                    }
                });
            }
        }
        let editing_new = self
            .editor
            .as_ref()
            .is_some_and(|(editor, _)| editor.id.is_none());
        if !editing_new {
            self.members_ui(ui);
        }
    }
}

/// "all departments and offices", or the limits.
fn scope_text(scope: &Scope) -> String {
    if scope.is_everything() {
        return t!("roles-everywhere");
    }
    let mut parts = Vec::new();
    if !scope.departments.is_empty() {
        parts.push(place_list_text(&scope.departments));
    }
    if !scope.offices.is_empty() {
        parts.push(place_list_text(&scope.offices));
    }
    parts.join(" · ")
}

/// "2027-01-01 – 2027-12-31", or "always".
fn dates_text(assignment: &Assignment) -> String {
    match (assignment.valid_from, assignment.valid_to) {
        (None, None) => t!("roles-always"),
        (from, to) => format!(
            "{} – {}",
            crate::domain::date_text(from),
            crate::domain::date_text(to)
        ),
    }
}
