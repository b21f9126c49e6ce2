//! Reading what a customer reads in a received email: the `text/plain` part, with its transfer
//! encoding (quoted-printable or base64, which lettre picks for accented text) undone, so a test
//! can find the link or code in it. The MIME parsing is mail-parser's.

use mail_parser::{MessageParser, PartType};

use crate::ReceivedMail;

/// The decoded `text/plain` part of `mail` (searched through nested multiparts), or `None` when
/// the message has none (an HTML-only message has no text, even though mail-parser could make one).
pub fn plain_text(mail: &ReceivedMail) -> Option<String> {
    let message = MessageParser::default().parse(mail.data.as_bytes())?;
    message.parts.iter().find_map(|part| match &part.body {
        PartType::Text(text) => Some(text.to_string()),
        _ => None,
    })
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
        // The CRLF before `--b1` belongs to the boundary (RFC 2046, 5.1.1), not to the text.
        assert_eq!(
            plain_text(&mail(data)).as_deref(),
            Some("Voici votre lien : https://p.example.ca/#/?token=abcdef\r\nCode à 123456")
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
