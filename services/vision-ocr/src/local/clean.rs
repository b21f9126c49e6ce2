//! A page made plain for Tesseract: speckles smoothed away, black on white at Otsu's
//! threshold (shaded table headers turn white), and the rules of tables erased (Tesseract
//! reads a ruled cell's text worse, or drops it).

use image::{GrayImage, Luma};

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
    let mut out = GrayImage::from_fn(smoothed.width(), smoothed.height(), |x, y| {
        Luma([if smoothed.get_pixel(x, y).0[0] <= threshold {
            0
        } else {
            255
        }])
    });
    let min_run = (page.width().min(page.height()) / RULE_FRACTION).max(40);
    erase_rules(&mut out, min_run);
    out
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
        assert_eq!(plain.get_pixel(200, 100).0[0], 255);
        assert_eq!(plain.get_pixel(200, 130).0[0], 255);
        assert_eq!(plain.get_pixel(30, 60).0[0], 0);
    }
}
