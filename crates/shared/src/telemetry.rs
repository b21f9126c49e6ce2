//! Logging and tracing: JSON logs on stdout filtered by `RUST_LOG`, and OTLP/HTTP trace export when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
//!
//! A trace crosses processes as a W3C `traceparent`: the HTTP header of a request, a column of a
//! queued job, the envelope of an event. [`continue_trace`] makes a span the child of one,
//! [`traceparent`] gives a span's own. The spans that start work (a request, a job, a delivery)
//! declare a `trace_id` field that [`continue_trace`] fills, so the JSON log lines written inside
//! them carry the trace id too.

use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry::propagation::{Extractor, TextMapPropagator as _};
use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry};

/// Keeps the trace exporter alive; flushes pending spans when dropped.
pub struct TelemetryGuard(Option<SdkTracerProvider>);

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.0.take() {
            let _ = provider.shutdown();
        }
    }
}

/// Installs the global subscriber for `service`. Call once, first thing in `main`.
pub fn init(service: &'static str) -> anyhow::Result<TelemetryGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(false)
        .with_target(true);
    let provider = match std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT") {
        Ok(endpoint) if !endpoint.is_empty() => Some(otlp_provider(service)?),
        _ => None,
    };
    let otel = provider
        .as_ref()
        .map(|p| tracing_opentelemetry::layer().with_tracer(p.tracer(service)));
    Registry::default()
        .with(filter)
        .with(json)
        .with(otel)
        .try_init()?;
    EXPORTING.store(provider.is_some(), Ordering::Relaxed);
    Ok(TelemetryGuard(provider))
}

/// Set by [`init`] when spans are exported. Process-wide like the subscriber it describes.
static EXPORTING: AtomicBool = AtomicBool::new(false);

/// Whether spans are exported (`OTEL_EXPORTER_OTLP_ENDPOINT` was set at [`init`]). Spans made only
/// for traces (one per HTTP request) are skipped when not, so the request path pays nothing for them.
pub fn exporting() -> bool {
    EXPORTING.load(Ordering::Relaxed)
}

/// Makes `span` a child of the span `traceparent` (W3C) names, and records the trace id in the
/// span's `trace_id` field when it declares one (`trace_id = tracing::field::Empty`). Call it before
/// the span is first entered. Without a valid `traceparent` the span starts a trace of its own;
/// without an OpenTelemetry layer nothing happens.
pub fn continue_trace(span: &tracing::Span, traceparent: Option<&str>) {
    if let Some(parent) = traceparent.map(parse_traceparent)
        && parent.span().span_context().is_valid()
    {
        // An error means no OpenTelemetry layer (nothing to parent) or a span already started.
        let _ = span.set_parent(parent);
    }
    let context = span.context();
    let span_context = context.span().span_context().clone();
    if span_context.is_valid() {
        span.record("trace_id", span_context.trace_id().to_string());
    }
}

/// The W3C `traceparent` of `span`, when an OpenTelemetry layer is installed and the span is
/// sampled into a valid trace.
pub fn traceparent(span: &tracing::Span) -> Option<String> {
    let context = span.context();
    let otel_span = context.span();
    let span_context = otel_span.span_context();
    span_context.is_valid().then(|| {
        format!(
            "00-{}-{}-{:02x}",
            span_context.trace_id(),
            span_context.span_id(),
            span_context.trace_flags().to_u8()
        )
    })
}

/// The remote context a W3C `traceparent` names (an empty context when it is malformed).
fn parse_traceparent(traceparent: &str) -> opentelemetry::Context {
    struct One<'a>(&'a str);
    impl Extractor for One<'_> {
        fn get(&self, key: &str) -> Option<&str> {
            (key == "traceparent").then_some(self.0)
        }
        fn keys(&self) -> Vec<&str> {
            vec!["traceparent"]
        }
    }
    TraceContextPropagator::new().extract(&One(traceparent))
}

fn otlp_provider(service: &'static str) -> anyhow::Result<SdkTracerProvider> {
    // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT itself and appends /v1/traces.
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()?;
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(service)
        .build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}

/// Installs a plain test subscriber when `TEST_LOG` is set (zero2prod style); silent otherwise.
pub fn init_for_tests() {
    if std::env::var("TEST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::new("debug,sqlx=warn,h2=warn,hyper=warn"))
            .with_test_writer()
            .try_init();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Runs `f` under a subscriber with an OpenTelemetry layer (spans sampled, exported nowhere).
    fn with_otel<T>(f: impl FnOnce() -> T) -> T {
        let provider = SdkTracerProvider::builder().build();
        let subscriber = Registry::default()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::with_default(subscriber, f)
    }

    const PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn a_span_continuing_a_traceparent_is_in_its_trace_with_an_id_of_its_own() {
        let own = with_otel(|| {
            let span = tracing::info_span!(parent: None, "job");
            continue_trace(&span, Some(PARENT));
            traceparent(&span).unwrap()
        });
        let parts: Vec<&str> = own.split('-').collect();
        assert_eq!(parts[0], "00");
        assert_eq!(parts[1], "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_ne!(parts[2], "00f067aa0ba902b7");
        assert_eq!(parts[2].len(), 16);
        assert_eq!(parts[3], "01");
    }

    #[test]
    fn a_malformed_or_missing_traceparent_starts_a_trace_of_its_own() {
        for given in [None, Some("00-zz-00f067aa0ba902b7-01"), Some("garbage")] {
            let own = with_otel(|| {
                let span = tracing::info_span!(parent: None, "job");
                continue_trace(&span, given);
                traceparent(&span).unwrap()
            });
            assert!(!own.contains("4bf92f3577b34da6a3ce929d0e0e4736"), "{own}");
        }
    }

    #[test]
    fn children_inherit_the_trace_of_their_parent() {
        let (parent, child) = with_otel(|| {
            let span = tracing::info_span!(parent: None, "request");
            continue_trace(&span, Some(PARENT));
            let child = span.in_scope(|| tracing::info_span!("handler"));
            (traceparent(&span).unwrap(), traceparent(&child).unwrap())
        });
        assert_eq!(parent[..35], child[..35]);
        assert_ne!(parent, child);
    }

    #[test]
    fn without_an_opentelemetry_layer_there_is_no_traceparent() {
        let span = tracing::info_span!("job");
        continue_trace(&span, Some(PARENT));
        assert_eq!(traceparent(&span), None);
    }
}
