//! The endpoint's routes and their handlers: `/verify/`, `/relink/` and
//! `/health`, each running its use case off the async threads, with the
//! security headers every answer carries.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::{self, ConfirmError, LinkError, RelinkError, Session, VerifyOutcome};
use crate::i18n::Language;
use crate::web::pages::{
    RelinkProblem, confirm_page, confirmed_page, new_link_page, problem_page,
    problem_page_with_new_link, relink_page, relink_sent_page,
};

use super::{Shared, client_of, record_failure_and_wait};

pub(super) fn router(shared: Arc<Shared>) -> Router {
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
pub(super) async fn health(State(shared): State<Arc<Shared>>) -> Response {
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
pub(super) async fn security_headers(mut response: Response) -> Response {
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

/// Why a link does not work; an expired or replaced one (`token` given)
/// offers *Send me a new link*.
pub(super) fn link_problem(language: Language, error: LinkError, token: &str) -> Response {
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

pub(super) fn unavailable(language: Language) -> Response {
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
pub(super) fn language_of(shared: &Shared) -> Language {
    shared
        .language
        .lock()
        .map_or(Language::Swedish, |language| *language)
}

/// Runs a use case on the register off the async threads.
pub(super) async fn with_session<T: Send + 'static>(
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
pub(super) struct PageSettings {
    /// The register's message language.
    pub(super) language: Language,
    /// The Visma Connect login page the confirmed page points to.
    pub(super) login_url: String,
}

/// Runs a use case on the register off the async threads, then reads the
/// page settings (one query; the language is kept for the pages that cannot
/// read the register).
pub(super) async fn in_register<T: Send + 'static>(
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
pub(super) async fn failed_link(
    shared: &Shared,
    client: IpAddr,
    language: Language,
    error: LinkError,
    token: &str,
) -> Response {
    record_failure_and_wait(shared, client).await;
    link_problem(language, error, token)
}

pub(super) async fn show(
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

pub(super) async fn confirm(
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
pub(super) async fn new_link(
    State(shared): State<Arc<Shared>>,
    UrlPath(token): UrlPath<String>,
) -> Response {
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
pub(super) async fn show_relink(
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
pub(super) struct RelinkForm {
    #[serde(default)]
    pub(super) email: String,
    #[serde(default)]
    pub(super) confirm: String,
}

/// Longest address kept from the form (RFC 5321's limit).
pub(super) const MAX_ADDRESS_CHARS: usize = 254;

/// `POST /relink/{token}`: the new address, twice. A refused address shows
/// the page again with the reason and what was typed; the invitation stays
/// usable.
pub(super) async fn relink(
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
