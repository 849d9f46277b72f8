//! Mail: composing the messages, the transports (an outbox folder of `.eml`
//! files, or SMTP through lettre), the SMTP password's keeping, and the
//! outbox worker that delivers queued messages.

mod compose;
pub mod password;
mod transport;

pub use compose::{ComposeError, compose};
pub use transport::{SendFailure, Transport, TransportError, outbox_folder};
