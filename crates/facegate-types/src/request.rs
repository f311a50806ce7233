//! What clients send: the create request, list filters, cancel and the WeChat hand-over.

use serde::{Deserialize, Serialize};

use crate::{Provider, VerificationStatus};

/// `POST /v1/verifications`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
#[serde(deny_unknown_fields)]
pub struct ProviderOptions {
    /// sandbox: the token lifetime in seconds (default 7200, like Baidu's verify_token).
    #[serde(default)]
    pub ttl_seconds: Option<u32>,
}

/// `GET /v1/verifications?...`
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
#[serde(deny_unknown_fields)]
pub struct CancelVerificationRequest {}

/// `POST /v1/client/verifications/{id}/wechat_result`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
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
