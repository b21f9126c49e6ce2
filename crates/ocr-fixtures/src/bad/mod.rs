//! Inputs the OCR service must refuse with a 4xx and bounded memory: nothing, something else,
//! truncated files, huge and bomb PNGs, encrypted and very long PDFs.

mod deflate;

use image::{GrayImage, Luma, Rgb, RgbImage};

use crate::draw::{Page, Weight};
use crate::pdf::{self, Document};
use crate::{Font, fonts};
use deflate::RunEncoder;

/// No bytes at all.
pub fn empty() -> Vec<u8> {
    Vec::new()
}

/// An HTML page (a login page a proxy might return), not an image.
pub fn not_an_image() -> Vec<u8> {
    b"<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Connexion</title></head>\n<body><h1>Session expir\xC3\xA9e</h1><p>Veuillez vous reconnecter.</p></body></html>\n".to_vec()
}

/// The first half of a valid 600 × 400 JPEG: the headers are intact, the scan data stops.
pub fn truncated_jpeg() -> Vec<u8> {
    let img = RgbImage::from_fn(600, 400, |x, y| {
        let shade = ((x / 40 + y / 40) % 2 * 120 + 100) as u8;
        Rgb([shade, shade, 255 - shade])
    });
    let whole = crate::jpeg(&img, 90);
    whole[..whole.len() / 2].to_vec()
}

/// The first 60 % of a valid 3-page PDF: no cross-reference table, no trailer, pages missing.
pub fn truncated_pdf() -> Vec<u8> {
    let whole = pdf_pages(3);
    whole[..whole.len() * 6 / 10].to_vec()
}

/// A valid PNG of at least `megapixels` million pixels (4:3, 1-bit grey, white with a line of
/// black text near the top left), tens of kilobytes on disk; it decodes to that many pixels.
/// Written a row at a time: memory stays small whatever the size.
pub fn huge_png(megapixels: u32) -> Vec<u8> {
    let pixels = u64::from(megapixels.max(1)) * 1_000_000;
    let width = (((pixels as f64 * 4.0 / 3.0).sqrt() as u32).div_ceil(8) * 8).max(8);
    let height = pixels.div_ceil(u64::from(width)) as u32;
    let stamp = text_stamp(&format!("{megapixels} MP test image ({width} x {height})"));
    let row_bytes = (width / 8) as usize;
    let mut zlib = RunEncoder::new();
    let mut row = vec![0u8; row_bytes + 1];
    for y in 0..height {
        row[1..].fill(0xFF);
        stamp_row(&stamp, y, &mut row[1..]);
        zlib.write(&row);
    }
    deflate::png_file(width, height, 1, &zlib.finish())
}

/// Where the text stamp goes on the huge PNG.
const STAMP_AT: (u32, u32) = (200, 200);

/// `text` in black on white, 60 px DejaVu Sans; blank when the font is missing (the PNG stays
/// valid and huge without it).
fn text_stamp(text: &str) -> GrayImage {
    let Ok(faces) = fonts::load(Font::Sans) else {
        return GrayImage::new(0, 0);
    };
    let mut page = Page::new(2000, 100, &faces);
    page.text(0, 10, 60.0, Weight::Regular, text);
    image::DynamicImage::ImageRgb8(page.img).to_luma8()
}

/// Clears the bits of `row` (1-bit, MSB first) that are dark in `stamp` at image row `y`.
fn stamp_row(stamp: &GrayImage, y: u32, row: &mut [u8]) {
    let (left, top) = STAMP_AT;
    let Some(stamp_y) = y.checked_sub(top).filter(|&sy| sy < stamp.height()) else {
        return;
    };
    for stamp_x in 0..stamp.width() {
        let x = (left + stamp_x) as usize;
        let Luma([level]) = *stamp.get_pixel(stamp_x, stamp_y);
        if level < 128 && x / 8 < row.len() {
            row[x / 8] &= !(0x80 >> (x % 8));
        }
    }
}

/// A PNG whose header claims 100 000 × 100 000 8-bit grey pixels (10 GB decoded) and whose IDAT,
/// under 64 KiB, inflates to about 62 MB of zeros before running short. CRCs and the zlib
/// Adler-32 are correct, so a decoder gets past the header and into the IDAT.
pub fn png_bomb() -> Vec<u8> {
    deflate::png_file(100_000, 100_000, 8, &deflate::zeros_bomb(240_000))
}

/// A 1-page PDF with a Standard security handler `/Encrypt` dictionary (RC4 40-bit, revision 2)
/// whose keys match no password: readers ask for one (poppler: "Incorrect password").
pub fn encrypted_pdf() -> Vec<u8> {
    let lines = vec![vec!["Confidential / Confidentiel".to_owned()]];
    pdf::text_pages(&lines, |doc: &mut Document| {
        let owner = "7A".repeat(32);
        let user = "C3".repeat(32);
        let encrypt = doc.add(
            format!("<< /Filter /Standard /V 1 /R 2 /Length 40 /O <{owner}> /U <{user}> /P -44 >>")
                .into_bytes(),
        );
        let id = "0123456789ABCDEF0123456789ABCDEF";
        format!(" /Encrypt {encrypt} 0 R /ID [<{id}> <{id}>]")
    })
}

/// A valid PDF of `n` letter pages of a few text lines each.
pub fn pdf_pages(n: u32) -> Vec<u8> {
    let pages: Vec<Vec<String>> = (1..=n)
        .map(|page| {
            vec![
                format!("Page {page} of {n}"),
                "Gigafibre - test document for page limits".to_owned(),
                format!("Line items continued on page {}", page + 1),
            ]
        })
        .collect();
    pdf::text_pages(&pages, |_| String::new())
}
