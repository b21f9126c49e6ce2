//! The one error type of the notifications handlers, rendered as problem+json with stable codes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use shared::http::Problem;

/// Everything a handler can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Not staff, or staff not allowed to read this.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The outbox is asked for in live mode.
    #[error("no outbox in live mode")]
    NoOutbox,
    /// The Twilio webhook is called while Twilio is not configured.
    #[error("Twilio is not configured")]
    TwilioNotConfigured,
    /// The webhook's body is not a form.
    #[error("malformed form body")]
    MalformedBody,
    /// The webhook's `X-Twilio-Signature` does not match.
    #[error("bad Twilio signature")]
    BadSignature,
    /// A required field of the webhook is missing.
    #[error("missing fields")]
    MissingFields,
    /// No captured message has this id.
    #[error("no such message")]
    NoSuchMessage,
    /// The database does not answer.
    #[error("delivery log unavailable: {0}")]
    Unavailable(#[from] sea_orm::DbErr),
}

impl ApiError {
    fn problem(&self) -> Problem {
        use StatusCode as S;
        match self {
            Self::Forbidden(detail) => Problem::new(S::FORBIDDEN, "NOTIF_01", "Forbidden", *detail),
            Self::NoOutbox => Problem::new(
                S::NOT_FOUND,
                "NOTIF_02",
                "Not found",
                "No outbox in live mode.",
            ),
            Self::TwilioNotConfigured => Problem::new(
                S::NOT_FOUND,
                "NOTIF_03",
                "Not found",
                "Twilio is not configured.",
            ),
            Self::MalformedBody => Problem::new(
                S::BAD_REQUEST,
                "NOTIF_04",
                "Malformed body",
                "Form-encoded body expected.",
            ),
            Self::BadSignature => Problem::new(
                S::FORBIDDEN,
                "NOTIF_05",
                "Forbidden",
                "Bad X-Twilio-Signature.",
            ),
            Self::MissingFields => Problem::new(
                S::BAD_REQUEST,
                "NOTIF_06",
                "Missing fields",
                "MessageSid and MessageStatus are required.",
            ),
            Self::NoSuchMessage => Problem::new(
                S::NOT_FOUND,
                "NOTIF_07",
                "Not found",
                "No captured message has this id.",
            ),
            Self::Unavailable(_) => Problem::unavailable("The delivery log is not answering."),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.problem().status_code()
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Unavailable(e) = self {
            tracing::error!(error = %e, "delivery log unavailable");
        }
        self.problem().error_response()
    }
}

#[cfg(test)]
mod tests {
    use super::ApiError;

    #[test]
    fn every_code_is_its_own() {
        let errors = [
            ApiError::Forbidden("x"),
            ApiError::NoOutbox,
            ApiError::TwilioNotConfigured,
            ApiError::MalformedBody,
            ApiError::BadSignature,
            ApiError::MissingFields,
            ApiError::NoSuchMessage,
        ];
        let mut codes: Vec<String> = errors.iter().map(|e| e.problem().code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
    }
}
