//! HRM Users: the register of HRM users and their connection to Visma Connect.
//!
//! The library holds everything testable; `main.rs` only starts it. Parts, as
//! `DESIGN.md` draws them: faces (`ui`, `cli`) call use cases (`app`), which
//! use adapters (`store`), which all speak the pure types of `domain`.

#[macro_use]
pub mod i18n;
pub mod app;
pub mod cli;
pub mod domain;
pub mod mail;
pub mod scim;
pub mod sheet;
pub mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod ui;
pub mod web;
