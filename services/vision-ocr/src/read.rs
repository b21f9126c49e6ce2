//! Who reads an upload: Gemini when configured, the local provider otherwise or when Gemini
//! fails; barcodes always locally. At most `workers` local readings run at once.

use std::sync::Arc;

use image::GrayImage;
use serde::{Deserialize, Serialize};
use shared::lang::Lang;
use tokio::sync::Semaphore;
use utoipa::ToSchema;

use crate::equipment::Label;
use crate::gemini::Gemini;
use crate::input::Checked;
use crate::invoice::Invoice;
use crate::local::{self, Local, LocalError};
use crate::warning::{Warning, WarningCode};

/// Which provider answered, and whether it was the one asked first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = VisionProvider)]
pub struct Provider {
    /// `gemini` or `local`.
    pub name: String,
    /// Gemini was asked first and failed.
    pub fell_back: bool,
}

/// A reading and what to say about it.
#[derive(Debug)]
pub struct Reading<T> {
    /// What was read.
    pub value: T,
    /// Who read it.
    pub provider: Provider,
    /// The provider's own warnings (a fallback, invalid values dropped).
    pub warnings: Vec<Warning>,
}

/// The providers.
#[derive(Clone)]
pub struct Readers {
    local: Local,
    gemini: Option<Gemini>,
    slots: Arc<Semaphore>,
}

impl Readers {
    /// Gemini first when given; `workers` local readings at once.
    pub fn new(local: Local, gemini: Option<Gemini>, workers: usize) -> Self {
        Self {
            local,
            gemini,
            slots: Arc::new(Semaphore::new(workers.max(1))),
        }
    }

    /// The local provider (readiness).
    pub fn local(&self) -> &Local {
        &self.local
    }

    /// Reads an invoice; its warnings in `lang`.
    pub async fn invoice(&self, doc: &Checked, lang: Lang) -> Result<Reading<Invoice>, LocalError> {
        let mut warnings = Vec::new();
        if let Some(gemini) = &self.gemini {
            match gemini.invoice(doc).await {
                Ok(value) => return Ok(gemini_reading(value, warnings)),
                Err(e) => warnings.push(fell_back(&e.reason(), lang)),
            }
        }
        let _slot = self.slots.acquire().await;
        let pages = self.local.pages(doc).await?;
        let value = self.local.invoice(&pages).await?;
        Ok(local_reading(value, warnings))
    }

    /// Reads a label: its codes locally, its text by Gemini or locally; its warnings in `lang`.
    pub async fn label(&self, doc: &Checked, lang: Lang) -> Result<Reading<Label>, LocalError> {
        let image = doc
            .image
            .clone()
            .ok_or_else(|| LocalError::Failed("a label is an image".into()))?;
        let codes = {
            let _slot = self.slots.acquire().await;
            let page = Arc::clone(&image);
            tokio::task::spawn_blocking(move || local::barcodes(&page))
                .await
                .map_err(|e| LocalError::Failed(e.to_string()))?
        };
        let mut warnings = Vec::new();
        if let Some(gemini) = &self.gemini {
            match gemini.label_reading(doc).await {
                Ok(reading) => {
                    warnings.extend(reading.invalid_macs.iter().map(|m| {
                        Warning::new(
                            WarningCode::InvalidMac,
                            lang,
                            format!("Pas une adresse MAC : {m}"),
                            format!("Not a MAC address: {m}"),
                        )
                    }));
                    let value = local::with_codes(reading.label, codes);
                    return Ok(gemini_reading(value, warnings));
                }
                Err(e) => warnings.push(fell_back(&e.reason(), lang)),
            }
        }
        let value = self.label_locally(&image).await?;
        Ok(local_reading(local::with_codes(value, codes), warnings))
    }

    async fn label_locally(&self, image: &GrayImage) -> Result<Label, LocalError> {
        let _slot = self.slots.acquire().await;
        self.local.label(image).await
    }
}

fn fell_back(reason: &str, lang: Lang) -> Warning {
    tracing::warn!(reason, "Gemini failed; the local provider reads instead");
    Warning::new(
        WarningCode::ProviderFellBack,
        lang,
        format!("Gemini n'a pas répondu ({reason}); lu localement."),
        format!("Gemini did not answer ({reason}); read locally."),
    )
}

fn gemini_reading<T>(value: T, warnings: Vec<Warning>) -> Reading<T> {
    Reading {
        value,
        provider: Provider {
            name: "gemini".into(),
            fell_back: false,
        },
        warnings,
    }
}

fn local_reading<T>(value: T, warnings: Vec<Warning>) -> Reading<T> {
    let fell_back = warnings
        .iter()
        .any(|w| w.code == WarningCode::ProviderFellBack);
    Reading {
        value,
        provider: Provider {
            name: "local".into(),
            fell_back,
        },
        warnings,
    }
}
