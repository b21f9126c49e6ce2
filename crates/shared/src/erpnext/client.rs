//! The Frappe v1 REST client.

use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::error::ErpError;
use super::filter::ListQuery;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A client of one ERPNext site, authenticated with an API key/secret pair.
///
/// Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct FrappeClient {
    http: reqwest::Client,
    base_url: Url,
    metrics: Option<crate::metrics::ErpCallMetrics>,
}

impl std::fmt::Debug for FrappeClient {
    // Only the base URL: the default headers hold the API secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrappeClient")
            .field("base_url", &self.base_url.as_str())
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct DataEnvelope<T> {
    data: T,
}

#[derive(Deserialize)]
struct MessageEnvelope {
    message: Value,
}

impl FrappeClient {
    /// A client of the site at `base_url` (e.g. `https://erp.example.ca`), sending
    /// `Authorization: token <api_key>:<api_secret>` on every call.
    pub fn new(base_url: &str, api_key: &str, api_secret: &SecretString) -> Result<Self, ErpError> {
        let base_url = Url::parse(base_url.trim_end_matches('/'))
            .map_err(|e| ErpError::Unexpected(format!("invalid ERP base URL: {e}")))?;
        if base_url.cannot_be_a_base() {
            return Err(ErpError::Unexpected("invalid ERP base URL".to_owned()));
        }
        let mut token =
            HeaderValue::from_str(&format!("token {api_key}:{}", api_secret.expose_secret()))
                .map_err(|_| {
                    ErpError::Unexpected("API key or secret is not header-safe".to_owned())
                })?;
        token.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, token);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| ErpError::Unexpected(format!("cannot build HTTP client: {e}")))?;
        Ok(Self {
            http,
            base_url,
            metrics: None,
        })
    }

    /// Records each call's time and failures in `metrics` (`erpnext_request_*` on /metrics).
    pub fn with_metrics(mut self, metrics: crate::metrics::ErpCallMetrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// The base URL this client talks to.
    pub fn base_url(&self) -> &str {
        self.base_url.as_str()
    }

    /// `GET /api/resource/{doctype}`: the documents matching `query`.
    #[tracing::instrument(skip_all, fields(doctype))]
    pub async fn list<T: DeserializeOwned>(
        &self,
        doctype: &str,
        query: &ListQuery,
    ) -> Result<Vec<T>, ErpError> {
        let request = self
            .http
            .get(self.url(&["resource", doctype]))
            .query(&query.to_params());
        Ok(self
            .send::<DataEnvelope<Vec<T>>>("list", request)
            .await?
            .data)
    }

    /// `GET /api/resource/{doctype}/{name}`: one document, [`ErpError::NotFound`] if absent.
    #[tracing::instrument(skip_all, fields(doctype))]
    pub async fn get<T: DeserializeOwned>(&self, doctype: &str, name: &str) -> Result<T, ErpError> {
        let request = self.http.get(self.url(&["resource", doctype, name]));
        Ok(self.send::<DataEnvelope<T>>("get", request).await?.data)
    }

    /// `POST /api/resource/{doctype}`: creates `doc`, returns the saved document.
    #[tracing::instrument(skip_all, fields(doctype))]
    pub async fn create<T: DeserializeOwned>(
        &self,
        doctype: &str,
        doc: &Value,
    ) -> Result<T, ErpError> {
        let request = self.http.post(self.url(&["resource", doctype])).json(doc);
        Ok(self.send::<DataEnvelope<T>>("create", request).await?.data)
    }

    /// `PUT /api/resource/{doctype}/{name}`: merges `patch` into the document, returns it.
    #[tracing::instrument(skip_all, fields(doctype))]
    pub async fn update<T: DeserializeOwned>(
        &self,
        doctype: &str,
        name: &str,
        patch: &Value,
    ) -> Result<T, ErpError> {
        let request = self
            .http
            .put(self.url(&["resource", doctype, name]))
            .json(patch);
        Ok(self.send::<DataEnvelope<T>>("update", request).await?.data)
    }

    /// `DELETE /api/resource/{doctype}/{name}`.
    #[tracing::instrument(skip_all, fields(doctype))]
    pub async fn delete(&self, doctype: &str, name: &str) -> Result<(), ErpError> {
        let request = self.http.delete(self.url(&["resource", doctype, name]));
        self.send::<DataEnvelope<Value>>("delete", request)
            .await
            .map(|_| ())
    }

    /// `GET /api/method/frappe.auth.get_logged_user`: the API user, proving the site
    /// answers and accepts our credentials.
    #[tracing::instrument(skip_all)]
    pub async fn logged_user(&self) -> Result<String, ErpError> {
        let request = self
            .http
            .get(self.url(&["method", "frappe.auth.get_logged_user"]));
        match self
            .send::<MessageEnvelope>("method", request)
            .await?
            .message
        {
            Value::String(user) => Ok(user),
            _ => Err(ErpError::Unexpected(
                "logged user is not a string".to_owned(),
            )),
        }
    }

    /// `GET /api/method/frappe.utils.print_format.download_pdf`: the document printed as a
    /// PDF (the doctype's default print format), in `lang` (`fr`, `en`) when given;
    /// [`ErpError::NotFound`] for an unknown name.
    #[tracing::instrument(skip_all, fields(doctype))]
    pub async fn download_pdf(
        &self,
        doctype: &str,
        name: &str,
        lang: Option<&str>,
    ) -> Result<Vec<u8>, ErpError> {
        let mut query = vec![("doctype", doctype), ("name", name)];
        query.extend(lang.map(|lang| ("lang", lang)));
        let request = self
            .http
            .get(self.url(&["method", "frappe.utils.print_format.download_pdf"]))
            .query(&query);
        let started = std::time::Instant::now();
        let result = self.fetch(request).await.and_then(|body| {
            // A proxy's HTML login page answers 200 too: only a PDF is a PDF.
            if body.starts_with(b"%PDF-") {
                Ok(body.to_vec())
            } else {
                Err(ErpError::Unexpected("the print is not a PDF".to_owned()))
            }
        });
        if let Some(metrics) = &self.metrics {
            metrics.observe("pdf", started, &result);
        }
        result
    }

    /// `POST /api/method/{method}` with `args` as the JSON body: the method's `message`, read as
    /// `T` (e.g. `erpnext.selling.doctype.quotation.quotation.make_sales_order` with
    /// `{"source_name": …}` answers the unsaved Sales Order).
    #[tracing::instrument(skip_all, fields(method))]
    pub async fn call_method<T: DeserializeOwned>(
        &self,
        method: &str,
        args: &Value,
    ) -> Result<T, ErpError> {
        let request = self.http.post(self.url(&["method", method])).json(args);
        let message = self
            .send::<MessageEnvelope>("method", request)
            .await?
            .message;
        serde_json::from_value(message)
            .map_err(|e| ErpError::Unexpected(format!("unexpected reply of {method}: {e}")))
    }

    /// `POST /api/resource/File`: uploads `content` (sent base64-encoded with `decode: 1`) as a
    /// file attached to `attached_to_doctype` `attached_to_name`; returns the File document.
    #[tracing::instrument(skip_all, fields(attached_to_doctype))]
    pub async fn upload_file(
        &self,
        file_name: &str,
        attached_to_doctype: &str,
        attached_to_name: &str,
        is_private: bool,
        content: &[u8],
    ) -> Result<super::File, ErpError> {
        use base64::Engine;
        let doc = serde_json::json!({
            "file_name": file_name,
            "attached_to_doctype": attached_to_doctype,
            "attached_to_name": attached_to_name,
            "is_private": i32::from(is_private),
            "content": base64::engine::general_purpose::STANDARD.encode(content),
            "decode": 1,
        });
        self.create("File", &doc).await
    }

    /// `GET {file_url}` (`/private/files/…` or `/files/…`, a File's `file_url`) with the API
    /// credentials: the file's bytes. A URL that is not a path on this site is refused, so the
    /// credentials never go to another host.
    #[tracing::instrument(skip_all)]
    pub async fn download_file(&self, file_url: &str) -> Result<Vec<u8>, ErpError> {
        let path = file_url
            .strip_prefix("/private/files/")
            .map(|rest| ("private", rest))
            .or_else(|| file_url.strip_prefix("/files/").map(|rest| ("", rest)));
        let safe = |rest: &str| !rest.is_empty() && !rest.split('/').any(|s| s == ".." || s == ".");
        let Some((area, rest)) = path.filter(|(_, rest)| safe(rest)) else {
            return Err(ErpError::Unexpected(
                "a file URL must be /private/files/… or /files/… on the ERP site".to_owned(),
            ));
        };
        let mut url = self.base_url.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty();
            if !area.is_empty() {
                segments.push(area);
            }
            segments.push("files").extend(rest.split('/'));
        }
        let started = std::time::Instant::now();
        let result = self.fetch(self.http.get(url)).await.map(|b| b.to_vec());
        if let Some(metrics) = &self.metrics {
            metrics.observe("file", started, &result);
        }
        result
    }

    /// Readiness probe: `Ok` when the site answers and accepts our credentials.
    pub async fn ping(&self) -> Result<(), ErpError> {
        self.logged_user().await.map(|_| ())
    }

    /// `{base}/api/{segments...}`, each segment percent-encoded as one path segment.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base_url.clone();
        // `cannot_be_a_base` was refused in `new`, so the segments are always editable.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().push("api").extend(segments);
        }
        url
    }

    /// Sends one call of `operation`, recording it in the metrics when there are some.
    async fn send<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ErpError> {
        let started = std::time::Instant::now();
        let result = self.call(request).await;
        if let Some(metrics) = &self.metrics {
            metrics.observe(operation, started, &result);
        }
        result
    }

    async fn call<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ErpError> {
        let body = self.fetch(request).await?;
        serde_json::from_slice(&body)
            .map_err(|e| ErpError::Unexpected(format!("invalid JSON from ERPNext: {e}")))
    }

    /// Sends `request`; the body of a success, else the error its status and body say.
    async fn fetch(&self, request: reqwest::RequestBuilder) -> Result<bytes::Bytes, ErpError> {
        let response = request
            .send()
            .await
            .map_err(|e| ErpError::from_transport(&e))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| ErpError::from_transport(&e))?;
        if !status.is_success() {
            let err = ErpError::from_response(status, &body);
            tracing::debug!(%status, error = %err, "ERPNext call failed");
            return Err(err);
        }
        Ok(body)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn client(base: &str) -> FrappeClient {
        FrappeClient::new(base, "key", &SecretString::from("secret")).unwrap()
    }

    #[test]
    fn names_are_encoded_as_one_path_segment() {
        let url = client("http://127.0.0.1:8000/").url(&["resource", "Sales Invoice", "A/B 1"]);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8000/api/resource/Sales%20Invoice/A%2FB%201"
        );
    }

    #[test]
    fn a_base_path_is_kept() {
        let url = client("http://127.0.0.1:8000/erp").url(&["method", "ping"]);
        assert_eq!(url.as_str(), "http://127.0.0.1:8000/erp/api/method/ping");
    }

    #[test]
    fn the_debug_output_hides_the_secret() {
        let shown = format!("{:?}", client("http://127.0.0.1:8000"));
        assert!(!shown.contains("secret"));
    }

    #[tokio::test]
    async fn a_file_url_off_the_site_is_refused_before_any_request() {
        let erp = client("http://127.0.0.1:9");
        for url in [
            "https://evil.example/x.pdf",
            "/private/files/../x",
            "/api/x",
            "/files/",
        ] {
            let err = erp.download_file(url).await.unwrap_err();
            assert!(matches!(err, ErpError::Unexpected(_)), "{url}: {err:?}");
        }
    }

    #[test]
    fn a_bad_base_url_is_refused() {
        assert!(FrappeClient::new("not a url", "k", &SecretString::from("s")).is_err());
    }
}
