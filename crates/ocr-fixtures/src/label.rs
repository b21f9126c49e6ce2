//! Equipment labels: the sticker under an ONT or a router, with its model, serial number, MAC
//! addresses, GPON serial and barcodes.

mod content;

use image::{GrayImage, RgbImage, imageops};
use serde::{Deserialize, Serialize};

use crate::barcode;
use crate::draw::{Page, Weight};
use crate::fonts::{self, Font};
use crate::{Degrade, FixtureError};
use content::{Content, PrintedLabel};

/// A barcode symbology drawn on labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CodeKind {
    /// Code 128: two on a label, one of the serial number and one of the first MAC (12 hex
    /// digits, no separators).
    Code128,
    /// DataMatrix of `SN:<serial> MAC:<mac>`.
    DataMatrix,
    /// QR code of `SN:<serial>;MAC:<mac>` (and `;GPON:<gpon serial>` on an ONT).
    Qr,
}

impl CodeKind {
    /// Every symbology, in a fixed order.
    pub const ALL: [CodeKind; 3] = [CodeKind::Code128, CodeKind::DataMatrix, CodeKind::Qr];
}

/// How a label is printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelStyle {
    /// The typeface.
    pub font: Font,
    /// The degradation applied after drawing.
    pub degrade: Degrade,
    /// The symbologies drawn; repeats are ignored, an empty list draws no barcode.
    pub codes: Vec<CodeKind>,
}

/// What a label says, as the OCR should extract it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelTruth {
    /// The model as printed after `Model:`, e.g. `HG8245Q2`.
    pub model: String,
    /// The serial number, e.g. `2102351KXB10M8000123`; its letters never include `I` or `O`.
    pub serial: String,
    /// The MAC addresses, normalised `AA:BB:CC:DD:EE:FF` in upper case, as printed top to bottom
    /// (the printed form varies: colons, dashes, none, Cisco `001a.2b3c.4d5e`).
    pub macs: Vec<String>,
    /// The GPON serial of an ONT: 4 vendor letters and 8 upper-case hex digits, `HWTC1A2B3C4D`.
    pub gpon_serial: Option<String>,
    /// The barcodes drawn, with the exact text each encodes.
    pub barcodes: Vec<BarcodeTruth>,
}

/// One barcode on a label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BarcodeTruth {
    /// The symbology.
    pub kind: CodeKind,
    /// The encoded text.
    pub text: String,
}

const WIDTH: u32 = 1200;
const MARGIN: i32 = 50;
const TEXT: f32 = 30.0;
const LINE: i32 = 44;
/// Pixels per module of the 2-D codes and of Code 128.
const MODULE_2D: u32 = 8;
const MODULE_1D: u32 = 3;

/// The label of `seed` printed in `style`: its truth and its image (1200 px wide, as tall as its
/// content). The same seed and style give the same image.
pub fn label(seed: u64, style: &LabelStyle) -> Result<(LabelTruth, RgbImage), FixtureError> {
    let faces = fonts::load(style.font)?;
    let content = Content::draw(seed);
    let printed = content.printed(seed);
    let barcodes = content.barcodes(&style.codes);
    let drawn_2d = barcodes
        .iter()
        .filter(|code| code.kind != CodeKind::Code128)
        .map(|code| barcode::draw(code.kind, &code.text, MODULE_2D, 0))
        .collect::<Result<Vec<_>, _>>()?;
    let drawn_1d = barcodes
        .iter()
        .filter(|code| code.kind == CodeKind::Code128)
        .map(|code| {
            Ok((
                barcode::draw(code.kind, &code.text, MODULE_1D, 90)?,
                code.text.clone(),
            ))
        })
        .collect::<Result<Vec<_>, FixtureError>>()?;

    let text_bottom = 40 + 60 + LINE * printed.lines.len() as i32;
    let codes_bottom = drawn_2d
        .iter()
        .map(|d| 40 + d.img.height() as i32)
        .max()
        .unwrap_or(0);
    let mut y = text_bottom.max(codes_bottom) + 10;
    let height = y
        + drawn_1d
            .iter()
            .map(|(d, _)| d.img.height() as i32 + 40)
            .sum::<i32>()
        + 30;
    let mut page = Page::new(WIDTH, height.unsigned_abs(), &faces);
    page.frame(8, 8, WIDTH - 16, height.unsigned_abs() - 16);
    write_text(&mut page, &printed);

    let mut x = WIDTH as i64 - i64::from(MARGIN);
    for drawn in &drawn_2d {
        x -= i64::from(drawn.img.width());
        paste(&mut page.img, &drawn.img, x, 40);
        x -= 10;
    }
    for (drawn, text) in &drawn_1d {
        paste(&mut page.img, &drawn.img, i64::from(MARGIN), i64::from(y));
        let bars_centre = MARGIN + drawn.img.width() as i32 / 2;
        y += drawn.img.height() as i32;
        page.text_centred(bars_centre, y - 6, 24.0, Weight::Regular, text);
        y += 40;
    }
    let truth = LabelTruth {
        model: content.model.to_owned(),
        serial: content.serial.clone(),
        macs: content
            .macs
            .iter()
            .map(|mac| content::colon_mac(mac))
            .collect(),
        gpon_serial: content.gpon_serial.clone(),
        barcodes,
    };
    Ok((truth, style.degrade.apply(page.img, seed)))
}

fn write_text(page: &mut Page, printed: &PrintedLabel) {
    page.text(MARGIN, 40, 46.0, Weight::Bold, &printed.brand);
    let mut y = 100;
    for line in &printed.lines {
        page.text(MARGIN, y, TEXT, Weight::Regular, line);
        y += LINE;
    }
}

fn paste(img: &mut RgbImage, code: &GrayImage, x: i64, y: i64) {
    let rgb = image::DynamicImage::ImageLuma8(code.clone()).to_rgb8();
    imageops::replace(img, &rgb, x, y);
}
