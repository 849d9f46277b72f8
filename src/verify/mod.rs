//! Verification links: the tokens and the HTTP endpoint employees open.

mod pages;
mod server;
pub mod token;

pub use server::{Endpoint, EndpointError, start_endpoint};
