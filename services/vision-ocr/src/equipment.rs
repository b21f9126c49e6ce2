//! An equipment label as read from a photo, and the normal forms its identifiers are compared in.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A barcode or 2-D code decoded from the label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = VisionBarcode)]
pub struct Barcode {
    /// `code128`, `datamatrix`, `qr`, `ean13`…
    pub format: String,
    /// What it encodes.
    pub text: String,
}

/// What was read from an equipment label; anything not found is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = VisionLabel)]
pub struct Label {
    /// The manufacturer's serial number.
    pub serial: Option<String>,
    /// MAC addresses, `AA:BB:CC:DD:EE:FF`.
    #[serde(default)]
    pub macs: Vec<String>,
    /// The GPON serial of an ONT: four letters of the vendor and eight hex digits,
    /// `HWTC1A2B3C4D`.
    pub gpon_serial: Option<String>,
    /// The model.
    pub model: Option<String>,
    /// Every code decoded on the label.
    #[serde(default)]
    pub barcodes: Vec<Barcode>,
}

/// `00-1a-2b-3c-4d-5e`, `001A.2B3C.4D5E`, `001a2b3c4d5e` → `00:1A:2B:3C:4D:5E`; none when it is
/// not 12 hexadecimal digits with one kind of separator in the usual places.
pub fn normalise_mac(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let digits: String = raw.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    let separators: Vec<char> = raw.chars().filter(|c| !c.is_ascii_hexdigit()).collect();
    let spaced = |sep: char, every: usize, count: usize| {
        separators.len() == count
            && separators.iter().all(|c| *c == sep)
            && raw
                .split(sep)
                .all(|g| g.len() == every && g.chars().all(|c| c.is_ascii_hexdigit()))
    };
    let well_formed = separators.is_empty()
        || spaced(':', 2, 5)
        || spaced('-', 2, 5)
        || spaced('.', 4, 2)
        || spaced(' ', 2, 5);
    (digits.len() == 12 && well_formed).then(|| {
        digits
            .to_ascii_uppercase()
            .as_bytes()
            .chunks(2)
            .map(|pair| String::from_utf8_lossy(pair).into_owned())
            .collect::<Vec<_>>()
            .join(":")
    })
}

/// The spellings a person may have typed a MAC in ERPNext, for an exact-match lookup.
pub fn mac_spellings(mac: &str) -> Vec<String> {
    let upper = mac.to_ascii_uppercase();
    let bare = upper.replace(':', "");
    let dotted = format!("{}.{}.{}", &bare[0..4], &bare[4..8], &bare[8..12]);
    let mut out = Vec::new();
    for s in [upper.clone(), upper.replace(':', "-"), bare, dotted] {
        out.push(s.to_ascii_lowercase());
        out.push(s);
    }
    out
}

/// `hwtc 1a2b3c4d` → `HWTC1A2B3C4D`; also accepts the 16-hex-digit form (`48575443` + 8) the
/// OLT shows. None when it is neither.
pub fn normalise_gpon_serial(raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    let vendor_form = compact.len() == 12
        && compact[..4].chars().all(|c| c.is_ascii_uppercase())
        && compact[4..].chars().all(|c| c.is_ascii_hexdigit());
    if vendor_form {
        return Some(compact);
    }
    let hex_form = compact.len() == 16 && compact.chars().all(|c| c.is_ascii_hexdigit());
    if !hex_form {
        return None;
    }
    let vendor = (0..4)
        .map(|i| u8::from_str_radix(&compact[2 * i..2 * i + 2], 16).ok())
        .collect::<Option<Vec<u8>>>()
        .filter(|b| b.iter().all(u8::is_ascii_uppercase))?;
    Some(format!(
        "{}{}",
        String::from_utf8_lossy(&vendor),
        &compact[8..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_in_every_usual_spelling_become_one() {
        for raw in [
            "00:1A:2B:3C:4D:5E",
            "00-1a-2b-3c-4d-5e",
            "001a.2b3c.4d5e",
            "001A2B3C4D5E",
            " 00 1A 2B 3C 4D 5E ",
        ] {
            assert_eq!(
                normalise_mac(raw).as_deref(),
                Some("00:1A:2B:3C:4D:5E"),
                "{raw}"
            );
        }
    }

    #[test]
    fn what_is_not_a_mac_is_refused() {
        for raw in [
            "",
            "00:1A:2B:3C:4D",
            "00:1A:2B:3C:4D:5E:6F",
            "00:1A-2B:3C:4D:5E",
            "0:01A:2B:3C:4D:5E",
            "00:1G:2B:3C:4D:5E",
        ] {
            assert_eq!(normalise_mac(raw), None, "{raw}");
        }
    }

    #[test]
    fn spellings_cover_what_people_type() {
        let s = mac_spellings("00:1A:2B:3C:4D:5E");
        for typed in ["00-1a-2b-3c-4d-5e", "001A2B3C4D5E", "001a.2b3c.4d5e"] {
            assert!(s.iter().any(|x| x == typed), "{typed}");
        }
    }

    #[test]
    fn gpon_serials_in_both_forms() {
        assert_eq!(
            normalise_gpon_serial("hwtc 1a2b3c4d").as_deref(),
            Some("HWTC1A2B3C4D")
        );
        assert_eq!(
            normalise_gpon_serial("485754431A2B3C4D").as_deref(),
            Some("HWTC1A2B3C4D")
        );
        assert_eq!(normalise_gpon_serial("HWTC1A2B3C4"), None);
        assert_eq!(normalise_gpon_serial("0000000000000000"), None);
    }
}
