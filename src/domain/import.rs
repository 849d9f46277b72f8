//! The import rules of the Employees/users spreadsheet: rows match users by
//! User-ID; unknown ones are created, known ones updated; an empty cell
//! leaves its field as it is. **Email Visma Connect** is applied only to users
//! not connected, as a pending address; invalid addresses are ignored and an
//! address another user has is refused, each with a note. Nothing is sent.
//!
//! Here: the table, its columns and what a plan says. Making the plan is
//! `plan`.

use super::email::Email;
use super::template::TemplateColumn;
use super::user::{User, UserKey};

mod plan;

pub use plan::{RegisterIndex, plan_import, plan_import_with_progress};

/// A table read from a file: header cells and rows of text cells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawTable {
    /// The first row.
    pub headers: Vec<String>,
    /// The other rows, with their row numbers in the file (1-based; the header is row 1).
    pub rows: Vec<(usize, Vec<String>)>,
    /// The workbook's other sheets (Roles, Authorisations, Audit of account
    /// code), by name; none for a csv file.
    pub sheets: Vec<super::authorisation_sheets::NamedSheet>,
}

/// Which template column each file column is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnMap {
    columns: Vec<Option<TemplateColumn>>,
    /// Headers no template column matches: reported and ignored.
    pub unknown: Vec<String>,
}

/// Why a file is refused as a whole.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// No User-ID column: rows cannot be matched to users.
    #[error("{}", t!("import-no-user-id-column"))]
    NoUserId,
    /// The same column twice.
    #[error("{}", t!("import-duplicate-column", column = .0.as_str()))]
    Duplicate(String),
}

impl ColumnMap {
    /// Matches the header row to the template.
    pub fn new(headers: &[String]) -> Result<Self, HeaderError> {
        let mut columns = Vec::with_capacity(headers.len());
        let mut unknown = Vec::new();
        for header in headers {
            let column = TemplateColumn::from_header(header);
            if let Some(column) = column
                && columns.contains(&Some(column))
            {
                return Err(HeaderError::Duplicate(column.header().to_owned()));
            }
            if column.is_none() && !header.trim().is_empty() {
                unknown.push(header.trim().to_owned());
            }
            columns.push(column);
        }
        if !columns.contains(&Some(TemplateColumn::UserId)) {
            return Err(HeaderError::NoUserId);
        }
        Ok(Self { columns, unknown })
    }

    /// The non-empty cells of a row, by column.
    fn cells<'a>(&self, row: &'a [String]) -> RowCells<'a> {
        let mut cells = RowCells([None; TemplateColumn::ALL.len()]);
        for (column, cell) in self.columns.iter().zip(row) {
            let cell = cell.trim();
            if let Some(column) = column
                && !cell.is_empty()
            {
                cells.0[*column as usize] = Some(cell);
            }
        }
        cells
    }
}

/// A row's non-empty cells, trimmed, indexed by template column.
struct RowCells<'a>([Option<&'a str>; TemplateColumn::ALL.len()]);

impl<'a> RowCells<'a> {
    /// The cell of `column`, if it is there and not empty.
    fn get(&self, column: TemplateColumn) -> Option<&&'a str> {
        self.0[column as usize].as_ref()
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }
}

/// What an import does with one row, with what it needs to do it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowAction {
    /// A new user.
    Create {
        /// The user as the row makes them.
        user: User,
        /// A Visma Connect address to save as pending.
        new_address: Option<Email>,
    },
    /// Changes to a user.
    Update {
        /// The stored user's key.
        key: UserKey,
        /// The user as the row leaves them.
        user: User,
        /// What changes, field by field ("Last name: Berg → Berg-Lund").
        changes: Vec<String>,
        /// A new Visma Connect address to save as pending.
        new_address: Option<Email>,
    },
    /// The row matches the register already.
    Unchanged,
    /// Not imported, for this reason.
    Rejected(RejectReason),
}

impl RowAction {
    /// The word in the report's Status column.
    pub fn status(&self) -> &'static str {
        match self {
            Self::Create { .. } => "create",
            Self::Update { .. } => "update",
            Self::Unchanged => "unchanged",
            Self::Rejected(_) => "rejected",
        }
    }

    /// The Status word in the window's language (the report file and the
    /// CLI keep [`Self::status`], which scripts read).
    pub fn status_label(&self) -> String {
        match self {
            Self::Create { .. } => t!("import-status-create"),
            Self::Update { .. } => t!("import-status-update"),
            Self::Unchanged => t!("import-status-unchanged"),
            Self::Rejected(_) => t!("import-status-rejected"),
        }
    }

    /// True for a row that creates or changes a user.
    pub fn writes(&self) -> bool {
        matches!(self, Self::Create { .. } | Self::Update { .. })
    }
}

/// Why a row is not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RejectReason {
    /// The User-ID cell is empty.
    UserIdEmpty,
    /// An earlier row has the same User-ID.
    UserIdTwice {
        /// The User-ID.
        user_id: String,
        /// The earlier row.
        first_row: usize,
    },
    /// Fields the form would refuse, with why ("Email: …").
    Invalid(Vec<String>),
    /// The operator's roles do not cover the user's department or office.
    OutsideLimits(String),
    /// The row changes the login field of a user who holds a role, and the
    /// operator may not change roles (the sentence says why).
    LoginFieldNeedsRoles(String),
}

impl std::fmt::Display for RejectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UserIdEmpty => write!(f, "{}", t!("import-user-id-empty")),
            Self::UserIdTwice { user_id, first_row } => write!(
                f,
                "{}",
                t!(
                    "import-user-id-twice",
                    user_id = user_id.as_str(),
                    row = *first_row
                )
            ),
            Self::Invalid(reasons) => write!(f, "{}", reasons.join(" ")),
            Self::OutsideLimits(sentence) | Self::LoginFieldNeedsRoles(sentence) => {
                write!(f, "{sentence}")
            }
        }
    }
}

/// Something said about a row that is imported all the same (the value
/// named is left out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportNote {
    /// The Email cell is not an address.
    EmailInvalid(String),
    /// The User is activated cell is not yes or no.
    ActivatedInvalid(String),
    /// The Employment ends cell is not a date.
    DateInvalid(String),
    /// The Email Visma Connect cell is not an address.
    VismaInvalid(String),
    /// The user is connected to Visma Connect with this other address.
    AlreadyConnected(String),
    /// Another user has the address.
    VismaTaken {
        /// The address.
        email: String,
        /// Whose it is.
        user_id: String,
    },
    /// An earlier row gives the address to another user.
    VismaTwice {
        /// The address.
        email: String,
        /// The earlier row's User-ID.
        first: String,
    },
    /// The user is connected: their account in the identity provider is
    /// updated (or closed) to follow the change.
    IdentityProviderFollows,
}

impl std::fmt::Display for ImportNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            Self::EmailInvalid(cell) => t!("import-email-invalid", email = cell.as_str()),
            Self::ActivatedInvalid(cell) => t!("import-activated-invalid", cell = cell.as_str()),
            Self::DateInvalid(cell) => t!("import-date-invalid", cell = cell.as_str()),
            Self::VismaInvalid(cell) => t!("import-visma-invalid", cell = cell.as_str()),
            Self::AlreadyConnected(current) => {
                t!("import-already-connected", current = current.as_str())
            }
            Self::VismaTaken { email, user_id } => t!(
                "import-visma-taken",
                email = email.as_str(),
                user_id = user_id.as_str()
            ),
            Self::VismaTwice { email, first } => t!(
                "import-visma-twice",
                email = email.as_str(),
                first = first.as_str()
            ),
            Self::IdentityProviderFollows => t!("import-idp-follows"),
        };
        f.write_str(&text)
    }
}

/// One row of the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowPlan {
    /// Row number in the file.
    pub row: usize,
    /// The row's User-ID as written.
    pub user_id: String,
    /// What happens, with its data.
    pub action: RowAction,
    /// Notes (an address ignored, a value not understood).
    pub notes: Vec<ImportNote>,
}

impl RowPlan {
    /// True when the row changes something or says something (a note): what
    /// the dry run's *Changes only* keeps.
    pub fn changes_or_notes(&self) -> bool {
        !matches!(self.action, RowAction::Unchanged) || !self.notes.is_empty()
    }

    /// The user as the import leaves them (create and update).
    pub fn user(&self) -> Option<&User> {
        match &self.action {
            RowAction::Create { user, .. } | RowAction::Update { user, .. } => Some(user),
            RowAction::Unchanged | RowAction::Rejected(_) => None,
        }
    }

    /// The Visma Connect address the row saves as pending.
    pub fn new_address(&self) -> Option<&Email> {
        match &self.action {
            RowAction::Create { new_address, .. } | RowAction::Update { new_address, .. } => {
                new_address.as_ref()
            }
            _ => None,
        }
    }

    /// What changes, field by field (update).
    pub fn changes(&self) -> &[String] {
        match &self.action {
            RowAction::Update { changes, .. } => changes,
            _ => &[],
        }
    }

    /// The Message column of the report: why rejected, what changed, notes.
    pub fn message(&self) -> String {
        let mut parts = Vec::new();
        match &self.action {
            RowAction::Rejected(reason) => parts.push(reason.to_string()),
            RowAction::Create {
                new_address: Some(address),
                ..
            } => parts.push(t!("import-visma-pending", address = address.to_string())),
            _ => {}
        }
        parts.extend(self.changes().iter().cloned());
        parts.extend(self.notes.iter().map(ToString::to_string));
        parts.join("; ")
    }
}

/// The counts of a plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// Users to create.
    pub create: usize,
    /// Users to update.
    pub update: usize,
    /// Rows that change nothing.
    pub unchanged: usize,
    /// Rows not imported.
    pub rejected: usize,
    /// Notes in all rows.
    pub notes: usize,
}

/// What an import will do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportPlan {
    /// One entry per non-empty row, in file order.
    pub rows: Vec<RowPlan>,
    /// The counts.
    pub counts: ImportCounts,
    /// Columns reported and ignored.
    pub unknown_columns: Vec<String>,
    /// What the sheets Roles, Authorisations and Audit of account code set.
    pub authorisations: super::authorisation_sheets::AuthorisationPlan,
}

impl ImportPlan {
    /// How many users, roles and users' authorisations the import writes.
    pub fn changes(&self) -> usize {
        let sheets = &self.authorisations;
        self.counts.create
            + self.counts.update
            + sheets.roles.len()
            + sheets.assignments.len()
            + sheets.audit_rights.len()
    }

    /// Rejects every row that would create or change a user for which
    /// `may_change(department, office)` says no (with its reason): as the
    /// register has them and as the row leaves them. Counts follow.
    pub fn reject_where(
        &mut self,
        register: &RegisterIndex<'_>,
        may_change: &dyn Fn(&str, &str) -> Result<(), String>,
    ) {
        for row in &mut self.rows {
            if !row.action.writes() {
                continue;
            }
            let before = register.by_user_id.get(row.user_id.trim()).map(|r| &r.user);
            let places = before
                .into_iter()
                .chain(row.user())
                .map(|u| (u.department.as_str(), u.office.as_str()));
            let refusal = places
                .map(|(department, office)| may_change(department, office))
                .find_map(Result::err);
            if let Some(reason) = refusal {
                match row.action {
                    RowAction::Create { .. } => self.counts.create -= 1,
                    _ => self.counts.update -= 1,
                }
                self.counts.rejected += 1;
                row.action = RowAction::Rejected(RejectReason::OutsideLimits(reason));
            }
        }
    }
}

impl ImportPlan {
    /// Notes on each row that changes a connected user that their account
    /// in the identity provider follows (while provisioning is on).
    pub fn note_identity_provider(&mut self, register: &RegisterIndex<'_>) {
        for row in &mut self.rows {
            if !matches!(row.action, RowAction::Update { .. }) {
                continue;
            }
            let connected = register
                .by_user_id
                .get(row.user_id.trim())
                .is_some_and(|r| matches!(r.connection, super::Connection::Connected { .. }));
            if connected {
                row.notes.push(ImportNote::IdentityProviderFollows);
            }
        }
    }

    /// Rejects, with `refusal`, each row that changes the login field
    /// (`field`) of a user in `holders` (users who hold a role): who is an
    /// administrator changes only with the permission *Roles*.
    pub fn reject_login_field_changes(
        &mut self,
        register: &RegisterIndex<'_>,
        holders: &std::collections::HashSet<super::UserKey>,
        field: super::settings::OperatorField,
        refusal: &str,
    ) {
        for row in &mut self.rows {
            let RowAction::Update { key, user, .. } = &row.action else {
                continue;
            };
            let Some(before) = register.by_user_id.get(row.user_id.trim()) else {
                continue;
            };
            if holders.contains(key) && field.value_of(&before.user) != field.value_of(user) {
                self.counts.update -= 1;
                self.counts.rejected += 1;
                row.action =
                    RowAction::Rejected(RejectReason::LoginFieldNeedsRoles(refusal.to_owned()));
            }
        }
    }
}

#[cfg(test)]
mod tests;
