//! The CloudEvents 1.0 JSON envelope every event travels in.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use uuid::Uuid;

/// The CloudEvents version written in every envelope.
pub const CLOUDEVENTS_SPEC_VERSION: &str = "1.0";

/// A typed event payload bound to its subject and CloudEvents type
/// (type = `"ca.gigafibre.<subject>.v1"`).
pub trait Event: Serialize + DeserializeOwned + Send + Sync {
    /// The NATS subject the event is published on (a constant of [`super::subjects`]).
    const SUBJECT: &'static str;
    /// The CloudEvents `type`, `ca.gigafibre.<subject>.v1`; a breaking payload change bumps the version.
    const TYPE: &'static str;
}

/// Why an envelope could not be read or decoded.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// The bytes are not a CloudEvents JSON envelope, or `data` does not fit the payload type.
    #[error("malformed event: {0}")]
    Json(#[from] serde_json::Error),
    /// The envelope carries another event type than the one asked for.
    #[error("event type mismatch: expected {expected}, found {found}")]
    WrongType {
        /// The type the caller asked for.
        expected: &'static str,
        /// The type in the envelope.
        found: String,
    },
    /// The envelope declares a CloudEvents version other than 1.0.
    #[error("unsupported CloudEvents specversion {0}")]
    SpecVersion(String),
}

/// A CloudEvents 1.0 envelope (structured JSON mode) around one event payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Envelope {
    /// Always `"1.0"`.
    pub specversion: String,
    /// Event id, a UUIDv7 (time-ordered); also the JetStream `Nats-Msg-Id` and the consumers' dedupe key.
    pub id: Uuid,
    /// CloudEvents `type`, e.g. `ca.gigafibre.portal.link.requested.v1`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The producing service, e.g. `portal-auth`.
    pub source: String,
    /// When the event was created.
    pub time: DateTime<Utc>,
    /// Media type of `data`: `application/json`.
    pub datacontenttype: String,
    /// The NATS subject (a CloudEvents extension attribute).
    pub subject: String,
    /// W3C trace context of the producer, sent as the `traceparent` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    /// The event payload.
    pub data: serde_json::Value,
}

impl Envelope {
    /// Wraps `event` in a new envelope with a fresh UUIDv7 id, the current time and the
    /// trace context of the current span (if any).
    pub fn new<E: Event>(source: &str, event: &E) -> Result<Self, serde_json::Error> {
        Ok(Self {
            specversion: CLOUDEVENTS_SPEC_VERSION.to_owned(),
            id: Uuid::now_v7(),
            kind: E::TYPE.to_owned(),
            source: source.to_owned(),
            time: Utc::now(),
            datacontenttype: "application/json".to_owned(),
            subject: E::SUBJECT.to_owned(),
            traceparent: current_traceparent(),
            data: serde_json::to_value(event)?,
        })
    }

    /// Replaces the trace context (e.g. one received from an upstream request).
    pub fn with_traceparent(mut self, traceparent: Option<String>) -> Self {
        self.traceparent = traceparent;
        self
    }

    /// Decodes the payload as `E`, refusing an envelope of another type.
    pub fn decode<E: Event>(&self) -> Result<E, EventError> {
        if self.kind != E::TYPE {
            return Err(EventError::WrongType {
                expected: E::TYPE,
                found: self.kind.clone(),
            });
        }
        Ok(E::deserialize(&self.data)?)
    }

    /// Whether this envelope carries an `E`.
    pub fn is<E: Event>(&self) -> bool {
        self.kind == E::TYPE
    }

    /// The JSON wire form.
    pub fn to_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    /// Parses the JSON wire form, refusing another CloudEvents version.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EventError> {
        let envelope: Self = serde_json::from_slice(bytes)?;
        if envelope.specversion != CLOUDEVENTS_SPEC_VERSION {
            return Err(EventError::SpecVersion(envelope.specversion));
        }
        Ok(envelope)
    }
}

/// The W3C `traceparent` of the current tracing span, when an OpenTelemetry layer is installed
/// and the span is sampled into a valid trace.
pub fn current_traceparent() -> Option<String> {
    crate::telemetry::traceparent(&tracing::Span::current())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::events::{LinkRequested, SessionRevoked};

    fn link_requested() -> LinkRequested {
        LinkRequested {
            customer: "CUST-00042".into(),
            channels: vec!["email".into(), "sms".into()],
            lang: "fr".into(),
        }
    }

    #[test]
    fn an_envelope_survives_a_round_trip_through_json() {
        let envelope = Envelope::new("portal-auth", &link_requested()).unwrap();
        let back = Envelope::from_bytes(&envelope.to_bytes().unwrap()).unwrap();
        assert_eq!(back, envelope);
        assert_eq!(back.decode::<LinkRequested>().unwrap(), link_requested());
    }

    #[test]
    fn an_envelope_is_cloudevents_json_with_a_uuid_v7_id() {
        let envelope = Envelope::new("portal-auth", &link_requested()).unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&envelope.to_bytes().unwrap()).unwrap();
        assert_eq!(json["specversion"], "1.0");
        assert_eq!(json["type"], "ca.gigafibre.portal.link.requested.v1");
        assert_eq!(json["subject"], "portal.link.requested");
        assert_eq!(json["datacontenttype"], "application/json");
        assert_eq!(json["data"]["customer"], "CUST-00042");
        assert_eq!(envelope.id.get_version_num(), 7);
    }

    #[test]
    fn decode_refuses_an_envelope_of_another_type() {
        let envelope = Envelope::new("portal-auth", &link_requested()).unwrap();
        let err = envelope.decode::<SessionRevoked>().unwrap_err();
        assert!(matches!(err, EventError::WrongType { .. }), "{err}");
    }

    #[test]
    fn another_cloudevents_version_is_refused() {
        let mut envelope = Envelope::new("portal-auth", &link_requested()).unwrap();
        envelope.specversion = "0.3".into();
        let err = Envelope::from_bytes(&envelope.to_bytes().unwrap()).unwrap_err();
        assert!(matches!(err, EventError::SpecVersion(_)));
    }

    #[test]
    fn without_a_trace_there_is_no_traceparent() {
        assert_eq!(current_traceparent(), None);
    }
}
