//! The listener: accepts connections with a header read time-out and a
//! lifetime, caps them per client address and in all, and closes the oldest
//! idle one to make room, so slow clients cannot starve the others.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;

/// Connections open at once, from everyone.
pub(super) const MAX_CONNECTIONS: usize = 512;
/// Connections open at once from one address.
pub(super) const MAX_CONNECTIONS_PER_CLIENT: usize = 32;
/// How long a client may take to send a request's headers.
pub(super) const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one connection may stay open in all.
pub(super) const CONNECTION_LIFETIME: Duration = Duration::from_mins(1);

/// Accepts connections until `stopped`, each served on a task of its own
/// with a header read time-out and a lifetime. Past the cap per client
/// address a new connection is closed at once; past the cap in all, the
/// oldest connection that is not being answered (idle, or still sending
/// its headers) is closed to make room, so slow clients from many
/// addresses cannot make the endpoint unreachable for others.
pub(super) async fn serve_connections(
    listener: tokio::net::TcpListener,
    router: Router,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
    trusted_proxies: Vec<IpAddr>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let per_client: Arc<Mutex<HashMap<IpAddr, usize>>> = Arc::default();
    let open = Arc::new(OpenConnections::default());
    loop {
        let accepted = tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors, say: wait a moment, keep serving.
                tracing::warn!("verification endpoint: accept failed: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // A trusted proxy carries many employees' connections: only the
        // overall cap applies to it.
        let client = if trusted_proxies.contains(&peer.ip()) {
            None
        } else {
            let Some(client) = ClientSlot::take(&per_client, peer.ip()) else {
                continue;
            };
            Some(client)
        };
        let slot = if let Ok(slot) = Arc::clone(&slots).try_acquire_owned() {
            slot
        } else {
            // Full: the oldest connection not being answered gives way.
            if !open.close_oldest_waiting() {
                continue;
            }
            let freed = tokio::time::timeout(
                Duration::from_millis(500),
                Arc::clone(&slots).acquire_owned(),
            )
            .await;
            match freed {
                Ok(Ok(slot)) => slot,
                _ => continue,
            }
        };
        let _ = stream.set_nodelay(true);
        let (id, answering, close) = open.add();
        let started = Arc::clone(&answering);
        let service = tower::ServiceExt::map_request(
            router.clone().layer(axum::Extension(ConnectInfo(peer))),
            move |request: axum::http::Request<hyper::body::Incoming>| {
                // The headers are in: this connection is being answered.
                started.store(true, std::sync::atomic::Ordering::SeqCst);
                request.map(axum::body::Body::new)
            },
        );
        let service = tower::ServiceExt::map_response(service, move |response| {
            answering.store(false, std::sync::atomic::Ordering::SeqCst);
            response
        });
        let open = Arc::clone(&open);
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(
                    hyper_util::rt::TokioIo::new(stream),
                    hyper_util::service::TowerToHyperService::new(service),
                );
            tokio::select! {
                _ = tokio::time::timeout(CONNECTION_LIFETIME, connection) => {}
                () = close.notified() => {}
            }
            open.remove(id);
            drop(client);
            drop(slot);
        });
    }
}

/// The connections open now, oldest first: whether each is being answered,
/// and how to close it.
#[derive(Default)]
pub(super) struct OpenConnections {
    pub(super) list: Mutex<std::collections::VecDeque<OpenConnection>>,
    pub(super) next_id: std::sync::atomic::AtomicU64,
}

/// One open connection.
pub(super) struct OpenConnection {
    pub(super) id: u64,
    /// True from its request's headers to its answer.
    pub(super) answering: Arc<std::sync::atomic::AtomicBool>,
    /// Closes it.
    pub(super) close: Arc<tokio::sync::Notify>,
}

impl OpenConnections {
    /// Notes a new connection: its id, its answering flag, its closer.
    pub(super) fn add(
        &self,
    ) -> (
        u64,
        Arc<std::sync::atomic::AtomicBool>,
        Arc<tokio::sync::Notify>,
    ) {
        let id = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let answering = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let close = Arc::new(tokio::sync::Notify::new());
        if let Ok(mut list) = self.list.lock() {
            list.push_back(OpenConnection {
                id,
                answering: Arc::clone(&answering),
                close: Arc::clone(&close),
            });
        }
        (id, answering, close)
    }

    pub(super) fn remove(&self, id: u64) {
        if let Ok(mut list) = self.list.lock()
            && let Some(index) = list.iter().position(|c| c.id == id)
        {
            list.remove(index);
        }
    }

    /// Closes the oldest connection not being answered; false when every
    /// one is being answered.
    pub(super) fn close_oldest_waiting(&self) -> bool {
        let Ok(mut list) = self.list.lock() else {
            return false;
        };
        let waiting = list
            .iter()
            .position(|c| !c.answering.load(std::sync::atomic::Ordering::SeqCst));
        match waiting.and_then(|index| list.remove(index)) {
            Some(connection) => {
                connection.close.notify_one();
                true
            }
            None => false,
        }
    }
}

/// One client address's share of the connections, given back when dropped.
pub(super) struct ClientSlot {
    pub(super) counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
    pub(super) client: IpAddr,
}

impl ClientSlot {
    pub(super) fn take(
        counts: &Arc<Mutex<HashMap<IpAddr, usize>>>,
        client: IpAddr,
    ) -> Option<Self> {
        let mut map = counts.lock().ok()?;
        let open = map.entry(client).or_default();
        if *open >= MAX_CONNECTIONS_PER_CLIENT {
            return None;
        }
        *open += 1;
        Some(Self {
            counts: Arc::clone(counts),
            client,
        })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        if let Ok(mut map) = self.counts.lock()
            && let Some(open) = map.get_mut(&self.client)
        {
            *open = open.saturating_sub(1);
            if *open == 0 {
                map.remove(&self.client);
            }
        }
    }
}
