//! The user form: tab General with the seed's fields, errors at each field,
//! the section Connection to Visma Connect with its buttons, and History.

use egui::{RichText, TextEdit, Ui};

use crate::app::UserDetails;
use crate::domain::{
    ConnectedBy, Connection, DeliveryState, Field, FieldErrors, MessageKind, UserDraft, UserKey,
    UserRecord,
};

use super::format::{ERROR_RED, local_time};
use super::icons::{check_mark_ui, warning_ui};

/// The warning of an unconnected user, in the seed's words.
pub const NOT_CONNECTED_WARNING: &str = "User is not connected to Visma Connect. A valid email address must be entered and verified for the user to be able to log in with Visma Connect.";

/// Width of the label column of both field grids, so General and
/// Connection line up.
const LABEL_COLUMN: f32 = 120.0;

/// The warning at an address the configured mail server cannot take.
pub const SMTPUTF8_WARNING: &str = "This address has letters outside A–Z before the @. Your mail server does not accept such addresses (Send test email found that it does not announce SMTPUTF8), so a verification email to it would fail. Use an address without them, or a mail server that takes them.";

/// A button of the connection section the person pressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormAction {
    /// `Verify account` (saves first) or `Send again`.
    VerifyAccount,
    /// `Reset password`.
    ResetPassword,
    /// `Delete connection` (asks first).
    DeleteConnection,
}

/// The form's state: the stored user (if any), the draft being edited and its errors.
pub struct UserForm {
    /// The user's key; `None` for a new user.
    pub key: Option<UserKey>,
    /// The user as stored, for the connection section.
    pub record: Option<UserRecord>,
    /// Last message, live link and History.
    pub details: UserDetails,
    /// The draft as it was loaded, to tell unsaved changes.
    pub original: UserDraft,
    /// The user as they were when the form was opened (a later change
    /// elsewhere makes `Delete` ask again, even once the form shows it).
    pub opened: UserDraft,
    /// The draft as edited.
    pub draft: UserDraft,
    /// Errors from the last save, per field.
    pub errors: FieldErrors,
    /// Put the cursor in User-ID at the next frame (a new user, Ctrl+N).
    pub focus_user_id: bool,
}

impl UserForm {
    /// An empty form for `+ New`.
    pub fn new_user() -> Self {
        let draft = UserDraft::new_user();
        Self {
            key: None,
            record: None,
            details: UserDetails::default(),
            opened: draft.clone(),
            original: draft.clone(),
            draft,
            errors: FieldErrors::new(),
            focus_user_id: false,
        }
    }

    /// The form of a stored user.
    pub fn edit(record: &UserRecord, details: UserDetails) -> Self {
        let draft = UserDraft::from_record(record);
        Self {
            key: Some(record.key),
            record: Some(record.clone()),
            details,
            opened: draft.clone(),
            original: draft.clone(),
            draft,
            errors: FieldErrors::new(),
            focus_user_id: false,
        }
    }

    /// Takes a newer stored state of the same user: the fields follow unless
    /// they have unsaved changes; the connection always follows.
    pub fn refresh(&mut self, record: &UserRecord, details: UserDetails) {
        if !self.has_unsaved_changes() {
            self.draft = UserDraft::from_record(record);
            self.original = self.draft.clone();
        }
        self.record = Some(record.clone());
        self.details = details;
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

/// Draws the form; returns the connection button pressed, if any.
/// `smtputf8_missing`: the mail server was found not to take addresses with
/// letters outside ASCII before the @ (the Email field then warns).
pub fn user_form_ui(
    ui: &mut Ui,
    form: &mut UserForm,
    smtputf8_missing: bool,
) -> Option<FormAction> {
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
        .min_col_width(LABEL_COLUMN)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            let user_id = text_row_ui(ui, Field::UserId, &mut draft.user_id, errors);
            if std::mem::take(&mut form.focus_user_id) {
                user_id.request_focus();
            }
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
    let action = connection_ui(ui, form, smtputf8_missing);
    ui.add_space(12.0);
    history_ui(ui, &form.details);
    action
}

/// A label and its text input in the grid, with the field's error under
/// the input; returns the input's response.
fn text_row_ui(
    ui: &mut Ui,
    field: Field,
    value: &mut String,
    errors: &FieldErrors,
) -> egui::Response {
    let label = ui.label(field.label());
    let input = ui
        .vertical(|ui| text_input_ui(ui, label.id, field, value, errors, 0.0))
        .inner;
    ui.end_row();
    input
}

fn text_input_ui(
    ui: &mut Ui,
    label: egui::Id,
    field: Field,
    value: &mut String,
    errors: &FieldErrors,
    reserve: f32,
) -> egui::Response {
    let error = errors.get(&field);
    // As wide as the panel allows (long names stay whole), within reason;
    // `reserve` is kept free beside it.
    let width = (ui.available_width() - 8.0 - reserve).clamp(160.0, 480.0);
    let mut edit = TextEdit::singleline(value).desired_width(width);
    if error.is_some() {
        edit = edit.text_color(ERROR_RED);
    }
    let input = ui.add(edit).labelled_by(label);
    if let Some(error) = error {
        ui.label(RichText::new(error).color(ERROR_RED));
    }
    input
}

/// The section Connection to Visma Connect.
fn connection_ui(ui: &mut Ui, form: &mut UserForm, smtputf8_missing: bool) -> Option<FormAction> {
    ui.label(RichText::new("Connection to Visma Connect").strong());
    ui.separator();
    let connection = form
        .record
        .as_ref()
        .map(|r| r.connection.clone())
        .unwrap_or_default();
    if let Connection::Connected { email, since, by } = &connection {
        return connected_ui(ui, email, *since, *by, &form.details);
    }
    email_suggestion_ui(ui, form, &connection);
    let mut action = address_fields_ui(ui, form);
    if smtputf8_missing && form.draft.visma_email_needs_smtputf8() {
        ui.horizontal_wrapped(|ui| {
            warning_ui(ui);
            ui.label(RichText::new(SMTPUTF8_WARNING).color(ERROR_RED));
        });
    }
    if let Connection::Unverified {
        email,
        sent_count,
        last_sent_at,
    } = &connection
    {
        let last = form
            .details
            .last_message
            .as_ref()
            .filter(|m| m.kind == MessageKind::Verification && m.recipient == *email);
        let can_send_again = if let Some(message) = last {
            ui.label(delivery_sentence(
                message,
                "Verification email",
                form.details.link_expires,
            ));
            matches!(
                message.state,
                DeliveryState::Sent | DeliveryState::Failed | DeliveryState::Cancelled
            )
        } else {
            let sent = match (sent_count, last_sent_at) {
                (0, _) | (_, None) => "no verification email has been sent yet".to_owned(),
                (1, Some(at)) => format!("a verification email was sent {}", local_time(*at)),
                (n, Some(at)) => format!(
                    "{n} verification emails were sent, the last {}",
                    local_time(*at)
                ),
            };
            ui.label(format!("Pending verification: {email} is saved; {sent}."));
            *sent_count > 0
        };
        if can_send_again && ui.button("Send again").clicked() {
            action = Some(FormAction::VerifyAccount);
        }
    }
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        warning_ui(ui);
        ui.label(NOT_CONNECTED_WARNING);
    });
    action
}

/// With no Visma Connect address yet and both fields empty, offers the
/// user's General Email: one click fills both fields; nothing is saved or
/// sent until the administrator saves or presses Verify account.
fn email_suggestion_ui(ui: &mut Ui, form: &mut UserForm, connection: &Connection) {
    let draft = &mut form.draft;
    let Some(general) = draft.suggested_visma_email(connection) else {
        return;
    };
    let general = general.to_string();
    ui.horizontal_wrapped(|ui| {
        ui.label("The user's Email is");
        ui.label(RichText::new(&general).strong());
        if ui
            .button("Use this address")
            .on_hover_text("Fills Email and Confirm email below; nothing is saved or sent yet")
            .clicked()
        {
            draft.visma_email.clone_from(&general);
            draft.visma_email_confirm = general;
        }
    });
}

/// A connected user: the address with the green check mark and the two buttons.
fn connected_ui(
    ui: &mut Ui,
    email: &crate::domain::Email,
    since: jiff::Timestamp,
    by: ConnectedBy,
    details: &UserDetails,
) -> Option<FormAction> {
    let mut action = None;
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
    ui.weak(format!("Connected {} — {how}.", local_time(since)));
    ui.horizontal(|ui| {
        if ui.button("Reset password").clicked() {
            action = Some(FormAction::ResetPassword);
        }
        if ui.button("Delete connection").clicked() {
            action = Some(FormAction::DeleteConnection);
        }
    });
    if let Some(message) = &details.last_message
        && message.kind == MessageKind::PasswordReset
    {
        ui.weak(delivery_sentence(message, "Password reset email", None));
    }
    action
}

/// `Email` and `Confirm email` with `Verify account` beside the confirmation.
fn address_fields_ui(ui: &mut Ui, form: &mut UserForm) -> Option<FormAction> {
    let mut action = None;
    let errors = &form.errors;
    let draft = &mut form.draft;
    egui::Grid::new("connection_fields")
        .num_columns(2)
        .min_col_width(LABEL_COLUMN)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            // As wide as Confirm email below, which has its button beside it.
            let label = ui.label(Field::VismaEmail.label());
            ui.vertical(|ui| {
                text_input_ui(
                    ui,
                    label.id,
                    Field::VismaEmail,
                    &mut draft.visma_email,
                    errors,
                    130.0,
                )
            });
            ui.end_row();
            let label = ui.label(Field::VismaEmailConfirm.label());
            ui.horizontal_top(|ui| {
                let confirm = ui
                    .vertical(|ui| {
                        text_input_ui(
                            ui,
                            label.id,
                            Field::VismaEmailConfirm,
                            &mut draft.visma_email_confirm,
                            errors,
                            // Room for Verify account beside it.
                            130.0,
                        )
                    })
                    .inner;
                // Enter in Confirm email presses Verify account.
                if confirm.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    action = Some(FormAction::VerifyAccount);
                }
                if ui
                    .button("Verify account")
                    .on_hover_text("Save the address and send a verification email")
                    .clicked()
                {
                    action = Some(FormAction::VerifyAccount);
                }
            });
            ui.end_row();
        });
    action
}

/// "Verification email sent to … on … (link valid until …)", and the other states.
fn delivery_sentence(
    message: &crate::domain::OutboxMessage,
    what: &str,
    link_expires: Option<jiff::Timestamp>,
) -> String {
    let to = &message.recipient;
    match message.state {
        DeliveryState::Queued | DeliveryState::Sending => match &message.last_result {
            Some(reply) if message.attempts > 0 => format!(
                "{what} to {to} is waiting to be sent again (the server answered: {reply})."
            ),
            _ => format!(
                "{what} to {to} is queued ({}).",
                local_time(message.created_at)
            ),
        },
        DeliveryState::Sent => {
            let sent = local_time(message.sent_at.unwrap_or(message.created_at));
            match link_expires {
                Some(until) => format!(
                    "{what} sent to {to} on {sent} (link valid until {}).",
                    local_time(until)
                ),
                None if message.kind == MessageKind::Verification => {
                    format!("{what} sent to {to} on {sent}; its link no longer works.")
                }
                None => format!("{what} sent to {to} on {sent}."),
            }
        }
        DeliveryState::Failed => format!(
            "{what} to {to} could not be delivered: {}",
            message.last_result.as_deref().unwrap_or("no answer")
        ),
        DeliveryState::Cancelled => format!(
            "{what} to {to} was not sent: {}",
            message.last_result.as_deref().unwrap_or("cancelled")
        ),
    }
}

/// The user's audit rows, newest first.
fn history_ui(ui: &mut Ui, details: &UserDetails) {
    egui::CollapsingHeader::new("History")
        .default_open(false)
        .show(ui, |ui| {
            if details.history.is_empty() {
                ui.weak("Nothing recorded yet.");
            }
            egui::Grid::new("history_rows")
                .num_columns(3)
                .striped(true)
                .show(ui, |ui| {
                    for entry in &details.history {
                        ui.label(local_time(entry.at));
                        ui.label(entry.describe());
                        ui.weak(&entry.actor);
                        ui.end_row();
                    }
                });
        });
}
