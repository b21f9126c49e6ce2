//! The login message, by email (HTML + plain text) and by SMS, in French and English.
//!
//! The email carries both the link and a typed code: mail scanners (Safe Links, Proofpoint)
//! fetch links, and the code is the fallback that always works. Everything interpolated into
//! HTML is escaped, URLs in attributes included. No images, so no tracking pixel.

pub use super::lang::Lang;

/// How long the typed code stays valid, as written in messages.
pub const CODE_VALIDITY_MINUTES: u32 = 15;
/// How long the link stays valid, as written in messages.
pub const LINK_VALIDITY_HOURS: u32 = 24;

/// What goes into one login message.
#[derive(Debug, Clone, Copy)]
pub struct LoginMessage<'a> {
    /// Customer name for the greeting (blank: a greeting without name).
    pub customer_name: &'a str,
    /// Customer name or id, shown when several accounts share the contact.
    pub account: &'a str,
    /// Whether to show `account`.
    pub show_account: bool,
    /// Full login link (`PORTAL_URL/#/?token=…`).
    pub link_url: &'a str,
    /// Short link for SMS (`PUBLIC_URL/portal/l/<code>`).
    pub short_url: &'a str,
    /// The 6-digit code.
    pub code: &'a str,
    /// Language of the message.
    pub lang: Lang,
}

/// A rendered login email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    /// Subject line.
    pub subject: String,
    /// HTML part (inline CSS, table layout for Outlook).
    pub html: String,
    /// Plain-text part with the same content.
    pub text: String,
}

/// Every sentence of the email in one language.
struct Wording {
    subject: &'static str,
    hello: &'static str,
    hello_anonymous: &'static str,
    intro: &'static str,
    account: &'static str,
    button: &'static str,
    link_label: &'static str,
    fallback: &'static str,
    code_intro: &'static str,
    code_validity: &'static str,
    link_validity: &'static str,
    ignore: &'static str,
    never_share: &'static str,
    signature: &'static str,
}

const FR: Wording = Wording {
    subject: "Votre lien de connexion Gigafibre",
    hello: "Bonjour",
    hello_anonymous: "Bonjour,",
    intro: "Voici votre lien pour vous connecter à votre espace client Gigafibre.",
    account: "Compte :",
    button: "Me connecter",
    link_label: "Lien de connexion :",
    fallback: "Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur :",
    code_intro: "Vous pouvez aussi saisir ce code sur la page de connexion :",
    code_validity: "Le code est valide 15 minutes.",
    link_validity: "Le lien est valide 24 heures.",
    ignore: "Si vous n'avez pas fait cette demande, ignorez ce courriel : personne ne peut \
             accéder à votre compte sans ce lien ou ce code.",
    never_share: "Ne transmettez jamais ce lien ni ce code : Gigafibre ne vous les demandera jamais.",
    signature: "L'équipe Gigafibre",
};

const EN: Wording = Wording {
    subject: "Your Gigafibre sign-in link",
    hello: "Hello",
    hello_anonymous: "Hello,",
    intro: "Here is your link to sign in to your Gigafibre customer portal.",
    account: "Account:",
    button: "Sign in",
    link_label: "Sign-in link:",
    fallback: "If the button does not work, copy this address into your browser:",
    code_intro: "You can also enter this code on the sign-in page:",
    code_validity: "The code is valid for 15 minutes.",
    link_validity: "The link is valid for 24 hours.",
    ignore: "If you did not make this request, ignore this email: no one can access your \
             account without this link or code.",
    never_share: "Never share this link or code: Gigafibre will never ask you for them.",
    signature: "The Gigafibre team",
};

fn wording(lang: Lang) -> &'static Wording {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

/// Renders the login email in the message's language.
pub fn render_email(m: &LoginMessage) -> RenderedEmail {
    let w = wording(m.lang);
    RenderedEmail {
        subject: w.subject.to_owned(),
        html: render_html(m, w),
        text: render_text(m, w),
    }
}

/// Renders the login SMS: GSM-7 only and one segment with a short URL of up to 60
/// characters. The customer name is left out for length (and because a lock screen shows it).
pub fn render_sms(m: &LoginMessage) -> String {
    let (url, code) = (m.short_url, m.code);
    match m.lang {
        Lang::Fr => format!(
            "Gigafibre: connexion {url} ou code {code} ({CODE_VALIDITY_MINUTES} min). Ne le partagez pas."
        ),
        Lang::En => format!(
            "Gigafibre: sign in at {url} or use code {code} ({CODE_VALIDITY_MINUTES} min). Never share it."
        ),
    }
}

fn greeting(m: &LoginMessage, w: &Wording) -> String {
    match m.customer_name.trim() {
        "" => w.hello_anonymous.to_owned(),
        name => format!("{} {name},", w.hello),
    }
}

fn render_text(m: &LoginMessage, w: &Wording) -> String {
    let mut text = format!("{}\n\n{}\n\n", greeting(m, w), w.intro);
    if m.show_account {
        text.push_str(&format!("{} {}\n\n", w.account, m.account));
    }
    text.push_str(&format!(
        "{}\n{}\n\n{} {}\n{} {}\n\n{}\n{}\n\n{}\n",
        w.link_label,
        m.link_url,
        w.code_intro,
        m.code,
        w.code_validity,
        w.link_validity,
        w.ignore,
        w.never_share,
        w.signature,
    ));
    text
}

/// Escapes text for an HTML text node.
fn text(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

/// Escapes text for a double-quoted HTML attribute.
fn attr(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(s).into_owned()
}

const BODY_CELL: &str = "padding:8px 32px;";
const SMALL_CELL: &str = "padding:8px 32px;font-size:14px;line-height:20px;color:#4b5563;";
const BRAND: &str = "#0b5cab";

fn row(style: &str, content: &str) -> String {
    format!("<tr><td style=\"{style}\">{content}</td></tr>\n")
}

fn render_html(m: &LoginMessage, w: &Wording) -> String {
    let mut rows = row(
        &format!("padding:24px 32px 8px 32px;font-size:22px;font-weight:bold;color:{BRAND};"),
        "Gigafibre",
    );
    rows.push_str(&row(BODY_CELL, &text(&greeting(m, w))));
    rows.push_str(&row(BODY_CELL, &text(w.intro)));
    if m.show_account {
        let account = format!("{} <strong>{}</strong>", text(w.account), text(m.account));
        rows.push_str(&row(BODY_CELL, &account));
    }
    rows.push_str(&button_row(m.link_url, w.button));
    let fallback = format!(
        "{}<br><a href=\"{}\" rel=\"noopener noreferrer\" style=\"color:{BRAND};word-break:break-all;\">{}</a>",
        text(w.fallback),
        attr(m.link_url),
        text(m.link_url)
    );
    rows.push_str(&row(SMALL_CELL, &fallback));
    rows.push_str(&row(BODY_CELL, &text(w.code_intro)));
    rows.push_str(&code_row(m.code));
    let validity = format!("{} {}", w.code_validity, w.link_validity);
    rows.push_str(&row(SMALL_CELL, &text(&validity)));
    let footer = format!(
        "{} {}<br><br>{}",
        text(w.ignore),
        text(w.never_share),
        text(w.signature)
    );
    rows.push_str(&row(
        "padding:16px 32px 24px 32px;font-size:13px;line-height:18px;color:#6b7280;border-top:1px solid #e5e7eb;",
        &footer,
    ));
    page(m.lang, w.subject, &rows)
}

/// A "bulletproof" button: a coloured table cell around the link, which Outlook renders.
fn button_row(link_url: &str, label: &str) -> String {
    format!(
        "<tr><td align=\"center\" style=\"padding:16px 32px;\">\
         <table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>\
         <td align=\"center\" bgcolor=\"{BRAND}\" style=\"border-radius:6px;background-color:{BRAND};\">\
         <a href=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\" style=\"display:inline-block;padding:12px 28px;\
         font-family:Arial,Helvetica,sans-serif;font-size:16px;font-weight:bold;color:#ffffff;\
         text-decoration:none;border-radius:6px;\">{}</a></td></tr></table></td></tr>\n",
        attr(link_url),
        text(label)
    )
}

fn code_row(code: &str) -> String {
    format!(
        "<tr><td align=\"center\" style=\"padding:8px 32px;font-family:'Courier New',Courier,monospace;\
         font-size:28px;font-weight:bold;letter-spacing:6px;color:#111827;\">{}</td></tr>\n",
        text(code)
    )
}

fn page(lang: Lang, subject: &str, rows: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light\">\n<title>{title}</title>\n</head>\n\
         <body style=\"margin:0;padding:0;background-color:#f4f5f7;\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" \
         style=\"background-color:#f4f5f7;\"><tr><td align=\"center\" style=\"padding:24px 12px;\">\n\
         <table role=\"presentation\" width=\"560\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" \
         style=\"width:560px;max-width:100%;background-color:#ffffff;border-radius:8px;\
         font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:24px;color:#1f2937;\">\n\
         {rows}</table>\n</td></tr></table>\n</body>\n</html>\n",
        lang = lang.as_str(),
        title = text(subject),
    )
}

#[cfg(test)]
mod tests;
