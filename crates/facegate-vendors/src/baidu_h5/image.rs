//! The reference image's limits, checked before uploadMatchImage spends a call: base64 of at
//! most 10 MB, a JPEG, PNG or BMP under 1920x1080 (seed 001, 对比图片上传接口: 编码后的图片大小
//! 不超过10M,图片分辨率小于1920*1080).
//!
//! The seed does not say whether a portrait 1080x1920 image fits; we read the limit as a box
//! in either orientation (long side <= 1920, short side <= 1080), as phones take portraits.

use base64::Engine as _;

/// Largest base64 text accepted: 10 MB.
pub const MAX_BASE64_BYTES: usize = 10 * 1024 * 1024;
/// The resolution box, long side by short side.
pub const MAX_LONG_SIDE: u32 = 1920;
pub const MAX_SHORT_SIDE: u32 = 1080;

/// Why an image cannot be uploaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the image is not valid base64")]
    NotBase64,
    #[error("the base64 image is {0} bytes; the vendor takes at most 10 MB")]
    TooLarge(usize),
    #[error("the image is neither JPEG, PNG nor BMP, or its header is damaged")]
    UnknownFormat,
    #[error("the image is {width}x{height}; the vendor takes at most 1920x1080")]
    ResolutionTooHigh { width: u32, height: u32 },
}

/// A reference image that passed the checks: base64 text without a `data:` prefix.
#[derive(Clone, PartialEq, Eq)]
pub struct MatchImage {
    base64: String,
    width: u32,
    height: u32,
}

impl std::fmt::Debug for MatchImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "MatchImage({}x{}, {} base64 bytes)",
            self.width,
            self.height,
            self.base64.len()
        )
    }
}

impl MatchImage {
    /// Checks base64 text (a `data:image/...;base64,` prefix is dropped).
    pub fn from_base64(text: &str) -> Result<Self, ImageError> {
        let text = match text.strip_prefix("data:") {
            Some(rest) => rest.split_once(',').map(|(_, data)| data).unwrap_or(rest),
            None => text,
        };
        let text = text.trim();
        if text.len() > MAX_BASE64_BYTES {
            return Err(ImageError::TooLarge(text.len()));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| ImageError::NotBase64)?;
        let (width, height) = dimensions(&bytes).ok_or(ImageError::UnknownFormat)?;
        let (long, short) = (width.max(height), width.min(height));
        if long > MAX_LONG_SIDE || short > MAX_SHORT_SIDE {
            return Err(ImageError::ResolutionTooHigh { width, height });
        }
        Ok(Self {
            base64: text.to_owned(),
            width,
            height,
        })
    }

    /// Checks raw image bytes and encodes them.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ImageError> {
        Self::from_base64(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn base64(&self) -> &str {
        &self.base64
    }

    pub fn dimensions(&self) -> (u32, u32) {
        (self.width, self.height)
    }
}

/// Width and height from a JPEG, PNG or BMP header.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return png(bytes);
    }
    if bytes.starts_with(&[0xFF, 0xD8]) {
        return jpeg(bytes);
    }
    if bytes.starts_with(b"BM") {
        return bmp(bytes);
    }
    None
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn be_u16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn png(bytes: &[u8]) -> Option<(u32, u32)> {
    // The first chunk is IHDR: length(4) "IHDR"(4) width(4) height(4).
    if bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let (width, height) = (be_u32(bytes, 16)?, be_u32(bytes, 20)?);
    (width > 0 && height > 0).then_some((width, height))
}

fn jpeg(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        // Markers may be padded with any number of 0xFF bytes.
        while *bytes.get(at)? == 0xFF && *bytes.get(at + 1)? == 0xFF {
            at += 1;
        }
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        match marker {
            // Stand-alone markers carry no length.
            0x01 | 0xD0..=0xD7 => at += 2,
            // Start of scan or end of image before any frame header.
            0xD9 | 0xDA => return None,
            // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let height = u32::from(be_u16(bytes, at + 5)?);
                let width = u32::from(be_u16(bytes, at + 7)?);
                return (width > 0 && height > 0).then_some((width, height));
            }
            _ => {
                let length = usize::from(be_u16(bytes, at + 2)?);
                if length < 2 {
                    return None;
                }
                at += 2 + length;
            }
        }
    }
}

fn bmp(bytes: &[u8]) -> Option<(u32, u32)> {
    let width = i32::from_le_bytes(bytes.get(18..22)?.try_into().ok()?);
    // A negative height marks a top-down bitmap.
    let height = i32::from_le_bytes(bytes.get(22..26)?.try_into().ok()?);
    let (width, height) = (width.unsigned_abs(), height.unsigned_abs());
    (width > 0 && height > 0).then_some((width, height))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A PNG header (signature and IHDR) of the given size; enough for the parser.
    pub(crate) fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        bytes
    }

    /// A JPEG with an APP0 segment before its SOF0 frame header.
    pub(crate) fn jpeg_header(width: u16, height: u16) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        bytes.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        bytes.extend_from_slice(&[0xFF, 0xFF, 0xC0, 0x00, 0x11, 0x08]);
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
        bytes
    }

    #[test]
    fn reads_png_jpeg_and_bmp_sizes() {
        assert_eq!(dimensions(&png_header(640, 480)), Some((640, 480)));
        assert_eq!(dimensions(&jpeg_header(1080, 1920)), Some((1080, 1920)));
        let mut bmp = b"BM".to_vec();
        bmp.resize(18, 0);
        bmp.extend_from_slice(&800i32.to_le_bytes());
        bmp.extend_from_slice(&(-600i32).to_le_bytes());
        assert_eq!(dimensions(&bmp), Some((800, 600)));
        assert_eq!(dimensions(b"GIF89a...."), None);
        assert_eq!(dimensions(&jpeg_header(10, 10)[..12]), None);
    }

    #[test]
    fn the_seeds_truncated_jpeg_example_is_refused_not_misread() {
        // The seed's uploadMatchImage example image, "/9j/4AAQSkZJRgABAQAAAQABAAD/", is the
        // first bytes of a JPEG with no frame header: no size, so no upload.
        assert_eq!(
            MatchImage::from_base64("/9j/4AAQSkZJRgABAQAAAQABAAD/"),
            Err(ImageError::UnknownFormat)
        );
    }

    #[test]
    fn enforces_the_box_and_the_size() {
        let ok = MatchImage::from_bytes(&png_header(1920, 1080)).unwrap();
        assert_eq!(ok.dimensions(), (1920, 1080));
        assert!(MatchImage::from_bytes(&jpeg_header(1080, 1920)).is_ok());
        assert_eq!(
            MatchImage::from_bytes(&png_header(1921, 1000)),
            Err(ImageError::ResolutionTooHigh {
                width: 1921,
                height: 1000
            })
        );
        assert!(MatchImage::from_bytes(&jpeg_header(1200, 1200)).is_err());
        assert_eq!(
            MatchImage::from_base64("not base64!"),
            Err(ImageError::NotBase64)
        );
        let huge = "A".repeat(MAX_BASE64_BYTES + 4);
        assert_eq!(
            MatchImage::from_base64(&huge),
            Err(ImageError::TooLarge(MAX_BASE64_BYTES + 4))
        );
        let data_url = format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png_header(2, 3))
        );
        let image = MatchImage::from_base64(&data_url).unwrap();
        assert!(!image.base64().starts_with("data:"));
        assert_eq!(format!("{image:?}"), "MatchImage(2x3, 44 base64 bytes)");
    }
}
