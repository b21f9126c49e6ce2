//! The local provider: Tesseract on the page, then parsing of its text; barcodes by rxing.
//!
//! Tesseract and poppler's `pdftoppm` run as child processes under [`crate::process::run`]'s
//! bounds, the page on their standard input. Tesseract's words come back with their boxes
//! (`tsv`) and are laid out again as lines whose columns are cut by wide gaps, which is what
//! [`parse`] reads.

mod clean;
mod codes;
mod layout;
pub mod parse;
mod pdf;

use std::io::Cursor;
use std::sync::Arc;

use image::{GrayImage, ImageFormat};

use crate::equipment::Label;
use crate::input::{Checked, Media};
use crate::invoice::Invoice;
use crate::process::{self, Limits, RunError};

pub use codes::{barcodes, with_codes};

/// How the local provider runs its engines.
#[derive(Debug, Clone)]
pub struct LocalSettings {
    /// The Tesseract program, `tesseract`.
    pub tesseract: String,
    /// Tesseract's languages, `fra+eng`.
    pub langs: String,
    /// The bounds of each child process.
    pub limits: Limits,
    /// The long side of a PDF page once rendered, in pixels (2200).
    pub pdf_long_side_px: u32,
}

impl Default for LocalSettings {
    fn default() -> Self {
        Self {
            tesseract: "tesseract".to_owned(),
            langs: "fra+eng".to_owned(),
            limits: Limits::default(),
            pdf_long_side_px: 2200,
        }
    }
}

/// Why the local provider could not read a page.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LocalError {
    /// Tesseract, its languages or poppler are missing: the service cannot read anything.
    #[error("the local OCR engine is unavailable: {0}")]
    Unavailable(String),
    /// The engine failed on this input.
    #[error("the local OCR engine failed: {0}")]
    Failed(String),
}

impl From<RunError> for LocalError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Missing { .. } => Self::Unavailable(e.to_string()),
            RunError::TimedOut { .. } | RunError::Failed { .. } => Self::Failed(e.to_string()),
        }
    }
}

/// The local provider: Tesseract and poppler on this machine.
#[derive(Debug, Clone)]
pub struct Local {
    settings: Arc<LocalSettings>,
}

impl Local {
    /// A provider with `settings`; nothing is run until it is asked.
    pub fn new(settings: LocalSettings) -> Self {
        Self {
            settings: Arc::new(settings),
        }
    }

    /// Readiness: Tesseract runs and has every language asked for, and `pdftoppm` runs.
    pub async fn check(&self) -> Result<(), LocalError> {
        let s = &self.settings;
        let out = process::run(&s.tesseract, &["--list-langs"], b"", s.limits).await?;
        let listed = String::from_utf8_lossy(&out.stdout).into_owned() + &out.stderr;
        let has = |lang: &str| listed.lines().any(|l| l.trim() == lang);
        if let Some(missing) = s.langs.split('+').find(|lang| !has(lang)) {
            return Err(LocalError::Unavailable(format!(
                "Tesseract has no {missing} language data"
            )));
        }
        process::run("pdftoppm", &["-v"], b"", s.limits).await?;
        Ok(())
    }

    /// The pages of `doc`, grey: an image's own decoded image, a PDF's pages rendered by poppler.
    pub async fn pages(&self, doc: &Checked) -> Result<Vec<Arc<GrayImage>>, LocalError> {
        match (&doc.image, doc.media) {
            (Some(image), _) => Ok(vec![image.clone()]),
            (None, Media::Pdf) => pdf::render(&doc.bytes, doc.pages, &self.settings).await,
            (None, media) => Err(LocalError::Failed(format!(
                "a {} upload without its decoded image",
                media.mime()
            ))),
        }
    }

    /// The invoice on `pages`: each page read, their texts joined, then parsed.
    pub async fn invoice(&self, pages: &[Arc<GrayImage>]) -> Result<Invoice, LocalError> {
        let mut text = String::new();
        for page in pages {
            text.push_str(&self.text(page).await?);
            text.push('\n');
        }
        Ok(parse::invoice(&text))
    }

    /// The label on `page`, from its text only ([`with_codes`] adds its barcodes).
    pub async fn label(&self, page: &GrayImage) -> Result<Label, LocalError> {
        Ok(parse::label(&self.text(page).await?))
    }

    /// The text of `page`, its columns cut by wide gaps.
    pub async fn text(&self, page: &GrayImage) -> Result<String, LocalError> {
        let page = page.clone();
        let png = tokio::task::spawn_blocking(move || layout::prepare_png(&page))
            .await
            .map_err(|e| LocalError::Failed(e.to_string()))??;
        let s = &self.settings;
        let args = [
            "stdin",
            "stdout",
            "-l",
            s.langs.as_str(),
            "--psm",
            "6",
            "-c",
            "preserve_interword_spaces=1",
            "tsv",
        ];
        let out = process::run(&s.tesseract, &args, &png, s.limits).await?;
        Ok(layout::lines(&String::from_utf8_lossy(&out.stdout)))
    }
}

/// `img` as PNG bytes.
fn png(img: &GrayImage) -> Result<Vec<u8>, LocalError> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)
        .map_err(|e| LocalError::Failed(format!("the page could not be encoded: {e}")))?;
    Ok(out.into_inner())
}
