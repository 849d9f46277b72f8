//! *Audit of account code*: what a user may audit (attest) of account
//! codings — rows of an account dimension, a code or a range of codes, and
//! an optional amount limit — and the register's account dimensions and
//! their codes (imported from a spreadsheet with the columns Dimension,
//! Code, Name).

use super::import::RawTable;
use super::template::normalize_header;
use super::user::natural_cmp;

/// The dimensions every register offers; others come with imported codes.
pub const BUILTIN_DIMENSIONS: [&str; 3] = ["cost_centre", "project", "department"];

/// A dimension's name in the window's language (a built-in one's word, or
/// the register's own name as imported).
pub fn dimension_label(dimension: &str) -> String {
    match dimension {
        "cost_centre" => t!("dimension-cost-centre"),
        "project" => t!("dimension-project"),
        "department" => t!("dimension-department"),
        other => other.to_owned(),
    }
}

/// The stored id of a dimension named in a file: a built-in one by its
/// English or Swedish name, any other as written (trimmed).
pub fn dimension_id(name: &str) -> String {
    match normalize_header(name).as_str() {
        "cost centre" | "cost center" | "kostnadsställe" | "cost_centre" => "cost_centre".into(),
        "project" | "projekt" => "project".into(),
        "department" | "avdelning" => "department".into(),
        _ => name.trim().to_owned(),
    }
}

/// One code of a dimension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountCode {
    /// The dimension's id.
    pub dimension: String,
    /// The code.
    pub code: String,
    /// What it is called.
    pub name: String,
}

/// One row of a user's *Audit of account code*.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRight {
    /// The dimension's id.
    pub dimension: String,
    /// The code, or the first of a range.
    pub from_code: String,
    /// The last code of a range (`None`: the one code).
    pub to_code: Option<String>,
    /// The highest amount the user may attest, in whole currency units
    /// (`None`: no limit).
    pub amount_limit: Option<u64>,
}

/// Why a row of *Audit of account code* cannot be saved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuditRightError {
    /// No dimension chosen.
    #[error("{}", t!("audit-right-no-dimension"))]
    NoDimension,
    /// No code given.
    #[error("{}", t!("audit-right-no-code"))]
    NoCode,
    /// The range ends before it starts.
    #[error("{}", t!("audit-right-range-reversed", from = .from.as_str(), to = .to.as_str()))]
    RangeReversed {
        /// First code.
        from: String,
        /// Last code.
        to: String,
    },
    /// The dimension has a list of codes and this is not in it.
    #[error("{}", t!("audit-right-unknown-code", code = .code.as_str(), dimension = .dimension.as_str()))]
    UnknownCode {
        /// The code.
        code: String,
        /// The dimension's name.
        dimension: String,
    },
    /// The amount limit is not a whole number.
    #[error("{}", t!("audit-right-bad-limit", limit = .0.as_str()))]
    BadLimit(String),
}

/// Reads an amount limit as typed: whole currency units, spaces allowed
/// (`10 000`); empty is no limit.
pub fn parse_limit(text: &str) -> Result<Option<u64>, AuditRightError> {
    let digits: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    if digits.is_empty() {
        return Ok(None);
    }
    digits
        .parse::<u64>()
        .map(Some)
        .map_err(|_| AuditRightError::BadLimit(text.trim().to_owned()))
}

/// Writes an amount limit as people type it: whole units grouped in
/// thousands with spaces (`5 000`), so it reads back as it was typed and
/// [`parse_limit`] takes it again.
pub fn format_limit(limit: u64) -> String {
    let digits = limit.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(digit);
    }
    grouped
}

impl AuditRight {
    /// Checks the row against the register's codes (`codes`: every code of
    /// every dimension). A dimension without a list takes any code.
    pub fn check(&self, codes: &[AccountCode]) -> Result<(), AuditRightError> {
        if self.dimension.trim().is_empty() {
            return Err(AuditRightError::NoDimension);
        }
        if self.from_code.trim().is_empty() {
            return Err(AuditRightError::NoCode);
        }
        if let Some(to) = &self.to_code
            && natural_cmp(to, &self.from_code) == std::cmp::Ordering::Less
        {
            return Err(AuditRightError::RangeReversed {
                from: self.from_code.clone(),
                to: to.clone(),
            });
        }
        let listed: Vec<&str> = codes
            .iter()
            .filter(|c| c.dimension == self.dimension)
            .map(|c| c.code.as_str())
            .collect();
        if !listed.is_empty() {
            for code in std::iter::once(&self.from_code).chain(self.to_code.as_ref()) {
                if !listed.contains(&code.as_str()) {
                    return Err(AuditRightError::UnknownCode {
                        code: code.clone(),
                        dimension: dimension_label(&self.dimension),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Why a file of account codes was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodesFileError {
    /// A column is missing.
    #[error("{}", t!("codes-file-missing-column", column = .0.as_str()))]
    MissingColumn(String),
    /// A row has no dimension or no code.
    #[error("{}", t!("codes-file-empty-cell", row = *.0))]
    EmptyCell(usize),
}

/// The codes of a file with the columns Dimension, Code and Name (also in
/// Swedish: Dimension, Kod, Namn), in any order. Empty rows are skipped; a
/// row without dimension or code refuses the whole file.
pub fn codes_from_table(table: &RawTable) -> Result<Vec<AccountCode>, CodesFileError> {
    let find = |names: &[&str], shown: &str| {
        table
            .headers
            .iter()
            .position(|h| names.contains(&normalize_header(h).as_str()))
            .ok_or_else(|| CodesFileError::MissingColumn(shown.to_owned()))
    };
    let dimension = find(&["dimension"], "Dimension")?;
    let code = find(&["code", "kod"], "Code")?;
    let name = find(&["name", "namn", "benämning"], "Name")?;
    let mut codes = Vec::new();
    for (row, cells) in &table.rows {
        let cell = |i: usize| cells.get(i).map_or("", |c| c.trim());
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if cell(dimension).is_empty() || cell(code).is_empty() {
            return Err(CodesFileError::EmptyCell(*row));
        }
        codes.push(AccountCode {
            dimension: dimension_id(cell(dimension)),
            code: cell(code).to_owned(),
            name: cell(name).to_owned(),
        });
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn right(dimension: &str, from: &str, to: Option<&str>) -> AuditRight {
        AuditRight {
            dimension: dimension.into(),
            from_code: from.into(),
            to_code: to.map(str::to_owned),
            amount_limit: None,
        }
    }

    fn code(dimension: &str, code: &str) -> AccountCode {
        AccountCode {
            dimension: dimension.into(),
            code: code.into(),
            name: String::new(),
        }
    }

    #[test]
    fn ranges_are_ordered_as_numbers_and_codes_must_exist_when_listed() {
        let codes = [
            code("cost_centre", "9"),
            code("cost_centre", "10"),
            code("cost_centre", "200"),
        ];
        assert_eq!(right("cost_centre", "9", Some("200")).check(&codes), Ok(()));
        assert!(matches!(
            right("cost_centre", "200", Some("10")).check(&codes),
            Err(AuditRightError::RangeReversed { .. })
        ));
        assert!(matches!(
            right("cost_centre", "11", None).check(&codes),
            Err(AuditRightError::UnknownCode { .. })
        ));
        // A dimension without a list takes any code.
        assert_eq!(right("project", "P-7", None).check(&codes), Ok(()));
        assert_eq!(
            right("", "1", None).check(&codes),
            Err(AuditRightError::NoDimension)
        );
        assert_eq!(
            right("project", " ", None).check(&codes),
            Err(AuditRightError::NoCode)
        );
    }

    #[test]
    fn limits_are_whole_numbers_with_spaces_allowed() {
        assert_eq!(parse_limit("10 000").unwrap(), Some(10_000));
        assert_eq!(format_limit(5_000), "5 000");
        assert_eq!(format_limit(999), "999");
        assert_eq!(format_limit(1_234_567), "1 234 567");
        assert_eq!(format_limit(0), "0");
        for limit in [0, 7, 1_000, 99_999, u64::MAX] {
            assert_eq!(parse_limit(&format_limit(limit)).unwrap(), Some(limit));
        }
        assert_eq!(parse_limit("").unwrap(), None);
        assert!(parse_limit("10,5").is_err());
        assert!(parse_limit("-3").is_err());
    }

    #[test]
    fn a_codes_file_is_read_in_english_or_swedish_and_refused_when_incomplete() {
        let table = RawTable {
            sheets: Vec::new(),
            headers: vec!["Namn".into(), "Dimension".into(), "Kod".into()],
            rows: vec![
                (
                    2,
                    vec!["Ekonomi".into(), "Kostnadsställe".into(), "100".into()],
                ),
                (3, vec![String::new(), String::new(), String::new()]),
                (4, vec!["Region Nord".into(), "Region".into(), "N".into()]),
            ],
        };
        let codes = codes_from_table(&table).unwrap();
        assert_eq!(
            codes,
            [
                AccountCode {
                    dimension: "cost_centre".into(),
                    code: "100".into(),
                    name: "Ekonomi".into()
                },
                AccountCode {
                    dimension: "Region".into(),
                    code: "N".into(),
                    name: "Region Nord".into()
                },
            ]
        );
        let missing = RawTable {
            sheets: Vec::new(),
            headers: vec!["Dimension".into(), "Code".into()],
            rows: Vec::new(),
        };
        assert_eq!(
            codes_from_table(&missing),
            Err(CodesFileError::MissingColumn("Name".into()))
        );
        let empty_code = RawTable {
            sheets: Vec::new(),
            headers: vec!["Dimension".into(), "Code".into(), "Name".into()],
            rows: vec![(2, vec!["Project".into(), String::new(), "x".into()])],
        };
        assert_eq!(
            codes_from_table(&empty_code),
            Err(CodesFileError::EmptyCell(2))
        );
    }
}
