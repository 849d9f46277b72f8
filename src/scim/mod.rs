//! The SCIM 2.0 client (RFC 7644) that the identity provider is spoken to
//! with: finding, making, changing and closing a user's account, reading
//! what the server supports, and listing its users page by page; the
//! bearer token or OAuth 2.0 client credentials, kept in the keyring or the
//! environment, never in the register or a log. Errors keep the server's
//! `detail` and `Retry-After`, and say whether trying again may help.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::domain::idp::{IdpSettings, filter_value};

/// The environment variable read for the bearer token when the keyring has none.
pub const TOKEN_ENV: &str = "HRM_USERS_SCIM_TOKEN";
/// The environment variable read for the OAuth client secret.
pub const CLIENT_SECRET_ENV: &str = "HRM_USERS_SCIM_CLIENT_SECRET";

const SERVICE: &str = "hrm-users";
const SCIM_JSON: &str = "application/scim+json";

/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request did not do what was asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.words())]
pub struct ScimError {
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// The server's `detail` (or the client's words when there was no answer).
    pub detail: String,
    /// The server asked to wait this long (`Retry-After`).
    pub retry_after: Option<Duration>,
    /// The request may have reached the server before the answer was lost
    /// (a time-out or a reset after sending): what it did must be looked up.
    pub answer_lost: bool,
}

impl ScimError {
    fn transport(error: &ureq::Error) -> Self {
        let answer_lost = matches!(
            error,
            ureq::Error::Timeout(_) | ureq::Error::Io(_) | ureq::Error::Protocol(_)
        );
        Self {
            status: None,
            detail: error.to_string(),
            retry_after: None,
            answer_lost,
        }
    }

    /// True when trying again later may succeed: no answer, or the server
    /// was busy, down or asked to wait (408, 429, 5xx).
    pub fn is_transient(&self) -> bool {
        match self.status {
            None => true,
            Some(status) => status == 408 || status == 429 || status >= 500,
        }
    }

    /// True for a 409: the account (its `userName` or `externalId`) exists.
    pub fn is_conflict(&self) -> bool {
        self.status == Some(409)
    }

    /// The sentence shown in the form and History: the status and the
    /// server's own words.
    pub fn words(&self) -> String {
        match self.status {
            Some(status) => format!("{status}: {}", self.detail),
            None => self.detail.clone(),
        }
    }
}

/// How the client proves itself.
enum Credentials {
    /// A static bearer token (Visma Connect's generated token).
    Bearer(String),
    /// OAuth 2.0 client credentials (Entra ID, Keycloak): a token fetched
    /// from `token_url` and kept until shortly before it expires.
    ClientCredentials {
        token_url: String,
        client_id: String,
        secret: String,
        cached: Mutex<Option<(String, Instant)>>,
    },
}

/// A SCIM 2.0 server's `/Users`, for one register's settings.
pub struct ScimClient {
    base: String,
    credentials: Credentials,
    agent: ureq::Agent,
}

/// What a server says it supports (`/ServiceProviderConfig`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
// One flag per feature the configuration announces.
#[allow(clippy::struct_excessive_bools)]
pub struct ServerFeatures {
    /// PATCH.
    pub patch: bool,
    /// Filters (`userName eq "…"`).
    pub filter: bool,
    /// `/Bulk`, with its most operations per request.
    pub bulk: Option<u64>,
    /// `ETag`s.
    pub etag: bool,
    /// The User schema is served (`/Schemas`).
    pub user_schema: bool,
}

/// Why no client could be made from the settings.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScimSetupError {
    /// Provisioning is off, or no endpoint is set.
    #[error("{}", t!("scim-off"))]
    Off,
    /// Neither the keyring nor the environment holds a token.
    #[error("{}", t!("scim-no-token", variable = TOKEN_ENV))]
    NoToken,
    /// Client credentials without a secret.
    #[error("{}", t!("scim-no-secret", variable = CLIENT_SECRET_ENV))]
    NoSecret,
}

fn keyring_entry(kind: &str, base: &str) -> Result<keyring::Entry, keyring::Error> {
    keyring::Entry::new(SERVICE, &format!("{kind}:{base}"))
}

/// A secret: the environment variable's when set, else the keyring's.
fn secret(variable: &str, kind: &str, base: &str) -> Option<String> {
    if let Some(value) = std::env::var(variable)
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        return Some(value.trim().to_owned());
    }
    match keyring_entry(kind, base).and_then(|e| e.get_password()) {
        Ok(value) if !value.is_empty() => Some(value),
        Ok(_) => None,
        Err(error) => {
            tracing::debug!("no SCIM {kind} in the keyring ({error})");
            None
        }
    }
}

/// Stores the bearer token (or, with client credentials, the client
/// secret) for the endpoint `base` in the OS keyring.
pub fn store_secret(settings: &IdpSettings, value: &str) -> Result<(), String> {
    let kind = if settings.scim_token_url.trim().is_empty() {
        "scim-token"
    } else {
        "scim-secret"
    };
    keyring_entry(kind, settings.scim_base_url.trim())
        .and_then(|e| e.set_password(value))
        .map_err(|e| e.to_string())
}

impl ScimClient {
    /// The client for these settings, with the token or client secret from
    /// the environment or the keyring.
    pub fn from_settings(settings: &IdpSettings) -> Result<Self, ScimSetupError> {
        if !settings.is_on() {
            return Err(ScimSetupError::Off);
        }
        let base = settings
            .scim_base_url
            .trim()
            .trim_end_matches('/')
            .to_owned();
        let credentials = if settings.scim_token_url.trim().is_empty() {
            Credentials::Bearer(
                secret(TOKEN_ENV, "scim-token", &base).ok_or(ScimSetupError::NoToken)?,
            )
        } else {
            Credentials::ClientCredentials {
                token_url: settings.scim_token_url.trim().to_owned(),
                client_id: settings.scim_client_id.trim().to_owned(),
                secret: secret(CLIENT_SECRET_ENV, "scim-secret", &base)
                    .ok_or(ScimSetupError::NoSecret)?,
                cached: Mutex::new(None),
            }
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(REQUEST_TIMEOUT))
            .max_idle_connections_per_host(64)
            .build()
            .into();
        Ok(Self {
            base,
            credentials,
            agent,
        })
    }

    /// The endpoint, for messages.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn authorization(&self) -> Result<String, ScimError> {
        match &self.credentials {
            Credentials::Bearer(token) => Ok(format!("Bearer {token}")),
            Credentials::ClientCredentials {
                token_url,
                client_id,
                secret,
                cached,
            } => {
                let mut cached = cached
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Some((token, until)) = cached.as_ref()
                    && Instant::now() < *until
                {
                    return Ok(format!("Bearer {token}"));
                }
                let (token, lifetime) = self.fetch_token(token_url, client_id, secret)?;
                // Renewed a minute before it runs out.
                let until = Instant::now() + lifetime.saturating_sub(Duration::from_mins(1));
                *cached = Some((token.clone(), until));
                Ok(format!("Bearer {token}"))
            }
        }
    }

    /// OAuth 2.0 client credentials grant (RFC 6749 §4.4).
    fn fetch_token(
        &self,
        token_url: &str,
        client_id: &str,
        secret: &str,
    ) -> Result<(String, Duration), ScimError> {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ];
        let mut response = self
            .agent
            .post(token_url)
            .send_form(form)
            .map_err(|e| ScimError::transport(&e))?;
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        if status != 200 {
            let detail = json
                .get("error_description")
                .or_else(|| json.get("error"))
                .and_then(Value::as_str)
                .unwrap_or("the token endpoint refused the client credentials");
            return Err(ScimError {
                status: Some(status),
                detail: detail.to_owned(),
                retry_after: None,
                answer_lost: false,
            });
        }
        let token = json
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or_else(|| bad_answer("the token endpoint's answer has no access_token"))?;
        let lifetime = json
            .get("expires_in")
            .and_then(Value::as_u64)
            .map_or(Duration::from_mins(5), Duration::from_secs);
        Ok((token.to_owned(), lifetime))
    }

    /// Sends a request and reads its answer: the status and the JSON body
    /// (`Null` when empty). An error status becomes a [`ScimError`] with the
    /// server's `detail`, unless `accept` lets it through.
    fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        accept: &[u16],
    ) -> Result<(u16, Value), ScimError> {
        let url = format!("{}{path}", self.base);
        let authorization = self.authorization()?;
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .header("Authorization", authorization)
            .header("Accept", SCIM_JSON);
        let result = if let Some(body) = body {
            let request = request
                .header("Content-Type", SCIM_JSON)
                .body(body.to_string())
                .map_err(|e| bad_answer(&e.to_string()))?;
            self.agent.run(request)
        } else {
            let request = request.body(()).map_err(|e| bad_answer(&e.to_string()))?;
            self.agent.run(request)
        };
        let mut response = result.map_err(|e| ScimError::transport(&e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("Retry-After")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = response
            .body_mut()
            .with_config()
            .limit(16 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| ScimError {
                answer_lost: true,
                ..ScimError::transport(&e)
            })?;
        let json: Value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::Null)
        };
        if (200..300).contains(&status) || accept.contains(&status) {
            return Ok((status, json));
        }
        let detail = json
            .get("detail")
            .and_then(Value::as_str)
            .map_or_else(|| short(&text), str::to_owned);
        Err(ScimError {
            status: Some(status),
            detail,
            retry_after,
            answer_lost: false,
        })
    }

    /// What the server supports: `/ServiceProviderConfig`, then whether
    /// `/Schemas` serves the User schema.
    pub fn features(&self) -> Result<ServerFeatures, ScimError> {
        let (_, config) = self.call("GET", "/ServiceProviderConfig", None, &[])?;
        let supported = |name: &str| {
            config
                .pointer(&format!("/{name}/supported"))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        let bulk = supported("bulk").then(|| {
            config
                .pointer("/bulk/maxOperations")
                .and_then(Value::as_u64)
                .unwrap_or(0)
        });
        let user_schema = match self.call("GET", "/Schemas", None, &[]) {
            Ok((_, schemas)) => schemas
                .to_string()
                .contains("urn:ietf:params:scim:schemas:core:2.0:User"),
            Err(error) if error.status == Some(404) => false,
            Err(error) => return Err(error),
        };
        Ok(ServerFeatures {
            patch: supported("patch"),
            filter: supported("filter"),
            bulk,
            etag: supported("etag"),
            user_schema,
        })
    }

    /// The first user whose `attribute` equals `value` (`externalId`,
    /// `userName`), if any.
    pub fn find(&self, attribute: &str, value: &str) -> Result<Option<Value>, ScimError> {
        let filter = format!("{attribute} eq \"{}\"", filter_value(value));
        let path = format!("/Users?filter={}", encode(&filter));
        let (_, list) = self.call("GET", &path, None, &[])?;
        Ok(list
            .get("Resources")
            .and_then(Value::as_array)
            .and_then(|all| all.first().cloned()))
    }

    /// The user with the provider's `id`; `None` when it is gone (404).
    pub fn get(&self, id: &str) -> Result<Option<Value>, ScimError> {
        let (status, user) = self.call("GET", &format!("/Users/{}", encode(id)), None, &[404])?;
        Ok((status != 404).then_some(user))
    }

    /// Makes a user; the resource as the server made it.
    pub fn create(&self, resource: &Value) -> Result<Value, ScimError> {
        self.call("POST", "/Users", Some(resource), &[])
            .map(|(_, made)| made)
    }

    /// Changes a user by PATCH; `false` when it is gone (404).
    pub fn patch(&self, id: &str, operations: &Value) -> Result<bool, ScimError> {
        let path = format!("/Users/{}", encode(id));
        let (status, _) = self.call("PATCH", &path, Some(operations), &[404])?;
        Ok(status != 404)
    }

    /// Deletes a user; a user already gone (404) counts as deleted.
    pub fn delete(&self, id: &str) -> Result<(), ScimError> {
        self.call("DELETE", &format!("/Users/{}", encode(id)), None, &[404])
            .map(|_| ())
    }

    /// One page of the server's users (1-based `start`), and how many there
    /// are in all.
    pub fn page(&self, start: usize, count: usize) -> Result<(Vec<Value>, usize), ScimError> {
        let path = format!("/Users?startIndex={start}&count={count}");
        let (_, list) = self.call("GET", &path, None, &[])?;
        let total = list
            .get("totalResults")
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0);
        let users = list
            .get("Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Ok((users, total))
    }

    /// Every user of the server, page by page.
    pub fn all_users(&self) -> Result<Vec<Value>, ScimError> {
        const PAGE: usize = 500;
        let mut users = Vec::new();
        loop {
            let (page, total) = self.page(users.len() + 1, PAGE)?;
            let empty = page.is_empty();
            users.extend(page);
            if empty || users.len() >= total {
                return Ok(users);
            }
        }
    }
}

/// The provider's id of a resource.
pub fn id_of(resource: &Value) -> Option<String> {
    resource
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn bad_answer(detail: &str) -> ScimError {
    ScimError {
        status: None,
        detail: detail.to_owned(),
        retry_after: None,
        answer_lost: false,
    }
}

/// At most 300 characters of a body, for an error without a `detail`.
fn short(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None if text.is_empty() => "no explanation".to_owned(),
        None => text.to_owned(),
    }
}

/// Percent-encodes a query value or path segment.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_is_encoded_whole() {
        assert_eq!(
            encode(r#"userName eq "a b@x.se""#),
            "userName%20eq%20%22a%20b%40x.se%22"
        );
    }

    #[test]
    fn which_errors_are_worth_trying_again() {
        let status = |code| ScimError {
            status: Some(code),
            detail: String::new(),
            retry_after: None,
            answer_lost: false,
        };
        assert!(status(503).is_transient());
        assert!(status(429).is_transient());
        assert!(!status(400).is_transient());
        assert!(!status(401).is_transient());
        assert!(status(409).is_conflict());
        assert_eq!(status(400).words(), "400: ");
    }
}
