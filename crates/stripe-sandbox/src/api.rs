//! `/v1`: customers, Checkout Sessions, PaymentIntents and refunds, wire-compatible with Stripe.

use std::future::Future;

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::StripeError;
use crate::form::Params;
use crate::objects::{self, find, new_id, now, public_session};

type State = web::Data<AppState>;

/// The `/v1` routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/customers", web::post().to(create_customer))
        .route("/customers/{id}", web::get().to(get_customer))
        .route("/checkout/sessions", web::post().to(create_session))
        .route("/checkout/sessions/{id}", web::get().to(get_session))
        .route("/payment_intents", web::get().to(list_payment_intents))
        .route("/payment_intents/{id}", web::get().to(get_payment_intent))
        .route("/refunds", web::post().to(create_refund))
        .default_service(web::to(not_found));
}

/// Stripe's 404 for a route it does not have.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    actix_web::ResponseError::error_response(&StripeError::unrecognized_url(
        req.method().as_str(),
        req.path(),
    ))
}

/// `Authorization: Bearer sk_test_…` (or Basic), the configured key only.
fn authorize(req: &HttpRequest, state: &AppState) -> Result<(), StripeError> {
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
async fn idempotent<F, Fut>(
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

async fn create_customer(
    req: HttpRequest,
    state: State,
    body: web::Bytes,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(&body)?;
    params.only(&[
        "email",
        "name",
        "phone",
        "description",
        "preferred_locales",
        "metadata",
    ])?;
    let app = state.clone();
    idempotent(&req, &state, params, |p| async move {
        let customer = json!({
            "id": new_id("cus_"),
            "object": "customer",
            "created": now(),
            "description": p.get("description"),
            "email": p.get("email"),
            "livemode": false,
            "metadata": p.map("metadata"),
            "name": p.get("name"),
            "phone": p.get("phone"),
            "preferred_locales": p.list("preferred_locales"),
        });
        app.store.create(&customer).await?;
        Ok(customer)
    })
    .await
}

async fn get_customer(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let customer = find(&state, "customer", "customer", &id, "id").await?;
    Ok(HttpResponse::Ok().json(customer))
}

const SESSION_PARAMS: &[&str] = &[
    "mode",
    "line_items",
    "customer",
    "customer_email",
    "client_reference_id",
    "metadata",
    "success_url",
    "cancel_url",
    "payment_method_types",
    "locale",
    "currency",
];

async fn create_session(
    req: HttpRequest,
    state: State,
    body: web::Bytes,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(&body)?;
    params.only(SESSION_PARAMS)?;
    let fields = session_fields(&params)?;
    if let Some(customer) = params.get("customer") {
        find(&state, "customer", "customer", customer, "customer").await?;
    }
    let origin = state.public_url.clone();
    let app = state.clone();
    idempotent(&req, &state, params, |p| async move {
        let id = new_id("cs_test_");
        let session = json!({
            "id": id,
            "object": "checkout.session",
            "amount_subtotal": fields.amount,
            "amount_total": fields.amount,
            "cancel_url": p.get("cancel_url"),
            "client_reference_id": p.get("client_reference_id"),
            "created": now(),
            "currency": fields.currency,
            "customer": p.get("customer"),
            "customer_email": p.get("customer_email"),
            "expires_at": now() + 24 * 3600,
            "line_items_input": fields.line_items,
            "livemode": false,
            "locale": p.get("locale"),
            "metadata": p.map("metadata"),
            "mode": "payment",
            "payment_intent": null,
            "payment_method_types": fields.methods,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": p.get("success_url"),
            "url": format!("{origin}/c/pay/{id}"),
        });
        app.store.create(&session).await?;
        Ok(public_session(session))
    })
    .await
}

struct SessionFields {
    amount: i64,
    currency: String,
    methods: Vec<String>,
    line_items: Vec<Value>,
}

/// Checks a session's parameters as Stripe does, before anything is stored.
fn session_fields(p: &Params) -> Result<SessionFields, StripeError> {
    match p.required("mode")? {
        "payment" => {}
        "setup" | "subscription" => {
            return Err(StripeError::bad_request(
                "parameter_invalid_empty",
                "The stripe-sandbox supports mode=payment only so far.".to_owned(),
                Some("mode"),
            ));
        }
        other => {
            return Err(StripeError::invalid_value(
                "mode",
                format!(
                    "Invalid mode: must be one of payment, setup, or subscription (got {other})"
                ),
            ));
        }
    }
    p.required("success_url")?;
    let items = p.indexed("line_items")?;
    if items.is_empty() {
        return Err(StripeError::missing("line_items"));
    }
    let mut amount = 0_i64;
    let mut currency: Option<String> = None;
    let mut line_items = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = |field: &str| format!("line_items[{i}][{field}]");
        let price = |field: &str| format!("price_data[{field}]");
        if item.get("price").is_some() {
            return Err(StripeError::bad_request(
                "resource_missing",
                "The stripe-sandbox has no Prices; use price_data.".to_owned(),
                Some(&at("price")),
            ));
        }
        let item_currency = item
            .get(&price("currency"))
            .ok_or_else(|| StripeError::missing(&format!("line_items[{i}][price_data][currency]")))?
            .to_lowercase();
        let unit_amount = item
            .integer(&price("unit_amount"), 0)
            .map_err(|e| rename(e, &format!("line_items[{i}][price_data][unit_amount]")))?
            .ok_or_else(|| {
                StripeError::missing(&format!("line_items[{i}][price_data][unit_amount]"))
            })?;
        let name = item.get("price_data[product_data][name]").ok_or_else(|| {
            StripeError::missing(&format!("line_items[{i}][price_data][product_data][name]"))
        })?;
        let quantity = item
            .integer("quantity", 1)
            .map_err(|e| rename(e, &at("quantity")))?
            .ok_or_else(|| StripeError::missing(&at("quantity")))?;
        if currency.as_ref().is_some_and(|c| *c != item_currency) {
            return Err(StripeError::bad_request(
                "parameter_invalid_empty",
                "All line items must use the same currency.".to_owned(),
                Some(&format!("line_items[{i}][price_data][currency]")),
            ));
        }
        amount = unit_amount
            .checked_mul(quantity)
            .and_then(|a| a.checked_add(amount))
            .ok_or_else(|| StripeError::invalid_integer(&at("quantity"), "overflow"))?;
        line_items.push(json!({"name": name, "unit_amount": unit_amount, "quantity": quantity}));
        currency = Some(item_currency);
    }
    let mut methods = p.list("payment_method_types");
    if methods.is_empty() {
        methods.push("card".to_owned());
    }
    if let Some(bad) = methods
        .iter()
        .find(|m| !["card", "klarna"].contains(&m.as_str()))
    {
        return Err(StripeError::invalid_value(
            "payment_method_types",
            format!("The payment method type provided: {bad} is invalid."),
        ));
    }
    Ok(SessionFields {
        amount,
        currency: currency.unwrap_or_default(),
        methods,
        line_items,
    })
}

fn rename(mut error: StripeError, param: &str) -> StripeError {
    if let Some(old) = &error.param {
        error.message = error.message.replace(old.as_str(), param);
    }
    error.param = Some(param.to_owned());
    error
}

async fn get_session(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let session = find(
        &state,
        "checkout.session",
        "checkout.session",
        &id,
        "session",
    )
    .await?;
    Ok(HttpResponse::Ok().json(public_session(session)))
}

async fn get_payment_intent(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let intent = find(&state, "payment_intent", "payment_intent", &id, "intent").await?;
    Ok(HttpResponse::Ok().json(intent))
}

async fn list_payment_intents(req: HttpRequest, state: State) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(req.query_string().as_bytes())?;
    params.only(&["created", "limit", "customer"])?;
    let limit = params.integer("limit", 1)?.unwrap_or(10);
    if limit > 100 {
        return Err(StripeError::bad_request(
            "parameter_invalid_integer",
            "This value must be less than or equal to 100.".to_owned(),
            Some("limit"),
        ));
    }
    let mut gte = i64::MIN;
    let mut lte = i64::MAX;
    if let Some(exact) = params.integer("created", i64::MIN)? {
        (gte, lte) = (exact, exact);
    }
    if let Some(v) = params.integer("created[gte]", i64::MIN)? {
        gte = gte.max(v);
    }
    if let Some(v) = params.integer("created[gt]", i64::MIN)? {
        gte = gte.max(v.saturating_add(1));
    }
    if let Some(v) = params.integer("created[lte]", i64::MIN)? {
        lte = lte.min(v);
    }
    if let Some(v) = params.integer("created[lt]", i64::MIN)? {
        lte = lte.min(v.saturating_sub(1));
    }
    let limit = u64::try_from(limit).unwrap_or(10);
    let mut data = state
        .store
        .find_by_kind("payment_intent", gte, lte, limit + 1)
        .await?;
    if let Some(customer) = params.get("customer") {
        data.retain(|pi| pi["customer"] == customer);
    }
    let has_more = data.len() as u64 > limit;
    data.truncate(usize::try_from(limit).unwrap_or(10));
    Ok(HttpResponse::Ok().json(json!({
        "object": "list",
        "data": data,
        "has_more": has_more,
        "url": "/v1/payment_intents",
    })))
}

async fn create_refund(
    req: HttpRequest,
    state: State,
    body: web::Bytes,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(&body)?;
    params.only(&["payment_intent", "amount", "reason", "metadata"])?;
    params.required("payment_intent")?;
    params.integer("amount", 1)?;
    if let Some(reason) = params.get("reason")
        && !["duplicate", "fraudulent", "requested_by_customer"].contains(&reason)
    {
        return Err(StripeError::invalid_value(
            "reason",
            format!(
                "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer (got {reason})"
            ),
        ));
    }
    let app = state.clone();
    idempotent(&req, &state, params, |p| async move {
        let amount = p.integer("amount", 1)?;
        let intent = p.required("payment_intent")?;
        objects::refund(&app, intent, amount, p.get("reason"), p.map("metadata")).await
    })
    .await
}
