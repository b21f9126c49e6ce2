//! The Twilio fake answers as Twilio's Messages API documents.
#![allow(clippy::unwrap_used)]

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;
use testkit::twilio::{TwilioFake, twilio_signature};

const SID: &str = "AC00000000000000000000000000000001";
const TOKEN: &str = "auth-token-for-tests";

async fn send(
    twilio: &TwilioFake,
    account: &str,
    token: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let url = format!(
        "{}/2010-04-01/Accounts/{account}/Messages.json",
        twilio.base_url()
    );
    let response = reqwest::Client::new()
        .post(url)
        .basic_auth(SID, Some(token))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

const SMS: [(&str, &str); 4] = [
    ("To", "+15145550147"),
    ("From", "+14385550100"),
    ("Body", "Votre technicien arrive dans 30 minutes"),
    ("StatusCallback", "http://127.0.0.1:8080/webhook/twilio"),
];

#[tokio::test]
async fn a_valid_message_is_queued_with_twilios_resource_shape() {
    let twilio = TwilioFake::start(SID, TOKEN).await;

    let (status, body) = send(&twilio, SID, TOKEN, &SMS).await;

    assert_eq!(status, 201);
    let sid = body["sid"].as_str().unwrap();
    assert!(sid.starts_with("SM") && sid.len() == 34, "{sid}");
    assert_eq!(body["status"], "queued");
    assert_eq!(body["to"], "+15145550147");
    assert_eq!(body["from"], "+14385550100");
    assert_eq!(body["num_segments"], "1");
    assert_eq!(body["error_code"], Value::Null);
    assert_eq!(body["account_sid"], SID);
    assert_eq!(
        body["uri"],
        format!("/2010-04-01/Accounts/{SID}/Messages/{sid}.json")
    );
    let sent = twilio.messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].sid, sid);
    assert_eq!(
        sent[0].status_callback.as_deref(),
        Some("http://127.0.0.1:8080/webhook/twilio")
    );
}

#[tokio::test]
async fn a_message_through_a_messaging_service_is_accepted() {
    let twilio = TwilioFake::start(SID, TOKEN).await;
    let form = [
        ("To", "+15145550147"),
        ("MessagingServiceSid", "MG123"),
        ("Body", "Bonjour"),
    ];

    let (status, body) = send(&twilio, SID, TOKEN, &form).await;

    assert_eq!(status, 201);
    assert_eq!(body["status"], "accepted");
    assert_eq!(body["messaging_service_sid"], "MG123");
    assert_eq!(body["from"], Value::Null);
}

#[tokio::test]
async fn wrong_credentials_get_a_401_with_code_20003() {
    let twilio = TwilioFake::start(SID, TOKEN).await;

    let (status, body) = send(&twilio, SID, "wrong", &SMS).await;

    assert_eq!(status, 401);
    assert_eq!(body["code"], 20003);
    assert_eq!(body["message"], "Authenticate");
    assert_eq!(
        body["more_info"],
        "https://www.twilio.com/docs/errors/20003"
    );
    assert_eq!(body["status"], 401);
    assert!(twilio.messages().is_empty());
}

#[tokio::test]
async fn a_number_not_in_e164_gets_a_400_with_code_21211() {
    let twilio = TwilioFake::start(SID, TOKEN).await;
    let form = [
        ("To", "514-555-0147"),
        ("From", "+14385550100"),
        ("Body", "x"),
    ];

    let (status, body) = send(&twilio, SID, TOKEN, &form).await;

    assert_eq!(status, 400);
    assert_eq!(body["code"], 21211);
    assert_eq!(
        body["message"],
        "The 'To' number 514-555-0147 is not a valid phone number."
    );
    assert_eq!(
        body["more_info"],
        "https://www.twilio.com/docs/errors/21211"
    );
}

#[tokio::test]
async fn a_message_without_a_sender_gets_a_400_with_code_21603() {
    let twilio = TwilioFake::start(SID, TOKEN).await;

    let (status, body) = send(
        &twilio,
        SID,
        TOKEN,
        &[("To", "+15145550147"), ("Body", "x")],
    )
    .await;

    assert_eq!((status, body["code"].as_u64()), (400, Some(21603)));
}

#[tokio::test]
async fn injected_failures_are_served_then_the_fake_recovers() {
    let twilio = TwilioFake::start(SID, TOKEN).await;
    twilio.fail_next(2, 429, 20429, "Too Many Requests");

    let first = send(&twilio, SID, TOKEN, &SMS).await;
    let second = send(&twilio, SID, TOKEN, &SMS).await;
    twilio.fail_next(1, 500, 20500, "Internal Server Error");
    let third = send(&twilio, SID, TOKEN, &SMS).await;
    let fourth = send(&twilio, SID, TOKEN, &SMS).await;

    assert_eq!((first.0, first.1["code"].as_u64()), (429, Some(20429)));
    assert_eq!(second.0, 429);
    assert_eq!((third.0, third.1["code"].as_u64()), (500, Some(20500)));
    assert_eq!(fourth.0, 201);
    assert_eq!(twilio.messages().len(), 1);
}

#[tokio::test]
async fn an_unknown_path_gets_a_404_with_code_20404() {
    let twilio = TwilioFake::start(SID, TOKEN).await;

    let response = reqwest::get(format!("{}/2010-04-01/Calls.json", twilio.base_url()))
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], 20404);
    assert_eq!(body["status"], 404);
}

/// A webhook that answers 204 when the signature checks out, 403 otherwise.
async fn webhook(request: HttpRequest, form: web::Form<Vec<(String, String)>>) -> HttpResponse {
    let url = format!(
        "http://{}{}",
        request.connection_info().host(),
        request.uri()
    );
    let params: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let expected = twilio_signature(TOKEN, &url, &params);
    let given = request
        .headers()
        .get("X-Twilio-Signature")
        .unwrap()
        .to_str()
        .unwrap();
    let status_ok = params.contains(&("MessageStatus", "undelivered"))
        && params.contains(&("ErrorCode", "30003"));
    if given == expected && status_ok && params.contains(&("To", "+15145550147")) {
        HttpResponse::NoContent().finish()
    } else {
        HttpResponse::Forbidden().finish()
    }
}

#[tokio::test]
async fn a_status_callback_carries_a_signature_the_webhook_can_verify() {
    let twilio = TwilioFake::start(SID, TOKEN).await;
    let (_, body) = send(&twilio, SID, TOKEN, &SMS).await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(|| App::new().route("/webhook/twilio", web::post().to(webhook)))
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
    tokio::spawn(server);
    let url = format!("http://127.0.0.1:{port}/webhook/twilio?tenant=gigafibre");
    let sid = body["sid"].as_str().unwrap();

    let response = twilio
        .send_status_callback(&url, sid, "undelivered", Some("30003"))
        .await;

    assert_eq!(response.status().as_u16(), 204);
}

async fn list(twilio: &TwilioFake, token: &str, path_and_query: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path_and_query}", twilio.base_url()))
        .basic_auth(SID, Some(token))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_message_list_is_newest_first_filtered_and_paged() {
    let twilio = TwilioFake::start(SID, TOKEN).await;
    for body in ["un", "deux", "trois"] {
        let form = [SMS[0], SMS[1], ("Body", body)];
        assert_eq!(send(&twilio, SID, TOKEN, &form).await.0, 201);
    }
    let other = [("To", "+15145550148"), SMS[1], ("Body", "autre")];
    assert_eq!(send(&twilio, SID, TOKEN, &other).await.0, 201);
    let path = format!("/2010-04-01/Accounts/{SID}/Messages.json");

    let (status, first) = list(
        &twilio,
        TOKEN,
        &format!("{path}?To=%2B15145550147&PageSize=2"),
    )
    .await;
    assert_eq!(status, 200);
    let bodies = |page: &Value| -> Vec<String> {
        page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["body"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(bodies(&first), ["trois", "deux"]);
    assert_eq!(first["messages"][0]["direction"], "outbound-api");
    let created = first["messages"][0]["date_created"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc2822(created).is_ok(),
        "{created}"
    );
    let next = first["next_page_uri"].as_str().unwrap();
    let (_, second) = list(&twilio, TOKEN, next).await;
    assert_eq!(bodies(&second), ["un"]);
    assert_eq!(second["next_page_uri"], Value::Null);

    let (_, all) = list(&twilio, TOKEN, &path).await;
    assert_eq!(bodies(&all), ["autre", "trois", "deux", "un"]);
    assert_eq!(twilio.list_requests(), 3);

    // Bad input: a wrong token, a page size out of range, another account.
    assert_eq!(list(&twilio, "wrong", &path).await.1["code"], 20003);
    let (status, body) = list(&twilio, TOKEN, &format!("{path}?PageSize=0")).await;
    assert_eq!((status, body["status"].as_u64()), (400, Some(400)));
    let elsewhere = "/2010-04-01/Accounts/AC99/Messages.json";
    assert_eq!(list(&twilio, TOKEN, elsewhere).await.1["code"], 20404);
}
