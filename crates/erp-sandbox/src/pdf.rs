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
    document(&lines)
}

fn document(lines: &[String]) -> Vec<u8> {
    let mut content = b"BT /F1 12 Tf 56 780 Td 16 TL\n".to_vec();
    for line in lines {
        content.push(b'(');
        content.extend(pdf_string(line));
        content.extend_from_slice(b") Tj T*\n");
    }
    content.extend_from_slice(b"ET\n");
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend(content);
    stream.extend_from_slice(b"endstream");
    let objects: [Vec<u8>; 5] = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        stream,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (index, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", index + 1).into_bytes());
        out.extend_from_slice(object);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").into_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    out
}

/// A PDF literal string body in WinAnsi (Latin-1 for accented French letters), escaped.
fn pdf_string(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                out.push(c as u8);
            }
            ' '..='~' => out.push(c as u8),
            _ => match u8::try_from(u32::from(c)) {
                Ok(byte) if byte >= 0xA0 => out.extend(format!("\\{byte:03o}").into_bytes()),
                _ => out.push(b'?'),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xref_points_at_each_object() {
        let pdf = document(&["Facture (test) é".to_owned()]);
        let text = String::from_utf8_lossy(&pdf);
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(text[start..].starts_with("xref"));
        let first = text[start..].lines().nth(3).unwrap_or_default();
        let offset: usize = first[..10].parse().unwrap_or(0);
        assert!(text[offset..].starts_with("1 0 obj"));
        assert!(text.contains("\\(test\\) \\351"));
    }
}
