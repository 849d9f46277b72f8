//! The form's Visma Connect section: the address and its verification, the
//! connected account, the identity provider's account, and what became of
//! the last email.

use egui::{RichText, Ui};

use crate::app::UserDetails;
use crate::domain::{ConnectedBy, Connection, DeliveryState, Field, MessageKind};
use crate::ui::format::{ERROR_RED, local_time};
use crate::ui::icons::{check_mark_ui, warning_ui};

use super::{
    FormAction, LABEL_COLUMN, UserForm, VERIFY_BUTTON_ROOM, not_connected_warning,
    smtputf8_warning, text_input_ui,
};

/// The section Connection to Visma Connect.
pub(super) fn connection_ui(
    ui: &mut Ui,
    form: &mut UserForm,
    smtputf8_missing: bool,
) -> Option<FormAction> {
    let title = t!("form-connection");
    let section = ui.label(RichText::new(&title).strong());
    crate::ui::a11y::heading(&section, &title);
    ui.separator();
    let connection = form
        .record
        .as_ref()
        .map(|r| r.connection.clone())
        .unwrap_or_default();
    if let Connection::Connected { email, since, by } = &connection {
        let action = connected_ui(ui, email, *since, *by, &form.details);
        return idp_account_ui(ui, &form.details).or(action);
    }
    let idp_action = idp_account_ui(ui, &form.details);
    email_suggestion_ui(ui, form, &connection);
    // Preparation phase: the invitation to link again, as it goes out.
    if connection == Connection::None
        && let Some(message) = form
            .details
            .last_message
            .as_ref()
            .filter(|m| m.kind == MessageKind::RelinkInvitation)
    {
        ui.weak(delivery_sentence(message, &t!("message-relink"), None));
    }
    let mut action = address_fields_ui(ui, form);
    if smtputf8_missing && form.draft.visma_email_needs_smtputf8() {
        ui.horizontal_wrapped(|ui| {
            warning_ui(ui);
            ui.label(RichText::new(smtputf8_warning()).color(ERROR_RED));
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
        if let Some(message) = last {
            ui.label(delivery_sentence(
                message,
                &t!("message-verification"),
                form.details.link_expires,
            ));
        } else {
            let email = email.to_string();
            ui.label(match (sent_count, last_sent_at) {
                (0, _) | (_, None) => t!("form-pending-none-sent", email = email),
                (n, Some(at)) => t!(
                    "form-pending-sent",
                    email = email,
                    count = *n,
                    last = local_time(*at)
                ),
            });
        }
        let can_send_again =
            crate::domain::rules::offers_send_again(last.map(|m| m.state), *sent_count);
        if can_send_again && ui.button(t!("form-send-again")).clicked() {
            action = Some(FormAction::VerifyAccount);
        }
    }
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        warning_ui(ui);
        ui.label(not_connected_warning());
    });
    idp_action.or(action)
}

/// The account in the identity provider, under the connection: active
/// since …, waiting to be sent, deactivated, or failed with the server's
/// words and *Try again*. Nothing while provisioning is off.
pub(super) fn idp_account_ui(ui: &mut Ui, details: &UserDetails) -> Option<FormAction> {
    use crate::domain::idp::IdpState;
    let account = details.idp.as_ref()?;
    let since = account.since.map(local_time).unwrap_or_default();
    let mut action = None;
    ui.horizontal_wrapped(|ui| match account.state {
        IdpState::Active => {
            ui.weak(t!("form-idp-active", since = since));
        }
        IdpState::Waiting => {
            ui.weak(t!("form-idp-waiting"));
        }
        IdpState::Deactivated => {
            ui.weak(t!("form-idp-deactivated", since = since));
        }
        IdpState::None => {
            ui.weak(t!("form-idp-none"));
        }
        IdpState::Failed => {
            warning_ui(ui);
            ui.label(
                RichText::new(t!("form-idp-failed", reason = account.last_result.as_str()))
                    .color(ERROR_RED),
            );
            if ui.button(t!("form-idp-try-again")).clicked() {
                action = Some(FormAction::RetryIdpPush);
            }
        }
    });
    action
}

/// With no Visma Connect address yet and both fields empty, offers the
/// user's General Email: one click fills both fields; nothing is saved or
/// sent until the administrator saves or presses Verify account.
pub(super) fn email_suggestion_ui(ui: &mut Ui, form: &mut UserForm, connection: &Connection) {
    let draft = &mut form.draft;
    let Some(general) = draft.suggested_visma_email(connection) else {
        return;
    };
    let general = general.to_string();
    ui.horizontal_wrapped(|ui| {
        ui.label(t!("form-suggestion"));
        ui.label(RichText::new(&general).strong());
        if ui
            .button(t!("form-use-address"))
            .on_hover_text(t!("form-use-address.hint"))
            .clicked()
        {
            draft.visma_email.clone_from(&general);
            draft.visma_email_confirm = general;
        }
    });
}

/// A connected user: the address with the green check mark and the two buttons.
pub(super) fn connected_ui(
    ui: &mut Ui,
    email: &crate::domain::Email,
    since: jiff::Timestamp,
    by: ConnectedBy,
    details: &UserDetails,
) -> Option<FormAction> {
    let mut action = None;
    ui.label(Field::VismaEmail.label());
    ui.horizontal(|ui| {
        check_mark_ui(ui);
        ui.label(RichText::new(email.as_str()).strong())
            .on_hover_text(t!("form-connected-hint"));
    });
    let since = local_time(since);
    ui.weak(match by {
        ConnectedBy::Link => t!("form-connected-by-link", since = since),
        ConnectedBy::VerifiedDomain => t!("form-connected-by-domain", since = since),
    });
    ui.horizontal(|ui| {
        if ui.button(t!("form-reset-password")).clicked() {
            action = Some(FormAction::ResetPassword);
        }
        if ui.button(t!("delete-connection-title")).clicked() {
            action = Some(FormAction::DeleteConnection);
        }
    });
    if let Some(message) = &details.last_message
        && message.kind == MessageKind::PasswordReset
    {
        ui.weak(delivery_sentence(message, &t!("message-reset"), None));
    }
    action
}

/// `Email` and `Confirm email` with `Verify account` beside the confirmation
/// (under it, where the form is too narrow for both).
pub(super) fn address_fields_ui(ui: &mut Ui, form: &mut UserForm) -> Option<FormAction> {
    let mut action = None;
    let errors = &form.errors;
    let draft = &mut form.draft;
    let beside = ui.available_width() >= LABEL_COLUMN + 12.0 + 160.0 + VERIFY_BUTTON_ROOM + 8.0;
    let reserve = if beside { VERIFY_BUTTON_ROOM } else { 0.0 };
    let verify_button_ui = |ui: &mut Ui, action: &mut Option<FormAction>| {
        if ui
            .button(t!("form-verify-account"))
            .on_hover_text(t!("form-verify-account.hint"))
            .clicked()
        {
            *action = Some(FormAction::VerifyAccount);
        }
    };
    egui::Grid::new("connection_fields")
        .num_columns(2)
        .min_col_width(LABEL_COLUMN)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            // As wide as Confirm email below, which has its button beside it.
            let label = ui.label(Field::VismaEmail.label());
            let email = ui
                .vertical(|ui| {
                    text_input_ui(
                        ui,
                        label.id,
                        Field::VismaEmail,
                        &mut draft.visma_email,
                        errors,
                        reserve,
                    )
                })
                .inner;
            if std::mem::take(&mut form.focus_connection) {
                email.request_focus();
            }
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
                            reserve,
                        )
                    })
                    .inner;
                // Enter in Confirm email presses Verify account.
                if confirm.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    action = Some(FormAction::VerifyAccount);
                }
                if beside {
                    verify_button_ui(ui, &mut action);
                }
            });
            ui.end_row();
            if !beside {
                crate::ui::format::empty_line_ui(ui);
                verify_button_ui(ui, &mut action);
                ui.end_row();
            }
        });
    action
}

/// "Verification email sent to … on … (link valid until …)", and the other states.
pub(super) fn delivery_sentence(
    message: &crate::domain::OutboxMessage,
    what: &str,
    link_expires: Option<jiff::Timestamp>,
) -> String {
    let to = message.recipient.to_string();
    match message.state {
        DeliveryState::Queued | DeliveryState::Sending => match &message.last_result {
            Some(reply) if message.attempts > 0 => t!(
                "delivery-retrying",
                what = what,
                to = to,
                reply = crate::i18n::stored_words(reply)
            ),
            _ => t!(
                "delivery-queued",
                what = what,
                to = to,
                at = local_time(message.created_at)
            ),
        },
        DeliveryState::Sent => {
            let sent = local_time(message.sent_at.unwrap_or(message.created_at));
            match link_expires {
                Some(until) => t!(
                    "delivery-sent-valid",
                    what = what,
                    to = to,
                    sent = sent,
                    until = local_time(until)
                ),
                None if message.kind == MessageKind::Verification => {
                    t!("delivery-sent-expired", what = what, to = to, sent = sent)
                }
                None => t!("delivery-sent", what = what, to = to, sent = sent),
            }
        }
        DeliveryState::Failed => t!(
            "delivery-failed",
            what = what,
            to = to,
            reason = message
                .last_result
                .as_deref()
                .map_or_else(|| t!("delivery-no-answer"), crate::i18n::stored_words)
        ),
        DeliveryState::Cancelled => t!(
            "delivery-cancelled",
            what = what,
            to = to,
            reason = message.last_result.as_deref().map_or_else(
                || t!("delivery-cancelled-reason"),
                crate::i18n::stored_words
            )
        ),
    }
}
