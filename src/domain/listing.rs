//! The register in memory as a sorted, filtered list: what the Users view
//! scrolls through and `users list` prints. Built once from the store, then
//! kept current edit by edit, so a keystroke in the search box filters
//! 100,000 users without touching SQLite.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use super::filter::{UserFilter, push_search_text, search_text};
use super::search_index::SearchIndex;
use super::user::{UserKey, UserRecord, natural_cmp};

/// A sortable column of the Users list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    /// User-ID, in natural order.
    UserId,
    /// Last name, then first name.
    Name,
    /// Department.
    Department,
    /// Office.
    Office,
    /// The user's Email.
    Email,
    /// Visma Connect state.
    VismaConnect,
    /// Activated.
    Activated,
}

impl Column {
    /// All columns, in the list's order.
    pub const ALL: [Self; 7] = [
        Self::UserId,
        Self::Name,
        Self::Department,
        Self::Office,
        Self::Email,
        Self::VismaConnect,
        Self::Activated,
    ];

    /// The header text.
    pub fn title(self) -> String {
        match self {
            Self::UserId => t!("column-user-id"),
            Self::Name => t!("column-name"),
            Self::Department => t!("field-department"),
            Self::Office => t!("field-office"),
            Self::Email => t!("field-email"),
            Self::VismaConnect => "Visma Connect".to_owned(),
            Self::Activated => t!("column-activated"),
        }
    }
}

/// Column and direction of the sort.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    /// The column sorted by.
    pub column: Column,
    /// Descending when true.
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Self {
            column: Column::UserId,
            descending: false,
        }
    }
}

/// A user's User-ID as sorted: the number, or else the lower-cased text
/// (made once per user; the search text is in [`SearchIndex`]).
struct Prepared {
    id_number: Option<u64>,
    /// Only for a User-ID that is not a number.
    id_lower: Option<Box<str>>,
}

impl Prepared {
    fn new(record: &UserRecord) -> Self {
        let id = record.user.user_id.as_str();
        let id_number = id.parse().ok();
        Self {
            id_number,
            id_lower: id_number
                .is_none()
                .then(|| id.to_lowercase().into_boxed_str()),
        }
    }
}

/// A user's sort key for a text column; made for everyone the first time
/// the list is sorted by that column, then kept current edit by edit.
fn column_key(column: Column, record: &UserRecord) -> String {
    let user = &record.user;
    match column {
        Column::Name => format!("{}\u{1f}{}", user.last_name, user.first_name).to_lowercase(),
        Column::Department => user.department.to_lowercase(),
        Column::Office => user.office.to_lowercase(),
        Column::Email => user
            .email
            .as_ref()
            .map(|e| e.key().to_owned())
            .unwrap_or_default(),
        Column::UserId | Column::VismaConnect | Column::Activated => String::new(),
    }
}

/// True for the columns sorted by a text key of [`column_key`].
fn has_text_key(column: Column) -> bool {
    matches!(
        column,
        Column::Name | Column::Department | Column::Office | Column::Email
    )
}

/// The register as a sorted list with a filtered selection.
pub struct Listing {
    records: Vec<UserRecord>,
    prepared: Vec<Prepared>,
    /// The text sort keys of one column, in the order of `records`, once
    /// the list has been sorted by it.
    column_keys: Option<(Column, Vec<String>)>,
    /// Search texts, in the order of `records`.
    search: SearchIndex,
    sort: Sort,
    /// Indices into `records`, in sort order.
    order: Vec<usize>,
    /// Indices into `records` that pass the filter, in sort order.
    visible: Vec<usize>,
    filter: UserFilter,
    departments: BTreeSet<String>,
    offices: BTreeSet<String>,
}

impl Listing {
    /// Builds the list, sorted by User-ID, everyone visible.
    pub fn new(records: Vec<UserRecord>) -> Self {
        let prepared = records.iter().map(Prepared::new).collect();
        let mut search = SearchIndex::default();
        for record in &records {
            search.push_with(|text| push_search_text(record, text));
        }
        let mut listing = Self {
            records,
            prepared,
            column_keys: None,
            search,
            sort: Sort::default(),
            order: Vec::new(),
            visible: Vec::new(),
            filter: UserFilter::default(),
            departments: BTreeSet::new(),
            offices: BTreeSet::new(),
        };
        listing.rebuild_choices();
        listing.resort();
        listing
    }

    /// Everyone in the register.
    pub fn total(&self) -> usize {
        self.records.len()
    }

    /// How many pass the filter.
    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// The n-th user of the selection, in sort order.
    pub fn visible(&self, n: usize) -> Option<&UserRecord> {
        self.visible.get(n).map(|&i| &self.records[i])
    }

    /// The selection, in sort order.
    pub fn visible_records(&self) -> impl Iterator<Item = &UserRecord> {
        self.visible.iter().map(|&i| &self.records[i])
    }

    /// Everyone, in no particular order.
    pub fn all_records(&self) -> &[UserRecord] {
        &self.records
    }

    /// Position of a user in the selection, if it is in it.
    pub fn visible_position(&self, key: UserKey) -> Option<usize> {
        self.visible
            .iter()
            .position(|&i| self.records[i].key == key)
    }

    /// A user by key, visible or not.
    pub fn get(&self, key: UserKey) -> Option<&UserRecord> {
        self.index_of(key).map(|i| &self.records[i])
    }

    /// The current sort.
    pub fn sort(&self) -> Sort {
        self.sort
    }

    /// The current filter.
    pub fn filter(&self) -> &UserFilter {
        &self.filter
    }

    /// Departments in the register, sorted, for the filter's choices.
    pub fn departments(&self) -> impl Iterator<Item = &str> {
        self.departments.iter().map(String::as_str)
    }

    /// Offices in the register, sorted, for the filter's choices.
    pub fn offices(&self) -> impl Iterator<Item = &str> {
        self.offices.iter().map(String::as_str)
    }

    /// Sorts by a column; the selection keeps its members.
    pub fn set_sort(&mut self, sort: Sort) {
        if sort != self.sort {
            self.sort = sort;
            self.resort();
        }
    }

    /// Applies a new search text and filters. When the new search only
    /// narrows the old one (a keystroke that extends a word), only the current
    /// selection is searched.
    pub fn set_filter(&mut self, filter: UserFilter) {
        if filter == self.filter {
            return;
        }
        let narrows = narrows(&self.filter, &filter);
        self.filter = filter;
        // A narrowing keystroke searches the current selection when it is
        // small; a pass over the whole index is as quick as a large one.
        if narrows && self.visible.len() <= self.records.len() / 8 {
            let matcher = self.filter.matcher();
            let (records, search) = (&self.records, &self.search);
            self.visible
                .retain(|&i| matcher.matches(&records[i], search.get(i)));
        } else {
            self.refilter();
        }
    }

    /// Adds a new user or replaces the one with the same key.
    pub fn upsert(&mut self, record: UserRecord) {
        if let Some(index) = self.index_of(record.key) {
            self.order.retain(|&i| i != index);
            self.prepared[index] = Prepared::new(&record);
            self.search.set(index, &search_text(&record));
            if let Some((column, keys)) = &mut self.column_keys {
                keys[index] = column_key(*column, &record);
            }
            self.records[index] = record;
            self.insert_in_order(index);
        } else {
            self.prepared.push(Prepared::new(&record));
            self.search.push(&search_text(&record));
            if let Some((column, keys)) = &mut self.column_keys {
                keys.push(column_key(*column, &record));
            }
            self.records.push(record);
            self.insert_in_order(self.records.len() - 1);
        }
        self.rebuild_choices();
        self.refilter();
    }

    /// Adds or replaces many users at once: one sort and one filter for all,
    /// where one [`Self::upsert`] each would cost the whole list per user.
    pub fn upsert_many(&mut self, records: Vec<UserRecord>) {
        if records.len() <= 8 {
            for record in records {
                self.upsert(record);
            }
            return;
        }
        let mut index: std::collections::HashMap<UserKey, usize> = self
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| (r.key, i))
            .collect();
        let mut texts: Vec<Option<String>> = vec![None; self.records.len()];
        for record in records {
            let prepared = Prepared::new(&record);
            let text = Some(search_text(&record));
            let key = self
                .column_keys
                .as_ref()
                .map(|(column, _)| column_key(*column, &record));
            if let Some(&i) = index.get(&record.key) {
                self.prepared[i] = prepared;
                if let (Some((_, keys)), Some(key)) = (&mut self.column_keys, key) {
                    keys[i] = key;
                }
                self.records[i] = record;
                texts[i] = text;
            } else {
                index.insert(record.key, self.records.len());
                self.prepared.push(prepared);
                if let (Some((_, keys)), Some(key)) = (&mut self.column_keys, key) {
                    keys.push(key);
                }
                self.records.push(record);
                texts.push(text);
            }
        }
        // One new buffer: replacing texts one by one would move it per user.
        let old = &self.search;
        let search = SearchIndex::new(
            texts
                .iter()
                .enumerate()
                .map(|(i, text)| text.as_deref().unwrap_or_else(|| old.get(i))),
        );
        self.search = search;
        self.rebuild_choices();
        self.resort();
    }

    /// Removes a user.
    pub fn remove(&mut self, key: UserKey) {
        let Some(index) = self.index_of(key) else {
            return;
        };
        self.records.swap_remove(index);
        self.prepared.swap_remove(index);
        self.search.swap_remove(index);
        if let Some((_, keys)) = &mut self.column_keys {
            keys.swap_remove(index);
        }
        let moved = self.records.len();
        self.order.retain(|&i| i != index);
        for i in &mut self.order {
            if *i == moved {
                *i = index;
            }
        }
        self.rebuild_choices();
        self.refilter();
    }

    fn index_of(&self, key: UserKey) -> Option<usize> {
        self.records.iter().position(|r| r.key == key)
    }

    fn insert_in_order(&mut self, index: usize) {
        let at = self
            .order
            .partition_point(|&i| self.compare(i, index) == Ordering::Less);
        self.order.insert(at, index);
    }

    fn rebuild_choices(&mut self) {
        // Borrowed while collecting: only the distinct names are copied.
        let distinct = |field: fn(&UserRecord) -> &str| -> BTreeSet<String> {
            self.records
                .iter()
                .map(field)
                .filter(|name| !name.is_empty())
                .collect::<BTreeSet<&str>>()
                .into_iter()
                .map(str::to_owned)
                .collect()
        };
        let departments = distinct(|r| &r.user.department);
        let offices = distinct(|r| &r.user.office);
        self.departments = departments;
        self.offices = offices;
    }

    fn resort(&mut self) {
        let column = self.sort.column;
        if has_text_key(column) && self.column_keys.as_ref().is_none_or(|(c, _)| *c != column) {
            let keys = self.records.iter().map(|r| column_key(column, r)).collect();
            self.column_keys = Some((column, keys));
        }
        let mut order: Vec<usize> = (0..self.records.len()).collect();
        order.sort_unstable_by(|&a, &b| self.compare(a, b));
        self.order = order;
        self.refilter();
    }

    fn refilter(&mut self) {
        if self.filter.is_empty() {
            self.visible.clone_from(&self.order);
            return;
        }
        let matcher = self.filter.matcher();
        self.visible.clear();
        let Some(scan_term) = matcher.terms().iter().max_by_key(|t| t.needle().len()) else {
            // Filters only, no search words.
            let records = &self.records;
            self.visible.extend(
                self.order
                    .iter()
                    .copied()
                    .filter(|&i| matcher.fields_match(&records[i])),
            );
            return;
        };
        // The longest word in one pass over all texts, then the rest of the
        // rule for those it found.
        let hits = self.search.mark_containing(scan_term);
        let check_text = matcher.terms().len() > 1;
        let check_fields = matcher.filters_fields();
        let (records, search) = (&self.records, &self.search);
        let passes = |i: usize| {
            hits[i]
                && (!check_fields || matcher.fields_match(&records[i]))
                && (!check_text || matcher.text_matches(search.get(i)))
        };
        self.visible
            .extend(self.order.iter().copied().filter(|&i| passes(i)));
    }

    /// Compares two users by the sort column, then by User-ID.
    fn compare(&self, a: usize, b: usize) -> Ordering {
        let (ra, rb) = (&self.records[a], &self.records[b]);
        let (pa, pb) = (&self.prepared[a], &self.prepared[b]);
        let by_column = match self.sort.column {
            Column::UserId => Ordering::Equal,
            Column::Name | Column::Department | Column::Office | Column::Email => self
                .column_keys
                .as_ref()
                .map_or(Ordering::Equal, |(_, keys)| keys[a].cmp(&keys[b])),
            Column::VismaConnect => ra.connection.status().cmp(&rb.connection.status()),
            Column::Activated => rb.user.activated.cmp(&ra.user.activated),
        };
        // The same order as `natural_cmp`, from keys prepared once.
        let by_id = match (pa.id_number, pb.id_number) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => pa
                .id_lower
                .cmp(&pb.id_lower)
                .then_with(|| natural_cmp(ra.user.user_id.as_str(), rb.user.user_id.as_str())),
        };
        let ordering = by_column.then(by_id);
        if self.sort.descending {
            ordering.reverse()
        } else {
            ordering
        }
    }
}

/// True when everyone `new` selects is also selected by `old`: the same
/// filters, and every old search word inside some new one.
fn narrows(old: &UserFilter, new: &UserFilter) -> bool {
    let same_filters = old.department == new.department
        && old.office == new.office
        && old.status == new.status
        && old.activated == new.activated;
    let old_search = old.search.to_lowercase();
    let new_search = new.search.to_lowercase();
    let new_terms: Vec<&str> = new_search.split_whitespace().collect();
    same_filters
        && old_search
            .split_whitespace()
            .all(|term| new_terms.iter().any(|t| t.contains(term)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::user::test_record;
    use crate::domain::{Connection, ConnectionStatus, Email};

    fn record(key: i64, id: &str, first: &str, last: &str, department: &str) -> UserRecord {
        let mut record = test_record(key, id);
        record.user.activated = key % 2 == 0;
        record.user.first_name = first.into();
        record.user.last_name = last.into();
        record.user.department = department.into();
        record.user.office = "Lund".into();
        record
    }

    fn ids(listing: &Listing) -> Vec<String> {
        listing
            .visible_records()
            .map(|r| r.user.user_id.to_string())
            .collect()
    }

    fn sample() -> Listing {
        let mut pending = record(4, "2", "Erik", "Lind", "Sales");
        pending.connection = Connection::Unverified {
            email: Email::parse("erik.lind@company.se").unwrap(),
            sent_count: 0,
            last_sent_at: None,
        };
        Listing::new(vec![
            record(1, "10", "Anna", "Svensson", "HR"),
            record(2, "9", "Björn", "Åberg", "Sales"),
            record(3, "abc", "Anna", "Berg", "HR"),
            pending,
        ])
    }

    #[test]
    fn user_ids_sort_naturally() {
        assert_eq!(ids(&sample()), ["2", "9", "10", "abc"]);
    }

    #[test]
    fn sorting_by_name_uses_last_name_and_can_be_reversed() {
        let mut listing = sample();
        listing.set_sort(Sort {
            column: Column::Name,
            descending: false,
        });
        assert_eq!(ids(&listing), ["abc", "2", "10", "9"]);
        listing.set_sort(Sort {
            column: Column::Name,
            descending: true,
        });
        assert_eq!(ids(&listing), ["9", "10", "2", "abc"]);
    }

    #[test]
    fn a_list_sorted_by_a_text_column_stays_sorted_through_edits() {
        let mut listing = sample();
        let by = |column| Sort {
            column,
            descending: false,
        };
        listing.set_sort(by(Column::Name));
        // Berg, Lind, Svensson, Åberg; Svensson is renamed Andersson.
        listing.upsert(record(1, "10", "Anna", "Andersson", "HR"));
        assert_eq!(ids(&listing), ["10", "abc", "2", "9"]);
        listing.upsert(record(5, "5", "Nils", "Holm", "IT"));
        assert_eq!(ids(&listing), ["10", "abc", "5", "2", "9"]);
        listing.remove(UserKey(1));
        assert_eq!(ids(&listing), ["abc", "5", "2", "9"]);
        let many: Vec<UserRecord> = (10..20)
            .map(|k| record(k, &k.to_string(), "Ola", "Öst", "IT"))
            .collect();
        listing.upsert_many(many);
        assert_eq!(ids(&listing)[..4], ["abc", "5", "2", "9"]);
        assert_eq!(ids(&listing).len(), 14);
        // Another text column, then back.
        listing.set_sort(by(Column::Department));
        assert_eq!(ids(&listing)[0], "abc", "HR first");
        listing.set_sort(by(Column::Name));
        assert_eq!(ids(&listing)[..4], ["abc", "5", "2", "9"]);
    }

    #[test]
    fn search_words_must_all_match_any_field() {
        let mut listing = sample();
        listing.set_filter(UserFilter {
            search: "anna SVENS".into(),
            ..UserFilter::default()
        });
        assert_eq!(ids(&listing), ["10"]);
        listing.set_filter(UserFilter {
            search: "erik.lind@".into(),
            ..UserFilter::default()
        });
        assert_eq!(ids(&listing), ["2"]);
        assert_eq!(listing.total(), 4);
    }

    #[test]
    fn typing_on_narrows_and_deleting_widens_again() {
        let mut listing = sample();
        let search = |text: &str, listing: &mut Listing| {
            listing.set_filter(UserFilter {
                search: text.into(),
                ..UserFilter::default()
            });
            ids(listing)
        };
        // "erik.lind@company.se" has an "a" and an "an"; Björn Åberg only
        // the "a" of his department, Sales.
        assert_eq!(search("a", &mut listing), ["2", "9", "10", "abc"]);
        assert_eq!(search("an", &mut listing), ["2", "10", "abc"]);
        assert_eq!(search("anna", &mut listing), ["10", "abc"]);
        assert_eq!(search("anna b", &mut listing), ["abc"]);
        assert_eq!(search("anna", &mut listing), ["10", "abc"]);
        assert_eq!(search("", &mut listing), ["2", "9", "10", "abc"]);
    }

    #[test]
    fn many_changes_at_once_keep_order_filter_and_count() {
        let mut listing = sample();
        listing.set_filter(UserFilter {
            department: Some("HR".into()),
            ..UserFilter::default()
        });
        let changed: Vec<UserRecord> = (5..25)
            .map(|k| {
                record(
                    k,
                    &k.to_string(),
                    "Nils",
                    "Holm",
                    if k % 2 == 0 { "HR" } else { "IT" },
                )
            })
            .chain([record(1, "10", "Anna", "Svensson", "IT")])
            .collect();
        listing.upsert_many(changed);
        assert_eq!(listing.total(), 24);
        let hr = ids(&listing);
        assert_eq!(hr.len(), 11, "{hr:?}");
        assert_eq!(hr.first().map(String::as_str), Some("6"));
        assert_eq!(hr.last().map(String::as_str), Some("abc"));
    }

    #[test]
    fn filters_combine() {
        let mut listing = sample();
        listing.set_filter(UserFilter {
            department: Some("HR".into()),
            activated: Some(false),
            ..UserFilter::default()
        });
        assert_eq!(ids(&listing), ["10", "abc"]);
        listing.set_filter(UserFilter {
            status: Some(ConnectionStatus::Pending),
            ..UserFilter::default()
        });
        assert_eq!(ids(&listing), ["2"]);
    }

    #[test]
    fn edits_keep_order_and_filter() {
        let mut listing = sample();
        listing.set_filter(UserFilter {
            department: Some("HR".into()),
            ..UserFilter::default()
        });
        listing.upsert(record(5, "5", "Nils", "Holm", "HR"));
        assert_eq!(ids(&listing), ["5", "10", "abc"]);
        listing.upsert(record(5, "5", "Nils", "Holm", "IT"));
        assert_eq!(ids(&listing), ["10", "abc"]);
        listing.remove(UserKey(1));
        assert_eq!(ids(&listing), ["abc"]);
        assert_eq!(listing.total(), 4);
        assert_eq!(
            listing.departments().collect::<Vec<_>>(),
            ["HR", "IT", "Sales"]
        );
    }

    #[test]
    fn search_finds_users_by_their_current_names_after_edits() {
        let mut listing = sample();
        let search = |listing: &mut Listing, text: &str| {
            listing.set_filter(UserFilter {
                search: text.into(),
                ..UserFilter::default()
            });
            ids(listing)
        };
        assert_eq!(search(&mut listing, "anna"), ["10", "abc"]);
        // Renamed: found by the new name, no longer by the old one.
        listing.upsert(record(1, "10", "Annika", "Sandberg", "HR"));
        assert_eq!(search(&mut listing, "svensson"), Vec::<String>::new());
        assert_eq!(search(&mut listing, "sandberg"), ["10"]);
        // Removing the first user moves the last one into its place.
        listing.remove(UserKey(1));
        assert_eq!(search(&mut listing, "lind"), ["2"]);
        assert_eq!(search(&mut listing, "sandberg"), Vec::<String>::new());
        // Many at once: one renamed, nine new.
        let changed: Vec<UserRecord> = (10..19)
            .map(|k| record(k, &k.to_string(), "Nils", "Holm", "IT"))
            .chain([record(2, "9", "Björn", "Ekholm", "Sales")])
            .collect();
        listing.upsert_many(changed);
        assert_eq!(search(&mut listing, "holm").len(), 10);
        assert_eq!(search(&mut listing, "åberg"), Vec::<String>::new());
        assert_eq!(search(&mut listing, "björn ekholm"), ["9"]);
    }
}
