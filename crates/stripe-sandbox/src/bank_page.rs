//! The hosted page of a bank-debit setup session: the pre-authorised debit (PAD) agreement, French
//! first when the session's locale is French (then the English version), the bank fields with
//! Stripe's test numbers, and an "I accept" box; submitted, the account is saved under a mandate.

use actix_web::{HttpResponse, http::StatusCode};
use html_escape::encode_text;
use serde_json::Value;

use crate::AppState;
use crate::bank;
use crate::checkout::to_success;
use crate::error::StripeError;
use crate::pages::{Words, page};

/// What the page's form sends.
#[derive(Debug, Default)]
pub struct BankForm<'a> {
    pub institution_number: &'a str,
    pub transit_number: &'a str,
    pub account_number: &'a str,
    pub accepted: bool,
}

/// The agreement in French.
fn agreement_fr(business: &str, terms: &Value) -> String {
    let options = &terms["mandate_options"];
    let kind = match options["transaction_type"].as_str() {
        Some("business") => "d’entreprise",
        _ => "personnel",
    };
    format!(
        "<section lang=\"fr-CA\" id=\"agreement-fr\"><h2>Accord de débit préautorisé (DPA)</h2>\
         <p>En cochant « J’accepte », vous autorisez {business} et Stripe, son prestataire de \
         paiement, à débiter le compte bancaire indiqué ci-dessous (DPA {kind}) : {schedule}.</p>\
         <p>{business} vous avisera par écrit du montant et de la date de chaque débit au moins 10 \
         jours avant celui-ci. Vous pouvez annuler cette autorisation en tout temps, avec un préavis \
         de 30 jours, en écrivant à {business}. Vous avez certains droits de recours si un débit \
         n’est pas conforme au présent accord; par exemple, vous avez le droit d’être remboursé \
         de tout débit non autorisé ou non conforme. Pour en savoir plus sur vos droits, \
         communiquez avec votre institution financière ou visitez www.paiements.ca.</p></section>",
        business = encode_text(business),
        schedule = schedule(options, true),
    )
}

/// The agreement in English.
fn agreement_en(business: &str, terms: &Value) -> String {
    let options = &terms["mandate_options"];
    let kind = match options["transaction_type"].as_str() {
        Some("business") => "business",
        _ => "personal",
    };
    format!(
        "<section lang=\"en\" id=\"agreement-en\"><h2>Pre-authorized debit (PAD) agreement</h2>\
         <p>By checking “I accept”, you authorize {business} and Stripe, its payment provider, to \
         debit the bank account below ({kind} PAD): {schedule}.</p>\
         <p>{business} will give you written notice of the amount and date of each debit at least \
         10 days before it. You may cancel this authorization at any time with 30 days’ notice, by \
         writing to {business}. You have certain recourse rights if any debit does not comply with \
         this agreement; for example, you have the right to receive reimbursement for any debit \
         that is not authorized or not consistent with it. To learn more about your recourse \
         rights, contact your financial institution or visit www.payments.ca.</p></section>",
        business = encode_text(business),
        schedule = schedule(options, false),
    )
}

/// The payment schedule in words, with the interval described by the business.
fn schedule(options: &Value, fr: bool) -> String {
    let interval = encode_text(options["interval_description"].as_str().unwrap_or_default());
    match (options["payment_schedule"].as_str(), fr) {
        (Some("sporadic"), true) => "au besoin, pour les montants dus".to_owned(),
        (Some("sporadic"), false) => "as needed, for the amounts owed".to_owned(),
        (Some("combined"), true) => format!("{interval}, et au besoin pour les montants dus"),
        (Some("combined"), false) => format!("{interval}, and as needed for the amounts owed"),
        _ => interval.into_owned(),
    }
}

/// The form, with an error above it when the details were not a test account or not accepted.
pub fn form(state: &AppState, session: &Value, error: Option<&str>) -> HttpResponse {
    let lang = Words::of(session);
    let id = session["id"].as_str().unwrap_or_default();
    let terms = &session["payment_method_options"]["acss_debit"];
    let (first, second) = if lang.fr {
        (
            agreement_fr(&state.business_name, terms),
            agreement_en(&state.business_name, terms),
        )
    } else {
        (
            agreement_en(&state.business_name, terms),
            agreement_fr(&state.business_name, terms),
        )
    };
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", encode_text(e)))
        .unwrap_or_default();
    let field = |name: &str, label: &str, hint: &str| {
        format!(
            "<label for=\"{name}\">{label}</label><br><input id=\"{name}\" name=\"{name}\" \
             inputmode=\"numeric\" placeholder=\"{hint}\" required><br>"
        )
    };
    let body = format!(
        "{first}{second}{error}<form method=\"post\" action=\"/c/pay/{id}\">{institution}{transit}{account}\
         <p><input type=\"checkbox\" id=\"accept\" name=\"accept\" value=\"yes\" required> \
         <label for=\"accept\">{accept}</label></p><button type=\"submit\">{save}</button></form>\
         <form method=\"post\" action=\"/c/pay/{id}/cancel\"><button type=\"submit\">{cancel}</button></form>",
        institution = field(
            "institution_number",
            lang.t("Numéro d’institution", "Institution number"),
            "000"
        ),
        transit = field(
            "transit_number",
            lang.t("Numéro de transit", "Transit number"),
            "11000"
        ),
        account = field(
            "account_number",
            lang.t("Numéro de compte", "Account number"),
            "000123456789"
        ),
        accept = lang.t("J’accepte / I accept", "I accept / J’accepte"),
        save = lang.t("Autoriser les débits", "Authorize debits"),
        cancel = lang.t("Annuler et revenir", "Cancel and go back"),
    );
    let status = match error.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    page(
        status,
        &lang,
        lang.t("Débits préautorisés", "Pre-authorized debits"),
        &body,
    )
}

/// Saves the account under the accepted agreement and sends the person to `success_url`; the
/// agreement not accepted, or details that are not a test account: the form again.
pub async fn save(
    state: &AppState,
    mut session: Value,
    typed: &BankForm<'_>,
) -> Result<HttpResponse, StripeError> {
    let lang = Words::of(&session);
    if !typed.accepted {
        let message = lang.t(
            "Cochez « J’accepte » pour autoriser les débits.",
            "Check “I accept” to authorize the debits.",
        );
        return Ok(form(state, &session, Some(message)));
    }
    let Some(account) = bank::typed(
        typed.institution_number,
        typed.transit_number,
        typed.account_number,
    ) else {
        let message = lang.t(
            "Coordonnées bancaires invalides : utilisez un compte de test Stripe (000, 11000).",
            "Invalid bank details: use a Stripe test account (000, 11000).",
        );
        return Ok(form(state, &session, Some(message)));
    };
    bank::save_account(state, &mut session, account).await?;
    Ok(to_success(&session))
}
