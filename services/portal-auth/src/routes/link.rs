//! `POST /portal/request-link` and the SMS short link `GET /portal/l/{code}`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shared::http::ClientIp;
use utoipa::ToSchema;

use super::AppState;
use crate::domain::identifier::{Identifier, IdentifierKind};
use crate::error::ApiError;
use crate::metrics::LinkRequestOutcome;
use crate::store::{Admission, LimitKey, NewJob, RateDecision, now_ms};

/// What the login page sends.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LinkRequest {
    /// An email, a phone number (any North American form) or a customer number.
    #[schema(example = "marie.tremblay@example.ca")]
    pub identifier: String,
    /// `fr` or `en`; the customer's ERP language wins when set.
    #[schema(example = "fr")]
    pub lang: Option<String>,
}

/// The answer: it depends only on what was typed, never on whether an account matched.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkAccepted {
    /// Always true.
    pub ok: bool,
    /// What the identifier was read as.
    #[schema(value_type = String, example = "email")]
    pub kind: IdentifierKind,
    /// A masked echo of the identifier.
    pub hint: String,
}

/// The key of an identifier in rate limits and codes (a hash: identifiers are not stored there).
/// 128 bits of SHA-256 are plenty to keep keys apart and keep the indexes small.
pub(crate) fn identifier_key(id: &Identifier) -> String {
    use base64::Engine as _;
    let digest = Sha256::digest(format!("portal-auth:v1:{}", id.normalised()));
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// The key of a client address in per-address limits (`ip:<addr>`): an IPv6 client is its /64, so a
/// client cannot get a fresh allowance by taking a new address of its network.
pub(crate) fn address_key(ip: std::net::IpAddr) -> String {
    match shared::http::limit_group(ip) {
        ipnet::IpNet::V4(v4) => format!("ip:{}", v4.addr()),
        v6 => format!("ip:{v6}"),
    }
}

/// Sends a login link and code to every enabled customer the identifier names.
#[utoipa::path(post, path = "/portal/request-link", request_body = LinkRequest, tag = "portal-auth",
    responses((status = 200, description = "Taken; the same answer whether an account matched or not", body = LinkAccepted),
              shared::http::JsonBodyProblems,
              (status = 429, description = "Too many link requests for this identifier or address", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "The database does not answer", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn request_link(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: web::Json<LinkRequest>,
) -> Result<HttpResponse, ApiError> {
    let identifier = Identifier::parse(&body.identifier)?;
    let lang = match body.lang.as_deref() {
        None => None,
        Some(l @ ("fr" | "en")) => Some(l.to_owned()),
        Some(_) => {
            return Err(ApiError::BadRequest(
                "lang must be \"fr\" or \"en\".".into(),
            ));
        }
    };
    let key = identifier_key(&identifier);
    let admission = Admission {
        identifier_key: key.clone(),
        ip_key: address_key(ip.0),
        job: NewJob {
            id: uuid::Uuid::now_v7().to_string(),
            kind: identifier.kind().as_str().to_owned(),
            identifier: identifier.normalised().to_owned(),
            identifier_key: key,
            lang,
            client_ip: ip.0.to_string(),
            created_at: now_ms(),
            // The worker continues this request's trace; nothing to carry when none is exported.
            traceparent: shared::telemetry::exporting()
                .then(shared::events::current_traceparent)
                .flatten(),
        },
    };
    match state
        .admitter
        .admit(admission)
        .await
        .map_err(ApiError::Unavailable)?
    {
        RateDecision::Limited { retry_after_s, by } => {
            state.metrics.link_request(match by {
                LimitKey::Address => LinkRequestOutcome::LimitedByAddress,
                _ => LinkRequestOutcome::LimitedByIdentifier,
            });
            Err(ApiError::RateLimited(retry_after_s))
        }
        RateDecision::Admitted => {
            state.metrics.link_request(LinkRequestOutcome::Admitted);
            state.jobs_queued.notify_one();
            Ok(HttpResponse::Ok()
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .json(LinkAccepted {
                    ok: true,
                    kind: identifier.kind(),
                    hint: identifier.hint(),
                }))
        }
    }
}

/// Follows an SMS short link to the portal with the token in the fragment. Following does not use
/// the link up (message scanners fetch links too); it works until the token expires.
#[utoipa::path(get, path = "/portal/l/{code}", tag = "portal-auth",
    params(("code" = String, Path, description = "short-link code")),
    responses((status = 302, description = "to the portal, token in the fragment; to the login page when unknown or expired"),
              (status = 404, description = "The code is not text (bad percent-encoding)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "The database does not answer", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn follow_short_link(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let well_formed = (8..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let claims = if well_formed {
        state.store.find_short_link(&code, now_ms()).await?
    } else {
        None
    };
    let location = match claims {
        Some(json) => {
            let claims = serde_json::from_str(&json).map_err(|e| ApiError::Unexpected(e.into()))?;
            let token = state
                .tokens
                .sign(&claims)
                .map_err(|e| ApiError::Unexpected(e.into()))?;
            format!("{}/#/?token={token}", state.portal_url)
        }
        None => format!("{}/#/login?expired=1", state.portal_url),
    };
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .finish())
}
