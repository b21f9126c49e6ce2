//! `GET /vision/`: the staff page that uploads a photo to `POST /vision/invoice` or
//! `/vision/equipment` and shows the answer. One self-contained HTML file (`src/page/`): its
//! script and style are inline and allowed by their hashes, nothing else loads.

use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::AppState;
use crate::error::ApiError;

const HTML: &str = include_str!("../page/index.html");
const SCRIPT: &str = include_str!("../page/page.js");
const STYLE: &str = include_str!("../page/page.css");

/// The staff page: choose invoice or label, send a file, read the result.
#[utoipa::path(get, path = "/vision/", tag = "vision-ocr",
    responses(
        (status = 200, description = "The staff page (French, then English)", body = String, content_type = "text/html"),
        (status = 403, description = "Not staff (VIS_14)", body = shared::http::Problem, content_type = "application/problem+json"),
    ))]
pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.staff(&req)?;
    let body = HTML
        .replace("{{STYLE}}", STYLE)
        .replace("{{SCRIPT}}", SCRIPT);
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", policy()))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Frame-Options", "DENY"))
        .body(body))
}

/// `/vision` without its slash: to the page.
pub async fn to_page() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/vision/"))
        .finish()
}

/// Only this page's own script and style run; it talks to its own origin only.
fn policy() -> String {
    format!(
        "default-src 'none'; script-src '{}'; style-src '{}'; connect-src 'self'; \
         img-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
        hash(SCRIPT),
        hash(STYLE)
    )
}

/// A CSP source of `text`: `sha256-<base64>`.
fn hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_holds_its_script_and_style_once_each() {
        assert_eq!(HTML.matches("{{SCRIPT}}").count(), 1);
        assert_eq!(HTML.matches("{{STYLE}}").count(), 1);
        assert!(!SCRIPT.contains("</script"));
        assert!(policy().contains("script-src 'sha256-"));
    }
}
