//! DocuSeal's API error bodies: `{"error": "<message>"}` with DocuSeal's statuses.

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use serde_json::json;

/// An error answered the way DocuSeal's API answers it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status}: {message}")]
pub struct DocusealError {
    /// HTTP status.
    pub status: StatusCode,
    /// The `error` text.
    pub message: String,
}

impl DocusealError {
    /// 401 `Not authenticated`: a missing or unknown `X-Auth-Token`.
    pub fn not_authenticated() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            message: "Not authenticated".to_owned(),
        }
    }

    /// 422 with DocuSeal's message (`Template not found`, `submitters is required`, …).
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: message.into(),
        }
    }

    /// 404 for a missing record or route: DocuSeal's errors controller answers `{"status": 404}`;
    /// the stand-in adds `"error": "Not found"` for clients that read `error`.
    pub fn not_found() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: "Not found".to_owned(),
        }
    }

    /// 500; the cause is logged, never sent.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "docuseal-sandbox internal error");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "Internal Server Error".to_owned(),
        }
    }
}

impl From<sea_orm::DbErr> for DocusealError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::internal(err)
    }
}

impl ResponseError for DocusealError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        // DocuSeal's errors controller answers 404s and 500s `{"status": …}`; the API's own
        // `render json: { error: }` has no status.
        let body = if self.status == StatusCode::NOT_FOUND || self.status.is_server_error() {
            json!({"status": self.status.as_u16(), "error": self.message})
        } else {
            json!({"error": self.message})
        };
        HttpResponse::build(self.status).json(body)
    }
}
