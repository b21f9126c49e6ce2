//! What the signing pages share: the HTML frame (no external asset), the 303, the closed-form pages.

use actix_web::{HttpResponse, http::StatusCode};
use html_escape::encode_text;

/// Scripts and styles are inline; nothing is loaded from elsewhere.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
                   img-src 'self' data:; connect-src 'self'; form-action 'self' http: https:; \
                   base-uri 'none'";

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;\
padding:0 1rem;color:#1d2330}h1{font-size:1.5rem}table{border-collapse:collapse;width:100%}\
td,th{border-bottom:1px solid #dde;padding:.4rem;text-align:left}label{display:block;margin:.8rem 0 .2rem}\
input[type=text],textarea{width:100%;box-sizing:border-box;padding:.4rem;font-size:1rem}\
canvas{border:1px solid #99a;border-radius:4px;touch-action:none;width:100%;height:150px}\
.typed{font-family:cursive,serif;font-size:1.4rem}.error{color:#b00020}.muted{color:#667}\
button{padding:.6rem 1.2rem;font-size:1rem;margin:.8rem .4rem 0 0}.primary{background:#0b5cad;color:#fff;border:0;border-radius:4px}\
details{margin-top:1.5rem}";

/// A full page: `title` escaped, `body` trusted HTML.
pub fn page(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", CSP))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("Cache-Control", "no-store"))
        .body(format!(
            "<!doctype html><html lang=\"fr-CA\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
             <title>{title}</title><style>{STYLE}</style></head><body>\
             <p class=\"muted\"><small>DocuSeal (bac à sable / sandbox)</small></p>\
             <h1>{title}</h1>{body}</body></html>",
            title = encode_text(title),
        ))
}

/// 404: no form at this address.
pub fn not_found() -> HttpResponse {
    page(
        StatusCode::NOT_FOUND,
        "Formulaire introuvable / Form not found",
        "<p>Ce lien n'existe pas. / This link does not exist.</p>",
    )
}

/// 403: a post without this page's token.
pub fn forbidden() -> HttpResponse {
    page(
        StatusCode::FORBIDDEN,
        "Requête refusée / Request refused",
        "<p>Rechargez la page et réessayez. / Reload the page and try again.</p>",
    )
}

/// A redirect after a post.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .finish()
}
