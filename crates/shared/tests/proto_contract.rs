//! The `proto/` contract: the committed JSON Schemas are exactly what the Rust event types
//! generate, and `proto/asyncapi.yaml` describes every subject of `shared::events::subjects`.
//!
//! After changing an event type, regenerate with
//! `UPDATE_PROTO=1 cargo test -p shared --test proto_contract` and commit `proto/`.
#![allow(clippy::unwrap_used)]

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

use schemars::{JsonSchema, generate::SchemaSettings};
use serde_json::{Map, Value};
use shared::events::{
    Attachment, DeadLetter, EmailSend, Envelope, Event, InvoiceExtracted, LinkRequested,
    LoginSucceeded, PaymentSucceeded, QuoteAccepted, SessionRevoked, SmsSend, stream_for,
};

const REGENERATE: &str =
    "run `UPDATE_PROTO=1 cargo test -p shared --test proto_contract` and commit";
const ENVELOPE_FILE: &str = "envelope.json";

/// One event type as the contract sees it: its subject, CloudEvents type, generated payload
/// schema and a realistic envelope to validate.
struct Payload {
    subject: &'static str,
    kind: &'static str,
    schema: Value,
    sample: Envelope,
}

impl Payload {
    fn file_name(&self) -> String {
        format!("{}.json", self.subject)
    }
}

/// Self-contained draft 2020-12 schemas: subschemas inlined so that each file can be read
/// (and bundled into the AsyncAPI messages) without resolving `$defs`.
fn schema_of<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .with(|settings| settings.inline_subschemas = true)
        .into_generator();
    canonical(generator.into_root_schema_for::<T>().as_value())
}

fn payload<E: Event + JsonSchema>(source: &str, event: E) -> Payload {
    Payload {
        subject: E::SUBJECT,
        kind: E::TYPE,
        schema: schema_of::<E>(),
        sample: Envelope::new(source, &event).unwrap(),
    }
}

/// Every event type; a subject added to `subjects.rs` needs its payload here.
fn payloads() -> Vec<Payload> {
    vec![
        payload(
            "portal-auth",
            EmailSend {
                to: "client@example.com".into(),
                to_name: Some("Marie Tremblay".into()),
                subject: "Votre lien de connexion".into(),
                text: "Bonjour".into(),
                html: "<p>Bonjour</p>".into(),
                reply_to: None,
                lang: "fr".into(),
                template: "portal.magic_link".into(),
                customer: Some("CUST-00042".into()),
                attachments: vec![Attachment {
                    filename: "facture-INV-0001.pdf".into(),
                    content_type: "application/pdf".into(),
                    content_base64: "JVBERi0=".into(),
                }],
            },
        ),
        payload(
            "portal-auth",
            SmsSend {
                to: "+15145550147".into(),
                body: "Code: 123456".into(),
                template: "portal.login_code".into(),
                customer: None,
            },
        ),
        payload(
            "notifications",
            DeadLetter {
                event_id: Some("0192f0c1-7a3b-7cde-8f00-000000000001".into()),
                subject: "notify.sms.send".into(),
                channel: "sms".into(),
                recipient: Some("+15145550147".into()),
                reason: "invalid recipient".into(),
                attempts: 1,
                original: "{}".into(),
            },
        ),
        payload(
            "portal-auth",
            LinkRequested {
                customer: "CUST-00042".into(),
                channels: vec!["email".into(), "sms".into()],
                lang: "fr".into(),
            },
        ),
        payload(
            "portal-auth",
            LoginSucceeded {
                customer: "CUST-00042".into(),
                method: "impersonation".into(),
                actor: Some("agent.roy".into()),
            },
        ),
        payload(
            "portal-auth",
            SessionRevoked {
                customer: "CUST-00042".into(),
                everywhere: true,
            },
        ),
        payload(
            "payments",
            PaymentSucceeded {
                customer: "CUST-00042".into(),
                payment_intent: "pi_3QxYz1AbCdEfGhIjKlMnOpQr".into(),
                amount_cents: 11_498,
                currency: "CAD".into(),
                invoices: vec!["ACC-SINV-2026-00012".into()],
                payment_entry: "ACC-PAY-2026-00001".into(),
            },
        ),
        payload(
            "quotation-signing",
            QuoteAccepted {
                customer: "CUST-00042".into(),
                quotation: "SAL-QTN-2026-00001".into(),
                sales_order: "SAL-ORD-2026-00001".into(),
                subscriptions: vec!["ACC-SUB-2026-00001".into()],
                method: "signature".into(),
                accepted_at: "2026-12-07T15:04:05Z".into(),
            },
        ),
        payload(
            "vision-ocr",
            InvoiceExtracted {
                extraction: "0193a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d".into(),
                supplier: Some("Câblage Laurentides inc.".into()),
                invoice_number: Some("F-2026-004127".into()),
                date: Some("2026-11-03".into()),
                total_cents: Some(48_686),
                currency: Some("CAD".into()),
                provider: "local".into(),
                warnings: 0,
                purchase_invoice: Some("ACC-PINV-2026-00001".into()),
                requested_by: "staff:mgagnon".into(),
            },
        ),
    ]
}

/// `(file name under proto/schemas, schema)` of everything the Rust types generate.
fn generated_files() -> Vec<(String, Value)> {
    let mut files = vec![(ENVELOPE_FILE.to_owned(), schema_of::<Envelope>())];
    files.extend(payloads().into_iter().map(|p| (p.file_name(), p.schema)));
    files
}

fn proto_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../proto")
}

/// Keys sorted at every level, so the files do not depend on serde_json's `preserve_order`.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let sorted: Map<String, Value> = keys
                .into_iter()
                .map(|key| (key.clone(), canonical(&map[key])))
                .collect();
            Value::Object(sorted)
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

fn render(schema: &Value) -> String {
    format!("{}\n", serde_json::to_string_pretty(schema).unwrap())
}

fn committed_schema_files() -> BTreeSet<String> {
    let Ok(entries) = fs::read_dir(proto_dir().join("schemas")) else {
        return BTreeSet::new();
    };
    entries
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect()
}

/// Subjects declared in `subjects.rs`, read from its source so a new constant cannot be missed.
fn declared_subjects() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/events/subjects.rs");
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|line| line.trim_start().starts_with("pub const ") && line.contains("&str"))
        .filter_map(|line| line.split('"').nth(1).map(str::to_owned))
        .collect()
}

fn asyncapi() -> Value {
    let text = fs::read_to_string(proto_dir().join("asyncapi.yaml")).unwrap();
    serde_norway::from_str(&text).unwrap()
}

#[test]
fn the_committed_schemas_match_the_rust_types() {
    let dir = proto_dir().join("schemas");
    let generated = generated_files();
    let expected: BTreeSet<String> = generated.iter().map(|(name, _)| name.clone()).collect();
    if std::env::var_os("UPDATE_PROTO").is_some() {
        fs::create_dir_all(&dir).unwrap();
        for (name, schema) in &generated {
            fs::write(dir.join(name), render(schema)).unwrap();
        }
        for stale in committed_schema_files().difference(&expected) {
            fs::remove_file(dir.join(stale)).unwrap();
        }
        return;
    }
    let mut drift = Vec::new();
    for (name, schema) in &generated {
        match fs::read_to_string(dir.join(name)) {
            Ok(text) if text == render(schema) => {}
            Ok(_) => drift.push(format!("{name} differs from the Rust type")),
            Err(_) => drift.push(format!("{name} is missing")),
        }
    }
    for stale in committed_schema_files().difference(&expected) {
        drift.push(format!("{stale} has no Rust type any more"));
    }
    assert!(
        drift.is_empty(),
        "proto/schemas is out of date ({}): {REGENERATE}",
        drift.join("; ")
    );
}

#[test]
fn every_declared_subject_has_a_payload_type() {
    let with_payload: BTreeSet<String> = payloads().iter().map(|p| p.subject.to_owned()).collect();
    assert_eq!(
        declared_subjects(),
        with_payload,
        "every constant of events/subjects.rs needs its payload type in payloads() of this test"
    );
}

#[test]
fn asyncapi_is_version_3_on_the_local_nats_server() {
    let doc = asyncapi();
    assert_eq!(doc["asyncapi"], "3.0.0");
    let server = &doc["servers"]["nats"];
    assert_eq!(server["protocol"], "nats");
    assert_eq!(server["host"], "127.0.0.1:4222");
}

#[test]
fn asyncapi_has_one_channel_per_subject_with_its_stream() {
    let doc = asyncapi();
    let channels = doc["channels"].as_object().unwrap();
    let mut addresses = BTreeSet::new();
    for (id, channel) in channels {
        let address = channel["address"].as_str().unwrap();
        assert_eq!(
            channel["x-jetstream-stream"],
            stream_for(address),
            "channel {id} names the wrong JetStream stream"
        );
        assert!(addresses.insert(address.to_owned()), "{address} twice");
    }
    assert_eq!(addresses, declared_subjects(), "asyncapi.yaml channels");
}

#[test]
fn every_channel_is_sent_by_someone() {
    let doc = asyncapi();
    let operations = doc["operations"].as_object().unwrap();
    for id in doc["channels"].as_object().unwrap().keys() {
        let channel_ref = format!("#/channels/{id}");
        let sent = operations
            .values()
            .any(|op| op["action"] == "send" && op["channel"]["$ref"] == channel_ref.as_str());
        assert!(sent, "no operation sends on channel {id}");
    }
}

/// Every `$ref` string in `value`, with the JSON pointer where it sits.
fn refs(value: &Value, at: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("$ref", Value::String(target)) => found.push((at.to_owned(), target.clone())),
                    _ => refs(item, &format!("{at}/{key}"), found),
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                refs(item, &format!("{at}/{index}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn every_ref_in_asyncapi_resolves() {
    let doc = asyncapi();
    let mut found = Vec::new();
    refs(&doc, "#", &mut found);
    assert!(!found.is_empty());
    for (at, target) in found {
        let (file, pointer) = target.split_once('#').unwrap_or((&target, ""));
        let document = if file.is_empty() {
            doc.clone()
        } else {
            let path = proto_dir().join(file);
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|_| panic!("{at}: $ref {target}: no file {}", path.display()));
            serde_json::from_str(&text).unwrap()
        };
        assert!(
            document.pointer(pointer).is_some(),
            "{at}: $ref {target} points nowhere"
        );
    }
}

#[test]
fn asyncapi_references_every_schema_file() {
    let mut found = Vec::new();
    refs(&asyncapi(), "#", &mut found);
    let targets: BTreeSet<String> = found.into_iter().map(|(_, target)| target).collect();
    for (name, _) in generated_files() {
        let target = format!("./schemas/{name}");
        assert!(
            targets.contains(&target),
            "asyncapi.yaml never refers to {target}"
        );
    }
}

/// The message payload schema of `subject`'s channel, with file `$ref`s replaced by the files.
fn message_payload(doc: &Value, subject: &str) -> Value {
    let channel = doc["channels"]
        .as_object()
        .unwrap()
        .values()
        .find(|channel| channel["address"] == subject)
        .unwrap();
    let messages = channel["messages"].as_object().unwrap();
    assert_eq!(messages.len(), 1, "{subject}: one message per channel");
    let mut message = messages.values().next().unwrap();
    while let Some(Value::String(target)) = message.get("$ref") {
        message = doc.pointer(target.trim_start_matches('#')).unwrap();
    }
    inline_files(&message["payload"])
}

fn inline_files(value: &Value) -> Value {
    match value {
        Value::Object(map) => match map.get("$ref") {
            Some(Value::String(target)) if !target.starts_with('#') => {
                let text = fs::read_to_string(proto_dir().join(target)).unwrap();
                let mut schema: Value = serde_json::from_str(&text).unwrap();
                // `$schema` belongs at a document's root only.
                schema.as_object_mut().unwrap().remove("$schema");
                schema
            }
            _ => Value::Object(
                map.iter()
                    .map(|(key, item)| (key.clone(), inline_files(item)))
                    .collect(),
            ),
        },
        Value::Array(items) => Value::Array(items.iter().map(inline_files).collect()),
        other => other.clone(),
    }
}

fn validate(schema: &Value, instance: &Value) -> Result<(), String> {
    let validator = jsonschema::validator_for(schema).map_err(|err| err.to_string())?;
    validator.validate(instance).map_err(|err| err.to_string())
}

#[test]
fn a_sample_of_each_event_fits_the_envelope_and_its_payload_schema() {
    let envelope_schema = schema_of::<Envelope>();
    for payload in payloads() {
        let wire: Value = serde_json::from_slice(&payload.sample.to_bytes().unwrap()).unwrap();
        assert_eq!(wire["type"], payload.kind);
        validate(&envelope_schema, &wire)
            .unwrap_or_else(|err| panic!("{}: {err}", payload.subject));
        validate(&payload.schema, &wire["data"])
            .unwrap_or_else(|err| panic!("{}: {err}", payload.subject));
    }
}

#[test]
fn each_asyncapi_message_accepts_its_own_events_only() {
    let doc = asyncapi();
    let payloads = payloads();
    for payload in &payloads {
        let schema = message_payload(&doc, payload.subject);
        for other in &payloads {
            let wire: Value = serde_json::from_slice(&other.sample.to_bytes().unwrap()).unwrap();
            let verdict = validate(&schema, &wire);
            if other.subject == payload.subject {
                verdict.unwrap_or_else(|err| panic!("{}: {err}", payload.subject));
            } else {
                assert!(
                    verdict.is_err(),
                    "the {} message accepts a {} event",
                    payload.subject,
                    other.subject
                );
            }
        }
    }
}

#[test]
fn a_payload_missing_a_required_field_is_refused() {
    let payload = payloads()
        .into_iter()
        .find(|p| p.subject == EmailSend::SUBJECT)
        .unwrap();
    let mut data = serde_json::to_value(&payload.sample.data).unwrap();
    data.as_object_mut().unwrap().remove("to");
    assert!(validate(&payload.schema, &data).is_err());
}
