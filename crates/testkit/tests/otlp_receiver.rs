//! The OTLP receiver against the real OpenTelemetry SDK and its OTLP/HTTP exporter, as the services
//! export their spans.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::trace::{SpanKind, TraceContextExt as _, Tracer as _, TracerProvider as _};
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use testkit::OtlpReceiver;

#[tokio::test(flavor = "multi_thread")]
async fn spans_exported_by_the_sdk_arrive_with_their_service_ids_parent_and_attributes() {
    let otlp = OtlpReceiver::start().await;
    let endpoint = format!("{}/v1/traces", otlp.endpoint());
    // The SDK's blocking HTTP client and flush run off the runtime, as in a service's batch thread.
    let (trace_id, parent_id) = tokio::task::spawn_blocking(move || {
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(endpoint)
            .with_timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(
                opentelemetry_sdk::Resource::builder()
                    .with_service_name("receiver-test")
                    .build(),
            )
            .build();
        let tracer = provider.tracer("test");
        let parent = tracer
            .span_builder("POST /things")
            .with_kind(SpanKind::Server)
            .start(&tracer);
        let cx = opentelemetry::Context::current_with_span(parent);
        let span_context = cx.span().span_context().clone();
        let mut child = tracer
            .span_builder("child")
            .with_attributes([KeyValue::new("answer", 42), KeyValue::new("who", "me")])
            .start_with_context(&tracer, &cx);
        opentelemetry::trace::Span::add_event(&mut child, "hello", vec![KeyValue::new("k", "v")]);
        drop(child);
        drop(cx);
        provider.force_flush().unwrap();
        provider.shutdown().unwrap();
        (
            span_context.trace_id().to_string(),
            span_context.span_id().to_string(),
        )
    })
    .await
    .unwrap();

    let spans = otlp
        .wait_for(Duration::from_secs(10), |spans| spans.len() >= 2)
        .await
        .expect("both spans within 10 s");
    let parent = spans.iter().find(|s| s.name == "POST /things").unwrap();
    let child = spans.iter().find(|s| s.name == "child").unwrap();
    assert_eq!(parent.service, "receiver-test");
    assert_eq!(parent.kind, "server");
    assert_eq!(parent.trace_id, trace_id);
    assert_eq!(parent.span_id, parent_id);
    assert_eq!(parent.parent_span_id, None);
    assert_eq!(child.trace_id, trace_id);
    assert_eq!(child.parent_span_id.as_deref(), Some(parent_id.as_str()));
    assert_eq!(child.attribute("answer"), Some("42"));
    assert_eq!(child.attribute("who"), Some("me"));
    assert_eq!(
        child.events,
        vec![("hello".to_owned(), vec![("k".to_owned(), "v".to_owned())])]
    );
    assert!(child.texts().contains(&"me"));
}

#[tokio::test]
async fn anything_but_protobuf_is_refused() {
    let otlp = OtlpReceiver::start().await;
    let answer = reqwest::Client::new()
        .post(format!("{}/v1/traces", otlp.endpoint()))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 415);
    assert!(otlp.spans().is_empty());
}
