//! The documented request and answer (seed 002: 请求参数, 响应参数), field names as e-sign
//! spells them (camelCase; snake_case read too), and the next action the answer gives.
//! Names, ID numbers and the faceToken are [`Pii`].

use facegate_types::NextAction;
use serde::{Deserialize, Serialize};

use crate::wire::{self, Pii};
use crate::VendorError;

/// `faceauthMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FaceauthMode {
    /// 腾讯微众银行认证 (WeBank).
    #[serde(rename = "TENCENT")]
    Tencent,
    /// 支付宝芝麻信用认证 (Alipay Zhima credit).
    #[serde(rename = "ZHIMACREDIT")]
    Zhimacredit,
    /// 微信小程序刷脸: callbackUrl and notifyUrl are unused; the answer carries faceToken.
    #[serde(rename = "WE_CHAT_FACE")]
    WeChatFace,
}

impl FaceauthMode {
    pub const ALL: [FaceauthMode; 3] = [Self::Tencent, Self::Zhimacredit, Self::WeChatFace];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Tencent => "TENCENT",
            Self::Zhimacredit => "ZHIMACREDIT",
            Self::WeChatFace => "WE_CHAT_FACE",
        }
    }
}

/// The request body.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FaceAuthRequest {
    pub name: Pii,
    #[serde(rename = "idNo")]
    pub id_no: Pii,
    #[serde(rename = "faceauthMode")]
    pub faceauth_mode: FaceauthMode,
    /// Required by the table, though unused for WE_CHAT_FACE.
    #[serde(rename = "callbackUrl")]
    pub callback_url: String,
    #[serde(rename = "contextId", skip_serializing_if = "Option::is_none")]
    pub context_id: Option<String>,
    #[serde(rename = "notifyUrl", skip_serializing_if = "Option::is_none")]
    pub notify_url: Option<String>,
    /// In the seed's request example only (`"repetition": true`), not in its table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repetition: Option<bool>,
}

/// The answer envelope.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct FaceAuthAnswer {
    #[serde(deserialize_with = "wire::i64_or_string")]
    pub code: i64,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub data: Option<FaceAuthData>,
}

/// `data` of a successful answer.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct FaceAuthData {
    #[serde(
        rename = "flowId",
        alias = "flow_id",
        deserialize_with = "wire::string_or_number"
    )]
    pub flow_id: String,
    /// The short link.
    #[serde(rename = "authUrl", alias = "auth_url", default)]
    pub auth_url: Option<String>,
    /// The long link: the only one an Alipay mini-program may open in its web-view.
    #[serde(rename = "originalUrl", alias = "original_url", default)]
    pub original_url: Option<String>,
    /// WE_CHAT_FACE only.
    #[serde(rename = "faceToken", alias = "face_token", default)]
    pub face_token: Option<Pii>,
    /// When the link ends, ms since the epoch.
    #[serde(default, deserialize_with = "wire::opt_i64_or_string")]
    pub expire: Option<i64>,
}

/// Where the user does the face check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    /// A mobile browser: redirect to the short link.
    Browser,
    /// An Alipay or WeChat mini-program web-view: the long link (and faceToken for WeChat).
    MiniProgramWebView,
}

impl FaceAuthData {
    /// The session's next action.
    pub fn next_action(&self, surface: Surface) -> Result<NextAction, VendorError> {
        let long = self.original_url.clone();
        let short = self.auth_url.clone().or_else(|| long.clone());
        let missing = || VendorError::Decode("the answer has no authUrl / originalUrl".into());
        Ok(match surface {
            Surface::Browser => NextAction::Redirect {
                url: short.ok_or_else(missing)?,
            },
            Surface::MiniProgramWebView => NextAction::WebView {
                url: long.or(short).ok_or_else(missing)?,
                face_token: self.face_token.as_ref().map(|t| t.expose().to_owned()),
            },
        })
    }
}
