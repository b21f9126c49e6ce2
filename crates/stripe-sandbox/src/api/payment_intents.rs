//! `/v1/payment_intents`: creating one with a saved card (confirmed off-session at once when
//! asked), one, and the list by creation time.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{State, authorize, get_one, idempotent};
use crate::bank;
use crate::error::StripeError;
use crate::form::Params;
use crate::objects::find;
use crate::off_session::{self, NewIntent};

const CREATE_PARAMS: &[&str] = &[
    "amount",
    "currency",
    "customer",
    "payment_method",
    "confirm",
    "off_session",
    "metadata",
    "description",
    "payment_method_types",
    "mandate",
];

pub(super) async fn create(
    req: HttpRequest,
    state: State,
    body: web::Bytes,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(&body)?;
    params.only(CREATE_PARAMS)?;
    let new = new_intent(&state, &params).await?;
    let app = state.clone();
    idempotent(&req, &state, params, |_| async move {
        off_session::create(&app, new).await
    })
    .await
}

/// The request checked as Stripe checks it: amounts, booleans, the customer, and a card that is
/// the customer's.
async fn new_intent(state: &State, p: &Params) -> Result<NewIntent, StripeError> {
    let amount = p
        .integer("amount", 1)?
        .ok_or_else(|| StripeError::missing("amount"))?;
    let currency = p.required("currency")?.to_lowercase();
    if !(currency.len() == 3 && currency.chars().all(|c| c.is_ascii_alphabetic())) {
        return Err(StripeError::invalid_value(
            "currency",
            format!("Invalid currency: {currency}"),
        ));
    }
    // Stripe's minimum charge in CAD and USD.
    if amount < 50 {
        return Err(StripeError::bad_request(
            "amount_too_small",
            format!("Amount must be at least $0.50 {currency}"),
            Some("amount"),
        ));
    }
    let confirm = boolean(p, "confirm")?;
    let off_session = match p.get("off_session") {
        Some("one_off" | "recurring") => true,
        _ => boolean(p, "off_session")?,
    };
    if off_session && !confirm {
        return Err(StripeError::invalid_value(
            "off_session",
            "You can only pass `off_session` when `confirm` is true.".to_owned(),
        ));
    }
    let mut methods = p.list("payment_method_types");
    if methods.is_empty() {
        methods.push("card".to_owned());
    }
    if let Some(bad) = methods
        .iter()
        .find(|m| !["card", "klarna", "acss_debit"].contains(&m.as_str()))
    {
        return Err(StripeError::invalid_value(
            "payment_method_types",
            format!("The payment method type provided: {bad} is invalid."),
        ));
    }
    let customer = p.get("customer").map(str::to_owned);
    if let Some(customer) = &customer {
        find(state, "customer", "customer", customer, "customer").await?;
    }
    let payment_method = match p.get("payment_method") {
        Some(id) => Some(saved_method(state, id, customer.as_deref(), &methods).await?),
        None if confirm => return Err(StripeError::missing("payment_method")),
        None => None,
    };
    let mandate = match &payment_method {
        Some(method) if method["type"] == "acss_debit" && confirm => {
            Some(bank::mandate_for(state, method, p.get("mandate")).await?)
        }
        _ if p.get("mandate").is_some() => {
            return Err(StripeError::invalid_value(
                "mandate",
                "`mandate` is taken only with a confirmed acss_debit PaymentMethod.".to_owned(),
            ));
        }
        _ => None,
    };
    Ok(NewIntent {
        amount,
        currency,
        customer,
        payment_method,
        confirm,
        off_session,
        metadata: p.map("metadata"),
        description: p.get("description").map(str::to_owned),
        methods,
        mandate,
    })
}

/// A saved card or bank account that can be charged for `customer`.
async fn saved_method(
    state: &State,
    id: &str,
    customer: Option<&str>,
    methods: &[String],
) -> Result<Value, StripeError> {
    let method = find(
        state,
        "payment_method",
        "PaymentMethod",
        id,
        "payment_method",
    )
    .await?;
    let refusal = match (method["customer"].as_str(), customer) {
        (None, _) => "This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.".to_owned(),
        (Some(_), None) => "The provided PaymentMethod was previously attached to a Customer. To use a PaymentMethod attached to a Customer, you must also provide the Customer ID on the PaymentIntent.".to_owned(),
        (Some(owner), Some(customer)) if owner != customer => format!("The provided PaymentMethod belongs to a different Customer ({owner}) than the one on the PaymentIntent ({customer})."),
        _ if !methods.iter().any(|m| *m == method["type"]) => format!("The PaymentMethod provided ({}) is not allowed for this PaymentIntent. Please attach a PaymentMethod of one of the following types: {}.", method["type"].as_str().unwrap_or_default(), methods.join(", ")),
        _ => return Ok(method),
    };
    Err(StripeError::invalid_state(refusal, Some("payment_method")))
}

/// `true` or `false`, as Stripe spells booleans in forms; absent is false.
fn boolean(p: &Params, key: &str) -> Result<bool, StripeError> {
    match p.get(key) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(StripeError::invalid_value(
            key,
            format!("Invalid boolean: {other}"),
        )),
    }
}

pub(super) async fn get(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, StripeError> {
    get_one(
        &req,
        &state,
        &id,
        ("payment_intent", "payment_intent", "intent"),
    )
    .await
}

pub(super) async fn list(req: HttpRequest, state: State) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(req.query_string().as_bytes())?;
    params.only(&["created", "limit", "customer", "starting_after"])?;
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
        .find_by_kind("payment_intent", gte, lte, 1_000_000)
        .await?;
    if let Some(customer) = params.get("customer") {
        data.retain(|pi| pi["customer"] == customer);
    }
    // Pages go on after the last object of the previous one (newest first).
    if let Some(after) = params.get("starting_after") {
        let Some(at) = data.iter().position(|pi| pi["id"] == after) else {
            return Err(StripeError::no_such(
                "payment_intent",
                after,
                "starting_after",
            ));
        };
        data.drain(..=at);
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
