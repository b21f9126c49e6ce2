//! The Billing Portal page at a portal session's `url`: the customer's cards, "make default",
//! "remove", a link back to `return_url`. HTML without script, French first by `locale`.
//!
//! The session id in the path is the capability (24 random characters, as Stripe's), and it is
//! short-lived: unvisited, it expires after `portal_unvisited_lifetime`; once visited, an hour
//! after the first visit. A form can only act on the session's own customer's cards, so a
//! cross-site POST needs the id it cannot guess.

use actix_web::{HttpResponse, http::StatusCode, web};
use html_escape::{encode_double_quoted_attribute, encode_text};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::StripeError;
use crate::objects::{find, now};
use crate::pages::{Words, page, see_other};
use crate::payment_methods;

type State = web::Data<AppState>;

/// A visited session's page works this long after the first visit.
const VISITED_LIFETIME_SECONDS: i64 = 3600;

/// The `/p/session` routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/{id}", web::get().to(show))
        .route("/{id}/default", web::post().to(make_default))
        .route("/{id}/remove", web::post().to(remove));
}

#[derive(Debug, Deserialize)]
struct CardForm {
    #[serde(default)]
    payment_method: String,
}

/// The session if it is still usable; a first visit starts its hour.
async fn live_session(state: &AppState, id: &str) -> Result<Option<Value>, StripeError> {
    let Some(mut session) = state.store.find_by_id("billing_portal.session", id).await? else {
        return Ok(None);
    };
    let created = session["created"].as_i64().unwrap_or_default();
    let unvisited = i64::try_from(state.portal_unvisited_lifetime.as_secs()).unwrap_or(300);
    match session["visited_at"].as_i64() {
        Some(visited) if now() < visited + VISITED_LIFETIME_SECONDS => Ok(Some(session)),
        Some(_) => Ok(None),
        None if now() < created + unvisited => {
            session["visited_at"] = json!(now());
            state.store.update(&session).await?;
            Ok(Some(session))
        }
        None => Ok(None),
    }
}

fn expired() -> HttpResponse {
    page(
        StatusCode::GONE,
        &Words { fr: true },
        "Session expirée / Session expired",
        "<p>Ce lien n’est plus valide : revenez au portail pour en obtenir un nouveau.</p>\
         <p>This link is no longer valid: go back to the portal for a new one.</p>",
    )
}

async fn show(state: State, id: web::Path<String>) -> Result<HttpResponse, StripeError> {
    let Some(session) = live_session(&state, &id).await? else {
        return Ok(expired());
    };
    let customer_id = session["customer"].as_str().unwrap_or_default();
    let customer = find(&state, "customer", "customer", customer_id, "customer").await?;
    let cards = payment_methods::of_customer(&state, customer_id).await?;
    Ok(render(&session, &customer, &cards))
}

fn render(session: &Value, customer: &Value, cards: &[Value]) -> HttpResponse {
    let lang = Words::of(session);
    let id = session["id"].as_str().unwrap_or_default();
    let default = &customer["invoice_settings"]["default_payment_method"];
    let mut items = String::new();
    for card in cards {
        let pm = card["id"].as_str().unwrap_or_default();
        let is_default = default == pm;
        let pm_attr = encode_double_quoted_attribute(pm);
        let make_default = if is_default {
            format!("<strong>{}</strong>", lang.t("Par défaut", "Default"))
        } else {
            format!(
                "<form method=\"post\" action=\"/p/session/{id}/default\">\
                 <input type=\"hidden\" name=\"payment_method\" value=\"{pm_attr}\">\
                 <button type=\"submit\">{}</button></form>",
                lang.t("Rendre par défaut", "Make default")
            )
        };
        items.push_str(&format!(
            "<li><span>{brand} •••• {last4} — {exp} {month:02}/{year}</span> {make_default}\
             <form method=\"post\" action=\"/p/session/{id}/remove\">\
             <input type=\"hidden\" name=\"payment_method\" value=\"{pm_attr}\">\
             <button type=\"submit\">{remove}</button></form></li>",
            brand = encode_text(&capitalised(
                card["card"]["brand"].as_str().unwrap_or("card")
            )),
            last4 = encode_text(card["card"]["last4"].as_str().unwrap_or_default()),
            exp = lang.t("expire", "expires"),
            month = card["card"]["exp_month"].as_i64().unwrap_or_default(),
            year = card["card"]["exp_year"].as_i64().unwrap_or_default(),
            remove = lang.t("Retirer", "Remove"),
        ));
    }
    let list = if items.is_empty() {
        format!(
            "<p>{}</p>",
            lang.t("Aucune carte enregistrée.", "No saved card.")
        )
    } else {
        format!("<ul>{items}</ul>")
    };
    let back = session["return_url"]
        .as_str()
        .map(|url| {
            format!(
                "<p><a href=\"{}\">{}</a></p>",
                encode_double_quoted_attribute(url),
                lang.t("Revenir au site", "Return to the site")
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<h2>{heading}</h2>{list}{back}",
        heading = lang.t("Moyens de paiement", "Payment methods"),
    );
    page(
        StatusCode::OK,
        &lang,
        lang.t("Gérer la facturation", "Manage billing"),
        &body,
    )
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The session's customer and the card of the form, if it is one of theirs.
async fn own_card(
    state: &AppState,
    id: &str,
    form: &CardForm,
) -> Result<Option<(Value, Value)>, StripeError> {
    let Some(session) = live_session(state, id).await? else {
        return Ok(None);
    };
    let customer_id = session["customer"].as_str().unwrap_or_default();
    let customer = find(state, "customer", "customer", customer_id, "customer").await?;
    let card = state
        .store
        .find_by_id("payment_method", &form.payment_method)
        .await?
        .filter(|card| card["customer"] == customer_id);
    Ok(card.map(|card| (customer, card)))
}

async fn make_default(
    state: State,
    id: web::Path<String>,
    form: web::Form<CardForm>,
) -> Result<HttpResponse, StripeError> {
    let _write = state.write_lock.lock().await;
    if live_session(&state, &id).await?.is_none() {
        return Ok(expired());
    }
    if let Some((customer, card)) = own_card(&state, &id, &form).await? {
        let pm = card["id"].as_str().unwrap_or_default();
        payment_methods::make_default(&state, customer, pm).await?;
    }
    Ok(see_other(&format!("/p/session/{id}")))
}

async fn remove(
    state: State,
    id: web::Path<String>,
    form: web::Form<CardForm>,
) -> Result<HttpResponse, StripeError> {
    let _write = state.write_lock.lock().await;
    if live_session(&state, &id).await?.is_none() {
        return Ok(expired());
    }
    if let Some((_, card)) = own_card(&state, &id, &form).await? {
        payment_methods::detach(&state, card["id"].as_str().unwrap_or_default()).await?;
    }
    Ok(see_other(&format!("/p/session/{id}")))
}
