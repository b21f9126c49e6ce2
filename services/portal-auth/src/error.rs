//! The one error type of portal-auth's handlers, rendered as problem+json with stable codes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use shared::http::Problem;

use crate::domain::identifier::IdentifierError;

/// Everything a handler can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The identifier is empty, too long, has control characters or is not a valid email/phone/id.
    #[error("invalid identifier: {0}")]
    BadIdentifier(#[from] IdentifierError),
    /// Another field is invalid.
    #[error("invalid request: {0}")]
    BadRequest(String),
    /// Over a rate limit.
    #[error("rate limited for {0} s")]
    RateLimited(u64),
    /// Wrong, expired, used or burned code, or unknown identifier (indistinguishable).
    #[error("invalid or expired code")]
    InvalidCode,
    /// No valid customer token.
    #[error("not authenticated")]
    Unauthorized,
    /// No or a wrong `INTERNAL_API_SECRET` on an internal route.
    #[error("not an internal caller")]
    NotInternalCaller,
    /// Authenticated but not allowed.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The thing asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A named ERPNext document does not exist (the detail in the caller's language).
    #[error("not found: {0}")]
    Missing(String),
    /// The request contradicts the ERP's state (the detail in the caller's language).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Well-formed, but it cannot be acted on (the detail in the caller's language).
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    /// The ERP or the database does not answer.
    #[error("dependency unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected failure; logged, never shown.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Unavailable(format!("database: {e}"))
    }
}

impl ApiError {
    fn problem(&self) -> Problem {
        use StatusCode as S;
        match self {
            Self::BadIdentifier(e) => Problem::new(
                S::BAD_REQUEST,
                "AUTH_01",
                "Invalid identifier",
                e.to_string(),
            ),
            Self::BadRequest(d) => {
                Problem::new(S::BAD_REQUEST, "AUTH_02", "Invalid request", d.clone())
            }
            Self::RateLimited(s) => Problem::too_many_requests(
                "AUTH_03",
                format!(
                    "Too many requests; try again in {} minute(s).",
                    s.div_ceil(60)
                ),
                *s,
            ),
            Self::InvalidCode => Problem::new(
                S::BAD_REQUEST,
                "AUTH_04",
                "Invalid code",
                "The code is wrong or has expired.",
            ),
            Self::Unauthorized => Problem::new(
                S::UNAUTHORIZED,
                "AUTH_05",
                "Unauthorized",
                "A valid customer token is required.",
            ),
            Self::NotInternalCaller => Problem::new(
                S::UNAUTHORIZED,
                "AUTH_08",
                "Unauthorized",
                "The internal API secret is required.",
            ),
            Self::Forbidden(d) => Problem::new(S::FORBIDDEN, "AUTH_06", "Forbidden", *d),
            Self::NotFound => {
                Problem::new(S::NOT_FOUND, "AUTH_07", "Not found", "No such customer.")
            }
            Self::Missing(d) => Problem::new(S::NOT_FOUND, "AUTH_09", "Not found", d.clone()),
            Self::Conflict(d) => Problem::new(S::CONFLICT, "AUTH_10", "Conflict", d.clone()),
            Self::Unprocessable(d) => Problem::new(
                S::UNPROCESSABLE_ENTITY,
                "AUTH_11",
                "Cannot be done",
                d.clone(),
            ),
            Self::Unavailable(_) => Problem::unavailable(
                "A back-end system is not answering; please try again shortly.",
            ),
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
            Self::Unavailable(cause) => tracing::error!(cause = %cause, "dependency unavailable"),
            Self::Unexpected(e) => tracing::error!(error = ?e, "unexpected error"),
            _ => {}
        }
        let mut res = self.problem().error_response();
        if matches!(self, Self::Unauthorized | Self::NotInternalCaller) {
            res.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                actix_web::http::header::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}
