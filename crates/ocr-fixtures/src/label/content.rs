//! What a label carries, drawn from a seed: a device of a fictional catalogue of real-looking
//! brands, its serials and MACs, and the wording they are printed with.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{BarcodeTruth, CodeKind};

/// A device family: brand, models, serial pattern, GPON vendor id (ONTs only) and MAC prefix.
struct Device {
    brand: &'static str,
    models: &'static [&'static str],
    /// `a` a letter (never I or O), `9` a digit, `x` either, `h` an upper-case hex digit;
    /// anything else is copied.
    serial: &'static str,
    gpon_vendor: Option<&'static str>,
    oui: [u8; 3],
}

const DEVICES: [Device; 6] = [
    Device {
        brand: "HUAWEI",
        models: &["HG8245Q2", "EG8145V5"],
        serial: "2102351xxa10a9999999",
        gpon_vendor: Some("HWTC"),
        oui: [0x00, 0xE0, 0xFC],
    },
    Device {
        brand: "NOKIA",
        models: &["XS-010X-Q", "G-010G-Q"],
        serial: "FH9999a9999",
        gpon_vendor: Some("ALCL"),
        oui: [0xD0, 0x54, 0x2D],
    },
    Device {
        brand: "ZTE",
        models: &["F670L", "F601"],
        serial: "ZTEaax9999999",
        gpon_vendor: Some("ZTEG"),
        oui: [0x34, 0x4B, 0x50],
    },
    Device {
        brand: "ZYXEL",
        models: &["PMG5317-T20B"],
        serial: "S999a99999999",
        gpon_vendor: Some("ZYXE"),
        oui: [0x5C, 0x6A, 0x80],
    },
    Device {
        brand: "TP-LINK",
        models: &["Archer AX55", "Deco X20"],
        serial: "22a9999999999",
        gpon_vendor: None,
        oui: [0x1C, 0x61, 0xB4],
    },
    Device {
        brand: "CALIX",
        models: &["844G-1", "GS2026E"],
        serial: "CXNK00hhhhhh",
        gpon_vendor: Some("CXNK"),
        oui: [0x00, 0x02, 0x5D],
    },
];

/// Letters of serials: no I or O, so that they cannot be misread as 1 or 0.
const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const HEX: &[u8] = b"0123456789ABCDEF";

/// A label's values, before printing.
pub(crate) struct Content {
    pub brand: &'static str,
    pub model: &'static str,
    pub serial: String,
    /// 12 upper-case hex digits each.
    pub macs: Vec<String>,
    pub gpon_serial: Option<String>,
}

/// The label's wording: brand line and text lines.
pub(crate) struct PrintedLabel {
    pub brand: String,
    pub lines: Vec<String>,
}

impl Content {
    /// The values of `seed`.
    pub fn draw(seed: u64) -> Content {
        let mut rng = StdRng::seed_from_u64(seed);
        let device = &DEVICES[rng.random_range(0..DEVICES.len())];
        let model = device.models[rng.random_range(0..device.models.len())];
        let serial = fill(&mut rng, device.serial);
        let first = u64::from_be_bytes([
            0,
            0,
            device.oui[0],
            device.oui[1],
            device.oui[2],
            rng.random(),
            rng.random(),
            rng.random::<u8>() & 0xFE,
        ]);
        let count = rng.random_range(1..=2);
        let macs = (0..count)
            .map(|index| format!("{:012X}", first + index))
            .collect();
        let gpon_serial = device
            .gpon_vendor
            .map(|vendor| format!("{vendor}{}", fill(&mut rng, "hhhhhhhh")));
        Content {
            brand: device.brand,
            model,
            serial,
            macs,
            gpon_serial,
        }
    }

    /// The barcodes of `kinds` (each once), in the order Code 128 (serial, then MAC), DataMatrix,
    /// QR.
    pub fn barcodes(&self, kinds: &[CodeKind]) -> Vec<BarcodeTruth> {
        let mac = self.macs.first().cloned().unwrap_or_default();
        let mut out = Vec::new();
        for kind in CodeKind::ALL {
            if !kinds.contains(&kind) {
                continue;
            }
            let texts = match kind {
                CodeKind::Code128 => vec![self.serial.clone(), mac.clone()],
                CodeKind::DataMatrix => vec![format!("SN:{} MAC:{mac}", self.serial)],
                CodeKind::Qr => {
                    let gpon = self.gpon_serial.as_ref().map(|g| format!(";GPON:{g}"));
                    vec![format!(
                        "SN:{};MAC:{mac}{}",
                        self.serial,
                        gpon.unwrap_or_default()
                    )]
                }
            };
            out.extend(texts.into_iter().map(|text| BarcodeTruth { kind, text }));
        }
        out
    }

    /// The wording, its variants drawn from `seed` (apart from the values' own draw).
    pub fn printed(&self, seed: u64) -> PrintedLabel {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5EED_1ABE);
        let mut lines = vec![
            format!(
                "{} {}",
                pick(&mut rng, &["Model:", "Modèle :", "Model/Modèle:"]),
                self.model
            ),
            format!(
                "{} {}",
                pick(&mut rng, &["S/N:", "SN:", "N/S :", "Serial No.:"]),
                self.serial
            ),
        ];
        let mac_style = rng.random_range(0..5);
        let names: &[&str] = if self.macs.len() > 1 {
            &["MAC WAN:", "MAC LAN:"]
        } else {
            &["MAC:"]
        };
        for (name, mac) in names.iter().zip(&self.macs) {
            lines.push(format!("{name} {}", printed_mac(mac, mac_style)));
        }
        if let Some(gpon) = &self.gpon_serial {
            let label = pick(&mut rng, &["GPON SN:", "PON SN:", "SN GPON :"]);
            lines.push(format!("{label} {gpon}"));
        }
        lines.push(
            pick(
                &mut rng,
                &["12V DC 1.5A", "Input: 12V 1A", "Entrée : 12 V c.c. 2 A"],
            )
            .to_owned(),
        );
        PrintedLabel {
            brand: self.brand.to_owned(),
            lines,
        }
    }
}

fn pick<'a>(rng: &mut StdRng, choices: &[&'a str]) -> &'a str {
    choices[rng.random_range(0..choices.len())]
}

/// `pattern` with its placeholders drawn (see [`Device::serial`]).
fn fill(rng: &mut StdRng, pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| match c {
            'a' => char::from(LETTERS[rng.random_range(0..LETTERS.len())]),
            '9' => char::from(b'0' + rng.random_range(0..10u8)),
            'x' => {
                let pool = rng.random_range(0..LETTERS.len() + 10);
                match pool.checked_sub(10) {
                    Some(letter) => char::from(LETTERS[letter]),
                    None => char::from(b'0' + pool as u8),
                }
            }
            'h' => char::from(HEX[rng.random_range(0..16)]),
            other => other,
        })
        .collect()
}

/// 12 hex digits as `AA:BB:CC:DD:EE:FF`.
pub(crate) fn colon_mac(mac: &str) -> String {
    pairs(mac).join(":")
}

fn pairs(mac: &str) -> Vec<&str> {
    (0..mac.len() / 2)
        .filter_map(|i| mac.get(2 * i..2 * i + 2))
        .collect()
}

/// 12 hex digits printed in one of five styles: `00:1A:…`, `00-1A-…`, `001A2B3C4D5E`,
/// `001a.2b3c.4d5e`, `00:1a:…`.
fn printed_mac(mac: &str, style: u32) -> String {
    match style {
        0 => pairs(mac).join(":"),
        1 => pairs(mac).join("-"),
        2 => mac.to_owned(),
        3 => {
            let lower = mac.to_lowercase();
            let groups: Vec<&str> = (0..3).filter_map(|i| lower.get(4 * i..4 * i + 4)).collect();
            groups.join(".")
        }
        _ => pairs(mac).join(":").to_lowercase(),
    }
}
