//! Tesseract (when installed) reads the invoice number and the total of clean invoices; the
//! degraded ones are printed for a look, not judged.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use ocr_fixtures::{Degrade, Font, InvoiceStyle, Lang, Layout, format_money, invoice, png};

const TESSERACT: &str = "/usr/bin/tesseract";

fn read(name: &str, png_bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("ocr-fixtures-tess-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, png_bytes).unwrap();
    let output = Command::new(TESSERACT)
        .arg(&path)
        .args(["stdout", "-l", "fra+eng", "--psm", "6"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn tesseract_reads_the_number_and_the_total_of_clean_invoices() {
    if !Path::new(TESSERACT).exists() {
        println!("{TESSERACT} is not installed: check skipped");
        return;
    }
    let cases = [
        (Layout::Classic, Font::Sans, Lang::Fr, 11),
        (Layout::Compact, Font::Serif, Lang::En, 12),
        (Layout::Table, Font::Mono, Lang::Fr, 13),
        (Layout::Classic, Font::Condensed, Lang::En, 14),
    ];
    for (layout, font, lang, seed) in cases {
        let style = InvoiceStyle {
            lang,
            font,
            layout,
            degrade: Degrade::CLEAN,
        };
        let (truth, img) = invoice(seed, &style).unwrap();
        let text = read(&format!("clean-{seed}.png"), &png(&img));
        let total = format_money(truth.total_cents, lang);
        assert!(
            text.contains(&truth.invoice_number),
            "{layout:?} {font:?}: no {} in\n{text}",
            truth.invoice_number
        );
        assert!(
            squeeze(&text).contains(&squeeze(&total)),
            "{layout:?} {font:?}: no {total} in\n{text}"
        );
    }
}
