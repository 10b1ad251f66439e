//! Photo uploads for the public portal (图片新闻): checks what an uploaded file really is by its
//! content, refuses anything too large to handle, and re-encodes it as two pictures: a display
//! copy at most 1200 px wide and a thumbnail at most 360 px wide.
//!
//! Both copies are encoded afresh from the pixels, so nothing of the original file survives but
//! the picture: EXIF (camera, time, GPS position), XMP, comments and colour profiles are all
//! dropped. A phone photo's EXIF orientation is applied to the pixels first, so that it does
//! not come out sideways once the EXIF is gone. An animated GIF keeps its first frame only.

use std::io::Cursor;

// `::image` is the image crate; this module shares its name.
use ::image::codecs::jpeg::JpegEncoder;
use ::image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use ::image::imageops::FilterType;
use ::image::metadata::Orientation;
use ::image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// The largest upload accepted: 15 MB, more than any phone or camera photo needs.
pub const MAX_IMAGE_BYTES: usize = 15 * 1024 * 1024;

/// The most pixels a picture may have once decoded: 40 megapixels. A small file can claim a
/// huge size (a decompression bomb); this is checked against the header before any pixel
/// buffer is allocated.
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;

/// The most memory the pixels of one picture may take while it is turned upright and converted
/// to 8 bits: 256 MiB. Forty megapixels of 16-bit RGBA is 320 MB decoded, and twice that while
/// an EXIF rotation copies it; two such uploads at once would exhaust the server.
pub const MAX_IMAGE_MEMORY: u64 = 256 * 1024 * 1024;

/// The longest side the decoder will accept at all, whatever the pixel count.
const MAX_SIDE: u32 = 20_000;

/// The display copy is at most this wide; narrower pictures are never enlarged.
pub const DISPLAY_MAX_WIDTH: u32 = 1200;

/// The thumbnail is at most this wide.
pub const THUMB_MAX_WIDTH: u32 = 360;

/// JPEG quality for both copies: good for photographs at about a tenth of the raw size.
const JPEG_QUALITY: u8 = 82;

/// A picture ready to store and serve: two freshly encoded copies in the same format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedImage {
    /// The copy shown on the article page, at most 1200 px wide.
    pub display: Vec<u8>,
    pub display_width: u32,
    pub display_height: u32,
    /// The copy shown in lists, at most 360 px wide.
    pub thumb: Vec<u8>,
    pub thumb_width: u32,
    pub thumb_height: u32,
    /// "image/jpeg", or "image/png" for a picture with transparent parts.
    pub mime: &'static str,
    /// "jpg" or "png", without the dot.
    pub ext: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("图片过大：文件不能超过 15 MB")]
    TooLarge,
    #[error("不支持的图片格式：只接受 JPEG、PNG、GIF、WebP")]
    Unsupported,
    #[error("图片尺寸过大：不能超过 4000 万像素，宽和高都不能超过 20000 像素")]
    TooManyPixels,
    #[error("图片过大：解码后所需内存超过 256 MB（如 16 位色深的超大图片），请缩小尺寸或另存为普通 JPEG 后重新上传")]
    TooMuchMemory,
    #[error("图片已损坏或无法读取：{0}")]
    Corrupt(String),
    #[error("图片处理失败：{0}")]
    Encode(String),
}

/// Checks an uploaded picture and makes its display copy and thumbnail.
pub fn process_image(bytes: &[u8]) -> Result<ProcessedImage, ImageError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ImageError::TooLarge);
    }
    let format = sniff_image(bytes).ok_or(ImageError::Unsupported)?;
    // The JPEG decoder fills a cut-off picture with grey rather than fail; an upload that broke
    // off half way should be sent again, not published half grey.
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(ImageError::Corrupt("文件不完整，可能上传中断，请重新上传".to_string()));
    }
    let picture = decode(bytes, format)?;

    // PNG only where transparency matters; everything else is a photograph and JPEG suits it.
    let (picture, transparent) = to_8_bit(picture);

    let display = shrink_to_width(picture, DISPLAY_MAX_WIDTH);
    // The thumbnail is made from the display copy: as good, and far less work than the original.
    let thumb = shrink_to_width(display.clone(), THUMB_MAX_WIDTH);

    let (mime, ext) = if transparent { ("image/png", "png") } else { ("image/jpeg", "jpg") };
    Ok(ProcessedImage {
        display_width: display.width(),
        display_height: display.height(),
        display: encode(&display, transparent)?,
        thumb_width: thumb.width(),
        thumb_height: thumb.height(),
        thumb: encode(&thumb, transparent)?,
        mime,
        ext,
    })
}

/// The format by the file's first bytes, never by its name: a web page renamed .jpg is still
/// a web page.
fn sniff_image(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

/// Whether a JPEG runs on to its end-of-image marker. The header segments are stepped over by
/// their lengths (an EXIF thumbnail inside them has an end marker of its own); after the first
/// scan begins, an end marker can only be the real one, as the scan data never holds FF D9.
/// Bytes after the end (a phone's "motion photo" video) do no harm.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut at = 2; // after the start-of-image marker
    loop {
        let (Some(&0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else { return false };
        match marker {
            // Padding before a marker.
            0xFF => at += 1,
            // Start of scan: look for the end marker in what follows.
            0xDA => return bytes[at..].windows(2).any(|pair| pair == [0xFF, 0xD9]),
            // Markers without a length.
            0x01 | 0xD0..=0xD7 => at += 2,
            _ => {
                let (Some(&high), Some(&low)) = (bytes.get(at + 2), bytes.get(at + 3)) else { return false };
                at += 2 + usize::from(u16::from_be_bytes([high, low]));
            }
        }
    }
}

/// Decodes the picture, upright, after checking its size in the header.
fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, ImageError> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    // Room for the widest pixels we accept (16-bit RGBA) at the largest size.
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * 8);

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(decode_error)?;

    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS {
        return Err(ImageError::TooManyPixels);
    }
    // A broken EXIF block is no reason to refuse the photo: it is only shown as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    if memory_needed(width, height, decoder.color_type(), orientation) > MAX_IMAGE_MEMORY {
        return Err(ImageError::TooMuchMemory);
    }
    let mut picture = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

/// The most bytes of pixels alive at once while a picture of this header is decoded, turned
/// upright and converted to 8 bits (see `to_8_bit`): the decoded pixels, plus a second copy
/// while a quarter turn is applied, or the 8-bit copy while it is made, or an 8-bit RGBA and
/// RGB copy together while an opaque alpha channel is dropped.
fn memory_needed(width: u32, height: u32, color: ::image::ColorType, orientation: Orientation) -> u64 {
    use ::image::ColorType;
    let pixels = u64::from(width) * u64::from(height);
    let decoded = pixels * u64::from(color.bytes_per_pixel());
    let quarter_turn = matches!(
        orientation,
        Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH
    );
    let turning = if quarter_turn { decoded * 2 } else { decoded };
    let converting = match color {
        ColorType::Rgb8 | ColorType::Rgba8 => decoded,
        _ => decoded + pixels * 4,
    };
    let dropping_alpha = if color.has_alpha() { pixels * 7 } else { 0 };
    turning.max(converting).max(dropping_alpha)
}

fn decode_error(e: ::image::ImageError) -> ImageError {
    match e {
        ::image::ImageError::Limits(_) => ImageError::TooManyPixels,
        other => ImageError::Corrupt(other.to_string()),
    }
}

/// The picture as 8-bit RGBA if any pixel is less than fully opaque (and `true`), else as 8-bit
/// RGB. Many PNGs carry an alpha channel that is opaque everywhere; those are photographs and
/// go out as JPEG.
fn to_8_bit(picture: DynamicImage) -> (DynamicImage, bool) {
    if !picture.color().has_alpha() {
        return (DynamicImage::ImageRgb8(picture.into_rgb8()), false);
    }
    let rgba = picture.into_rgba8();
    if rgba.pixels().any(|p| p.0[3] < u8::MAX) {
        (DynamicImage::ImageRgba8(rgba), true)
    } else {
        (DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(rgba).into_rgb8()), false)
    }
}

/// Scales the picture down to at most `max_width` wide, keeping its proportions; a narrower
/// picture is returned as it is.
fn shrink_to_width(picture: DynamicImage, max_width: u32) -> DynamicImage {
    let (width, height) = (picture.width(), picture.height());
    if width <= max_width {
        return picture;
    }
    let new_height = (u64::from(height) * u64::from(max_width) + u64::from(width) / 2) / u64::from(width);
    // Never below one pixel, nor above the original (it is only ever shrunk).
    let new_height = u32::try_from(new_height).unwrap_or(height).clamp(1, height);
    // Catmull-Rom: sharp enough for photographs, and much cheaper than Lanczos.
    picture.resize_exact(max_width, new_height, FilterType::CatmullRom)
}

/// Encodes a copy as JPEG, or as PNG when it has transparent parts. Neither encoder is given
/// any metadata to write.
fn encode(picture: &DynamicImage, transparent: bool) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    let result = if transparent {
        let encoder = PngEncoder::new_with_quality(&mut out, CompressionType::Default, PngFilter::Adaptive);
        picture.write_with_encoder(encoder)
    } else {
        let encoder = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
        picture.write_with_encoder(encoder)
    };
    result.map_err(|e| ImageError::Encode(e.to_string()))?;
    Ok(out)
}
