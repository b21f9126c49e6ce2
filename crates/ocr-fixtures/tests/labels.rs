//! Labels: determinism, truth shapes, and every barcode of the benchmark set decoding back to
//! its truth with the reference decode, clean and degraded.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use image::DynamicImage;
use ocr_fixtures::{
    CodeKind, Degrade, Font, LabelCase, LabelStyle, decode_all, label, label_set, png,
};

#[test]
fn the_same_seed_and_style_give_the_same_png_bytes() {
    let style = LabelStyle {
        font: Font::Mono,
        degrade: Degrade::photo(),
        codes: vec![CodeKind::Qr, CodeKind::Code128],
    };
    let (truth_a, img_a) = label(9, &style).unwrap();
    let (truth_b, img_b) = label(9, &style).unwrap();
    assert_eq!(truth_a, truth_b);
    assert_eq!(png(&img_a), png(&img_b));
}

#[test]
fn macs_serials_and_gpon_serials_have_their_normal_form() {
    let style = LabelStyle {
        font: Font::Sans,
        degrade: Degrade::CLEAN,
        codes: Vec::new(),
    };
    for seed in 0..40 {
        let (truth, _) = label(seed, &style).unwrap();
        assert!((1..=2).contains(&truth.macs.len()));
        for mac in &truth.macs {
            assert_eq!(mac.len(), 17, "{mac}");
            assert!(mac.split(':').all(|pair| {
                pair.len() == 2
                    && pair
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
            }));
        }
        assert!(!truth.serial.contains(['I', 'O']), "{}", truth.serial);
        if let Some(gpon) = &truth.gpon_serial {
            assert_eq!(gpon.len(), 12);
            assert!(gpon[..4].bytes().all(|b| b.is_ascii_uppercase()));
            assert!(
                gpon[4..]
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
            );
        }
        assert!(truth.barcodes.is_empty());
    }
}

#[test]
fn the_benchmark_set_covers_every_font_and_symbology_clean_and_degraded() {
    let set = label_set();
    assert!(set.len() >= 24);
    let fonts: HashSet<_> = set.iter().map(|c| (c.style.font, c.clean)).collect();
    assert_eq!(fonts.len(), 8);
    let kinds: HashSet<_> = set
        .iter()
        .flat_map(|c| c.style.codes.iter().map(move |k| (*k, c.clean)))
        .collect();
    assert_eq!(kinds.len(), 6);
}

#[test]
fn every_barcode_of_the_label_set_decodes_to_its_truth() {
    let set = label_set();
    // Two threads: the decode is slow in an unoptimised build.
    let (first, second) = set.split_at(set.len() / 2);
    let failures: Vec<String> = std::thread::scope(|scope| {
        let other = scope.spawn(|| decode_failures(second));
        let mut failures = decode_failures(first);
        failures.extend(other.join().unwrap());
        failures
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn decode_failures(cases: &[LabelCase]) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases {
        let (truth, img) = label(case.seed, &case.style).unwrap();
        let found = decode_all(&DynamicImage::ImageRgb8(img).to_luma8());
        let mut expected: Vec<(String, String)> = truth
            .barcodes
            .iter()
            .map(|b| (format_name(b.kind).to_owned(), b.text.clone()))
            .collect();
        expected.sort();
        if found != expected {
            failures.push(format!(
                "{}: expected {expected:?}, found {found:?}",
                case.name
            ));
        }
    }
    failures
}

fn format_name(kind: CodeKind) -> &'static str {
    match kind {
        CodeKind::Code128 => "code 128",
        CodeKind::DataMatrix => "datamatrix",
        CodeKind::Qr => "qrcode",
    }
}
