//! Photo-like degradation of a rendered page: rotation, blur and noise, all seeded.

use image::{Rgb, RgbImage};
use imageproc::filter::gaussian_blur_f32;
use imageproc::geometric_transformations::{Interpolation, rotate_about_center};
use imageproc::noise::{gaussian_noise_mut, salt_and_pepper_noise_mut};
use serde::{Deserialize, Serialize};

/// How much a clean render is spoiled to look like a phone photo or a poor scan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Degrade {
    /// Noise amount, 0 to 1: salt-and-pepper on `2 % × noise` of the pixels before the blur,
    /// gaussian noise of standard deviation `60 × noise` grey levels after it.
    pub noise: f32,
    /// Gaussian blur sigma in pixels; 0 is none.
    pub blur: f32,
    /// Rotation in degrees, counter-clockwise positive; the corners are filled white.
    pub rotation_deg: f32,
}

impl Degrade {
    /// No degradation: the render as drawn.
    pub const CLEAN: Degrade = Degrade {
        noise: 0.0,
        blur: 0.0,
        rotation_deg: 0.0,
    };

    /// A handheld photo of a flat document: mild noise, blur sigma 0.8 px, 1.5° of rotation. The
    /// label barcodes still decode at this strength (the crate's tests check it).
    pub fn photo() -> Degrade {
        Degrade {
            noise: 0.2,
            blur: 0.8,
            rotation_deg: 1.5,
        }
    }

    /// Whether this leaves an image untouched.
    pub fn is_clean(&self) -> bool {
        self.noise <= 0.0 && self.blur <= 0.0 && self.rotation_deg == 0.0
    }

    /// The degraded copy of `img`; `seed` drives the noise.
    pub(crate) fn apply(&self, img: RgbImage, seed: u64) -> RgbImage {
        let mut img = img;
        if self.rotation_deg != 0.0 {
            let theta = -self.rotation_deg.to_radians();
            let white = Rgb([255, 255, 255]);
            img = rotate_about_center(&img, theta, Interpolation::Bilinear, white);
        }
        // Speckles are laid before the blur, as dust and paper grain are, which then softens
        // them like the lens does; sensor noise comes after the optics.
        let noise = f64::from(self.noise.clamp(0.0, 1.0));
        if noise > 0.0 {
            salt_and_pepper_noise_mut(&mut img, 0.02 * noise, seed.wrapping_add(1));
        }
        if self.blur > 0.0 {
            img = gaussian_blur_f32(&img, self.blur);
        }
        if noise > 0.0 {
            gaussian_noise_mut(&mut img, 0.0, 60.0 * noise, seed);
        }
        img
    }
}
