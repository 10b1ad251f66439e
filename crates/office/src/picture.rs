//! Pictures for the demo's photo news: simple drawn scenes (a meeting hall with its banner, a
//! rostrum, rows of people) so the demo portal's photo strip and gallery show real images
//! without shipping photographs. Deterministic for a seed.

use image::{ImageFormat, Rgb, RgbImage};

/// A `width`×`height` PNG of a meeting scene; `seed` varies the colours and the crowd.
pub fn demo_picture(seed: u32, width: u32, height: u32) -> Vec<u8> {
    let mut img = RgbImage::new(width, height);
    let (w, h) = (width as f32, height as f32);
    // Banner and wall colours vary with the seed: red, blue or green halls.
    let banners = [[178u8, 34, 34], [25, 70, 150], [30, 110, 70], [150, 30, 60]];
    let banner = banners[(seed as usize) % banners.len()];
    let wall_tint = 200 + (seed % 5) as u8 * 8;
    for (x, y, px) in img.enumerate_pixels_mut() {
        let (fx, fy) = (x as f32 / w, y as f32 / h);
        // The wall, lighter towards the top; the floor below 60%.
        let c = if fy < 0.6 {
            let v = (wall_tint as f32 * (1.0 - 0.25 * fy)) as u8;
            [v, v.saturating_sub(10), v.saturating_sub(25)]
        } else {
            let v = (120.0 - 40.0 * (fy - 0.6)) as u8;
            [v, (v as f32 * 0.75) as u8, (v as f32 * 0.5) as u8]
        };
        *px = Rgb(c);
        // The banner across the top, with pale "characters" on it.
        if (0.08..0.2).contains(&fy) && (0.12..0.88).contains(&fx) {
            *px = Rgb(banner);
            let cell = ((fx - 0.12) / 0.76 * 14.0).fract();
            if (0.11..0.17).contains(&fy) && (0.2..0.8).contains(&cell) {
                *px = Rgb([250, 235, 180]);
            }
        }
        // The rostrum table with its cloth.
        if (0.42..0.52).contains(&fy) && (0.18..0.82).contains(&fx) {
            *px = Rgb([banner[0] / 2 + 60, banner[1] / 2 + 20, banner[2] / 2 + 20]);
        }
    }
    // People: rows of heads and shoulders, fewer at the rostrum, many in the audience.
    let mut rng = seed.wrapping_mul(2_654_435_761).max(1);
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        rng
    };
    let rows: &[(f32, f32, u32)] = &[(0.38, 0.018, 7), (0.7, 0.035, 11), (0.82, 0.04, 10), (0.94, 0.045, 9)];
    for (row_y, radius, count) in rows {
        for i in 0..*count {
            let jitter = (next() % 100) as f32 / 100.0 - 0.5;
            let cx = w * (0.1 + 0.8 * (i as f32 + 0.5 + jitter * 0.3) / *count as f32);
            let cy = h * row_y;
            let r = radius * h.min(w * 0.7);
            let hair = [20 + (next() % 30) as u8; 3];
            let coat = [[40u8, 45, 60], [70, 70, 75], [30, 30, 35], [90, 60, 50]][(next() % 4) as usize];
            fill_circle(&mut img, cx, cy + r * 2.2, r * 1.6, coat);
            fill_circle(&mut img, cx, cy, r, [225, 190, 160]);
            fill_circle(&mut img, cx, cy - r * 0.35, r * 0.95, hair);
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    // Writing a PNG to memory cannot fail for an RGB image.
    let _ = img.write_to(&mut out, ImageFormat::Png);
    out.into_inner()
}

fn fill_circle(img: &mut RgbImage, cx: f32, cy: f32, r: f32, c: [u8; 3]) {
    let (w, h) = img.dimensions();
    let x0 = (cx - r).max(0.0) as u32;
    let x1 = ((cx + r) as u32).min(w.saturating_sub(1));
    let y0 = (cy - r).max(0.0) as u32;
    let y1 = ((cy + r) as u32).min(h.saturating_sub(1));
    for y in y0..=y1 {
        for x in x0..=x1 {
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            if dx * dx + dy * dy <= r * r {
                img.put_pixel(x, y, Rgb(c));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_pngs_that_differ_by_seed_and_repeat_for_a_seed() {
        let a = demo_picture(1, 320, 200);
        assert!(a.starts_with(b"\x89PNG"));
        assert_eq!(a, demo_picture(1, 320, 200));
        assert_ne!(a, demo_picture(2, 320, 200));
        let processed = crate::process_image(&a).unwrap();
        assert_eq!((processed.display_width, processed.display_height), (320, 200));
    }
}
