//! One server span per HTTP request, when traces are exported: named after the method and the route
//! pattern (`POST /portal/request-link`, `GET /portal/l/{code}`), never the raw path, which may carry
//! ids or tokens, nor the query; a child of the caller's span when the request has a `traceparent`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use tracing::Instrument as _;

use crate::telemetry;

/// Middleware (use with `actix_web::middleware::from_fn`, outermost) opening the request's server
/// span; does nothing when traces are not exported ([`telemetry::exporting`]), and [`super::serve`]
/// does not even mount it then.
pub async fn trace_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !telemetry::exporting() {
        return next.call(req).await;
    }
    let method = req.method().as_str().to_owned();
    // Resolved against the routes before routing: the pattern, with its `{placeholders}`.
    let route = req.match_pattern();
    let name = match &route {
        Some(route) => format!("{method} {route}"),
        None => method.clone(),
    };
    let span = tracing::info_span!(
        parent: None,
        "HTTP request",
        otel.name = %name,
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        http.request.method = %method,
        http.route = route,
        http.response.status_code = tracing::field::Empty,
        trace_id = tracing::field::Empty,
    );
    let traceparent = req
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok());
    telemetry::continue_trace(&span, traceparent);
    let res = next.call(req).instrument(span.clone()).await;
    let status = match &res {
        Ok(res) => res.status(),
        Err(e) => e.as_response_error().status_code(),
    };
    span.record("http.response.status_code", status.as_u16());
    if status.is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
    res
}
