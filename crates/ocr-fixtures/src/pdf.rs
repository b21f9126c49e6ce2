//! Minimal PDF writing: numbered objects, a cross-reference table with exact byte offsets, and a
//! trailer; enough for poppler and the usual PDF readers.

/// The PDF page of a 150 dpi image: 72 points per 150 pixels (1275 × 1650 px → US letter).
const POINTS_PER_PIXEL: f64 = 72.0 / 150.0;

/// A PDF being assembled; objects are numbered from 1 in the order added.
pub(crate) struct Document {
    objects: Vec<Vec<u8>>,
}

impl Document {
    pub fn new() -> Self {
        Document {
            objects: Vec::new(),
        }
    }

    /// Adds an object body (the text between `obj` and `endobj`); returns its number.
    pub fn add(&mut self, body: Vec<u8>) -> usize {
        self.objects.push(body);
        self.objects.len()
    }

    /// Replaces the body of object `id`, reserved earlier with a placeholder.
    pub fn set(&mut self, id: usize, body: Vec<u8>) {
        if let Some(object) = self.objects.get_mut(id - 1) {
            *object = body;
        }
    }

    /// Adds a stream object with `dictionary` entries (without `/Length`).
    pub fn add_stream(&mut self, dictionary: &str, data: &[u8]) -> usize {
        let mut body = format!("<< {dictionary} /Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.add(body)
    }

    /// The file: header, objects, xref, trailer with `/Root root` and `extra` trailer entries.
    pub fn finish(self, root: usize, extra: &str) -> Vec<u8> {
        let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::with_capacity(self.objects.len());
        for (index, object) in self.objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n", index + 1).into_bytes());
            out.extend_from_slice(object);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        let size = self.objects.len() + 1;
        out.extend(format!("xref\n0 {size}\n0000000000 65535 f\r\n").into_bytes());
        for offset in offsets {
            out.extend(format!("{offset:010} 00000 n\r\n").into_bytes());
        }
        out.extend(
            format!(
                "trailer\n<< /Size {size} /Root {root} 0 R{extra} >>\nstartxref\n{xref}\n%%EOF\n"
            )
            .into_bytes(),
        );
        out
    }
}

/// A PDF with one page per JPEG, each `(jpeg bytes, width px, height px)` shown as a DCTDecode
/// image filling a page of its size at 150 dpi (1275 × 1650 px → 612 × 792 pt). The JPEGs must
/// be 3-component (RGB), as [`crate::jpeg`] writes them.
pub fn pdf_of_jpegs(pages: &[(Vec<u8>, u32, u32)]) -> Vec<u8> {
    let mut doc = Document::new();
    let catalog = doc.add(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let pages_id = doc.add(Vec::new());
    let mut kids = Vec::new();
    for (jpeg, width, height) in pages {
        let image = doc.add_stream(
            &format!(
                "/Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode"
            ),
            jpeg,
        );
        let (w, h) = (
            f64::from(*width) * POINTS_PER_PIXEL,
            f64::from(*height) * POINTS_PER_PIXEL,
        );
        let content = doc.add_stream(
            "",
            format!("q {w:.2} 0 0 {h:.2} 0 0 cm /Im0 Do Q").as_bytes(),
        );
        let page = doc.add(
            format!(
                "<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {w:.2} {h:.2}] /Contents {content} 0 R /Resources << /XObject << /Im0 {image} 0 R >> >> >>"
            )
            .into_bytes(),
        );
        kids.push(format!("{page} 0 R"));
    }
    doc.set(pages_id, pages_body(&kids));
    doc.finish(catalog, "")
}

/// The `/Pages` dictionary of `kids` (`"3 0 R"` each).
pub(crate) fn pages_body(kids: &[String]) -> Vec<u8> {
    format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        kids.len()
    )
    .into_bytes()
}

/// A PDF of `texts.len()` letter pages, each showing its lines in Helvetica; `extra` goes into
/// the trailer (e.g. an `/Encrypt` reference added by the caller through `prepare`).
pub(crate) fn text_pages(
    texts: &[Vec<String>],
    prepare: impl FnOnce(&mut Document) -> String,
) -> Vec<u8> {
    let mut doc = Document::new();
    let catalog = doc.add(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let pages_id = doc.add(Vec::new());
    let font = doc.add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    let mut kids = Vec::new();
    for lines in texts {
        let mut content = b"BT /F1 14 Tf 72 720 Td 20 TL\n".to_vec();
        for line in lines {
            content.push(b'(');
            content.extend(escape(line));
            content.extend_from_slice(b") Tj T*\n");
        }
        content.extend_from_slice(b"ET");
        let content = doc.add_stream("", &content);
        let page = doc.add(
            format!(
                "<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 612 792] /Contents {content} 0 R /Resources << /Font << /F1 {font} 0 R >> >> >>"
            )
            .into_bytes(),
        );
        kids.push(format!("{page} 0 R"));
    }
    doc.set(pages_id, pages_body(&kids));
    let extra = prepare(&mut doc);
    doc.finish(catalog, &extra)
}

/// A PDF literal string body: ASCII, parentheses and backslashes escaped, others `?`.
fn escape(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                out.push(c as u8);
            }
            ' '..='~' => out.push(c as u8),
            _ => out.push(b'?'),
        }
    }
    out
}
