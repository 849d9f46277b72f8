//! `idp sync` of 10,000 connected users into an empty `scim2-server` on
//! loopback (the initial load), beside a plain HTTP client of the
//! benchmark's own that POSTs the same 10,000 users with the same
//! concurrency to another empty server of the same kind, in one run. The
//! ratio of the two rates is the headline (goal: at least 0.5).
//!
//! `cargo bench --bench idp_sync` (installs scim2-server into
//! `target/scim-venv` when missing; `IDP_USERS` sets the count).

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss
)]
// The token reaches the library through the environment, set before any
// thread starts.
#![allow(unsafe_code)]

#[path = "../tests/support/scim.rs"]
#[allow(dead_code)]
mod scim;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use hrm_users::app::{Session, save_settings};
use hrm_users::domain::{ConnectedBy, Connection, Email, SettingKey, User, UserId};
use hrm_users::store::{Location, Store};

const THREADS: usize = 8;

fn connected_users(count: usize) -> Vec<(User, Connection)> {
    (0..count)
        .map(|n| {
            (
                User {
                    activated: true,
                    user_id: UserId::parse(&(n + 1).to_string()).unwrap(),
                    alias_user_id: String::new(),
                    signature: String::new(),
                    card_tag_id: String::new(),
                    external_reference: String::new(),
                    email: None,
                    first_name: "Test".into(),
                    last_name: format!("User {n}"),
                    department: "Bench".into(),
                    office: "Loopback".into(),
                    employment_ends: None,
                },
                Connection::Connected {
                    email: Email::parse(&format!("user{n}@example.org")).unwrap(),
                    since: jiff::Timestamp::UNIX_EPOCH,
                    by: ConnectedBy::VerifiedDomain,
                },
            )
        })
        .collect()
}

/// The plain client: `THREADS` threads POST the users' resources.
fn plain_client(base: &str, users: &[(User, Connection)]) -> f64 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                loop {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    let Some((user, Connection::Connected { email, .. })) = users.get(n) else {
                        break;
                    };
                    let body = serde_json::json!({
                        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                        "userName": email.as_str(),
                        "externalId": user.user_id.as_str(),
                        "name": { "givenName": user.first_name, "familyName": user.last_name },
                        "emails": [{ "value": email.as_str(), "type": "work", "primary": true }],
                        "active": true,
                    });
                    let request = ureq::http::Request::builder()
                        .method("POST")
                        .uri(format!("{base}/Users"))
                        .header("Authorization", format!("Bearer {}", scim::TOKEN))
                        .header("Content-Type", "application/scim+json")
                        .body(body.to_string())
                        .unwrap();
                    let status = agent.run(request).unwrap().status().as_u16();
                    assert_eq!(status, 201);
                }
            });
        }
    });
    users.len() as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let count: usize = std::env::var("IDP_USERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    // SAFETY: no other thread runs yet.
    unsafe { std::env::set_var(hrm_users::scim::TOKEN_ENV, scim::TOKEN) };
    let users = connected_users(count);

    let plain_server = scim::ScimServer::start();
    let plain = plain_client(&plain_server.direct_base_url(), &users);
    assert_eq!(plain_server.users().len(), count);
    drop(plain_server);

    let server = scim::ScimServer::start();
    let dir = tempfile::tempdir().unwrap();
    let location = Location::File(dir.path().join("register.db"));
    let mut session = Session::new(Store::open(&location).unwrap());
    session
        .store_for_tests()
        .write(|tx| tx.insert_many(&users, 0).map(|_| ()))
        .unwrap();
    let mut settings = session.load_settings().unwrap();
    settings.set(SettingKey::IdpProvisioning, "scim").unwrap();
    settings
        .set(SettingKey::ScimBaseUrl, &server.direct_base_url())
        .unwrap();
    save_settings(&mut session, &settings).unwrap();
    let started = Instant::now();
    let report = hrm_users::app::idp::sync(&mut session, false, THREADS).unwrap();
    let took = started.elapsed();
    let ours = count as f64 / took.as_secs_f64();
    let failed = report
        .lines
        .iter()
        .filter(|l| matches!(l.result, Some(Err(_))))
        .count();
    assert_eq!(failed, 0);
    assert_eq!(report.lines.len(), count);
    assert_eq!(server.users().len(), count);
    println!(
        "idp sync of {count} connected users into an empty scim2-server, {THREADS} requests at once:"
    );
    println!("  plain HTTP client (POST only):  {plain:>8.0} users/s");
    println!(
        "  hrm-users idp sync:             {ours:>8.0} users/s ({:.2} s, recorded in the register)",
        took.as_secs_f64()
    );
    println!("  ratio: {:.2} (goal >= 0.5)", ours / plain);
}
