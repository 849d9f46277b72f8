//! The JSON an audit row keeps of a user before and after a change.

use serde::Serialize;

use crate::domain::{ConnectedBy, Connection, Email, User};

/// A user's fields as the audit log writes them (borrowed: nothing is copied).
#[derive(Serialize)]
struct UserSnapshot<'a> {
    user_id: &'a str,
    activated: bool,
    alias_user_id: &'a str,
    signature: &'a str,
    card_tag_id: &'a str,
    external_reference: &'a str,
    email: Option<&'a str>,
    first_name: &'a str,
    last_name: &'a str,
    department: &'a str,
    office: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    employment_ends: Option<String>,
    visma_connect: ConnectionSnapshot<'a>,
}

/// The Visma Connect connection as the audit log writes it.
#[derive(Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
enum ConnectionSnapshot<'a> {
    None,
    Pending {
        email: &'a str,
        sent_count: u32,
    },
    Connected {
        email: &'a str,
        since: String,
        by: &'static str,
    },
}

/// A user's fields and connection as JSON text.
pub fn snapshot(user: &User, connection: &Connection) -> String {
    let visma_connect = match connection {
        Connection::None => ConnectionSnapshot::None,
        Connection::Unverified {
            email, sent_count, ..
        } => ConnectionSnapshot::Pending {
            email: email.as_str(),
            sent_count: *sent_count,
        },
        Connection::Connected { email, since, by } => ConnectionSnapshot::Connected {
            email: email.as_str(),
            since: since.to_string(),
            by: match by {
                ConnectedBy::Link => "link",
                ConnectedBy::VerifiedDomain => "verified_domain",
            },
        },
    };
    let snapshot = UserSnapshot {
        user_id: user.user_id.as_str(),
        activated: user.activated,
        alias_user_id: &user.alias_user_id,
        signature: &user.signature,
        card_tag_id: &user.card_tag_id,
        external_reference: &user.external_reference,
        email: user.email.as_ref().map(Email::as_str),
        first_name: &user.first_name,
        last_name: &user.last_name,
        department: &user.department,
        office: &user.office,
        employment_ends: user
            .employment_ends
            .map(|d| crate::domain::date_text(Some(d))),
        visma_connect,
    };
    // Serializing strings, a bool and integers into a String cannot fail.
    serde_json::to_string(&snapshot).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::user::test_record;

    #[test]
    fn a_snapshot_names_every_field_and_the_connection_state() {
        let mut record = test_record(1, "14");
        "Berg".clone_into(&mut record.user.last_name);
        record.connection = Connection::Unverified {
            email: Email::parse("anna@example.com").unwrap(),
            sent_count: 2,
            last_sent_at: None,
        };
        let json: serde_json::Value =
            serde_json::from_str(&snapshot(&record.user, &record.connection)).unwrap();
        assert_eq!(json["user_id"], "14");
        assert_eq!(json["last_name"], "Berg");
        assert_eq!(json["visma_connect"]["state"], "pending");
        assert_eq!(json["visma_connect"]["email"], "anna@example.com");
        assert_eq!(json["visma_connect"]["sent_count"], 2);
        let none: serde_json::Value =
            serde_json::from_str(&snapshot(&record.user, &Connection::None)).unwrap();
        assert_eq!(
            none["visma_connect"],
            serde_json::json!({ "state": "none" })
        );
    }
}
