//! Reading what a customer reads in a received email: the `text/plain` part, with its transfer
//! encoding (quoted-printable or base64, which lettre picks for accented text) undone, so a test
//! can find the link or code in it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::ReceivedMail;

/// The decoded `text/plain` part of `mail` (searched through nested multiparts), or `None` when
/// the message has none.
pub fn plain_text(mail: &ReceivedMail) -> Option<String> {
    let (head, body) = split_head(&mail.data);
    find_plain(head, body)
}

fn find_plain(head: &str, body: &str) -> Option<String> {
    let content_type = header(head, "Content-Type").unwrap_or_else(|| "text/plain".to_owned());
    let kind = content_type.to_ascii_lowercase();
    if kind.starts_with("multipart/") {
        let boundary = parameter(&content_type, "boundary")?;
        return parts(body, &boundary).into_iter().find_map(|part| {
            let (h, b) = split_head(part);
            find_plain(h, b)
        });
    }
    if !kind.starts_with("text/plain") {
        return None;
    }
    let encoding = header(head, "Content-Transfer-Encoding").unwrap_or_default();
    let bytes = match encoding.to_ascii_lowercase().as_str() {
        "quoted-printable" => decode_quoted_printable(body),
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            STANDARD.decode(compact).ok()?
        }
        _ => body.as_bytes().to_vec(),
    };
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Header block and body of a message or part.
fn split_head(data: &str) -> (&str, &str) {
    data.split_once("\r\n\r\n")
        .or_else(|| data.split_once("\n\n"))
        .unwrap_or((data, ""))
}

/// The first value of header `name` in a header block, unfolded.
fn header(head: &str, name: &str) -> Option<String> {
    let mut value: Option<String> = None;
    for line in head.lines() {
        let line = line.trim_end_matches('\r');
        match value.as_mut() {
            Some(found) if line.starts_with([' ', '\t']) => {
                found.push(' ');
                found.push_str(line.trim());
            }
            Some(_) => break,
            None => {
                if let Some((field, rest)) = line.split_once(':')
                    && field.trim().eq_ignore_ascii_case(name)
                {
                    value = Some(rest.trim().to_owned());
                }
            }
        }
    }
    value
}

/// A `; name=value` parameter of a header value, quotes removed.
fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (key, v) = p.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The parts of a multipart body between `--boundary` lines (preamble and epilogue left out).
fn parts<'a>(body: &'a str, boundary: &str) -> Vec<&'a str> {
    let delimiter = format!("--{boundary}");
    body.split(delimiter.as_str())
        .skip(1) // the preamble
        .take_while(|piece| !piece.starts_with("--"))
        .map(|piece| piece.trim_start_matches("\r\n").trim_start_matches('\n'))
        .collect()
}

/// Quoted-printable: `=` at the end of a line joins it to the next, `=XX` is a byte.
fn decode_quoted_printable(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'=' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let rest = &bytes[i + 1..];
        if rest.starts_with(b"\r\n") {
            i += 3;
        } else if rest.starts_with(b"\n") {
            i += 2;
        } else if let Some(byte) = rest
            .get(..2)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(b'=');
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(data: &str) -> ReceivedMail {
        ReceivedMail {
            from: String::new(),
            to: Vec::new(),
            data: data.to_owned(),
            message_id: None,
            subject: None,
            encrypted: false,
            login: None,
        }
    }

    #[test]
    fn the_plain_part_of_an_alternative_is_decoded_from_quoted_printable() {
        let data = "Subject: x\r\nContent-Type: multipart/alternative;\r\n boundary=\"b1\"\r\n\r\n\
                    --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\
                    Content-Transfer-Encoding: quoted-printable\r\n\r\n\
                    Voici votre lien : https://p.example.ca/#/?token=3Dabc=\r\ndef\r\nCode =C3=A0 123456\r\n\
                    --b1\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--b1--\r\n";
        assert_eq!(
            plain_text(&mail(data)).as_deref(),
            Some("Voici votre lien : https://p.example.ca/#/?token=abcdef\r\nCode à 123456\r\n")
        );
    }

    #[test]
    fn a_base64_plain_part_inside_a_mixed_message_is_found() {
        let data = "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\n\
                    Content-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\n\
                    Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n\
                    Qm9uam91ciDDoA==\r\n--a--\r\n--m--\r\n";
        assert_eq!(plain_text(&mail(data)).as_deref(), Some("Bonjour à"));
    }

    #[test]
    fn a_message_without_a_plain_part_has_no_text() {
        let data = "Content-Type: text/html\r\n\r\n<p>x</p>";
        assert_eq!(plain_text(&mail(data)), None);
    }
}
