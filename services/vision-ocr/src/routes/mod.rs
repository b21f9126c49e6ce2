//! HTTP routes of vision-ocr. Handlers stay thin: check who calls, read the upload, one call,
//! answer.

mod jobs;
mod page;
mod read;
mod upload;

pub use jobs::__path_job;
pub use page::__path_page;
pub use read::{__path_equipment, __path_invoice};

use actix_web::{HttpRequest, HttpResponse, web};
use shared::claims::{AUD_TECH, JwksCache, TechClaims};
use shared::http::StaffGate;
use shared::lang::Lang;

use crate::error::ApiError;
use crate::flow::{Answer, Vision};

/// Shared state of the handlers.
pub struct AppState {
    pub(crate) vision: Vision,
    /// Who is staff, and the groups that may read invoices.
    pub(crate) staff: (StaffGate, Vec<String>),
    /// Technicians' tokens, checked with portal-auth's keys.
    pub(crate) tech_keys: JwksCache,
    /// Largest upload.
    pub(crate) max_upload_bytes: usize,
}

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caller {
    /// A staff member (every job is theirs to see).
    Staff(String),
    /// A technician, by id.
    Tech(String),
}

impl Caller {
    /// How the extraction records who asked.
    pub(crate) fn principal(&self) -> String {
        match self {
            Self::Staff(user) => format!("staff:{user}"),
            Self::Tech(id) => format!("tech:{id}"),
        }
    }
}

impl AppState {
    /// The staff member behind `req`, in one of the groups that may read here.
    fn staff(&self, req: &HttpRequest) -> Result<Caller, ApiError> {
        let (gate, groups) = &self.staff;
        let staff = gate
            .staff(req)
            .map_err(|e| ApiError::NotStaff(e.detail()))?;
        match staff.local || staff.in_any(groups) {
            true => Ok(Caller::Staff(staff.username)),
            false => Err(ApiError::NotStaff(
                "Not in a group that may read documents.",
            )),
        }
    }

    /// A technician when `req` carries a token (it must be a valid `aud=tech` one), else staff.
    async fn staff_or_tech(&self, req: &HttpRequest) -> Result<Caller, ApiError> {
        let Some(header) = req.headers().get("Authorization") else {
            return self.staff(req);
        };
        let token = header
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .filter(|t| t.len() <= 4096)
            .ok_or(ApiError::Unauthorized)?;
        let claims: TechClaims = self
            .tech_keys
            .verify(token, AUD_TECH)
            .await
            .map_err(|_| ApiError::Unauthorized)?;
        Ok(Caller::Tech(claims.sub))
    }
}

/// Mounts every route.
pub fn configure(cfg: &mut web::ServiceConfig, state: web::Data<AppState>) {
    cfg.service(
        web::scope("/vision")
            .app_data(state)
            .app_data(shared::http::query_config())
            .app_data(shared::http::path_config())
            .route("", web::get().to(page::to_page))
            .route("/", web::get().to(page::page))
            .route("/invoice", web::post().to(read::invoice))
            .route("/equipment", web::post().to(read::equipment))
            .route("/jobs/{id}", web::get().to(jobs::job)),
    );
}

/// The language the caller reads: `Accept-Language`, French when it names neither.
pub(crate) fn lang(req: &HttpRequest) -> Lang {
    req.headers()
        .get("Accept-Language")
        .and_then(|v| v.to_str().ok())
        .map_or_else(Default::default, Lang::from_accept_language)
}

/// The HTTP response of an answer.
pub(crate) fn respond(answer: Answer) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(answer.status)
        .unwrap_or(actix_web::http::StatusCode::OK);
    let mut out = HttpResponse::build(status);
    let content_type = match answer.status {
        200..=299 => "application/json",
        _ => "application/problem+json",
    };
    out.content_type(content_type);
    if answer.replayed {
        out.insert_header(("Idempotent-Replayed", "true"));
    }
    if let Some(location) = answer.location {
        out.insert_header(("Location", location));
    }
    out.body(answer.body)
}
