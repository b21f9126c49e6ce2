//! What Gemini is asked about an equipment label, the shape of its answer, and the checks that
//! turn that answer into a [`Label`]. Barcodes are decoded locally (rxing), never asked of Gemini.

use serde::Deserialize;
use serde_json::{Value, json};

use super::GeminiError;
use super::fields::{self, text};
use crate::equipment::{Label, normalise_gpon_serial, normalise_mac};

/// Most MACs believed on one label.
const MAX_MACS: usize = 16;
/// Characters of a refused identifier kept (for the warning shown to staff).
const REFUSED_CHARS: usize = 24;

/// The instructions sent with a label.
pub(super) const PROMPT: &str = "\
You read the sticker of network equipment (an ONT, a router, a Wi-Fi access point, a set-top box) \
photographed by a technician of a Quebec internet service provider; its text may be in French or \
English. Copy what is printed; never guess: use null (or an empty list) for anything not on the \
label, or not readable.

Fields:
- serial: the manufacturer's serial number (\"S/N\", \"SN\", \"Serial No\", \"No de série\").
- macs: every MAC address (\"MAC\", \"WAN MAC\", \"LAN MAC\", \"Adresse MAC\"): 12 hexadecimal \
digits, copied with the separators printed.
- gpon_serial: the GPON or ONT serial (\"GPON SN\", \"PON SN\", \"ONT SN\"): four letters then eight \
hexadecimal digits (\"HWTC1A2B3C4D\"), or sixteen hexadecimal digits.
- model: the model name or number (\"Model\", \"Modèle\", \"P/N\" when no model is printed).

Do not decode barcodes or QR codes; read only the printed characters.";

/// The answer's shape, in Gemini's schema dialect (OpenAPI 3.0 subset).
pub(super) fn schema() -> Value {
    let text = json!({"type": "STRING", "nullable": true});
    let order = ["serial", "macs", "gpon_serial", "model"];
    json!({
        "type": "OBJECT",
        "properties": {
            "serial": text,
            "macs": {"type": "ARRAY", "items": {"type": "STRING"}},
            "gpon_serial": text,
            "model": text,
        },
        "required": order,
        "propertyOrdering": order,
    })
}

/// A label read by Gemini, with what was left out of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelReading {
    /// The label; its barcodes are empty (the caller decodes them).
    pub label: Label,
    /// What Gemini read as MACs but is not 12 hexadecimal digits (shortened), left out of
    /// `label.macs`: one `INVALID_MAC` warning each.
    pub invalid_macs: Vec<String>,
    /// What Gemini read as a GPON serial but is not one (shortened), left out of the label.
    pub invalid_gpon_serial: Option<String>,
}

#[derive(Deserialize)]
struct WireLabel {
    #[serde(default)]
    serial: Option<String>,
    #[serde(default)]
    macs: Option<Vec<String>>,
    #[serde(default)]
    gpon_serial: Option<String>,
    #[serde(default)]
    model: Option<String>,
}

/// The label in Gemini's JSON text, checked: a malformed MAC or GPON serial is left out and
/// named, not fatal (the rest of the label is still worth a lookup).
pub(super) fn parse(answer: &str) -> Result<LabelReading, GeminiError> {
    let value: Value = serde_json::from_str(answer)
        .map_err(|e| GeminiError::Garbage(fields::clip(&e.to_string(), 80)))?;
    let wire: WireLabel = serde_json::from_value(value).map_err(|e| fields::schema_error(&e))?;
    wire.check()
}

impl WireLabel {
    fn check(self) -> Result<LabelReading, GeminiError> {
        let raw_macs = self.macs.unwrap_or_default();
        if raw_macs.len() > MAX_MACS {
            return Err(GeminiError::Schema("too many MACs".to_owned()));
        }
        let mut reading = LabelReading::default();
        for raw in raw_macs {
            let Some(raw) = text("mac", Some(raw))? else {
                continue;
            };
            match normalise_mac(&raw) {
                Some(mac) if !reading.label.macs.contains(&mac) => reading.label.macs.push(mac),
                Some(_) => {}
                None => reading.invalid_macs.push(fields::clip(&raw, REFUSED_CHARS)),
            }
        }
        if let Some(raw) = text("gpon_serial", self.gpon_serial)? {
            match normalise_gpon_serial(&raw) {
                Some(serial) => reading.label.gpon_serial = Some(serial),
                None => reading.invalid_gpon_serial = Some(fields::clip(&raw, REFUSED_CHARS)),
            }
        }
        reading.label.serial = text("serial", self.serial)?;
        reading.label.model = text("model", self.model)?;
        Ok(reading)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_come_out_in_their_normal_forms() {
        let answer = json!({"serial": " 2140ABC123 ", "macs": ["00-1a-2b-3c-4d-5e", "001A2B3C4D5E", "001a.2b3c.4d5f"],
            "gpon_serial": "hwtc 1a2b3c4d", "model": "HG8245Q2"});
        let reading = parse(&answer.to_string()).unwrap();
        assert_eq!(reading.label.serial.as_deref(), Some("2140ABC123"));
        assert_eq!(
            reading.label.macs,
            ["00:1A:2B:3C:4D:5E", "00:1A:2B:3C:4D:5F"]
        );
        assert_eq!(reading.label.gpon_serial.as_deref(), Some("HWTC1A2B3C4D"));
        assert!(reading.invalid_macs.is_empty());
    }

    #[test]
    fn a_malformed_mac_or_gpon_serial_is_left_out_and_named() {
        let answer = json!({"serial": "X1", "macs": ["00:1A:2B:3C:4D", "00:1A:2B:3C:4D:5E"],
            "gpon_serial": "HWTC1A2B", "model": null});
        let reading = parse(&answer.to_string()).unwrap();
        assert_eq!(reading.label.macs, ["00:1A:2B:3C:4D:5E"]);
        assert_eq!(reading.invalid_macs, ["00:1A:2B:3C:4D"]);
        assert_eq!(reading.label.gpon_serial, None);
        assert_eq!(reading.invalid_gpon_serial.as_deref(), Some("HWTC1A2B"));
    }

    #[test]
    fn a_wrong_type_is_a_schema_error() {
        assert!(matches!(
            parse(r#"{"macs": "00:1A:2B:3C:4D:5E"}"#),
            Err(GeminiError::Schema(_))
        ));
    }
}
