//! The inputs the service must refuse, and the PDFs: checked with `image` and, when poppler-utils
//! is installed, with `pdfinfo` and `pdftoppm`.
#![allow(clippy::unwrap_used)]

use std::io::Cursor;
use std::path::Path;
use std::process::{Command, Output};

use image::{ImageFormat, ImageReader};
use ocr_fixtures::{bad, jpeg, pdf_of_jpegs};

const PDFINFO: &str = "/usr/bin/pdfinfo";
const PDFTOPPM: &str = "/usr/bin/pdftoppm";

/// `tool` run on `bytes` written to a file named `name`, or `None` (with a note) when the tool is
/// not installed.
fn run_on(tool: &str, args: &[&str], name: &str, bytes: &[u8]) -> Option<Output> {
    if !Path::new(tool).exists() {
        println!("{tool} is not installed (poppler-utils): check skipped");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("ocr-fixtures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let output = Command::new(tool).args(args).arg(&path).output().unwrap();
    Some(output)
}

fn pdfinfo(name: &str, bytes: &[u8]) -> Option<(bool, String)> {
    run_on(PDFINFO, &[], name, bytes).map(|output| {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    })
}

/// The page count `pdfinfo` printed.
fn pages(text: &str) -> Option<u32> {
    text.lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|count| count.trim().parse().ok())
}

#[test]
fn empty_not_an_image_and_truncated_inputs_do_not_decode() {
    assert!(bad::empty().is_empty());
    assert!(image::load_from_memory(&bad::not_an_image()).is_err());
    // `image` 0.25 decodes a truncated JPEG without an error (the missing rows come out grey):
    // a service has to notice the missing end-of-image marker itself.
    let truncated = bad::truncated_jpeg();
    assert_eq!(image::guess_format(&truncated).unwrap(), ImageFormat::Jpeg);
    assert!(!truncated.ends_with(&[0xFF, 0xD9]));
    assert!(jpeg(&image::RgbImage::new(8, 8), 90).ends_with(&[0xFF, 0xD9]));
    assert!(bad::truncated_pdf().starts_with(b"%PDF-"));
    assert!(!bad::truncated_pdf().windows(9).any(|w| w == b"startxref"));
}

#[test]
fn the_huge_png_is_valid_small_and_at_least_as_big_as_asked() {
    let bytes = bad::huge_png(50);
    assert!(bytes.len() < 1024 * 1024, "{} bytes", bytes.len());
    let reader = ImageReader::with_format(Cursor::new(&bytes), ImageFormat::Png);
    let (width, height) = reader.into_dimensions().unwrap();
    assert!(u64::from(width) * u64::from(height) >= 50_000_000);
    // A small one decodes completely (the same writer; decoding 50 MP is the service's test).
    let small = image::load_from_memory(&bad::huge_png(2))
        .unwrap()
        .to_luma8();
    assert!(u64::from(small.width()) * u64::from(small.height()) >= 2_000_000);
    let dark = small.pixels().filter(|p| p.0[0] < 128).count();
    assert!(dark > 500, "the text stamp is missing ({dark} dark pixels)");
}

#[test]
fn the_png_bomb_claims_ten_gigapixels_in_under_64_kib() {
    let bytes = bad::png_bomb();
    assert!(bytes.len() < 64 * 1024, "{} bytes", bytes.len());
    let reader = ImageReader::with_format(Cursor::new(&bytes), ImageFormat::Png);
    let (width, height) = reader.into_dimensions().unwrap();
    assert_eq!((width, height), (100_000, 100_000));
    // With the default limits `image` refuses it before inflating anything.
    assert!(image::load_from_memory(&bytes).is_err());
}

#[test]
fn pdfinfo_reads_the_pdf_of_jpegs_and_the_long_pdf() {
    let page = image::RgbImage::from_pixel(300, 200, image::Rgb([200, 30, 30]));
    let jpg = jpeg(&page, 85);
    let pdf = pdf_of_jpegs(&[(jpg.clone(), 300, 200), (jpg, 300, 200)]);
    if let Some((ok, text)) = pdfinfo("jpegs.pdf", &pdf) {
        assert!(ok, "{text}");
        assert_eq!(pages(&text), Some(2), "{text}");
    }
    if let Some(output) = run_on(
        PDFTOPPM,
        &["-r", "50", "-png", "-f", "1", "-l", "1"],
        "render.pdf",
        &pdf,
    ) {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.stdout.starts_with(b"\x89PNG"));
    }
    let letter = image::RgbImage::from_pixel(1275, 1650, image::Rgb([255, 255, 255]));
    let letter_pdf = pdf_of_jpegs(&[(jpeg(&letter, 75), 1275, 1650)]);
    if let Some((ok, text)) = pdfinfo("letter.pdf", &letter_pdf) {
        assert!(ok, "{text}");
        assert!(text.contains("612 x 792 pts (letter)"), "{text}");
    }
    if let Some((ok, text)) = pdfinfo("long.pdf", &bad::pdf_pages(200)) {
        assert!(ok, "{text}");
        assert_eq!(pages(&text), Some(200), "{text}");
    }
}

#[test]
fn pdfinfo_finds_the_encrypted_pdf_encrypted_and_the_truncated_one_short() {
    if let Some((ok, text)) = pdfinfo("encrypted.pdf", &bad::encrypted_pdf()) {
        let refused = !ok && text.contains("password");
        let encrypted = text
            .lines()
            .any(|l| l.starts_with("Encrypted:") && l.contains("yes"));
        assert!(refused || encrypted, "{text}");
        println!("pdfinfo on the encrypted PDF: {}", text.trim());
    }
    if let Some((ok, text)) = pdfinfo("truncated.pdf", &bad::truncated_pdf()) {
        println!("pdfinfo on the truncated PDF (ok: {ok}): {}", text.trim());
        assert!(!ok || pages(&text) != Some(3), "{text}");
    }
}
