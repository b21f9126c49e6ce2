//! An equipment label's text: model, serial number, MAC addresses, GPON serial.

use std::sync::LazyLock;

use regex::Regex;

use crate::equipment::{Label, normalise_gpon_serial, normalise_mac};

use super::text::fold;

/// `MAC`, `MAC WAN`, `MAC Address`, `Adresse MAC`, `MAC ID`, then the address.
static MAC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bmac\b(?:\s*(?:address|adresse|addr\.?|id|wan|lan|wi-?fi|\d\b))*\s*[:.]?\s*(.+)",
    )
    .unwrap_or_else(|_| unreachable!())
});
/// `Adresse MAC : …`.
static MAC_FRENCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)adresse\s+mac\s*[:.]?\s*(.+)").unwrap_or_else(|_| unreachable!())
});
/// `GPON SN`, `GPON S/N`, `PON SN`, `SN GPON`.
static GPON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:g?pon\s*(?:s\s*/\s*n|sn|serial(?:\s*no\.?)?)|s\s*/?\s*n\s*g?pon)\s*[:.]?\s*([A-Za-z0-9][A-Za-z0-9 -]{7,20})").unwrap_or_else(|_| unreachable!())
});
/// `S/N`, `SN`, `N/S`, `Serial No.`, `Serial Number`, `N° de série`.
static SERIAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:\bs\s*/\s*n\b|\bsn\b|\bn\s*/\s*s\b|serial\s*(?:no\.?|number|#)?|n[°o]\s*de\s*s[ée]rie|num[ée]ro\s+de\s+s[ée]rie)\s*[:.#]?\s*([A-Za-z0-9][A-Za-z0-9-]{3,})").unwrap_or_else(|_| unreachable!())
});
/// `Model`, `Modèle`, `Model No.`, `Model/Modèle`.
static MODEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bmod(?:el|[eèé]le)(?:\s*/\s*mod[eèé]le)?(?:\s*(?:no\.?|number|#))?\s*[:.]?\s*(\S.*)",
    )
    .unwrap_or_else(|_| unreachable!())
});
/// A MAC in any usual spelling.
static MAC_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[0-9a-f]{2}(?:[:\- ][0-9a-f]{2}){5}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}|[0-9a-f]{12}").unwrap_or_else(|_| unreachable!())
});

/// What the text of a label says.
pub fn label(text: &str) -> Label {
    let mut out = Label::default();
    for line in text.lines().map(|l| l.replace(['|', '\u{00A0}'], " ")) {
        let line = line.trim();
        let folded = fold(line);
        if folded.contains("pon") {
            if let Some(c) = GPON.captures(line) {
                out.gpon_serial = out.gpon_serial.or_else(|| gpon(&c[1]));
            }
            continue;
        }
        if let Some(c) = MAC_FRENCH.captures(line).or_else(|| MAC.captures(line)) {
            if let Some(mac) = mac(&c[1])
                && !out.macs.contains(&mac)
            {
                out.macs.push(mac);
            }
            continue;
        }
        if out.model.is_none()
            && let Some(c) = MODEL.captures(line)
        {
            out.model = model(&c[1]);
            continue;
        }
        if out.serial.is_none() {
            out.serial = SERIAL.captures(line).map(|c| c[1].to_uppercase());
        }
    }
    out
}

/// The first MAC in `value`, letters OCR gives for hex digits put back.
fn mac(value: &str) -> Option<String> {
    let fixed: String = value
        .chars()
        .map(|c| match c {
            'O' | 'o' | 'Q' => '0',
            'I' | 'l' | 'i' | '|' => '1',
            'S' | 's' => '5',
            'Z' | 'z' => '2',
            'G' | 'g' => '6',
            other => other,
        })
        .collect();
    MAC_VALUE
        .find_iter(&fixed)
        .find_map(|m| normalise_mac(m.as_str()))
}

/// A GPON serial: four letters then eight hex digits, each half with its own look-alikes.
fn gpon(value: &str) -> Option<String> {
    let compact: String = value
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let compact = compact.get(..12).unwrap_or(&compact).to_ascii_uppercase();
    let fixed: String = compact
        .chars()
        .enumerate()
        .map(|(i, c)| match (i < 4, c) {
            (true, '0') => 'O',
            (true, '1') => 'I',
            (true, '5') => 'S',
            (true, '8') => 'B',
            (true, '2') => 'Z',
            (false, 'O') | (false, 'Q') => '0',
            (false, 'I') | (false, 'L') => '1',
            (false, 'S') => '5',
            (false, 'Z') => '2',
            (false, 'G') => '6',
            (_, other) => other,
        })
        .collect();
    normalise_gpon_serial(&fixed)
}

/// The model: the rest of the line up to a column gap.
fn model(value: &str) -> Option<String> {
    let value = value.split("  ").next().unwrap_or_default().trim();
    (!value.is_empty()).then(|| value.to_owned())
}
