//! The customer's language: French first (Quebec), English on request. Every service that writes
//! to customers reads it the same way.

use serde::{Deserialize, Serialize};

/// A language the portal writes messages in.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase", from = "String")]
pub enum Lang {
    /// French, the default.
    #[default]
    Fr,
    /// English.
    En,
}

impl Lang {
    /// Reads a language code leniently: `en`, `en-US`, `EN_ca` → English; `fr`, `fr-CA`,
    /// anything else or nothing → French (Quebec's default; never an error).
    pub fn from_code(code: Option<&str>) -> Lang {
        let primary = code
            .unwrap_or_default()
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default();
        match primary.eq_ignore_ascii_case("en") {
            true => Lang::En,
            false => Lang::Fr,
        }
    }

    /// Picks from an `Accept-Language` header: the first French or English range with the
    /// highest quality wins; French when neither appears.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for range in header.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let Some(lang) = Self::known(tag) else {
                continue;
            };
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map_or(Lang::Fr, |(_, lang)| lang)
    }

    /// Only an explicit French or English tag, for negotiation.
    fn known(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("fr") {
            Some(Lang::Fr)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The code: `fr` or `en`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

impl From<String> for Lang {
    fn from(code: String) -> Self {
        Lang::from_code(Some(&code))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn french_and_english_codes_are_read_leniently() {
        for code in ["fr", "fr-CA", "FR", "fr_ca"] {
            assert_eq!(Lang::from_code(Some(code)), Lang::Fr, "{code}");
        }
        for code in ["en", "en-US", "EN", "en_CA", " en "] {
            assert_eq!(Lang::from_code(Some(code)), Lang::En, "{code}");
        }
    }

    #[test]
    fn anything_else_or_nothing_is_french() {
        for code in [None, Some(""), Some("es"), Some("english"), Some("-")] {
            assert_eq!(Lang::from_code(code), Lang::Fr, "{code:?}");
        }
        assert_eq!(Lang::default(), Lang::Fr);
    }

    #[test]
    fn accept_language_prefers_the_highest_quality_known_language() {
        assert_eq!(
            Lang::from_accept_language("en-CA,en;q=0.9,fr;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("es,en;q=0.5,fr-CA;q=0.7"),
            Lang::Fr
        );
        assert_eq!(Lang::from_accept_language("de-DE"), Lang::Fr);
        assert_eq!(Lang::from_accept_language("en;q=0"), Lang::Fr);
        assert_eq!(Lang::from_accept_language(""), Lang::Fr);
    }

    #[test]
    fn lang_serialises_as_its_code_and_deserialises_leniently() {
        assert_eq!(serde_json::to_string(&Lang::En).unwrap(), r#""en""#);
        let lang: Lang = serde_json::from_str(r#""en-US""#).unwrap();
        assert_eq!(lang, Lang::En);
        assert_eq!(Lang::Fr.as_str(), "fr");
    }
}
