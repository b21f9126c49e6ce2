//! Frappe-shaped error responses.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

/// An error rendered exactly as Frappe v1 does: `{"exc_type", "_server_messages"}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{exc_type}: {message}")]
pub struct FrappeError {
    status: StatusCode,
    exc_type: &'static str,
    message: String,
}

impl FrappeError {
    fn new(status: StatusCode, exc_type: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            exc_type,
            message: message.into(),
        }
    }

    /// 417 `ValidationError`.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::EXPECTATION_FAILED, "ValidationError", message)
    }

    /// 417 `MandatoryError` (a required field is missing).
    pub fn mandatory(message: impl Into<String>) -> Self {
        Self::new(StatusCode::EXPECTATION_FAILED, "MandatoryError", message)
    }

    /// 417 `LinkValidationError` (a Link field names a missing document).
    pub fn link_validation(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::EXPECTATION_FAILED,
            "LinkValidationError",
            message,
        )
    }

    /// 417 `LinkExistsError` (cancelling a document others still point at).
    pub fn link_exists(message: impl Into<String>) -> Self {
        Self::new(StatusCode::EXPECTATION_FAILED, "LinkExistsError", message)
    }

    /// 417 `UpdateAfterSubmitError` (editing a submitted document).
    pub fn update_after_submit(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::EXPECTATION_FAILED,
            "UpdateAfterSubmitError",
            message,
        )
    }

    /// 417 `CancelledLinkError` (a Link field names a cancelled document).
    pub fn cancelled_link(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::EXPECTATION_FAILED,
            "CancelledLinkError",
            message,
        )
    }

    /// 417 `PartyDisabled` (a transaction with a disabled Customer or Supplier).
    pub fn party_disabled(message: impl Into<String>) -> Self {
        Self::new(StatusCode::EXPECTATION_FAILED, "PartyDisabled", message)
    }

    /// 417 `UniqueValidationError` (a field declared unique holds a value another document has).
    pub fn unique_validation(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::EXPECTATION_FAILED,
            "UniqueValidationError",
            message,
        )
    }

    /// 417 `OverAllowanceError` (more ordered than quoted: ERPNext's status updater).
    pub fn over_allowance(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::EXPECTATION_FAILED,
            "OverAllowanceError",
            message,
        )
    }

    /// 417 `DocstatusTransitionError` (such as cancelling a draft).
    pub fn docstatus_transition(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::EXPECTATION_FAILED,
            "DocstatusTransitionError",
            message,
        )
    }

    /// 404 `DoesNotExistError`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "DoesNotExistError", message)
    }

    /// 401 `AuthenticationError`.
    pub fn authentication() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "AuthenticationError",
            "Invalid API key or secret",
        )
    }

    /// 403 `PermissionError`.
    pub fn permission(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "PermissionError", message)
    }

    /// 409 `DuplicateEntryError`.
    pub fn duplicate(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "DuplicateEntryError", message)
    }

    /// 500 with an opaque message; the cause is logged, not sent.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "erp-sandbox internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Exception",
            "Internal Server Error",
        )
    }

    /// The Frappe exception class name (`ValidationError`, ...).
    pub fn exc_type(&self) -> &'static str {
        self.exc_type
    }

    /// The human message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The double-encoded `_server_messages` value: a JSON array of JSON strings.
    fn server_messages(&self) -> String {
        let inner = json!({
            "message": self.message,
            "title": "Message",
            "indicator": "red",
            "raise_exception": 1,
        })
        .to_string();
        json!([inner]).to_string()
    }
}

impl ResponseError for FrappeError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status).json(json!({
            "exc_type": self.exc_type,
            "_server_messages": self.server_messages(),
        }))
    }
}

impl From<sea_orm::DbErr> for FrappeError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::internal(&err)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_body_round_trips_through_the_client_parser() {
        let err = FrappeError::mandatory("Customer Name is required");
        let raw = err.server_messages();
        assert_eq!(
            shared::erpnext::server_messages(&raw),
            vec!["Customer Name is required"]
        );
        assert_eq!(err.status_code(), StatusCode::EXPECTATION_FAILED);
    }
}
