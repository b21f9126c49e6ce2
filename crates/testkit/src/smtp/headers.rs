//! Just enough RFC 5322 / RFC 2047 to read a header of a received message in an assertion.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The header block of `data`: everything before the first empty line.
fn header_block(data: &str) -> &str {
    data.split_once("\r\n\r\n")
        .or_else(|| data.split_once("\n\n"))
        .map_or(data, |(head, _)| head)
}

/// The body of `data`: everything after the first empty line (empty when there is none).
pub(super) fn body(data: &str) -> &str {
    data.split_once("\r\n\r\n")
        .or_else(|| data.split_once("\n\n"))
        .map_or("", |(_, body)| body)
}

/// The first value of header `name` (case-insensitive), unfolded, trimmed, still encoded.
pub(super) fn find(data: &str, name: &str) -> Option<String> {
    let mut value: Option<String> = None;
    for line in header_block(data).lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        match value.as_mut() {
            // A line starting with white space continues the header being read (folding).
            Some(found) if line.starts_with([' ', '\t']) => {
                found.push(' ');
                found.push_str(line.trim());
            }
            Some(_) => break,
            None => {
                let Some((field, rest)) = line.split_once(':') else {
                    continue;
                };
                if field.trim_end().eq_ignore_ascii_case(name) {
                    value = Some(rest.trim().to_owned());
                }
            }
        }
    }
    value
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) in `raw`; words in
/// other charsets, or malformed ones, stay as they are.
pub(super) fn decode_words(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    let mut previous_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, candidate) = rest.split_at(start);
        let decoded = encoded_word(candidate);
        // White space between two adjacent encoded words is not part of the text.
        if !(previous_was_word && decoded.is_some() && before.trim().is_empty()) {
            out.push_str(before);
        }
        match decoded {
            Some((text, used)) => {
                out.push_str(&text);
                rest = &candidate[used..];
                previous_was_word = true;
            }
            None => {
                out.push_str("=?");
                rest = &candidate[2..];
                previous_was_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes one encoded word at the start of `text`: its text and how many bytes it used.
fn encoded_word(text: &str) -> Option<(String, usize)> {
    let inner = text.strip_prefix("=?")?;
    let (charset, inner) = inner.split_once('?')?;
    let (encoding, inner) = inner.split_once('?')?;
    let (payload, _) = inner.split_once("?=")?;
    let charset = charset.split('*').next().unwrap_or_default();
    if !(charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("us-ascii")) {
        return None;
    }
    let bytes = match encoding {
        "b" | "B" => STANDARD.decode(payload).ok()?,
        "q" | "Q" => decode_q(payload)?,
        _ => return None,
    };
    let used = 2 + charset.len() + 1 + encoding.len() + 1 + payload.len() + 2;
    Some((String::from_utf8(bytes).ok()?, used))
}

/// The "Q" encoding: `_` is a space, `=XX` a byte in hex.
fn decode_q(payload: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(payload.len());
    let mut bytes = payload.bytes();
    while let Some(byte) = bytes.next() {
        match byte {
            b'_' => out.push(b' '),
            b'=' => {
                let high = char::from(bytes.next()?).to_digit(16)?;
                let low = char::from(bytes.next()?).to_digit(16)?;
                out.push(u8::try_from(high * 16 + low).ok()?);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{body, decode_words, find};

    const MAIL: &str = "From: a@b.ca\r\nSubject: Votre\r\n facture\r\nMessage-ID: <1@b.ca>\r\n\r\nSubject: not a header\r\n";

    #[test]
    fn a_folded_header_is_unfolded_and_the_body_is_not_searched() {
        assert_eq!(find(MAIL, "subject").as_deref(), Some("Votre facture"));
        assert_eq!(find(MAIL, "Message-ID").as_deref(), Some("<1@b.ca>"));
        assert_eq!(find(MAIL, "To"), None);
        assert_eq!(body(MAIL), "Subject: not a header\r\n");
    }

    #[test]
    fn utf8_encoded_words_are_decoded() {
        assert_eq!(
            decode_words("=?utf-8?b?RmFjdHVyZSBuwrA=?= 42"),
            "Facture n° 42"
        );
        assert_eq!(
            decode_words("=?UTF-8?Q?R=C3=A9sum=C3=A9_du?= mois"),
            "Résumé du mois"
        );
        assert_eq!(decode_words("=?utf-8?b?QQ==?= =?utf-8?b?Qg==?="), "AB");
        assert_eq!(
            decode_words("plain =?koi8-r?b?xx?= text"),
            "plain =?koi8-r?b?xx?= text"
        );
    }
}
