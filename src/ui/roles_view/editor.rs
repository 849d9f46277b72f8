//! The Roles window's role form: name, description and grants (each with
//! its departments and offices), and who holds the role.

use egui::{RichText, TextEdit, Ui};

use crate::app::Session;
use crate::domain::roles::{Grant, Permission, RoleDraft, Scope, place_list_text};
use crate::ui::format::gated_button;

use super::{GrantRow, RolesJob, RolesView, dates_text, scope_text};

/// The role form as edited: a new role (`id` none) or a role made here.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct RoleEditor {
    pub(super) id: Option<String>,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) grants: Vec<GrantRow>,
}

impl RoleEditor {
    pub(super) fn of(id: Option<String>, draft: &RoleDraft) -> Self {
        let grants = Permission::ALL
            .into_iter()
            .map(|permission| {
                let grant = draft.grants.iter().find(|g| g.permission == permission);
                GrantRow {
                    permission,
                    given: grant.is_some(),
                    departments: grant
                        .map(|g| place_list_text(&g.scope.departments))
                        .unwrap_or_default(),
                    offices: grant
                        .map(|g| place_list_text(&g.scope.offices))
                        .unwrap_or_default(),
                }
            })
            .collect();
        Self {
            id,
            name: draft.name.clone(),
            description: draft.description.clone(),
            grants,
        }
    }

    pub(super) fn draft(&self) -> RoleDraft {
        RoleDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            grants: self
                .grants
                .iter()
                .filter(|row| row.given)
                .map(|row| Grant {
                    permission: row.permission,
                    scope: Scope::from_text(&row.departments, &row.offices),
                })
                .collect(),
        }
    }
}

impl RolesView {
    /// The editable form of a new role or one made here, with Save.
    pub(super) fn editor_ui(&mut self, ui: &mut Ui, session: &mut Session, refused: Option<&str>) {
        let unsaved = self.unsaved();
        let Some((editor, original)) = &mut self.editor else {
            return;
        };
        ui.heading(match &editor.id {
            None => t!("roles-new"),
            Some(_) => original.name.clone(),
        });
        ui.add_enabled_ui(refused.is_none(), |ui| {
            egui::Grid::new("role_form")
                .num_columns(2)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    let label = ui.label(t!("roles-name"));
                    ui.add(
                        TextEdit::singleline(&mut editor.name)
                            .char_limit(crate::domain::roles::ROLE_NAME_MAX)
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                    let label = ui.label(t!("roles-description"));
                    ui.add(
                        TextEdit::multiline(&mut editor.description)
                            .desired_rows(2)
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                });
            ui.add_space(6.0);
            ui.label(RichText::new(t!("roles-permissions")).strong());
            ui.weak(t!("roles-limits-note"));
            egui::Grid::new("role_grants")
                .num_columns(3)
                .min_col_width(140.0)
                .spacing([8.0, 4.0])
                .show(ui, |ui| {
                    crate::ui::format::empty_line_ui(ui);
                    let departments = ui.weak(t!("authorisations-departments")).id;
                    let offices = ui.weak(t!("authorisations-offices")).id;
                    ui.end_row();
                    for row in &mut editor.grants {
                        let label = row.permission.label();
                        ui.checkbox(&mut row.given, &label);
                        let hints = [
                            t!("roles-departments-of", permission = label.as_str()),
                            t!("roles-offices-of", permission = label.as_str()),
                        ];
                        let fields = [
                            (&mut row.departments, departments, "grant_departments"),
                            (&mut row.offices, offices, "grant_offices"),
                        ];
                        for ((text, header, salt), hint) in fields.into_iter().zip(hints) {
                            ui.add_enabled(
                                row.given,
                                TextEdit::singleline(text)
                                    .id(egui::Id::unique((salt, row.permission)))
                                    .hint_text(t!("roles-all"))
                                    .desired_width(140.0),
                            )
                            .labelled_by(header)
                            .on_hover_text(hint);
                        }
                        ui.end_row();
                    }
                });
        });
        ui.add_space(6.0);
        let mut save = false;
        let mut undo = false;
        ui.horizontal(|ui| {
            save = gated_button(
                ui,
                unsaved || editor.id.is_none(),
                &t!("roles-save"),
                refused,
            )
            .clicked();
            undo = ui
                .add_enabled(unsaved, egui::Button::new(t!("roles-undo")))
                .clicked();
        });
        if undo {
            *editor = original.clone();
            self.status = None;
        }
        if save && self.work.is_none() {
            let job = RolesJob::Save(editor.id.clone(), editor.draft());
            self.start(ui.ctx(), session, job);
        }
    }

    pub(super) fn members_ui(&self, ui: &mut Ui) {
        let Some(members) = self.members.get(self.selected) else {
            return;
        };
        ui.add_space(6.0);
        ui.label(RichText::new(t!("roles-members", count = members.len())).strong());
        egui::ScrollArea::vertical()
            .max_height(160.0)
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
