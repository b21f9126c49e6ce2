//! An OTLP/HTTP trace receiver, as a collector would run it: `POST /v1/traces` with a protobuf
//! `ExportTraceServiceRequest` (`Content-Type: application/x-protobuf`), answered 200 with an empty
//! `ExportTraceServiceResponse`. It keeps every span it is sent, for a test to read.
//!
//! ```no_run
//! # async fn demo() {
//! let otlp = testkit::OtlpReceiver::start().await;
//! // start a service with OTEL_EXPORTER_OTLP_ENDPOINT=otlp.endpoint(), make it work, then:
//! let spans = otlp
//!     .wait_for(std::time::Duration::from_secs(10), |spans| spans.len() >= 3)
//!     .await;
//! # let _ = spans;
//! # }
//! ```

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{HttpRequest, HttpResponse, web};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use prost::Message as _;

/// The protobuf media type of OTLP/HTTP.
const PROTOBUF: &str = "application/x-protobuf";
/// Largest export accepted (the SDK's batches are far smaller).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// One span as received, ids in lowercase hex (as in a `traceparent`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedSpan {
    /// `service.name` of the resource that sent it.
    pub service: String,
    /// The span's name.
    pub name: String,
    /// Server, client, producer, consumer or internal.
    pub kind: String,
    /// 32 hex digits.
    pub trace_id: String,
    /// 16 hex digits.
    pub span_id: String,
    /// 16 hex digits; `None` for a root span.
    pub parent_span_id: Option<String>,
    /// Its attributes, values as text.
    pub attributes: Vec<(String, String)>,
    /// Its events (log lines written inside it): the name, then the attributes, values as text.
    pub events: Vec<(String, Vec<(String, String)>)>,
}

impl ReceivedSpan {
    /// The value of attribute `key`, as text.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every text the span carries: its name, its attributes' keys and values, its events'.
    pub fn texts(&self) -> Vec<&str> {
        let pairs = self
            .attributes
            .iter()
            .chain(self.events.iter().flat_map(|(_, attributes)| attributes));
        std::iter::once(self.name.as_str())
            .chain(self.events.iter().map(|(name, _)| name.as_str()))
            .chain(pairs.flat_map(|(k, v)| [k.as_str(), v.as_str()]))
            .collect()
    }
}

/// The receiver; its server stops when it is dropped.
pub struct OtlpReceiver {
    base_url: String,
    spans: Arc<Mutex<Vec<ReceivedSpan>>>,
    handle: ServerHandle,
}

impl OtlpReceiver {
    /// Starts on a free port of `127.0.0.1`.
    pub async fn start() -> Self {
        let spans = Arc::new(Mutex::new(Vec::new()));
        let shared = web::Data::from(Arc::clone(&spans));
        let (base_url, handle) = crate::fake_http::serve(move |cfg| {
            cfg.app_data(shared.clone())
                .app_data(web::PayloadConfig::new(MAX_BODY))
                .route("/v1/traces", web::post().to(export));
        });
        Self {
            base_url,
            spans,
            handle,
        }
    }

    /// The value of `OTEL_EXPORTER_OTLP_ENDPOINT` (the exporter appends `/v1/traces`).
    pub fn endpoint(&self) -> String {
        self.base_url.clone()
    }

    /// Every span received so far.
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        lock(&self.spans).clone()
    }

    /// Polls the spans received until `done` holds of them, for at most `timeout`; the spans
    /// then, or `None`.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        done: impl Fn(&[ReceivedSpan]) -> bool,
    ) -> Option<Vec<ReceivedSpan>> {
        crate::poll_until(timeout, || {
            let spans = self.spans();
            std::future::ready(done(&spans).then_some(spans))
        })
        .await
    }
}

/// Follows one trace down a chain of spans: the span named `names[0]` whose parent is
/// `parent_span_id`, then the one named `names[1]` whose parent is that one, and so on. On a missing
/// link, says which, listing the spans of the trace (name, id, parent) to show where it broke.
pub fn chain(
    spans: &[ReceivedSpan],
    trace_id: &str,
    parent_span_id: &str,
    names: &[&str],
) -> Result<Vec<ReceivedSpan>, String> {
    let in_trace: Vec<&ReceivedSpan> = spans.iter().filter(|s| s.trace_id == trace_id).collect();
    let mut parent = parent_span_id.to_owned();
    let mut found = Vec::with_capacity(names.len());
    for name in names {
        let Some(span) = in_trace
            .iter()
            .find(|s| s.name == *name && s.parent_span_id.as_deref() == Some(parent.as_str()))
        else {
            let listing: Vec<String> = in_trace
                .iter()
                .map(|s| {
                    let parent = s.parent_span_id.as_deref().unwrap_or("-");
                    format!("  {} {:?} {} <- {parent}", s.service, s.name, s.span_id)
                })
                .collect();
            return Err(format!(
                "no span {name:?} with parent {parent} in trace {trace_id}; the trace has:\n{}",
                listing.join("\n")
            ));
        };
        parent = span.span_id.clone();
        found.push((*span).clone());
    }
    Ok(found)
}

/// The first span that carries one of `needles` (case-insensitively) in its name, an attribute or
/// an event, described; `None` when none does. Ids (hex, UUIDs) are skipped: a 6-digit code may turn
/// up in one by chance, and an id is no personal data.
pub fn carrying(spans: &[ReceivedSpan], needles: &[&str]) -> Option<String> {
    let needles: Vec<String> = needles.iter().map(|n| n.to_lowercase()).collect();
    let is_id = |t: &str| t.len() >= 16 && t.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    spans.iter().find_map(|span| {
        span.texts()
            .into_iter()
            .filter(|text| !is_id(text))
            .find_map(|text| {
                let lower = text.to_lowercase();
                needles
                    .iter()
                    .find(|n| lower.contains(n.as_str()))
                    .map(|n| {
                        format!(
                            "span {:?} of {} carries {n:?} in {text:?}",
                            span.name, span.service
                        )
                    })
            })
    })
}

impl Drop for OtlpReceiver {
    fn drop(&mut self) {
        crate::fake_http::stop(&self.handle);
    }
}

fn lock(spans: &Mutex<Vec<ReceivedSpan>>) -> MutexGuard<'_, Vec<ReceivedSpan>> {
    spans.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `POST /v1/traces`.
async fn export(
    req: HttpRequest,
    body: web::Bytes,
    spans: web::Data<Mutex<Vec<ReceivedSpan>>>,
) -> HttpResponse {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type != PROTOBUF {
        return HttpResponse::UnsupportedMediaType().body(format!("expected {PROTOBUF}"));
    }
    let request = match ExportTraceServiceRequest::decode(body) {
        Ok(request) => request,
        Err(e) => return HttpResponse::BadRequest().body(format!("not an export request: {e}")),
    };
    lock(&spans).extend(received(request));
    HttpResponse::Ok()
        .content_type(PROTOBUF)
        .body(ExportTraceServiceResponse::default().encode_to_vec())
}

/// The spans of one export, each with the service that sent it.
fn received(request: ExportTraceServiceRequest) -> Vec<ReceivedSpan> {
    let mut out = Vec::new();
    for resource_spans in request.resource_spans {
        let service = resource_spans
            .resource
            .iter()
            .flat_map(|r| &r.attributes)
            .find(|kv| kv.key == "service.name")
            .and_then(|kv| kv.value.as_ref())
            .map(text)
            .unwrap_or_default();
        for span in resource_spans.scope_spans.into_iter().flat_map(|s| s.spans) {
            out.push(ReceivedSpan {
                service: service.clone(),
                kind: kind(span.kind).to_owned(),
                name: span.name,
                trace_id: hex(&span.trace_id),
                span_id: hex(&span.span_id),
                parent_span_id: (!span.parent_span_id.is_empty())
                    .then(|| hex(&span.parent_span_id)),
                attributes: pairs(&span.attributes),
                events: span
                    .events
                    .iter()
                    .map(|e| (e.name.clone(), pairs(&e.attributes)))
                    .collect(),
            });
        }
    }
    out
}

fn kind(kind: i32) -> &'static str {
    match kind {
        2 => "server",
        3 => "client",
        4 => "producer",
        5 => "consumer",
        _ => "internal",
    }
}

fn pairs(attributes: &[KeyValue]) -> Vec<(String, String)> {
    attributes
        .iter()
        .map(|kv| {
            (
                kv.key.clone(),
                kv.value.as_ref().map(text).unwrap_or_default(),
            )
        })
        .collect()
}

fn text(value: &AnyValue) -> String {
    match &value.value {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::DoubleValue(d)) => d.to_string(),
        Some(any_value::Value::BytesValue(b)) => hex(b),
        Some(any_value::Value::ArrayValue(a)) => {
            let items: Vec<String> = a.values.iter().map(text).collect();
            items.join(",")
        }
        Some(any_value::Value::KvlistValue(l)) => {
            let items: Vec<String> = pairs(&l.values)
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            items.join(",")
        }
        _ => String::new(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn span(
        name: &str,
        id: &str,
        parent: Option<&str>,
        attributes: &[(&str, &str)],
    ) -> ReceivedSpan {
        ReceivedSpan {
            service: "svc".into(),
            name: name.into(),
            kind: "internal".into(),
            trace_id: "t".repeat(32),
            span_id: id.into(),
            parent_span_id: parent.map(str::to_owned),
            attributes: attributes
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            events: Vec::new(),
        }
    }

    #[test]
    fn a_chain_follows_names_down_parent_links_and_names_the_missing_one() {
        let trace = "t".repeat(32);
        let spans = [
            span("b", "2", Some("1"), &[]),
            span("a", "1", Some("0"), &[]),
            span("c", "3", Some("9"), &[]),
        ];
        let found = chain(&spans, &trace, "0", &["a", "b"]).unwrap();
        assert_eq!(
            found.iter().map(|s| s.span_id.as_str()).collect::<Vec<_>>(),
            ["1", "2"]
        );
        let err = chain(&spans, &trace, "0", &["a", "b", "c"]).unwrap_err();
        assert!(err.contains("no span \"c\" with parent 2"), "{err}");
        assert!(chain(&spans, &"x".repeat(32), "0", &["a"]).is_err());
    }

    #[test]
    fn a_span_carrying_a_needle_is_found_whatever_the_case_but_not_inside_an_id() {
        let spans = [
            span(
                "job",
                "1",
                None,
                &[("id", "0190a3f2-1234-7abc-8def-123456789abc")],
            ),
            span("send", "2", None, &[("to", "Marie@Example.ca")]),
        ];
        assert_eq!(carrying(&spans, &["123456"]), None);
        let found = carrying(&spans, &["marie@example.ca"]).unwrap();
        assert!(found.contains("\"send\""), "{found}");
    }
}
