//! The HTTP face: the endpoint employees' links open (its pages and its
//! server). Like `ui/` and `cli/`, it calls the use cases in `app/`; nothing
//! imports it but the program's entry point, which hands
//! [`start_listening`] to the services (`app::services`) the window and
//! `serve` run.

mod pages;
mod server;

pub use server::{Endpoint, EndpointError, client_address, start_endpoint, start_listening};
