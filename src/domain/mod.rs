//! Pure types and rules of the register: users, addresses, connections, the
//! form's validation and who is in a selection. No I/O and no egui here.

pub mod account_codes;
pub mod audit;
pub mod authorisation_sheets;
pub mod bulk;
pub mod connection;
pub mod draft;
pub mod email;
pub mod filter;
pub mod idp;
pub mod import;
pub mod listing;
pub mod location;
pub mod message;
pub mod outbox;
pub mod presets;
pub mod register_report;
pub mod roles;
pub mod rules;
mod search_index;
pub mod settings;
pub mod template;
pub mod user;

pub use audit::{AuditAction, AuditEntry};
pub use bulk::{BulkCounts, BulkPlan, plan_bulk};
pub use connection::{ConnectedBy, Connection, ConnectionStatus};
pub use draft::{Field, FieldErrors, UserDraft, ValidDraft, overwritten_fields};
pub use email::{Email, EmailError};
pub use filter::UserFilter;
pub use listing::{Column, Listing, Sort};
pub use location::Location;
pub use outbox::{DeliveryState, MessageKind, OutboxId, OutboxMessage};
pub use rules::{SkipReason, VerifyDecision, verify_decision};
pub use settings::{
    DeliveredBy, MessageTexts, SettingKey, Settings, SmtpSecurity, TransportKind,
    VismaConnectPhase, default_reset, default_verification,
};
pub use template::TemplateColumn;
pub use user::{User, UserId, UserKey, UserRecord, date_text, parse_date};

/// Where the time comes from: the system clock, or a fixed one in tests.
pub type Clock = std::sync::Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>;
