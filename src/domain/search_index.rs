//! Every user's search text in one buffer, so a search over 100,000 users is
//! one pass through contiguous memory instead of a short search per user.

use memchr::memmem;

/// The search texts of all users, in the list's record order, back to back.
pub(crate) struct SearchIndex {
    text: String,
    /// `starts[i]..starts[i + 1]` is user `i`'s text; one more than the users.
    starts: Vec<usize>,
}

impl Default for SearchIndex {
    fn default() -> Self {
        Self {
            text: String::new(),
            starts: vec![0],
        }
    }
}

impl SearchIndex {
    /// An index of the given texts, in order.
    pub(crate) fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut index = Self::default();
        for text in texts {
            index.push(text);
        }
        index
    }

    /// User `i`'s text.
    pub(crate) fn get(&self, i: usize) -> &str {
        &self.text[self.starts[i]..self.starts[i + 1]]
    }

    /// How many users the index holds.
    pub(crate) fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Adds a user's text at the end.
    pub(crate) fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.starts.push(self.text.len());
    }

    /// Adds a user's text at the end, written by `write` into the buffer.
    pub(crate) fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        write(&mut self.text);
        self.starts.push(self.text.len());
    }

    /// Replaces user `i`'s text.
    pub(crate) fn set(&mut self, i: usize, text: &str) {
        let (start, end) = (self.starts[i], self.starts[i + 1]);
        self.text.replace_range(start..end, text);
        let new_end = start + text.len();
        if new_end != end {
            for s in &mut self.starts[i + 1..] {
                *s = *s + new_end - end;
            }
        }
    }

    /// Removes user `i`; the last user takes its place (as `Vec::swap_remove`).
    pub(crate) fn swap_remove(&mut self, i: usize) {
        let last = self.len() - 1;
        if i != last {
            let moved = self.get(last).to_owned();
            self.set(i, &moved);
        }
        self.text.truncate(self.starts[last]);
        self.starts.pop();
    }

    /// Marks every user whose text contains `term`, in one pass over the buffer.
    pub(crate) fn mark_containing(&self, term: &memmem::Finder<'_>) -> Vec<bool> {
        let mut hits = vec![false; self.len()];
        let haystack = self.text.as_bytes();
        let needle_len = term.needle().len();
        let mut user = 0;
        let mut from = 0;
        while let Some(offset) = term.find(&haystack[from..]) {
            let at = from + offset;
            // Hits only move forward, so the owner is found by walking on.
            while self.starts[user + 1] <= at {
                user += 1;
            }
            let end = self.starts[user + 1];
            if at + needle_len <= end {
                hits[user] = true;
                from = end;
            } else {
                // The match runs into the next user's text: not a match.
                from = at + 1;
            }
            if from >= haystack.len() {
                break;
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(index: &SearchIndex, term: &str) -> Vec<usize> {
        let finder = memmem::Finder::new(term);
        index
            .mark_containing(&finder)
            .iter()
            .enumerate()
            .filter_map(|(i, &hit)| hit.then_some(i))
            .collect()
    }

    #[test]
    fn marks_users_whose_own_text_contains_the_term() {
        let index = SearchIndex::new(["anna", "berg", "sven", "nils"]);
        assert_eq!(marked(&index, "n"), vec![0, 2, 3]);
        assert_eq!(marked(&index, "nn"), vec![0]);
        // "annab" and "gsv" only exist across two users' texts.
        assert!(marked(&index, "annab").is_empty());
        assert!(marked(&index, "gsv").is_empty());
        assert_eq!(marked(&index, "nils"), vec![3]);
    }

    #[test]
    fn a_term_straddling_a_boundary_does_not_hide_a_later_match_in_the_same_user() {
        // "ab" starts in user 0 ("xa" + "b…") and occurs again inside user 1.
        let index = SearchIndex::new(["xa", "bab"]);
        assert_eq!(marked(&index, "ab"), vec![1]);
    }

    #[test]
    fn set_push_and_swap_remove_keep_texts_apart() {
        let mut index = SearchIndex::new(["anna", "berg", "sven"]);
        index.set(1, "björklund");
        assert_eq!(index.get(1), "björklund");
        assert_eq!(index.get(2), "sven");
        index.set(1, "b");
        assert_eq!(index.get(2), "sven");
        index.push("ola");
        index.swap_remove(0);
        assert_eq!(index.len(), 3);
        assert_eq!(index.get(0), "ola");
        assert_eq!(index.get(1), "b");
        assert_eq!(index.get(2), "sven");
        index.swap_remove(2);
        assert_eq!(index.len(), 2);
        assert_eq!(marked(&index, "sven"), Vec::<usize>::new());
        assert_eq!(marked(&index, "ola"), vec![0]);
    }
}
