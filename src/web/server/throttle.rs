//! Slowing down link guessing: failures per client address (and in all)
//! within a window, a doubling delay past the free ones, and which address
//! a request comes from behind a trusted proxy.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use super::Shared;

/// Failures from one client address within this window count toward slowing it down.
pub(super) const FAILURE_WINDOW: Duration = Duration::from_mins(10);
/// Failures allowed before answers to that client are delayed.
pub(super) const FREE_FAILURES: usize = 5;
/// Failures from all clients together (many addresses guessing at once)
/// allowed in the window before every failed answer is delayed.
pub(super) const FREE_FAILURES_GLOBAL: usize = 200;
/// Longest delay.
pub(super) const MAX_DELAY: Duration = Duration::from_secs(8);

/// The delay for `excess` failures past the free ones: doubling from 250 ms.
pub(super) fn delay_for(excess: usize) -> Duration {
    if excess == 0 {
        Duration::ZERO
    } else {
        let factor = 1_u32 << excess.min(6);
        (Duration::from_millis(250) * factor).min(MAX_DELAY)
    }
}

/// Counts a failed link from `client` and waits before the answer: longer
/// the more failures this client, or everyone together, had lately. Only a
/// failed answer waits; a valid link is answered at once, whoever opens it.
pub(super) async fn record_failure_and_wait(shared: &Shared, client: IpAddr) {
    let delay = {
        let Ok(mut failures) = shared.failures.lock() else {
            return;
        };
        failures.retain(|_, times| {
            times.retain(|at| at.elapsed() < FAILURE_WINDOW);
            !times.is_empty()
        });
        let recent = failures.entry(client).or_default();
        recent.push(Instant::now());
        // The first FREE_FAILURES are answered at once; each further one waits twice as long.
        let own = delay_for(recent.len().saturating_sub(FREE_FAILURES));
        let global = shared
            .all_failures
            .lock()
            .map_or(Duration::ZERO, |mut all| {
                while all.front().is_some_and(|at| at.elapsed() >= FAILURE_WINDOW) {
                    all.pop_front();
                }
                all.push_back(Instant::now());
                delay_for(all.len().saturating_sub(FREE_FAILURES_GLOBAL) / 10)
            });
        own.max(global)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

pub(super) fn client_of(
    shared: &Shared,
    peer: SocketAddr,
    headers: &axum::http::HeaderMap,
) -> IpAddr {
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    client_address(
        peer.ip(),
        Some(forwarded.as_str()).filter(|f| !f.is_empty()),
        &shared.trusted_proxies,
    )
}

/// The employee's address: the connection's own, unless it comes from a
/// trusted reverse proxy, whose `X-Forwarded-For` is then read from the
/// right, skipping further trusted proxies. From anyone else the header is
/// ignored (a client could write anything into it).
pub fn client_address(peer: IpAddr, forwarded: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let Some(forwarded) = forwarded else {
        return peer;
    };
    let mut client = peer;
    for hop in forwarded.rsplit(',') {
        let Ok(address) = hop.trim().parse::<IpAddr>() else {
            // A hop that is not an address: stop at what is known.
            return client;
        };
        client = address;
        if !trusted.contains(&address) {
            return address;
        }
    }
    client
}

#[cfg(test)]
mod forwarded_tests {
    use crate::web::client_address;
    use std::net::IpAddr;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let proxy = ip("10.0.0.5");
        let trusted = [proxy];
        assert_eq!(
            client_address(proxy, Some("203.0.113.7"), &trusted),
            ip("203.0.113.7")
        );
        // A client that writes the header itself, through the proxy: the
        // proxy appends the real address, which is the one taken.
        assert_eq!(
            client_address(proxy, Some("1.2.3.4, 198.51.100.9"), &trusted),
            ip("198.51.100.9")
        );
        // Not through the proxy: the header is ignored.
        assert_eq!(
            client_address(ip("198.51.100.9"), Some("1.2.3.4"), &trusted),
            ip("198.51.100.9")
        );
        assert_eq!(client_address(proxy, None, &trusted), proxy);
        assert_eq!(client_address(proxy, Some("garbage"), &trusted), proxy);
        assert_eq!(client_address(proxy, Some("1.2.3.4"), &[]), proxy);
    }
}
