//! The hosted page of a setup-mode session: "Enregistrer une carte" / "Save a card", one card
//! field; any card of `cards::SAVABLE` is saved (its outcome matters when it is charged later).

use actix_web::{HttpResponse, http::StatusCode};
use html_escape::encode_text;
use serde_json::Value;

use crate::AppState;
use crate::cards;
use crate::checkout::to_success;
use crate::error::StripeError;
use crate::pages::{Words, page};
use crate::setup;

/// The form, with an error above it when the last number was not a test card.
pub fn form(session: &Value, error: Option<&str>) -> HttpResponse {
    let lang = Words::of(session);
    let id = session["id"].as_str().unwrap_or_default();
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", encode_text(e)))
        .unwrap_or_default();
    let body = format!(
        "<p>{intro}</p>{error}\
         <form method=\"post\" action=\"/c/pay/{id}\"><label for=\"card_number\">{card}</label><br>\
         <input id=\"card_number\" name=\"card_number\" inputmode=\"numeric\" autocomplete=\"cc-number\" \
         placeholder=\"4242 4242 4242 4242\" required><br><br><button type=\"submit\">{save}</button></form>\
         <form method=\"post\" action=\"/c/pay/{id}/cancel\"><button type=\"submit\">{cancel}</button></form>",
        intro = lang.t(
            "Cette carte sera débitée plus tard, sans vous, selon l’autorisation que vous donnez.",
            "This card will be charged later, without you, as you authorise.",
        ),
        card = lang.t("Numéro de carte", "Card number"),
        save = lang.t("Enregistrer la carte", "Save card"),
        cancel = lang.t("Annuler et revenir", "Cancel and go back"),
    );
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::PAYMENT_REQUIRED
    };
    page(
        status,
        &lang,
        lang.t("Enregistrer une carte", "Save a card"),
        &body,
    )
}

/// Saves the typed card and sends the person to `success_url`; another number: the form again.
pub async fn save(
    state: &AppState,
    mut session: Value,
    typed: &str,
) -> Result<HttpResponse, StripeError> {
    let Some(card) = cards::savable(typed) else {
        let lang = Words::of(&session);
        let message = lang.t(
            "Numéro de carte invalide : utilisez une carte de test Stripe.",
            "Your card number is invalid: use a Stripe test card.",
        );
        return Ok(form(&session, Some(message)));
    };
    setup::save_card(state, &mut session, card).await?;
    Ok(to_success(&session))
}
