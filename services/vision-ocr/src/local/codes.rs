//! Barcodes and 2-D codes read by rxing, and a label's OCR'd text corrected by them: a code is
//! exact where OCR is fuzzy.

use image::imageops::{self, FilterType};
use image::{GrayImage, Luma};
use rxing::{BarcodeFormat, DecodeHints, RXingResult, helpers};

use crate::equipment::{Barcode, Label, normalise_gpon_serial, normalise_mac};

/// The symbologies looked for; EAN-8, ITF and Codabar, whose checks are weak, are left out (noise
/// in a photo once decoded as an EAN-8).
const FORMATS: [BarcodeFormat; 7] = [
    BarcodeFormat::CODE_128,
    BarcodeFormat::DATA_MATRIX,
    BarcodeFormat::QR_CODE,
    BarcodeFormat::CODE_39,
    BarcodeFormat::CODE_93,
    BarcodeFormat::EAN_13,
    BarcodeFormat::UPC_A,
];

/// Every code rxing finds on `img`, each once, sorted by format then text; format names in
/// lower case (`code128`, `datamatrix`, `qr`, `ean13`…).
///
/// It takes a few hundred milliseconds of CPU on a photo: async callers run it under
/// `tokio::task::spawn_blocking`. The image is tried as it is, then, when nothing is found,
/// halved (a large photo) or doubled (a small one), then binarised.
pub fn barcodes(img: &GrayImage) -> Vec<Barcode> {
    let mut found = decode(img);
    if found.is_empty() {
        found = decode(&rescaled(img));
    }
    if found.is_empty() {
        found = decode(&binarised(img));
    }
    found
}

fn decode(img: &GrayImage) -> Vec<Barcode> {
    let (width, height) = img.dimensions();
    if width == 0 || height == 0 {
        return Vec::new();
    }
    let hints = DecodeHints {
        PossibleFormats: Some(FORMATS.into_iter().collect()),
        TryHarder: Some(true),
        ..DecodeHints::default()
    };
    let luma = img.as_raw();
    let mut results: Vec<RXingResult> = helpers::detect_multiple_in_luma_with_hints(
        luma.clone(),
        width,
        height,
        &mut hints.clone(),
    )
    .unwrap_or_default();
    // The multiple reader misses a QR code beside a DataMatrix on a degraded photo; one pass per
    // 2-D symbology finds it.
    for format in [BarcodeFormat::DATA_MATRIX, BarcodeFormat::QR_CODE] {
        results.extend(helpers::detect_in_luma_with_hints(
            luma.clone(),
            width,
            height,
            Some(format),
            &mut hints.clone(),
        ));
    }
    let mut out: Vec<Barcode> = results
        .iter()
        .map(|r| Barcode {
            format: format_name(r.getBarcodeFormat()),
            text: r.getText().to_owned(),
        })
        .collect();
    out.sort_by(|a, b| (&a.format, &a.text).cmp(&(&b.format, &b.text)));
    out.dedup();
    out
}

fn format_name(format: &BarcodeFormat) -> String {
    match format {
        BarcodeFormat::CODE_128 => "code128",
        BarcodeFormat::DATA_MATRIX => "datamatrix",
        BarcodeFormat::QR_CODE => "qr",
        BarcodeFormat::CODE_39 => "code39",
        BarcodeFormat::CODE_93 => "code93",
        BarcodeFormat::EAN_13 => "ean13",
        BarcodeFormat::EAN_8 => "ean8",
        BarcodeFormat::UPC_A => "upca",
        BarcodeFormat::UPC_E => "upce",
        other => {
            return other
                .to_string()
                .replace([' ', '_', '-'], "")
                .to_lowercase();
        }
    }
    .to_owned()
}

/// A large photo halved, a small one doubled.
fn rescaled(img: &GrayImage) -> GrayImage {
    let (w, h) = img.dimensions();
    let (w, h) = if w.max(h) > 2000 {
        (w / 2, h / 2)
    } else {
        (w * 2, h * 2)
    };
    imageops::resize(img, w.max(1), h.max(1), FilterType::Triangle)
}

/// Black and white at the mean grey level.
fn binarised(img: &GrayImage) -> GrayImage {
    let pixels = img.as_raw();
    let sum: u64 = pixels.iter().map(|&p| u64::from(p)).sum();
    let mean = sum / (pixels.len() as u64).max(1);
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let Luma([p]) = *img.get_pixel(x, y);
        Luma([if u64::from(p) < mean { 0 } else { 255 }])
    })
}

/// `label` corrected by `codes`, which it keeps as its `barcodes`: a payload `SN:…;MAC:…;GPON:…`
/// fills its fields; a code whose text is the OCR'd serial up to look-alike characters (0/O,
/// 1/I/l, 5/S, 8/B, 2/Z) or a character in four replaces it; a 12-hex-digit code is a MAC.
pub fn with_codes(label: Label, codes: Vec<Barcode>) -> Label {
    let mut label = label;
    for code in &codes {
        let fields = payload(&code.text);
        if fields.is_empty() {
            plain(&mut label, &code.text);
        } else {
            structured(&mut label, &fields);
        }
    }
    label.barcodes = codes;
    label
}

/// `SN:x;MAC:y` or `SN:x MAC:y` as (key upper case, value) pairs; empty when the text is not
/// such a payload.
fn payload(text: &str) -> Vec<(String, String)> {
    text.split([';', ',', '|', '\n', ' ', '\t'])
        .filter_map(|part| {
            let (key, value) = part.split_once([':', '='])?;
            let key = key
                .trim()
                .to_ascii_uppercase()
                .replace(['/', '_', '-', ' '], "");
            let value = value.trim();
            (!value.is_empty()).then(|| (key, value.to_owned()))
        })
        .collect()
}

fn structured(label: &mut Label, fields: &[(String, String)]) {
    for (key, value) in fields {
        match key.as_str() {
            "SN" | "SERIAL" | "SERIALNO" | "NS" => label.serial = Some(value.clone()),
            "MAC" | "MACADDRESS" | "WANMAC" | "MACWAN" | "LANMAC" | "MACLAN" => {
                if let Some(mac) = normalise_mac(value) {
                    put_mac(label, mac);
                }
            }
            "GPON" | "GPONSN" | "PONSN" => {
                if let Some(gpon) = normalise_gpon_serial(value) {
                    label.gpon_serial = Some(gpon);
                }
            }
            "MODEL" | "MODELNO" | "PN" if label.model.is_none() => {
                label.model = Some(value.clone());
            }
            _ => {}
        }
    }
}

fn plain(label: &mut Label, text: &str) {
    let text = text.trim();
    if let Some(serial) = &label.serial
        && same_up_to_lookalikes(serial, text)
    {
        label.serial = Some(text.to_owned());
        return;
    }
    let is_mac = text.len() == 12 && text.chars().all(|c| c.is_ascii_hexdigit());
    match normalise_mac(text) {
        Some(mac) if is_mac || text.contains([':', '-', '.']) => put_mac(label, mac),
        _ if label.serial.is_none() && text.len() >= 6 => label.serial = Some(text.to_owned()),
        _ => {}
    }
}

/// `mac` in place of the OCR'd MAC it is a corrected copy of, else first.
fn put_mac(label: &mut Label, mac: String) {
    if label.macs.contains(&mac) {
        return;
    }
    // WAN and LAN MACs often differ by one digit: only look-alikes make a MAC a misreading.
    match label.macs.iter().position(|m| folded(m) == folded(&mac)) {
        Some(i) => label.macs[i] = mac,
        None => label.macs.insert(0, mac),
    }
}

/// Whether two readings differ only by characters OCR confuses, or by one character in four
/// (a character dropped or added by OCR).
fn same_up_to_lookalikes(ocr: &str, exact: &str) -> bool {
    let (a, b) = (folded(ocr), folded(exact));
    a == b || (b.len() >= 6 && distance(&a, &b) <= (b.len() / 4).max(1))
}

fn folded(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' | 'Q' | 'D' => '0',
            'I' | 'L' => '1',
            'S' => '5',
            'B' => '8',
            'Z' => '2',
            other => other,
        })
        .collect()
}

/// Levenshtein distance.
fn distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn code(format: &str, text: &str) -> Barcode {
        Barcode {
            format: format.into(),
            text: text.into(),
        }
    }

    #[test]
    fn a_code_128_corrects_the_serial_ocr_misread() {
        let ocr = Label {
            serial: Some("2102351K8B10M80O0123".into()),
            ..Label::default()
        };
        let codes = vec![code("code128", "2102351KXB10M8000123")];
        let label = with_codes(ocr, codes.clone());
        assert_eq!(label.serial.as_deref(), Some("2102351KXB10M8000123"));
        assert_eq!(label.barcodes, codes);
    }

    #[test]
    fn lookalikes_alone_are_enough_for_a_short_serial() {
        let ocr = Label {
            serial: Some("FH1Z3S".into()),
            ..Label::default()
        };
        let label = with_codes(ocr, vec![code("code128", "FHI235")]);
        assert_eq!(label.serial.as_deref(), Some("FHI235"));
    }

    #[test]
    fn a_twelve_hex_code_is_a_mac_and_corrects_its_misreading() {
        let ocr = Label {
            serial: Some("S123A45678901".into()),
            macs: vec!["00:E0:FC:12:34:B6".into(), "00:E0:FC:12:34:B7".into()],
            ..Label::default()
        };
        let label = with_codes(ocr, vec![code("code128", "00E0FC123486")]);
        assert_eq!(label.macs, ["00:E0:FC:12:34:86", "00:E0:FC:12:34:B7"]);
        assert_eq!(label.serial.as_deref(), Some("S123A45678901"));
        let empty = with_codes(Label::default(), vec![code("code128", "d0542d0a0b0c")]);
        assert_eq!(empty.macs, ["D0:54:2D:0A:0B:0C"]);
    }

    #[test]
    fn a_qr_payload_fills_every_field() {
        let ocr = Label {
            serial: Some("ZTEXX1234567".into()),
            model: Some("F670L".into()),
            ..Label::default()
        };
        let qr = code("qr", "SN:ZTEAB1234567;MAC:344B50123456;GPON:ZTEG1A2B3C4D");
        let label = with_codes(ocr, vec![qr]);
        assert_eq!(label.serial.as_deref(), Some("ZTEAB1234567"));
        assert_eq!(label.macs, ["34:4B:50:12:34:56"]);
        assert_eq!(label.gpon_serial.as_deref(), Some("ZTEG1A2B3C4D"));
        assert_eq!(label.model.as_deref(), Some("F670L"));
    }

    #[test]
    fn a_datamatrix_payload_with_spaces_is_read_too() {
        let label = with_codes(
            Label::default(),
            vec![code("datamatrix", "SN:CXNK00ABCDEF MAC:00025D010203")],
        );
        assert_eq!(label.serial.as_deref(), Some("CXNK00ABCDEF"));
        assert_eq!(label.macs, ["00:02:5D:01:02:03"]);
    }

    #[test]
    fn an_unrelated_code_leaves_a_read_serial_alone() {
        let ocr = Label {
            serial: Some("FH1234A5678".into()),
            ..Label::default()
        };
        let label = with_codes(ocr, vec![code("ean13", "4006381333931")]);
        assert_eq!(label.serial.as_deref(), Some("FH1234A5678"));
        assert!(label.macs.is_empty());
    }

    #[test]
    fn format_names_are_plain() {
        assert_eq!(format_name(&BarcodeFormat::CODE_128), "code128");
        assert_eq!(format_name(&BarcodeFormat::QR_CODE), "qr");
        assert_eq!(format_name(&BarcodeFormat::DATA_MATRIX), "datamatrix");
    }
}
