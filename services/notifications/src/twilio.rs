//! SMS through Twilio's Messages API (reqwest); its message list (`GET …/Messages.json` with `To`,
//! `From`, `PageSize`; newest first, `next_page_uri`, as twilio-python's and twilio-ruby's
//! `MessageList` read it), asked before an SMS whose sender was cut or whose answer was lost is sent
//! again; and the `X-Twilio-Signature` check of its callbacks.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::config::TwilioSettings;
use crate::domain::{OutgoingSms, SendError};

/// Twilio error codes that mean the message can never go to that number.
const PERMANENT_CODES: &[u32] = &[
    21211, 21214, 21217, 21408, 21610, 21612, 21614, 21606, 21608, 21635,
];

/// A Twilio client.
#[derive(Clone)]
pub struct Twilio {
    http: reqwest::Client,
    settings: TwilioSettings,
    status_callback: String,
}

#[derive(Deserialize)]
struct Created {
    sid: String,
}

#[derive(Deserialize)]
struct TwilioError {
    code: Option<u32>,
    message: Option<String>,
}

/// One page of `GET …/Messages.json`, newest first.
#[derive(Deserialize)]
struct Page {
    messages: Vec<Listed>,
    next_page_uri: Option<String>,
}

#[derive(Deserialize)]
struct Listed {
    sid: String,
    to: String,
    body: String,
    direction: String,
    /// RFC 2822, as `Thu, 26 Nov 2026 15:04:05 +0000`.
    date_created: String,
}

/// Pages of the listing read at the most when looking for an earlier copy of a message.
const MAX_PAGES: usize = 10;
/// Twilio's clock against ours: a copy created this long before the delivery began still counts.
const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

impl Twilio {
    /// A client; status callbacks will be asked at `status_callback`.
    pub fn new(settings: TwilioSettings, status_callback: String) -> Result<Self, reqwest::Error> {
        let http = crate::provider_http(settings.timeout)?;
        Ok(Self {
            http,
            settings,
            status_callback,
        })
    }

    fn messages_url(&self) -> String {
        let s = &self.settings;
        format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            s.api_url, s.account_sid
        )
    }

    /// Sends one SMS; returns its SID. Once the request may have reached Twilio (it timed out or the
    /// connection broke after it was written, or the 201 could not be read), the outcome is
    /// [`SendError::Uncertain`]: Twilio may have the message, so only [`Twilio::find`] may tell
    /// whether to send it again.
    #[tracing::instrument(name = "twilio send", skip_all, fields(otel.kind = "client"))]
    pub async fn send(&self, sms: &OutgoingSms) -> Result<String, SendError> {
        let s = &self.settings;
        let mut form = vec![
            ("To", sms.to.as_str()),
            ("Body", sms.body.as_str()),
            ("StatusCallback", self.status_callback.as_str()),
        ];
        match (&s.messaging_service_sid, &s.from) {
            (Some(ms), _) => form.push(("MessagingServiceSid", ms)),
            (None, Some(from)) => form.push(("From", from)),
            (None, None) => {
                return Err(SendError::Unavailable("no Twilio sender configured".into()));
            }
        }
        let response = self
            .http
            .post(self.messages_url())
            .basic_auth(&s.account_sid, Some(s.auth_token.expose_secret()))
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                let e = e.without_url();
                if e.is_connect() {
                    SendError::Unavailable(format!("Twilio unreachable: {e}"))
                } else {
                    SendError::Uncertain(format!("Twilio's answer was lost: {e}"))
                }
            })?;
        let status = response.status();
        if status.is_success() {
            let created: Created = response.json().await.map_err(|e| {
                SendError::Uncertain(format!("Twilio's answer unreadable: {}", e.without_url()))
            })?;
            return Ok(created.sid);
        }
        let error: TwilioError = response.json().await.unwrap_or(TwilioError {
            code: None,
            message: None,
        });
        let detail = format!(
            "Twilio {} (code {}): {}",
            status.as_u16(),
            error
                .code
                .map(|c| c.to_string())
                .unwrap_or_else(|| "-".into()),
            error.message.unwrap_or_default()
        );
        Err(classify(status.as_u16(), error.code, detail))
    }

    /// The SID of a message Twilio already has for `sms` (same number, same body, sent by us, created
    /// at `since` or after, give or take [`CLOCK_SKEW`]), read from Twilio's message list, newest
    /// first. Twilio keeps no key of ours, so the body and the time stand in for one. Any failure to
    /// tell is an error: the caller must not send blindly. Past [`MAX_PAGES`] pages (500 messages to
    /// the number since the delivery began, which no customer gets) the copy is taken as absent.
    pub async fn find(
        &self,
        sms: &OutgoingSms,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<String>, SendError> {
        let s = &self.settings;
        let mut query = vec![("To", sms.to.as_str()), ("PageSize", "50")];
        if let (None, Some(from)) = (&s.messaging_service_sid, &s.from) {
            query.push(("From", from));
        }
        let mut request = self.http.get(self.messages_url()).query(&query);
        for _ in 0..MAX_PAGES {
            let page = self.page(request).await?;
            if let Some(sid) = earlier_copy(&page.messages, sms, since - CLOCK_SKEW) {
                return Ok(Some(sid));
            }
            let older = page
                .messages
                .last()
                .and_then(created)
                .is_some_and(|at| at < since - CLOCK_SKEW);
            match page.next_page_uri {
                Some(next) if !older => request = self.http.get(next_page_url(&s.api_url, &next)?),
                _ => return Ok(None),
            }
        }
        Ok(None)
    }

    /// Reads one message of the account's list: Twilio answers and takes our credentials. Sends
    /// nothing (`check-config`).
    pub async fn check(&self) -> Result<(), SendError> {
        let first = self
            .http
            .get(self.messages_url())
            .query(&[("PageSize", "1")]);
        self.page(first).await.map(|_| ())
    }

    async fn page(&self, request: reqwest::RequestBuilder) -> Result<Page, SendError> {
        let s = &self.settings;
        let request = request.basic_auth(&s.account_sid, Some(s.auth_token.expose_secret()));
        crate::provider_records(request, "Twilio's message list").await
    }
}

/// The URL of the next page: Twilio gives a path of its API; anything else (another host, say) is
/// refused, since the request carries the account's credentials.
fn next_page_url(api_url: &str, next: &str) -> Result<String, SendError> {
    if next.starts_with("/2010-04-01/") {
        Ok(format!("{api_url}{next}"))
    } else {
        Err(SendError::Unavailable(
            "Twilio's message list gave a next page outside its API".to_owned(),
        ))
    }
}

/// The SID of the first outbound message of `page` to `sms.to` with `sms.body`, created at
/// `not_before` or after.
fn earlier_copy(
    page: &[Listed],
    sms: &OutgoingSms,
    not_before: chrono::DateTime<chrono::Utc>,
) -> Option<String> {
    page.iter()
        .find(|m| {
            m.direction.starts_with("outbound")
                && m.to == sms.to
                && m.body == sms.body
                && created(m).is_some_and(|at| at >= not_before)
        })
        .map(|m| m.sid.clone())
}

fn created(m: &Listed) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc2822(&m.date_created)
        .ok()
        .map(|at| at.to_utc())
}

fn classify(status: u16, code: Option<u32>, detail: String) -> SendError {
    match (status, code) {
        (_, Some(c)) if PERMANENT_CODES.contains(&c) => SendError::Permanent(detail),
        (401 | 403, _) => SendError::Unavailable(detail),
        (429 | 500..=599, _) => SendError::Temporary(detail),
        (400..=499, _) => SendError::Permanent(detail),
        _ => SendError::Temporary(detail),
    }
}

/// `base64(HMAC-SHA1(auth_token, url + Σ sorted(name + value)))`, Twilio's request signature.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = match Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(url.as_bytes());
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `given` is Twilio's signature of the callback (constant-time compare).
pub fn signature_matches(
    auth_token: &SecretString,
    url: &str,
    params: &[(String, String)],
    given: &str,
) -> bool {
    let expected = signature(auth_token.expose_secret(), url, params);
    !given.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn params() -> Vec<(String, String)> {
        [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675309"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn the_published_twilio_vector_verifies() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(
            signature("12345", url, &params()),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        );
        assert!(signature_matches(
            &SecretString::from("12345"),
            url,
            &params(),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
    }

    #[test]
    fn a_changed_parameter_or_empty_signature_fails() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let mut p = params();
        p[2].1 = "9999".into();
        assert!(!signature_matches(
            &SecretString::from("12345"),
            url,
            &p,
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
        assert!(!signature_matches(
            &SecretString::from("12345"),
            url,
            &params(),
            ""
        ));
    }

    #[test]
    fn twilio_errors_are_classified() {
        assert!(matches!(
            classify(400, Some(21211), String::new()),
            SendError::Permanent(_)
        ));
        assert!(matches!(
            classify(429, Some(20429), String::new()),
            SendError::Temporary(_)
        ));
        assert!(matches!(
            classify(503, None, String::new()),
            SendError::Temporary(_)
        ));
        assert!(matches!(
            classify(401, Some(20003), String::new()),
            SendError::Unavailable(_)
        ));
    }

    fn listed(sid: &str, direction: &str, body: &str, date_created: &str) -> Listed {
        Listed {
            sid: sid.into(),
            to: "+15145550147".into(),
            body: body.into(),
            direction: direction.into(),
            date_created: date_created.into(),
        }
    }

    fn code_sms() -> OutgoingSms {
        let command = shared::events::SmsSend {
            to: "+15145550147".into(),
            body: "Gigafibre : votre code est 123456".into(),
            template: "portal.login_code".into(),
            customer: None,
        };
        OutgoingSms::parse(&command).unwrap()
    }

    fn began() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339("2026-11-28T15:00:00Z")
            .unwrap()
            .to_utc()
    }

    const AT: &str = "Sat, 28 Nov 2026 15:01:00 +0000";

    /// A reply with the same text, and another text to the number: never copies.
    fn not_copies(sms: &OutgoingSms) -> Vec<Listed> {
        vec![
            listed("SM1", "inbound", &sms.body, AT),
            listed("SM2", "outbound-api", "Autre texte", AT),
        ]
    }

    #[test]
    fn an_outbound_copy_since_the_delivery_began_is_found_despite_some_clock_skew() {
        let sms = code_sms();
        let mut page = not_copies(&sms);
        page.push(listed(
            "SM3",
            "outbound-api",
            &sms.body,
            "Sat, 28 Nov 2026 14:57:00 +0000",
        ));
        let not_before = began() - CLOCK_SKEW;
        assert_eq!(
            earlier_copy(&page, &sms, not_before).as_deref(),
            Some("SM3")
        );
    }

    #[test]
    fn replies_other_texts_older_copies_and_unreadable_dates_are_not_copies() {
        let sms = code_sms();
        let mut page = not_copies(&sms);
        page.push(listed(
            "SM3",
            "outbound-api",
            &sms.body,
            "Sat, 28 Nov 2026 14:54:59 +0000",
        ));
        page.push(listed("SM4", "outbound-api", &sms.body, "hier"));
        let mut elsewhere = listed("SM5", "outbound-api", &sms.body, AT);
        elsewhere.to = "+15145550148".into();
        page.push(elsewhere);
        assert_eq!(earlier_copy(&page, &sms, began() - CLOCK_SKEW), None);
    }

    #[test]
    fn the_next_page_must_be_a_path_of_twilios_api() {
        let api = "https://api.twilio.com";
        let next = "/2010-04-01/Accounts/AC1/Messages.json?To=%2B15145550147&PageSize=50&Page=1";
        assert_eq!(next_page_url(api, next).unwrap(), format!("{api}{next}"));
        for elsewhere in [
            "@evil.example/x",
            "//evil.example/x",
            "https://evil.example/x",
            "",
        ] {
            assert!(next_page_url(api, elsewhere).is_err(), "{elsewhere}");
        }
    }

    #[test]
    fn a_page_of_twilios_list_reads() {
        let page: Page = serde_json::from_str(
            r#"{"end":0,"first_page_uri":"/2010-04-01/Accounts/AC1/Messages.json?To=%2B15145550147&PageSize=50&Page=0",
                "messages":[{"account_sid":"AC1","api_version":"2010-04-01","body":"Bonjour","date_created":"Sat, 28 Nov 2026 15:01:00 +0000",
                "date_sent":null,"date_updated":"Sat, 28 Nov 2026 15:01:00 +0000","direction":"outbound-api","error_code":null,
                "error_message":null,"from":"+15145550100","messaging_service_sid":null,"num_media":"0","num_segments":"1",
                "price":null,"price_unit":"USD","sid":"SM1","status":"queued","to":"+15145550147","uri":"/x.json"}],
                "next_page_uri":null,"page":0,"page_size":50,"previous_page_uri":null,"start":0,"uri":"/x"}"#,
        )
        .unwrap();
        assert_eq!(page.messages.len(), 1);
        assert_eq!(page.next_page_uri, None);
    }
}
