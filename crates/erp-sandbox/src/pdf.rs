//! A small, valid PDF naming a document, standing in for Frappe's print format
//! (`frappe.utils.print_format.download_pdf`, rendered by wkhtmltopdf there).

use serde_json::Value;

use crate::invoice::text;

/// One A4 page with the document's name, customer, dates and amounts, in French unless
/// `lang` starts with `en`.
pub fn render(doctype: &str, doc: &Value, lang: &str) -> Vec<u8> {
    let english = lang.starts_with("en");
    let fields = doc.as_object().cloned().unwrap_or_default();
    let label = |fr: &'static str, en: &'static str| if english { en } else { fr };
    let title = match (doctype, english) {
        ("Sales Invoice", false) => "Facture".to_owned(),
        ("Sales Invoice", true) => "Invoice".to_owned(),
        (other, _) => other.to_owned(),
    };
    let mut lines = vec![
        format!("Gigafibre - {title} {}", text(&fields, "name")),
        format!(
            "{}: {}",
            label("Client", "Customer"),
            text(&fields, "customer_name")
        ),
        format!(
            "{}: {}",
            label("Date", "Date"),
            text(&fields, "posting_date")
        ),
        format!(
            "{}: {}",
            label("Échéance", "Due date"),
            text(&fields, "due_date")
        ),
    ];
    for (field, fr, en) in [
        ("net_total", "Sous-total", "Net total"),
        ("total_taxes_and_charges", "Taxes", "Taxes"),
        ("grand_total", "Total", "Grand total"),
        ("outstanding_amount", "Solde dû", "Outstanding"),
    ] {
        if let Some(value) = fields.get(field).and_then(Value::as_f64) {
            lines.push(format!("{}: {value:.2} $", label(fr, en)));
        }
    }
    lines.push(format!(
        "{}: {}",
        label("Statut", "Status"),
        text(&fields, "status")
    ));
    stand_in_kit::pdf::one_page("BT /F1 12 Tf 56 780 Td 16 TL", &lines, None)
}
