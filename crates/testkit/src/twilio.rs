//! A fake of Twilio's Messages API (`POST /2010-04-01/Accounts/{AccountSid}/Messages.json` to send,
//! `GET` the same path to list) that follows the documented wire format: HTTP Basic
//! `AccountSid:AuthToken`, form-encoded parameters, the 201 message resource, the paged list (newest
//! first; `To`, `From`, `PageSize`, `Page`; `next_page_uri`), Twilio's JSON error bodies with their
//! stable codes, and signed status callbacks (`X-Twilio-Signature`) sent to the service's webhook.
//!
//! ```no_run
//! # async fn demo() {
//! let twilio = testkit::twilio::TwilioFake::start("AC0123", "secret-token").await;
//! // point the service at twilio.base_url() instead of https://api.twilio.com, send…
//! let sent = twilio.messages();
//! # let _ = sent;
//! # }
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use regex::Regex;
use serde::Serialize;
use serde_json::json;
use sha1::Sha1;

/// One message accepted by the fake (answered 201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentSms {
    /// `SM` followed by 32 hex digits, as returned to the caller.
    pub sid: String,
    /// The `To` parameter (E.164).
    pub to: String,
    /// The `From` parameter, when the sender was a number.
    pub from: Option<String>,
    /// The `MessagingServiceSid` parameter, when the sender was a Messaging Service.
    pub messaging_service_sid: Option<String>,
    /// The `Body` parameter.
    pub body: String,
    /// The `StatusCallback` parameter, if given.
    pub status_callback: Option<String>,
    /// When the fake accepted it (the resource's `date_created`).
    pub date_created: chrono::DateTime<chrono::Utc>,
}

/// An error injected with [`TwilioFake::fail_next`].
#[derive(Debug, Clone)]
struct InjectedFailure {
    left: usize,
    status: u16,
    code: u32,
    message: String,
}

#[derive(Debug)]
struct State {
    account_sid: String,
    auth_token: String,
    e164: Regex,
    messages: Mutex<Vec<SentSms>>,
    failure: Mutex<Option<InjectedFailure>>,
    /// Messages still to be answered late, and how late.
    late: Mutex<(usize, Duration)>,
    lists: AtomicUsize,
}

/// Locks a mutex even if a panicking test thread poisoned it: the data stays usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A running Twilio fake on `127.0.0.1`; stopped when dropped.
#[derive(Debug)]
pub struct TwilioFake {
    state: Arc<State>,
    base_url: String,
    handle: ServerHandle,
    client: reqwest::Client,
}

impl TwilioFake {
    /// Starts the fake on a free port; only `account_sid:auth_token` authenticates.
    ///
    /// # Panics
    /// When no port can be bound.
    #[allow(
        clippy::expect_used,
        reason = "a test cannot run without its Twilio fake"
    )]
    pub async fn start(account_sid: &str, auth_token: &str) -> TwilioFake {
        let state = Arc::new(State {
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
            e164: Regex::new(r"^\+[1-9]\d{7,14}$").expect("the E.164 pattern is valid"),
            messages: Mutex::new(Vec::new()),
            failure: Mutex::new(None),
            late: Mutex::new((0, Duration::ZERO)),
            lists: AtomicUsize::new(0),
        });
        let data = web::Data::from(Arc::clone(&state));
        let (base_url, handle) = crate::fake_http::serve(move |cfg| {
            cfg.app_data(data.clone())
                .route(
                    "/2010-04-01/Accounts/{account_sid}/Messages.json",
                    web::post().to(create_message),
                )
                .route(
                    "/2010-04-01/Accounts/{account_sid}/Messages.json",
                    web::get().to(list_messages),
                )
                .default_service(web::to(not_found));
        });
        TwilioFake {
            state,
            base_url,
            handle,
            client: reqwest::Client::new(),
        }
    }

    /// `http://127.0.0.1:<port>`: use it in place of `https://api.twilio.com`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Every message accepted so far, in order.
    pub fn messages(&self) -> Vec<SentSms> {
        lock(&self.state.messages).clone()
    }

    /// Answers the next `n` authenticated requests with `status` and a Twilio error body
    /// carrying `code` and `message`, e.g. `(429, 20429, "Too Many Requests")`.
    pub fn fail_next(&self, n: usize, status: u16, code: u32, message: &str) {
        *lock(&self.state.failure) = (n > 0).then(|| InjectedFailure {
            left: n,
            status,
            code,
            message: message.to_owned(),
        });
    }

    /// Keeps the next `n` messages it accepts but answers each only `after` that long: a client that
    /// stops waiting first never learns that Twilio has the message.
    pub fn answer_late(&self, n: usize, after: Duration) {
        *lock(&self.state.late) = (n, after);
    }

    /// How many pages of the message list were asked for (authenticated or not).
    pub fn list_requests(&self) -> usize {
        self.state.lists.load(Ordering::SeqCst)
    }

    /// POSTs a status callback for message `sid` to `url`, as Twilio does: form parameters
    /// `MessageSid`, `MessageStatus`, `SmsSid`, `SmsStatus`, `AccountSid`, `From`, `To`,
    /// `ApiVersion` (and `ErrorCode` when given), signed with `X-Twilio-Signature` over
    /// exactly `url`. `From`/`To` come from the sent message (empty for an unknown sid).
    ///
    /// # Panics
    /// When the request cannot be sent (nothing listens at `url`).
    #[allow(
        clippy::expect_used,
        reason = "a test helper: the failure is the test's"
    )]
    pub async fn send_status_callback(
        &self,
        url: &str,
        sid: &str,
        status: &str,
        error_code: Option<&str>,
    ) -> reqwest::Response {
        let (from, to) = lock(&self.state.messages)
            .iter()
            .find(|sms| sms.sid == sid)
            .map(|sms| (sms.from.clone().unwrap_or_default(), sms.to.clone()))
            .unwrap_or_default();
        let mut params = vec![
            ("MessageSid", sid),
            ("MessageStatus", status),
            ("SmsSid", sid),
            ("SmsStatus", status),
            ("AccountSid", self.state.account_sid.as_str()),
            ("From", from.as_str()),
            ("To", to.as_str()),
            ("ApiVersion", "2010-04-01"),
        ];
        if let Some(code) = error_code {
            params.push(("ErrorCode", code));
        }
        let signature = twilio_signature(&self.state.auth_token, url, &params);
        self.client
            .post(url)
            .header("X-Twilio-Signature", signature)
            .form(&params)
            .send()
            .await
            .expect("sending the Twilio status callback")
    }
}

impl Drop for TwilioFake {
    fn drop(&mut self) {
        crate::fake_http::stop(&self.handle);
    }
}

/// Twilio's request signature: `base64(HMAC-SHA1(auth_token, url + Σ name+value))`, parameters
/// sorted by name then value, no separators (twilio-python `RequestValidator.compute_signature`).
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    #[allow(clippy::expect_used, reason = "HMAC accepts keys of any length")]
    let mut mac =
        Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("HMAC takes any key length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Twilio's error body (https://www.twilio.com/docs/usage/twilios-response).
fn twilio_error(status: u16, code: u32, message: &str) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status).json(json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    }))
}

async fn not_found(request: HttpRequest) -> HttpResponse {
    resource_not_found(&request)
}

fn resource_not_found(request: &HttpRequest) -> HttpResponse {
    let message = format!("The requested resource {} was not found", request.path());
    twilio_error(404, 20404, &message)
}

/// `true` when the request carries `Authorization: Basic base64(account_sid:auth_token)`.
fn is_authenticated(request: &HttpRequest, state: &State) -> bool {
    let Some(encoded) = request
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
    else {
        return false;
    };
    let expected = format!("{}:{}", state.account_sid, state.auth_token);
    STANDARD
        .decode(encoded.trim())
        .is_ok_and(|decoded| decoded == expected.as_bytes())
}

/// Twilio's answer to a request it does not serve: wrong credentials (401), another account's
/// path (404), or an injected failure.
fn refused(request: &HttpRequest, account: &str, state: &State) -> Option<HttpResponse> {
    if !is_authenticated(request, state) {
        return Some(twilio_error(401, 20003, "Authenticate"));
    }
    if account != state.account_sid {
        return Some(resource_not_found(request));
    }
    take_failure(state)
}

/// The next injected failure, if any (consumes one).
fn take_failure(state: &State) -> Option<HttpResponse> {
    let mut slot = lock(&state.failure);
    let failure = slot.as_mut()?;
    failure.left -= 1;
    let response = twilio_error(failure.status, failure.code, &failure.message);
    if failure.left == 0 {
        *slot = None;
    }
    Some(response)
}

async fn create_message(
    request: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<State>,
) -> HttpResponse {
    if let Some(refused) = refused(&request, &path, &state) {
        return refused;
    }
    let Ok(form) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return twilio_error(400, 20001, "Invalid form body");
    };
    match parse_message(&form, &state) {
        Ok(sms) => {
            let response = accepted(sms, &state);
            if let Some(after) = late_answer(&state) {
                tokio::time::sleep(after).await;
            }
            response
        }
        Err(Invalid(code, message)) => twilio_error(400, code, &message),
    }
}

/// How late to answer this message, if it is one of those [`TwilioFake::answer_late`] asked for.
fn late_answer(state: &State) -> Option<Duration> {
    let mut late = lock(&state.late);
    (late.0 > 0).then(|| {
        late.0 -= 1;
        late.1
    })
}

/// `GET …/Messages.json`: the account's messages, newest first, filtered by `To` and `From`, in pages
/// of `PageSize` (50; at most 1,000), page `Page` (from 0), with the next page's URI.
async fn list_messages(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<State>,
) -> HttpResponse {
    state.lists.fetch_add(1, Ordering::SeqCst);
    if let Some(refused) = refused(&request, &path, &state) {
        return refused;
    }
    let Ok(query) = serde_urlencoded::from_str::<Vec<(String, String)>>(request.query_string())
    else {
        return twilio_error(400, 20001, "Invalid query string");
    };
    let param = |name: &str| {
        query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let page_size = match param("PageSize").map(str::parse::<usize>) {
        None => 50,
        Some(Ok(size @ 1..=1000)) => size,
        Some(_) => return twilio_error(400, 20001, "PageSize must be between 1 and 1000"),
    };
    let Ok(page) = param("Page").unwrap_or("0").parse::<usize>() else {
        return twilio_error(400, 20001, "Page must be a number");
    };
    let (to, from) = (param("To"), param("From"));
    let matching: Vec<serde_json::Value> = lock(&state.messages)
        .iter()
        .rev()
        .filter(|sms| to.is_none_or(|to| sms.to == to))
        .filter(|sms| from.is_none_or(|from| sms.from.as_deref() == Some(from)))
        .map(|sms| resource(sms, &state.account_sid))
        .collect();
    let start = page.saturating_mul(page_size).min(matching.len());
    let end = (start + page_size).min(matching.len());
    let page_uri = |page: usize| {
        let mut filters: Vec<(&str, &str)> = Vec::new();
        filters.extend(to.map(|to| ("To", to)));
        filters.extend(from.map(|from| ("From", from)));
        let filters = serde_urlencoded::to_string(filters).unwrap_or_default();
        let and = if filters.is_empty() { "" } else { "&" };
        format!(
            "/2010-04-01/Accounts/{}/Messages.json?{filters}{and}PageSize={page_size}&Page={page}",
            state.account_sid
        )
    };
    HttpResponse::Ok().json(json!({
        "messages": &matching[start..end],
        "page": page,
        "page_size": page_size,
        "start": start,
        "end": end.saturating_sub(1),
        "uri": page_uri(page),
        "first_page_uri": page_uri(0),
        "previous_page_uri": (page > 0).then(|| page_uri(page - 1)),
        "next_page_uri": (end < matching.len()).then(|| page_uri(page + 1)),
    }))
}

/// Why Twilio refuses a message: a 400 with this code and message.
struct Invalid(u32, String);

/// Validates the form as Twilio does and builds the message to keep.
fn parse_message(form: &[(String, String)], state: &State) -> Result<SentSms, Invalid> {
    let param = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .filter(|value| !value.is_empty())
    };
    let invalid = |code, message: &str| Invalid(code, message.to_owned());
    let to = param("To").ok_or_else(|| invalid(21604, "A 'To' phone number is required."))?;
    let from = param("From");
    let messaging_service_sid = param("MessagingServiceSid");
    if from.is_none() && messaging_service_sid.is_none() {
        return Err(invalid(21603, "A 'From' phone number is required."));
    }
    let body = param("Body").ok_or_else(|| invalid(21602, "Message body is required."))?;
    if !state.e164.is_match(&to) {
        let message = format!("The 'To' number {to} is not a valid phone number.");
        return Err(Invalid(21211, message));
    }
    Ok(SentSms {
        sid: format!("SM{:032x}", rand::random::<u128>()),
        to,
        from,
        messaging_service_sid,
        body,
        status_callback: param("StatusCallback"),
        date_created: chrono::Utc::now(),
    })
}

/// Records `sms` and answers 201 with Twilio's message resource.
fn accepted(sms: SentSms, state: &State) -> HttpResponse {
    let created = resource(&sms, &state.account_sid);
    lock(&state.messages).push(sms);
    HttpResponse::Created().json(created)
}

/// Twilio's message resource for `sms`.
fn resource(sms: &SentSms, account: &str) -> serde_json::Value {
    let at = sms.date_created.to_rfc2822();
    let uri = format!("/2010-04-01/Accounts/{account}/Messages/{}", sms.sid);
    json!({
        "sid": sms.sid,
        "status": if sms.messaging_service_sid.is_some() { "accepted" } else { "queued" },
        "to": sms.to,
        "from": sms.from,
        "body": sms.body,
        "num_segments": num_segments(&sms.body).to_string(),
        "num_media": "0",
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "price": null,
        "price_unit": "USD",
        "error_code": null,
        "error_message": null,
        "account_sid": account,
        "messaging_service_sid": sms.messaging_service_sid,
        "date_created": at,
        "date_updated": at,
        "date_sent": null,
        "uri": format!("{uri}.json"),
        "subresource_uris": { "media": format!("{uri}/Media.json") },
    })
}

/// Segments of an SMS: 160/153 characters when plain ASCII, else 70/67 (UCS-2). A simplification
/// of GSM-7, close enough for a fake.
fn num_segments(body: &str) -> usize {
    let (single, multi) = if body.is_ascii() {
        (160, 153)
    } else {
        (70, 67)
    };
    let length = body.chars().count();
    if length <= single {
        1
    } else {
        length.div_ceil(multi)
    }
}

#[cfg(test)]
mod tests {
    use super::{num_segments, twilio_signature};

    const PARAMS: [(&str, &str); 5] = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+14158675309"),
        ("Digits", "1234"),
        ("From", "+14158675309"),
        ("To", "+18005551212"),
    ];

    #[test]
    fn the_signature_matches_twilios_published_vector() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(
            twilio_signature("12345", url, &PARAMS),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        );
    }

    #[test]
    fn the_signature_does_not_depend_on_parameter_order() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let mut reversed = PARAMS;
        reversed.reverse();
        assert_eq!(
            twilio_signature("12345", url, &reversed),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        );
    }

    #[test]
    fn the_signature_covers_the_port_of_the_url() {
        let url = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
        assert_eq!(
            twilio_signature("12345", url, &PARAMS),
            "kvajT1Ptam85bY51eRf/AJRuM3w="
        );
    }

    #[test]
    fn long_or_accented_bodies_take_several_segments() {
        assert_eq!(num_segments("Bonjour"), 1);
        assert_eq!(num_segments(&"a".repeat(161)), 2);
        assert_eq!(num_segments(&"é".repeat(71)), 2);
    }
}
