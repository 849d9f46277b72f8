//! The user form's tab *Authorisations*: the user's roles, each with valid
//! from / valid to and the departments and offices it covers; roles are
//! added and removed here and saved with the form (Save, Ctrl+S).

use egui::{RichText, TextEdit, Ui};

use crate::domain::roles::Role;

use super::format::ERROR_RED;
use super::user_form::{RoleRow, UserForm};

/// Width of a date field.
const DATE_WIDTH: f32 = 104.0;

/// Draws the tab; `all`: the register's roles.
pub fn authorisations_ui(ui: &mut Ui, form: &mut UserForm, all: &[Role]) {
    ui.label(RichText::new(t!("form-tab-authorisations")).strong());
    ui.weak(t!("authorisations-note"));
    ui.add_space(6.0);
    if form.roles.is_empty() {
        ui.label(t!("authorisations-none"));
    }
    let mut remove = None;
    for (index, row) in form.roles.iter_mut().enumerate() {
        let name = all
            .iter()
            .find(|r| r.id == row.role)
            .map_or_else(|| row.role.clone(), |r| r.name.clone());
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.label(RichText::new(&name).strong());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui
                        .button(t!("authorisations-remove"))
                        .on_hover_text(t!("authorisations-remove.hint", role = name.as_str()))
                        .clicked()
                    {
                        remove = Some(index);
                    }
                });
            });
            role_fields_ui(ui, index, row);
        });
    }
    if let Some(index) = remove {
        form.roles.remove(index);
    }
    ui.add_space(6.0);
    let mut added = None;
    ui.horizontal(|ui| {
        let label = ui.label(t!("authorisations-add"));
        egui::ComboBox::from_id_salt("add_role")
            .selected_text(t!("authorisations-choose"))
            .show_ui(ui, |ui| {
                for role in all
                    .iter()
                    .filter(|r| !form.roles.iter().any(|h| h.role == r.id))
                {
                    if ui.selectable_label(false, &role.name).clicked() {
                        added = Some(role.id.clone());
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
    if let Some(role) = added {
        form.roles.push(RoleRow {
            role,
            valid_from: String::new(),
            valid_to: String::new(),
            departments: String::new(),
            offices: String::new(),
        });
    }
    if let Some(error) = &form.roles_error {
        ui.add_space(4.0);
        ui.label(RichText::new(error).color(ERROR_RED));
    }
}

/// The dates and limits of one role.
fn role_fields_ui(ui: &mut Ui, index: usize, row: &mut RoleRow) {
    egui::Grid::new(("role_fields", index))
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            let from = ui.label(t!("authorisations-valid-from"));
            ui.horizontal(|ui| {
                ui.add(
                    TextEdit::singleline(&mut row.valid_from)
                        .id(egui::Id::unique(("role_from", index)))
                        .hint_text("YYYY-MM-DD")
                        .desired_width(DATE_WIDTH),
                )
                .labelled_by(from.id);
                let to = ui.label(t!("authorisations-valid-to"));
                ui.add(
                    TextEdit::singleline(&mut row.valid_to)
                        .id(egui::Id::unique(("role_to", index)))
                        .hint_text("YYYY-MM-DD")
                        .desired_width(DATE_WIDTH),
                )
                .labelled_by(to.id);
            });
            ui.end_row();
            for (label, value, salt) in [
                (
                    t!("authorisations-departments"),
                    &mut row.departments,
                    "role_departments",
                ),
                (
                    t!("authorisations-offices"),
                    &mut row.offices,
                    "role_offices",
                ),
            ] {
                let label = ui.label(label);
                ui.add(
                    TextEdit::singleline(value)
                        .id(egui::Id::unique((salt, index)))
                        .hint_text(t!("authorisations-all"))
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
                ui.end_row();
            }
        });
}
