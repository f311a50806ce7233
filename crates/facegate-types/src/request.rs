//! What clients send: the create request, list filters, cancel and the WeChat hand-over.

use serde::{Deserialize, Serialize};

use crate::{Provider, VerificationStatus};

/// `POST /v1/verifications`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateVerificationRequest {
    pub provider: Provider,
    /// The merchant's own business id (order number); passed to the vendor where it has one.
    #[serde(default)]
    pub reference: Option<String>,
    /// The person to check; some providers require it.
    #[serde(default)]
    pub subject: Option<SubjectInput>,
    /// Where facegate sends the browser when the flow ends; its origin must be allowlisted.
    pub return_url: String,
    /// A reference face photo, base64, for providers that compare against one.
    #[serde(default)]
    pub reference_image: Option<String>,
    /// Provider-specific settings.
    #[serde(default)]
    pub options: Option<ProviderOptions>,
}

/// The person's claimed identity, in plain text on the way in only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SubjectInput {
    pub name: String,
    pub id_number: String,
}

impl std::fmt::Debug for SubjectInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SubjectInput { .. }")
    }
}

/// Provider-specific create options. Unknown keys are rejected, so a typo is an error, not a
/// silently ignored setting. Each key applies to the providers its doc names.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProviderOptions {
    /// sandbox: the token lifetime in seconds (default 7200, like Baidu's verify_token).
    #[serde(default)]
    pub ttl_seconds: Option<u32>,
    /// faceid_lite: what the live face is compared with: `authority` (the authority photo of
    /// the subject; the default when a subject is given), `ocr` (the page reads the ID card;
    /// the default without a subject) or `reference` (the request's reference_image; the
    /// default when one is given).
    #[serde(default)]
    pub comparison: Option<Comparison>,
    /// faceid_lite: 1 loose (1e-3), 2 regular (1e-4, the default), 3 strict (1e-5).
    #[serde(default)]
    pub security_level: Option<u8>,
    /// faceid_lite: 1 loose or 2 strict liveness.
    #[serde(default)]
    pub liveness_preferences: Option<u8>,
    /// faceid_lite: liveness attempts, 1 to 5 (default 3).
    #[serde(default)]
    pub liveness_retry_count: Option<u8>,
    /// faceid_lite `ocr`: the ID card quality threshold, 0 to 1 (default 0.8).
    #[serde(default)]
    pub idcard_threshold: Option<f64>,
    /// faceid_lite `ocr`: ID card capture attempts, 1 to 5 (default 3).
    #[serde(default)]
    pub idcard_retry_time: Option<u8>,
    /// faceid_lite `ocr`: 0 both sides of the ID card (default), 1 the portrait side only.
    #[serde(default)]
    pub idcard_side: Option<u8>,
    /// faceid_lite `reference`: the user's stable id (default: the session id).
    #[serde(default)]
    pub uuid: Option<String>,
    /// baidu_h5: the subject's document, 0 mainland ID card (default) or 4 HK/Macao/Taiwan
    /// residence permit (idcard/submit).
    #[serde(default)]
    pub certificate_type: Option<u8>,
    /// baidu_h5 with a reference_image: `NONE` (default), `LOW`, `NORMAL` or `HIGH`.
    #[serde(default)]
    pub quality_control: Option<String>,
    /// baidu_h5 with a reference_image: `NONE` (default), `LOW`, `NORMAL` or `HIGH`.
    #[serde(default)]
    pub liveness_control: Option<String>,
    /// oemcloud: `TENCENT` (WeBank, the default), `ZHIMACREDIT` (Alipay) or `WE_CHAT_FACE`
    /// (WeChat mini-program face; the next action is a web_view with the face_token).
    #[serde(default)]
    pub faceauth_mode: Option<String>,
    /// oemcloud: the page opens in an Alipay / WeChat mini-program web-view, so the next
    /// action is the long link (originalUrl) as a web_view.
    #[serde(default)]
    pub web_view: Option<bool>,
    /// faceid_lite `reference`: a second reference photo, base64 JPEG or PNG.
    #[serde(default)]
    pub reference_image_2: Option<String>,
    /// wechat_verify (required): the user's openid for the merchant's mini-program (the appid
    /// of `FACEGATE_WECHAT_APPID`); the user who runs `wx.requestFacialVerify` must be this
    /// one.
    #[serde(default)]
    pub openid: Option<String>,
    /// aliyun_cloudauth (required): the JSON string the page got from Alibaba's
    /// `getMetaInfo()` (its script `jsvm_all.js`), passed as it is; it describes the user's
    /// browser and device, so it is fetched on that device for every session.
    #[serde(default)]
    pub meta_info: Option<String>,
}

/// What a face is compared with (faceid_lite).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    Authority,
    Ocr,
    Reference,
}

/// `GET /v1/verifications?...`
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ListVerificationsQuery {
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub status: Option<VerificationStatus>,
    /// 1 to 100, default 10.
    #[serde(default)]
    pub limit: Option<u32>,
    /// A session id: the page starts after it (newest first).
    #[serde(default)]
    pub starting_after: Option<String>,
}

/// `POST /v1/verifications/{id}/cancel` (the body is optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CancelVerificationRequest {}

/// `POST /v1/client/verifications/{id}/complete`: the front end says the user finished the
/// vendor's check (wechat_verify); facegate then asks the vendor. The claim decides nothing.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompleteVerificationRequest {
    pub client_secret: String,
}

impl std::fmt::Debug for CompleteVerificationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CompleteVerificationRequest { .. }")
    }
}

/// `POST /v1/client/verifications/{id}/wechat_result`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WechatResultRequest {
    pub client_secret: String,
    /// `verifyResult` from `wx.startFacialRecognitionVerify`'s callback.
    pub verify_result: String,
}

impl std::fmt::Debug for WechatResultRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WechatResultRequest { .. }")
    }
}
