//! The QR code of a quote's link (the DocuSeal signing URL, or the portal's quotes page), as a
//! scalable SVG for the printable page and as a PNG for email and SMS. Error correction level M,
//! dark modules on white, a quiet zone of 4 modules.

use qrcode::{EcLevel, QrCode, render::svg as qr_svg, types::Color};

/// Pixels per module in the PNG (and the SVG's default size, which its viewBox lets scale).
const MODULE_PX: usize = 8;
/// The quiet zone around the code, in modules (what the standard asks for).
const QUIET_MODULES: usize = 4;

/// Why a QR code could not be made.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    /// The link does not fit in a QR code (thousands of bytes).
    #[error("the link cannot be encoded as a QR code: {0}")]
    Encode(#[from] qrcode::types::QrError),
    /// The PNG could not be written.
    #[error("the QR code's PNG could not be written: {0}")]
    Png(#[from] png::EncodingError),
}

/// A standalone SVG document of `url`'s QR code, with a `<title>` and a viewBox so it scales.
pub fn svg(url: &str) -> Result<String, QrError> {
    let rendered = encode(url)?
        .render::<qr_svg::Color>()
        .quiet_zone(true)
        .module_dimensions(MODULE_PX as u32, MODULE_PX as u32)
        .build();
    // Without the XML declaration, the same text is a standalone file and inlines into HTML.
    let document = rendered
        .find("<svg")
        .map_or(rendered.as_str(), |at| &rendered[at..]);
    let title = format!("><title>{}</title>", html_escape::encode_text(url));
    Ok(document.replacen('>', &title, 1))
}

/// A greyscale PNG of `url`'s QR code, 8 pixels per module with a 4-module quiet zone.
pub fn png(url: &str) -> Result<Vec<u8>, QrError> {
    let code = encode(url)?;
    let (modules, colors) = (code.width(), code.to_colors());
    let side = (modules + 2 * QUIET_MODULES) * MODULE_PX;
    let is_dark = |px: usize| px.checked_sub(QUIET_MODULES).filter(|&m| m < modules);
    let pixels: Vec<u8> = (0..side * side)
        .map(|i| {
            let (x, y) = (i % side / MODULE_PX, i / side / MODULE_PX);
            let module = is_dark(x).zip(is_dark(y)).map(|(x, y)| y * modules + x);
            match module.and_then(|m| colors.get(m)) {
                Some(Color::Dark) => 0,
                _ => 255,
            }
        })
        .collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(out)
}

fn encode(url: &str) -> Result<QrCode, QrError> {
    Ok(QrCode::with_error_correction_level(url, EcLevel::M)?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const URL: &str = "https://sign.gigafibre.ca/s/Xk3pQ9rTz2?lang=fr&quotation=SAL-QTN-2026-00001";

    #[test]
    fn the_svg_is_a_standalone_scalable_document_with_a_title() {
        let svg = svg(URL).unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("viewBox=\"0 0 "));
        assert!(
            svg.contains("<title>https://sign.gigafibre.ca/s/Xk3pQ9rTz2?lang=fr&amp;quotation=")
        );
        assert!(svg.contains("fill=\"#000\"") && svg.contains("fill=\"#fff\""));
        assert!(!svg.contains("href") && !svg.contains("url("));
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn the_png_decodes_to_8_pixels_a_module_with_a_4_module_quiet_zone() {
        let png = png(URL).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let (width, height, _) = decode_png(&png);
        let modules = encode(URL).unwrap().width();
        assert_eq!((width, height), ((modules + 8) * 8, (modules + 8) * 8));
    }

    #[test]
    fn the_png_reads_back_as_the_url() {
        let (width, height, pixels) = decode_png(&png(URL).unwrap());
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
            pixels[y * width + x]
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (meta, content) = grids[0].decode().unwrap();
        assert_eq!(content, URL);
        assert_eq!(meta.ecc_level, 0, "rqrr numbers level M as 0");
    }

    #[test]
    fn a_link_too_long_for_any_qr_code_is_an_error_not_a_panic() {
        let huge = "x".repeat(5_000);
        assert!(matches!(svg(&huge), Err(QrError::Encode(_))));
        assert!(matches!(png(&huge), Err(QrError::Encode(_))));
    }

    fn decode_png(png: &[u8]) -> (usize, usize, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        (info.width as usize, info.height as usize, pixels)
    }
}
