//! What the hosted pages share: the words in the session's language, the HTML frame (no script,
//! no external asset), the 303.

use actix_web::{HttpResponse, http::StatusCode};
use html_escape::encode_text;
use serde_json::Value;

/// The page's words in the session's language.
pub struct Words {
    pub fr: bool,
}

impl Words {
    pub fn of(session: &Value) -> Self {
        let locale = session["locale"].as_str().unwrap_or_default();
        Self {
            fr: locale == "fr" || locale.starts_with("fr-"),
        }
    }
    pub fn t<'a>(&self, fr: &'a str, en: &'a str) -> &'a str {
        if self.fr { fr } else { en }
    }
    pub fn amount(&self, session: &Value) -> String {
        let cents = session["amount_total"].as_i64().unwrap_or_default();
        let currency = session["currency"]
            .as_str()
            .unwrap_or_default()
            .to_uppercase();
        if self.fr {
            format!("{},{:02} $ {currency}", cents / 100, cents % 100)
        } else {
            format!("${}.{:02} {currency}", cents / 100, cents % 100)
        }
    }
}

pub fn page(status: StatusCode, lang: &Words, title: &str, body: &str) -> HttpResponse {
    let lang_code = lang.t("fr-CA", "en");
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html><html lang=\"{lang_code}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
             <title>{title}</title><style>body{{font-family:system-ui,sans-serif;max-width:28rem;\
             margin:3rem auto;padding:0 1rem}}.error{{color:#b00020}}button{{padding:.5rem 1rem}}\
             </style></head><body><p><small>{sandbox}</small></p><h1>{title}</h1>{body}</body></html>",
            title = encode_text(title),
            sandbox = lang.t("Stripe (bac à sable, mode test)", "Stripe (sandbox, test mode)"),
        ))
}

pub fn not_found() -> HttpResponse {
    page(
        StatusCode::NOT_FOUND,
        &Words { fr: true },
        "Session introuvable / Session not found",
        "",
    )
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .finish()
}
