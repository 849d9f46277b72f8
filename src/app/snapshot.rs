//! The JSON an audit row keeps of a user before and after a change.

use serde_json::json;

use crate::domain::{ConnectedBy, Connection, User};

/// A user's fields and connection as JSON text.
pub fn snapshot(user: &User, connection: &Connection) -> String {
    let connection = match connection {
        Connection::None => json!({ "state": "none" }),
        Connection::Unverified {
            email, sent_count, ..
        } => json!({ "state": "pending", "email": email.as_str(), "sent_count": sent_count }),
        Connection::Connected { email, since, by } => json!({
            "state": "connected",
            "email": email.as_str(),
            "since": since.to_string(),
            "by": match by { ConnectedBy::Link => "link", ConnectedBy::VerifiedDomain => "verified_domain" },
        }),
    };
    json!({
        "user_id": user.user_id.as_str(),
        "activated": user.activated,
        "alias_user_id": user.alias_user_id,
        "signature": user.signature,
        "card_tag_id": user.card_tag_id,
        "external_reference": user.external_reference,
        "email": user.email.as_ref().map(crate::domain::Email::as_str),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "department": user.department,
        "office": user.office,
        "visma_connect": connection,
    })
    .to_string()
}
