//! Test images with known ground truth for the OCR service (`services/vision-ocr`): invoices from
//! fictional Quebec and Ontario network-equipment suppliers, equipment labels with barcodes, the
//! standard benchmark sets of both, encoders (PNG, JPEG, WebP, PDF of JPEG pages) and, in [`bad`],
//! the inputs the service must refuse.
//!
//! Everything is deterministic: the same seed and style give the same bytes. Fonts are read at
//! run time from Debian's DejaVu packages (`fonts-dejavu-core`, `fonts-dejavu-extra`).
//!
//! ```no_run
//! use ocr_fixtures::{invoice_set, invoice, jpeg, label, label_set, decode_all};
//!
//! # fn main() -> Result<(), ocr_fixtures::FixtureError> {
//! for case in invoice_set() {
//!     let (truth, img) = invoice(case.seed, &case.style)?;
//!     let upload = jpeg(&img, 85); // what a phone would send
//!     // post `upload`, compare the extracted fields with `truth` …
//! #   let _ = (truth, upload);
//! }
//! for case in label_set() {
//!     let (truth, img) = label(case.seed, &case.style)?;
//!     let luma = image::DynamicImage::ImageRgb8(img).to_luma8();
//!     assert_eq!(decode_all(&luma).len(), truth.barcodes.len());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Money in the truth is in cents (`i64`); tax rates are in thousandths of a percent
//! ([`TaxTruth::rate_millipercent`]: 5000 = 5 %, 9975 = 9.975 %, 13000 = 13 %).

pub mod bad;
mod barcode;
mod degrade;
mod draw;
mod encode;
mod fonts;
mod format;
mod invoice;
mod label;
mod pdf;
mod sets;

pub use barcode::decode_all;
pub use degrade::Degrade;
pub use encode::{jpeg, png, webp};
pub use fonts::Font;
pub use format::money as format_money;
pub use invoice::{
    InvoiceStyle, InvoiceTruth, Layout, LineTruth, TaxTruth, invoice, invoice_truth,
};
pub use label::{BarcodeTruth, CodeKind, LabelStyle, LabelTruth, label};
pub use pdf::pdf_of_jpegs;
pub use sets::{InvoiceCase, LabelCase, invoice_set, label_set};

use serde::{Deserialize, Serialize};

/// The language a document is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    /// French (Quebec): `1 234,56 $`, `03/11/2026`, `3 novembre 2026`.
    Fr,
    /// English (Canada): `$1,234.56`, `November 3, 2026`.
    En,
}

/// Why a fixture could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// A font file is missing or unreadable; the message names the Debian package holding it.
    #[error("font {path} could not be read ({source}); install the Debian package {package}")]
    FontMissing {
        /// The path looked for.
        path: String,
        /// The Debian package that ships it.
        package: &'static str,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A font file was read but is not a usable TrueType font.
    #[error("font {path} is not a valid TrueType font")]
    FontInvalid {
        /// The path read.
        path: String,
    },
    /// The barcode encoder refused a text.
    #[error("barcode {kind:?} of {text:?} could not be encoded: {reason}")]
    Barcode {
        /// The symbology.
        kind: CodeKind,
        /// The text to encode.
        text: String,
        /// The encoder's message.
        reason: String,
    },
}
