//! `GET /payments/return`: where Stripe sends the customer back. A 302 to the portal's page for the
//! outcome, with a fresh customer token in the fragment the first time a session of ours comes back
//! (soon after it was made), so a customer whose session expired while paying lands logged in; the
//! session id found later in a browser's history opens nothing.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use crate::error::ApiError;
use shared::portal_auth::Purpose;

/// What happened at Stripe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Paid (or being paid).
    Success,
    /// The customer went back without paying.
    Cancel,
    /// A card was saved.
    CardAdded,
}

impl Outcome {
    /// The portal's page for it.
    fn page(self) -> &'static str {
        match self {
            Self::Success => "paiement/reussi",
            Self::Cancel => "paiement/annule",
            Self::CardAdded => "carte-ajoutee",
        }
    }
}

/// `?status=&session_id=`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ReturnQuery {
    /// `success`, `cancel` or `card-added`.
    #[param(inline)]
    pub status: Outcome,
    /// Stripe's `cs_…`.
    pub session_id: String,
}

/// Stripe's return address.
#[utoipa::path(get, path = "/payments/return", tag = "payments", params(ReturnQuery),
    responses((status = 302, description = "To the portal's page, with a fresh customer token in the fragment the first time"),
              (status = 400, description = "No or an unknown status, or no session_id (REQ_05)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 422, description = "session_id is not a Checkout Session id (PAY_04)", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn stripe_return(
    state: web::Data<AppState>,
    query: web::Query<ReturnQuery>,
) -> Result<HttpResponse, ApiError> {
    let session = &query.session_id;
    if !is_session_id(session) {
        return Err(ApiError::BadQuery(
            "session_id is a Checkout Session id (cs_…)",
        ));
    }
    let page = format!("{}/#/{}", state.pay.portal_url, query.status.page());
    let token = match state.pay.returning_customer(session).await? {
        Some(customer) => {
            state
                .auth
                .mint(&customer, Purpose::PaymentReturn, session)
                .await
        }
        None => None,
    };
    let location = match token {
        Some(minted) => format!("{page}?token={}", minted.token),
        None => page,
    };
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .finish())
}

fn is_session_id(s: &str) -> bool {
    s.starts_with("cs_")
        && s.len() <= 255
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}
