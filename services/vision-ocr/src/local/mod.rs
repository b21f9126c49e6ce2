//! The local provider: Tesseract on the page, then parsing of its text; barcodes by rxing.
//! (Placeholder of the lead's branch: the provider lands from its own branch.)

use std::sync::Arc;

use image::GrayImage;

use crate::equipment::{Barcode, Label};
use crate::input::Checked;
use crate::invoice::Invoice;
use crate::process::Limits;

/// Where Tesseract and poppler are, and their bounds.
#[derive(Debug, Clone)]
pub struct LocalSettings {
    /// The `tesseract` program.
    pub tesseract: String,
    /// Its languages.
    pub langs: String,
    /// Child process bounds.
    pub limits: Limits,
    /// A PDF page's long side, rendered.
    pub pdf_long_side_px: u32,
}

impl Default for LocalSettings {
    fn default() -> Self {
        Self {
            tesseract: "tesseract".into(),
            langs: "fra+eng".into(),
            limits: Limits::default(),
            pdf_long_side_px: 2200,
        }
    }
}

/// Why the local provider failed.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    /// Not installed.
    #[error("local OCR unavailable: {0}")]
    Unavailable(String),
    /// Failed on this input.
    #[error("local OCR failed: {0}")]
    Failed(String),
}

/// The local provider.
#[derive(Debug, Clone)]
pub struct Local {
    settings: LocalSettings,
}

impl Local {
    /// With `settings`.
    pub fn new(settings: LocalSettings) -> Self {
        Self { settings }
    }

    /// Readiness.
    pub async fn check(&self) -> Result<(), LocalError> {
        Err(LocalError::Unavailable(self.settings.tesseract.clone()))
    }

    /// The pages of `doc`.
    pub async fn pages(&self, _doc: &Checked) -> Result<Vec<Arc<GrayImage>>, LocalError> {
        Err(LocalError::Unavailable(self.settings.tesseract.clone()))
    }

    /// An invoice.
    pub async fn invoice(&self, _pages: &[Arc<GrayImage>]) -> Result<Invoice, LocalError> {
        Err(LocalError::Unavailable(self.settings.tesseract.clone()))
    }

    /// A label.
    pub async fn label(&self, _page: &GrayImage) -> Result<Label, LocalError> {
        Err(LocalError::Unavailable(self.settings.tesseract.clone()))
    }
}

/// Every code on `img`.
pub fn barcodes(_img: &GrayImage) -> Vec<Barcode> {
    Vec::new()
}

/// `label` with its codes.
pub fn with_codes(mut label: Label, codes: Vec<Barcode>) -> Label {
    label.barcodes = codes;
    label
}
