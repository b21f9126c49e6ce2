//! What a person should look at before trusting a result: never a refusal.

use serde::{Deserialize, Serialize};
use shared::lang::Lang;
use utoipa::ToSchema;

/// The stable code of a warning (docs/vision-ocr.md, "Answers").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = VisionWarningCode)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WarningCode {
    /// The lines do not add up to the subtotal.
    LinesDontAddUp,
    /// Subtotal plus taxes is not the total within a cent.
    TotalDoesntAddUp,
    /// A tax at a rate it never had.
    TaxRateImplausible,
    /// A tax amount that is not its rate of the subtotal.
    TaxAmountOff,
    /// A field was not found on the page.
    MissingField,
    /// Gemini failed; the local provider answered.
    ProviderFellBack,
    /// `draft=true`, but no Supplier matched: no draft was made.
    SupplierNotFound,
    /// ERPNext could not be asked (the draft or the lookup was not done).
    ErpUnavailable,
    /// A MAC address that is not 12 hexadecimal digits.
    InvalidMac,
}

/// One warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = VisionWarning)]
pub struct Warning {
    /// What kind.
    pub code: WarningCode,
    /// What, for a person.
    pub message: String,
    /// The field concerned, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Warning {
    /// A warning about no field in particular, its message in `lang` (French first).
    pub fn new(
        code: WarningCode,
        lang: Lang,
        fr: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        let message = match lang {
            Lang::Fr => fr.into(),
            Lang::En => en.into(),
        };
        Self {
            code,
            message,
            field: None,
        }
    }

    /// The same warning about `field`.
    pub fn field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }
}
