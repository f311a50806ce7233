//! The documented request and response bodies (seed 004, H5接入流程), field names as the
//! vendor spells them. `get_biz_token`'s arguments are checked here as the vendor checks them
//! ([`GetBizTokenRequest::form_fields`]). Personal data (names, ID numbers, images, tokens) is
//! [`Pii`].

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
    VendorError::invalid(
        "BAD_ARGUMENTS",
        format!("BAD_ARGUMENTS:{key} ({why}; checked before sending)"),
        Some(key.into()),
    )
}

fn missing_argument(key: &str) -> VendorError {
    VendorError::invalid(
        "MISSING_ARGUMENTS",
        format!("MISSING_ARGUMENTS:{key} (checked before sending)"),
        Some(key.into()),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
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
