//! Runs Tesseract (`fra+eng`, `--psm 6`) on the invoice benchmark set and prints, per case and
//! for clean and degraded pages, which printed fields appear in its output (whitespace ignored):
//! `cargo run -p ocr-fixtures --example tesseract_fields [every-nth]`.

use std::process::Command;

use ocr_fixtures::{format_money, invoice, invoice_set, png};

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let step: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let dir = std::env::temp_dir().join("ocr-fixtures-tesseract");
    std::fs::create_dir_all(&dir)?;
    let mut score = [(0usize, 0usize); 2];
    for case in invoice_set().iter().step_by(step) {
        let (truth, img) = invoice(case.seed, &case.style)?;
        let path = dir.join(format!("{}.png", case.name));
        std::fs::write(&path, png(&img))?;
        let output = Command::new("tesseract")
            .arg(&path)
            .args(["stdout", "-l", "fra+eng", "--psm", "6"])
            .output()?;
        let text = squeeze(&String::from_utf8_lossy(&output.stdout));
        let mut fields = vec![
            ("number", truth.invoice_number.clone()),
            ("supplier", truth.supplier.clone()),
            ("subtotal", format_money(truth.subtotal_cents, truth.lang)),
            ("total", format_money(truth.total_cents, truth.lang)),
        ];
        fields.extend(truth.gst_number.iter().map(|n| ("gst", n.clone())));
        fields.extend(truth.qst_number.iter().map(|n| ("qst", n.clone())));
        for tax in &truth.taxes {
            fields.push(("tax", format_money(tax.amount_cents, truth.lang)));
        }
        for line in &truth.lines {
            fields.push(("line", format_money(line.amount_cents, truth.lang)));
        }
        let missed: Vec<String> = fields
            .iter()
            .filter(|(_, value)| !text.contains(&squeeze(value)))
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let slot = &mut score[usize::from(!case.clean)];
        slot.0 += fields.len() - missed.len();
        slot.1 += fields.len();
        println!(
            "{}: {}/{} missed {missed:?}",
            case.name,
            fields.len() - missed.len(),
            fields.len()
        );
    }
    println!(
        "clean: {}/{} fields; photo: {}/{} fields",
        score[0].0, score[0].1, score[1].0, score[1].1
    );
    Ok(())
}
