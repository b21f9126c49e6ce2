//! SMS through Twilio's Messages API (reqwest), and the `X-Twilio-Signature` check of its callbacks.

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

impl Twilio {
    /// A client; status callbacks will be asked at `status_callback`.
    pub fn new(settings: TwilioSettings, status_callback: String) -> Result<Self, reqwest::Error> {
        let http = crate::provider_http()?;
        Ok(Self {
            http,
            settings,
            status_callback,
        })
    }

    /// Sends one SMS; returns its SID.
    pub async fn send(&self, sms: &OutgoingSms) -> Result<String, SendError> {
        let s = &self.settings;
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            s.api_url, s.account_sid
        );
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
            .post(url)
            .basic_auth(&s.account_sid, Some(s.auth_token.expose_secret()))
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                SendError::Unavailable(format!("Twilio unreachable: {}", e.without_url()))
            })?;
        let status = response.status();
        if status.is_success() {
            let created: Created = response.json().await.map_err(|e| {
                SendError::Temporary(format!("Twilio answer unreadable: {}", e.without_url()))
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
}
