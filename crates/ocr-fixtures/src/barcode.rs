//! Barcodes through rxing: drawn module by module at a chosen size with their quiet zones, and
//! read back with the decode the tests rely on.

use image::{GrayImage, Luma};
use rxing::common::BitMatrix;
use rxing::{BarcodeFormat, DecodeHints, EncodeHints, MultiFormatWriter, Writer, helpers};

use crate::FixtureError;
use crate::label::CodeKind;

/// A barcode drawn black on white, quiet zone included.
pub(crate) struct Drawn {
    pub img: GrayImage,
}

impl CodeKind {
    fn format(self) -> BarcodeFormat {
        match self {
            CodeKind::Code128 => BarcodeFormat::CODE_128,
            CodeKind::DataMatrix => BarcodeFormat::DATA_MATRIX,
            CodeKind::Qr => BarcodeFormat::QR_CODE,
        }
    }

    /// Quiet zone in modules on each side: 10 for Code 128, 4 for QR, 2 for DataMatrix (twice
    /// the 1-module minimum, for photos).
    fn quiet_zone(self) -> u32 {
        match self {
            CodeKind::Code128 => 10,
            CodeKind::Qr => 4,
            CodeKind::DataMatrix => 2,
        }
    }
}

/// `text` as a `kind` barcode, `module` pixels per module; a 1-D code is `bar_height` tall.
pub(crate) fn draw(
    kind: CodeKind,
    text: &str,
    module: u32,
    bar_height: u32,
) -> Result<Drawn, FixtureError> {
    let matrix = encode(kind, text)?;
    let quiet = kind.quiet_zone() * module;
    let (columns, rows) = (matrix.width(), matrix.height());
    let height = match kind {
        CodeKind::Code128 => bar_height,
        _ => rows * module,
    };
    let top = 4 * module;
    let mut img =
        GrayImage::from_pixel(columns * module + 2 * quiet, height + 2 * top, Luma([255]));
    for (x, y, pixel) in img.enumerate_pixels_mut() {
        let (Some(column), Some(row)) = (x.checked_sub(quiet), y.checked_sub(top)) else {
            continue;
        };
        let (column, row) = (column / module, row / module);
        let row = if kind == CodeKind::Code128 { 0 } else { row };
        if column < columns && y - top < height && matrix.get(column, row) {
            *pixel = Luma([0]);
        }
    }
    Ok(Drawn { img })
}

/// One module per bit, no margin.
fn encode(kind: CodeKind, text: &str) -> Result<BitMatrix, FixtureError> {
    let hints = EncodeHints {
        Margin: Some("0".to_owned()),
        ..EncodeHints::default()
    };
    MultiFormatWriter
        .encode_with_hints(text, &kind.format(), 0, 0, &hints)
        .map_err(|error| FixtureError::Barcode {
            kind,
            text: text.to_owned(),
            reason: error.to_string(),
        })
}

/// Every barcode rxing finds in `img`, as (format, text), sorted, each once: the reference
/// decode used by the tests. The format is rxing's name (`code 128`, `datamatrix`, `qrcode`).
///
/// Two rxing calls, both on the grey pixels and limited to the three symbologies of the labels
/// (unrestricted, noise in a photo once decoded as an EAN-8) with `TryHarder`:
/// `rxing::helpers::detect_multiple_in_luma_with_hints` (a `GenericMultipleBarcodeReader` over
/// a `HybridBinarizer`), which finds codes of several symbologies in one image but missed a QR
/// code beside a DataMatrix on a degraded label; then, for each 2-D symbology it found none of,
/// `detect_in_luma_with_hints` for that symbology alone, which finds it. An image without a barcode gives an empty list.
pub fn decode_all(img: &GrayImage) -> Vec<(String, String)> {
    let (width, height) = img.dimensions();
    let formats = [
        BarcodeFormat::CODE_128,
        BarcodeFormat::DATA_MATRIX,
        BarcodeFormat::QR_CODE,
    ];
    let hints = DecodeHints {
        PossibleFormats: Some(formats.into_iter().collect()),
        TryHarder: Some(true),
        ..DecodeHints::default()
    };
    let luma = img.as_raw();
    let mut found = helpers::detect_multiple_in_luma_with_hints(
        luma.clone(),
        width,
        height,
        &mut hints.clone(),
    )
    .unwrap_or_default();
    for format in [BarcodeFormat::DATA_MATRIX, BarcodeFormat::QR_CODE] {
        if found
            .iter()
            .any(|result| result.getBarcodeFormat() == &format)
        {
            continue;
        }
        let single = helpers::detect_in_luma_with_hints(
            luma.clone(),
            width,
            height,
            Some(format),
            &mut hints.clone(),
        );
        found.extend(single);
    }
    let mut out: Vec<(String, String)> = found
        .iter()
        .map(|result| {
            (
                result.getBarcodeFormat().to_string(),
                result.getText().to_owned(),
            )
        })
        .collect();
    out.sort();
    out.dedup();
    out
}
