//! The user form's tab *Audit of account code*: rows of an account
//! dimension, a code or a range of codes, and an optional amount limit;
//! saved with the form (Save, Ctrl+S) and checked against the register's
//! codes when the dimension has a list.

use egui::{RichText, TextEdit, Ui};

use crate::domain::account_codes::dimension_label;

use super::format::ERROR_RED;
use super::user_form::{AuditRow, FormAction, UserForm};

/// Draws the tab; `Import account codes…` comes back as its action.
pub fn audit_of_account_code_ui(ui: &mut Ui, form: &mut UserForm) -> Option<FormAction> {
    ui.label(RichText::new(t!("form-tab-audit")).strong());
    ui.weak(t!("audit-tab-note"));
    ui.add_space(6.0);
    if form.audit_rows.is_empty() {
        ui.label(t!("audit-tab-none"));
    }
    let dimensions = form.details.dimensions.clone();
    let mut remove = None;
    for (index, row) in form.audit_rows.iter_mut().enumerate() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            egui::Grid::new(("audit_row", index))
                .num_columns(2)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    let label = ui.label(t!("audit-tab-dimension"));
                    ui.horizontal(|ui| {
                        egui::ComboBox::from_id_salt(("audit_dimension", index))
                            .selected_text(dimension_label(&row.dimension))
                            .show_ui(ui, |ui| {
                                for dimension in &dimensions {
                                    ui.selectable_value(
                                        &mut row.dimension,
                                        dimension.clone(),
                                        dimension_label(dimension),
                                    );
                                }
                            })
                            .response
                            .labelled_by(label.id);
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                            if ui.button(t!("authorisations-remove")).clicked() {
                                remove = Some(index);
                            }
                        });
                    });
                    ui.end_row();
                    for (text, value, salt, hint) in [
                        (
                            t!("audit-tab-code"),
                            &mut row.from_code,
                            "audit_from",
                            String::new(),
                        ),
                        (
                            t!("audit-tab-to-code"),
                            &mut row.to_code,
                            "audit_to",
                            t!("audit-tab-to-code.hint"),
                        ),
                        (
                            t!("audit-tab-limit"),
                            &mut row.amount_limit,
                            "audit_limit",
                            t!("audit-tab-limit.hint"),
                        ),
                    ] {
                        let label = ui.label(text);
                        ui.add(
                            TextEdit::singleline(value)
                                .id(egui::Id::unique((salt, index)))
                                .hint_text(hint)
                                .desired_width(160.0),
                        )
                        .labelled_by(label.id);
                        ui.end_row();
                    }
                });
        });
    }
    if let Some(index) = remove {
        form.audit_rows.remove(index);
    }
    ui.add_space(6.0);
    let mut action = None;
    ui.horizontal(|ui| {
        if ui.button(t!("audit-tab-add")).clicked() {
            form.audit_rows.push(AuditRow {
                dimension: dimensions.first().cloned().unwrap_or_default(),
                from_code: String::new(),
                to_code: String::new(),
                amount_limit: String::new(),
            });
        }
        if ui
            .button(t!("audit-tab-import-codes"))
            .on_hover_text(t!("audit-tab-import-codes.hint"))
            .clicked()
        {
            action = Some(FormAction::ImportAccountCodes);
        }
    });
    if let Some(error) = &form.audit_error {
        ui.add_space(4.0);
        ui.label(RichText::new(error).color(ERROR_RED));
    }
    action
}
