//! `make bench` (mode `vision`): testkit's fake Gemini on a free loopback port, answering every
//! request with the ground truth of one generated invoice, and that invoice photographed (JPEG) as
//! the multipart body the load generator posts. Prints `FAKE_GEMINI url=… key=… body=… boundary=…`
//! and serves until killed.
//!
//! `cargo run --release -p vision-ocr --example fake_gemini -- <dir for the body>`
#![allow(clippy::unwrap_used)]

use ocr_fixtures::{Degrade, Font, InvoiceStyle, Lang, Layout, invoice, jpeg};
use serde_json::json;
use testkit::FakeGemini;

const BOUNDARY: &str = "gigafibre-bench-7d3f0a9c";

fn dollars(cents: i64) -> f64 {
    cents as f64 / 100.0
}

#[tokio::main]
async fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let style = InvoiceStyle {
        lang: Lang::Fr,
        font: Font::Sans,
        layout: Layout::Classic,
        degrade: Degrade::photo(),
    };
    let (truth, image) = invoice(7, &style).unwrap();
    let photo = jpeg(&image, 85);
    let gemini = FakeGemini::spawn().await;
    gemini.answer(json!({
        "supplier": truth.supplier, "gst_number": truth.gst_number, "qst_number": truth.qst_number,
        "invoice_number": truth.invoice_number, "date": truth.date.to_string(),
        "due_date": truth.due_date.map(|d| d.to_string()), "currency": truth.currency,
        "lines": truth.lines.iter().map(|l| json!({"description": l.description,
            "quantity": l.quantity, "unit_price": dollars(l.unit_price_cents),
            "amount": dollars(l.amount_cents)})).collect::<Vec<_>>(),
        "subtotal": dollars(truth.subtotal_cents),
        "taxes": truth.taxes.iter().map(|t| json!({"name": t.name,
            "rate": f64::from(t.rate_millipercent) / 1000.0,
            "amount": dollars(t.amount_cents)})).collect::<Vec<_>>(),
        "total": dollars(truth.total_cents),
    }));
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"facture.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&photo);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let path = format!("{dir}/vision-invoice.body");
    std::fs::write(&path, &body).unwrap();
    println!(
        "FAKE_GEMINI url={} key={} body={path} boundary={BOUNDARY} photo_bytes={}",
        gemini.url(),
        gemini.key(),
        photo.len()
    );
    std::future::pending::<()>().await;
}
