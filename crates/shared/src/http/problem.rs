//! RFC 9457 problem details: `{type, title, status, detail, code}` as `application/problem+json`.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError, error, web};
use serde::Serialize;
use serde_json::{Map, Value};

/// A problem+json answer with a stable machine-readable `code`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`about:blank` for plain HTTP statuses).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short, human-readable summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, for a person.
    pub detail: String,
    /// A stable code for programs (`AUTH_01`-style).
    pub code: String,
    /// Extra members (`retry_after_s`, field names).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// Seconds to put in a `Retry-After` header.
    #[serde(skip)]
    pub retry_after_s: Option<u64>,
}

impl Problem {
    /// A problem with the given status, code, title and detail.
    pub fn new(status: StatusCode, code: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!(
                "https://gigafibre.ca/problems/{}",
                code.to_ascii_lowercase()
            ),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            extra: Map::new(),
            retry_after_s: None,
        }
    }

    /// Adds an extension member.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_owned(), value.into());
        self
    }

    /// A 429 with `Retry-After` and `retry_after_s`.
    pub fn too_many_requests(code: &str, detail: impl Into<String>, retry_after_s: u64) -> Self {
        let mut p = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            code,
            "Too many requests",
            detail,
        )
        .with("retry_after_s", retry_after_s);
        p.retry_after_s = Some(retry_after_s);
        p
    }

    /// An opaque 500: the cause is logged by the caller, never shown.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "SRV_00",
            "Internal error",
            "Something went wrong on our side; please try again.",
        )
    }

    /// The problem of a bare HTTP status (an answer of actix's own: a wrong method, a raw body
    /// over its limit, a file that is not there). A 5xx stays as opaque as [`Problem::internal`].
    pub fn for_status(status: StatusCode) -> Self {
        let title = status.canonical_reason().unwrap_or("Error");
        let code = match status.as_u16() {
            400 => "REQ_01".to_owned(),
            404 => "REQ_06".to_owned(),
            405 => "REQ_07".to_owned(),
            413 => "REQ_03".to_owned(),
            415 => "REQ_02".to_owned(),
            s if s >= 500 => "SRV_00".to_owned(),
            s => format!("HTTP_{s}"),
        };
        let detail = match status.as_u16() {
            404 => "No such resource.",
            405 => "This route does not take this method.",
            413 => "The body is larger than this route accepts.",
            s if s >= 500 => "Something went wrong on our side; please try again.",
            _ => "The request was refused.",
        };
        Self::new(status, &code, title, detail)
    }

    /// A 503 when a dependency (ERP, database) is down.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SRV_01",
            "Service unavailable",
            detail,
        )
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.detail)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        res.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        if let Some(s) = self.retry_after_s {
            res.insert_header((header::RETRY_AFTER, s.to_string()));
        }
        res.body(serde_json::to_string(self).unwrap_or_default())
    }
}

fn json_error(err: error::JsonPayloadError, _req: &HttpRequest) -> error::Error {
    use error::JsonPayloadError as E;
    let problem = match &err {
        E::ContentType => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "REQ_02",
            "Unsupported media type",
            "The body must be JSON, sent with Content-Type: application/json.",
        ),
        E::OverflowKnownLength { limit, .. } | E::Overflow { limit } => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "REQ_03",
            "Body too large",
            format!("The body must not exceed {limit} bytes."),
        ),
        E::Deserialize(e) if e.is_data() => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "REQ_04",
            "Invalid fields",
            format!("The JSON does not have the expected fields: {e}"),
        ),
        _ => Problem::new(
            StatusCode::BAD_REQUEST,
            "REQ_01",
            "Malformed body",
            "The body is not valid JSON.",
        ),
    };
    error::InternalError::from_response(err, problem.error_response()).into()
}

/// JSON extractor settings: a body limit and problem+json errors (400 malformed, 413 too large,
/// 415 wrong content type, 422 wrong fields).
pub fn json_config(limit_bytes: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit_bytes)
        .error_handler(json_error)
}

/// Query-string extractor errors as problem+json 400.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _| {
        let p = Problem::new(
            StatusCode::BAD_REQUEST,
            "REQ_05",
            "Invalid query string",
            err.to_string(),
        );
        error::InternalError::from_response(err, p.error_response()).into()
    })
}

/// Path extractor errors as problem+json 404.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _| {
        let p = Problem::new(
            StatusCode::NOT_FOUND,
            "REQ_06",
            "Not found",
            "No such resource.",
        );
        error::InternalError::from_response(err, p.error_response()).into()
    })
}

/// Middleware: an error answer with no body of its own type (actix's plain-text or empty 404 of a
/// missing file, 405 of a wrong method, 413 of a raw body over its limit, or a handler's bare
/// `NotFound().finish()`) becomes problem+json of the same status, its headers (`Allow`) kept.
/// Answers that already say what they are (problem+json, an HTML page, `/readyz`'s JSON report)
/// pass untouched, and so does every success.
pub async fn bare_errors_as_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, error::Error> {
    let res = next.call(req).await?;
    let status = res.status();
    let bare = (status.is_client_error() || status.is_server_error())
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if !bare {
        return Ok(res.map_into_left_body());
    }
    let body = serde_json::to_string(&Problem::for_status(status)).unwrap_or_default();
    Ok(res.map_body(|head, _| {
        head.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        head.headers_mut().remove(header::CONTENT_LENGTH);
        EitherBody::right(BoxBody::new(body))
    }))
}

/// Default service: problem+json 404 for unknown routes.
pub async fn not_found() -> HttpResponse {
    Problem::new(
        StatusCode::NOT_FOUND,
        "REQ_06",
        "Not found",
        "No such route.",
    )
    .error_response()
}
