//! A page made plain for Tesseract: speckles smoothed away, black on white at Otsu's
//! threshold (shaded table headers turn white), and the rules of tables erased (Tesseract
//! reads a ruled cell's text worse, or drops it).

use image::{GrayImage, Luma};
use imageproc::geometric_transformations::{Interpolation, rotate_about_center};

/// Runs of black longer than this fraction of the page's short side are rules, not strokes.
const RULE_FRACTION: u32 = 14;

/// `page` smoothed when speckled, binarised, its rules erased.
pub(super) fn plain(page: &GrayImage) -> GrayImage {
    let smoothed = if speckled(page) {
        median3(page)
    } else {
        page.clone()
    };
    let threshold = otsu(&smoothed);
    let upright = straightened(&smoothed, &binary(&smoothed, threshold));
    let mut out = binary(&upright, threshold);
    let min_run = (page.width().min(page.height()) / RULE_FRACTION).max(40);
    erase_rules(&mut out, min_run);
    out
}

fn binary(page: &GrayImage, threshold: u8) -> GrayImage {
    GrayImage::from_fn(page.width(), page.height(), |x, y| {
        Luma([if page.get_pixel(x, y).0[0] <= threshold {
            0
        } else {
            255
        }])
    })
}

/// Skews beyond this, in degrees, are not looked for (a photo of a page held by hand).
const MAX_SKEW_TENTHS: i32 = 40;

/// `bin` turned upright when its lines lean (a photo held askew): the angle is the one whose
/// shear makes the rows' counts of black pixels sharpest.
fn straightened(grey: &GrayImage, bin: &GrayImage) -> GrayImage {
    let skew = skew_degrees(bin);
    if skew.abs() < 0.3 {
        return grey.clone();
    }
    // The sign of a rotation in image coordinates is checked rather than reasoned: the one that
    // leaves less skew is kept. The grey page is turned, not the binarised one, whose strokes
    // would fray.
    let turn = |img: &GrayImage, degrees: f32| {
        let white = Luma([255u8]);
        rotate_about_center(img, degrees.to_radians(), Interpolation::Bilinear, white)
    };
    let sign = if skew_degrees(&binary(&turn(bin, skew), 127)).abs() < 0.3 {
        1.0
    } else {
        -1.0
    };
    turn(grey, sign * skew)
}

/// The lean of the page's lines, in degrees, to a tenth.
fn skew_degrees(bin: &GrayImage) -> f32 {
    let (w, h) = bin.dimensions();
    let points: Vec<(f32, f32)> = (0..h)
        .step_by(2)
        .flat_map(|y| (0..w).step_by(2).map(move |x| (x, y)))
        .filter(|&(x, y)| bin.get_pixel(x, y).0[0] == 0)
        .map(|(x, y)| (x as f32, y as f32))
        .collect();
    let margin = (w as f32 * 0.08) as i64 + 2;
    let sharpness = |tenths: i32| {
        let slope = (tenths as f32 / 10.0).to_radians().tan();
        let mut rows = vec![0u32; (i64::from(h) + 2 * margin).max(1) as usize];
        for &(x, y) in &points {
            let row = (y + x * slope) as i64 / 2 + margin;
            if let Some(n) = rows.get_mut(row.max(0) as usize) {
                *n += 1;
            }
        }
        rows.iter()
            .map(|&n| u64::from(n) * u64::from(n))
            .sum::<u64>()
    };
    let best = (-MAX_SKEW_TENTHS..=MAX_SKEW_TENTHS)
        .max_by_key(|&t| (sharpness(t), -t.abs()))
        .unwrap_or(0);
    best as f32 / 10.0
}

/// Whether more than 0.3 % of the pixels stand out from both their horizontal neighbours.
fn speckled(page: &GrayImage) -> bool {
    let (w, h) = page.dimensions();
    if w < 3 || h == 0 {
        return false;
    }
    let mut odd = 0u64;
    for y in (0..h).step_by(3) {
        for x in 1..w - 1 {
            let p = |x: u32| i32::from(page.get_pixel(x, y).0[0]);
            let (l, c, r) = (p(x - 1), p(x), p(x + 1));
            if (c - l).abs() > 40 && (c - r).abs() > 40 && (c - l).signum() == (c - r).signum() {
                odd += 1;
            }
        }
    }
    odd * 1000 > 3 * u64::from(w) * u64::from(h.div_ceil(3))
}

/// The median of each 3 × 3 neighbourhood (edges kept).
fn median3(page: &GrayImage) -> GrayImage {
    let (w, h) = page.dimensions();
    let mut out = page.clone();
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let mut v = [0u8; 9];
            for (i, (dx, dy)) in (0..3)
                .flat_map(|dy| (0..3).map(move |dx| (dx, dy)))
                .enumerate()
            {
                v[i] = page.get_pixel(x + dx - 1, y + dy - 1).0[0];
            }
            v.sort_unstable();
            out.put_pixel(x, y, Luma([v[4]]));
        }
    }
    out
}

/// Otsu's threshold of the grey levels.
fn otsu(page: &GrayImage) -> u8 {
    let mut histogram = [0u64; 256];
    for p in page.pixels() {
        histogram[usize::from(p.0[0])] += 1;
    }
    let total: u64 = histogram.iter().sum();
    let sum: f64 = histogram
        .iter()
        .enumerate()
        .map(|(i, &n)| i as f64 * n as f64)
        .sum();
    let (mut below, mut below_sum, mut best, mut best_t) = (0u64, 0f64, 0f64, 127u8);
    for (t, &n) in histogram.iter().enumerate() {
        below += n;
        below_sum += t as f64 * n as f64;
        let above = total - below;
        if below == 0 || above == 0 {
            continue;
        }
        let (mb, ma) = (below_sum / below as f64, (sum - below_sum) / above as f64);
        let between = below as f64 * above as f64 * (mb - ma) * (mb - ma);
        if between > best {
            best = between;
            best_t = u8::try_from(t).unwrap_or(127);
        }
    }
    best_t
}

/// Horizontal and vertical runs of black at least `min_run` long turned white.
fn erase_rules(img: &mut GrayImage, min_run: u32) {
    let (w, h) = img.dimensions();
    let mut rules = Vec::new();
    for y in 0..h {
        runs(
            w,
            |x| img.get_pixel(x, y).0[0] == 0,
            min_run,
            |x| rules.push((x, y)),
        );
    }
    for x in 0..w {
        runs(
            h,
            |y| img.get_pixel(x, y).0[0] == 0,
            min_run,
            |y| rules.push((x, y)),
        );
    }
    for (x, y) in rules {
        img.put_pixel(x, y, Luma([255]));
    }
}

/// Calls `mark` on each position of the runs of `black` along `0..len` at least `min_run` long.
fn runs(len: u32, black: impl Fn(u32) -> bool, min_run: u32, mut mark: impl FnMut(u32)) {
    let mut start = None;
    for i in 0..=len {
        match (i < len && black(i), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= min_run {
                    (s..i).for_each(&mut mark);
                }
                start = None;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leaning_page_is_turned_upright() {
        let mut page = GrayImage::from_pixel(600, 400, Luma([255]));
        for row in 0..8 {
            for x in 20..580 {
                let y = 40 + row * 40 + x * 2 / 100;
                for dy in 0..6 {
                    page.put_pixel(x, y + dy, Luma([0]));
                }
            }
        }
        assert!(skew_degrees(&page).abs() > 0.8, "{}", skew_degrees(&page));
        let upright = straightened(&page, &page);
        assert!(skew_degrees(&binary(&upright, 127)).abs() < 0.3);
    }

    #[test]
    fn rules_and_shading_go_and_text_stays() {
        let mut page = GrayImage::from_pixel(400, 300, Luma([255]));
        for x in 10..390 {
            page.put_pixel(x, 100, Luma([0]));
        }
        for y in 120..140 {
            for x in 10..390 {
                page.put_pixel(x, y, Luma([225]));
            }
        }
        for y in 50..70 {
            page.put_pixel(30, y, Luma([0]));
        }
        let plain = plain(&page);
        assert_eq!(skew_degrees(&plain), 0.0);
        assert_eq!(plain.get_pixel(200, 100).0[0], 255);
        assert_eq!(plain.get_pixel(200, 130).0[0], 255);
        assert_eq!(plain.get_pixel(30, 60).0[0], 0);
    }
}
