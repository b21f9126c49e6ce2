//! Tesseract's text made regular before it is read: spaces, column gaps, digits misread as
//! letters, accents folded for matching labels.

/// A line of the page cut into cells at its column gaps (two spaces or more, or a rule `|`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Row {
    /// The cells, left to right, each trimmed and not empty.
    pub cells: Vec<String>,
}

impl Row {
    /// The whole line, cells joined by one space.
    pub fn joined(&self) -> String {
        self.cells.join(" ")
    }
}

/// The rows of `text`, empty lines dropped.
pub(crate) fn rows(text: &str) -> Vec<Row> {
    text.lines()
        .map(|line| Row {
            cells: cells(&clean_line(line)),
        })
        .filter(|row| !row.cells.is_empty())
        .collect()
}

/// No-break and narrow no-break spaces become spaces, rules and stray marks go, digits misread
/// as letters inside numbers are put back.
fn clean_line(line: &str) -> String {
    let spaced: String = line
        .chars()
        .map(|c| match c {
            '\u{00A0}' | '\u{202F}' | '\u{2009}' | '\t' => ' ',
            '|' | '[' | ']' | '{' | '}' | '¦' => ' ',
            '‘' | '’' | '`' | '´' => '\'',
            '—' | '–' => '-',
            other => other,
        })
        .collect();
    let mut out = String::with_capacity(spaced.len());
    for (index, token) in spaced.split(' ').enumerate() {
        if index > 0 {
            out.push(' ');
        }
        out.push_str(&numeric_token(token));
    }
    out
}

/// Cells at gaps of two spaces or more.
fn cells(line: &str) -> Vec<String> {
    line.split("  ")
        .map(|c| c.trim().trim_matches(|c: char| c == '_' || c == '~'))
        .map(str::trim)
        .filter(|c| c.chars().any(|ch| ch.is_alphanumeric()))
        .map(str::to_owned)
        .collect()
}

/// A token made of digits and the letters OCR takes them for (`1O,5O`, `l2.00`) with its
/// digits put back; anything else as it is.
pub(crate) fn numeric_token(token: &str) -> String {
    let digits = token.chars().filter(char::is_ascii_digit).count();
    let lookalikes = token.chars().filter(|c| "OoIl".contains(*c)).count();
    let numeric = token
        .chars()
        .all(|c| c.is_ascii_digit() || "OoIl.,$%-()".contains(c));
    if numeric && lookalikes > 0 && digits >= 1 && digits >= lookalikes {
        token
            .chars()
            .map(|c| match c {
                'O' | 'o' => '0',
                'I' | 'l' => '1',
                other => other,
            })
            .collect()
    } else {
        token.to_owned()
    }
}

/// Lower case without accents, for matching labels (`Échéance` → `echeance`).
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            'º' => '°',
            other => other,
        })
        .collect()
}

/// Whether the page is in French, by its words.
pub(crate) fn is_french(text: &str) -> bool {
    let folded = fold(text);
    let count = |words: &[&str]| words.iter().filter(|w| folded.contains(*w)).count();
    let french = count(&[
        "facture",
        "sous-total",
        "montant",
        "echeance",
        "tps",
        "tvq",
        "qte",
        "prix unitaire",
        "payable sur",
        " de ",
        " du ",
    ]);
    let english = count(&[
        "invoice",
        "subtotal",
        "amount",
        "due",
        "gst",
        "qst",
        "qty",
        "unit price",
        "bill to",
        " the ",
    ]);
    french > english
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn gaps_of_two_spaces_or_rules_cut_cells() {
        let rows = rows("Câble 500 m   2 | 45,00 $   90,00 $\n\n  \nTotal  1 234,56 $");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].cells, ["Câble 500 m", "2", "45,00 $", "90,00 $"]);
        assert_eq!(rows[1].cells, ["Total", "1 234,56 $"]);
    }

    #[test]
    fn letters_inside_numbers_become_digits_and_words_stay() {
        assert_eq!(numeric_token("1O,5O"), "10,50");
        assert_eq!(numeric_token("$l2.00"), "$12.00");
        assert_eq!(numeric_token("No"), "No");
        assert_eq!(numeric_token("INV-88213"), "INV-88213");
        assert_eq!(numeric_token("O"), "O");
    }

    #[test]
    fn the_language_is_told_by_its_words() {
        assert!(is_french("FACTURE\nSous-total 12,00 $\nTPS (5 %)"));
        assert!(!is_french("INVOICE\nSubtotal $12.00\nGST (5%)"));
        assert_eq!(fold("Échéance Modèle"), "echeance modele");
    }
}
