//! HTTP building blocks shared by every service: problem+json errors, extractor configuration,
//! the client address behind trusted proxies, who is staff, the health, readiness, metrics and
//! OpenAPI routes, a server span per request, the server itself with its graceful stop, and the
//! application that serves one service or all.

mod application;
mod client_ip;
mod health;
mod openapi;
mod problem;
mod server;
mod staff;
mod trace;

pub use crate::metrics::{Metrics, resident_memory_bytes};
pub use application::{Application, DbProbe, ServerSettings, Service, ServiceSettings};
pub use client_ip::{ClientIp, IpRange, TrustedProxies, client_ip, limit_group};
pub use health::{
    CONTENT_SECURITY_POLICY, Probe, REFERRER_POLICY, Readiness, configure_base, configure_health,
    openapi_route, security_headers,
};
pub use openapi::{JsonBodyProblems, PROBLEM_JSON, problem_response};
pub use problem::{
    Problem, bare_errors_as_problems, json_config, not_found, path_config, query_config,
};
pub use server::{Serving, Shutdown, serve, shutdown_signal};
pub use staff::{NotStaff, Staff, StaffGate, groups_or, impersonation_groups};
pub use trace::trace_requests;
