//! HTTP building blocks shared by every service: problem+json errors, extractor configuration,
//! the client address behind trusted proxies, and the health, readiness, metrics and OpenAPI routes.

mod client_ip;
mod health;
mod metrics;
mod problem;

pub use client_ip::{ClientIp, TrustedProxies, client_ip};
pub use health::{
    Probe, Readiness, configure_base, configure_health, openapi_route, security_headers, serve,
};
pub use metrics::{Metrics, resident_memory_bytes};
pub use problem::{Problem, json_config, not_found, path_config, query_config};
