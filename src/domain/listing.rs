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
mod tests;
