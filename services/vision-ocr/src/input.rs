//! The upload's guard: its type told by its bytes, its size in pixels read from its header before
//! anything is decoded, an image decoded within bounds, a PDF asked about by poppler's `pdfinfo`.
//! What it refuses never reaches a provider (docs/vision-ocr.md, "Refusals").

use std::io::Cursor;
use std::sync::Arc;

use bytes::Bytes;
use image::{DynamicImage, GrayImage, ImageDecoder as _, ImageFormat, ImageReader};

use crate::process::{self, Limits, RunError};

/// The kinds of file read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// `image/jpeg`.
    Jpeg,
    /// `image/png`.
    Png,
    /// `image/webp`.
    Webp,
    /// `application/pdf`.
    Pdf,
}

impl Media {
    /// The kind `bytes` are, by their first bytes (never by a name or a declared type).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [0xFF, 0xD8, 0xFF, ..] => Some(Self::Jpeg),
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(Self::Png),
            [
                b'R',
                b'I',
                b'F',
                b'F',
                _,
                _,
                _,
                _,
                b'W',
                b'E',
                b'B',
                b'P',
                ..,
            ] => Some(Self::Webp),
            [b'%', b'P', b'D', b'F', b'-', ..] => Some(Self::Pdf),
            _ => None,
        }
    }

    /// Its media type.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Pdf => "application/pdf",
        }
    }

    fn image_format(self) -> Option<ImageFormat> {
        match self {
            Self::Jpeg => Some(ImageFormat::Jpeg),
            Self::Png => Some(ImageFormat::Png),
            Self::Webp => Some(ImageFormat::WebP),
            Self::Pdf => None,
        }
    }
}

/// An upload that passed the guard.
#[derive(Debug, Clone)]
pub struct Checked {
    /// What it is.
    pub media: Media,
    /// Its bytes, as uploaded (what Gemini is sent).
    pub bytes: Bytes,
    /// 1 for an image; a PDF's page count.
    pub pages: u32,
    /// An image, decoded, upright (EXIF orientation applied) and grey; none for a PDF.
    pub image: Option<Arc<GrayImage>>,
}

/// Why an upload is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Nothing in it.
    #[error("the file is empty")]
    Empty,
    /// Not a kind we read (or a PDF where an image is wanted).
    #[error("not a JPEG, PNG, WebP or PDF file")]
    Unsupported,
    /// More pixels than allowed, by its header.
    #[error("{width} × {height} pixels is more than {max} pixels")]
    TooManyPixels { width: u32, height: u32, max: u64 },
    /// Truncated or broken.
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
    /// A PDF with a password.
    #[error("the PDF is encrypted")]
    Encrypted,
    /// A PDF with too many pages.
    #[error("{pages} pages is more than {max}")]
    TooManyPages { pages: u32, max: u32 },
    /// poppler is not installed or failed for a reason of its own.
    #[error("PDF files cannot be read here: {0}")]
    NoPdfReader(String),
}

/// The bounds of the guard.
#[derive(Debug, Clone, Copy)]
pub struct Guard {
    /// Largest image, in pixels.
    pub max_pixels: u64,
    /// Largest PDF, in pages.
    pub max_pages: u32,
    /// `pdfinfo`'s bounds.
    pub limits: Limits,
}

impl Guard {
    /// Checks `bytes`; `images_only` refuses a PDF (a label is a photo).
    pub async fn check(&self, bytes: Bytes, images_only: bool) -> Result<Checked, Refused> {
        if bytes.is_empty() {
            return Err(Refused::Empty);
        }
        let media = Media::sniff(&bytes).ok_or(Refused::Unsupported)?;
        match media {
            Media::Pdf if images_only => Err(Refused::Unsupported),
            Media::Pdf => self.check_pdf(bytes).await,
            _ => {
                let max = self.max_pixels;
                let decoded = bytes.clone();
                let image = tokio::task::spawn_blocking(move || decode_image(&decoded, media, max))
                    .await
                    .map_err(|e| Refused::Unreadable(e.to_string()))??;
                Ok(Checked {
                    media,
                    bytes,
                    pages: 1,
                    image: Some(Arc::new(image)),
                })
            }
        }
    }

    async fn check_pdf(&self, bytes: Bytes) -> Result<Checked, Refused> {
        if !ends_with_eof_marker(&bytes) {
            return Err(Refused::Unreadable(
                "the PDF ends before its end marker".into(),
            ));
        }
        let info = match process::run("pdfinfo", &["fd://0"], &bytes, self.limits).await {
            Ok(out) => String::from_utf8_lossy(&out.stdout).into_owned(),
            Err(RunError::Failed { stderr, .. }) if stderr.contains("password") => {
                return Err(Refused::Encrypted);
            }
            Err(RunError::Failed { stderr, .. }) => return Err(Refused::Unreadable(stderr)),
            Err(e) => return Err(Refused::NoPdfReader(e.to_string())),
        };
        let field = |name: &str| {
            info.lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim_start_matches(':').trim().to_owned())
        };
        if field("Encrypted").is_some_and(|v| v.starts_with("yes")) {
            return Err(Refused::Encrypted);
        }
        let pages: u32 = field("Pages")
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| Refused::Unreadable("the PDF has no pages".into()))?;
        if pages == 0 {
            return Err(Refused::Unreadable("the PDF has no pages".into()));
        }
        if pages > self.max_pages {
            return Err(Refused::TooManyPages {
                pages,
                max: self.max_pages,
            });
        }
        Ok(Checked {
            media: Media::Pdf,
            bytes,
            pages,
            image: None,
        })
    }
}

/// A PDF ends with `%%EOF` (and perhaps a line end or some padding): one cut short does not.
fn ends_with_eof_marker(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    tail.windows(5).any(|w| w == b"%%EOF")
}

/// Decodes an image whose header says it has at most `max_pixels`, upright and grey.
fn decode_image(bytes: &[u8], media: Media, max_pixels: u64) -> Result<GrayImage, Refused> {
    let format = media.image_format().ok_or(Refused::Unsupported)?;
    let unreadable = |e: image::ImageError| Refused::Unreadable(e.to_string());
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(unreadable)?;
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(Refused::TooManyPixels {
            width,
            height,
            max: max_pixels,
        });
    }
    if media == Media::Jpeg && !jpeg_has_its_end(bytes) {
        return Err(Refused::Unreadable("the JPEG is cut short".into()));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(max_pixels.saturating_mul(4).max(1 << 20));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    Ok(image.into_luma8())
}

/// A JPEG's scan ends with the EOI marker (FF D9), which cannot occur inside the entropy-coded
/// data after the last SOS (FF DA); a file cut short has none after it.
fn jpeg_has_its_end(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    last_scan.is_some_and(|at| bytes[at..].windows(2).any(|w| w == [0xFF, 0xD9]))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        GrayImage::from_pixel(width, height, image::Luma([255]))
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    fn guard() -> Guard {
        Guard {
            max_pixels: 25_000_000,
            max_pages: 10,
            limits: Limits::default(),
        }
    }

    #[test]
    fn types_are_told_by_their_bytes() {
        assert_eq!(Media::sniff(b"%PDF-1.7\n"), Some(Media::Pdf));
        assert_eq!(Media::sniff(&png(1, 1)), Some(Media::Png));
        assert_eq!(Media::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Media::Webp));
        assert_eq!(Media::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Media::Jpeg));
        assert_eq!(Media::sniff(b"PK\x03\x04"), None);
        assert_eq!(Media::sniff(b"<html>"), None);
    }

    #[tokio::test]
    async fn an_image_is_decoded_grey_and_a_big_one_refused_by_its_header() {
        let small = guard().check(Bytes::from(png(40, 30)), true).await.unwrap();
        assert_eq!(small.image.unwrap().dimensions(), (40, 30));
        let tight = Guard {
            max_pixels: 1000,
            ..guard()
        };
        let e = tight
            .check(Bytes::from(png(40, 30)), true)
            .await
            .unwrap_err();
        assert_eq!(
            e,
            Refused::TooManyPixels {
                width: 40,
                height: 30,
                max: 1000
            }
        );
    }

    #[tokio::test]
    async fn empty_unknown_and_pdf_labels_are_refused() {
        let g = guard();
        assert_eq!(
            g.check(Bytes::new(), false).await.unwrap_err(),
            Refused::Empty
        );
        let zip = Bytes::from_static(b"PK\x03\x04rest");
        assert_eq!(g.check(zip, false).await.unwrap_err(), Refused::Unsupported);
        let pdf = Bytes::from_static(b"%PDF-1.4\n%%EOF\n");
        assert_eq!(g.check(pdf, true).await.unwrap_err(), Refused::Unsupported);
    }

    #[test]
    fn a_jpeg_cut_short_has_no_end_after_its_scan() {
        let whole = [0xFF, 0xD8, 0xFF, 0xDA, 1, 2, 3, 0xFF, 0xD9];
        assert!(jpeg_has_its_end(&whole));
        assert!(!jpeg_has_its_end(&whole[..7]));
        assert!(ends_with_eof_marker(b"%PDF-1.4 ... %%EOF\r\n"));
        assert!(!ends_with_eof_marker(b"%PDF-1.4 ... stream"));
    }
}
