//! The page prepared for Tesseract, and Tesseract's words (`tsv`) laid out again as lines of
//! text whose columns are cut by gaps of three spaces.

use image::GrayImage;
use image::imageops::{self, FilterType};

use super::{LocalError, png};

/// Pages whose short side is under this are scaled up: Tesseract reads best at 20–40 px capitals.
const MIN_SHORT_SIDE: u32 = 1000;

/// The page as the PNG Tesseract reads: small pages scaled up, then made plain
/// ([`super::clean::plain`]).
pub(super) fn prepare_png(page: &GrayImage) -> Result<Vec<u8>, LocalError> {
    png(&super::clean::plain(&upscaled(page)))
}

fn upscaled(page: &GrayImage) -> GrayImage {
    let short = page.width().min(page.height()).max(1);
    if short >= MIN_SHORT_SIDE {
        return page.clone();
    }
    let scale = f64::from(MIN_SHORT_SIDE) / f64::from(short);
    let (w, h) = (
        (f64::from(page.width()) * scale).round() as u32,
        (f64::from(page.height()) * scale).round() as u32,
    );
    imageops::resize(page, w, h, FilterType::CatmullRom)
}

/// One word of Tesseract's `tsv` output.
#[derive(Debug, Clone)]
struct Word {
    line: (u32, u32, u32),
    left: i64,
    width: i64,
    height: i64,
    text: String,
}

/// Tesseract's `tsv` output as text: a line per line it found, words in it separated by one
/// space, or by three where the gap is wider than the line's height (a column).
pub(super) fn lines(tsv: &str) -> String {
    let words: Vec<Word> = tsv.lines().skip(1).filter_map(word).collect();
    let mut out = String::new();
    let mut start = 0;
    while start < words.len() {
        let key = words[start].line;
        let end = words[start..]
            .iter()
            .position(|w| w.line != key)
            .map_or(words.len(), |n| start + n);
        out.push_str(&line(&words[start..end]));
        out.push('\n');
        start = end;
    }
    out
}

fn word(row: &str) -> Option<Word> {
    let f: Vec<&str> = row.split('\t').collect();
    if f.len() < 12 || f[0] != "5" || f[11].trim().is_empty() {
        return None;
    }
    let n = |i: usize| f[i].parse::<i64>().ok();
    Some(Word {
        line: (f[2].parse().ok()?, f[3].parse().ok()?, f[4].parse().ok()?),
        left: n(6)?,
        width: n(8)?,
        height: n(9)?,
        text: f[11].trim().to_owned(),
    })
}

fn line(words: &[Word]) -> String {
    let mut heights: Vec<i64> = words.iter().map(|w| w.height).collect();
    heights.sort_unstable();
    let height = heights.get(heights.len() / 2).copied().unwrap_or(20).max(8);
    let mut sorted: Vec<&Word> = words.iter().collect();
    sorted.sort_by_key(|w| w.left);
    let mut out = String::new();
    let mut right = None;
    for w in sorted {
        if let Some(right) = right {
            let gap = w.left - right;
            // A space is a third of an em, wider in a monospaced font; a column gap is wider still.
            out.push_str(if 2 * gap > 3 * height { "   " } else { " " });
        }
        out.push_str(&w.text);
        right = Some(w.left + w.width);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_gaps_become_columns() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t90\tSous-total\n\
            5\t1\t1\t1\t1\t2\t500\t10\t20\t20\t90\t1\n\
            5\t1\t1\t1\t1\t3\t525\t10\t40\t20\t90\t234,56\n\
            5\t1\t1\t1\t1\t4\t570\t10\t10\t20\t90\t$\n\
            5\t1\t1\t1\t2\t1\t10\t40\t50\t20\t90\tTotal\n";
        assert_eq!(lines(tsv), "Sous-total   1 234,56 $\nTotal\n");
    }
}
