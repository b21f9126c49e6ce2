//! The one error type of the handlers, rendered as problem+json with stable codes; what a customer
//! may read is written in their language (docs/quotation-signing.md, "Routes").

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use shared::erpnext::ErpError;
use shared::http::Problem;
use shared::lang::Lang;
use shared::portal_auth::NotCustomer;

use crate::docuseal::{CallError, EventError, SecretError};

/// Why a quote cannot be sent, signed or accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `valid_till` passed, or DocuSeal expired the submission.
    Expired,
    /// Cancelled or lost in ERPNext.
    Cancelled,
    /// Accepted before.
    AlreadyAccepted,
    /// These items have no billing frequency.
    NoFrequency(Vec<String>),
    /// Not sent to the customer yet.
    NotSent,
    /// A signature quote cannot be accepted with a click.
    MustBeSigned,
    /// Signed, its Sales Order being made.
    AlreadySigned,
    /// Not a submitted quotation to a customer we can reach.
    NotSendable(&'static str),
    /// Another request is sending it right now.
    BeingSent,
}

/// Everything a handler can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The webhook's secret header is missing or wrong.
    #[error("webhook refused: {0}")]
    Secret(#[from] SecretError),
    /// The webhook's body is not a DocuSeal event.
    #[error("webhook refused: {0}")]
    NotAnEvent(#[from] EventError),
    /// No valid customer token.
    #[error("no valid customer token")]
    Unauthorized,
    /// Not staff, or not in a group that may act here.
    #[error("{0}")]
    NotStaff(&'static str),
    /// portal-auth does not answer.
    #[error("portal-auth unavailable")]
    AuthUnavailable,
    /// No such quotation (another customer's included).
    #[error("not found")]
    NotFound(Lang),
    /// The quote is refused, in the customer's language.
    #[error("refused: {0:?}")]
    Refused(Refusal, Lang),
    /// DocuSeal is not configured or does not answer.
    #[error("DocuSeal unavailable: {0}")]
    Docuseal(#[from] CallError),
    /// ERPNext does not answer (or answers what it should not).
    #[error("ERPNext unavailable: {0}")]
    Erp(#[from] ErpError),
    /// The database does not answer.
    #[error("quotation-signing database unavailable: {0}")]
    Unavailable(#[from] sea_orm::DbErr),
    /// A bug: never the caller's fault.
    #[error("unexpected: {0}")]
    Unexpected(String),
}

impl From<NotCustomer> for ApiError {
    fn from(e: NotCustomer) -> Self {
        match e {
            NotCustomer::Unauthorized => Self::Unauthorized,
            NotCustomer::Unavailable => Self::AuthUnavailable,
        }
    }
}

/// French and English, chosen by `lang`.
fn say(lang: Lang, fr: &str, en: &str) -> String {
    match lang {
        Lang::Fr => fr.to_owned(),
        Lang::En => en.to_owned(),
    }
}

impl Refusal {
    fn problem(&self, lang: Lang) -> Problem {
        let conflict = StatusCode::CONFLICT;
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        match self {
            Self::Expired => Problem::new(
                conflict,
                "QUO_10",
                "Expired",
                say(
                    lang,
                    "Cette soumission est expirée. Communiquez avec nous pour en obtenir une nouvelle.",
                    "This quote has expired. Contact us for a new one.",
                ),
            ),
            Self::Cancelled => Problem::new(
                conflict,
                "QUO_11",
                "Cancelled",
                say(
                    lang,
                    "Cette soumission a été annulée.",
                    "This quote was cancelled.",
                ),
            ),
            Self::AlreadyAccepted => Problem::new(
                conflict,
                "QUO_12",
                "Already accepted",
                say(
                    lang,
                    "Cette soumission est déjà acceptée.",
                    "This quote is already accepted.",
                ),
            ),
            Self::AlreadySigned => Problem::new(
                conflict,
                "QUO_12",
                "Already accepted",
                say(
                    lang,
                    "Cette soumission est déjà signée; la commande est en préparation.",
                    "This quote is already signed; the order is being prepared.",
                ),
            ),
            Self::NoFrequency(items) => Problem::new(
                unprocessable,
                "QUO_13",
                "Items without a billing frequency",
                format!(
                    "These items have no billing frequency (Item › Billing Frequency): {}.",
                    items.join(", ")
                ),
            )
            .with("items", items.clone()),
            Self::NotSent => Problem::new(
                conflict,
                "QUO_15",
                "Not sent",
                say(
                    lang,
                    "Cette soumission n'a pas encore été envoyée.",
                    "This quote has not been sent yet.",
                ),
            ),
            Self::MustBeSigned => Problem::new(
                conflict,
                "QUO_15",
                "Must be signed",
                say(
                    lang,
                    "Cette soumission doit être signée; utilisez le lien de signature.",
                    "This quote must be signed; use the signing link.",
                ),
            ),
            Self::NotSendable(why) => Problem::new(unprocessable, "QUO_17", "Cannot be sent", *why),
            Self::BeingSent => Problem::new(
                conflict,
                "QUO_18",
                "Being sent",
                "This quote is being sent by another request; try again in a minute.",
            ),
        }
    }
}

impl ApiError {
    fn problem(&self) -> Problem {
        match self {
            Self::Secret(e) => Problem::new(
                StatusCode::UNAUTHORIZED,
                "QUO_01",
                "Bad secret",
                e.to_string(),
            ),
            Self::NotAnEvent(e) => Problem::new(
                StatusCode::BAD_REQUEST,
                "QUO_02",
                "Not a DocuSeal event",
                e.to_string(),
            ),
            Self::Unauthorized => Problem::new(
                StatusCode::UNAUTHORIZED,
                "QUO_03",
                "Not logged in",
                "A valid customer token is needed.",
            ),
            Self::NotStaff(detail) => {
                Problem::new(StatusCode::FORBIDDEN, "QUO_06", "Staff only", *detail)
            }
            Self::NotFound(lang) => Problem::new(
                StatusCode::NOT_FOUND,
                "QUO_14",
                "Not found",
                say(*lang, "Aucune soumission de ce nom.", "No such quote."),
            ),
            Self::Refused(refusal, lang) => refusal.problem(*lang),
            Self::Docuseal(_) => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "QUO_16",
                "Unavailable",
                "DocuSeal is not answering; try again in a few minutes.",
            ),
            Self::Erp(_) => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "QUO_16",
                "Unavailable",
                "ERPNext is not answering; try again in a few minutes.",
            ),
            Self::AuthUnavailable => Problem::unavailable("Logins cannot be checked right now."),
            Self::Unavailable(_) => Problem::unavailable("The quotes database is not answering."),
            Self::Unexpected(_) => Problem::internal(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.problem().status_code()
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Unavailable(e) => {
                tracing::error!(error = %e, "quotation-signing database unavailable")
            }
            Self::Erp(e) => tracing::error!(error = %e, "an ERPNext call failed"),
            Self::Docuseal(e) => tracing::error!(error = %e, "a DocuSeal call failed"),
            Self::Unexpected(e) => tracing::error!(error = %e, "unexpected"),
            _ => {}
        }
        self.problem().error_response()
    }
}
