//! Megvii FaceID Lite H5 through the Aliyun API market: `shared/seeds/004_3876bf03ac99d3b9.txt`,
//! section "H5接入流程": step 1 `get_biz_token`, step 2 the Lite URL
//! `{h5}/lite/v1/do/{biz_token}`, step 3 `get_result`, and the notify (`data` form field).
//!
//! - Every call carries `Authorization: APPCODE <code>` (the Aliyun market's key).
//! - `get_biz_token` is form-urlencoded, or multipart when `image_ref1` / `image_ref2` are sent
//!   (the seed types them `File`). Its arguments are checked here as the vendor checks them, so
//!   a bad one fails before a call is spent, with the vendor's own `BAD_ARGUMENTS:<key>` shape.
//! - HTTP errors: 400 `MISSING_ARGUMENTS:<key>` / `BAD_ARGUMENTS:<key>` become
//!   [`VendorError::InvalidRequest`] with `field = key`; 403 `AUTHORIZATION_ERROR:<why>`
//!   [`VendorError::Unauthorized`]; 413 [`VendorError::InvalidRequest`] (`REQUEST_ENTITY_TOO_LARGE`);
//!   429 `CONCURRENCY_LIMIT_EXCEEDED` [`VendorError::RateLimited`]; 5xx [`VendorError::Unavailable`].
//! - The verdict: `result_code` 1000 and, for every comparison the answer carries, `confidence`
//!   at or above the threshold that the session's `security_level` selects. The seed names the
//!   levels (1 宽松, 2 常规, 3 严格) and the thresholds (1e-3 .. 1e-6) but not how they pair;
//!   facegate uses 1 -> `1e-3`, 2 -> `1e-4`, 3 -> `1e-5` (VENDORS.md), and keeps the confidence
//!   and that threshold in [`Scores`].
//! - 9000 `LIVING_NOT_START` is not a verdict: the user has not finished (see [`ResultState`]).

use std::time::Duration;

use facegate_types::{ConfirmedBy, FailureReason, Scores, VerificationResult};
use reqwest::header::{HeaderMap, AUTHORIZATION, RETRY_AFTER};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::wire::{self, Pii};
use crate::VendorError;

/// The documented request size limit (HTTP 413 above it).
pub const MAX_REQUEST_BYTES: usize = 20 * 1024 * 1024;
/// `biz_no` and `uuid`: "不超过128字节".
pub const MAX_ID_BYTES: usize = 128;
/// The only documented `liveness_type`.
pub const LIVENESS_TYPE_VIDEO_NUMBER: &str = "video_number";

// ---------------------------------------------------------------------------------------------
// Wire types: get_biz_token
// ---------------------------------------------------------------------------------------------

/// `security_level`: how strict the face comparison is (default 2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum SecurityLevel {
    /// 1 宽松: the `1e-3` threshold.
    Loose,
    /// 2 常规 (the vendor's default): the `1e-4` threshold.
    #[default]
    Regular,
    /// 3 严格: the `1e-5` threshold.
    Strict,
}

impl SecurityLevel {
    pub const fn code(self) -> u8 {
        match self {
            Self::Loose => 1,
            Self::Regular => 2,
            Self::Strict => 3,
        }
    }

    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Loose),
            2 => Some(Self::Regular),
            3 => Some(Self::Strict),
            _ => None,
        }
    }

    /// The key in `thresholds` this level selects.
    pub const fn threshold_key(self) -> &'static str {
        match self {
            Self::Loose => "1e-3",
            Self::Regular => "1e-4",
            Self::Strict => "1e-5",
        }
    }

    /// The threshold this level selects from a comparison's `thresholds`.
    pub fn threshold(self, thresholds: &Thresholds) -> Option<f64> {
        match self {
            Self::Loose => thresholds.e3,
            Self::Regular => thresholds.e4,
            Self::Strict => thresholds.e5,
        }
    }
}

impl TryFrom<u8> for SecurityLevel {
    type Error = String;
    fn try_from(code: u8) -> Result<Self, Self::Error> {
        Self::from_code(code).ok_or_else(|| format!("security_level must be 1, 2 or 3, not {code}"))
    }
}

impl From<SecurityLevel> for u8 {
    fn from(level: SecurityLevel) -> u8 {
        level.code()
    }
}

/// `liveness_preferences`: 1 loose (3 of 4 digits read), 2 strict (all 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LivenessPreference {
    Loose,
    Strict,
}

impl LivenessPreference {
    pub const fn code(self) -> u8 {
        match self {
            Self::Loose => 1,
            Self::Strict => 2,
        }
    }
}

/// `idcard_side`: 0 both sides photographed (default), 1 the portrait side only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdcardSide {
    Both,
    PortraitOnly,
}

impl IdcardSide {
    pub const fn code(self) -> u8 {
        match self {
            Self::Both => 0,
            Self::PortraitOnly => 1,
        }
    }
}

/// A reference face photo (`image_ref1` / `image_ref2`), sent as a multipart file.
#[derive(Clone, PartialEq, Eq)]
pub struct ReferenceImage {
    pub bytes: Vec<u8>,
    /// The file name in the multipart part (`ref1.jpg` if empty).
    pub file_name: String,
}

impl ReferenceImage {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            file_name: String::new(),
        }
    }
}

impl std::fmt::Debug for ReferenceImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReferenceImage(<{} bytes>)", self.bytes.len())
    }
}

/// What the live face is compared with: `comparison_type` and `group`, with the arguments each
/// makes required ("条件必选").
#[derive(Clone, Debug, PartialEq)]
pub enum Comparison {
    /// `comparison_type=1, group=0`: the authority photo of the given name and ID number.
    Authority {
        idcard_name: Pii,
        idcard_number: Pii,
    },
    /// `comparison_type=1, group=1`: the authority photo of the ID card the page reads by OCR.
    AuthorityOcr {
        /// 0..1, default 0.8.
        idcard_threshold: Option<f64>,
        /// 1..5, default 3.
        idcard_retry_time: Option<u8>,
        idcard_side: Option<IdcardSide>,
    },
    /// `comparison_type=0`: the merchant's own reference photos.
    Reference {
        /// The user's stable id, at most 128 bytes.
        uuid: String,
        image_ref1: ReferenceImage,
        image_ref2: Option<ReferenceImage>,
    },
}

/// `POST /lite/v1/get_biz_token`: every documented argument.
#[derive(Clone, Debug, PartialEq)]
pub struct GetBizTokenRequest {
    /// Where the page sends the user when the flow ends (http or https).
    pub return_url: Url,
    /// Where FaceID POSTs the `data` form field when the flow ends (http or https).
    pub notify_url: Url,
    /// The merchant's business id, at most 128 bytes.
    pub biz_no: Option<String>,
    pub comparison: Comparison,
    pub security_level: Option<SecurityLevel>,
    pub liveness_preferences: Option<LivenessPreference>,
    /// 1..5, default 3.
    pub liveness_retry_count: Option<u8>,
}

impl GetBizTokenRequest {
    /// A request for the common case: the authority photo of a known person.
    pub fn authority(
        return_url: Url,
        notify_url: Url,
        idcard_name: impl Into<Pii>,
        idcard_number: impl Into<Pii>,
    ) -> Self {
        Self {
            return_url,
            notify_url,
            biz_no: None,
            comparison: Comparison::Authority {
                idcard_name: idcard_name.into(),
                idcard_number: idcard_number.into(),
            },
            security_level: None,
            liveness_preferences: None,
            liveness_retry_count: None,
        }
    }

    /// The text fields, checked as the vendor checks them. PII leaves its wrapper here only.
    pub fn form_fields(&self) -> Result<Vec<(&'static str, String)>, VendorError> {
        let mut fields = Vec::with_capacity(16);
        fields.push(("return_url", http_url("return_url", &self.return_url)?));
        fields.push(("notify_url", http_url("notify_url", &self.notify_url)?));
        if let Some(biz_no) = &self.biz_no {
            if biz_no.len() > MAX_ID_BYTES {
                return Err(bad_argument("biz_no", "at most 128 bytes"));
            }
            fields.push(("biz_no", biz_no.clone()));
        }
        match &self.comparison {
            Comparison::Authority {
                idcard_name,
                idcard_number,
            } => {
                if idcard_name.expose().trim().is_empty() {
                    return Err(missing_argument("idcard_name"));
                }
                if idcard_number.expose().trim().is_empty() {
                    return Err(missing_argument("idcard_number"));
                }
                fields.push(("comparison_type", "1".into()));
                fields.push(("group", "0".into()));
                fields.push(("idcard_name", idcard_name.expose().to_owned()));
                fields.push(("idcard_number", idcard_number.expose().to_owned()));
            }
            Comparison::AuthorityOcr {
                idcard_threshold,
                idcard_retry_time,
                idcard_side,
            } => {
                fields.push(("comparison_type", "1".into()));
                fields.push(("group", "1".into()));
                if let Some(threshold) = idcard_threshold {
                    if !(0.0..=1.0).contains(threshold) {
                        return Err(bad_argument("idcard_threshold", "a decimal in 0..1"));
                    }
                    fields.push(("idcard_threshold", threshold.to_string()));
                }
                if let Some(retries) = idcard_retry_time {
                    fields.push((
                        "idcard_retry_time",
                        one_to_five("idcard_retry_time", *retries)?,
                    ));
                }
                if let Some(side) = idcard_side {
                    fields.push(("idcard_side", side.code().to_string()));
                }
            }
            Comparison::Reference {
                uuid,
                image_ref1,
                image_ref2,
            } => {
                if uuid.is_empty() {
                    return Err(missing_argument("uuid"));
                }
                if uuid.len() > MAX_ID_BYTES {
                    return Err(bad_argument("uuid", "at most 128 bytes"));
                }
                if image_ref1.bytes.is_empty() {
                    return Err(missing_argument("image_ref1"));
                }
                if image_ref2
                    .as_ref()
                    .is_some_and(|image| image.bytes.is_empty())
                {
                    return Err(bad_argument("image_ref2", "an empty file"));
                }
                fields.push(("comparison_type", "0".into()));
                fields.push(("uuid", uuid.clone()));
            }
        }
        fields.push(("liveness_type", LIVENESS_TYPE_VIDEO_NUMBER.into()));
        if let Some(level) = self.security_level {
            fields.push(("security_level", level.code().to_string()));
        }
        if let Some(preference) = self.liveness_preferences {
            fields.push(("liveness_preferences", preference.code().to_string()));
        }
        if let Some(retries) = self.liveness_retry_count {
            fields.push((
                "liveness_retry_count",
                one_to_five("liveness_retry_count", retries)?,
            ));
        }
        Ok(fields)
    }

    /// The reference images to send as files, in order.
    pub fn images(&self) -> Vec<(&'static str, &ReferenceImage)> {
        match &self.comparison {
            Comparison::Reference {
                image_ref1,
                image_ref2,
                ..
            } => std::iter::once(("image_ref1", image_ref1))
                .chain(image_ref2.iter().map(|image| ("image_ref2", image)))
                .collect(),
            _ => Vec::new(),
        }
    }
}

fn http_url(key: &str, url: &Url) -> Result<String, VendorError> {
    if matches!(url.scheme(), "http" | "https") {
        Ok(url.as_str().to_owned())
    } else {
        Err(bad_argument(key, "must start with http or https"))
    }
}

fn one_to_five(key: &str, value: u8) -> Result<String, VendorError> {
    if (1..=5).contains(&value) {
        Ok(value.to_string())
    } else {
        Err(bad_argument(key, "1 to 5"))
    }
}

fn bad_argument(key: &str, why: &str) -> VendorError {
    VendorError::InvalidRequest {
        code: "BAD_ARGUMENTS".into(),
        message: format!("BAD_ARGUMENTS:{key} ({why}; checked before sending)"),
        field: Some(key.into()),
    }
}

fn missing_argument(key: &str) -> VendorError {
    VendorError::InvalidRequest {
        code: "MISSING_ARGUMENTS".into(),
        message: format!("MISSING_ARGUMENTS:{key} (checked before sending)"),
        field: Some(key.into()),
    }
}

/// The answer to `get_biz_token`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct BizToken {
    #[serde(default)]
    pub request_id: String,
    #[serde(default, deserialize_with = "wire::opt_i64_or_string")]
    pub time_used: Option<i64>,
    /// Single use, valid one hour; its result can be queried for a month.
    pub biz_token: Pii,
}

/// Every error answer: `{request_id, time_used, error}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ErrorAnswer {
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_i64_or_string")]
    pub time_used: Option<i64>,
    pub error: String,
}

// ---------------------------------------------------------------------------------------------
// Wire types: get_result
// ---------------------------------------------------------------------------------------------

/// `GET /lite/v1/get_result?biz_token=...`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct GetResult {
    #[serde(default)]
    pub request_id: String,
    #[serde(default, deserialize_with = "wire::opt_i64_or_string")]
    pub time_used: Option<i64>,
    #[serde(default)]
    pub biz_token: Option<Pii>,
    /// Empty when none was set.
    #[serde(default)]
    pub biz_no: Option<String>,
    /// Documented as a String; numbers accepted too.
    #[serde(deserialize_with = "wire::string_or_number")]
    pub result_code: String,
    #[serde(default)]
    pub result_message: String,
    /// "当前该字段为空列表": kept as whatever JSON arrives.
    #[serde(default)]
    pub action: Option<serde_json::Value>,
    #[serde(default)]
    pub images: Option<Images>,
    #[serde(default)]
    pub idcard_result: Option<IdcardResult>,
    #[serde(default)]
    pub verification: Option<Verification>,
}

/// `images`: base64 photos of the person and the ID card, never printed.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Images {
    #[serde(default)]
    pub image_best: Option<Pii>,
    #[serde(default)]
    pub idcard_frontside: Option<Pii>,
    #[serde(default)]
    pub idcard_backside: Option<Pii>,
    #[serde(default)]
    pub idcard_portrait: Option<Pii>,
}

/// `idcard_result`: what the ID card OCR read (group 1).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct IdcardResult {
    #[serde(default)]
    pub name: Option<Pii>,
    #[serde(default)]
    pub idcard_number: Option<Pii>,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub nationality: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_string_or_number")]
    pub birth_year: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_string_or_number")]
    pub birth_month: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_string_or_number")]
    pub birth_day: Option<String>,
    #[serde(default)]
    pub address: Option<Pii>,
    #[serde(default)]
    pub issued_by: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_string_or_number")]
    pub valid_date_start: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_string_or_number")]
    pub valid_date_end: Option<String>,
    #[serde(default)]
    pub frontside_legality: Option<Legality>,
    #[serde(default)]
    pub backside_legality: Option<Legality>,
    /// 0 complete; 1 incomplete but all content inside; 2 content cut off.
    #[serde(default, deserialize_with = "wire::opt_i64_or_string")]
    pub frontside_completeness: Option<i64>,
    #[serde(default, deserialize_with = "wire::opt_i64_or_string")]
    pub backside_completeness: Option<i64>,
    #[serde(default)]
    pub image_portrait: Option<Pii>,
}

/// `*_legality`: probabilities that the photo is each kind of document.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Legality {
    #[serde(
        rename = "Photocopy",
        default,
        deserialize_with = "wire::opt_f64_or_string"
    )]
    pub photocopy: Option<f64>,
    #[serde(
        rename = "Edited",
        default,
        deserialize_with = "wire::opt_f64_or_string"
    )]
    pub edited: Option<f64>,
    #[serde(
        rename = "ID_Photo",
        default,
        deserialize_with = "wire::opt_f64_or_string"
    )]
    pub id_photo: Option<f64>,
    #[serde(
        rename = "Screen",
        default,
        deserialize_with = "wire::opt_f64_or_string"
    )]
    pub screen: Option<f64>,
    #[serde(
        rename = "Temporary_ID_Photo",
        default,
        deserialize_with = "wire::opt_f64_or_string"
    )]
    pub temporary_id_photo: Option<f64>,
    #[serde(
        rename = "ID_Photo_Threshold",
        default,
        deserialize_with = "wire::opt_f64_or_string"
    )]
    pub id_photo_threshold: Option<f64>,
}

/// `verification`: the live photo against the authority photo and the reference photos.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Verification {
    #[serde(default)]
    pub idcard: Option<ComparisonScore>,
    #[serde(default)]
    pub ref1: Option<ComparisonScore>,
    #[serde(default)]
    pub ref2: Option<ComparisonScore>,
}

impl Verification {
    /// The comparisons present, named as on the wire.
    pub fn comparisons(&self) -> impl Iterator<Item = (&'static str, &ComparisonScore)> {
        [
            ("idcard", self.idcard.as_ref()),
            ("ref1", self.ref1.as_ref()),
            ("ref2", self.ref2.as_ref()),
        ]
        .into_iter()
        .filter_map(|(name, score)| score.map(|score| (name, score)))
    }
}

/// One comparison: `confidence` 0..100 and the reference thresholds.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ComparisonScore {
    #[serde(deserialize_with = "wire::f64_or_string")]
    pub confidence: f64,
    #[serde(default)]
    pub thresholds: Thresholds,
}

/// The thresholds by false-accept rate.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Thresholds {
    #[serde(rename = "1e-3", default, deserialize_with = "wire::opt_f64_or_string")]
    pub e3: Option<f64>,
    #[serde(rename = "1e-4", default, deserialize_with = "wire::opt_f64_or_string")]
    pub e4: Option<f64>,
    #[serde(rename = "1e-5", default, deserialize_with = "wire::opt_f64_or_string")]
    pub e5: Option<f64>,
    #[serde(rename = "1e-6", default, deserialize_with = "wire::opt_f64_or_string")]
    pub e6: Option<f64>,
}

// ---------------------------------------------------------------------------------------------
// Notify
// ---------------------------------------------------------------------------------------------

/// The notify: a form POST whose field `data` is a JSON string `{biz_token, error_code,
/// error_msg}` (codes as in the result table). Only a hint: ask [`FaceidLiteClient::get_result`].
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Notify {
    pub biz_token: Pii,
    #[serde(default, deserialize_with = "wire::opt_string_or_number")]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_msg: Option<String>,
}

/// Why a notify body was not understood.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotifyError {
    #[error("the notify has no `data` form field")]
    MissingData,
    #[error("the notify's `data` is not the documented JSON: {0}")]
    BadData(String),
}

impl Notify {
    /// Parses the raw `application/x-www-form-urlencoded` body of a notify POST.
    pub fn from_form(body: &[u8]) -> Result<Self, NotifyError> {
        let data = url::form_urlencoded::parse(body)
            .find(|(key, _)| key == "data")
            .map(|(_, value)| value.into_owned())
            .ok_or(NotifyError::MissingData)?;
        Self::from_data(&data)
    }

    /// Parses the `data` field's JSON string.
    pub fn from_data(data: &str) -> Result<Self, NotifyError> {
        serde_json::from_str(data).map_err(|error| NotifyError::BadData(error.to_string()))
    }
}

// ---------------------------------------------------------------------------------------------
// Result codes
// ---------------------------------------------------------------------------------------------

/// `result_code` 1000: the same person.
pub const RESULT_SUCCESS: &str = "1000";
/// `result_code` 9000: the user has not started (or finished) the flow.
pub const RESULT_NOT_STARTED: &str = "9000";

/// Every documented `(result_code, result_message)` and its reason (`None`: passed, for 1000;
/// 9000 is listed with `None` too but means "not yet", see [`ResultState`]).
pub const RESULT_CODES: &[(&str, &str, Option<FailureReason>)] = &[
    ("1000", "SUCCESS", None),
    (
        "2000",
        "PASS_LIVING_NOT_THE_SAME",
        Some(FailureReason::NotSamePerson),
    ),
    (
        "3000",
        "NO_ID_CARD_NUMBER",
        Some(FailureReason::IdentityMismatch),
    ),
    (
        "3000",
        "ID_NUMBER_NAME_NOT_MATCH",
        Some(FailureReason::IdentityMismatch),
    ),
    (
        "3100",
        "IDCARD_PHOTO_FRONTSIDE",
        Some(FailureReason::IdDocumentUnreadable),
    ),
    (
        "3100",
        "IDCARD_BACKSIDE_BLURRED",
        Some(FailureReason::IdDocumentUnreadable),
    ),
    (
        "3100",
        "NO_FACE_FOUND_IDCARD",
        Some(FailureReason::IdDocumentUnreadable),
    ),
    (
        "3100",
        "IDCARD_PHOTO_NOTFRONTSIDE",
        Some(FailureReason::IdDocumentUnreadable),
    ),
    (
        "3100",
        "IDCARD_PHOTO_NOTBACKSIDE",
        Some(FailureReason::IdDocumentUnreadable),
    ),
    (
        "3200",
        "FAIL_OCR_FAKE_IDCARD",
        Some(FailureReason::IdDocumentFake),
    ),
    (
        "4100",
        "FAIL_LIVING_FACE_ATTACK",
        Some(FailureReason::LivenessFailed),
    ),
    (
        "4100",
        "CHANGE_FACE_ATTACK",
        Some(FailureReason::LivenessFailed),
    ),
    ("4200", "NO_FACE_FOUND", Some(FailureReason::CaptureFailed)),
    (
        "4200",
        "FACE_QUALITY_TOO_LOW",
        Some(FailureReason::CaptureFailed),
    ),
    (
        "4200",
        "INVALID_VIDEO_DURATION",
        Some(FailureReason::CaptureFailed),
    ),
    (
        "4200",
        "VIDEO_TOO_LARGE",
        Some(FailureReason::CaptureFailed),
    ),
    ("4200", "SR_ERROR", Some(FailureReason::CaptureFailed)),
    (
        "4200",
        "NOT_SYNCHRONIZED",
        Some(FailureReason::CaptureFailed),
    ),
    ("4200", "NO_AUDIO", Some(FailureReason::CaptureFailed)),
    (
        "4200",
        "VIDEO_FORMAT_UNSUPPORTED",
        Some(FailureReason::CaptureFailed),
    ),
    (
        "4200",
        "LIP_VOICE_NOT_SYNC",
        Some(FailureReason::CaptureFailed),
    ),
    // Listed under 4200 by the seed although its text reads "usable"; 4200 is a capture failure.
    ("4200", "VIDEO_OK", Some(FailureReason::CaptureFailed)),
    (
        "4200",
        "VIDEO_MANY_TIMES",
        Some(FailureReason::CaptureFailed),
    ),
    (
        "4200",
        "VIDEO_INTERNAL_ERROR",
        Some(FailureReason::CaptureFailed),
    ),
    (
        "5000",
        "NON_ENTERPRISE_CERTIFICATION",
        Some(FailureReason::AccountError),
    ),
    (
        "5000",
        "BALANCE_NOT_ENOUGH",
        Some(FailureReason::AccountError),
    ),
    (
        "5000",
        "ACCOUNT_DISABLED",
        Some(FailureReason::AccountError),
    ),
    ("6000", "USER_CANCEL", Some(FailureReason::UserCanceled)),
    ("9000", "LIVING_NOT_START", None),
];

/// The reason for a `result_code` (the code decides; messages refine only the text). `None` for
/// 1000 and 9000; an undocumented code is a [`FailureReason::VendorError`].
pub fn reason(result_code: &str) -> Option<FailureReason> {
    match result_code.trim() {
        RESULT_SUCCESS | RESULT_NOT_STARTED => None,
        code => Some(
            RESULT_CODES
                .iter()
                .find(|(known, _, _)| *known == code)
                .and_then(|(_, _, reason)| *reason)
                .unwrap_or(FailureReason::VendorError),
        ),
    }
}

/// What a `get_result` answer says about the session.
#[derive(Clone, Debug, PartialEq)]
pub enum ResultState {
    /// 9000 `LIVING_NOT_START`: the user has not finished; ask again later.
    Pending,
    /// A verdict.
    Final(VerificationResult),
}

impl GetResult {
    /// Decides the session from the result fields: passed only for 1000 with every comparison
    /// present at or above the threshold `security_level` selects.
    pub fn state(&self, security_level: SecurityLevel) -> ResultState {
        let code = self.result_code.trim();
        if code == RESULT_NOT_STARTED {
            return ResultState::Pending;
        }
        // The weakest comparison decides and is the one reported.
        let weakest = self.verification.as_ref().and_then(|verification| {
            verification
                .comparisons()
                .map(|(_, score)| {
                    (
                        score.confidence,
                        security_level.threshold(&score.thresholds),
                    )
                })
                .min_by(|a, b| a.0.total_cmp(&b.0))
        });
        let scores = Scores {
            similarity: weakest.map(|(confidence, _)| confidence),
            liveness: None,
            threshold: weakest.and_then(|(_, threshold)| threshold),
        };
        let below_threshold =
            matches!(weakest, Some((confidence, Some(threshold))) if confidence < threshold);
        let reason = match reason(code) {
            None if below_threshold => Some(FailureReason::NotSamePerson),
            None => None,
            Some(reason) => Some(reason),
        };
        ResultState::Final(VerificationResult {
            passed: reason.is_none(),
            reason,
            scores,
            vendor_code: Some(code.to_owned()),
            vendor_message: Some(self.result_message.clone()),
            confirmed_by: ConfirmedBy::VendorQuery,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

/// A FaceID Lite client.
#[derive(Clone)]
pub struct FaceidLiteClient {
    http: reqwest::Client,
    api_base: Url,
    h5_base: Url,
    appcode: SecretString,
}

impl std::fmt::Debug for FaceidLiteClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceidLiteClient")
            .field("api_base", &self.api_base.as_str())
            .field("h5_base", &self.h5_base.as_str())
            .field("appcode", &"<redacted>")
            .finish()
    }
}

impl FaceidLiteClient {
    /// `api_base`: `https://fidlite.market.alicloudapi.com`; `h5_base`: `https://openapi.faceid.com`.
    pub fn new(http: reqwest::Client, api_base: Url, h5_base: Url, appcode: SecretString) -> Self {
        Self {
            http,
            api_base,
            h5_base,
            appcode,
        }
    }

    fn endpoint(base: &Url, segments: &[&str]) -> Result<Url, VendorError> {
        let mut url = base.clone();
        url.path_segments_mut()
            .map_err(|_| VendorError::Decode("the base URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// The Lite URL the user's browser opens: `{h5}/lite/v1/do/{biz_token}`, built as the wasm
    /// helper builds it ([`facegate_types::front_end::pages::faceid_lite_page_url`]).
    pub fn page_url(&self, biz_token: &str) -> Result<Url, VendorError> {
        let mut host = self.h5_base.clone();
        if host.cannot_be_a_base() {
            return Err(VendorError::Decode(
                "the base URL cannot take a path".into(),
            ));
        }
        host.set_query(None);
        host.set_fragment(None);
        let page = facegate_types::front_end::pages::faceid_lite_page_url(host.as_str(), biz_token);
        Url::parse(&page).map_err(|_| VendorError::Decode("the page URL does not parse".into()))
    }

    fn authorization(&self) -> String {
        format!("APPCODE {}", self.appcode.expose_secret())
    }

    /// Step 1: a biz_token for one user's flow.
    pub async fn get_biz_token(
        &self,
        request: &GetBizTokenRequest,
    ) -> Result<BizToken, VendorError> {
        let fields = request.form_fields()?;
        let images = request.images();
        let url = Self::endpoint(&self.api_base, &["lite", "v1", "get_biz_token"])?;
        let builder = self
            .http
            .post(url)
            .header(AUTHORIZATION, self.authorization());
        let builder = if images.is_empty() {
            builder.form(&fields)
        } else {
            let size: usize = images
                .iter()
                .map(|(_, image)| image.bytes.len())
                .sum::<usize>()
                + fields.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
            if size > MAX_REQUEST_BYTES {
                return Err(VendorError::InvalidRequest {
                    code: "REQUEST_ENTITY_TOO_LARGE".into(),
                    message: "the request is over the 20 MB limit (checked before sending)".into(),
                    field: Some("image_ref1".into()),
                });
            }
            let mut form = reqwest::multipart::Form::new();
            for (key, value) in fields {
                form = form.text(key, value);
            }
            for (key, image) in images {
                let file_name = if image.file_name.is_empty() {
                    format!("{}.jpg", key.trim_start_matches("image_"))
                } else {
                    image.file_name.clone()
                };
                form = form.part(
                    key,
                    reqwest::multipart::Part::bytes(image.bytes.clone()).file_name(file_name),
                );
            }
            builder.multipart(form)
        };
        let response = crate::http::send("faceid_lite", "get_biz_token", builder).await?;
        read(response).await
    }

    /// Step 3: the result of one flow (repeated fetches are limited: keep the first final one).
    pub async fn get_result(&self, biz_token: &str) -> Result<GetResult, VendorError> {
        let mut url = Self::endpoint(&self.api_base, &["lite", "v1", "get_result"])?;
        url.query_pairs_mut().append_pair("biz_token", biz_token);
        let response = crate::http::send(
            "faceid_lite",
            "get_result",
            self.http
                .get(url)
                .header(AUTHORIZATION, self.authorization()),
        )
        .await?;
        read(response).await
    }
}

/// Reads an answer: the documented JSON on 200, the documented error shapes otherwise.
async fn read<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, VendorError> {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await?;
    let error = serde_json::from_slice::<ErrorAnswer>(&bytes).ok();
    if status.is_success() && error.is_none() {
        return serde_json::from_slice(&bytes).map_err(|e| VendorError::Decode(e.to_string()));
    }
    Err(error_from(status, &headers, error))
}

/// Maps an error answer onto [`VendorError`] (public for callers that read bodies themselves).
pub fn error_from(
    status: StatusCode,
    headers: &HeaderMap,
    answer: Option<ErrorAnswer>,
) -> VendorError {
    // The Aliyun gateway in front answers its own auth failures without a JSON body, naming
    // them in X-Ca-Error-Message.
    let gateway = headers
        .get("x-ca-error-message")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let request_id = answer.as_ref().and_then(|answer| answer.request_id.clone());
    let error = answer
        .map(|answer| answer.error)
        .or(gateway)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("unknown").to_owned());
    let (code, detail) = match error.split_once(':') {
        Some((code, detail)) => (code.trim().to_owned(), Some(detail.trim().to_owned())),
        None => (error.trim().to_owned(), None),
    };
    match status.as_u16() {
        400 => VendorError::InvalidRequest {
            code,
            message: error.clone(),
            field: detail.filter(|key| !key.is_empty()),
        },
        401 | 403 => VendorError::Unauthorized {
            code,
            message: detail.unwrap_or(error),
        },
        413 => VendorError::InvalidRequest {
            code: "REQUEST_ENTITY_TOO_LARGE".into(),
            message: error,
            field: None,
        },
        429 => VendorError::RateLimited {
            code,
            retry_after: headers
                .get(RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.parse().ok())
                .map(Duration::from_secs),
        },
        500..=599 => VendorError::Unavailable(format!("{error} (HTTP {})", status.as_u16())),
        _ => VendorError::Api {
            code,
            message: error,
            log_id: request_id,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn client() -> FaceidLiteClient {
        FaceidLiteClient::new(
            reqwest::Client::new(),
            url("https://fidlite.market.alicloudapi.com"),
            url("https://openapi.faceid.com"),
            SecretString::from("code"),
        )
    }

    #[test]
    fn the_lite_url_is_the_seeds() {
        // Seed step 2: `1462257147,34fb...` -> `https://openapi.faceid.com/lite/v1/do/1462257147,34fb...`.
        let page = client()
            .page_url("1462257147,34fb21937e47ae719f11cbc719615687")
            .unwrap();
        assert_eq!(
            page.as_str(),
            "https://openapi.faceid.com/lite/v1/do/1462257147,34fb21937e47ae719f11cbc719615687"
        );
        let odd = client().page_url("a/b#c d&中").unwrap();
        assert_eq!(odd.path(), "/lite/v1/do/a%2Fb%23c%20d&%E4%B8%AD");
        assert!(odd.fragment().is_none());
    }

    #[test]
    fn form_fields_cover_every_documented_argument() {
        // The seed's Python example names these keys (image_* go as files).
        let example_keys = [
            "biz_no",
            "group",
            "idcard_name",
            "idcard_number",
            "idcard_retry_time",
            "idcard_side",
            "idcard_threshold",
            "liveness_retry_count",
            "liveness_type",
            "notify_url",
            "return_url",
            "security_level",
        ];
        let mut request = GetBizTokenRequest::authority(
            url("https://m.example/return?a=1&b=#x"),
            url("https://m.example/notify"),
            "张三",
            "110101199003074514",
        );
        request.biz_no = Some("order-1".into());
        request.security_level = Some(SecurityLevel::Strict);
        request.liveness_preferences = Some(LivenessPreference::Strict);
        request.liveness_retry_count = Some(5);
        let authority: Vec<_> = request.form_fields().unwrap();
        request.comparison = Comparison::AuthorityOcr {
            idcard_threshold: Some(0.8),
            idcard_retry_time: Some(3),
            idcard_side: Some(IdcardSide::PortraitOnly),
        };
        let ocr = request.form_fields().unwrap();
        let mut seen: Vec<&str> = authority.iter().chain(&ocr).map(|(k, _)| *k).collect();
        seen.sort_unstable();
        seen.dedup();
        for key in example_keys {
            assert!(seen.contains(&key), "{key} is never sent");
        }
        assert!(authority.contains(&("comparison_type", "1".into())));
        assert!(authority.contains(&("group", "0".into())));
        assert!(authority.contains(&("idcard_name", "张三".into())));
        assert!(ocr.contains(&("group", "1".into())));
        assert!(ocr.contains(&("idcard_side", "1".into())));
        assert!(ocr.iter().all(|(k, _)| *k != "idcard_name"));
        assert!(authority.contains(&("security_level", "3".into())));
        assert!(authority.contains(&("liveness_preferences", "2".into())));
        assert!(authority.contains(&("liveness_type", "video_number".into())));

        request.comparison = Comparison::Reference {
            uuid: "user-1".into(),
            image_ref1: ReferenceImage::new(vec![1, 2, 3]),
            image_ref2: Some(ReferenceImage::new(vec![4])),
        };
        let reference = request.form_fields().unwrap();
        assert!(reference.contains(&("comparison_type", "0".into())));
        assert!(reference.contains(&("uuid", "user-1".into())));
        assert_eq!(
            request.images().iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            ["image_ref1", "image_ref2"]
        );
        assert!(!format!("{request:?}").contains("张三"));
    }

    #[test]
    fn arguments_are_checked_as_the_vendor_checks_them() {
        let base = GetBizTokenRequest::authority(
            url("https://m.example/r"),
            url("https://m.example/n"),
            "张三",
            "110101199003074514",
        );
        let field = |request: &GetBizTokenRequest| match request.form_fields() {
            Err(VendorError::InvalidRequest { field, .. }) => field,
            other => panic!("expected invalid, got {other:?}"),
        };
        let mut r = base.clone();
        r.return_url = url("ftp://m.example/r");
        assert_eq!(field(&r).as_deref(), Some("return_url"));
        let mut r = base.clone();
        r.biz_no = Some("x".repeat(129));
        assert_eq!(field(&r).as_deref(), Some("biz_no"));
        let mut r = base.clone();
        r.liveness_retry_count = Some(6);
        assert_eq!(field(&r).as_deref(), Some("liveness_retry_count"));
        let mut r = base.clone();
        r.comparison = Comparison::Authority {
            idcard_name: " ".into(),
            idcard_number: "1".into(),
        };
        assert_eq!(field(&r).as_deref(), Some("idcard_name"));
        let mut r = base.clone();
        r.comparison = Comparison::AuthorityOcr {
            idcard_threshold: Some(1.5),
            idcard_retry_time: None,
            idcard_side: None,
        };
        assert_eq!(field(&r).as_deref(), Some("idcard_threshold"));
        let mut r = base;
        r.comparison = Comparison::Reference {
            uuid: "u".into(),
            image_ref1: ReferenceImage::new(Vec::new()),
            image_ref2: None,
        };
        assert_eq!(field(&r).as_deref(), Some("image_ref1"));
    }

    #[test]
    fn every_documented_result_code_maps() {
        let expected = [
            ("1000", None),
            ("2000", Some(FailureReason::NotSamePerson)),
            ("3000", Some(FailureReason::IdentityMismatch)),
            ("3100", Some(FailureReason::IdDocumentUnreadable)),
            ("3200", Some(FailureReason::IdDocumentFake)),
            ("4100", Some(FailureReason::LivenessFailed)),
            ("4200", Some(FailureReason::CaptureFailed)),
            ("5000", Some(FailureReason::AccountError)),
            ("6000", Some(FailureReason::UserCanceled)),
            ("9000", None),
            ("7777", Some(FailureReason::VendorError)),
        ];
        for (code, reason_expected) in expected {
            assert_eq!(reason(code), reason_expected, "{code}");
        }
        assert_eq!(RESULT_CODES.len(), 29);
        for (code, message, _) in RESULT_CODES {
            let answer: GetResult = serde_json::from_value(serde_json::json!({
                "request_id": "r", "time_used": 1, "result_code": code, "result_message": message
            }))
            .unwrap();
            match answer.state(SecurityLevel::Regular) {
                ResultState::Pending => assert_eq!(*code, "9000"),
                ResultState::Final(result) => {
                    assert_eq!(result.passed, *code == "1000");
                    assert_eq!(result.reason, reason(code));
                    assert_eq!(result.vendor_message.as_deref(), Some(*message));
                    assert_eq!(result.confirmed_by, ConfirmedBy::VendorQuery);
                }
            }
        }
    }

    // The seed's verification examples carry `## comments` and are bare `"verification": {...}`
    // members, so not valid JSON: these are the obvious valid forms, numbers unchanged.
    const VERIFICATION_IDCARD: &str = r#"{"verification": {
  "idcard": {
    "confidence": 86.4735,
    "thresholds": {
      "1e-3": 62.168713,
      "1e-4": 69.31534,
      "1e-5": 74.39926,
      "1e-6": 78.038055
    }
  }
}}"#;

    const VERIFICATION_REF1: &str = r#"{"verification": {
  "idcard": {
    "confidence": 86.4735,
    "thresholds": {
      "1e-3": 62.168713,
      "1e-4": 69.31534,
      "1e-5": 74.39926,
      "1e-6": 78.038055
    }
  },
  "ref1": {
    "confidence": 86.4735,
    "thresholds": {
      "1e-3": 62.168713,
      "1e-4": 69.31534,
      "1e-5": 74.39926,
      "1e-6": 78.038055
    }
  }
}}"#;

    fn with_code(json: &str, code: &str) -> GetResult {
        let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
        value["result_code"] = serde_json::json!(code);
        value["result_message"] = serde_json::json!("SUCCESS");
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn golden_verification_examples_keep_confidence_and_the_selected_threshold() {
        let answer = with_code(VERIFICATION_IDCARD, "1000");
        let score = answer
            .verification
            .as_ref()
            .unwrap()
            .idcard
            .as_ref()
            .unwrap();
        assert_eq!(score.confidence, 86.4735);
        assert_eq!(score.thresholds.e6, Some(78.038055));
        for (level, threshold) in [
            (SecurityLevel::Loose, 62.168713),
            (SecurityLevel::Regular, 69.31534),
            (SecurityLevel::Strict, 74.39926),
        ] {
            let ResultState::Final(result) = answer.state(level) else {
                panic!("1000 is final")
            };
            assert!(result.passed);
            assert_eq!(result.scores.similarity, Some(86.4735));
            assert_eq!(result.scores.threshold, Some(threshold));
        }
        let answer = with_code(VERIFICATION_REF1, 1000.to_string().as_str());
        assert!(answer.verification.as_ref().unwrap().ref1.is_some());
        assert_eq!(
            answer.verification.as_ref().unwrap().comparisons().count(),
            2
        );
    }

    #[test]
    fn a_1000_below_the_selected_threshold_does_not_pass() {
        let json = VERIFICATION_REF1.replacen("86.4735", "70.0", 1);
        let answer = with_code(&json, "1000");
        let ResultState::Final(loose) = answer.state(SecurityLevel::Loose) else {
            panic!()
        };
        assert!(loose.passed);
        assert_eq!(loose.scores.similarity, Some(70.0));
        let ResultState::Final(strict) = answer.state(SecurityLevel::Strict) else {
            panic!()
        };
        assert!(!strict.passed);
        assert_eq!(strict.reason, Some(FailureReason::NotSamePerson));
        assert_eq!(strict.vendor_code.as_deref(), Some("1000"));
    }

    #[test]
    fn golden_get_biz_token_examples() {
        // Both seed examples end their object with a trailing comma (not valid JSON); these are
        // the obvious valid forms.
        let ok: BizToken = serde_json::from_str(
            r#"{
  "request_id": "1462257147,3149525e-2c24-4862-8e9f-92040595f0a4",
  "time_used": 5,
  "biz_token": "1462257147,34fb21937e47ae719f11cbc719615687"
}"#,
        )
        .unwrap();
        assert_eq!(
            ok.biz_token.expose(),
            "1462257147,34fb21937e47ae719f11cbc719615687"
        );
        assert_eq!(ok.time_used, Some(5));
        let error: ErrorAnswer = serde_json::from_str(
            r#"{
  "request_id": "1461740007,71eeb124-08f0-47b3-8fc8-ac048cfa1372",
  "time_used": 4,
  "error": "MISSING_ARGUMENTS:return_url"
}"#,
        )
        .unwrap();
        match error_from(StatusCode::BAD_REQUEST, &HeaderMap::new(), Some(error)) {
            VendorError::InvalidRequest { code, field, .. } => {
                assert_eq!(code, "MISSING_ARGUMENTS");
                assert_eq!(field.as_deref(), Some("return_url"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn http_errors_map_onto_vendor_errors() {
        let answer = |error: &str| {
            Some(ErrorAnswer {
                request_id: Some("r".into()),
                time_used: Some(1),
                error: error.into(),
            })
        };
        let none = HeaderMap::new();
        assert!(matches!(
            error_from(StatusCode::BAD_REQUEST, &none, answer("BAD_ARGUMENTS:security_level")),
            VendorError::InvalidRequest { field: Some(f), .. } if f == "security_level"
        ));
        assert!(matches!(
            error_from(StatusCode::FORBIDDEN, &none, answer("AUTHORIZATION_ERROR:BALANCE_NOT_ENOUGH")),
            VendorError::Unauthorized { code, message } if code == "AUTHORIZATION_ERROR" && message == "BALANCE_NOT_ENOUGH"
        ));
        assert!(matches!(
            error_from(StatusCode::PAYLOAD_TOO_LARGE, &none, None),
            VendorError::InvalidRequest { code, .. } if code == "REQUEST_ENTITY_TOO_LARGE"
        ));
        let mut retry = HeaderMap::new();
        retry.insert(RETRY_AFTER, "2".parse().unwrap());
        assert!(matches!(
            error_from(StatusCode::TOO_MANY_REQUESTS, &retry, answer("CONCURRENCY_LIMIT_EXCEEDED")),
            VendorError::RateLimited { code, retry_after: Some(d) } if code == "CONCURRENCY_LIMIT_EXCEEDED" && d == Duration::from_secs(2)
        ));
        let internal = error_from(
            StatusCode::INTERNAL_SERVER_ERROR,
            &none,
            answer("INTERNAL_ERROR"),
        );
        assert!(internal.is_retryable());
    }

    #[test]
    fn golden_idcard_result_example() {
        // The seed's example is `idcard_result: {...}` with `## comments` (and one comment
        // wrapped onto its own line): the obvious valid form, values unchanged.
        let json = r#"{
  "name": "张三",
  "idcard_number": "XXXXXX",
  "gender": "男",
  "nationality": "汉",
  "birth_year": "1996",
  "birth_month": "3",
  "birth_day": "10",
  "address": "北京市海淀区XXXXX",
  "issued_by": "北京市公安局海淀分局",
  "valid_date_start": "20150516",
  "valid_date_end": "20350516",
  "frontside_legality": {
    "Photocopy": 0,
    "Edited": 0,
    "ID_Photo": 1,
    "Screen": 0,
    "Temporary_ID_Photo": 0,
    "ID_Photo_Threshold": 0.8
  },
  "backside_legality": {
    "Photocopy": 0,
    "Edited": 0,
    "ID_Photo": 0.999,
    "Screen": 0.001,
    "Temporary_ID_Photo": 0,
    "ID_Photo_Threshold": 0.8
  },
  "frontside_completeness": 0,
  "backside_completeness": 0,
  "image_portrait": "XXXXXX"
}"#;
        let result: IdcardResult = serde_json::from_str(json).unwrap();
        assert_eq!(result.name.as_ref().unwrap().expose(), "张三");
        assert_eq!(result.birth_month.as_deref(), Some("3"));
        assert_eq!(
            result.backside_legality.as_ref().unwrap().id_photo,
            Some(0.999)
        );
        assert_eq!(
            result
                .frontside_legality
                .as_ref()
                .unwrap()
                .id_photo_threshold,
            Some(0.8)
        );
        assert_eq!(result.frontside_completeness, Some(0));
        let debug = format!("{result:?}");
        assert!(!debug.contains("张三") && !debug.contains("海淀区XXXXX"));
    }

    #[test]
    fn notify_data_parses_from_the_form_field() {
        let data = r#"{"biz_token":"1462257147,34fb","error_code":"1000","error_msg":"SUCCESS"}"#;
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("data", data)
            .finish();
        let notify = Notify::from_form(body.as_bytes()).unwrap();
        assert_eq!(notify.biz_token.expose(), "1462257147,34fb");
        assert_eq!(notify.error_code.as_deref(), Some("1000"));
        let numeric =
            Notify::from_data(r#"{"biz_token":"t","error_code":4200,"error_msg":"NO_AUDIO"}"#)
                .unwrap();
        assert_eq!(numeric.error_code.as_deref(), Some("4200"));
        assert_eq!(Notify::from_form(b"other=1"), Err(NotifyError::MissingData));
        assert!(matches!(
            Notify::from_form(b"data=%7Bnope"),
            Err(NotifyError::BadData(_))
        ));
    }

    #[test]
    fn security_level_round_trips_its_codes() {
        for level in [
            SecurityLevel::Loose,
            SecurityLevel::Regular,
            SecurityLevel::Strict,
        ] {
            assert_eq!(SecurityLevel::from_code(level.code()), Some(level));
            let json = serde_json::to_string(&level).unwrap();
            assert_eq!(serde_json::from_str::<SecurityLevel>(&json).unwrap(), level);
        }
        assert!(serde_json::from_str::<SecurityLevel>("4").is_err());
        assert_eq!(SecurityLevel::default().threshold_key(), "1e-4");
    }
}
