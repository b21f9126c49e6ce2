//! Small, valid one-page PDFs of text lines (Helvetica, WinAnsi), standing in for DocuSeal's
//! signed document and audit log.

/// At most this many lines fit on the A4 page at 14 pt leading.
const MAX_LINES: usize = 52;

/// A PDF whose one page shows `lines`, top to bottom; `title` goes into the document info.
pub fn document(title: &str, lines: &[String]) -> Vec<u8> {
    let shown = &lines[..lines.len().min(MAX_LINES)];
    stand_in_kit::pdf::one_page(
        "BT /F1 11 Tf 50 790 Td 14 TL",
        shown,
        Some(("docuseal-sandbox", title)),
    )
}
