//! `/v1`: customers, Checkout Sessions, SetupIntents, PaymentMethods, Mandates, PaymentIntents, charges and
//! balance transactions, refunds, Billing Portal sessions, wire-compatible with Stripe;
//! the key check and the `Idempotency-Key` replay every route shares.

mod acss_options;
mod billing_portal;
mod charges;
mod customers;
mod mandates;
mod payment_intents;
mod payment_methods;
mod refunds;
mod sessions;
mod setup_intents;
mod setup_mode;

use std::future::Future;

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use secrecy::ExposeSecret;
use serde_json::Value;
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::StripeError;
use crate::form::Params;
use crate::objects::now;

type State = web::Data<AppState>;

/// The `/v1` routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/customers", web::post().to(customers::create))
        .route("/customers/{id}", web::get().to(customers::get))
        .route("/customers/{id}", web::post().to(customers::update))
        .route(
            "/customers/{id}/payment_methods",
            web::get().to(payment_methods::list_of_customer),
        )
        .route("/payment_methods", web::get().to(payment_methods::list))
        .route("/payment_methods/{id}", web::get().to(payment_methods::get))
        .route(
            "/payment_methods/{id}/detach",
            web::post().to(payment_methods::detach),
        )
        .route("/checkout/sessions", web::post().to(sessions::create))
        .route("/checkout/sessions/{id}", web::get().to(sessions::get))
        .route(
            "/checkout/sessions/{id}/expire",
            web::post().to(sessions::expire),
        )
        .route("/payment_intents", web::get().to(payment_intents::list))
        .route("/payment_intents", web::post().to(payment_intents::create))
        .route("/payment_intents/{id}", web::get().to(payment_intents::get))
        .route("/setup_intents/{id}", web::get().to(setup_intents::get))
        .route("/mandates/{id}", web::get().to(mandates::get))
        .route("/charges/{id}", web::get().to(charges::get))
        .route(
            "/balance_transactions/{id}",
            web::get().to(charges::get_balance_transaction),
        )
        .route("/refunds", web::post().to(refunds::create))
        .route("/refunds", web::get().to(refunds::list))
        .route(
            "/billing_portal/sessions",
            web::post().to(billing_portal::create),
        )
        .default_service(web::to(not_found));
}

/// `GET` of one stored object (`kind`, named `what` in Stripe's 404 on `param`), `expand[]` applied.
pub(super) async fn get_one(
    req: &HttpRequest,
    state: &State,
    id: &str,
    (kind, what, param): (&str, &str, &str),
) -> Result<HttpResponse, StripeError> {
    authorize(req, state)?;
    let params = query(req)?;
    let object = crate::objects::find(state, kind, what, id, param).await?;
    Ok(HttpResponse::Ok().json(crate::expand::expanded(state, object, &params).await?))
}

/// Stripe's 404 for a route it does not have.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    actix_web::ResponseError::error_response(&StripeError::unrecognized_url(
        req.method().as_str(),
        req.path(),
    ))
}

/// The query string of a GET that takes no parameter but `expand[]`.
pub(super) fn query(req: &HttpRequest) -> Result<Params, StripeError> {
    let params = Params::parse(req.query_string().as_bytes())?;
    params.only(&[])?;
    Ok(params)
}

/// `Authorization: Bearer sk_test_…` (or Basic), the configured key only.
pub(super) fn authorize(req: &HttpRequest, state: &AppState) -> Result<(), StripeError> {
    let header = req
        .headers()
        .get("Authorization")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    // Bearer, or Basic with the key as the user name (`curl -u sk_test_…:` of Stripe's docs).
    let basic = header
        .strip_prefix("Basic ")
        .and_then(|b| {
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b.trim()).ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .map(|user| user.split(':').next().unwrap_or_default().to_owned());
    let bearer = header.strip_prefix("Bearer ").map(|k| k.trim().to_owned());
    let Some(key) = bearer.or(basic).filter(|k| !k.is_empty()) else {
        return Err(StripeError::unauthorized(
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.".to_owned(),
        ));
    };
    let expected = state.secret_key.expose_secret().as_bytes();
    if bool::from(key.as_bytes().ct_eq(expected)) {
        return Ok(());
    }
    let tail: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let head: String = key.chars().take(8).collect();
    Err(StripeError::unauthorized(format!(
        "Invalid API Key provided: {head}****{tail}"
    )))
}

/// Runs a POST under its `Idempotency-Key`: the same key with the same route and parameters
/// replays the first answer (with `Idempotent-Replayed: true`); with others, 400
/// `idempotency_error`. As Stripe does, only answers of requests that started executing are kept
/// (a 400 on validation is not, a refund refused as too large is), so a corrected retry under the
/// same key is allowed. Writes run one at a time here, so Stripe's 409 for a key whose first
/// request is still running cannot happen.
pub(super) async fn idempotent<F, Fut>(
    req: &HttpRequest,
    state: &AppState,
    params: Params,
    run: F,
) -> Result<HttpResponse, StripeError>
where
    F: FnOnce(Params) -> Fut,
    Fut: Future<Output = Result<Value, StripeError>>,
{
    let _write = state.write_lock.lock().await;
    let key = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    if key.as_ref().is_some_and(|k| k.len() > 255) {
        return Err(StripeError::bad_request(
            "idempotency_key_too_long",
            "Idempotency keys can be at most 255 characters long.".to_owned(),
            None,
        ));
    }
    let request = format!("{} {}?{}", req.method(), req.path(), params.canonical());
    if let Some(key) = &key
        && let Some((first, status, body)) = state.store.find_idempotent(key).await?
    {
        if first != request {
            return Err(StripeError::idempotency(key));
        }
        return Ok(
            HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
                .insert_header(("Idempotent-Replayed", "true"))
                .insert_header(("Idempotency-Key", key.as_str()))
                .content_type("application/json")
                .body(body),
        );
    }
    // Once the endpoint runs, its answer is kept under the key whatever it is (a refund refused as
    // too large included), as Stripe does.
    let (status, body) = match run(params).await {
        Ok(object) => (StatusCode::OK, object.to_string()),
        Err(error) => (error.status, error.body().to_string()),
    };
    if let Some(key) = &key {
        state
            .store
            .save_idempotent(key, &request, status.as_u16(), &body, now())
            .await?;
    }
    Ok(HttpResponse::build(status)
        .content_type("application/json")
        .body(body))
}
