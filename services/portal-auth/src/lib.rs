//! portal-auth: passwordless customer login (magic links by email and SMS, typed codes), customer tokens,
//! JWKS, Traefik forwardAuth, logout and staff impersonation. See `docs/portal-auth.md`.

mod admit;
pub mod cli;
pub mod code_key;
pub mod config;
pub mod domain;
mod error;
mod lookup;
pub mod metrics;
mod routes;
pub mod startup;
pub mod store;
mod tokens;
mod worker;

pub use config::Settings;
pub use shared::http::Application;
pub use startup::PortalAuth;
