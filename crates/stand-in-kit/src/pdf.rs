//! Small, valid one-page PDFs of text lines (Helvetica, WinAnsi), standing in for the documents
//! the real services render.

/// An A4 page showing `lines` top to bottom. `text_state` places them (`BT /F1 12 Tf 56 780 Td
/// 16 TL`: font size, start, leading); `info`, a `(producer, title)`, goes into the document info.
pub fn one_page(text_state: &str, lines: &[String], info: Option<(&str, &str)>) -> Vec<u8> {
    let mut content = format!("{text_state}\n").into_bytes();
    for line in lines {
        content.push(b'(');
        content.extend(pdf_string(line));
        content.extend_from_slice(b") Tj T*\n");
    }
    content.extend_from_slice(b"ET\n");
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend(content);
    stream.extend_from_slice(b"endstream");
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        stream,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
    ];
    if let Some((producer, title)) = info {
        let mut dictionary = b"<< /Producer (".to_vec();
        dictionary.extend(pdf_string(producer));
        dictionary.extend_from_slice(b") /Title (");
        dictionary.extend(pdf_string(title));
        dictionary.extend_from_slice(b") >>");
        objects.push(dictionary);
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (index, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", index + 1).into_bytes());
        out.extend_from_slice(object);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").into_bytes());
    }
    let info_ref = if info.is_some() { " /Info 6 0 R" } else { "" };
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{info_ref} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    out
}

/// A PDF literal string body in WinAnsi (Latin-1 for French letters), escaped; other characters
/// become `?`.
fn pdf_string(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                out.push(c as u8);
            }
            ' '..='~' => out.push(c as u8),
            _ => match u8::try_from(u32::from(c)) {
                Ok(byte) if byte >= 0xA0 => out.extend(format!("\\{byte:03o}").into_bytes()),
                _ => out.push(b'?'),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xref_points_at_each_object_and_text_is_escaped() {
        for info in [None, Some(("kit", "t"))] {
            let pdf = one_page("BT", &["Signé (test)".to_owned()], info);
            let text = String::from_utf8_lossy(&pdf);
            assert!(text.starts_with("%PDF-1.4"));
            let start: usize = text
                .rsplit("startxref\n")
                .next()
                .and_then(|t| t.lines().next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            assert!(text[start..].starts_with("xref"));
            let first = text[start..].lines().nth(3).unwrap_or_default();
            let offset: usize = first[..10].parse().unwrap_or(0);
            assert!(text[offset..].starts_with("1 0 obj"));
            assert!(text.contains("Sign\\351 \\(test\\)"));
            assert_eq!(text.contains("/Info 6 0 R"), info.is_some());
        }
    }
}
