//! The user form: tab General with the seed's fields, errors at each field,
//! the section Connection to Visma Connect with its buttons, and History;
//! tab Authorisations with the user's roles.
//!
//! Here: the form's state and its General tab. The Visma Connect section is
//! `connection`.

use egui::{RichText, TextEdit, Ui};

use crate::app::UserDetails;
use crate::domain::account_codes::{AuditRight, format_limit, parse_limit};
use crate::domain::roles::{Assignment, Scope, place_list_text};
use crate::domain::{
    Connection, DeliveryState, Field, FieldErrors, MessageKind, UserDraft, UserKey, UserRecord,
};

use super::format::{ERROR_RED, local_time};

mod connection;

use connection::{connection_ui, delivery_sentence};

/// The warning of an unconnected user, in the seed's words.
pub fn not_connected_warning() -> String {
    t!("form-not-connected-warning")
}

/// Width of the label column of both field grids, so General and
/// Connection line up.
const LABEL_COLUMN: f32 = 120.0;

/// Room kept beside Confirm email for `Verify account`.
const VERIFY_BUTTON_ROOM: f32 = 130.0;

/// The warning at an address the configured mail server cannot take.
pub fn smtputf8_warning() -> String {
    t!("form-smtputf8-warning")
}

/// A button of the connection section the person pressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormAction {
    /// `Verify account` (saves first) or `Send again`.
    VerifyAccount,
    /// `Reset password`.
    ResetPassword,
    /// `Delete connection` (asks first).
    DeleteConnection,
    /// `Import account codes…` on the Audit of account code tab.
    ImportAccountCodes,
    /// *Try again* on a push to the identity provider that failed.
    RetryIdpPush,
}

/// The form's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormTab {
    /// The seed's fields, the connection and History.
    General,
    /// The user's roles.
    Authorisations,
    /// What the user may audit (attest) of account codings.
    AuditOfAccountCode,
}

/// One row of *Audit of account code* as the tab edits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    /// The dimension's id.
    pub dimension: String,
    /// The code, or the first of a range.
    pub from_code: String,
    /// The last code of a range, or empty.
    pub to_code: String,
    /// The amount limit as typed, or empty.
    pub amount_limit: String,
}

impl AuditRow {
    fn from_right(right: &AuditRight) -> Self {
        Self {
            dimension: right.dimension.clone(),
            from_code: right.from_code.clone(),
            to_code: right.to_code.clone().unwrap_or_default(),
            amount_limit: right.amount_limit.map(format_limit).unwrap_or_default(),
        }
    }

    /// The row as stored, or why the limit cannot be read.
    fn to_right(&self) -> Result<AuditRight, String> {
        let to = self.to_code.trim();
        Ok(AuditRight {
            dimension: self.dimension.clone(),
            from_code: self.from_code.trim().to_owned(),
            to_code: (!to.is_empty()).then(|| to.to_owned()),
            amount_limit: parse_limit(&self.amount_limit).map_err(|e| e.to_string())?,
        })
    }
}

fn audit_rows(details: &UserDetails) -> Vec<AuditRow> {
    details
        .audit_rights
        .iter()
        .map(AuditRow::from_right)
        .collect()
}

/// One of the user's roles as the Authorisations tab edits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleRow {
    /// The role's id.
    pub role: String,
    /// Valid from, as typed (`2027-01-31` or empty).
    pub valid_from: String,
    /// Valid to, as typed.
    pub valid_to: String,
    /// Departments, comma-separated (empty: all the role allows).
    pub departments: String,
    /// Offices, comma-separated.
    pub offices: String,
}

impl RoleRow {
    fn from_assignment(assignment: &Assignment) -> Self {
        Self {
            role: assignment.role.clone(),
            valid_from: crate::domain::date_text(assignment.valid_from),
            valid_to: crate::domain::date_text(assignment.valid_to),
            departments: place_list_text(&assignment.scope.departments),
            offices: place_list_text(&assignment.scope.offices),
        }
    }

    /// The assignment, or why the dates cannot be read.
    pub fn to_assignment(&self) -> Result<Assignment, String> {
        let date = |text: &str| crate::domain::parse_date(text).map_err(|e| e.to_string());
        Ok(Assignment {
            role: self.role.clone(),
            valid_from: date(&self.valid_from)?,
            valid_to: date(&self.valid_to)?,
            scope: Scope::from_text(&self.departments, &self.offices),
        })
    }
}

fn role_rows(details: &UserDetails) -> Vec<RoleRow> {
    details.roles.iter().map(RoleRow::from_assignment).collect()
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
    /// Put the cursor in the Visma Connect Email at the next frame (Enter
    /// in the list); in User-ID when the user is connected.
    pub focus_connection: bool,
    /// The tab shown.
    pub tab: FormTab,
    /// The user's roles as edited (saved with the form).
    pub roles: Vec<RoleRow>,
    /// The roles as loaded, to tell unsaved changes.
    pub roles_original: Vec<RoleRow>,
    /// Why the roles were not saved, if they were not.
    pub roles_error: Option<String>,
    /// Why the operator may not change the user (set by the view each
    /// frame from their roles); `None` when they may.
    pub read_only: Option<String>,
    /// Why the operator may not change roles; `None` when they may.
    pub roles_read_only: Option<String>,
    /// The user's *Audit of account code* rows as edited.
    pub audit_rows: Vec<AuditRow>,
    /// The rows as loaded.
    pub audit_rows_original: Vec<AuditRow>,
    /// Why the rows were not saved, if they were not.
    pub audit_error: Option<String>,
    /// True while the user's details (History, roles, rows) are read off
    /// the UI thread: nothing can be changed until they are there.
    pub loading: bool,
    /// What the form is doing on the register off the UI thread
    /// (*Saving…*, *Working…*): nothing can be changed or pressed meanwhile.
    pub working: Option<String>,
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
            focus_connection: false,
            tab: FormTab::General,
            roles: Vec::new(),
            roles_original: Vec::new(),
            roles_error: None,
            read_only: None,
            roles_read_only: None,
            audit_rows: Vec::new(),
            audit_rows_original: Vec::new(),
            audit_error: None,
            loading: false,
            working: None,
        }
    }

    /// The form of a stored user.
    pub fn edit(record: &UserRecord, details: UserDetails) -> Self {
        let draft = UserDraft::from_record(record);
        let roles = role_rows(&details);
        let rows = audit_rows(&details);
        Self {
            key: Some(record.key),
            record: Some(record.clone()),
            details,
            opened: draft.clone(),
            original: draft.clone(),
            draft,
            errors: FieldErrors::new(),
            focus_user_id: false,
            focus_connection: false,
            tab: FormTab::General,
            roles_original: roles.clone(),
            roles,
            roles_error: None,
            read_only: None,
            roles_read_only: None,
            audit_rows_original: rows.clone(),
            audit_rows: rows,
            audit_error: None,
            loading: false,
            working: None,
        }
    }

    /// The *Audit of account code* rows to save when they changed (`None`
    /// when not); a limit that cannot be read is the error.
    pub fn audit_rights_to_save(&mut self) -> Result<Option<Vec<AuditRight>>, String> {
        if self.audit_rows == self.audit_rows_original {
            return Ok(None);
        }
        let read: Result<Vec<AuditRight>, String> =
            self.audit_rows.iter().map(AuditRow::to_right).collect();
        match read {
            Ok(rights) => Ok(Some(rights)),
            Err(error) => {
                self.audit_error = Some(error.clone());
                self.tab = FormTab::AuditOfAccountCode;
                Err(error)
            }
        }
    }

    /// The roles to save when they changed (`None` when not); a date that
    /// cannot be read is the error, shown on the Authorisations tab.
    pub fn roles_to_save(&mut self) -> Result<Option<Vec<Assignment>>, String> {
        if !self.roles_changed() {
            return Ok(None);
        }
        let read: Result<Vec<Assignment>, String> =
            self.roles.iter().map(RoleRow::to_assignment).collect();
        match read {
            Ok(roles) => Ok(Some(roles)),
            Err(error) => {
                self.roles_error = Some(error.clone());
                self.tab = FormTab::Authorisations;
                Err(error)
            }
        }
    }

    /// True when the roles or the audit rows differ from what was loaded.
    pub fn authorisations_changed(&self) -> bool {
        self.roles_changed() || self.audit_rows != self.audit_rows_original
    }

    /// True when the roles differ from what was loaded.
    pub fn roles_changed(&self) -> bool {
        self.roles != self.roles_original
    }

    /// Takes a newer stored state of the same user: the fields follow unless
    /// they have unsaved changes; the connection always follows.
    pub fn refresh(&mut self, record: &UserRecord, details: UserDetails) {
        if !self.has_unsaved_changes() {
            self.draft = UserDraft::from_record(record);
            self.original = self.draft.clone();
            self.roles = role_rows(&details);
            self.roles_original = self.roles.clone();
            self.audit_rows = audit_rows(&details);
            self.audit_rows_original = self.audit_rows.clone();
        }
        self.record = Some(record.clone());
        self.details = details;
    }

    /// What the form says of the user's newest message when it did not go
    /// out (waiting to be sent again, or failed), and to whom, so the status
    /// line can say the same instead of a cheerful "queued".
    pub fn delivery_problem(&self) -> Option<(String, String)> {
        let message = self.details.last_message.as_ref()?;
        let troubled = match message.state {
            DeliveryState::Queued | DeliveryState::Sending => {
                message.attempts > 0 && message.last_result.is_some()
            }
            DeliveryState::Failed => true,
            DeliveryState::Sent | DeliveryState::Cancelled => false,
        };
        let what = match message.kind {
            MessageKind::Verification => t!("message-verification"),
            MessageKind::PasswordReset => t!("message-reset"),
            MessageKind::RelinkInvitation => t!("message-relink"),
        };
        troubled.then(|| {
            (
                delivery_sentence(message, &what, None),
                message.recipient.to_string(),
            )
        })
    }

    /// The form of `record` just saved from this one: its tabs as they were
    /// saved, the details as they were (read again after).
    pub fn saved_as(&self, record: &UserRecord) -> Self {
        let mut saved = Self::edit(record, self.details.clone());
        saved.tab = self.tab;
        saved.roles.clone_from(&self.roles);
        saved.roles_original.clone_from(&self.roles);
        saved.audit_rows.clone_from(&self.audit_rows);
        saved.audit_rows_original.clone_from(&self.audit_rows);
        saved
    }

    /// True while the form waits for the register: its details being read
    /// or its work being done.
    pub fn is_busy(&self) -> bool {
        self.loading || self.working.is_some()
    }

    /// True when the draft differs from what was loaded.
    pub fn has_unsaved_changes(&self) -> bool {
        self.draft != self.original || self.authorisations_changed()
    }

    /// "14 Anna Svensson", or "New user".
    pub fn title(&self) -> String {
        match &self.record {
            // A user with no name is titled by the User-ID once, not twice.
            Some(record)
                if record.user.first_name.trim().is_empty()
                    && record.user.last_name.trim().is_empty() =>
            {
                record.user.user_id.to_string()
            }
            Some(record) => format!("{} {}", record.user.user_id, record.user.display_name()),
            None => t!("form-new-user"),
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
    roles: &[crate::domain::roles::Role],
) -> Option<FormAction> {
    let connected = form
        .record
        .as_ref()
        .is_some_and(|r| matches!(r.connection, Connection::Connected { .. }));
    if connected && std::mem::take(&mut form.focus_connection) {
        form.focus_user_id = true;
    }
    ui.heading(form.title());
    let waiting = match &form.working {
        Some(working) => Some(working.clone()),
        None => form.loading.then(|| t!("form-loading")),
    };
    if let Some(waiting) = waiting {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(waiting);
        });
    }
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        super::a11y::tab_list(ui);
        for (tab, label) in [
            (FormTab::General, t!("form-tab-general")),
            (FormTab::Authorisations, t!("form-tab-authorisations")),
            (FormTab::AuditOfAccountCode, t!("form-tab-audit")),
        ] {
            let button = ui.add(egui::Button::new(label).selected(form.tab == tab));
            super::a11y::tab(&button, form.tab == tab);
            if button.clicked() {
                form.tab = tab;
            }
        }
    });
    ui.separator();
    if form.tab == FormTab::AuditOfAccountCode {
        if let Some(why) = form.roles_read_only.clone() {
            ui.label(RichText::new(why).color(ERROR_RED));
        }
        return ui
            .add_enabled_ui(form.roles_read_only.is_none() && !form.is_busy(), |ui| {
                super::account_code_tab::audit_of_account_code_ui(ui, form)
            })
            .inner;
    }
    if form.tab == FormTab::Authorisations {
        if let Some(why) = form.roles_read_only.clone() {
            ui.label(RichText::new(why).color(ERROR_RED));
        }
        ui.add_enabled_ui(form.roles_read_only.is_none() && !form.is_busy(), |ui| {
            super::authorisations_tab::authorisations_ui(ui, form, roles);
        });
        return None;
    }
    let title = t!("form-tab-general");
    let section = ui.label(RichText::new(&title).strong());
    super::a11y::heading(&section, &title);
    if let Some(why) = &form.read_only {
        ui.label(RichText::new(why).color(ERROR_RED));
    }
    let before = form.draft.clone();
    let action = ui
        .add_enabled_ui(form.read_only.is_none() && !form.is_busy(), |ui| {
            general_fields_ui(ui, form);
            ui.add_space(12.0);
            connection_ui(ui, form, smtputf8_missing)
        })
        .inner;
    // A field corrected loses its error at once (not at the next Save).
    if !form.errors.is_empty() && form.draft != before {
        form.errors = form.draft.errors_after_edit(&before, &form.errors);
    }
    ui.add_space(12.0);
    history_ui(ui, &form.details);
    action
}

/// The General fields in their grid.
fn general_fields_ui(ui: &mut Ui, form: &mut UserForm) {
    let errors = &form.errors;
    let draft = &mut form.draft;
    ui.checkbox(&mut draft.activated, t!("field-activated"));
    egui::Grid::new("general_fields")
        .num_columns(2)
        .min_col_width(LABEL_COLUMN)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            let user_id = text_row_ui(ui, Field::UserId, &mut draft.user_id, errors);
            super::a11y::required(&user_id);
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
            text_row_ui(
                ui,
                Field::EmploymentEnds,
                &mut draft.employment_ends,
                errors,
            )
            .on_hover_text(t!("field-employment-ends.hint"));
        });
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
    // A fixed id per field: the suggestion row above the Connection
    // fields comes and goes as they are typed in, and an id from the
    // widgets' order would move the cursor out of the field mid-word.
    let mut edit = TextEdit::singleline(value)
        .id(egui::Id::unique(("user-form-field", field)))
        .desired_width(width);
    if error.is_some() {
        edit = edit.text_color(ERROR_RED);
    }
    let input = ui.add(edit).labelled_by(label);
    if let Some(error) = error {
        let said = ui.label(RichText::new(error).color(ERROR_RED));
        super::a11y::field_error(&input, &said);
    }
    input
}

/// The user's audit rows, newest first.
fn history_ui(ui: &mut Ui, details: &UserDetails) {
    egui::CollapsingHeader::new(t!("form-history"))
        .default_open(false)
        .show(ui, |ui| {
            if details.history.is_empty() {
                ui.weak(t!("form-history-empty"));
            }
            // Two lines per row, the words wrapped: a long row (an address,
            // the folder transport's note, an employee's own change) never
            // widens the form beyond its panel.
            for entry in &details.history {
                ui.horizontal_wrapped(|ui| {
                    ui.weak(local_time(entry.at));
                    ui.weak("·");
                    ui.weak(crate::i18n::stored_words(&entry.actor));
                });
                ui.add(egui::Label::new(entry.describe()).wrap());
                ui.add_space(4.0);
            }
        });
}
