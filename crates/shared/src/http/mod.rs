//! HTTP building blocks shared by every service: problem+json errors, extractor configuration,
//! the client address behind trusted proxies, who is staff, the health, readiness, metrics and OpenAPI routes, and
//! the server itself with its graceful stop.

mod client_ip;
mod health;
mod metrics;
mod problem;
mod server;
mod staff;

pub use client_ip::{ClientIp, IpRange, TrustedProxies, client_ip};
pub use health::{
    Probe, Readiness, configure_base, configure_health, openapi_route, security_headers,
};
pub use metrics::{Metrics, resident_memory_bytes};
pub use problem::{Problem, json_config, not_found, path_config, query_config};
pub use server::{Serving, Shutdown, serve, shutdown_signal};
pub use staff::{NotStaff, Staff, StaffGate, groups_or, impersonation_groups};
