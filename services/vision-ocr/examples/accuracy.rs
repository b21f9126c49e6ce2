//! Accuracy of a provider on the generated benchmark sets (`ocr_fixtures::invoice_set` and
//! `label_set`): per field, exact matches on clean and on degraded (photo) cases, latency per
//! invoice page and per label, and a final `TARGETS` line judging the bar for the local
//! provider.
//!
//! `cargo run --release -p vision-ocr --example accuracy [-- every-nth]`; `ACCURACY_VERBOSE=1`
//! prints each case's misses, `ACCURACY_DUMP=dir` writes each page's OCR text there.
//!
//! A provider is a [`Provider`]: two closures. Besides the local provider, the Gemini client runs
//! against testkit's fake, which answers each image with its ground truth: its row measures the
//! client, the checks of the answer and the merging with the locally decoded codes, not the model.
//! The targets (local provider, clean cases) are printed as `PASS`/`FAIL` lines, the
//! latencies as `INFO` lines, for `make bench`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use image::{DynamicImage, GrayImage};
use ocr_fixtures::{CodeKind, InvoiceTruth, LabelTruth};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use testkit::FakeGemini;
use vision_ocr::equipment::Label;
use vision_ocr::gemini::{Gemini, GeminiSettings};
use vision_ocr::input::{Checked, Media};
use vision_ocr::invoice::{Invoice, Money, TaxName};
use vision_ocr::local::{self, Local, LocalSettings};

type Reading<T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send>>;

/// A provider under test: how it reads an invoice's pages and a label's image.
struct Provider {
    name: &'static str,
    invoice: Box<dyn Fn(Vec<Arc<GrayImage>>) -> Reading<Invoice>>,
    label: Box<dyn Fn(Arc<GrayImage>) -> Reading<Label>>,
}

/// The local provider: Tesseract, then barcodes by rxing merged in.
fn local_provider() -> Provider {
    let local = Local::new(LocalSettings::default());
    let for_labels = local.clone();
    Provider {
        name: "local",
        invoice: Box::new(move |pages| {
            let local = local.clone();
            Box::pin(async move { local.invoice(&pages).await.map_err(|e| e.to_string()) })
        }),
        label: Box::new(move |page| {
            let local = for_labels.clone();
            Box::pin(async move {
                let for_codes = page.clone();
                let codes = tokio::task::spawn_blocking(move || local::barcodes(&for_codes));
                let label = local.label(&page).await.map_err(|e| e.to_string())?;
                let codes = codes.await.map_err(|e| e.to_string())?;
                Ok(local::with_codes(label, codes))
            })
        }),
    }
}

/// Exact matches of one field: (hits, cases) on clean and on degraded inputs.
#[derive(Default)]
struct Score {
    clean: (usize, usize),
    photo: (usize, usize),
}

impl Score {
    fn add(&mut self, clean: bool, hit: bool) {
        let slot = if clean {
            &mut self.clean
        } else {
            &mut self.photo
        };
        slot.0 += usize::from(hit);
        slot.1 += 1;
    }

    fn clean_rate(&self) -> f64 {
        rate(self.clean)
    }
}

fn rate((hits, cases): (usize, usize)) -> f64 {
    if cases == 0 {
        100.0
    } else {
        100.0 * hits as f64 / cases as f64
    }
}

/// Scores by field name, in the order first seen.
#[derive(Default)]
struct Table {
    fields: Vec<(&'static str, Score)>,
    latencies: Vec<Duration>,
}

impl Table {
    fn add(&mut self, field: &'static str, clean: bool, hit: bool) {
        match self.fields.iter_mut().find(|(f, _)| *f == field) {
            Some((_, score)) => score.add(clean, hit),
            None => {
                let mut score = Score::default();
                score.add(clean, hit);
                self.fields.push((field, score));
            }
        }
    }

    fn clean_rate(&self, field: &str) -> f64 {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(0.0, |(_, s)| s.clean_rate())
    }

    fn print(&self, what: &str) {
        println!("{what:<22} {:>14} {:>14}", "clean", "photo");
        for (field, s) in &self.fields {
            let cell = |(h, n): (usize, usize)| format!("{:5.1} % ({h}/{n})", rate((h, n)));
            println!("  {field:<20} {:>14} {:>14}", cell(s.clean), cell(s.photo));
        }
        println!("  latency (median/p95): {}", self.latency());
    }

    /// `median/p95ms` of the readings.
    fn latency(&self) -> String {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let at = |q: f64| {
            let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
            sorted.get(i).map_or(0, |d| d.as_millis())
        };
        format!("{}/{}ms", at(0.5), at(0.95))
    }
}

fn grey(img: &image::RgbImage) -> Arc<GrayImage> {
    Arc::new(DynamicImage::ImageRgb8(img.clone()).into_luma8())
}

fn tax_name(name: TaxName) -> &'static str {
    match name {
        TaxName::Tps => "TPS",
        TaxName::Tvq => "TVQ",
        TaxName::Hst => "HST",
    }
}

/// Each field of `got` against `truth`: (field, hit, what was read, what was printed).
fn invoice_fields(got: &Invoice, t: &InvoiceTruth) -> Vec<(&'static str, bool, String, String)> {
    let taxes: Vec<(&str, i64, Option<u32>)> = got
        .taxes
        .iter()
        .map(|x| {
            (
                tax_name(x.name),
                x.amount.0,
                x.rate.map(|r| (r * 1000.0).round() as u32),
            )
        })
        .collect();
    let truth_taxes: Vec<(&str, i64, Option<u32>)> = t
        .taxes
        .iter()
        .map(|x| (x.name.as_str(), x.amount_cents, Some(x.rate_millipercent)))
        .collect();
    let row = |f: &'static str, hit: bool, g: String, w: String| (f, hit, g, w);
    vec![
        row(
            "supplier",
            got.supplier.as_deref() == Some(&t.supplier),
            format!("{:?}", got.supplier),
            t.supplier.clone(),
        ),
        row(
            "gst_number",
            got.gst_number == t.gst_number,
            format!("{:?}", got.gst_number),
            format!("{:?}", t.gst_number),
        ),
        row(
            "qst_number",
            got.qst_number == t.qst_number,
            format!("{:?}", got.qst_number),
            format!("{:?}", t.qst_number),
        ),
        row(
            "invoice_number",
            got.invoice_number.as_deref() == Some(&t.invoice_number),
            format!("{:?}", got.invoice_number),
            t.invoice_number.clone(),
        ),
        row(
            "date",
            got.date == Some(t.date),
            format!("{:?}", got.date),
            t.date.to_string(),
        ),
        row(
            "due_date",
            got.due_date == t.due_date,
            format!("{:?}", got.due_date),
            format!("{:?}", t.due_date),
        ),
        row(
            "subtotal",
            got.subtotal == Some(Money(t.subtotal_cents)),
            format!("{:?}", got.subtotal),
            t.subtotal_cents.to_string(),
        ),
        row(
            "taxes",
            taxes == truth_taxes,
            format!("{taxes:?}"),
            format!("{truth_taxes:?}"),
        ),
        row(
            "total",
            got.total == Some(Money(t.total_cents)),
            format!("{:?}", got.total),
            t.total_cents.to_string(),
        ),
        row(
            "lines count",
            got.lines.len() == t.lines.len(),
            got.lines.len().to_string(),
            t.lines.len().to_string(),
        ),
    ]
}

fn kind_name(kind: CodeKind) -> &'static str {
    match kind {
        CodeKind::Code128 => "code128",
        CodeKind::DataMatrix => "datamatrix",
        CodeKind::Qr => "qr",
    }
}

fn label_fields(got: &Label, t: &LabelTruth) -> Vec<(&'static str, bool, String, String)> {
    let decoded = t.barcodes.iter().all(|b| {
        got.barcodes
            .iter()
            .any(|g| g.format == kind_name(b.kind) && g.text == b.text)
    });
    vec![
        (
            "serial",
            got.serial.as_deref() == Some(&t.serial),
            format!("{:?}", got.serial),
            t.serial.clone(),
        ),
        (
            "macs",
            got.macs == t.macs,
            format!("{:?}", got.macs),
            format!("{:?}", t.macs),
        ),
        (
            "gpon_serial",
            got.gpon_serial == t.gpon_serial,
            format!("{:?}", got.gpon_serial),
            format!("{:?}", t.gpon_serial),
        ),
        (
            "model",
            got.model.as_deref() == Some(&t.model),
            format!("{:?}", got.model),
            t.model.clone(),
        ),
        (
            "barcodes decoded",
            decoded,
            format!("{:?}", got.barcodes),
            format!("{:?}", t.barcodes),
        ),
    ]
}

fn record(
    table: &mut Table,
    name: &str,
    clean: bool,
    fields: Vec<(&'static str, bool, String, String)>,
) {
    let verbose = std::env::var_os("ACCURACY_VERBOSE").is_some();
    for (field, hit, got, want) in fields {
        table.add(field, clean, hit);
        if verbose && !hit {
            println!("  {name}: {field}: read {got}, printed {want}");
        }
    }
}

async fn dump_text(name: &str, page: &GrayImage) {
    let Some(dir) = std::env::var_os("ACCURACY_DUMP") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let text = Local::new(LocalSettings::default())
        .text(page)
        .await
        .unwrap_or_else(|e| e.to_string());
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{name}.txt")), text);
    let _ = page.save(dir.join(format!("{name}.png")));
}

async fn invoices(provider: &Provider, step: usize) -> Result<Table, Box<dyn std::error::Error>> {
    let mut table = Table::default();
    for case in ocr_fixtures::invoice_set().iter().step_by(step) {
        let (truth, img) = ocr_fixtures::invoice(case.seed, &case.style)?;
        let page = grey(&img);
        dump_text(&case.name, &page).await;
        let started = Instant::now();
        let got = (provider.invoice)(vec![page]).await;
        table.latencies.push(started.elapsed());
        let got = got.unwrap_or_else(|e| {
            println!("  {}: {} failed: {e}", case.name, provider.name);
            Invoice::default()
        });
        record(
            &mut table,
            &case.name,
            case.clean,
            invoice_fields(&got, &truth),
        );
    }
    Ok(table)
}

async fn labels(provider: &Provider, step: usize) -> Result<Table, Box<dyn std::error::Error>> {
    let mut table = Table::default();
    for case in ocr_fixtures::label_set().iter().step_by(step) {
        let (truth, img) = ocr_fixtures::label(case.seed, &case.style)?;
        let page = grey(&img);
        dump_text(&case.name, &page).await;
        let started = Instant::now();
        let got = (provider.label)(page).await;
        table.latencies.push(started.elapsed());
        let got = got.unwrap_or_else(|e| {
            println!("  {}: {} failed: {e}", case.name, provider.name);
            Label::default()
        });
        record(
            &mut table,
            &case.name,
            case.clean,
            label_fields(&got, &truth),
        );
    }
    Ok(table)
}

/// The bar for the local provider, judged on the clean cases: one `PASS`/`FAIL` line each.
fn targets(inv: &Table, lab: &Table) -> Vec<String> {
    let checks = [
        ("clean invoices: total", inv.clean_rate("total"), 95.0),
        (
            "clean invoices: invoice number",
            inv.clean_rate("invoice_number"),
            95.0,
        ),
        ("clean invoices: date", inv.clean_rate("date"), 95.0),
        ("clean labels: serial", lab.clean_rate("serial"), 95.0),
        ("clean labels: MACs", lab.clean_rate("macs"), 95.0),
        (
            "clean labels: barcodes decoded",
            lab.clean_rate("barcodes decoded"),
            100.0,
        ),
    ];
    checks
        .iter()
        .map(|(what, got, bar)| {
            let verdict = if got >= bar { "PASS" } else { "FAIL" };
            format!("{verdict}  local {what} >= {bar} %  {got:.1}%")
        })
        .collect()
}

/// The fake's answer for an invoice: its ground truth, as Gemini's schema has it.
fn invoice_answer(t: &InvoiceTruth) -> Value {
    let dollars = |cents: i64| cents as f64 / 100.0;
    json!({
        "supplier": t.supplier, "gst_number": t.gst_number, "qst_number": t.qst_number,
        "invoice_number": t.invoice_number, "date": t.date.to_string(),
        "due_date": t.due_date.map(|d| d.to_string()), "currency": t.currency,
        "lines": t.lines.iter().map(|l| json!({"description": l.description, "quantity": l.quantity,
            "unit_price": dollars(l.unit_price_cents), "amount": dollars(l.amount_cents)})).collect::<Vec<_>>(),
        "subtotal": dollars(t.subtotal_cents),
        "taxes": t.taxes.iter().map(|x| json!({"name": x.name,
            "rate": f64::from(x.rate_millipercent) / 1000.0, "amount": dollars(x.amount_cents)})).collect::<Vec<_>>(),
        "total": dollars(t.total_cents),
    })
}

/// A page as the service sends it: PNG bytes (what the fake's answers are keyed by).
fn png_of(page: &GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = page.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png);
    out
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The fake Gemini taught every case's truth, and the client pointed at it.
async fn gemini_provider(
    step: usize,
) -> Result<(Provider, FakeGemini), Box<dyn std::error::Error>> {
    let fake = FakeGemini::spawn().await;
    for case in ocr_fixtures::invoice_set().iter().step_by(step) {
        let (truth, img) = ocr_fixtures::invoice(case.seed, &case.style)?;
        fake.answer_for_image(&sha(&png_of(&grey(&img))), invoice_answer(&truth));
    }
    for case in ocr_fixtures::label_set().iter().step_by(step) {
        let (t, img) = ocr_fixtures::label(case.seed, &case.style)?;
        let answer = json!({"serial": t.serial, "macs": t.macs, "gpon_serial": t.gpon_serial, "model": t.model});
        fake.answer_for_image(&sha(&png_of(&grey(&img))), answer);
    }
    let mut settings = GeminiSettings::new(fake.key().into());
    settings.api_url = fake.url();
    let gemini = Gemini::new(settings)?;
    let for_labels = gemini.clone();
    let checked = |page: &GrayImage| Checked {
        media: Media::Png,
        bytes: png_of(page).into(),
        pages: 1,
        image: None,
    };
    let provider = Provider {
        name: "gemini (fake: answers each image's truth)",
        invoice: Box::new(move |pages| {
            let gemini = gemini.clone();
            let doc = checked(&pages[0]);
            Box::pin(async move { gemini.invoice(&doc).await.map_err(|e| e.reason()) })
        }),
        label: Box::new(move |page| {
            let gemini = for_labels.clone();
            let doc = checked(&page);
            Box::pin(async move {
                let codes = tokio::task::spawn_blocking(move || local::barcodes(&page));
                let label = gemini.label(&doc).await.map_err(|e| e.reason())?;
                let codes = codes.await.map_err(|e| e.to_string())?;
                Ok(local::with_codes(label, codes))
            })
        }),
    };
    Ok((provider, fake))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let step: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1);
    let (gemini, _fake) = gemini_provider(step).await?;
    let mut verdicts = Vec::new();
    for provider in [local_provider(), gemini] {
        println!("\nprovider {}", provider.name);
        let inv = invoices(&provider, step).await?;
        inv.print("invoices (per page)");
        let lab = labels(&provider, step).await?;
        lab.print("labels");
        if provider.name == "local" {
            verdicts.extend(targets(&inv, &lab));
            verdicts.push(format!(
                "INFO  local latency per invoice page (median/p95)  {}",
                inv.latency()
            ));
            verdicts.push(format!(
                "INFO  local latency per label (median/p95)  {}",
                lab.latency()
            ));
        }
    }
    println!();
    for line in verdicts {
        println!("{line}");
    }
    Ok(())
}
