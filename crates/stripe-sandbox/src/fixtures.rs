//! For tests and benchmarks of the stand-in's clients: a Stripe customer with a card saved the way a
//! person saves one, through a setup session's page.

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// A customer named `name` of the stand-in at `url` (key `key`) with test card `number` saved through
/// a setup session's page: `(cus_…, pm_…)`. `http` must not follow redirects.
///
/// # Panics
/// When the stand-in refuses a step (a test cannot go on without its card).
#[allow(
    clippy::unwrap_used,
    reason = "a fixture: a refused step is the test's failure"
)]
pub async fn customer_with_a_card(
    http: &reqwest::Client,
    url: &str,
    key: &SecretString,
    name: &str,
    number: &str,
) -> (String, String) {
    let post = |path: &str, form: Vec<(&str, String)>| {
        http.post(format!("{url}{path}"))
            .bearer_auth(key.expose_secret())
            .form(&form)
            .send()
    };
    let customer: Value = post("/v1/customers", vec![("name", name.to_owned())])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = customer["id"].as_str().unwrap().to_owned();
    let form = vec![
        ("mode", "setup".to_owned()),
        ("customer", id.clone()),
        ("payment_method_types[]", "card".to_owned()),
        ("success_url", "https://portail.example.ca/ok".to_owned()),
    ];
    let session: Value = post("/v1/checkout/sessions", form)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let saved = http
        .post(session["url"].as_str().unwrap())
        .form(&[("card_number", number)])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303, "the card was not saved");
    let cards: Value = http
        .get(format!("{url}/v1/payment_methods?customer={id}&type=card"))
        .bearer_auth(key.expose_secret())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (id, cards["data"][0]["id"].as_str().unwrap().to_owned())
}
