//! e-sign OEMCloud personal face real-name auth: `shared/seeds/002_d081a07c7b03759c.txt`
//! (接口, 请求头, 请求参数, 响应参数, 错误码, 支付宝小程序对接说明) and VENDORS.md's oemcloud section.
//!
//! - `POST {base}/v2/identity/auth/api/individual/face` with `Authorization: APPCODE <code>` and
//!   `X-Ca-Nonce: <now in ms>` (valid 15 minutes, anti-replay): a fresh, strictly increasing
//!   nonce per request, so two calls in one millisecond still differ.
//! - Error codes ([`ERROR_CODES`]): 30500101 parameter errors become
//!   [`VendorError::InvalidRequest`] with the field named from the message; 30500116 (stray
//!   spaces) too, without a field; 30503059 (under 14) [`VendorError::Refused`] naming idNo;
//!   30500000 and 30503107 [`VendorError::Api`]. Each
//!   maps onto a [`FailureReason`] ([`reason`]); [`failure_of`] turns a create error that
//!   decides the person (underage, balance) into a failed result.
//! - No result query is documented: the notify and the callback redirect are the only
//!   signals, so results built here say `confirmed_by: notify`. The seed does not document
//!   their bodies; facegate reads (and the sandbox sends) the shape of e-sign's open-platform
//!   callbacks: a JSON POST `{"flowId", "contextId", "success", "message", "timestamp"}` to
//!   notifyUrl, signed with the app secret (facegate requires it: the notify is the verdict) (`X-Tsign-Open-TIMESTAMP` in ms,
//!   `X-Tsign-Open-SIGNATURE` = hex HMAC-SHA256(secret, timestamp, then the query values sorted
//!   by name, then the raw body), `X-Tsign-Open-SIGNATURE-ALGORITHM: hmac-sha256`), and a redirect to
//!   callbackUrl with `flowId`, `contextId` and `passed=true|false` added to its query. Field
//!   names are read in camelCase or snake_case; `success`/`passed` as booleans or strings.
//! - The Alipay mini-program web-view posts `detail: {type, token, url, authFlowId}`:
//!   [`WebViewMessage`] (`IDENTITY_ALI_FACE_AWAKE`, `RN_DONE`, anything else ignored with its type).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use facegate_types::{ConfirmedBy, FailureReason, NextAction, Scores, VerificationResult};
use hmac::{Hmac, Mac};
use reqwest::header::AUTHORIZATION;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::Sha256;
use url::Url;

use crate::wire::{self, Pii};
use crate::VendorError;

/// The nonce header.
pub const NONCE_HEADER: &str = "X-Ca-Nonce";
/// The nonce's documented validity.
pub const NONCE_VALIDITY: Duration = Duration::from_secs(15 * 60);

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

// ---------------------------------------------------------------------------------------------
// Error codes
// ---------------------------------------------------------------------------------------------

pub const CODE_GENERIC: i64 = 30500000;
pub const CODE_PARAMETER: i64 = 30500101;
pub const CODE_BALANCE: i64 = 30503107;
pub const CODE_SPACES: i64 = 30500116;
pub const CODE_UNDERAGE: i64 = 30503059;

/// Every documented code, the seed's text, and facegate's reason.
pub const ERROR_CODES: &[(i64, &str, FailureReason)] = &[
    (
        CODE_GENERIC,
        "操作出错,请联系服务人员处理, ID:XXXX",
        FailureReason::VendorError,
    ),
    (CODE_PARAMETER, "参数错误: ...", FailureReason::VendorError),
    (
        CODE_BALANCE,
        "很抱歉, 订单余额不足",
        FailureReason::AccountError,
    ),
    (
        CODE_SPACES,
        "格式校验不通过, 请检查填入信息是否有多余空格",
        FailureReason::VendorError,
    ),
    (
        CODE_UNDERAGE,
        "创建刷脸任务失败: 未满14周岁的用户无法使用本产品",
        FailureReason::Underage,
    ),
];

/// The reason for a documented code; anything else is a vendor error.
pub fn reason(code: i64) -> FailureReason {
    ERROR_CODES
        .iter()
        .find(|(known, _, _)| *known == code)
        .map(|(_, _, reason)| *reason)
        .unwrap_or(FailureReason::VendorError)
}

/// The request field a 30500101 message names (the seed's six messages, and any message that
/// spells a field).
pub fn field_from_message(message: &str) -> Option<&'static str> {
    const BY_NAME: [&str; 6] = [
        "faceauthMode",
        "callbackUrl",
        "notifyUrl",
        "contextId",
        "idNo",
        "name",
    ];
    if let Some(field) = BY_NAME.iter().find(|field| message.contains(*field)) {
        return Some(field);
    }
    if message.contains("身份证") {
        Some("idNo")
    } else if message.contains("认证方式") {
        Some("faceauthMode")
    } else if message.contains("姓名") {
        Some("name")
    } else {
        None
    }
}

/// Maps a non-zero `code` onto [`VendorError`].
pub fn error(code: i64, message: &str) -> VendorError {
    match code {
        CODE_PARAMETER => VendorError::InvalidRequest {
            code: code.to_string(),
            message: message.to_owned(),
            field: field_from_message(message).map(str::to_owned),
        },
        CODE_SPACES => VendorError::InvalidRequest {
            code: code.to_string(),
            message: message.to_owned(),
            field: None,
        },
        CODE_UNDERAGE => VendorError::Refused {
            code: code.to_string(),
            message: message.to_owned(),
            reason: FailureReason::Underage,
            field: Some("idNo".to_owned()),
        },
        _ => VendorError::Api {
            code: code.to_string(),
            message: message.to_owned(),
            log_id: None,
        },
    }
}

/// The failed result a create error decides, for codes about the person or the account
/// (30503059 underage, 30503107 balance); `None` for errors of the request or transport.
pub fn failure_of(error: &VendorError) -> Option<VerificationResult> {
    let (VendorError::Api { code, message, .. } | VendorError::Refused { code, message, .. }) =
        error
    else {
        return None;
    };
    let reason = match code.parse::<i64>().ok()? {
        CODE_UNDERAGE => FailureReason::Underage,
        CODE_BALANCE => FailureReason::AccountError,
        _ => return None,
    };
    Some(VerificationResult {
        passed: false,
        reason: Some(reason),
        scores: Scores::default(),
        vendor_code: Some(code.clone()),
        vendor_message: Some(message.clone()),
        confirmed_by: ConfirmedBy::VendorQuery,
    })
}

// ---------------------------------------------------------------------------------------------
// Notify and callback (the form decided in the module doc)
// ---------------------------------------------------------------------------------------------

fn loose_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Loose {
        Bool(bool),
        Text(String),
        Number(i64),
    }
    Ok(match Option::<Loose>::deserialize(deserializer)? {
        None => None,
        Some(Loose::Bool(b)) => Some(b),
        Some(Loose::Number(n)) => Some(n != 0),
        Some(Loose::Text(text)) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
    })
}

/// The notify POSTed to notifyUrl.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Notify {
    #[serde(
        rename = "flowId",
        alias = "flow_id",
        deserialize_with = "wire::string_or_number"
    )]
    pub flow_id: String,
    #[serde(rename = "contextId", alias = "context_id", default)]
    pub context_id: Option<String>,
    #[serde(default, alias = "passed", deserialize_with = "loose_bool")]
    pub success: Option<bool>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_i64_or_string")]
    pub timestamp: Option<i64>,
}

impl Notify {
    pub fn parse(body: &[u8]) -> Result<Self, NotifyError> {
        serde_json::from_slice(body).map_err(|error| NotifyError::Body(error.to_string()))
    }

    /// The result this notify reports, marked `confirmed_by: notify` (nothing can confirm it).
    pub fn result(&self) -> VerificationResult {
        outcome(self.success, self.message.as_deref())
    }
}

/// The query e-sign adds to callbackUrl when it sends the browser back.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CallbackQuery {
    #[serde(rename = "flowId", alias = "flow_id")]
    pub flow_id: String,
    #[serde(rename = "contextId", alias = "context_id", default)]
    pub context_id: Option<String>,
    #[serde(default, alias = "success", deserialize_with = "loose_bool")]
    pub passed: Option<bool>,
}

impl CallbackQuery {
    pub fn parse(query: &str) -> Result<Self, NotifyError> {
        let pairs: serde_json::Map<String, serde_json::Value> =
            url::form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
                .collect();
        serde_json::from_value(serde_json::Value::Object(pairs))
            .map_err(|error| NotifyError::Body(error.to_string()))
    }

    /// What the redirect says, marked `confirmed_by: notify` (a browser can forge it: prefer
    /// the signed notify where there is one).
    pub fn result(&self) -> VerificationResult {
        outcome(self.passed, None)
    }
}

fn outcome(success: Option<bool>, message: Option<&str>) -> VerificationResult {
    let passed = success == Some(true);
    // The seed documents no failure codes for the face check itself: the message decides the
    // reason where it says something recognisable.
    let reason = (!passed).then(|| match message {
        Some(m) if m.contains("取消") => FailureReason::UserCanceled,
        Some(m) if m.contains("活体") => FailureReason::LivenessFailed,
        Some(m) if m.contains("14周岁") => FailureReason::Underage,
        _ => FailureReason::NotSamePerson,
    });
    VerificationResult {
        passed,
        reason,
        scores: Scores::default(),
        vendor_code: Some(if passed { "success" } else { "failed" }.into()),
        vendor_message: message.map(str::to_owned),
        confirmed_by: ConfirmedBy::Notify,
    }
}

/// Why a notify or callback was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotifyError {
    #[error("the notify body is not the expected JSON: {0}")]
    Body(String),
    #[error("the notify signature is missing")]
    MissingSignature,
    #[error("the notify signature does not match")]
    BadSignature,
    #[error("the notify timestamp is missing, malformed or too old")]
    StaleTimestamp,
}

/// hex HMAC-SHA256(secret, timestamp + query values sorted by name + body).
pub fn sign(secret: &[u8], timestamp: &str, query: &str, body: &[u8]) -> String {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    pairs.sort();
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.as_bytes());
    for (_, value) in &pairs {
        mac.update(value.as_bytes());
    }
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Checks `X-Tsign-Open-SIGNATURE` and that `X-Tsign-Open-TIMESTAMP` (ms) is within `max_age`.
pub fn verify_signature(
    secret: &SecretString,
    timestamp: Option<&str>,
    signature: Option<&str>,
    query: &str,
    body: &[u8],
    now: SystemTime,
    max_age: Duration,
) -> Result<(), NotifyError> {
    let signature = signature.ok_or(NotifyError::MissingSignature)?;
    let timestamp = timestamp.ok_or(NotifyError::StaleTimestamp)?;
    let sent_ms: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| NotifyError::StaleTimestamp)?;
    let now_ms = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    if (now_ms - sent_ms).unsigned_abs() > max_age.as_millis() as u64 {
        return Err(NotifyError::StaleTimestamp);
    }
    let expected = sign(secret.expose_secret().as_bytes(), timestamp, query, body);
    let given = signature.trim().to_ascii_lowercase();
    let same = expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same {
        Ok(())
    } else {
        Err(NotifyError::BadSignature)
    }
}

// ---------------------------------------------------------------------------------------------
// Web-view messages (Alipay mini-program)
// ---------------------------------------------------------------------------------------------

/// A message from the e-sign page inside the mini-program's web-view.
#[derive(Clone, Debug, PartialEq)]
pub enum WebViewMessage {
    /// `IDENTITY_ALI_FACE_AWAKE`: call `my.startAPVerify({url, certifyId: token})`.
    AliFaceAwake {
        url: String,
        token: Pii,
        auth_flow_id: Option<String>,
    },
    /// `RN_DONE`: the real-name auth finished; ask the backend for the result.
    RealNameDone { auth_flow_id: Option<String> },
    /// Any other type (`WILL_DONE`, `E_AUTH_FINISHED`, `SIGN_SUCCESS`, ...): nothing to do.
    Ignored { kind: String },
}

#[derive(Deserialize)]
struct Detail {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(
        rename = "authFlowId",
        alias = "auth_flow_id",
        default,
        deserialize_with = "wire::opt_string_or_number"
    )]
    auth_flow_id: Option<String>,
}

impl WebViewMessage {
    /// Parses the `onMessage` event (`{detail: {...}}`) or its `detail` alone.
    pub fn parse(message: &serde_json::Value) -> Result<Self, NotifyError> {
        let detail = message.get("detail").unwrap_or(message);
        let detail: Detail = serde_json::from_value(detail.clone())
            .map_err(|error| NotifyError::Body(error.to_string()))?;
        let missing = |field: &str| NotifyError::Body(format!("{} without {field}", detail.kind));
        Ok(match WebViewMessageType::parse(&detail.kind) {
            Some(WebViewMessageType::AliFaceAwake) => Self::AliFaceAwake {
                url: detail.url.ok_or_else(|| missing("url"))?,
                token: Pii::from(detail.token.ok_or_else(|| missing("token"))?),
                auth_flow_id: detail.auth_flow_id,
            },
            Some(WebViewMessageType::RealNameDone) => Self::RealNameDone {
                auth_flow_id: detail.auth_flow_id,
            },
            None => Self::Ignored { kind: detail.kind },
        })
    }
}

/// The web-view message types and `my.startAPVerify`'s `resultStatus` values, defined once in
/// facegate-types for this crate and the wasm helper.
pub use facegate_types::front_end::oemcloud::{ApVerifyStatus, WebViewMessageType};

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

/// An OEMCloud client.
#[derive(Clone)]
pub struct OemcloudClient {
    http: reqwest::Client,
    api_base: Url,
    appcode: SecretString,
    last_nonce: Arc<AtomicI64>,
}

impl std::fmt::Debug for OemcloudClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OemcloudClient")
            .field("api_base", &self.api_base.as_str())
            .field("appcode", &"<redacted>")
            .finish()
    }
}

impl OemcloudClient {
    /// `api_base`: `https://auth.csapi.com.cn`.
    pub fn new(http: reqwest::Client, api_base: Url, appcode: SecretString) -> Self {
        Self {
            http,
            api_base,
            appcode,
            last_nonce: Arc::new(AtomicI64::new(0)),
        }
    }

    /// Now in ms, strictly greater than every nonce this client sent before.
    pub fn next_nonce(&self) -> i64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let mut last = self.last_nonce.load(Ordering::Relaxed);
        loop {
            let next = now.max(last + 1);
            match self.last_nonce.compare_exchange_weak(
                last,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return next,
                Err(actual) => last = actual,
            }
        }
    }

    /// Starts one person's face auth; the answer holds the links (and faceToken for WeChat).
    pub async fn start_face_auth(
        &self,
        request: &FaceAuthRequest,
    ) -> Result<FaceAuthData, VendorError> {
        let mut url = self.api_base.clone();
        url.path_segments_mut()
            .map_err(|_| VendorError::Decode("the base URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(["v2", "identity", "auth", "api", "individual", "face"]);
        let response = crate::http::send(
            "oemcloud",
            "individual_face",
            self.http
                .post(url)
                .header(
                    AUTHORIZATION,
                    format!("APPCODE {}", self.appcode.expose_secret()),
                )
                .header(NONCE_HEADER, self.next_nonce().to_string())
                .json(request),
        )
        .await?;
        let status = response.status();
        let gateway = response
            .headers()
            .get("x-ca-error-message")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if status.is_server_error() {
            return Err(VendorError::Unavailable(format!(
                "HTTP {}",
                status.as_u16()
            )));
        }
        if !status.is_success() {
            // The Aliyun gateway's own refusals: no body, a header that names the reason.
            let message = gateway.unwrap_or_else(|| status.to_string());
            return Err(match status.as_u16() {
                401 | 403 => VendorError::Unauthorized {
                    code: status.as_u16().to_string(),
                    message,
                },
                429 => VendorError::RateLimited {
                    code: status.as_u16().to_string(),
                    retry_after: None,
                },
                _ => VendorError::InvalidRequest {
                    code: status.as_u16().to_string(),
                    field: message.contains("Nonce").then(|| NONCE_HEADER.to_owned()),
                    message,
                },
            });
        }
        let answer: FaceAuthAnswer = crate::http::read_json(response).await?;
        if answer.code != 0 {
            return Err(error(answer.code, &answer.message));
        }
        answer
            .data
            .ok_or_else(|| VendorError::Decode("code 0 without data".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_request_example() {
        let example: serde_json::Value = serde_json::from_str(
            r#"{
  "name": "张三",
  "idNo": "320926xxxxxxxx5276",
  "faceauthMode": "WE_CHAT_FACE",
  "repetition": true,
  "callbackUrl": "http://www.baidu.com",
  "contextId": "201908221430111",
  "notifyUrl": "http://www.baidu.com"
}"#,
        )
        .unwrap();
        let ours = FaceAuthRequest {
            name: "张三".into(),
            id_no: "320926xxxxxxxx5276".into(),
            faceauth_mode: FaceauthMode::WeChatFace,
            callback_url: "http://www.baidu.com".into(),
            context_id: Some("201908221430111".into()),
            notify_url: Some("http://www.baidu.com".into()),
            repetition: Some(true),
        };
        assert_eq!(serde_json::to_value(&ours).unwrap(), example);
        assert!(!format!("{ours:?}").contains("张三"));
    }

    #[test]
    fn golden_response_example() {
        let answer: FaceAuthAnswer = serde_json::from_str(
            r#"{
  "code": 0,
  "message": "成功",
  "data": {
    "flowId": "1862291536444700249",
    "authUrl": "https://smlt.tsign.cn/I7vLahiqTMqT",
    "originalUrl": "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx1cf2708c2de46337&redirect_uri=https%3A%2F%2Fopen.faceid.qq.com%2Fv1%2Fapi%2FgetCode%3FbizRedirect%3Dhttps%253A%252F%252Ffaceid.qq.com%252Fapi%252Fauth%252FgetOpenidAndSaveToken%253Ftoken%253D2F803B97-0B3A-4EE0-A8A4-44564A292492&response_type=code&scope=snsapi_base&state=&component_appid=wx9802ee81e68d6dee#wechat_redirect",
    "faceToken": "2F803B97-0B3A-4EE0-A8A4-44564A292492",
    "expire": 1625737347563
  }
}"#,
        )
        .unwrap();
        assert_eq!(answer.code, 0);
        let data = answer.data.unwrap();
        assert_eq!(data.flow_id, "1862291536444700249");
        assert_eq!(data.expire, Some(1625737347563));
        assert_eq!(
            data.next_action(Surface::Browser).unwrap(),
            NextAction::Redirect {
                url: "https://smlt.tsign.cn/I7vLahiqTMqT".into()
            }
        );
        match data.next_action(Surface::MiniProgramWebView).unwrap() {
            NextAction::WebView { url, face_token } => {
                assert!(url.ends_with("#wechat_redirect"));
                assert_eq!(
                    face_token.as_deref(),
                    Some("2F803B97-0B3A-4EE0-A8A4-44564A292492")
                );
            }
            other => panic!("{other:?}"),
        }
        let strings: FaceAuthAnswer =
            serde_json::from_str(r#"{"code": "0", "message": "成功", "data": {"flow_id": 186, "expire": "1625737347563"}}"#)
                .unwrap();
        assert_eq!(strings.data.unwrap().flow_id, "186");
    }

    #[test]
    fn every_documented_error_code_maps() {
        let parameter_messages = [
            ("参数错误: 人脸认证方式传参错误", "faceauthMode"),
            ("参数错误: faceauthMode不能为空", "faceauthMode"),
            ("参数错误: name字段不能为空", "name"),
            ("参数错误: idNo字段不能为空", "idNo"),
            ("参数错误: callbackUrl字段不能为空", "callbackUrl"),
            ("参数错误: 请输入正确的身份证号码", "idNo"),
        ];
        for (message, field) in parameter_messages {
            match error(CODE_PARAMETER, message) {
                VendorError::InvalidRequest {
                    field: Some(got),
                    code,
                    ..
                } => {
                    assert_eq!(got, field, "{message}");
                    assert_eq!(code, "30500101");
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            error(CODE_SPACES, "格式校验不通过, 请检查填入信息是否有多余空格"),
            VendorError::InvalidRequest { field: None, .. }
        ));
        for code in [CODE_GENERIC, CODE_BALANCE] {
            assert!(matches!(error(code, "x"), VendorError::Api { .. }));
        }
        // Under 14 is the person's refusal, not a vendor failure: the merchant must not retry.
        match error(CODE_UNDERAGE, "未满14周岁") {
            VendorError::Refused { reason, field, .. } => {
                assert_eq!(reason, FailureReason::Underage);
                assert_eq!(field.as_deref(), Some("idNo"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(reason(CODE_UNDERAGE), FailureReason::Underage);
        assert_eq!(reason(CODE_BALANCE), FailureReason::AccountError);
        assert_eq!(reason(CODE_SPACES), FailureReason::VendorError);
        assert_eq!(reason(CODE_PARAMETER), FailureReason::VendorError);
        assert_eq!(reason(CODE_GENERIC), FailureReason::VendorError);
        assert_eq!(ERROR_CODES.len(), 5);
        let underage = failure_of(&error(CODE_UNDERAGE, "未满14周岁")).unwrap();
        assert_eq!(underage.reason, Some(FailureReason::Underage));
        assert!(failure_of(&error(CODE_GENERIC, "x")).is_none());
    }

    #[test]
    fn web_view_messages_follow_the_seed() {
        let awake = WebViewMessage::parse(&serde_json::json!({
            "detail": {"type": "IDENTITY_ALI_FACE_AWAKE", "token": "cert-1", "url": "https://x", "authFlowId": "186"}
        }))
        .unwrap();
        assert!(
            matches!(&awake, WebViewMessage::AliFaceAwake { url, token, auth_flow_id }
            if url == "https://x" && token.expose() == "cert-1" && auth_flow_id.as_deref() == Some("186"))
        );
        let done =
            WebViewMessage::parse(&serde_json::json!({"type": "RN_DONE", "authFlowId": 186}))
                .unwrap();
        assert_eq!(
            done,
            WebViewMessage::RealNameDone {
                auth_flow_id: Some("186".into())
            }
        );
        let other = WebViewMessage::parse(&serde_json::json!({"detail": {"type": "SIGN_SUCCESS"}}))
            .unwrap();
        assert_eq!(
            other,
            WebViewMessage::Ignored {
                kind: "SIGN_SUCCESS".into()
            }
        );
        assert!(WebViewMessage::parse(
            &serde_json::json!({"detail": {"type": "IDENTITY_ALI_FACE_AWAKE"}})
        )
        .is_err());
        // ApVerifyStatus is facegate-types' (front_end::oemcloud), tested there.
    }

    #[test]
    fn notify_and_callback_parse_and_sign() {
        let body = r#"{"flowId":"186","contextId":"vs_1","success":true,"message":"认证通过","timestamp":1625737347563}"#.as_bytes();
        let notify = Notify::parse(body).unwrap();
        let result = notify.result();
        assert!(result.passed);
        assert_eq!(result.confirmed_by, ConfirmedBy::Notify);
        let failed = Notify::parse(
            r#"{"flow_id":"186","success":"false","message":"用户取消认证"}"#.as_bytes(),
        )
        .unwrap();
        assert_eq!(failed.result().reason, Some(FailureReason::UserCanceled));

        let callback = CallbackQuery::parse("flowId=186&contextId=vs_1&passed=false").unwrap();
        assert_eq!(callback.passed, Some(false));
        assert_eq!(callback.result().reason, Some(FailureReason::NotSamePerson));

        let secret = SecretString::from("app-secret");
        let now = SystemTime::now();
        let ms = now
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis()
            .to_string();
        let signature = sign(b"app-secret", &ms, "b=2&a=1", body);
        let check = |sig: &str, ts: &str, query: &str, body: &[u8]| {
            verify_signature(
                &secret,
                Some(ts),
                Some(sig),
                query,
                body,
                now,
                Duration::from_secs(900),
            )
        };
        assert_eq!(check(&signature, &ms, "a=1&b=2", body), Ok(()));
        assert_eq!(
            check(&signature, &ms, "a=1&b=3", body),
            Err(NotifyError::BadSignature)
        );
        assert_eq!(
            check(&signature, &ms, "a=1&b=2", b"{}"),
            Err(NotifyError::BadSignature)
        );
        assert_eq!(
            check(&signature, "1000", "a=1&b=2", body),
            Err(NotifyError::StaleTimestamp)
        );
        assert_eq!(
            verify_signature(
                &secret,
                Some(&ms),
                None,
                "",
                body,
                now,
                Duration::from_secs(900)
            ),
            Err(NotifyError::MissingSignature)
        );
    }

    #[test]
    fn nonces_strictly_increase() {
        let client = OemcloudClient::new(
            reqwest::Client::new(),
            Url::parse("https://auth.csapi.com.cn").unwrap(),
            SecretString::from("code"),
        );
        let nonces: Vec<i64> = (0..100).map(|_| client.next_nonce()).collect();
        assert!(nonces.windows(2).all(|w| w[0] < w[1]));
        assert!(!format!("{client:?}").contains("code\""));
    }
}
