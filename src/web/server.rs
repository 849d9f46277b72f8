//! The verification endpoint: `GET /verify/{token}` shows what the link
//! confirms and changes nothing (mail scanners open links); `POST` confirms.
//! `/relink/{token}` is the employee's *My profile › Security and login*
//! (the preparation phase's invitation), and `POST …/{token}/new` is *Send
//! me a new link* from an expired or replaced link. axum on tokio, on a
//! thread of its own; each request opens the register through the same use
//! cases as the window.
//!
//! Here: starting and stopping it. Its parts: `listener` (connections and
//! their limits), `throttle` (slowing down guessing, the client's address)
//! and `handlers` (the routes).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::app::Session;
use crate::app::outbox_worker::WorkerHealth;
use crate::domain::Clock;
use crate::i18n::Language;

mod handlers;
mod listener;
mod throttle;

use handlers::router;
use listener::serve_connections;
pub use throttle::client_address;
use throttle::{client_of, record_failure_and_wait};

/// Why the endpoint did not start.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// The address to listen on is taken or not allowed.
    #[error(
        "{}",
        t!("endpoint-bind", address = .address.as_str(), error = .source.to_string())
    )]
    Bind {
        /// The address.
        address: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The runtime or thread could not start.
    #[error("{}", t!("endpoint-start", error = .0.to_string()))]
    Start(std::io::Error),
}

struct Shared {
    session: Mutex<Session>,
    failures: Mutex<HashMap<IpAddr, Vec<Instant>>>,
    all_failures: Mutex<std::collections::VecDeque<Instant>>,
    /// True while the outbox worker beside this endpoint runs, when one is watched.
    worker_health: Mutex<Option<Arc<WorkerHealth>>>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    trusted_proxies: Vec<IpAddr>,
    /// The register's message language, as last read: for the pages shown
    /// when the register cannot be read.
    language: Mutex<Language>,
}

/// A running endpoint; stopped when dropped.
pub struct Endpoint {
    address: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Endpoint {
    /// The address it listens on (with the real port when 0 was asked for).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Makes `/health` answer 503 while the worker cannot deliver: its
    /// thread ended, its rounds keep failing, or its lease is not renewed.
    pub fn watch_worker(&self, health: Arc<WorkerHealth>) {
        if let Ok(mut watched) = self.shared.worker_health.lock() {
            *watched = Some(health);
        }
    }

    /// Stops it and waits for it.
    pub fn stop(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

impl crate::app::services::RunningEndpoint for Endpoint {
    fn address(&self) -> SocketAddr {
        self.address
    }

    fn watch_worker(&self, health: Arc<WorkerHealth>) {
        Endpoint::watch_worker(self, health);
    }
}

/// [`start_endpoint`] as the services take it (an
/// [`app::services::StartEndpoint`](crate::app::services::StartEndpoint)).
pub fn start_listening(
    register: &crate::app::Location,
    bind: &str,
    clock: Clock,
) -> Result<Box<dyn crate::app::services::RunningEndpoint>, String> {
    start_endpoint(register, bind, clock)
        .map(|endpoint| Box::new(endpoint) as Box<dyn crate::app::services::RunningEndpoint>)
        .map_err(|error| error.to_string())
}

/// Starts the endpoint on `bind` over the register at `register`.
pub fn start_endpoint(
    register: &crate::app::Location,
    bind: &str,
    clock: Clock,
) -> Result<Endpoint, EndpointError> {
    let bind_error = |source| EndpointError::Bind {
        address: bind.to_owned(),
        source,
    };
    let listener = std::net::TcpListener::bind(bind).map_err(bind_error)?;
    listener.set_nonblocking(true).map_err(bind_error)?;
    let address = listener.local_addr().map_err(bind_error)?;
    let mut session = Session::open(register)
        .map_err(|e| EndpointError::Start(std::io::Error::other(e.to_string())))?;
    let (trusted_proxies, language) = session
        .load_settings()
        .map(|s| (s.trusted_proxies, s.message_language))
        .unwrap_or_default();
    session.clock = clock;
    let shared = Arc::new(Shared {
        session: Mutex::new(session),
        failures: Mutex::new(HashMap::new()),
        all_failures: Mutex::new(std::collections::VecDeque::new()),
        worker_health: Mutex::new(None),
        trusted_proxies: trusted_proxies.clone(),
        language: Mutex::new(language),
    });
    let watched = Arc::clone(&shared);
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("verify-endpoint")
        .enable_all()
        .build()
        .map_err(EndpointError::Start)?;
    let router = router(shared);
    let thread = std::thread::Builder::new()
        .name("verify-endpoint".into())
        .spawn(move || {
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => listener,
                    Err(error) => {
                        tracing::error!("verification endpoint: {error}");
                        return;
                    }
                };
                serve_connections(listener, router, stopped, trusted_proxies).await;
            });
        })
        .map_err(EndpointError::Start)?;
    tracing::info!(%address, "verification endpoint listening");
    Ok(Endpoint {
        address,
        shared: watched,
        shutdown: Some(shutdown),
        thread: Some(thread),
    })
}
