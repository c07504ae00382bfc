//! passbind-server: the binding service (admin API, browser binding
//! endpoints, WebAuthn registration verification, storage).

pub mod admin_auth;
pub mod app;
pub mod branding;
pub mod ceremony;
pub mod cli;
pub mod config;
pub mod error;
pub mod extract;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod mail;
pub mod metadata;
pub mod middleware;
pub mod openapi;
pub mod pages;
pub mod paging;
pub mod routes;
pub mod serve;
pub mod session;
pub mod startup;
pub mod state;
pub mod store;
pub mod trust;
pub mod util;
pub mod webhooks;

pub use config::Config;
pub use startup::{start, RunningServer};
pub use state::AppState;
