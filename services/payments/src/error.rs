//! The one error type of the payments handlers, rendered as problem+json with stable codes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use shared::http::Problem;

use crate::stripe::{EventError, SignatureError};

/// Everything a handler can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The webhook's `Stripe-Signature` is missing, stale or matches none of our secrets.
    #[error("webhook refused: {0}")]
    Signature(#[from] SignatureError),
    /// The webhook's body is not a Stripe event.
    #[error("webhook refused: {0}")]
    NotAnEvent(#[from] EventError),
    /// The database does not answer.
    #[error("payments database unavailable: {0}")]
    Unavailable(#[from] sea_orm::DbErr),
}

impl ApiError {
    fn problem(&self) -> Problem {
        let bad = StatusCode::BAD_REQUEST;
        match self {
            Self::Signature(e) => Problem::new(bad, "PAY_01", "Bad signature", e.to_string()),
            Self::NotAnEvent(_) => Problem::new(
                bad,
                "PAY_02",
                "Not a Stripe event",
                "The body is not a Stripe event.",
            ),
            Self::Unavailable(_) => Problem::unavailable("The payments database is not answering."),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.problem().status_code()
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Unavailable(e) = self {
            tracing::error!(error = %e, "payments database unavailable");
        }
        self.problem().error_response()
    }
}
