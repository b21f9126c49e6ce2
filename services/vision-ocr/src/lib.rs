//! vision-ocr: supplier invoices and equipment labels read from a photo, checked, then a draft
//! Purchase Invoice or the Equipment found in ERPNext (docs/vision-ocr.md).

pub mod equipment;
pub mod gemini;
pub mod input;
pub mod invoice;
pub mod local;
pub mod process;
pub mod warning;
