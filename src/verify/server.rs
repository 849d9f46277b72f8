//! The verification endpoint: `GET /verify/{token}` shows what the link
//! confirms and changes nothing (mail scanners open links); `POST` confirms.
//! axum on tokio, on a thread of its own; each request opens the register
//! through the same use cases as the window.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::app::{self, ConfirmError, LinkError, Session};
use crate::domain::Clock;
use crate::store::Store;

use super::pages::{confirm_page, confirmed_page, problem_page};

/// Failures from one client address within this window count toward slowing it down.
const FAILURE_WINDOW: Duration = Duration::from_mins(10);
/// Failures allowed before answers to that client are delayed.
const FREE_FAILURES: usize = 5;
/// Longest delay.
const MAX_DELAY: Duration = Duration::from_secs(8);

/// Why the endpoint did not start.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// The address to listen on is taken or not allowed.
    #[error(
        "The verification endpoint cannot listen on {address}: {source}. Choose another bind address in Settings."
    )]
    Bind {
        /// The address.
        address: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The runtime or thread could not start.
    #[error("The verification endpoint could not start: {0}")]
    Start(std::io::Error),
}

struct Shared {
    session: Mutex<Session>,
    failures: Mutex<HashMap<IpAddr, Vec<Instant>>>,
}

/// A running endpoint; stopped when dropped.
pub struct Endpoint {
    address: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Endpoint {
    /// The address it listens on (with the real port when 0 was asked for).
    pub fn address(&self) -> SocketAddr {
        self.address
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

/// Starts the endpoint on `bind` over the register at `register`.
pub fn start_endpoint(
    register: &Path,
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
    let store = Store::open(register)
        .map_err(|e| EndpointError::Start(std::io::Error::other(e.to_string())))?;
    let mut session = Session::new(store);
    session.clock = clock;
    let shared = Arc::new(Shared {
        session: Mutex::new(session),
        failures: Mutex::new(HashMap::new()),
    });
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
                let service = router.into_make_service_with_connect_info::<SocketAddr>();
                let served = axum::serve(listener, service)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
                if let Err(error) = served {
                    tracing::error!("verification endpoint stopped: {error}");
                }
            });
        })
        .map_err(EndpointError::Start)?;
    tracing::info!(%address, "verification endpoint listening");
    Ok(Endpoint {
        address,
        shutdown: Some(shutdown),
        thread: Some(thread),
    })
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/verify/{token}", get(show).post(confirm))
        .route("/health", get(|| async { "ok" }))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                Html(problem_page(
                    "Page not found",
                    "There is nothing at this address.",
                )),
            )
        })
        .layer(axum::middleware::map_response(security_headers))
        .with_state(shared)
}

/// Every answer: no referrer (the link carries a secret), a strict content
/// policy (no scripts, only inline styles, forms to this origin), no caching.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Waits longer the more failures this client had lately.
async fn slow_down(shared: &Shared, client: IpAddr) {
    let delay = {
        let Ok(mut failures) = shared.failures.lock() else {
            return;
        };
        let recent = failures.entry(client).or_default();
        recent.retain(|at| at.elapsed() < FAILURE_WINDOW);
        // The first FREE_FAILURES are answered at once; each further one waits twice as long.
        let excess = (recent.len() + 1).saturating_sub(FREE_FAILURES);
        if excess == 0 {
            Duration::ZERO
        } else {
            let factor = 1_u32 << excess.min(6);
            (Duration::from_millis(250) * factor).min(MAX_DELAY)
        }
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

fn record_failure(shared: &Shared, client: IpAddr) {
    if let Ok(mut failures) = shared.failures.lock() {
        failures.entry(client).or_default().push(Instant::now());
    }
}

fn link_problem(error: LinkError) -> Response {
    let (status, title) = match error {
        LinkError::Unknown => (StatusCode::NOT_FOUND, "This link is not valid"),
        LinkError::Expired => (StatusCode::GONE, "This link has expired"),
        LinkError::Used => (StatusCode::GONE, "This link has already been used"),
        LinkError::Superseded => (StatusCode::GONE, "This link has been replaced"),
    };
    (status, Html(problem_page(title, &error.to_string()))).into_response()
}

fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(problem_page(
            "Please try again later",
            "The verification service cannot be reached right now. Try the link again in a few minutes.",
        )),
    )
        .into_response()
}

/// Runs a use case on the register off the async threads.
async fn with_session<T: Send + 'static>(
    shared: &Arc<Shared>,
    work: impl FnOnce(&mut Session) -> T + Send + 'static,
) -> Option<T> {
    let shared = Arc::clone(shared);
    tokio::task::spawn_blocking(move || {
        shared
            .session
            .lock()
            .ok()
            .map(|mut session| work(&mut session))
    })
    .await
    .ok()
    .flatten()
}

async fn show(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    UrlPath(token): UrlPath<String>,
) -> Response {
    slow_down(&shared, client.ip()).await;
    match with_session(&shared, move |session| app::inspect_link(session, &token)).await {
        Some(Ok(masked)) => Html(confirm_page(&masked)).into_response(),
        Some(Err(error)) => {
            record_failure(&shared, client.ip());
            link_problem(error)
        }
        None => unavailable(),
    }
}

async fn confirm(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    UrlPath(token): UrlPath<String>,
) -> Response {
    slow_down(&shared, client.ip()).await;
    let result = with_session(&shared, move |session| {
        let confirmed = app::confirm_link(session, &token);
        let login = session
            .store
            .load_settings()
            .map(|s| s.login_page_url)
            .unwrap_or_default();
        (confirmed, login)
    })
    .await;
    match result {
        Some((Ok(masked), login)) => Html(confirmed_page(&masked, &login)).into_response(),
        Some((Err(ConfirmError::Link(error)), _)) => {
            record_failure(&shared, client.ip());
            link_problem(error)
        }
        Some((Err(ConfirmError::Store(error)), _)) => {
            tracing::error!("confirming a link failed: {error}");
            unavailable()
        }
        None => unavailable(),
    }
}
