//! *Users/Authorities › Roles*, opened by `Go to roles`: the roles with
//! how many hold each, and the chosen role's description, permissions (with
//! their department and office limits) and members with their dates. Opened
//! from a user's form, that user's roles are marked.

use egui::{RichText, Ui};

use crate::app::Session;
use crate::app::roles::{members_of, roles};
use crate::domain::roles::{Assignment, Permission, Role, Scope};

/// One member of a role as the view lists it.
struct Member {
    title: String,
    assignment: Assignment,
    marked: bool,
}

/// The open Roles window.
pub struct RolesView {
    roles: Vec<Role>,
    members: Vec<Vec<Member>>,
    selected: usize,
    /// "14 Anna Svensson" when opened from a user's form.
    marked: Option<String>,
    /// The ids of the roles the marked user holds.
    marked_roles: Vec<String>,
    /// Why the members could not be read, if they could not.
    error: Option<String>,
}

impl RolesView {
    /// Reads the roles and their members (a few small queries). `marked`:
    /// the user whose roles to mark, by key and title.
    pub fn open(session: &Session, marked: Option<(crate::domain::UserKey, String)>) -> Self {
        let roles = roles();
        let (read, error) = match members_of(session, &roles) {
            Ok(read) => (read, None),
            Err(e) => (vec![Vec::new(); roles.len()], Some(e.to_string())),
        };
        let members: Vec<Vec<Member>> = read
            .into_iter()
            .map(|list| {
                list.into_iter()
                    .map(|(record, assignment)| Member {
                        title: format!("{} {}", record.user.user_id, record.user.display_name()),
                        marked: marked.as_ref().is_some_and(|(key, _)| *key == record.key),
                        assignment,
                    })
                    .collect()
            })
            .collect();
        let marked_roles: Vec<String> = roles
            .iter()
            .zip(&members)
            .filter(|(_, list)| list.iter().any(|m| m.marked))
            .map(|(role, _)| role.id.clone())
            .collect();
        // Opened for a user: their first role is shown.
        let selected = roles
            .iter()
            .position(|r| marked_roles.contains(&r.id))
            .unwrap_or(0);
        Self {
            roles,
            members,
            selected,
            marked: marked.map(|(_, title)| title),
            marked_roles,
            error,
        }
    }

    /// Draws the window; false once it is closed.
    pub fn window_ui(&mut self, ctx: &egui::Context, open: &mut bool) {
        egui::Window::new(t!("roles-title"))
            .open(open)
            .collapsible(false)
            .default_size([680.0, 440.0])
            .show(ctx, |ui| {
                if let Some(title) = &self.marked {
                    ui.label(t!("roles-marked", user = title.as_str()));
                }
                if let Some(error) = &self.error {
                    ui.colored_label(super::format::ERROR_RED, error);
                }
                ui.horizontal_top(|ui| {
                    ui.vertical(|ui| {
                        ui.set_width(200.0);
                        self.list_ui(ui);
                    });
                    ui.separator();
                    ui.vertical(|ui| self.role_ui(ui));
                });
            });
    }

    fn list_ui(&mut self, ui: &mut Ui) {
        ui.label(RichText::new(t!("roles-list")).strong());
        for (index, role) in self.roles.iter().enumerate() {
            let text = RichText::new(format!("{} ({})", role.name, self.members[index].len()));
            let text = if self.marked_roles.contains(&role.id) {
                text.strong().underline()
            } else {
                text
            };
            if ui.selectable_label(self.selected == index, text).clicked() {
                self.selected = index;
            }
        }
    }

    fn role_ui(&self, ui: &mut Ui) {
        let Some(role) = self.roles.get(self.selected) else {
            return;
        };
        ui.heading(&role.name);
        if role.builtin.is_some() {
            ui.weak(t!("roles-built-in"));
        }
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
        ui.add_space(6.0);
        let members = &self.members[self.selected];
        ui.label(RichText::new(t!("roles-members", count = members.len())).strong());
        egui::ScrollArea::vertical()
            .max_height(180.0)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                egui::Grid::new("role_members")
                    .num_columns(3)
                    .striped(true)
                    .show(ui, |ui| {
                        for member in members {
                            let title = RichText::new(&member.title);
                            ui.label(if member.marked { title.strong() } else { title });
                            ui.label(dates_text(&member.assignment));
                            ui.weak(scope_text(&member.assignment.scope));
                            ui.end_row();
                        }
                    });
            });
    }
}

/// "all departments and offices", or the limits.
fn scope_text(scope: &Scope) -> String {
    if scope.is_everything() {
        return t!("roles-everywhere");
    }
    let mut parts = Vec::new();
    if !scope.departments.is_empty() {
        parts.push(scope.departments.join(", "));
    }
    if !scope.offices.is_empty() {
        parts.push(scope.offices.join(", "));
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
