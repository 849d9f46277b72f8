//! The feed: the messages a round's SMTP sessions take one by one, topped up
//! by the recorder while they send, so the sessions never stand idle while
//! the next messages are claimed.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Items waiting for a session, and whether more may come.
pub(super) struct Feed<T> {
    state: Mutex<FeedState<T>>,
    changed: Condvar,
}

struct FeedState<T> {
    items: VecDeque<T>,
    /// False once the round takes no more: a session that finds the feed
    /// empty then ends.
    open: bool,
}

/// How often a session waiting for the feed looks whether the worker stops.
const STOP_CHECK: Duration = Duration::from_millis(100);

impl<T> Feed<T> {
    /// A feed of `items`, open for more.
    pub(super) fn new(items: Vec<T>) -> Self {
        Self {
            state: Mutex::new(FeedState {
                items: items.into(),
                open: true,
            }),
            changed: Condvar::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, FeedState<T>> {
        // A session that panicked while holding the lock left the queue
        // whole (it only pops): the items are still good.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next item, waiting while the feed is empty and open; `None` once
    /// it is empty and closed, or the worker stops.
    pub(super) fn take(&self, stopping: &AtomicBool) -> Option<T> {
        let mut state = self.state();
        loop {
            if stopping.load(Ordering::SeqCst) {
                return None;
            }
            if let Some(item) = state.items.pop_front() {
                return Some(item);
            }
            if !state.open {
                return None;
            }
            state = self
                .changed
                .wait_timeout(state, STOP_CHECK)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// The items waiting, while the feed is open (`None` once closed).
    pub(super) fn waiting_while_open(&self) -> Option<usize> {
        let state = self.state();
        state.open.then_some(state.items.len())
    }

    /// Adds `items` at the end and wakes the sessions that wait.
    pub(super) fn top_up(&self, items: Vec<T>) {
        self.state().items.extend(items);
        self.changed.notify_all();
    }

    /// No more items come: the sessions end once the feed is empty.
    pub(super) fn close(&self) {
        self.state().open = false;
        self.changed.notify_all();
    }

    /// What no session took.
    pub(super) fn into_rest(self) -> Vec<T> {
        self.state
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .items
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_waiting_session_gets_what_is_topped_up_and_ends_when_closed() {
        let feed = Arc::new(Feed::new(vec![1]));
        let stopping = Arc::new(AtomicBool::new(false));
        let taker = {
            let (feed, stopping) = (Arc::clone(&feed), Arc::clone(&stopping));
            std::thread::Builder::new()
                .name("taker".into())
                .spawn(move || {
                    let mut taken = Vec::new();
                    while let Some(item) = feed.take(&stopping) {
                        taken.push(item);
                    }
                    taken
                })
                .unwrap()
        };
        std::thread::sleep(Duration::from_millis(30));
        feed.top_up(vec![2, 3]);
        assert!(feed.waiting_while_open().is_some(), "still open");
        feed.close();
        assert_eq!(taker.join().unwrap(), vec![1, 2, 3]);
        assert_eq!(feed.waiting_while_open(), None);
    }

    #[test]
    fn a_stopping_worker_leaves_the_rest_in_the_feed() {
        let feed = Feed::new(vec![1, 2]);
        let stopping = AtomicBool::new(true);
        assert_eq!(feed.take(&stopping), None);
        assert_eq!(feed.into_rest(), vec![1, 2]);
    }
}
