//! What Gemini is asked about a supplier invoice, the shape of its answer, and the checks that
//! turn that answer into an [`Invoice`].

use serde::Deserialize;
use serde_json::{Value, json};

use super::GeminiError;
use super::fields::{self, date, money, number, text};
use crate::invoice::{Invoice, Line, Tax, TaxName};

/// Most lines believed on one invoice.
const MAX_LINES: usize = 500;

/// The instructions sent with an invoice.
pub(super) const PROMPT: &str = "\
You read supplier invoices received by a Quebec internet service provider. The page may be in \
French or in English, a photo or a PDF. Copy what is printed; never guess, never compute a value \
that is not printed: use null for anything not on the page.

Fields:
- supplier: the name of the company that issued the invoice (not the customer billed).
- gst_number: the supplier's GST/TPS (or HST/TVH) registration number exactly as printed, e.g. \
\"123456789 RT0001\".
- qst_number: the supplier's QST/TVQ registration number exactly as printed, e.g. \
\"1234567890 TQ0001\".
- invoice_number: the supplier's invoice number (\"Facture no\", \"No de facture\", \"Invoice #\").
- date: the invoice date; due_date: when payment is due (\"Date d'échéance\", \"Due date\"). \
Both as ISO dates YYYY-MM-DD; read French dates (\"3 novembre 2026\", \"03/11/2026\" is day/month) \
and English ones.
- currency: the ISO 4217 code, CAD unless the page shows another currency.
- lines: each line item in page order: description, quantity, unit_price, amount (the line total).
- subtotal: the amount before taxes (\"Sous-total\", \"Subtotal\").
- taxes: each sales tax printed: name TPS for GST/TPS, TVQ for QST/TVQ, HST for HST/TVH; rate in \
percent as printed (5, 9.975, 13); amount.
- total: the amount owed, taxes included (\"Total\", \"Montant dû\", \"Amount due\").

Amounts are numbers in dollars with cents and no currency sign or thousands separator: French \
\"1 234,56 $\" and English \"$1,234.56\" are both 1234.56. A credit is negative.";

/// The answer's shape, in Gemini's schema dialect (OpenAPI 3.0 subset).
pub(super) fn schema() -> Value {
    let text = json!({"type": "STRING", "nullable": true});
    let number = json!({"type": "NUMBER", "nullable": true});
    let line = json!({
        "type": "OBJECT",
        "properties": {
            "description": {"type": "STRING"},
            "quantity": number, "unit_price": number, "amount": number,
        },
        "required": ["description", "quantity", "unit_price", "amount"],
        "propertyOrdering": ["description", "quantity", "unit_price", "amount"],
    });
    let tax = json!({
        "type": "OBJECT",
        "properties": {
            "name": {"type": "STRING", "enum": ["TPS", "TVQ", "HST"]},
            "rate": number,
            "amount": {"type": "NUMBER"},
        },
        "required": ["name", "rate", "amount"],
        "propertyOrdering": ["name", "rate", "amount"],
    });
    let order = [
        "supplier",
        "gst_number",
        "qst_number",
        "invoice_number",
        "date",
        "due_date",
        "currency",
        "lines",
        "subtotal",
        "taxes",
        "total",
    ];
    json!({
        "type": "OBJECT",
        "properties": {
            "supplier": text, "gst_number": text, "qst_number": text, "invoice_number": text,
            "date": text, "due_date": text, "currency": text,
            "lines": {"type": "ARRAY", "items": line},
            "subtotal": number,
            "taxes": {"type": "ARRAY", "items": tax},
            "total": number,
        },
        "required": order,
        "propertyOrdering": order,
    })
}

#[derive(Deserialize)]
struct WireInvoice {
    #[serde(default)]
    supplier: Option<String>,
    #[serde(default)]
    gst_number: Option<String>,
    #[serde(default)]
    qst_number: Option<String>,
    #[serde(default)]
    invoice_number: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    due_date: Option<String>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    lines: Option<Vec<WireLine>>,
    #[serde(default)]
    subtotal: Option<f64>,
    #[serde(default)]
    taxes: Option<Vec<WireTax>>,
    #[serde(default)]
    total: Option<f64>,
}

#[derive(Deserialize)]
struct WireLine {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    quantity: Option<f64>,
    #[serde(default)]
    unit_price: Option<f64>,
    #[serde(default)]
    amount: Option<f64>,
}

#[derive(Deserialize)]
struct WireTax {
    name: String,
    #[serde(default)]
    rate: Option<f64>,
    amount: f64,
}

/// The invoice in Gemini's JSON text, checked.
pub(super) fn parse(answer: &str) -> Result<Invoice, GeminiError> {
    let value: Value = serde_json::from_str(answer)
        .map_err(|e| GeminiError::Garbage(fields::clip(&e.to_string(), 80)))?;
    let wire: WireInvoice = serde_json::from_value(value).map_err(|e| fields::schema_error(&e))?;
    wire.check()
}

impl WireInvoice {
    fn check(self) -> Result<Invoice, GeminiError> {
        let lines = self.lines.unwrap_or_default();
        if lines.len() > MAX_LINES {
            return Err(GeminiError::Schema("too many lines".to_owned()));
        }
        Ok(Invoice {
            supplier: text("supplier", self.supplier)?,
            gst_number: text("gst_number", self.gst_number)?,
            qst_number: text("qst_number", self.qst_number)?,
            invoice_number: text("invoice_number", self.invoice_number)?,
            date: date("date", self.date)?,
            due_date: date("due_date", self.due_date)?,
            currency: currency(self.currency)?,
            lines: lines
                .into_iter()
                .map(WireLine::check)
                .collect::<Result<_, _>>()?,
            subtotal: money("subtotal", self.subtotal)?,
            taxes: self
                .taxes
                .unwrap_or_default()
                .into_iter()
                .map(WireTax::check)
                .collect::<Result<_, _>>()?,
            total: money("total", self.total)?,
        })
    }
}

impl WireLine {
    fn check(self) -> Result<Line, GeminiError> {
        Ok(Line {
            description: text("line description", self.description)?.unwrap_or_default(),
            quantity: number("line quantity", self.quantity, -1e7, 1e7)?,
            unit_price: money("line unit_price", self.unit_price)?,
            amount: money("line amount", self.amount)?,
        })
    }
}

impl WireTax {
    fn check(self) -> Result<Tax, GeminiError> {
        let amount = money("tax amount", Some(self.amount))?
            .ok_or_else(|| GeminiError::Schema("tax amount is missing".to_owned()))?;
        Ok(Tax {
            name: tax_name(&self.name)?,
            rate: number("tax rate", self.rate, 0.0, 100.0)?,
            amount,
        })
    }
}

/// TPS, TVQ, HST, and their English or French other names (GST, QST, TVH).
fn tax_name(raw: &str) -> Result<TaxName, GeminiError> {
    match raw.trim().to_ascii_uppercase().as_str() {
        "TPS" | "GST" => Ok(TaxName::Tps),
        "TVQ" | "QST" => Ok(TaxName::Tvq),
        "HST" | "TVH" => Ok(TaxName::Hst),
        _ => Err(GeminiError::Schema(format!(
            "tax name {:?} is not TPS, TVQ or HST",
            fields::clip(raw, 8)
        ))),
    }
}

/// Three ASCII letters, upper-cased.
fn currency(raw: Option<String>) -> Result<Option<String>, GeminiError> {
    let Some(code) = text("currency", raw)? else {
        return Ok(None);
    };
    let code = code.to_ascii_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(Some(code))
    } else {
        Err(GeminiError::Schema(
            "currency is not an ISO 4217 code".to_owned(),
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::invoice::Money;

    #[test]
    fn other_names_of_the_taxes_are_accepted() {
        assert_eq!(tax_name("gst").unwrap(), TaxName::Tps);
        assert_eq!(tax_name("QST").unwrap(), TaxName::Tvq);
        assert_eq!(tax_name("TVH").unwrap(), TaxName::Hst);
        assert!(matches!(tax_name("PST"), Err(GeminiError::Schema(_))));
    }

    #[test]
    fn a_full_answer_becomes_an_invoice() {
        let answer = json!({
            "supplier": " Câblage Laurentides inc. ", "gst_number": "123456789 RT0001",
            "qst_number": "", "invoice_number": "F-2026-004127", "date": "2026-11-03",
            "due_date": null, "currency": "cad",
            "lines": [{"description": "ONT", "quantity": 2, "unit_price": 61.725, "amount": 123.45}],
            "subtotal": 123.45, "taxes": [{"name": "GST", "rate": 5, "amount": 6.17}],
            "total": 129.62,
        });
        let invoice = parse(&answer.to_string()).unwrap();
        assert_eq!(
            invoice.supplier.as_deref(),
            Some("Câblage Laurentides inc.")
        );
        assert_eq!(invoice.qst_number, None);
        assert_eq!(invoice.currency.as_deref(), Some("CAD"));
        assert_eq!(invoice.lines[0].unit_price, Some(Money(6173)));
        assert_eq!(invoice.taxes[0].name, TaxName::Tps);
        assert_eq!(invoice.total, Some(Money(12962)));
    }

    #[test]
    fn a_missing_field_is_none_and_a_wrong_one_an_error() {
        assert_eq!(parse("{}").unwrap(), Invoice::default());
        assert!(matches!(
            parse(r#"{"total": "abc"}"#),
            Err(GeminiError::Schema(_))
        ));
        assert!(matches!(
            parse(r#"{"currency": "dollars"}"#),
            Err(GeminiError::Schema(_))
        ));
        assert!(matches!(
            parse(r#"{"taxes": [{"name": "TPS", "rate": 500, "amount": 1}]}"#),
            Err(GeminiError::Schema(_))
        ));
        assert!(matches!(
            parse("Voici la facture"),
            Err(GeminiError::Garbage(_))
        ));
    }

    #[test]
    fn the_schema_names_every_field_in_order() {
        let schema = schema();
        let ordering = schema["propertyOrdering"].as_array().unwrap();
        let properties = schema["properties"].as_object().unwrap();
        assert_eq!(ordering.len(), properties.len());
        assert!(
            ordering
                .iter()
                .all(|f| properties.contains_key(f.as_str().unwrap()))
        );
    }
}
