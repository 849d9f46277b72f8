//! Planning an import row by row: each row of the sheet matched to the
//! register's user by User-ID, its cells made a draft, and what it would
//! change (or why it is rejected) said.

// foldhash: a quick hasher, randomly seeded per process; the keys are
// User-IDs and addresses from the file, a hundred thousand per import.
use foldhash::{HashMap, HashMapExt as _};

use crate::domain::connection::Connection;
use crate::domain::draft::UserDraft;
use crate::domain::email::Email;
use crate::domain::template::{TemplateColumn, parse_activated};
use crate::domain::user::{User, UserRecord};

use super::{
    ColumnMap, ImportNote, ImportPlan, RawTable, RejectReason, RowAction, RowCells, RowPlan,
};

/// The register as the rules need it.
pub struct RegisterIndex<'a> {
    pub(super) by_user_id: HashMap<&'a str, &'a UserRecord>,
    pub(super) address_owner: HashMap<&'a str, &'a UserRecord>,
}

impl<'a> RegisterIndex<'a> {
    /// Indexes the register's users.
    pub fn new(users: impl IntoIterator<Item = &'a UserRecord>) -> Self {
        let mut by_user_id = HashMap::new();
        let mut address_owner = HashMap::new();
        for record in users {
            by_user_id.insert(record.user.user_id.as_str(), record);
            if let Some(email) = record.connection.email() {
                address_owner.insert(email.key(), record);
            }
        }
        Self {
            by_user_id,
            address_owner,
        }
    }
}

pub(super) fn set(draft_field: &mut String, cell: Option<&&str>) {
    if let Some(cell) = cell {
        (*cell).clone_into(draft_field);
    }
}

/// `label_key` names the field's text key; it is looked up only for a
/// field that changed (an import of 100 000 unchanged rows looks up none).
pub(super) fn change(changes: &mut Vec<String>, label_key: &str, old: &str, new: &str) {
    if old != new {
        let label = crate::i18n::text(crate::i18n::window_language(), label_key, &[]);
        if old.is_empty() {
            changes.push(format!("{label}: {new}"));
        } else {
            changes.push(format!("{label}: {old} → {new}"));
        }
    }
}

/// Plans the import of `table` into the register.
pub fn plan_import(table: &RawTable, map: &ColumnMap, register: &RegisterIndex<'_>) -> ImportPlan {
    plan_import_with_progress(table, map, register, &mut |_| true).unwrap_or_default()
}

/// [`plan_import`], telling `progress` how many rows are planned now and
/// then; `None` when it returns false (the plan was cancelled).
pub fn plan_import_with_progress(
    table: &RawTable,
    map: &ColumnMap,
    register: &RegisterIndex<'_>,
    progress: &mut dyn FnMut(usize) -> bool,
) -> Option<ImportPlan> {
    let mut plan = ImportPlan {
        rows: Vec::with_capacity(table.rows.len()),
        unknown_columns: map.unknown.clone(),
        ..ImportPlan::default()
    };
    let mut seen_ids: HashMap<&str, usize> = HashMap::with_capacity(table.rows.len());
    let mut claimed_addresses: HashMap<String, String> = HashMap::new();
    for (index, (row_number, row)) in table.rows.iter().enumerate() {
        if index % 1024 == 0 && !progress(index) {
            return None;
        }
        let cells = map.cells(row);
        if cells.is_empty() {
            continue;
        }
        let row_plan = plan_row(
            *row_number,
            &cells,
            register,
            &mut seen_ids,
            &mut claimed_addresses,
        );
        match &row_plan.action {
            RowAction::Create { .. } => plan.counts.create += 1,
            RowAction::Update { .. } => plan.counts.update += 1,
            RowAction::Unchanged => plan.counts.unchanged += 1,
            RowAction::Rejected(_) => plan.counts.rejected += 1,
        }
        plan.counts.notes += row_plan.notes.len();
        plan.rows.push(row_plan);
    }
    Some(plan)
}

pub(super) fn rejected(row: usize, user_id: &str, reason: RejectReason) -> RowPlan {
    RowPlan {
        row,
        user_id: user_id.to_owned(),
        action: RowAction::Rejected(reason),
        notes: Vec::new(),
    }
}

pub(super) fn plan_row<'t>(
    row: usize,
    cells: &RowCells<'t>,
    register: &RegisterIndex<'_>,
    seen_ids: &mut HashMap<&'t str, usize>,
    claimed_addresses: &mut HashMap<String, String>,
) -> RowPlan {
    let Some(user_id) = cells.get(TemplateColumn::UserId).copied() else {
        return rejected(row, "", RejectReason::UserIdEmpty);
    };
    if let Some(first) = seen_ids.get(user_id) {
        return rejected(
            row,
            user_id,
            RejectReason::UserIdTwice {
                user_id: user_id.to_owned(),
                first_row: *first,
            },
        );
    }
    seen_ids.insert(user_id, row);
    let existing = register.by_user_id.get(user_id).copied();
    let mut notes = Vec::new();
    let draft = draft_from_cells(existing, cells, user_id, &mut notes);
    let user = match draft.validate() {
        Ok(valid) => valid.user,
        Err(errors) => {
            let reasons: Vec<String> = errors
                .iter()
                .map(|(field, message)| format!("{}: {message}", field.label()))
                .collect();
            return rejected(row, user_id, RejectReason::Invalid(reasons));
        }
    };
    let new_address = cells
        .get(TemplateColumn::EmailVismaConnect)
        .and_then(|cell| {
            visma_address(
                cell,
                existing,
                register,
                claimed_addresses,
                user_id,
                &mut notes,
            )
        });

    let action = match existing {
        None => RowAction::Create { user, new_address },
        Some(record) => {
            let mut changes = describe_changes(&record.user, &user);
            if let Some(address) = &new_address {
                changes.push(t!("import-visma-pending", address = address.to_string()));
            }
            if changes.is_empty() {
                RowAction::Unchanged
            } else {
                RowAction::Update {
                    key: record.key,
                    user,
                    changes,
                    new_address,
                }
            }
        }
    };
    RowPlan {
        row,
        user_id: user_id.to_owned(),
        action,
        notes,
    }
}

/// The form's draft for a row: the stored user (or a new one) with the
/// row's non-empty cells over it. Values that cannot be used get a note.
pub(super) fn draft_from_cells(
    existing: Option<&UserRecord>,
    cells: &RowCells<'_>,
    user_id: &str,
    notes: &mut Vec<ImportNote>,
) -> UserDraft {
    let mut draft = match existing {
        Some(record) => UserDraft::from_record(record),
        None => UserDraft::new_user(),
    };
    // The form's Visma Connect fields are not part of this: handled below.
    draft.visma_email.clear();
    draft.visma_email_confirm.clear();
    user_id.clone_into(&mut draft.user_id);
    set(
        &mut draft.alias_user_id,
        cells.get(TemplateColumn::AliasUserId),
    );
    set(&mut draft.first_name, cells.get(TemplateColumn::FirstName));
    set(&mut draft.last_name, cells.get(TemplateColumn::LastName));
    set(&mut draft.signature, cells.get(TemplateColumn::Signature));
    set(&mut draft.card_tag_id, cells.get(TemplateColumn::CardTagId));
    set(
        &mut draft.external_reference,
        cells.get(TemplateColumn::ExternalReference),
    );
    set(&mut draft.department, cells.get(TemplateColumn::Department));
    set(&mut draft.office, cells.get(TemplateColumn::Office));
    if let Some(email) = cells.get(TemplateColumn::Email) {
        if Email::parse(email).is_ok() {
            (*email).clone_into(&mut draft.email);
        } else {
            notes.push(ImportNote::EmailInvalid((*email).to_owned()));
        }
    }
    if let Some(cell) = cells.get(TemplateColumn::Activated) {
        match parse_activated(cell) {
            Some(activated) => draft.activated = activated,
            None => notes.push(ImportNote::ActivatedInvalid((*cell).to_owned())),
        }
    }
    if let Some(cell) = cells.get(TemplateColumn::EmploymentEnds) {
        match crate::domain::user::parse_date(cell) {
            Ok(date) => draft.employment_ends = crate::domain::user::date_text(date),
            Err(_) => notes.push(ImportNote::DateInvalid((*cell).to_owned())),
        }
    }
    draft
}

/// What differs between the stored user and the imported one, field by
/// field, in the template's order (its columns' texts compared).
pub(super) fn describe_changes(old: &User, user: &User) -> Vec<String> {
    let mut changes = Vec::new();
    for column in TemplateColumn::ALL {
        if column == TemplateColumn::Activated {
            if old.activated != user.activated {
                changes.push(if user.activated {
                    t!("import-activated-yes")
                } else {
                    t!("import-activated-no")
                });
            }
            continue;
        }
        if let (Some(before), Some(after)) = (column.user_text(old), column.user_text(user)) {
            change(&mut changes, column.field_key(), &before, &after);
        }
    }
    changes
}

/// The Email Visma Connect cell: the address to save as pending, or `None`
/// with a note saying why not (or nothing, when it is already so).
pub(super) fn visma_address(
    cell: &str,
    existing: Option<&UserRecord>,
    register: &RegisterIndex<'_>,
    claimed: &mut HashMap<String, String>,
    user_id: &str,
    notes: &mut Vec<ImportNote>,
) -> Option<Email> {
    let Ok(email) = Email::parse(cell) else {
        notes.push(ImportNote::VismaInvalid(cell.to_owned()));
        return None;
    };
    match existing.map(|r| &r.connection) {
        Some(Connection::Connected { email: current, .. }) => {
            if *current != email {
                notes.push(ImportNote::AlreadyConnected(current.to_string()));
            }
            return None;
        }
        Some(Connection::Unverified { email: current, .. }) if *current == email => return None,
        _ => {}
    }
    if let Some(owner) = register.address_owner.get(email.key())
        && owner.user.user_id.as_str() != user_id
    {
        notes.push(ImportNote::VismaTaken {
            email: email.to_string(),
            user_id: owner.user.user_id.to_string(),
        });
        return None;
    }
    if let Some(first) = claimed.get(email.key())
        && first != user_id
    {
        notes.push(ImportNote::VismaTwice {
            email: email.to_string(),
            first: first.clone(),
        });
        return None;
    }
    claimed.insert(email.key().to_owned(), user_id.to_owned());
    Some(email)
}
