//! What staff outside the impersonation groups see of a captured message: no login link and no
//! code, which would let them open the customer's session without the impersonation check and its
//! audit (issue 16, finding 5).

/// `text` with every link cut to its origin (`https://portail.example.ca/…`) and every run of six
/// or more digits (a login code) replaced with `••••••`.
pub fn mask_links_and_codes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after_scheme) = url_start(rest) {
            let end = rest.find(ends_link).unwrap_or(rest.len());
            let link = &rest[..end];
            let origin_end = link[after_scheme..]
                .find(['/', '?', '#'])
                .map_or(link.len(), |i| after_scheme + i);
            out.push_str(&link[..origin_end]);
            if origin_end < link.len() {
                out.push_str("/…");
            }
            rest = &rest[end..];
        } else if rest.starts_with(|c: char| c.is_ascii_digit()) {
            let end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if end >= 6 {
                out.push_str("••••••");
            } else {
                out.push_str(&rest[..end]);
            }
            rest = &rest[end..];
        } else {
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                out.push(c);
            }
            rest = chars.as_str();
        }
    }
    out
}

/// The length of `http://` or `https://` when `s` starts with a link.
fn url_start(s: &str) -> Option<usize> {
    ["https://", "http://"].into_iter().find_map(|scheme| {
        s.get(..scheme.len())
            .filter(|p| p.eq_ignore_ascii_case(scheme))
            .map(|_| scheme.len())
    })
}

/// Where a link ends in text or HTML.
fn ends_link(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')')
}

#[cfg(test)]
mod tests {
    use super::mask_links_and_codes as mask;

    #[test]
    fn links_keep_only_their_origin_and_codes_disappear() {
        assert_eq!(
            mask(
                "Gigafibre: connexion https://hub.example.ca/portal/l/Ab3dEf ou code 482913 (15 min)."
            ),
            "Gigafibre: connexion https://hub.example.ca/… ou code •••••• (15 min)."
        );
        assert_eq!(
            mask("<a href=\"https://portail.example.ca/#/?token=eyJ.x.y\">lien</a>"),
            "<a href=\"https://portail.example.ca/…\">lien</a>"
        );
    }

    #[test]
    fn plain_words_short_numbers_and_bare_origins_stay() {
        let plain = "Votre facture de 42,50 $ du 2026-12-07 : https://gigafibre.ca";
        assert_eq!(mask(plain), plain);
        assert_eq!(mask("code 1234567890"), "code ••••••");
        assert_eq!(mask("é à HTTPS://X.CA/secret"), "é à HTTPS://X.CA/…");
    }
}
