//! What the administrator who runs a register is told about it as a whole:
//! its counts (`db status`) and a copy's comparison, table by table.

/// One table's rows and checksum on one side.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TableSum {
    /// The table.
    pub table: String,
    /// Its rows.
    pub rows: usize,
    /// SHA-256 over its rows in key order, every value with its type, in hex.
    pub sha256: String,
}

/// What a copy did: both sides' sums, table by table.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CopyReport {
    /// The source, table by table.
    pub source: Vec<TableSum>,
    /// The target after the copy, table by table.
    pub target: Vec<TableSum>,
}

impl CopyReport {
    /// True when every table has the same rows on both sides.
    pub fn matches(&self) -> bool {
        self.source == self.target
    }
}

/// Counts of a register for `db status`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Status {
    /// `sqlite` or `postgresql`.
    pub backend: String,
    /// Where it is (a URL without its password).
    pub location: String,
    /// The schema version.
    pub schema_version: i64,
    /// Users.
    pub users: usize,
    /// Users connected to Visma Connect.
    pub connected: usize,
    /// Users with an address pending verification.
    pub pending: usize,
    /// Messages queued or being sent.
    pub outbox_waiting: usize,
    /// Messages in the outbox in all.
    pub outbox_messages: usize,
    /// Rows of the audit log.
    pub audit_rows: usize,
    /// Outbox workers registered now.
    pub workers: usize,
    /// Users whose stored values cannot be read (a damaged or hand-edited
    /// row): left out of every list until repaired.
    pub damaged_users: usize,
    /// Messages whose stored values cannot be read.
    pub damaged_messages: usize,
}
