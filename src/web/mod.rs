//! The HTTP face: the endpoint employees' links open (its pages and its
//! server), and the services a window or `serve` runs beside it (the
//! endpoint and the outbox worker). Like `ui/` and `cli/`, it calls the use
//! cases in `app/`; nothing below it imports it.

mod pages;
mod server;
mod services;

pub use server::{Endpoint, EndpointError, client_address, start_endpoint};
pub use services::{Runner, Services};
