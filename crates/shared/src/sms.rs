//! SMS segment counting per GSM 03.38 / 3GPP TS 23.040.
//!
//! A message whose every character is in the GSM 7-bit default alphabet (basic table, or
//! extension table at two septets each) is sent as GSM-7: 160 septets fit one segment,
//! 153 per segment once concatenated (the user-data header takes the rest). A single
//! character outside it switches the whole message to UCS-2: 70 UTF-16 code units in one
//! segment, 67 per segment concatenated. Carriers bill per segment, so templates are tested
//! against this counter (French `ê`, `ç`, `î`, `ô`, `û` are the usual culprits).

/// How a message body would be encoded on the air interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsEncoding {
    /// GSM 03.38 7-bit default alphabet (with its extension table).
    Gsm7,
    /// UCS-2 (UTF-16 in practice): used as soon as one character is outside GSM-7.
    Ucs2,
}

/// The cost of one SMS body: its encoding, its length in encoding units and its segment count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsSegments {
    /// Encoding the body needs.
    pub encoding: SmsEncoding,
    /// Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2.
    pub units: usize,
    /// Number of segments (billed messages). An empty body counts as one segment.
    pub segments: usize,
}

impl SmsSegments {
    /// True when the body goes out as a single, unconcatenated message.
    pub fn is_single(&self) -> bool {
        self.segments == 1
    }
}

/// Septets in one unconcatenated GSM-7 segment.
pub const GSM7_SINGLE: usize = 160;
/// Septets per segment of a concatenated GSM-7 message.
pub const GSM7_CONCAT: usize = 153;
/// UTF-16 code units in one unconcatenated UCS-2 segment.
pub const UCS2_SINGLE: usize = 70;
/// UTF-16 code units per segment of a concatenated UCS-2 message.
pub const UCS2_CONCAT: usize = 67;

/// The GSM 03.38 basic table, in table order (0x1B, the escape to the extension table, omitted).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                          ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The GSM 03.38 extension table: each costs an escape septet plus itself.
const GSM7_EXTENSION: &str = "\u{000C}^{}\\[~]|€";

/// Septets `c` costs in GSM-7, or `None` when it is not representable.
pub fn gsm7_septets(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// True when the whole body can be sent as GSM-7.
pub fn is_gsm7(body: &str) -> bool {
    body.chars().all(|c| gsm7_septets(c).is_some())
}

/// Counts encoding units and segments of an SMS body.
///
/// Concatenated segments are packed the way handsets and Twilio do it: an escape pair
/// (GSM-7) or a surrogate pair (UCS-2) is never split across two segments, so a segment may
/// carry one unit less than the maximum. An empty body is 0 units and 1 segment: a message
/// sent is always billed at least once (Twilio refuses empty bodies anyway).
pub fn count_segments(body: &str) -> SmsSegments {
    let gsm7: Option<Vec<usize>> = body.chars().map(gsm7_septets).collect();
    match gsm7 {
        Some(widths) => pack(SmsEncoding::Gsm7, &widths, GSM7_SINGLE, GSM7_CONCAT),
        None => {
            let widths: Vec<usize> = body.chars().map(char::len_utf16).collect();
            pack(SmsEncoding::Ucs2, &widths, UCS2_SINGLE, UCS2_CONCAT)
        }
    }
}

/// Packs characters of the given unit widths into segments without splitting one.
fn pack(encoding: SmsEncoding, widths: &[usize], single: usize, per_segment: usize) -> SmsSegments {
    let units: usize = widths.iter().sum();
    if units <= single {
        return SmsSegments {
            encoding,
            units,
            segments: 1,
        };
    }
    let mut segments = 1;
    let mut fill = 0;
    for &width in widths {
        if fill + width > per_segment {
            segments += 1;
            fill = 0;
        }
        fill += width;
    }
    SmsSegments {
        encoding,
        units,
        segments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gsm(n: usize) -> String {
        "a".repeat(n)
    }

    #[test]
    fn an_empty_body_is_zero_units_and_one_segment() {
        let s = count_segments("");
        assert_eq!((s.encoding, s.units, s.segments), (SmsEncoding::Gsm7, 0, 1));
    }

    #[test]
    fn gsm7_boundaries_are_160_then_153_per_segment() {
        assert_eq!(count_segments(&gsm(160)).segments, 1);
        assert_eq!(count_segments(&gsm(161)).segments, 2);
        assert_eq!(count_segments(&gsm(306)).segments, 2);
        assert_eq!(count_segments(&gsm(307)).segments, 3);
        assert_eq!(count_segments(&gsm(161)).units, 161);
    }

    #[test]
    fn one_circumflex_switches_the_whole_message_to_ucs2() {
        let seventy = format!("ê{}", gsm(69));
        let s = count_segments(&seventy);
        assert_eq!(
            (s.encoding, s.units, s.segments),
            (SmsEncoding::Ucs2, 70, 1)
        );
        assert_eq!(count_segments(&format!("ê{}", gsm(70))).segments, 2);
        assert_eq!(count_segments(&format!("ê{}", gsm(133))).segments, 2);
        assert_eq!(count_segments(&format!("ê{}", gsm(134))).segments, 3);
    }

    #[test]
    fn the_euro_sign_costs_two_septets() {
        let s = count_segments("€");
        assert_eq!((s.encoding, s.units), (SmsEncoding::Gsm7, 2));
        assert_eq!(count_segments(&format!("€{}", gsm(158))).segments, 1);
        assert_eq!(count_segments(&format!("€{}", gsm(159))).segments, 2);
    }

    #[test]
    fn every_extension_character_costs_two_septets() {
        for c in "^{}\\[~]|€\u{000C}".chars() {
            assert_eq!(gsm7_septets(c), Some(2), "{c:?}");
        }
    }

    #[test]
    fn an_emoji_counts_two_utf16_units() {
        let s = count_segments("🙂");
        assert_eq!((s.encoding, s.units, s.segments), (SmsEncoding::Ucs2, 2, 1));
    }

    #[test]
    fn capital_c_cedilla_is_gsm7_but_small_c_cedilla_is_not() {
        assert_eq!(count_segments("Ç").encoding, SmsEncoding::Gsm7);
        assert_eq!(count_segments("ç").encoding, SmsEncoding::Ucs2);
    }

    #[test]
    fn french_accents_in_gsm7_stay_gsm7_and_the_others_do_not() {
        assert!(is_gsm7("é è à ù É"));
        for c in ["ê", "ç", "î", "ô", "û", "â", "ë", "ï", "È", "À", "«", "’"] {
            assert!(!is_gsm7(c), "{c} should need UCS-2");
        }
    }

    #[test]
    fn the_basic_table_has_its_127_printable_entries() {
        // 128 positions minus the escape code.
        assert_eq!(GSM7_BASIC.chars().count(), 127);
    }

    #[test]
    fn an_escape_pair_is_not_split_across_segments() {
        // 306 septets would be two full segments, but the pair cannot straddle the boundary.
        let body = format!("{}€{}", gsm(152), gsm(152));
        let s = count_segments(&body);
        assert_eq!((s.units, s.segments), (306, 3));
    }

    #[test]
    fn a_surrogate_pair_is_not_split_across_segments() {
        // 134 units would be two full segments, but the emoji cannot straddle the boundary.
        let body = format!("ê{}🙂{}", gsm(65), gsm(66));
        let s = count_segments(&body);
        assert_eq!((s.units, s.segments), (134, 3));
    }
}
