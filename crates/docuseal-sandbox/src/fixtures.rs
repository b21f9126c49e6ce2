//! For tests of the stand-in's clients: what a person does on the signing page, over HTTP, without
//! a browser. Each takes the page's URL (a submitter's `embed_src`) and does the requests the page
//! does: fetch it (so `opened_at` and `form.viewed`), take its anti-forgery token, post.

use anyhow::{Context as _, bail};
use secrecy::{ExposeSecret, SecretString};

/// The `User-Agent` the fixtures send (it lands in the submitter's `ua`).
pub const USER_AGENT: &str = "docuseal-sandbox-fixture";

fn client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(USER_AGENT)
        .build()
        .context("building the fixture's HTTP client")
}

/// The anti-forgery token of a signing page's HTML.
pub fn page_token(html: &str) -> Option<String> {
    let marker = "name=\"authenticity_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// Opens the signing page at `page_url`, as a browser: its HTML (an error unless 200).
pub async fn open(page_url: &str) -> anyhow::Result<String> {
    let answer = client()?
        .get(page_url)
        .send()
        .await
        .with_context(|| format!("GET {page_url}"))?;
    let status = answer.status();
    let html = answer.text().await.context("reading the signing page")?;
    if status != reqwest::StatusCode::OK {
        bail!("the signing page answered {status}");
    }
    Ok(html)
}

async fn post(
    http: &reqwest::Client,
    url: String,
    form: &[(&str, &str)],
) -> anyhow::Result<reqwest::Response> {
    http.post(&url)
        .form(form)
        .send()
        .await
        .with_context(|| format!("POST {url}"))
}

/// Signs the form at `page_url` as `name` (typed name and typed signature, consent ticked), as the
/// page does: open, start, complete. The answer to the completing post: 303 to
/// `completed_redirect_url` when there is one, else 200 with the thank-you page.
pub async fn sign(page_url: &str, name: &str) -> anyhow::Result<reqwest::Response> {
    let html = open(page_url).await?;
    let token = page_token(&html).context("no authenticity_token on the signing page")?;
    let http = client()?;
    let base = page_url.trim_end_matches('/');
    let started = post(
        &http,
        format!("{base}/start"),
        &[("authenticity_token", &token)],
    )
    .await?;
    if !started.status().is_success() {
        bail!("starting the form answered {}", started.status());
    }
    let form = [
        ("authenticity_token", token.as_str()),
        ("name", name),
        ("signature", name),
        ("signature_image", ""),
        ("consent", "on"),
    ];
    post(&http, format!("{base}/complete"), &form).await
}

/// Declines the form at `page_url` with `reason`, as the page does: open, decline. The answer to
/// the declining post (303 back to the page).
pub async fn decline(page_url: &str, reason: &str) -> anyhow::Result<reqwest::Response> {
    let html = open(page_url).await?;
    let token = page_token(&html).context("no authenticity_token on the signing page")?;
    let base = page_url.trim_end_matches('/');
    let form = [("authenticity_token", token.as_str()), ("reason", reason)];
    post(&client()?, format!("{base}/decline"), &form).await
}

/// Expires submission `id` now through the control route (`base_url` is the sandbox's origin,
/// without `/api`); `submission.expired` is queued before it answers. The submission's JSON.
pub async fn expire(
    base_url: &str,
    api_key: &SecretString,
    id: i64,
) -> anyhow::Result<serde_json::Value> {
    let url = format!(
        "{}/sandbox/submissions/{id}/expire",
        base_url.trim_end_matches('/')
    );
    let answer = client()?
        .post(&url)
        .header("X-Auth-Token", api_key.expose_secret())
        .send()
        .await
        .with_context(|| format!("POST {url}"))?;
    if !answer.status().is_success() {
        bail!("expiring submission {id} answered {}", answer.status());
    }
    answer
        .json()
        .await
        .context("reading the expired submission")
}
