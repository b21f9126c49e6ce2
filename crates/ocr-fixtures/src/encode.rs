//! Encoding fixture images into the file formats the service accepts.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbImage};

/// The image as PNG bytes.
pub fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec only fails on dimensions the image type cannot hold.
    let _ = PngEncoder::new(&mut out).write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        ExtendedColorType::Rgb8,
    );
    out
}

/// The image as baseline JPEG bytes at `quality` (1–100).
pub fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100)).write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        ExtendedColorType::Rgb8,
    );
    out
}

/// The image as WebP bytes (lossless: the only WebP `image` 0.25 encodes).
pub fn webp(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = WebPEncoder::new_lossless(&mut out).write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        ExtendedColorType::Rgb8,
    );
    out
}
