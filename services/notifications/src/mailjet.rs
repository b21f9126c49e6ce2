//! Mailjet's record of accepted messages (`GET /v3/REST/message?CustomID=…`), asked before an email
//! is sent again after its sender died mid-send: the relay may have accepted it just before the kill.
//!
//! Every email carries `X-MJ-CustomID: <event id>` (Mailjet's SMTP relay keeps it as the message's
//! CustomID), so the question is exact. Basic auth with the API key and secret, which are also the
//! relay's SMTP user and password. Mailjet lists a message once it has processed it, which takes
//! seconds; a delivery is only taken over after its sender's lease (`NOTIFY_LEASE_S`, 60 s) ran out.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::domain::SendError;

/// The header that tags an email with its event id, and the field it becomes in Mailjet's records.
pub const CUSTOM_ID_HEADER: &str = "X-MJ-CustomID";

/// Longest wait for Mailjet's answer: a look-up that times out is asked again after the lease.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// A client of Mailjet's message records.
pub struct SentLog {
    http: reqwest::Client,
    messages_url: String,
    api_key: String,
    secret: SecretString,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Listing {
    count: u64,
    data: Vec<Record>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Record {
    #[serde(rename = "ID")]
    id: u64,
    #[serde(rename = "CustomID", default)]
    custom_id: String,
}

impl SentLog {
    /// A client of the API at `api_url` (`https://api.mailjet.com`; the fake in tests).
    pub fn new(api_url: &str, api_key: &str, secret: SecretString) -> Result<Self, reqwest::Error> {
        let http = crate::provider_http(TIMEOUT)?;
        Ok(Self {
            http,
            messages_url: format!("{}/v3/REST/message", api_url.trim_end_matches('/')),
            api_key: api_key.to_owned(),
            secret,
        })
    }

    /// Mailjet's id of the message tagged `custom_id`, if Mailjet has one. Any failure to tell is an
    /// error (the caller must not send blindly).
    pub async fn find(&self, custom_id: &str) -> Result<Option<String>, SendError> {
        let request = self
            .http
            .get(&self.messages_url)
            .query(&[("CustomID", custom_id)])
            .basic_auth(&self.api_key, Some(self.secret.expose_secret()));
        let listing: Listing =
            crate::provider_records(request, "Mailjet's message records").await?;
        Ok(found(listing, custom_id))
    }
}

/// The id of the record tagged `custom_id` (Mailjet filters already; checked again all the same).
fn found(listing: Listing, custom_id: &str) -> Option<String> {
    if listing.count == 0 {
        return None;
    }
    listing
        .data
        .into_iter()
        .find(|r| r.custom_id == custom_id)
        .map(|r| format!("mailjet:{}", r.id))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn listing(json: &str) -> Listing {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_listed_message_is_found_by_its_custom_id() {
        let l = listing(
            r#"{"Count":1,"Data":[{"ArrivedAt":"2026-11-28T03:00:00Z","CustomID":"ev-1","ID":288230376,"Status":"sent"}],"Total":1}"#,
        );
        assert_eq!(found(l, "ev-1").as_deref(), Some("mailjet:288230376"));
    }

    #[test]
    fn an_empty_listing_or_another_custom_id_is_not_found() {
        assert_eq!(
            found(listing(r#"{"Count":0,"Data":[],"Total":0}"#), "ev-1"),
            None
        );
        let other = listing(r#"{"Count":1,"Data":[{"CustomID":"ev-2","ID":7}],"Total":1}"#);
        assert_eq!(found(other, "ev-1"), None);
    }
}
