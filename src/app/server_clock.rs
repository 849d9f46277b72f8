//! The clock leases are judged by. Several hosts on one shared register
//! must agree on when a lease runs out, or a host whose clock runs ahead
//! takes a live worker's messages for abandoned and sends them again; so a
//! worker follows the database server's clock, measured when it opens and
//! again at each heartbeat. A register file has no server (every program
//! on it runs on the one machine): the host's clock is used as it is.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use jiff::SignedDuration;

use crate::domain::Clock;
use crate::store::Store;

/// Beyond this, a clock is not a host's drift but a test's or a broken
/// one: it is used as it is, and said once.
const LARGEST_SKEW_MS: i64 = 24 * 3_600_000;

/// A clock that keeps in step with the database server's.
#[derive(Clone)]
pub struct ServerClock {
    base: Clock,
    /// The server's clock minus this host's, in milliseconds.
    skew_ms: Arc<AtomicI64>,
}

impl ServerClock {
    /// In step with nothing yet: `base` as it is, until [`Self::measure`].
    pub fn new(base: Clock) -> Self {
        Self {
            base,
            skew_ms: Arc::new(AtomicI64::new(0)),
        }
    }

    /// The clock to judge leases by: this host's, moved by the skew last
    /// measured.
    pub fn clock(&self) -> Clock {
        let base = self.base.clone();
        let skew = Arc::clone(&self.skew_ms);
        Arc::new(move || base() + SignedDuration::from_millis(skew.load(Ordering::Relaxed)))
    }

    /// The skew last measured, in milliseconds.
    pub fn skew_ms(&self) -> i64 {
        self.skew_ms.load(Ordering::Relaxed)
    }

    /// Asks the server for its clock (one round trip), halving the round
    /// trip for the answer's age. Nothing changes when it cannot be asked.
    pub fn measure(&self, store: &Store) {
        let before = (self.base)().as_millisecond();
        let server = match store.server_clock_ms() {
            Ok(Some(server)) => server,
            Ok(None) => return,
            Err(error) => {
                tracing::debug!("the database server's clock could not be read: {error}");
                return;
            }
        };
        let after = (self.base)().as_millisecond();
        let skew = server - (before + (after - before) / 2);
        if skew.abs() > LARGEST_SKEW_MS {
            if self.skew_ms.swap(0, Ordering::Relaxed) != 0 || skew.abs() > LARGEST_SKEW_MS {
                tracing::debug!(
                    skew,
                    "this clock is a day or more off the database server's; used as it is"
                );
            }
            return;
        }
        let previous = self.skew_ms.swap(skew, Ordering::Relaxed);
        if (skew - previous).abs() > 2_000 && skew.abs() > 2_000 {
            tracing::info!(
                "this computer's clock is {:.1} s off the database server's; the outbox's leases follow the server's",
                skew as f64 / -1000.0
            );
        }
    }
}
