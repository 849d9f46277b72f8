//! Mail: composing the messages, the transports (an outbox folder of `.eml`
//! files, or SMTP sessions over lettre's connection), the SMTP password's keeping, and the
//! outbox worker that delivers queued messages.

mod compose;
pub mod password;
mod smtp;
mod transport;

pub use compose::{ComposeError, compose};
pub use transport::{SendFailure, Session, Transport, TransportError};
