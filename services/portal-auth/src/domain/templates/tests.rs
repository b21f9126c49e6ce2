use super::super::sms::{SmsEncoding, count_segments};
use super::*;

const LINK: &str = "https://portail.gigafibre.ca/#/?token=eyJhbGciOiJFZERTQSJ9.abc.def";
/// A 60-character short URL, longer than any we generate.
const SHORT_60: &str = "https://portail.gigafibre.ca/portal/l/AbCdEfGhIjKlMnOpQrStUv";

fn message(lang: Lang) -> LoginMessage<'static> {
    LoginMessage {
        customer_name: "Marie Tremblay",
        account: "CUST-2024-00001",
        show_account: false,
        link_url: LINK,
        short_url: SHORT_60,
        code: "482913",
        lang,
    }
}

#[test]
fn the_test_short_url_is_sixty_characters() {
    assert_eq!(SHORT_60.chars().count(), 60);
}

#[test]
fn the_subject_is_french_first_and_english_on_request() {
    assert_eq!(
        render_email(&message(Lang::Fr)).subject,
        "Votre lien de connexion Gigafibre"
    );
    assert_eq!(
        render_email(&message(Lang::En)).subject,
        "Your Gigafibre sign-in link"
    );
}

#[test]
fn the_french_email_has_greeting_link_code_validity_and_ignore_notice() {
    let email = render_email(&message(Lang::Fr));
    for part in [&email.html, &email.text] {
        assert!(part.contains("Bonjour Marie Tremblay,"));
        assert!(part.contains("482913"));
        assert!(part.contains("valide 15 minutes"));
        assert!(part.contains("valide 24 heures"));
        assert!(part.contains("Si vous n'avez pas fait cette demande, ignorez ce courriel"));
    }
    assert!(email.text.contains(LINK));
    assert!(email.html.contains("<html lang=\"fr\">"));
    assert!(email.html.contains(">Me connecter</a>"));
}

#[test]
fn the_english_email_says_the_same_in_english() {
    let email = render_email(&message(Lang::En));
    for part in [&email.html, &email.text] {
        assert!(part.contains("Hello Marie Tremblay,"));
        assert!(part.contains("482913"));
        assert!(part.contains("valid for 15 minutes"));
        assert!(part.contains("valid for 24 hours"));
        assert!(part.contains("If you did not make this request, ignore this email"));
    }
    assert!(email.html.contains("<html lang=\"en\">"));
}

#[test]
fn the_validity_constants_match_the_wording() {
    let email = render_email(&message(Lang::Fr));
    assert!(
        email
            .text
            .contains(&format!("{CODE_VALIDITY_MINUTES} minutes"))
    );
    assert!(
        email
            .text
            .contains(&format!("{LINK_VALIDITY_HOURS} heures"))
    );
}

#[test]
fn the_button_and_the_fallback_both_point_at_the_link() {
    let html = render_email(&message(Lang::Fr)).html;
    let href = format!("href=\"{LINK}\"");
    assert_eq!(html.matches(&href).count(), 2);
    // The fallback also shows the URL as text.
    assert!(html.contains(&format!(">{LINK}</a>")));
}

#[test]
fn a_hostile_customer_name_is_escaped_in_html() {
    let mut m = message(Lang::Fr);
    m.customer_name = "<script>alert(1)</script>";
    let html = render_email(&m).html;
    assert!(!html.contains("<script>"));
    assert!(html.contains("Bonjour &lt;script&gt;alert(1)&lt;/script&gt;,"));
}

#[test]
fn an_apostrophe_and_ampersand_name_is_escaped_in_html_and_plain_in_text() {
    let mut m = message(Lang::Fr);
    m.customer_name = "O'Brien & Fils";
    let email = render_email(&m);
    assert!(email.html.contains("Bonjour O'Brien &amp; Fils,"));
    assert!(!email.html.contains("O'Brien & Fils"));
    assert!(email.text.contains("Bonjour O'Brien & Fils,"));
}

#[test]
fn urls_are_escaped_inside_attributes() {
    let mut m = message(Lang::En);
    m.link_url = "https://portail.gigafibre.ca/#/?token=a&b=\"><script>";
    let html = render_email(&m).html;
    assert!(html.contains(
        "href=\"https://portail.gigafibre.ca/#/?token=a&amp;b=&quot;&gt;&lt;script&gt;\""
    ));
    assert!(!html.contains("<script>"));
}

#[test]
fn the_account_is_shown_only_when_asked_and_escaped() {
    let mut m = message(Lang::Fr);
    m.account = "Ferme <Lavoie> & Fils";
    let hidden = render_email(&m);
    assert!(!hidden.html.contains("Lavoie"));
    assert!(!hidden.text.contains("Lavoie"));
    m.show_account = true;
    let shown = render_email(&m);
    assert!(
        shown
            .html
            .contains("Compte : <strong>Ferme &lt;Lavoie&gt; &amp; Fils</strong>")
    );
    assert!(shown.text.contains("Compte : Ferme <Lavoie> & Fils"));
}

#[test]
fn a_blank_name_gives_a_greeting_without_name() {
    let mut m = message(Lang::En);
    m.customer_name = "  ";
    let email = render_email(&m);
    assert!(email.text.starts_with("Hello,\n"));
}

#[test]
fn the_email_has_no_image_and_no_script() {
    for lang in [Lang::Fr, Lang::En] {
        let html = render_email(&message(lang)).html.to_lowercase();
        assert!(!html.contains("<img"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("url("));
    }
}

#[test]
fn the_html_layout_is_table_based_with_inline_css() {
    let html = render_email(&message(Lang::Fr)).html;
    assert!(html.contains("role=\"presentation\""));
    assert!(!html.contains("<style"));
    assert!(!html.contains("class="));
}

#[test]
fn both_sms_fit_one_gsm7_segment_with_a_sixty_character_url() {
    for lang in [Lang::Fr, Lang::En] {
        let sms = render_sms(&message(lang));
        let segments = count_segments(&sms);
        assert_eq!(segments.encoding, SmsEncoding::Gsm7, "{sms}");
        assert_eq!(segments.segments, 1, "{sms}");
        assert!(sms.contains(SHORT_60));
        assert!(sms.contains("482913"));
    }
}

#[test]
fn the_sms_leaves_out_the_customer_name() {
    let sms = render_sms(&message(Lang::Fr));
    assert!(!sms.contains("Marie"));
    assert!(sms.starts_with("Gigafibre: connexion https://"));
}
