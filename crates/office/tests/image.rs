//! Photo uploads: pictures made here in code, some with a phone's EXIF block spliced in by
//! hand, go through `process_image`; what comes out is decoded again and looked at.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use office::{ImageError, MAX_IMAGE_BYTES, process_image};

/// A photograph-like picture: smooth colour gradients, so that JPEG sizes are realistic.
fn photo(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, ((x + y) % 256) as u8])
    })
}

fn encode(picture: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    picture.write_to(&mut Cursor::new(&mut bytes), format).unwrap();
    bytes
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode(&DynamicImage::ImageRgb8(photo(width, height)), ImageFormat::Jpeg)
}

fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).unwrap()
}

/// The size an encoded picture says it is, read from its header.
fn dimensions(bytes: &[u8]) -> (u32, u32) {
    image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().unwrap().into_dimensions().unwrap()
}

/// The error, or "Ok" (a whole picture is too long to print).
fn outcome(result: Result<office::ProcessedImage, ImageError>) -> Result<(), ImageError> {
    result.map(|_| ())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The GPS position Wuhan-ish, as the rational numbers a phone writes.
const LATITUDE: [(u32, u32); 3] = [(30, 1), (35, 1), (123_456, 10_000)];
const LONGITUDE: [(u32, u32); 3] = [(114, 1), (17, 1), (654_321, 10_000)];
const MAP_DATUM: &[u8] = b"WGS-84\0";

fn rational_bytes(values: [(u32, u32); 3]) -> Vec<u8> {
    values.iter().flat_map(|(n, d)| n.to_be_bytes().into_iter().chain(d.to_be_bytes())).collect()
}

/// An APP1 "Exif" segment as a phone writes one: a big-endian TIFF block whose first IFD has
/// the orientation and a pointer to a GPS IFD, which has latitude, longitude and map datum.
fn exif_segment(orientation: u16) -> Vec<u8> {
    fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        out.extend(tag.to_be_bytes());
        out.extend(kind.to_be_bytes());
        out.extend(count.to_be_bytes());
        out.extend(value);
    }
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;
    const RATIONAL: u16 = 5;
    // Offsets from the start of the TIFF header: IFD0 (2 entries) at 8, the GPS IFD
    // (5 entries) after it, then the values too long to fit in an entry.
    let gps_ifd: u32 = 8 + 2 + 2 * 12 + 4;
    let latitude_at = gps_ifd + 2 + 5 * 12 + 4;
    let longitude_at = latitude_at + 24;
    let datum_at = longitude_at + 24;

    let mut tiff = b"MM\0\x2a".to_vec();
    tiff.extend(8u32.to_be_bytes());
    tiff.extend(2u16.to_be_bytes());
    let [o1, o2] = orientation.to_be_bytes();
    entry(&mut tiff, 0x0112, SHORT, 1, [o1, o2, 0, 0]);
    entry(&mut tiff, 0x8825, LONG, 1, gps_ifd.to_be_bytes());
    tiff.extend(0u32.to_be_bytes());
    assert_eq!(tiff.len() as u32, gps_ifd);
    tiff.extend(5u16.to_be_bytes());
    entry(&mut tiff, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut tiff, 0x0002, RATIONAL, 3, latitude_at.to_be_bytes());
    entry(&mut tiff, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut tiff, 0x0004, RATIONAL, 3, longitude_at.to_be_bytes());
    entry(&mut tiff, 0x0012, ASCII, MAP_DATUM.len() as u32, datum_at.to_be_bytes());
    tiff.extend(0u32.to_be_bytes());
    assert_eq!(tiff.len() as u32, latitude_at);
    tiff.extend(rational_bytes(LATITUDE));
    tiff.extend(rational_bytes(LONGITUDE));
    tiff.extend(MAP_DATUM);

    let mut segment = vec![0xFF, 0xE1];
    segment.extend(((2 + 6 + tiff.len()) as u16).to_be_bytes());
    segment.extend(b"Exif\0\0");
    segment.extend(tiff);
    segment
}

/// A JPEG with the EXIF segment right after the start-of-image marker, where cameras put it.
fn jpeg_with_exif(picture: &RgbImage, orientation: u16) -> Vec<u8> {
    let plain = encode(&DynamicImage::ImageRgb8(picture.clone()), ImageFormat::Jpeg);
    assert_eq!(&plain[..2], &[0xFF, 0xD8]);
    let mut bytes = plain[..2].to_vec();
    bytes.extend(exif_segment(orientation));
    bytes.extend(&plain[2..]);
    bytes
}

#[test]
fn exif_and_gps_are_gone_from_both_copies() {
    let input = jpeg_with_exif(&photo(1300, 975), 1);
    assert!(contains(&input, b"Exif\0\0"));
    assert!(contains(&input, &rational_bytes(LATITUDE)));
    assert!(contains(&input, &rational_bytes(LONGITUDE)));
    assert!(contains(&input, MAP_DATUM));

    let out = process_image(&input).unwrap();
    assert_eq!((out.mime, out.ext), ("image/jpeg", "jpg"));
    for copy in [&out.display, &out.thumb] {
        assert!(copy.starts_with(&[0xFF, 0xD8, 0xFF]));
        assert!(!contains(copy, b"Exif"));
        assert!(!contains(copy, &rational_bytes(LATITUDE)));
        assert!(!contains(copy, &rational_bytes(LONGITUDE)));
        assert!(!contains(copy, MAP_DATUM));
        // No APP1 (EXIF, XMP) segment at all.
        assert!(!contains(copy, &[0xFF, 0xE1]));
    }
    assert_eq!((out.display_width, out.display_height), (1200, 900));
}

#[test]
fn a_sideways_phone_photo_is_turned_upright() {
    // Stored 300×200 with the left half red and the right half blue; orientation 6 says the
    // camera was turned, so it shows 200×300 with red on top.
    let stored = RgbImage::from_fn(300, 200, |x, _| if x < 150 { Rgb([220, 0, 0]) } else { Rgb([0, 0, 220]) });
    let out = process_image(&jpeg_with_exif(&stored, 6)).unwrap();
    assert_eq!((out.display_width, out.display_height), (200, 300));
    let shown = decode(&out.display).to_rgb8();
    assert_eq!(shown.dimensions(), (200, 300));
    let top = shown.get_pixel(100, 20).0;
    let bottom = shown.get_pixel(100, 280).0;
    assert!(top[0] > 150 && top[2] < 80, "top should be red: {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 80, "bottom should be blue: {bottom:?}");
    assert!(!contains(&out.display, b"Exif"));
}

#[test]
fn a_large_photo_is_scaled_down_keeping_its_shape() {
    let out = process_image(&jpeg(1500, 1125)).unwrap();
    assert_eq!((out.display_width, out.display_height), (1200, 900));
    assert_eq!((out.thumb_width, out.thumb_height), (360, 270));
    assert_eq!(dimensions(&out.display), (1200, 900));
    assert_eq!(dimensions(&out.thumb), (360, 270));

    // A tall picture is bounded by its width only.
    let out = process_image(&jpeg(500, 1000)).unwrap();
    assert_eq!((out.display_width, out.display_height), (500, 1000));
    assert_eq!((out.thumb_width, out.thumb_height), (360, 720));
}

#[test]
fn a_small_photo_is_not_enlarged() {
    let out = process_image(&jpeg(800, 600)).unwrap();
    assert_eq!((out.display_width, out.display_height), (800, 600));
    assert_eq!((out.thumb_width, out.thumb_height), (360, 270));

    let out = process_image(&jpeg(300, 200)).unwrap();
    assert_eq!((out.display_width, out.display_height), (300, 200));
    assert_eq!((out.thumb_width, out.thumb_height), (300, 200));
    assert_eq!(dimensions(&out.thumb), (300, 200));
}

#[test]
fn a_png_with_transparency_stays_png() {
    // A round logo on a transparent background.
    let logo = RgbaImage::from_fn(1300, 650, |x, y| {
        let (dx, dy) = (x as i64 - 650, y as i64 - 325);
        if dx * dx + dy * dy < 300 * 300 { Rgba([200, 30, 30, 255]) } else { Rgba([0, 0, 0, 0]) }
    });
    let out = process_image(&encode(&DynamicImage::ImageRgba8(logo), ImageFormat::Png)).unwrap();
    assert_eq!((out.mime, out.ext), ("image/png", "png"));
    assert!(out.display.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(out.thumb.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!((out.display_width, out.display_height), (1200, 600));
    assert_eq!((out.thumb_width, out.thumb_height), (360, 180));
    let shown = decode(&out.display).to_rgba8();
    assert_eq!(shown.get_pixel(5, 5).0[3], 0, "the corner stays transparent");
    assert_eq!(shown.get_pixel(600, 300).0[3], 255, "the middle stays opaque");
}

#[test]
fn a_png_whose_alpha_is_all_opaque_becomes_jpeg() {
    let opaque = RgbaImage::from_fn(400, 300, |x, y| Rgba([x as u8, y as u8, 90, 255]));
    let out = process_image(&encode(&DynamicImage::ImageRgba8(opaque), ImageFormat::Png)).unwrap();
    assert_eq!((out.mime, out.ext), ("image/jpeg", "jpg"));
    assert!(out.display.starts_with(&[0xFF, 0xD8, 0xFF]));
}

#[test]
fn gif_and_webp_are_accepted() {
    let picture = DynamicImage::ImageRgb8(photo(320, 240));
    for format in [ImageFormat::Gif, ImageFormat::WebP, ImageFormat::Png] {
        let out = process_image(&encode(&picture, format)).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!(out.mime, "image/jpeg", "{format:?}");
        assert_eq!((out.display_width, out.display_height), (320, 240), "{format:?}");
    }
}

#[test]
fn what_is_not_a_picture_is_refused_whatever_it_is_called() {
    let refused: [&[u8]; 6] = [
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><rect width=\"10\"/></svg>",
        b"%PDF-1.4\n1 0 obj << >> endobj\n",
        b"BM\x36\x00\x00\x00\x00\x00",
        b"",
        b"\xFF\xD8",
    ];
    for bytes in refused {
        assert_eq!(outcome(process_image(bytes)), Err(ImageError::Unsupported), "{:?}", String::from_utf8_lossy(bytes));
    }
    assert_eq!(process_image(b"<html>").unwrap_err().to_string(), "不支持的图片格式：只接受 JPEG、PNG、GIF、WebP");
}

#[test]
fn a_truncated_or_damaged_picture_is_an_error_not_a_panic() {
    let whole = jpeg(640, 480);
    for cut in [3, 20, 100, 400, whole.len() / 3, whole.len() - 2] {
        let result = outcome(process_image(&whole[..cut]));
        assert!(matches!(result, Err(ImageError::Corrupt(_))), "cut at {cut}: {result:?}");
    }
    assert_eq!(
        process_image(&whole[..whole.len() / 2]).unwrap_err().to_string(),
        "图片已损坏或无法读取：文件不完整，可能上传中断，请重新上传"
    );
    // A phone's photo with a video appended after the picture is whole.
    let mut motion_photo = whole.clone();
    motion_photo.extend(b"\0\0\0\x18ftypmp42 and then a video");
    assert_eq!(outcome(process_image(&motion_photo)), Ok(()));

    let picture = DynamicImage::ImageRgb8(photo(320, 240));
    for format in [ImageFormat::Png, ImageFormat::Gif, ImageFormat::WebP] {
        let bytes = encode(&picture, format);
        let result = outcome(process_image(&bytes[..bytes.len() / 2]));
        assert!(matches!(result, Err(ImageError::Corrupt(_))), "{format:?}: {result:?}");
    }

    // The scan data overwritten with noise: whatever happens, no panic.
    let mut noisy = whole.clone();
    let start = noisy.len() / 2;
    for (i, byte) in noisy[start..].iter_mut().enumerate() {
        *byte = (i * 7919 % 251) as u8;
    }
    let _ = process_image(&noisy);
}

/// Rewrites the size in a JPEG's frame header, as a decompression bomb would claim it.
fn with_claimed_size(mut bytes: Vec<u8>, width: u16, height: u16) -> Vec<u8> {
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline frame header");
    // FF C0, length (2), precision (1), height (2), width (2).
    bytes[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    bytes
}

/// A PNG of just a header claiming the given size: a few dozen bytes.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    png_header(width, height, 8) // 8-bit RGBA
}

/// A PNG of just a header claiming the given size, RGBA with `bit_depth` bits per channel.
fn png_header(width: u32, height: u32, bit_depth: u8) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    }
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([bit_depth, 6, 0, 0, 0]); // RGBA
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn a_header_claiming_too_many_pixels_is_refused_before_decoding() {
    let small = jpeg(64, 48);
    // Each side within bounds, but 48 megapixels.
    assert_eq!(outcome(process_image(&with_claimed_size(small.clone(), 8000, 6000))), Err(ImageError::TooManyPixels));
    // A side beyond any photo.
    assert_eq!(outcome(process_image(&with_claimed_size(small, 65_000, 65_000))), Err(ImageError::TooManyPixels));
    assert_eq!(outcome(process_image(&png_claiming(100_000, 100_000))), Err(ImageError::TooManyPixels));
    assert_eq!(outcome(process_image(&png_claiming(7000, 7000))), Err(ImageError::TooManyPixels));
    assert_eq!(
        ImageError::TooManyPixels.to_string(),
        "图片尺寸过大：不能超过 4000 万像素，宽和高都不能超过 20000 像素"
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_unread() {
    let mut bytes = vec![0u8; MAX_IMAGE_BYTES + 1];
    bytes[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    assert_eq!(outcome(process_image(&bytes)), Err(ImageError::TooLarge));
}

/// A full-size phone photo (4000×3000 with EXIF) comes out at display and thumbnail size,
/// far smaller than it went in. (Its speed is not a test's business; the image crates are
/// built optimised even in the test profile, so this stays quick.)
#[test]
fn a_12_megapixel_phone_photo_is_processed() {
    let input = jpeg_with_exif(&photo(4000, 3000), 1);
    let out = process_image(&input).unwrap();
    assert_eq!((out.display_width, out.display_height), (1200, 900));
    assert_eq!((out.thumb_width, out.thumb_height), (360, 270));
    assert!(out.display.len() * 4 < input.len(), "{} of {}", out.display.len(), input.len());
    assert!(out.thumb.len() < out.display.len());
}

/// 16-bit RGBA within the pixel limit still takes 8 bytes a pixel, and more while it is turned
/// and converted: refused by the header, before any pixel buffer exists.
#[test]
fn a_16_bit_picture_too_large_for_memory_is_refused_before_decoding() {
    // The attacker's 6324 × 6324: 40 million pixels, 320 MB decoded.
    assert_eq!(outcome(process_image(&png_header(6324, 6324, 16))), Err(ImageError::TooMuchMemory));
    assert_eq!(outcome(process_image(&png_header(6000, 5000, 16))), Err(ImageError::TooMuchMemory));
    // 12 megapixels of 16-bit RGBA passes the check (and then fails as the empty picture it is).
    assert!(matches!(process_image(&png_header(4000, 3000, 16)), Err(ImageError::Corrupt(_))));
    assert!(ImageError::TooMuchMemory.to_string().contains("256 MB"));
}

/// A 24-megapixel camera photo, turned a quarter by its EXIF, is well within the memory budget.
#[test]
fn a_24_megapixel_sideways_photo_is_processed() {
    let input = jpeg_with_exif(&photo(6000, 4000), 6);
    let out = process_image(&input).unwrap();
    assert_eq!((out.display_width, out.display_height), (1200, 1800));
}
