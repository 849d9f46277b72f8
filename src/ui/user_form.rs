//! The user form: tab General with the seed's fields, errors at each field,
//! and the section Connection to Visma Connect.

use egui::{RichText, TextEdit, Ui};

use crate::domain::{ConnectedBy, Connection, Field, FieldErrors, UserDraft, UserKey, UserRecord};

use super::format::{ERROR_RED, local_time};
use super::icons::{check_mark_ui, warning_ui};

/// The warning of an unconnected user, in the seed's words.
pub const NOT_CONNECTED_WARNING: &str = "User is not connected to Visma Connect. A valid email address must be entered and verified for the user to be able to log in with Visma Connect.";

/// The form's state: the stored user (if any), the draft being edited and its errors.
pub struct UserForm {
    /// The user's key; `None` for a new user.
    pub key: Option<UserKey>,
    /// The user as stored, for the connection section.
    pub record: Option<UserRecord>,
    /// The draft as it was loaded, to tell unsaved changes.
    pub original: UserDraft,
    /// The draft as edited.
    pub draft: UserDraft,
    /// Errors from the last save, per field.
    pub errors: FieldErrors,
}

impl UserForm {
    /// An empty form for `+ New`.
    pub fn new_user() -> Self {
        let draft = UserDraft::new_user();
        Self {
            key: None,
            record: None,
            original: draft.clone(),
            draft,
            errors: FieldErrors::new(),
        }
    }

    /// The form of a stored user.
    pub fn edit(record: &UserRecord) -> Self {
        let draft = UserDraft::from_record(record);
        Self {
            key: Some(record.key),
            record: Some(record.clone()),
            original: draft.clone(),
            draft,
            errors: FieldErrors::new(),
        }
    }

    /// True when the draft differs from what was loaded.
    pub fn has_unsaved_changes(&self) -> bool {
        self.draft != self.original
    }

    /// "14 Anna Svensson", or "New user".
    pub fn title(&self) -> String {
        match &self.record {
            Some(record) => format!("{} {}", record.user.user_id, record.user.display_name()),
            None => "New user".to_owned(),
        }
    }
}

/// Draws the form.
pub fn user_form_ui(ui: &mut Ui, form: &mut UserForm) {
    ui.heading(form.title());
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        // One tab for now; the seed's Authorisations tab belongs to roles.
        let _ = ui.add(egui::Button::new("General").selected(true));
    });
    ui.separator();
    ui.label(RichText::new("General").strong());
    let errors = &form.errors;
    let draft = &mut form.draft;
    ui.checkbox(&mut draft.activated, "User is activated");
    egui::Grid::new("general_fields")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            text_row_ui(ui, Field::UserId, &mut draft.user_id, errors);
            text_row_ui(ui, Field::AliasUserId, &mut draft.alias_user_id, errors);
            text_row_ui(ui, Field::Signature, &mut draft.signature, errors);
            text_row_ui(ui, Field::CardTagId, &mut draft.card_tag_id, errors);
            text_row_ui(
                ui,
                Field::ExternalReference,
                &mut draft.external_reference,
                errors,
            );
            text_row_ui(ui, Field::Email, &mut draft.email, errors);
            text_row_ui(ui, Field::FirstName, &mut draft.first_name, errors);
            text_row_ui(ui, Field::LastName, &mut draft.last_name, errors);
            text_row_ui(ui, Field::Department, &mut draft.department, errors);
            text_row_ui(ui, Field::Office, &mut draft.office, errors);
        });
    ui.add_space(12.0);
    connection_ui(ui, form);
}

/// A label and its text input in the grid, with the field's error under the input.
fn text_row_ui(ui: &mut Ui, field: Field, value: &mut String, errors: &FieldErrors) {
    let label = ui.label(field.label());
    ui.vertical(|ui| {
        let error = errors.get(&field);
        let mut edit = TextEdit::singleline(value).desired_width(260.0);
        if error.is_some() {
            edit = edit.text_color(ERROR_RED);
        }
        ui.add(edit).labelled_by(label.id);
        if let Some(error) = error {
            ui.label(RichText::new(error).color(ERROR_RED).small());
        }
    });
    ui.end_row();
}

/// The section Connection to Visma Connect.
fn connection_ui(ui: &mut Ui, form: &mut UserForm) {
    ui.label(RichText::new("Connection to Visma Connect").strong());
    ui.separator();
    let connection = form
        .record
        .as_ref()
        .map(|r| r.connection.clone())
        .unwrap_or_default();
    if let Connection::Connected { email, since, by } = &connection {
        ui.label("Email");
        ui.horizontal(|ui| {
            check_mark_ui(ui);
            ui.label(RichText::new(email.as_str()).strong())
                .on_hover_text("Connected: the user logs in with Visma Connect.");
        });
        let how = match by {
            ConnectedBy::Link => "the user confirmed the verification link",
            ConnectedBy::VerifiedDomain => "the address is in a verified domain",
        };
        ui.weak(format!("Connected {} — {how}.", local_time(*since)));
        return;
    }
    let errors = &form.errors;
    let draft = &mut form.draft;
    egui::Grid::new("connection_fields")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            text_row_ui(ui, Field::VismaEmail, &mut draft.visma_email, errors);
            text_row_ui(
                ui,
                Field::VismaEmailConfirm,
                &mut draft.visma_email_confirm,
                errors,
            );
        });
    if let Connection::Unverified {
        email,
        sent_count,
        last_sent_at,
    } = &connection
    {
        let sent = match (sent_count, last_sent_at) {
            (0, _) | (_, None) => "no verification email has been sent yet".to_owned(),
            (1, Some(at)) => format!("a verification email was sent {}", local_time(*at)),
            (n, Some(at)) => format!("{n} verification emails sent, the last {}", local_time(*at)),
        };
        ui.label(format!("Pending verification: {email} is saved; {sent}."));
    }
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        warning_ui(ui);
        ui.label(NOT_CONNECTED_WARNING);
    });
}
