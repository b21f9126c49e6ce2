//! The one error type of the payments handlers, rendered as problem+json with stable codes (the
//! portal translates them: docs/payments.md, "Bodies").

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use shared::erpnext::ErpError;
use shared::http::Problem;

use crate::checkout::Refusal;
use crate::refunds::RefundRefusal;
use crate::stripe::{CallError, EventError, SignatureError};
use shared::portal_auth::NotCustomer;

/// Everything a handler can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The webhook's `Stripe-Signature` is missing, stale or matches none of our secrets.
    #[error("webhook refused: {0}")]
    Signature(#[from] SignatureError),
    /// The webhook's body is not a Stripe event.
    #[error("webhook refused: {0}")]
    NotAnEvent(#[from] EventError),
    /// No valid customer token.
    #[error("no valid customer token")]
    Unauthorized,
    /// Not staff, or not in a group that may act here.
    #[error("{0}")]
    NotStaff(&'static str),
    /// portal-auth does not answer, so no token can be checked.
    #[error("portal-auth unavailable")]
    AuthUnavailable,
    /// No such invoice or card of this customer (another customer's included).
    #[error("not found")]
    NotFound,
    /// The payment is not offered.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// A refund refused.
    #[error(transparent)]
    Refund(#[from] crate::refunds::RefundRefusal),
    /// The customer has neither an email address nor a North American mobile.
    #[error("no contact")]
    NoContact,
    /// portal-auth mints no token (not configured, or down): no link can log in.
    #[error("links unavailable")]
    LinksUnavailable,
    /// A bug (an event that does not serialise): never the caller's fault.
    #[error("unexpected: {0}")]
    Unexpected(String),
    /// A query parameter out of range.
    #[error("{0}")]
    BadQuery(&'static str),
    /// Another process is running that day's auto-pay.
    #[error("the auto-pay run of that day is under way")]
    RunUnderWay,
    /// Stripe is not configured, does not answer, or refused a call it should have taken.
    #[error("Stripe unavailable")]
    StripeUnavailable,
    /// ERPNext does not answer (or answers what it should not).
    #[error("ERPNext unavailable: {0}")]
    Erp(#[from] ErpError),
    /// The database does not answer.
    #[error("payments database unavailable: {0}")]
    Unavailable(#[from] sea_orm::DbErr),
}

impl From<NotCustomer> for ApiError {
    fn from(e: NotCustomer) -> Self {
        match e {
            NotCustomer::Unauthorized => Self::Unauthorized,
            NotCustomer::Unavailable => Self::AuthUnavailable,
        }
    }
}

impl From<CallError> for ApiError {
    fn from(e: CallError) -> Self {
        tracing::error!(error = %e, "a Stripe call failed");
        Self::StripeUnavailable
    }
}

impl ApiError {
    fn problem(&self) -> Problem {
        let bad = StatusCode::BAD_REQUEST;
        let conflict = StatusCode::CONFLICT;
        match self {
            Self::Signature(e) => Problem::new(bad, "PAY_01", "Bad signature", e.to_string()),
            Self::NotAnEvent(_) => Problem::new(
                bad,
                "PAY_02",
                "Not a Stripe event",
                "The body is not a Stripe event.",
            ),
            Self::Unauthorized => Problem::new(
                StatusCode::UNAUTHORIZED,
                "PAY_03",
                "Not logged in",
                "A valid customer token is needed.",
            ),
            Self::NotStaff(detail) => {
                Problem::new(StatusCode::FORBIDDEN, "PAY_06", "Staff only", *detail)
            }
            Self::BadQuery(detail) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "PAY_04",
                "Bad query",
                *detail,
            ),
            Self::Refused(Refusal::NothingOutstanding) => Problem::new(
                conflict,
                "PAY_10",
                "Nothing to pay",
                "Nothing is outstanding.",
            ),
            Self::Refused(Refusal::NotPayable) => Problem::new(
                conflict,
                "PAY_11",
                "Not payable",
                "This invoice cannot be paid online.",
            ),
            Self::Refused(Refusal::KlarnaRefused) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "PAY_12",
                "Klarna not offered",
                "Klarna is not offered for this payment; pay by card.",
            ),
            Self::Refund(RefundRefusal::BadAmount) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "PAY_16",
                "Bad amount",
                "A refund is a positive amount of Canadian dollars, in cents.",
            ),
            Self::Refund(RefundRefusal::TooMuch) => Problem::new(
                conflict,
                "PAY_15",
                "More than was paid",
                "The refund is more than what is left of the payment.",
            ),
            Self::StripeUnavailable => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "PAY_13",
                "Payments unavailable",
                "Payments cannot be taken right now; try again in a few minutes.",
            ),
            Self::RunUnderWay => Problem::new(
                conflict,
                "PAY_15",
                "Run under way",
                "That day's auto-pay run is under way elsewhere; try again in a few minutes.",
            ),
            Self::NotFound => Problem::new(
                StatusCode::NOT_FOUND,
                "PAY_14",
                "Not found",
                "No such invoice or card.",
            ),
            Self::NoContact => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "PAY_17",
                "No contact",
                "The customer has no email address and no North American mobile number on file.",
            ),
            Self::LinksUnavailable => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "PAY_18",
                "Links unavailable",
                "Logged-in links cannot be made right now (portal-auth, INTERNAL_API_SECRET).",
            ),
            Self::Unexpected(_) => Problem::internal(),
            Self::AuthUnavailable => Problem::unavailable("Logins cannot be checked right now."),
            Self::Erp(_) => Problem::unavailable("The invoices cannot be read right now."),
            Self::Unavailable(_) => Problem::unavailable("The payments database is not answering."),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.problem().status_code()
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Unavailable(e) => tracing::error!(error = %e, "payments database unavailable"),
            Self::Erp(e) => tracing::error!(error = %e, "an ERPNext call failed"),
            Self::Unexpected(e) => tracing::error!(error = %e, "unexpected"),
            _ => {}
        }
        self.problem().error_response()
    }
}
