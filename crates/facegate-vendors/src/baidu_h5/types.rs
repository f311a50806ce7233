//! The documented request and response bodies (seed 001), field names as the vendor spells
//! them. Personal data (names, ID numbers, addresses, images, tokens) is [`Pii`], so no
//! `Debug` prints it. Numbers the seed shows both ways parse from either form.

use std::collections::BTreeMap;

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
    /// Base64, no `data:` prefix; build it with [`super::MatchImage`] to check the limits.
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
