//! Auto-pay's routes: the customer's enrolment (`GET`/`PUT /payments/ppa`) and a run by hand
//! (`POST /payments/ppa/run`, staff).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use crate::error::ApiError;
use crate::ppa::{Choice, EnrolmentView, Mode, RunError, Summary};

type State = web::Data<AppState>;

/// Mounts the auto-pay routes in the `/payments` scope.
pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/ppa", web::get().to(get_ppa))
        .route("/ppa", web::put().to(put_ppa))
        .route("/ppa/run", web::post().to(run_ppa));
}

/// The customer's auto-pay enrolment.
#[utoipa::path(get, path = "/payments/ppa", tag = "payments",
    responses((status = 200, description = "The enrolment", body = EnrolmentView),
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn get_ppa(req: HttpRequest, state: State) -> Result<HttpResponse, ApiError> {
    let customer = state.customer(&req).await?;
    let view = state.ppa.enrolment(&customer).await?;
    Ok(no_store().json(view))
}

/// `{"method": "card", "payment_method": "pm_…"}` or `{"method": "acss_debit"}` to enrol,
/// `{"enabled": false}` to leave.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutPpa {
    /// `false` to leave.
    pub enabled: Option<bool>,
    /// `card` or `acss_debit`.
    pub method: Option<String>,
    /// One of the customer's saved cards (not with `acss_debit`: the bank account is given on
    /// Stripe's page).
    pub payment_method: Option<String>,
}

impl TryFrom<PutPpa> for Choice {
    type Error = ApiError;

    fn try_from(body: PutPpa) -> Result<Self, ApiError> {
        match (body.enabled, body.method.as_deref(), body.payment_method) {
            (Some(false), None, None) => Ok(Self::Leave),
            (None | Some(true), Some("card"), Some(card)) => Ok(Self::Card(card)),
            (None | Some(true), Some("acss_debit"), None) => Ok(Self::Bank),
            (_, Some("acss_debit"), Some(_)) => Err(ApiError::BadQuery(
                "A bank account is given on Stripe's page: send {\"method\": \"acss_debit\"} alone.",
            )),
            _ => Err(ApiError::BadQuery(
                "Send {\"method\": \"card\", \"payment_method\": \"pm_…\"}, {\"method\": \"acss_debit\"} or {\"enabled\": false}.",
            )),
        }
    }
}

/// The URL of Stripe's page for a bank-debit mandate.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct MandatePage {
    /// A setup-mode Checkout Session: the PAD agreement and the bank account.
    pub url: String,
}

/// Enrols the customer with a saved card, opens Stripe's page for a bank-debit mandate (the
/// enrolment is recorded when it is accepted), or takes them out.
#[utoipa::path(put, path = "/payments/ppa", tag = "payments", request_body = PutPpa,
    responses((status = 200, description = "The enrolment now (card, leaving), or `{url}` of the mandate's page (acss_debit)", body = EnrolmentView),
              shared::http::JsonBodyProblems,
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "Not one of the customer's saved cards (PAY_14)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 422, description = "An unknown field, or neither a card nor leaving", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "Stripe or portal-auth unavailable", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn put_ppa(
    req: HttpRequest,
    state: State,
    body: web::Json<PutPpa>,
) -> Result<HttpResponse, ApiError> {
    let customer = state.customer(&req).await?;
    let choice = Choice::try_from(body.into_inner())?;
    if choice == Choice::Bank {
        let url = state.pay.bank_mandate(&customer).await?;
        return Ok(no_store().json(MandatePage { url }));
    }
    if let Choice::Card(card) = &choice {
        // Only one of the customer's own saved cards: another's is the same 404 as a missing one.
        state.pay.own_card(&customer, card).await?;
    }
    let view = state.ppa.enrol(&customer, choice).await?;
    Ok(no_store().json(view))
}

/// `?dry_run=true&date=YYYY-MM-DD`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RunQuery {
    /// Only say what would be charged.
    pub dry_run: Option<bool>,
    /// The day (default: today in Quebec).
    pub date: Option<NaiveDate>,
}

/// Runs auto-pay for a day now (again if it ran: only what is left is charged).
#[utoipa::path(post, path = "/payments/ppa/run", tag = "payments", params(RunQuery),
    responses((status = 200, description = "What was (or would be) charged", body = Summary),
              (status = 400, description = "A date or dry_run that does not read (REQ_05)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 403, description = "Not staff in a payments group (PAY_06)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 409, description = "The day's run is under way elsewhere (PAY_15)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "Stripe or the database unavailable", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn run_ppa(
    req: HttpRequest,
    state: State,
    query: web::Query<RunQuery>,
) -> Result<HttpResponse, ApiError> {
    let staff = state.staff(&req)?;
    let day = query.date.unwrap_or_else(|| {
        chrono::Utc::now()
            .with_timezone(&chrono_tz::America::Toronto)
            .date_naive()
    });
    let mode = match query.dry_run {
        Some(true) => Mode::DryRun,
        _ => Mode::Manual,
    };
    tracing::info!(staff = %staff.username, %day, ?mode, "auto-pay run by hand");
    let summary = state
        .ppa
        .run(day, mode, &mut |_| {})
        .await
        .map_err(|e| match e {
            RunError::NotTaken => ApiError::RunUnderWay,
            RunError::Db(e) => ApiError::Unavailable(e),
            RunError::Erp(e) => ApiError::Erp(e),
            RunError::LeaseLost | RunError::NoStripe => ApiError::StripeUnavailable,
        })?;
    Ok(no_store().json(summary))
}

fn no_store() -> actix_web::HttpResponseBuilder {
    let mut answer = HttpResponse::Ok();
    answer.insert_header((header::CACHE_CONTROL, "no-store"));
    answer
}
