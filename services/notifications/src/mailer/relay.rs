//! Where the relay is and how it is reached, from `SMTP_URL`: host, port, TLS mode and login.

use secrecy::{ExposeSecret, SecretString};

use super::MailerError;

/// How the relay is reached, from `SMTP_URL`.
#[derive(Clone)]
pub(super) struct Relay {
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) tls: Tls,
    /// SMTP user and password (with Mailjet, also the API key and secret of its message records).
    pub(super) login: Option<(String, SecretString)>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Tls {
    /// Plain SMTP (a local relay or a test sink).
    None,
    /// STARTTLS when offered.
    Opportunistic,
    /// STARTTLS or fail (Mailjet on 587).
    Required,
    /// TLS from the first byte (`smtps://`, port 465).
    Implicit,
}

pub(super) fn parse_relay(smtp_url: &SecretString) -> Result<Relay, MailerError> {
    // Never echo the URL: it may carry the password.
    let url = url::Url::parse(smtp_url.expose_secret())
        .map_err(|e| MailerError::Url(format!("not a URL ({e})")))?;
    let implicit = match url.scheme() {
        "smtp" => false,
        "smtps" => true,
        other => {
            return Err(MailerError::Url(format!(
                "scheme {other:?}: smtp or smtps expected"
            )));
        }
    };
    let host = url
        .host_str()
        .ok_or_else(|| MailerError::Url("no host".into()))?
        .to_owned();
    let tls = match (
        implicit,
        url.query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned())
            .as_deref(),
    ) {
        (true, _) => Tls::Implicit,
        (false, None | Some("none")) => Tls::None,
        (false, Some("opportunistic")) => Tls::Opportunistic,
        (false, Some("required")) => Tls::Required,
        (false, Some(other)) => {
            return Err(MailerError::Url(format!(
                "tls={other}: none, opportunistic or required expected"
            )));
        }
    };
    let port = url.port().unwrap_or(if implicit { 465 } else { 587 });
    // Ports whose TLS the standards fix (RFC 8314): the other way round, each side would wait for
    // the other's first bytes until the timeout.
    match (implicit, port) {
        (false, 465) => {
            return Err(MailerError::Url(
                "port 465 speaks TLS from the first byte: smtps://…:465".into(),
            ));
        }
        (true, 25 | 587) => {
            return Err(MailerError::Url(format!(
                "port {port} starts in clear: smtp://…:{port}?tls=required"
            )));
        }
        _ => {}
    }
    let login = if url.username().is_empty() {
        None
    } else {
        let user = percent_decode(url.username(), "user")?;
        let pass = percent_decode(url.password().unwrap_or(""), "password")?;
        Some((user, SecretString::from(pass)))
    };
    Ok(Relay {
        host,
        port,
        tls,
        login,
    })
}

/// A user name or password of the URL as it was meant: `%XX` decoded, everything else (`+`, `&`)
/// as written. Never a form value, where `+` would become a space and `&` end it.
fn percent_decode(part: &str, what: &str) -> Result<String, MailerError> {
    percent_encoding::percent_decode_str(part)
        .decode_utf8()
        .map(std::borrow::Cow::into_owned)
        .map_err(|_| MailerError::Url(format!("the {what} is not UTF-8 once percent-decoded")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn relay(url: &str) -> Relay {
        parse_relay(&SecretString::from(url.to_owned()))
            .ok()
            .unwrap()
    }

    #[test]
    fn smtp_urls_give_host_port_tls_and_credentials() {
        let r = relay("smtp://KEY:s%40cret@in-v3.mailjet.com:587?tls=required");
        assert_eq!(
            (r.host.as_str(), r.port, r.tls),
            ("in-v3.mailjet.com", 587, Tls::Required)
        );
        assert!(r.login.is_some());
        let r = relay("smtps://relay.example.ca");
        assert_eq!((r.port, r.tls), (465, Tls::Implicit));
        let r = relay("smtp://127.0.0.1:2525");
        assert_eq!((r.port, r.tls), (2525, Tls::None));
        assert!(r.login.is_none());
    }

    /// Issue 16, finding 12: the password is a URL component, not a form value.
    #[test]
    fn the_password_is_percent_decoded_and_keeps_plus_and_ampersand() {
        let r = relay("smtp://mj%2Bkey:p+ss&w%25rd%40x%3Ay%2B%26@in-v3.mailjet.com:587");
        let (user, pass) = r.login.unwrap();
        assert_eq!(user, "mj+key");
        assert_eq!(pass.expose_secret(), "p+ss&w%rd@x:y+&");
        assert!(parse_relay(&SecretString::from("smtp://k:%FF@h".to_owned())).is_err());
    }

    #[test]
    fn bad_smtp_urls_are_refused_without_echoing_the_password() {
        for (bad, expected) in [
            ("http://x", "scheme"),
            ("smtp://host?tls=maybe", "tls=maybe"),
            ("not a url with password hunter2", "not a URL"),
            ("smtp://key:hunter2@in-v3.mailjet.com:465", "smtps://"),
            ("smtps://key:hunter2@in-v3.mailjet.com:587", "tls=required"),
        ] {
            let err = parse_relay(&SecretString::from(bad.to_owned()))
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains(expected), "{bad}: {err}");
            assert!(!err.contains("hunter2"), "{err}");
        }
    }
}
