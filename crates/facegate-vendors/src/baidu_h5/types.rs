//! The documented request and response bodies (seed 001), field names as the vendor spells
//! them, and the reference image checked before uploadMatchImage ([`MatchImage`]). Personal
//! data (names, ID numbers, addresses, images, tokens) is [`Pii`], so no `Debug` prints it.
//! Numbers the seed shows both ways parse from either form.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::wire::{opt_f64_or_string, opt_i64_or_string, opt_string_or_number, Pii};

/// `POST {aip}/oauth/2.0/token` answer. An error answer has `error` and `error_description`.
#[derive(Clone, Debug, Deserialize)]
pub struct TokenAnswer {
    #[serde(default)]
    pub access_token: Option<Pii>,
    /// Seconds; 2592000 (30 days).
    #[serde(default, deserialize_with = "opt_i64_or_string")]
    pub expires_in: Option<i64>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub error_description: Option<String>,
}

/// Every faceprint answer: `success`, `result`, `log_id`, and on failure an error code and
/// message.
#[derive(Clone, Debug, Deserialize)]
pub struct Answer<T> {
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default = "Option::default")]
    pub result: Option<T>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub log_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_msg: Option<String>,
}

/// `verifyToken/generate` request. The table types plan_id as a string, the example sends
/// `1`; both parse, and it is sent as the table's string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerateRequest {
    #[serde(deserialize_with = "crate::wire::string_or_number")]
    pub plan_id: String,
}

/// `verifyToken/generate` result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerateResult {
    pub verify_token: Pii,
}

/// 证件类型 of `idcard/submit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertificateType {
    /// 0 大陆居民二代身份证.
    MainlandIdCard,
    /// 4 港澳台居民居住证.
    HkMacaoTaiwanResidencePermit,
}

impl CertificateType {
    pub const fn code(self) -> u8 {
        match self {
            Self::MainlandIdCard => 0,
            Self::HkMacaoTaiwanResidencePermit => 4,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(Self::MainlandIdCard),
            4 => Some(Self::HkMacaoTaiwanResidencePermit),
            _ => None,
        }
    }
}

impl Serialize for CertificateType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for CertificateType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = crate::wire::i64_or_string(deserializer)?;
        Self::from_code(code).ok_or_else(|| {
            serde::de::Error::custom(format!("undocumented certificate_type {code}"))
        })
    }
}

/// `idcard/submit` request: the plan's 指定用户 mode, before the redirect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdCardSubmitRequest {
    pub verify_token: Pii,
    pub id_name: Pii,
    pub id_no: Pii,
    pub certificate_type: CertificateType,
}

/// 质量控制 / 活体控制 of `uploadMatchImage`; the vendor's default is `NONE`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Control {
    #[default]
    None,
    Low,
    Normal,
    High,
}

/// `uploadMatchImage` request: the plan's 自建人脸库 mode, before the redirect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadMatchImageRequest {
    pub verify_token: Pii,
    /// Base64, no `data:` prefix; build it with [`MatchImage`] to check the limits.
    pub image: Pii,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_control: Option<Control>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness_control: Option<Control>,
}

/// The body of every query after the flow (`result/*`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyTokenRequest {
    pub verify_token: Pii,
}

/// `result/simple` result: where to fetch the final face image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimpleResult {
    /// A URL that carries the verify_token.
    pub image: Pii,
}

/// `result/detail` result (only returned when the verification passed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DetailResult {
    #[serde(default)]
    pub verify_result: Option<VerifyScores>,
    #[serde(default)]
    pub idcard_ocr_result: Option<IdCardOcr>,
    #[serde(default)]
    pub idcard_images: Option<IdCardImages>,
    #[serde(default)]
    pub idcard_confirm: Option<IdCardConfirm>,
    /// The table lists 是否降级 beside verify_result; it is read at either level.
    #[serde(default)]
    pub is_demote: Option<bool>,
}

/// `verify_result` of detail.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifyScores {
    /// Face similarity, 0..100; 0 when the plan does liveness only.
    #[serde(default, deserialize_with = "opt_f64_or_string")]
    pub score: Option<f64>,
    /// 0 when liveness failed.
    #[serde(default, deserialize_with = "opt_f64_or_string")]
    pub liveness_score: Option<f64>,
    /// Synthetic-image score; 0 when not checked.
    #[serde(default, deserialize_with = "opt_f64_or_string")]
    pub spoofing: Option<f64>,
    #[serde(default)]
    pub is_demote: Option<bool>,
}

/// The ID card as OCR read it. detail spells the number `id_card_number`, getall
/// `idcard_number`: both parse.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdCardOcr {
    #[serde(default)]
    pub address: Option<Pii>,
    #[serde(default)]
    pub birthday: Option<Pii>,
    #[serde(default)]
    pub name: Option<Pii>,
    #[serde(default, alias = "idcard_number")]
    pub id_card_number: Option<Pii>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub idcard_type: Option<String>,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub nation: Option<String>,
    #[serde(default)]
    pub expire_time: Option<String>,
    #[serde(default)]
    pub issue_authority: Option<String>,
    #[serde(default)]
    pub issue_time: Option<String>,
}

/// The ID card photos: base64 in detail, download URLs in getall.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdCardImages {
    #[serde(default)]
    pub front_base64: Option<Pii>,
    #[serde(default)]
    pub back_base64: Option<Pii>,
    #[serde(default)]
    pub front_image: Option<Pii>,
    #[serde(default)]
    pub back_image: Option<Pii>,
}

/// What the user typed or confirmed. getall's example nests the OCR result and images here,
/// its table puts them beside: both parse.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdCardConfirm {
    #[serde(default)]
    pub name: Option<Pii>,
    #[serde(default, alias = "id_card_number")]
    pub idcard_number: Option<Pii>,
    /// "0" for a mainland ID card.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub idcard_type: Option<String>,
    #[serde(default)]
    pub idcard_ocr_result: Option<IdCardOcr>,
    #[serde(default)]
    pub idcard_images: Option<IdCardImages>,
}

/// One `error_code` / `count` pair of `result/stat`; both documented as numbers and strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatEntry {
    #[serde(deserialize_with = "crate::wire::string_or_number")]
    pub error_code: String,
    #[serde(deserialize_with = "crate::wire::i64_or_string")]
    pub count: i64,
}

/// `result/stat` result: per backend interface, the calls by error code. Interfaces the seed
/// does not name are kept in `other`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatResult {
    #[serde(rename = "Verify_FIN", default)]
    pub verify_fin: Vec<StatEntry>,
    #[serde(rename = "Sessioncode", default)]
    pub sessioncode: Vec<StatEntry>,
    #[serde(rename = "OCR", default)]
    pub ocr: Vec<StatEntry>,
    #[serde(default)]
    pub verify: Vec<StatEntry>,
    #[serde(rename = "VideoLiveness", default)]
    pub video_liveness: Vec<StatEntry>,
    #[serde(rename = "Livenesscolorful", default)]
    pub liveness_colorful: Vec<StatEntry>,
    #[serde(rename = "VerifySec", default)]
    pub verify_sec: Vec<StatEntry>,
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

/// `result/media/query` result: video and image URLs, kept one day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaResult {
    #[serde(rename = "processVideo", alias = "process_video", default)]
    pub process_video: Option<Vec<String>>,
    #[serde(default)]
    pub video: Option<Vec<String>>,
    #[serde(default)]
    pub images: Option<Vec<String>>,
    /// An error met while processing the video, if any.
    #[serde(rename = "extInfo", alias = "ext_info", default)]
    pub ext_info: Option<String>,
}

/// `result/getall` result: every attempt on the verify_token and what was charged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GetAllResult {
    #[serde(default, deserialize_with = "opt_i64_or_string")]
    pub verify_count: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64_or_string")]
    pub ocr_charge_count: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64_or_string")]
    pub match_charge_count: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64_or_string")]
    pub verify_charge_count: Option<i64>,
    #[serde(default)]
    pub verify_result: Vec<VerifyAttempt>,
}

/// One attempt in getall.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifyAttempt {
    #[serde(default, deserialize_with = "opt_i64_or_string")]
    pub order: Option<i64>,
    #[serde(default)]
    pub is_verify_passed: bool,
    /// "0" when passed.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// `2023-6-20 18:00:00`.
    #[serde(default)]
    pub verify_time: Option<String>,
    #[serde(default)]
    pub is_charged: Option<bool>,
    /// `verify` (人脸实名认证V4) or `match` (人脸对比V4).
    #[serde(default)]
    pub charge_type: Option<String>,
    #[serde(default)]
    pub charge_time: Option<String>,
    #[serde(default)]
    pub is_ocr_charge: Option<bool>,
    #[serde(default)]
    pub ocr_charge_time: Option<String>,
    #[serde(default, deserialize_with = "opt_i64_or_string")]
    pub ocr_count: Option<i64>,
    #[serde(default)]
    pub verify_detail: Option<VerifyDetail>,
    #[serde(default)]
    pub idcard_confirm: Option<IdCardConfirm>,
    #[serde(default)]
    pub idcard_ocr_result: Option<IdCardOcr>,
    #[serde(default)]
    pub idcard_images: Option<IdCardImages>,
}

/// `verify_detail` of one attempt.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifyDetail {
    #[serde(default)]
    pub face_image: Option<Pii>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub verify_log_id: Option<String>,
    /// Similarity; the same person when >= threshold. Empty when the name did not match or
    /// liveness failed.
    #[serde(default, deserialize_with = "opt_f64_or_string")]
    pub score: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64_or_string")]
    pub threshold: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64_or_string")]
    pub liveness_score: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64_or_string")]
    pub spoofing_score: Option<f64>,
    /// "1" or "2": a security risk was found; "3" or "4": none.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub risk_level: Option<String>,
    #[serde(default)]
    pub risk_tag: Option<String>,
    #[serde(default)]
    pub is_demote: Option<bool>,
}

impl VerifyDetail {
    /// Whether the vendor's risk control flagged the attempt (risk_level 1 or 2).
    pub fn is_risky(&self) -> bool {
        matches!(self.risk_level.as_deref().map(str::trim), Some("1" | "2"))
    }
}

// ---------------------------------------------------------------------------------------------
// The reference image
// ---------------------------------------------------------------------------------------------

// The reference image's limits, checked before uploadMatchImage spends a call: base64 of at
// most 10 MB, a JPEG, PNG or BMP under 1920x1080 (seed 001, 对比图片上传接口: 编码后的图片大小
// 不超过10M,图片分辨率小于1920*1080).
//
// The seed does not say whether a portrait 1080x1920 image fits; we read the limit as a box
// in either orientation (long side <= 1920, short side <= 1080), as phones take portraits.

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
mod tests {
    use super::*;

    /// A PNG header (signature and IHDR) of the given size; enough for the parser.
    fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        bytes
    }

    /// A JPEG with an APP0 segment before its SOF0 frame header.
    fn jpeg_header(width: u16, height: u16) -> Vec<u8> {
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
