//! The verification endpoint: `GET /verify/{token}` shows what the link
//! confirms and changes nothing (mail scanners open links); `POST` confirms.
//! `/relink/{token}` is the employee's *My profile › Security and login*
//! (the preparation phase's invitation), and `POST …/{token}/new` is *Send
//! me a new link* from an expired or replaced link. axum on tokio, on a
//! thread of its own; each request opens the register through the same use
//! cases as the window.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::outbox_worker::WorkerHealth;
use crate::app::{self, ConfirmError, LinkError, RelinkError, Session, VerifyOutcome};
use crate::domain::Clock;

use super::pages::{
    RelinkProblem, confirm_page, confirmed_page, new_link_page, problem_page,
    problem_page_with_new_link, relink_page, relink_sent_page,
};
use crate::i18n::Language;

/// Failures from one client address within this window count toward slowing it down.
const FAILURE_WINDOW: Duration = Duration::from_mins(10);
/// Failures allowed before answers to that client are delayed.
const FREE_FAILURES: usize = 5;
/// Failures from all clients together (many addresses guessing at once)
/// allowed in the window before every failed answer is delayed.
const FREE_FAILURES_GLOBAL: usize = 200;
/// Longest delay.
const MAX_DELAY: Duration = Duration::from_secs(8);
/// Connections open at once, from everyone.
const MAX_CONNECTIONS: usize = 512;
/// Connections open at once from one address.
const MAX_CONNECTIONS_PER_CLIENT: usize = 32;
/// How long a client may take to send a request's headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one connection may stay open in all.
const CONNECTION_LIFETIME: Duration = Duration::from_mins(1);

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

/// Accepts connections until `stopped`, each served on a task of its own
/// with a header read time-out and a lifetime. Past the cap per client
/// address a new connection is closed at once; past the cap in all, the
/// oldest connection that is not being answered (idle, or still sending
/// its headers) is closed to make room, so slow clients from many
/// addresses cannot make the endpoint unreachable for others.
async fn serve_connections(
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
struct OpenConnections {
    list: Mutex<std::collections::VecDeque<OpenConnection>>,
    next_id: std::sync::atomic::AtomicU64,
}

/// One open connection.
struct OpenConnection {
    id: u64,
    /// True from its request's headers to its answer.
    answering: Arc<std::sync::atomic::AtomicBool>,
    /// Closes it.
    close: Arc<tokio::sync::Notify>,
}

impl OpenConnections {
    /// Notes a new connection: its id, its answering flag, its closer.
    fn add(
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

    fn remove(&self, id: u64) {
        if let Ok(mut list) = self.list.lock()
            && let Some(index) = list.iter().position(|c| c.id == id)
        {
            list.remove(index);
        }
    }

    /// Closes the oldest connection not being answered; false when every
    /// one is being answered.
    fn close_oldest_waiting(&self) -> bool {
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
struct ClientSlot {
    counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
    client: IpAddr,
}

impl ClientSlot {
    fn take(counts: &Arc<Mutex<HashMap<IpAddr, usize>>>, client: IpAddr) -> Option<Self> {
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

fn router(shared: Arc<Shared>) -> Router {
    let fallback_shared = Arc::clone(&shared);
    Router::new()
        .route("/verify/{token}", get(show).post(confirm))
        .route("/verify/{token}/new", post(new_link))
        .route("/relink/{token}", get(show_relink).post(relink))
        .route("/relink/{token}/new", post(new_link))
        .route("/health", get(health))
        .fallback(move || async move {
            let language = language_of(&fallback_shared);
            (
                StatusCode::NOT_FOUND,
                Html(problem_page(
                    language,
                    &tl!(language, "page-not-found-title"),
                    &tl!(language, "page-not-found-text"),
                )),
            )
        })
        .layer(axum::middleware::map_response(security_headers))
        .with_state(shared)
}

/// `ok`, or 503 when the register cannot be reached or the watched outbox
/// worker cannot deliver.
async fn health(State(shared): State<Arc<Shared>>) -> Response {
    let reachable = with_session(&shared, |session| session.is_reachable()).await;
    if reachable != Some(true) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the register cannot be reached: links cannot be confirmed",
        )
            .into_response();
    }
    let problem = shared
        .worker_health
        .lock()
        .ok()
        .and_then(|w| w.as_ref().and_then(|health| health.problem()));
    match problem {
        Some(problem) => (StatusCode::SERVICE_UNAVAILABLE, problem.sentence()).into_response(),
        None => "ok".into_response(),
    }
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

/// The delay for `excess` failures past the free ones: doubling from 250 ms.
fn delay_for(excess: usize) -> Duration {
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
async fn record_failure_and_wait(shared: &Shared, client: IpAddr) {
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

/// Why a link does not work; an expired or replaced one (`token` given)
/// offers *Send me a new link*.
fn link_problem(language: Language, error: LinkError, token: &str) -> Response {
    let (status, title, text) = match error {
        LinkError::Unknown => (
            StatusCode::NOT_FOUND,
            tl!(language, "page-link-unknown-title"),
            tl!(language, "page-link-unknown-text"),
        ),
        LinkError::Expired => (
            StatusCode::GONE,
            tl!(language, "page-link-expired-title"),
            tl!(language, "page-link-expired-text"),
        ),
        LinkError::Used => (
            StatusCode::GONE,
            tl!(language, "page-link-used-title"),
            tl!(language, "page-link-used-text"),
        ),
        LinkError::Superseded => (
            StatusCode::GONE,
            tl!(language, "page-link-replaced-title"),
            tl!(language, "page-link-replaced-text"),
        ),
    };
    let page = if matches!(error, LinkError::Expired | LinkError::Superseded) {
        problem_page_with_new_link(language, &title, &text, token)
    } else {
        problem_page(language, &title, &text)
    };
    (status, Html(page)).into_response()
}

fn unavailable(language: Language) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(problem_page(
            language,
            &tl!(language, "page-unavailable-title"),
            &tl!(language, "page-unavailable-text"),
        )),
    )
        .into_response()
}

/// The register's message language, as this endpoint last read it.
fn language_of(shared: &Shared) -> Language {
    shared
        .language
        .lock()
        .map_or(Language::Swedish, |language| *language)
}

fn client_of(shared: &Shared, peer: SocketAddr, headers: &axum::http::HeaderMap) -> IpAddr {
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

/// Runs a use case on the register off the async threads.
async fn with_session<T: Send + 'static>(
    shared: &Arc<Shared>,
    work: impl FnOnce(&mut Session) -> T + Send + 'static,
) -> Option<T> {
    let shared = Arc::clone(shared);
    tokio::task::spawn_blocking(move || {
        shared.session.lock().ok().map(|mut session| {
            // A shared register's server may have restarted: connect anew.
            if let Err(error) = session.reconnect_if_lost() {
                tracing::warn!("the register cannot be reached: {error}");
            }
            work(&mut session)
        })
    })
    .await
    .ok()
    .flatten()
}

/// What a page needs of the register's settings, read once per request.
struct PageSettings {
    /// The register's message language.
    language: Language,
    /// The Visma Connect login page the confirmed page points to.
    login_url: String,
}

/// Runs a use case on the register off the async threads, then reads the
/// page settings (one query; the language is kept for the pages that cannot
/// read the register).
async fn in_register<T: Send + 'static>(
    shared: &Arc<Shared>,
    work: impl FnOnce(&mut Session) -> T + Send + 'static,
) -> Option<(T, PageSettings)> {
    let reading = Arc::clone(shared);
    with_session(shared, move |session| {
        let done = work(session);
        let page = match session.load_settings() {
            Ok(settings) => PageSettings {
                language: settings.message_language,
                login_url: settings.login_page_url,
            },
            Err(_) => PageSettings {
                language: language_of(&reading),
                login_url: String::new(),
            },
        };
        if let Ok(mut kept) = reading.language.lock() {
            *kept = page.language;
        }
        (done, page)
    })
    .await
}

/// A link that does not work: the answer waits after repeated failures
/// from the client, then says why.
async fn failed_link(
    shared: &Shared,
    client: IpAddr,
    language: Language,
    error: LinkError,
    token: &str,
) -> Response {
    record_failure_and_wait(shared, client).await;
    link_problem(language, error, token)
}

async fn show(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    UrlPath(token): UrlPath<String>,
) -> Response {
    let client = client_of(&shared, peer, &headers);
    let asked = token.clone();
    match in_register(&shared, move |session| app::inspect_link(session, &asked)).await {
        Some((Ok(masked), page)) => Html(confirm_page(page.language, &masked)).into_response(),
        Some((Err(error), page)) => {
            failed_link(&shared, client, page.language, error, &token).await
        }
        None => unavailable(language_of(&shared)),
    }
}

async fn confirm(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    UrlPath(token): UrlPath<String>,
) -> Response {
    let client = client_of(&shared, peer, &headers);
    let asked = token.clone();
    match in_register(&shared, move |session| app::confirm_link(session, &asked)).await {
        Some((Ok(masked), page)) => {
            Html(confirmed_page(page.language, &masked, &page.login_url)).into_response()
        }
        Some((Err(ConfirmError::Link(error)), page)) => {
            failed_link(&shared, client, page.language, error, &token).await
        }
        Some((Err(ConfirmError::Store(error)), page)) => {
            tracing::error!("confirming a link failed: {error}");
            unavailable(page.language)
        }
        None => unavailable(language_of(&shared)),
    }
}

/// *Send me a new link*: the same page whatever happened (nothing tells
/// whether an account exists); at most one new email per user per 10 minutes.
async fn new_link(State(shared): State<Arc<Shared>>, UrlPath(token): UrlPath<String>) -> Response {
    match in_register(&shared, move |session| {
        app::request_new_link(session, &token)
    })
    .await
    {
        Some((Ok(_), page)) => Html(new_link_page(page.language)).into_response(),
        Some((Err(error), page)) => {
            tracing::error!("a new link could not be queued: {error}");
            unavailable(page.language)
        }
        None => unavailable(language_of(&shared)),
    }
}

/// `GET /relink/{token}`: *Security and login*, changing nothing.
async fn show_relink(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    UrlPath(token): UrlPath<String>,
) -> Response {
    let client = client_of(&shared, peer, &headers);
    let asked = token.clone();
    match in_register(&shared, move |session| {
        app::inspect_invitation(session, &asked)
    })
    .await
    {
        Some((Ok(()), page)) => Html(relink_page(page.language, None, "", "")).into_response(),
        Some((Err(error), page)) => {
            failed_link(&shared, client, page.language, error, &token).await
        }
        None => unavailable(language_of(&shared)),
    }
}

/// The two fields of *Security and login*.
#[derive(serde::Deserialize, Default)]
struct RelinkForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    confirm: String,
}

/// Longest address kept from the form (RFC 5321's limit).
const MAX_ADDRESS_CHARS: usize = 254;

/// `POST /relink/{token}`: the new address, twice. A refused address shows
/// the page again with the reason and what was typed; the invitation stays
/// usable.
async fn relink(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    UrlPath(token): UrlPath<String>,
    form: Result<axum::Form<RelinkForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let client = client_of(&shared, peer, &headers);
    let form = form.map(|f| f.0).unwrap_or_default();
    let typed = |text: &str| text.chars().take(MAX_ADDRESS_CHARS).collect::<String>();
    let (address, confirmation) = (typed(&form.email), typed(&form.confirm));
    let asked = token.clone();
    let (given, repeated) = (address.clone(), confirmation.clone());
    let result = in_register(&shared, move |session| {
        app::relink_by_employee(session, &asked, &given, &repeated)
    })
    .await;
    let Some((outcome, page)) = result else {
        return unavailable(language_of(&shared));
    };
    let refused = |problem| {
        let body = relink_page(page.language, Some(problem), &address, &confirmation);
        (StatusCode::UNPROCESSABLE_ENTITY, Html(body)).into_response()
    };
    match outcome {
        Ok(VerifyOutcome::Queued(email)) => {
            Html(relink_sent_page(page.language, &email.masked())).into_response()
        }
        Ok(VerifyOutcome::ConnectedByDomain(email)) => Html(confirmed_page(
            page.language,
            &email.masked(),
            &page.login_url,
        ))
        .into_response(),
        Err(RelinkError::InvalidAddress) => refused(RelinkProblem::Invalid),
        Err(RelinkError::NotTheSame) => refused(RelinkProblem::NotTheSame),
        Err(RelinkError::Taken) => refused(RelinkProblem::Taken),
        Err(RelinkError::Link(error)) => {
            failed_link(&shared, client, page.language, error, &token).await
        }
        Err(RelinkError::Store(error)) => {
            tracing::error!("a relink could not be saved: {error}");
            unavailable(page.language)
        }
    }
}

#[cfg(test)]
mod forwarded_tests {
    use super::client_address;
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
