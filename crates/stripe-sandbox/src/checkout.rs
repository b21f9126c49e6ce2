//! The hosted Checkout page at a session's `url`: plain HTML forms, no script, no external asset,
//! French first when the session's `locale` is `fr` or `fr-CA`. Stripe's test cards decide:
//! 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined, 4000 0025 0000 3155 asks for
//! 3-D Secure on a second page.

use actix_web::{HttpResponse, http::StatusCode, web};
use html_escape::encode_text;
use serde::Deserialize;
use serde_json::Value;

use crate::AppState;
use crate::bank_page::{self, BankForm};
use crate::charges::PaidWith;
use crate::error::StripeError;
use crate::objects;
use crate::pages::{Words, not_found, page, see_other};
use crate::setup_page;

type State = web::Data<AppState>;

const SUCCEEDS: &str = "4242424242424242";
const AVAILABLE_AT_ONCE: &str = "4000000000000077";
const DECLINED: &str = "4000000000000002";
const THREE_D_SECURE: &str = "4000002500003155";

/// The `/c/pay` routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/{id}", web::get().to(show))
        .route("/{id}", web::post().to(pay))
        .route("/{id}/3ds", web::get().to(show_3ds))
        .route("/{id}/3ds", web::post().to(authenticate))
        .route("/{id}/klarna", web::post().to(pay_with_klarna))
        .route("/{id}/cancel", web::post().to(cancel));
}

#[derive(Debug, Deserialize)]
struct CardForm {
    #[serde(default)]
    card_number: String,
    #[serde(default)]
    institution_number: String,
    #[serde(default)]
    transit_number: String,
    #[serde(default)]
    account_number: String,
    #[serde(default)]
    accept: String,
}

impl CardForm {
    fn bank(&self) -> BankForm<'_> {
        BankForm {
            institution_number: &self.institution_number,
            transit_number: &self.transit_number,
            account_number: &self.account_number,
            accepted: self.accept == "yes",
        }
    }
}

/// A setup session saving a bank account for pre-authorised debits.
fn is_bank(session: &Value) -> bool {
    session["payment_method_types"]
        .as_array()
        .is_some_and(|m| m.iter().any(|t| t == "acss_debit"))
}

#[derive(Debug, Deserialize)]
struct ThreeDsForm {
    #[serde(default)]
    outcome: String,
}

pub(crate) async fn open_session(state: &AppState, id: &str) -> Result<Option<Value>, StripeError> {
    Ok(state.store.find_by_id("checkout.session", id).await?)
}

pub(crate) fn closed(lang: &Words, session: &Value) -> HttpResponse {
    let (title, text) = if session["status"] == "complete" && is_bank(session) {
        (
            lang.t("Débits autorisés", "Debits authorized"),
            lang.t(
                "Le compte bancaire de cette session est déjà enregistré.",
                "This session's bank account is already saved.",
            ),
        )
    } else if session["status"] == "complete" && session["mode"] == "setup" {
        (
            lang.t("Carte enregistrée", "Card saved"),
            lang.t(
                "La carte de cette session est déjà enregistrée.",
                "This session's card is already saved.",
            ),
        )
    } else if session["status"] == "complete" {
        (
            lang.t("Paiement reçu", "Payment received"),
            lang.t(
                "Cette session est déjà payée.",
                "This session is already paid.",
            ),
        )
    } else {
        (
            lang.t("Session expirée", "Session expired"),
            lang.t(
                "Cette session n’est plus ouverte.",
                "This session is no longer open.",
            ),
        )
    };
    page(StatusCode::OK, lang, title, &format!("<p>{text}</p>"))
}

fn checkout_page(session: &Value, error: Option<&str>) -> HttpResponse {
    let lang = Words::of(session);
    let id = session["id"].as_str().unwrap_or_default();
    let mut lines = String::new();
    for item in session["line_items_input"].as_array().into_iter().flatten() {
        lines.push_str(&format!(
            "<li>{} × {}</li>",
            item["quantity"],
            encode_text(item["name"].as_str().unwrap_or_default())
        ));
    }
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", encode_text(e)))
        .unwrap_or_default();
    let body = format!(
        "<ul>{lines}</ul><p>{total} <strong id=\"amount\">{amount}</strong></p>{error}\
         <form method=\"post\" action=\"/c/pay/{id}\"><label for=\"card_number\">{card}</label><br>\
         <input id=\"card_number\" name=\"card_number\" inputmode=\"numeric\" autocomplete=\"cc-number\" \
         placeholder=\"4242 4242 4242 4242\" required><br><br><button type=\"submit\">{pay} {amount}</button></form>\
         {klarna}<form method=\"post\" action=\"/c/pay/{id}/cancel\"><button type=\"submit\">{cancel}</button></form>",
        total = lang.t("Total :", "Total:"),
        amount = lang.amount(session),
        card = lang.t("Numéro de carte", "Card number"),
        pay = lang.t("Payer", "Pay"),
        cancel = lang.t("Annuler et revenir", "Cancel and go back"),
        klarna = klarna_form(session, &lang),
    );
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::PAYMENT_REQUIRED
    };
    page(status, &lang, lang.t("Paiement", "Payment"), &body)
}

async fn show(state: State, id: web::Path<String>) -> Result<HttpResponse, StripeError> {
    let Some(session) = open_session(&state, &id).await? else {
        return Ok(not_found());
    };
    if session["status"] != "open" {
        return Ok(closed(&Words::of(&session), &session));
    }
    if session["mode"] == "setup" && is_bank(&session) {
        return Ok(bank_page::form(&state, &session, None));
    }
    if session["mode"] == "setup" {
        return Ok(setup_page::form(&session, None));
    }
    Ok(checkout_page(&session, None))
}

async fn pay(
    state: State,
    id: web::Path<String>,
    form: web::Form<CardForm>,
) -> Result<HttpResponse, StripeError> {
    let _write = state.write_lock.lock().await;
    let Some(mut session) = open_session(&state, &id).await? else {
        return Ok(not_found());
    };
    let lang = Words::of(&session);
    if session["status"] != "open" {
        return Ok(closed(&lang, &session));
    }
    if session["mode"] == "setup" && is_bank(&session) {
        return bank_page::save(&state, session, &form.bank()).await;
    }
    if session["mode"] == "setup" {
        return setup_page::save(&state, session, &form.card_number).await;
    }
    let number: String = form
        .card_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    match number.as_str() {
        SUCCEEDS | AVAILABLE_AT_ONCE => {
            let intent = objects::payment_intent_for(&state, &mut session).await?;
            let paid = PaidWith::typed_card("visa", &number[12..], number == AVAILABLE_AT_ONCE);
            objects::succeed(&state, &mut session, intent, &paid).await?;
            Ok(to_success(&session))
        }
        DECLINED => {
            let intent = objects::payment_intent_for(&state, &mut session).await?;
            let message = lang.t("Votre carte a été refusée.", "Your card was declined.");
            objects::fail(&state, intent, "card_declined", "Your card was declined.").await?;
            Ok(checkout_page(&session, Some(message)))
        }
        THREE_D_SECURE => {
            let mut intent = objects::payment_intent_for(&state, &mut session).await?;
            intent["status"] = "requires_action".into();
            state.store.update(&intent).await?;
            Ok(see_other(&format!("/c/pay/{id}/3ds")))
        }
        _ => {
            let message = lang.t(
                "Numéro de carte invalide : utilisez une carte de test Stripe.",
                "Your card number is invalid: use a Stripe test card.",
            );
            Ok(checkout_page(&session, Some(message)))
        }
    }
}

/// Klarna's button, when the session offers it: its test mode approves at once.
fn klarna_form(session: &Value, lang: &Words) -> String {
    let offered = session["payment_method_types"]
        .as_array()
        .is_some_and(|methods| methods.iter().any(|m| m == "klarna"));
    if !offered {
        return String::new();
    }
    format!(
        "<form method=\"post\" action=\"/c/pay/{}/klarna\"><button type=\"submit\">{}</button></form>",
        session["id"].as_str().unwrap_or_default(),
        lang.t("Payer avec Klarna (test)", "Pay with Klarna (test)"),
    )
}

async fn pay_with_klarna(state: State, id: web::Path<String>) -> Result<HttpResponse, StripeError> {
    let _write = state.write_lock.lock().await;
    let Some(mut session) = open_session(&state, &id).await? else {
        return Ok(not_found());
    };
    let offered = !klarna_form(&session, &Words::of(&session)).is_empty();
    if session["status"] != "open" || !offered {
        return Ok(closed(&Words::of(&session), &session));
    }
    let intent = objects::payment_intent_for(&state, &mut session).await?;
    objects::succeed(&state, &mut session, intent, &PaidWith::klarna()).await?;
    Ok(to_success(&session))
}

async fn show_3ds(state: State, id: web::Path<String>) -> Result<HttpResponse, StripeError> {
    let Some(session) = open_session(&state, &id).await? else {
        return Ok(not_found());
    };
    let lang = Words::of(&session);
    if session["status"] != "open" {
        return Ok(closed(&lang, &session));
    }
    if session["mode"] == "setup" {
        return Ok(see_other(&format!("/c/pay/{id}")));
    }
    let body = format!(
        "<p>{text} <strong>{amount}</strong></p><form method=\"post\" action=\"/c/pay/{id}/3ds\">\
         <button type=\"submit\" name=\"outcome\" value=\"approve\">{approve}</button> \
         <button type=\"submit\" name=\"outcome\" value=\"fail\">{fail}</button></form>",
        id = encode_text(id.as_str()),
        text = lang.t(
            "Authentification 3-D Secure de test pour",
            "Test 3-D Secure authentication for"
        ),
        amount = lang.amount(&session),
        approve = lang.t("Autoriser", "Complete authentication"),
        fail = lang.t("Échouer", "Fail authentication"),
    );
    Ok(page(StatusCode::OK, &lang, "3-D Secure", &body))
}

async fn authenticate(
    state: State,
    id: web::Path<String>,
    form: web::Form<ThreeDsForm>,
) -> Result<HttpResponse, StripeError> {
    let _write = state.write_lock.lock().await;
    let Some(mut session) = open_session(&state, &id).await? else {
        return Ok(not_found());
    };
    let lang = Words::of(&session);
    if session["status"] != "open" {
        return Ok(closed(&lang, &session));
    }
    // A setup session has no PaymentIntent to authenticate.
    if session["mode"] == "setup" {
        return Ok(see_other(&format!("/c/pay/{id}")));
    }
    let intent = objects::payment_intent_for(&state, &mut session).await?;
    if intent["status"] != "requires_action" {
        return Ok(see_other(&format!("/c/pay/{id}")));
    }
    if form.outcome == "approve" {
        let paid = PaidWith::typed_card("visa", "3155", false);
        objects::succeed(&state, &mut session, intent, &paid).await?;
        return Ok(to_success(&session));
    }
    let stripe_message = "We are unable to authenticate your payment method. Please choose a different payment method and try again.";
    objects::fail(
        &state,
        intent,
        "payment_intent_authentication_failure",
        stripe_message,
    )
    .await?;
    let message = lang.t(
        "L’authentification 3-D Secure a échoué. Essayez une autre carte.",
        "3-D Secure authentication failed. Try another card.",
    );
    Ok(checkout_page(&session, Some(message)))
}

async fn cancel(state: State, id: web::Path<String>) -> Result<HttpResponse, StripeError> {
    let Some(session) = open_session(&state, &id).await? else {
        return Ok(not_found());
    };
    match session["cancel_url"].as_str() {
        Some(url) => Ok(see_other(url)),
        None => Ok(closed(&Words::of(&session), &session)),
    }
}

pub(crate) fn to_success(session: &Value) -> HttpResponse {
    let id = session["id"].as_str().unwrap_or_default();
    let url = session["success_url"]
        .as_str()
        .unwrap_or_default()
        .replace("{CHECKOUT_SESSION_ID}", id);
    see_other(&url)
}
