//! The documented requests and answers of DetectAuth and GetDetectInfoEnhanced, field names as
//! Tencent spells them. Personal data (`IdCard`, `Name`) is [`Pii`].

use serde::{Deserialize, Serialize};

use crate::wire::{self, Pii};

/// The API version every FaceID action takes (`X-TC-Version`).
pub const API_VERSION: &str = "2018-03-01";
/// The service name in the credential scope (`faceid.tencentcloudapi.com`).
pub const SERVICE: &str = "faceid";
/// A BizToken's lifetime, seconds ("有效时间为7,200秒").
pub const BIZ_TOKEN_TTL_SECONDS: i64 = 7_200;
/// How long GetDetectInfoEnhanced answers for a BizToken, seconds (3 * 24 * 3,600).
pub const RESULT_RETENTION_SECONDS: i64 = 3 * 24 * 3_600;
/// `Extra`'s documented maximum length, characters.
pub const EXTRA_MAX_CHARS: usize = 1_000;
/// `RedirectUrl`'s documented maximum length, characters.
pub const REDIRECT_URL_MAX_CHARS: usize = 1_024;

/// DetectAuth's request (the parameters facegate sends; the others stay unset).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetectAuthRequest {
    /// The scene, assigned in Tencent's console.
    #[serde(rename = "RuleId")]
    pub rule_id: String,
    /// The ID number (18 characters).
    #[serde(rename = "IdCard", default, skip_serializing_if = "Option::is_none")]
    pub id_card: Option<Pii>,
    /// The name.
    #[serde(rename = "Name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Pii>,
    /// Where the browser goes when the flow ends (the BizToken appended as `token`).
    #[serde(
        rename = "RedirectUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub redirect_url: Option<String>,
    /// Passed through to GetDetectInfoEnhanced's `Text.Extra` (at most 1,000 characters).
    #[serde(rename = "Extra", default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<String>,
}

impl DetectAuthRequest {
    /// Checks the lengths the document gives, as [`crate::VendorError::InvalidRequest`] naming
    /// the parameter (`RuleId`, `Extra`, `RedirectUrl`), before anything is sent.
    pub fn check(&self) -> Result<(), crate::VendorError> {
        let invalid = |field: &str, message: &str| {
            crate::VendorError::invalid("InvalidParameterValue", message, Some(field.to_owned()))
        };
        if self.rule_id.trim().is_empty() {
            return Err(invalid("RuleId", "RuleId is required"));
        }
        if self
            .extra
            .as_ref()
            .is_some_and(|extra| extra.chars().count() > EXTRA_MAX_CHARS)
        {
            return Err(invalid("Extra", "Extra is at most 1,000 characters"));
        }
        if self
            .redirect_url
            .as_ref()
            .is_some_and(|url| url.chars().count() > REDIRECT_URL_MAX_CHARS)
        {
            return Err(invalid(
                "RedirectUrl",
                "RedirectUrl is at most 1,024 characters",
            ));
        }
        Ok(())
    }
}

/// DetectAuth's answer (inside `Response`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct DetectAuthResponse {
    /// The page that starts the flow.
    #[serde(rename = "Url")]
    pub url: String,
    /// The flow's handle: 7,200 s to finish, its result queryable for 3 days.
    #[serde(rename = "BizToken")]
    pub biz_token: Pii,
    #[serde(rename = "RequestId")]
    pub request_id: String,
}

/// GetDetectInfoEnhanced's request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GetDetectInfoEnhancedRequest {
    #[serde(rename = "BizToken")]
    pub biz_token: Pii,
    #[serde(rename = "RuleId")]
    pub rule_id: String,
    /// `0` all, `1` text, `2` ID card, `3` best frames (combinable: `13`); facegate asks `1`.
    #[serde(rename = "InfoType", default, skip_serializing_if = "Option::is_none")]
    pub info_type: Option<String>,
}

/// GetDetectInfoEnhanced's answer (inside `Response`): the text part facegate reads; the
/// images, video and intention parts are not requested (`InfoType` 1) and are ignored.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct GetDetectInfoEnhancedResponse {
    #[serde(rename = "Text", default)]
    pub text: Option<DetectInfoText>,
    #[serde(rename = "RequestId")]
    pub request_id: String,
}

/// `DetectInfoText`: the flow's outcome. Every field may be `null` ("取不到有效值").
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct DetectInfoText {
    /// The final result: 0 passed; see [`super::codes::ERR_CODES`]. `null`: not finished.
    #[serde(
        rename = "ErrCode",
        default,
        deserialize_with = "wire::opt_i64_or_string"
    )]
    pub err_code: Option<i64>,
    #[serde(rename = "ErrMsg", default)]
    pub err_msg: Option<String>,
    /// The ID number the flow verified.
    #[serde(rename = "IdCard", default)]
    pub id_card: Option<Pii>,
    /// The name the flow verified.
    #[serde(rename = "Name", default)]
    pub name: Option<Pii>,
    /// Liveness result code (0 passed) and message.
    #[serde(
        rename = "LiveStatus",
        default,
        deserialize_with = "wire::opt_i64_or_string"
    )]
    pub live_status: Option<i64>,
    #[serde(rename = "LiveMsg", default)]
    pub live_msg: Option<String>,
    /// Comparison result code (0 passed) and message.
    #[serde(
        rename = "Comparestatus",
        default,
        deserialize_with = "wire::opt_i64_or_string"
    )]
    pub compare_status: Option<i64>,
    #[serde(rename = "Comparemsg", default)]
    pub compare_msg: Option<String>,
    /// Similarity, 0 to 100, as a string (`"76.52"`).
    #[serde(rename = "Sim", default, deserialize_with = "wire::opt_f64_or_string")]
    pub sim: Option<f64>,
    /// DetectAuth's `Extra`, passed through.
    #[serde(rename = "Extra", default)]
    pub extra: Option<String>,
    /// Which comparison library was used (`权威库`, ...).
    #[serde(rename = "CompareLibType", default)]
    pub compare_lib_type: Option<String>,
    /// The liveness mode used.
    #[serde(
        rename = "LivenessMode",
        default,
        deserialize_with = "wire::opt_i64_or_string"
    )]
    pub liveness_mode: Option<i64>,
}

/// The error inside `Response`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ApiError {
    #[serde(rename = "Code")]
    pub code: String,
    #[serde(rename = "Message", default)]
    pub message: String,
}

/// Any API 3.0 answer: `{"Response": {...}}`, an `Error` inside when the call failed.
#[derive(Clone, Debug, Deserialize)]
pub struct Envelope<T> {
    #[serde(rename = "Response")]
    pub response: T,
}

/// The part of every `Response` that says whether it failed.
#[derive(Clone, Debug, Deserialize)]
pub struct ErrorResponse {
    #[serde(rename = "Error", default)]
    pub error: Option<ApiError>,
    #[serde(rename = "RequestId", default)]
    pub request_id: Option<String>,
}
