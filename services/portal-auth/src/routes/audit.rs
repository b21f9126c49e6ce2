//! `GET /portal/impersonations`: the audit of customer tokens minted for others (staff
//! impersonations, internal callers' tokens), newest first, for the staff groups that may
//! impersonate (`IMPERSONATION_GROUPS`).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::staff::impersonator;
use crate::error::ApiError;
use crate::store::ImpersonationRecord;

/// Entries per page unless `limit` says otherwise.
const DEFAULT_LIMIT: u64 = 50;
/// Most entries per page.
const MAX_LIMIT: u64 = 200;

/// Which page of the audit.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Only the impersonations of this ERPNext Customer.
    pub customer: Option<String>,
    /// Entries older than this one (the `next_before` of the previous page).
    pub before: Option<i64>,
    /// How many entries, 1 to 200 (default 50).
    pub limit: Option<u64>,
}

/// One impersonation.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    /// Position in the audit (newest is highest).
    pub seq: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Authentik user name of the staff member.
    pub staff: String,
    /// Their Authentik groups at the time.
    pub staff_groups: Vec<String>,
    /// ERPNext Customer name.
    pub customer: String,
    /// Ticket number or reason given.
    pub reason: Option<String>,
    /// The staff member's address.
    pub client_ip: String,
    /// `jti` of the token minted.
    pub token_id: String,
    /// `impersonation`, or the purpose an internal caller gave (`payment_return`, `payment_link`, `quote_link`;
    /// then `staff` is `internal` and `reason` the caller's context).
    pub purpose: String,
}

impl From<ImpersonationRecord> for AuditEntry {
    fn from(r: ImpersonationRecord) -> Self {
        AuditEntry {
            seq: r.seq,
            at: chrono::DateTime::from_timestamp_millis(r.created_at)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            staff: r.staff,
            staff_groups: r
                .staff_groups
                .split('|')
                .filter(|g| !g.is_empty())
                .map(str::to_owned)
                .collect(),
            customer: r.customer,
            reason: r.reason,
            client_ip: r.client_ip,
            token_id: r.token_id,
            purpose: r.purpose,
        }
    }
}

/// One page of the audit.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub entries: Vec<AuditEntry>,
    /// `before` of the next page; none when this page is the last.
    pub next_before: Option<i64>,
}

/// The impersonation audit, newest first, a page at a time (staff allowed to impersonate).
#[utoipa::path(get, path = "/portal/impersonations", tag = "portal-auth", params(AuditQuery),
    responses((status = 200, description = "Impersonations, newest first", body = AuditPage),
              (status = 400, body = shared::http::Problem, content_type = "application/problem+json",
               description = "A bad `customer`, `before` or `limit`"),
              (status = 403, body = shared::http::Problem, content_type = "application/problem+json",
               description = "Not staff from the trusted proxy, or not in IMPERSONATION_GROUPS"),
              (status = 503, body = shared::http::Problem, content_type = "application/problem+json",
               description = "The database is not answering")))]
#[tracing::instrument(skip_all)]
pub async fn impersonations(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    impersonator(&req, &state)?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit must be 1 to {MAX_LIMIT}."
        )));
    }
    if query.before.is_some_and(|b| b < 1) {
        return Err(ApiError::BadRequest("before must be positive.".into()));
    }
    let customer = query
        .customer
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if customer.is_some_and(|c| c.len() > 140 || c.chars().any(char::is_control)) {
        return Err(ApiError::BadRequest(
            "customer must be an ERPNext Customer name.".into(),
        ));
    }
    // One more than asked tells whether another page follows.
    let mut rows = crate::store::find_impersonations(
        state.store.connection(),
        customer,
        query.before,
        limit + 1,
    )
    .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_before = more.then(|| rows.last().map(|r| r.seq)).flatten();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(AuditPage {
            entries: rows.into_iter().map(AuditEntry::from).collect(),
            next_before,
        }))
}
