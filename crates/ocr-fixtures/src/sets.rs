//! The standard benchmark sets: every layout, font and language of invoice, every font and
//! symbology of label, clean and degraded.

use serde::{Deserialize, Serialize};

use crate::{CodeKind, Degrade, Font, InvoiceStyle, LabelStyle, Lang, Layout};

/// One invoice of the benchmark set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceCase {
    /// A stable name, e.g. `invoice-classic-sans-fr-clean-1`.
    pub name: String,
    /// The seed to pass to [`crate::invoice`].
    pub seed: u64,
    /// The style to pass to [`crate::invoice`].
    pub style: InvoiceStyle,
    /// Whether the style is [`Degrade::CLEAN`] (else [`Degrade::photo`]).
    pub clean: bool,
}

/// One label of the benchmark set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelCase {
    /// A stable name, e.g. `label-mono-qr-photo-7`.
    pub name: String,
    /// The seed to pass to [`crate::label`].
    pub seed: u64,
    /// The style to pass to [`crate::label`].
    pub style: LabelStyle,
    /// Whether the style is [`Degrade::CLEAN`] (else [`Degrade::photo`]).
    pub clean: bool,
}

fn degrade(clean: bool) -> (Degrade, &'static str) {
    if clean {
        (Degrade::CLEAN, "clean")
    } else {
        (Degrade::photo(), "photo")
    }
}

/// 48 invoices: each layout × font × language twice, once clean and once as a photo, each with
/// its own seed.
pub fn invoice_set() -> Vec<InvoiceCase> {
    let mut out = Vec::new();
    for layout in Layout::ALL {
        for font in Font::ALL {
            for lang in [Lang::Fr, Lang::En] {
                for clean in [true, false] {
                    let seed = 1000 + out.len() as u64;
                    let (degrade, state) = degrade(clean);
                    let name = format!("invoice-{layout:?}-{font:?}-{lang:?}-{state}-{seed}")
                        .to_lowercase();
                    let style = InvoiceStyle {
                        lang,
                        font,
                        layout,
                        degrade,
                    };
                    out.push(InvoiceCase {
                        name,
                        seed,
                        style,
                        clean,
                    });
                }
            }
        }
    }
    out
}

/// 32 labels: each font × 4 sets of symbologies (Code 128 alone, with DataMatrix, with QR, all
/// three), clean and as a photo.
pub fn label_set() -> Vec<LabelCase> {
    let code_sets: [&[CodeKind]; 4] = [
        &[CodeKind::Code128],
        &[CodeKind::Code128, CodeKind::DataMatrix],
        &[CodeKind::Code128, CodeKind::Qr],
        &[CodeKind::Code128, CodeKind::DataMatrix, CodeKind::Qr],
    ];
    let mut out = Vec::new();
    for font in Font::ALL {
        for codes in code_sets {
            for clean in [true, false] {
                let seed = 5000 + out.len() as u64;
                let (degrade, state) = degrade(clean);
                let kinds: Vec<String> = codes.iter().map(|c| format!("{c:?}")).collect();
                let name =
                    format!("label-{font:?}-{}-{state}-{seed}", kinds.join("+")).to_lowercase();
                let style = LabelStyle {
                    font,
                    degrade,
                    codes: codes.to_vec(),
                };
                out.push(LabelCase {
                    name,
                    seed,
                    style,
                    clean,
                });
            }
        }
    }
    out
}
