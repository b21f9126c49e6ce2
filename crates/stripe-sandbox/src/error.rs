//! Stripe's error bodies: `{"error":{"type","code","message","param"}}` with Stripe's statuses.

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use serde_json::json;

/// An error answered the way Stripe answers it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {kind}: {message}")]
pub struct StripeError {
    /// HTTP status.
    pub status: StatusCode,
    /// `invalid_request_error`, `idempotency_error`, `api_error`, `card_error`.
    pub kind: &'static str,
    /// Stripe's `code`, when it gives one.
    pub code: Option<&'static str>,
    /// Human-readable message.
    pub message: String,
    /// The parameter at fault.
    pub param: Option<String>,
    /// More fields of the error object: a card error's `decline_code`, `payment_intent`,
    /// `payment_method`, `charge`.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl StripeError {
    fn invalid(status: StatusCode, code: Option<&'static str>, message: String) -> Self {
        Self {
            status,
            kind: "invalid_request_error",
            code,
            message,
            param: None,
            extra: serde_json::Map::new(),
        }
    }

    fn with_param(mut self, param: &str) -> Self {
        self.param = Some(param.to_owned());
        self
    }

    /// 400 `parameter_missing`.
    pub fn missing(param: &str) -> Self {
        Self::invalid(
            StatusCode::BAD_REQUEST,
            Some("parameter_missing"),
            format!("Missing required param: {param}."),
        )
        .with_param(param)
    }

    /// 400 `parameter_invalid_integer`.
    pub fn invalid_integer(param: &str, value: &str) -> Self {
        Self::invalid(
            StatusCode::BAD_REQUEST,
            Some("parameter_invalid_integer"),
            format!("Invalid integer: {value}"),
        )
        .with_param(param)
    }

    /// 400 `parameter_invalid_integer` for an integer below its minimum.
    pub fn too_small(param: &str, min: i64) -> Self {
        Self::invalid(
            StatusCode::BAD_REQUEST,
            Some("parameter_invalid_integer"),
            format!("This value must be greater than or equal to {min}."),
        )
        .with_param(param)
    }

    /// 400 for a value outside an enumeration or a malformed array: Stripe gives these a message
    /// and a `param`, no `code`.
    pub fn invalid_value(param: &str, message: String) -> Self {
        Self::invalid(StatusCode::BAD_REQUEST, None, message).with_param(param)
    }

    /// 400 `parameter_unknown`.
    pub fn unknown_param(param: &str) -> Self {
        Self::invalid(
            StatusCode::BAD_REQUEST,
            Some("parameter_unknown"),
            format!("Received unknown parameter: {param}"),
        )
        .with_param(param)
    }

    /// 404 `resource_missing`: `No such customer: 'cus_x'`.
    pub fn no_such(what: &str, id: &str, param: &str) -> Self {
        Self::invalid(
            StatusCode::NOT_FOUND,
            Some("resource_missing"),
            format!("No such {what}: '{id}'"),
        )
        .with_param(param)
    }

    /// 400 with a code of Stripe's and a message.
    pub fn bad_request(code: &'static str, message: String, param: Option<&str>) -> Self {
        let error = Self::invalid(StatusCode::BAD_REQUEST, Some(code), message);
        match param {
            Some(param) => error.with_param(param),
            None => error,
        }
    }

    /// 402 `card_error`: a declined card, with Stripe's `code`, the fields of `extra`
    /// (`decline_code`, `payment_intent`, `payment_method`, `charge`) and the `param` at fault.
    pub fn card(
        code: &'static str,
        message: &str,
        extra: serde_json::Map<String, serde_json::Value>,
        param: Option<&str>,
    ) -> Self {
        Self {
            status: StatusCode::PAYMENT_REQUIRED,
            kind: "card_error",
            code: Some(code),
            message: message.to_owned(),
            param: param.map(str::to_owned),
            extra,
        }
    }

    /// 400 without a `code`, as Stripe answers an expand path it does not know.
    pub fn cannot_expand(path: &str) -> Self {
        Self::invalid(
            StatusCode::BAD_REQUEST,
            None,
            format!("This property cannot be expanded ({path})."),
        )
    }

    /// 400 with a message and a `param` but no `code`, as Stripe answers a request that does not
    /// fit the object's state.
    pub fn invalid_state(message: String, param: Option<&str>) -> Self {
        let error = Self::invalid(StatusCode::BAD_REQUEST, None, message);
        match param {
            Some(param) => error.with_param(param),
            None => error,
        }
    }

    /// 401, without a `code`, as Stripe answers a missing or wrong key.
    pub fn unauthorized(message: String) -> Self {
        Self::invalid(StatusCode::UNAUTHORIZED, None, message)
    }

    /// 404 for a route Stripe does not have.
    pub fn unrecognized_url(method: &str, path: &str) -> Self {
        Self::invalid(
            StatusCode::NOT_FOUND,
            None,
            format!(
                "Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
            ),
        )
    }

    /// 400 `idempotency_error`: the key was first used with other parameters or another route.
    pub fn idempotency(key: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            kind: "idempotency_error",
            code: None,
            message: format!(
                "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."
            ),
            param: None,
            extra: serde_json::Map::new(),
        }
    }

    /// 500 `api_error`; the cause is logged, never sent.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "stripe-sandbox internal error");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            kind: "api_error",
            code: None,
            message: "An unknown error occurred".to_owned(),
            param: None,
            extra: serde_json::Map::new(),
        }
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        let mut error = json!({"type": self.kind, "message": self.message});
        if let Some(code) = self.code {
            error["code"] = json!(code);
            error["doc_url"] = json!(format!(
                "https://stripe.com/docs/error-codes/{}",
                code.replace('_', "-")
            ));
        }
        if let Some(param) = &self.param {
            error["param"] = json!(param);
        }
        for (key, value) in &self.extra {
            error[key] = value.clone();
        }
        json!({ "error": error })
    }
}

impl From<sea_orm::DbErr> for StripeError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::internal(err)
    }
}

impl ResponseError for StripeError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status).json(self.body())
    }
}
