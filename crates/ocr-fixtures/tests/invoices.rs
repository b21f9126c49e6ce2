//! Invoices: determinism, the truth adds up, the benchmark set covers every style.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use ocr_fixtures::{
    Degrade, Font, InvoiceStyle, Lang, Layout, invoice, invoice_set, invoice_truth, png,
};

fn style(layout: Layout, font: Font, lang: Lang, degrade: Degrade) -> InvoiceStyle {
    InvoiceStyle {
        lang,
        font,
        layout,
        degrade,
    }
}

#[test]
fn the_same_seed_and_style_give_the_same_png_bytes() {
    let photo = style(Layout::Table, Font::Serif, Lang::Fr, Degrade::photo());
    let (truth_a, img_a) = invoice(42, &photo).unwrap();
    let (truth_b, img_b) = invoice(42, &photo).unwrap();
    assert_eq!(truth_a, truth_b);
    assert_eq!(png(&img_a), png(&img_b));
    let (_, other) = invoice(43, &photo).unwrap();
    assert_ne!(png(&img_a), png(&other));
    assert_eq!(truth_a, invoice_truth(42, Lang::Fr));
}

#[test]
fn lines_taxes_and_totals_add_up_to_the_cent() {
    for seed in 0..300 {
        for lang in [Lang::Fr, Lang::En] {
            let truth = invoice_truth(seed, lang);
            assert!((2..=8).contains(&truth.lines.len()));
            for line in &truth.lines {
                assert_eq!(
                    line.amount_cents,
                    i64::from(line.quantity) * line.unit_price_cents
                );
            }
            let lines: i64 = truth.lines.iter().map(|l| l.amount_cents).sum();
            assert_eq!(lines, truth.subtotal_cents);
            let taxes: i64 = truth.taxes.iter().map(|t| t.amount_cents).sum();
            assert_eq!(truth.subtotal_cents + taxes, truth.total_cents);
            for tax in &truth.taxes {
                let exact =
                    truth.subtotal_cents as f64 * f64::from(tax.rate_millipercent) / 100_000.0;
                assert_eq!(tax.amount_cents, (exact + 1e-9).round() as i64, "{tax:?}");
            }
            let names: Vec<&str> = truth.taxes.iter().map(|t| t.name.as_str()).collect();
            match names.as_slice() {
                ["TPS", "TVQ"] => assert!(truth.qst_number.is_some()),
                ["HST"] => assert!(truth.qst_number.is_none()),
                other => panic!("unexpected taxes {other:?}"),
            }
            assert_eq!(truth.currency, "CAD");
        }
    }
}

#[test]
fn registration_numbers_have_the_printed_shape() {
    for seed in 0..100 {
        let truth = invoice_truth(seed, Lang::En);
        let gst = truth.gst_number.unwrap();
        assert_eq!(gst.len(), 16, "{gst}");
        assert!(gst[..9].bytes().all(|b| b.is_ascii_digit()) && gst.ends_with(" RT0001"));
        if let Some(qst) = truth.qst_number {
            assert_eq!(qst.len(), 17, "{qst}");
            assert!(qst[..10].bytes().all(|b| b.is_ascii_digit()) && qst.ends_with(" TQ0001"));
        }
    }
}

#[test]
fn the_benchmark_set_covers_every_layout_font_and_language_clean_and_degraded() {
    let set = invoice_set();
    assert!(set.len() >= 36);
    let mut combos = HashSet::new();
    for case in &set {
        combos.insert((
            case.style.layout,
            case.style.font,
            case.style.lang,
            case.clean,
        ));
        assert_eq!(case.clean, case.style.degrade.is_clean());
    }
    assert_eq!(combos.len(), 3 * 4 * 2 * 2);
    let names: HashSet<&str> = set.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), set.len());
    let clean = set.iter().filter(|c| c.clean).count();
    assert_eq!(clean * 2, set.len());
}

#[test]
fn every_style_renders_a_letter_page() {
    for layout in Layout::ALL {
        for font in Font::ALL {
            let (_, img) = invoice(7, &style(layout, font, Lang::Fr, Degrade::CLEAN)).unwrap();
            assert_eq!(img.dimensions(), (1275, 1650));
            let dark = img.pixels().filter(|p| p.0[0] < 128).count();
            assert!(
                dark > 10_000,
                "{layout:?} {font:?} drew only {dark} dark pixels"
            );
        }
    }
}
