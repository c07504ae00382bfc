//! passbind-server: the binding service (admin API, browser binding
//! endpoints, WebAuthn registration verification, storage).

pub mod app;
pub mod ceremony;
pub mod cli;
pub mod config;
pub mod error;
pub mod mail;
pub mod pages;
pub mod routes;
pub mod store;
pub mod util;
pub mod webauthn;

pub use app::{start, AppState, RunningServer};
pub use config::Config;
