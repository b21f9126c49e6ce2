//! A white page and the few drawing verbs the layouts use: text (regular or bold, left, right or
//! centred), rules and boxes.

use ab_glyph::PxScale;
use image::{Rgb, RgbImage};
use imageproc::drawing::{draw_filled_rect_mut, draw_hollow_rect_mut, draw_text_mut, text_size};
use imageproc::rect::Rect;

use crate::fonts::Faces;

/// Black ink.
pub(crate) const INK: Rgb<u8> = Rgb([0, 0, 0]);
/// The light grey of shaded table headers.
pub(crate) const SHADE: Rgb<u8> = Rgb([225, 225, 225]);
const WHITE: Rgb<u8> = Rgb([255, 255, 255]);

/// Regular or bold face.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// A page being drawn, with the faces it prints with.
pub(crate) struct Page<'f> {
    pub img: RgbImage,
    faces: &'f Faces,
}

impl<'f> Page<'f> {
    /// A white page of `width` × `height` pixels.
    pub fn new(width: u32, height: u32, faces: &'f Faces) -> Self {
        Page {
            img: RgbImage::from_pixel(width, height, WHITE),
            faces,
        }
    }

    fn face(&self, weight: Weight) -> &'f ab_glyph::FontVec {
        match weight {
            Weight::Regular => &self.faces.regular,
            Weight::Bold => &self.faces.bold,
        }
    }

    /// The advance width of `text` at `size` pixels.
    pub fn width(&self, text: &str, size: f32, weight: Weight) -> i32 {
        let (w, _) = text_size(PxScale::from(size), self.face(weight), text);
        i32::try_from(w).unwrap_or(i32::MAX)
    }

    /// `text` with its top-left corner at (`x`, `y`).
    pub fn text(&mut self, x: i32, y: i32, size: f32, weight: Weight, text: &str) {
        let face = self.face(weight);
        draw_text_mut(&mut self.img, INK, x, y, PxScale::from(size), face, text);
    }

    /// `text` ending at `right`.
    pub fn text_right(&mut self, right: i32, y: i32, size: f32, weight: Weight, text: &str) {
        let x = right - self.width(text, size, weight);
        self.text(x, y, size, weight, text);
    }

    /// `text` centred on `centre`.
    pub fn text_centred(&mut self, centre: i32, y: i32, size: f32, weight: Weight, text: &str) {
        let x = centre - self.width(text, size, weight) / 2;
        self.text(x, y, size, weight, text);
    }

    /// A horizontal rule `thickness` pixels thick.
    pub fn hline(&mut self, x0: i32, x1: i32, y: i32, thickness: u32) {
        self.fill(x0, y, x1 - x0, thickness, INK);
    }

    /// A vertical rule `thickness` pixels thick.
    pub fn vline(&mut self, x: i32, y0: i32, y1: i32, thickness: u32) {
        self.fill(
            x,
            y0,
            thickness as i32,
            (y1 - y0).max(0).unsigned_abs(),
            INK,
        );
    }

    /// A filled rectangle.
    pub fn fill(&mut self, x: i32, y: i32, width: i32, height: u32, colour: Rgb<u8>) {
        if width > 0 && height > 0 {
            let rect = Rect::at(x, y).of_size(width.unsigned_abs(), height);
            draw_filled_rect_mut(&mut self.img, rect, colour);
        }
    }

    /// A rectangle outline, 2 px wide.
    pub fn frame(&mut self, x: i32, y: i32, width: u32, height: u32) {
        for inset in 0..2 {
            if width > 2 * inset && height > 2 * inset {
                let rect = Rect::at(x + inset as i32, y + inset as i32)
                    .of_size(width - 2 * inset, height - 2 * inset);
                draw_hollow_rect_mut(&mut self.img, rect, INK);
            }
        }
    }
}
