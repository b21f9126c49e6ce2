//! The local provider end to end on generated fixtures (`ocr-fixtures`): Tesseract and poppler
//! as installed on this machine, about a second a page.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use bytes::Bytes;
use image::{DynamicImage, GrayImage};
use ocr_fixtures::{
    CodeKind, Degrade, Font, InvoiceStyle, LabelStyle, Lang, Layout, invoice, jpeg, label,
    pdf_of_jpegs,
};
use vision_ocr::input::Guard;
use vision_ocr::invoice::Money;
use vision_ocr::local::{self, Local, LocalError, LocalSettings};
use vision_ocr::process::Limits;

fn local() -> Local {
    Local::new(LocalSettings::default())
}

fn grey(img: &image::RgbImage) -> Arc<GrayImage> {
    Arc::new(DynamicImage::ImageRgb8(img.clone()).into_luma8())
}

fn clean_invoice(layout: Layout, font: Font, lang: Lang) -> InvoiceStyle {
    InvoiceStyle {
        lang,
        font,
        layout,
        degrade: Degrade::CLEAN,
    }
}

fn guard() -> Guard {
    Guard {
        max_pixels: 25_000_000,
        max_pages: 10,
        limits: Limits::default(),
    }
}

#[tokio::test]
async fn the_engine_is_ready_here_and_unavailable_without_tesseract() {
    local().check().await.unwrap();
    let missing = Local::new(LocalSettings {
        tesseract: "no-such-tesseract".into(),
        ..LocalSettings::default()
    });
    let e = missing.check().await.unwrap_err();
    assert!(matches!(e, LocalError::Unavailable(_)), "{e}");
    let blank = grey(&image::RgbImage::new(10, 10));
    let e = missing.invoice(&[blank]).await.unwrap_err();
    assert!(matches!(e, LocalError::Unavailable(_)), "{e}");
}

#[tokio::test]
async fn clean_invoices_of_every_layout_font_and_language_give_total_number_and_date() {
    let cases = [
        (Layout::Classic, Font::Sans, Lang::Fr),
        (Layout::Classic, Font::Serif, Lang::En),
        (Layout::Compact, Font::Mono, Lang::Fr),
        (Layout::Compact, Font::Condensed, Lang::En),
        (Layout::Table, Font::Serif, Lang::Fr),
        (Layout::Table, Font::Mono, Lang::En),
    ];
    for (seed, (layout, font, lang)) in (7000..).zip(cases) {
        let (truth, img) = invoice(seed, &clean_invoice(layout, font, lang)).unwrap();
        let read = local().invoice(&[grey(&img)]).await.unwrap();
        let case = format!("{layout:?} {font:?} {lang:?} seed {seed}");
        assert_eq!(read.total, Some(Money(truth.total_cents)), "{case}");
        let number = Some(truth.invoice_number.as_str());
        assert_eq!(read.invoice_number.as_deref(), number, "{case}");
        assert_eq!(read.date, Some(truth.date), "{case}");
        assert_eq!(read.currency.as_deref(), Some("CAD"), "{case}");
    }
}

#[tokio::test]
async fn labels_give_serial_macs_and_every_barcode() {
    let all = vec![CodeKind::Code128, CodeKind::DataMatrix, CodeKind::Qr];
    let styles = [
        (Font::Sans, all),
        (Font::Condensed, vec![CodeKind::Code128]),
    ];
    for (seed, (font, codes)) in (7100..).zip(styles) {
        let style = LabelStyle {
            font,
            degrade: Degrade::CLEAN,
            codes,
        };
        let (truth, img) = label(seed, &style).unwrap();
        let page = grey(&img);
        let codes = local::barcodes(&page);
        let read = local::with_codes(local().label(&page).await.unwrap(), codes);
        assert_eq!(
            read.serial.as_deref(),
            Some(truth.serial.as_str()),
            "{seed}"
        );
        assert_eq!(read.macs, truth.macs, "seed {seed}");
        for code in &truth.barcodes {
            let found = read.barcodes.iter().any(|b| b.text == code.text);
            assert!(found, "{seed}: {code:?} not in {:?}", read.barcodes);
        }
    }
}

#[tokio::test]
async fn a_two_page_pdf_is_rendered_and_read() {
    let fr = clean_invoice(Layout::Classic, Font::Sans, Lang::Fr);
    let en = clean_invoice(Layout::Compact, Font::Sans, Lang::En);
    let (first, first_img) = invoice(7200, &fr).unwrap();
    let (second, second_img) = invoice(7201, &en).unwrap();
    let pages: Vec<(Vec<u8>, u32, u32)> = [&first_img, &second_img]
        .iter()
        .map(|img| (jpeg(img, 90), img.width(), img.height()))
        .collect();
    let doc = guard()
        .check(Bytes::from(pdf_of_jpegs(&pages)), false)
        .await
        .unwrap();
    assert_eq!(doc.pages, 2);

    let rendered = local().pages(&doc).await.unwrap();
    assert_eq!(rendered.len(), 2);
    assert_eq!(rendered[0].height().max(rendered[0].width()), 2200);
    let read = local().invoice(&rendered).await.unwrap();
    let number = Some(first.invoice_number.as_str());
    assert_eq!(read.invoice_number.as_deref(), number);
    assert_eq!(read.date, Some(first.date));
    let second_page = local().text(&rendered[1]).await.unwrap();
    assert!(
        second_page.contains(&second.invoice_number),
        "{second_page}"
    );
}

#[tokio::test]
async fn an_image_upload_is_its_own_page() {
    let style = LabelStyle {
        font: Font::Sans,
        degrade: Degrade::CLEAN,
        codes: vec![CodeKind::Qr],
    };
    let (_, img) = label(7300, &style).unwrap();
    let png = Bytes::from(ocr_fixtures::png(&img));
    let doc = guard().check(png, true).await.unwrap();
    let pages = local().pages(&doc).await.unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].dimensions(), img.dimensions());
}
