//! WeChat mini-program face identify: `shared/seeds/003_799500754a0fe100.txt`, sections 三
//! (`wx.startFacialRecognitionVerify`, `getuseridkey`, the message push), 四 (`getinfo`) and 五
//! (`wx.checkIsSupportFacialRecognition`), plus the access token the seed assumes
//! (`cgi-bin/stable_token`, or the classic `cgi-bin/token`; VENDORS.md).
//!
//! - Tokens: [`WechatMiniClient`] takes its access token from a [`TokenCache`] (in memory by
//!   default; the server shares one through its database), fetches a new one when the cached
//!   one ends within [`REFRESH_MARGIN`], and on errcode 40001 / 42001 refreshes once and retries
//!   the call once. `stable_token` (the default) returns the same token while it is valid, so
//!   replicas do not invalidate each other; a stale token is refreshed with `force_refresh:
//!   false` first, and with `force_refresh: true` only when WeChat hands back the token it just
//!   refused.
//! - The verdict ([`verdict`]): passed only when errcode == 0, identify_ret == 0 and both
//!   `id_card_number_md5` (ID number with an upper-case X) and `name_utf8_md5` match the subject
//!   the merchant asked about; an MD5 that differs (or is missing) is `result_tampered`.
//! - The push (event `face_identify`) parses from the JSON form of the seed and from the XML
//!   form of WeChat's message push, with a small strict reader written here for the flat
//!   `<xml>` element (no DTDs, no nesting, CDATA and the five entities) rather than a crate:
//!   the message is one level deep and the reader is ~80 lines. Its URL is checked with
//!   `signature = SHA1(sort(token, timestamp, nonce))`, answering `echostr` on GET.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use facegate_types::{ConfirmedBy, FailureReason, Scores, VerificationResult};
use md5::{Digest, Md5};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use url::Url;

use crate::wire::{self, Pii};
use crate::VendorError;

/// The vendor label of this module's calls (logs and metrics).
const VENDOR: &str = "wechat_mini";

/// A cached token is replaced when it ends within this margin.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// errcode: the access token is invalid or not the latest.
pub const ERR_INVALID_TOKEN: i64 = 40001;
/// errcode: the access token expired.
pub const ERR_TOKEN_EXPIRED: i64 = 42001;

// ---------------------------------------------------------------------------------------------
// Access token
// ---------------------------------------------------------------------------------------------

/// An access token and when it ends.
#[derive(Clone)]
pub struct AccessToken {
    pub value: SecretString,
    pub expires_at: SystemTime,
}

impl AccessToken {
    /// Whether it can still be used at `now`, keeping [`REFRESH_MARGIN`] in hand.
    pub fn is_fresh(&self, now: SystemTime) -> bool {
        now + REFRESH_MARGIN < self.expires_at
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Where access tokens are kept between calls, keyed by appid. The server implements it over
/// its database so that every replica uses one token.
#[async_trait]
pub trait TokenCache: Send + Sync {
    async fn get(&self, appid: &str) -> Option<AccessToken>;
    async fn put(&self, appid: &str, token: AccessToken);
}

/// The in-process [`TokenCache`].
#[derive(Debug, Default)]
pub struct MemoryTokenCache {
    tokens: Mutex<HashMap<String, AccessToken>>,
}

#[async_trait]
impl TokenCache for MemoryTokenCache {
    async fn get(&self, appid: &str) -> Option<AccessToken> {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(appid)
            .cloned()
    }

    async fn put(&self, appid: &str, token: AccessToken) {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(appid.to_owned(), token);
    }
}

/// Which token endpoint the client uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenSource {
    /// `POST /cgi-bin/stable_token`: shared-cache friendly (the default).
    #[default]
    Stable,
    /// `GET /cgi-bin/token`: every new token invalidates the last after a short overlap.
    Classic,
}

/// `POST /cgi-bin/stable_token`.
#[derive(Clone, Serialize)]
pub struct StableTokenRequest<'a> {
    pub grant_type: &'static str,
    pub appid: &'a str,
    pub secret: &'a str,
    pub force_refresh: bool,
}

/// The answer of both token endpoints.
#[derive(Clone, Debug, Deserialize)]
pub struct TokenAnswer {
    pub access_token: Pii,
    #[serde(deserialize_with = "wire::i64_or_string")]
    pub expires_in: i64,
}

// ---------------------------------------------------------------------------------------------
// getuseridkey / getinfo
// ---------------------------------------------------------------------------------------------

/// `POST /cityservice/face/identify/getuseridkey`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GetUserIdKeyRequest {
    pub name: Pii,
    pub id_card_number: Pii,
    /// The merchant's unique serial number; when set, WeChat pushes `face_identify`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_seq_no: Option<String>,
}

/// Its answer.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct UserIdKey {
    #[serde(default, deserialize_with = "wire::i64_or_string")]
    pub errcode: i64,
    #[serde(default)]
    pub errmsg: String,
    /// For `wx.startFacialRecognitionVerify({userIdKey})`.
    pub user_id_key: Pii,
    /// Seconds.
    #[serde(deserialize_with = "wire::i64_or_string")]
    pub expires_in: i64,
}

/// `POST /cityservice/face/identify/getinfo`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GetInfoRequest {
    pub verify_result: Pii,
}

/// Its answer. errcode 84001 / 84002 / 84003 come back here too (they decide the session);
/// other errcodes are errors of the call.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct IdentifyInfo {
    #[serde(default, deserialize_with = "wire::i64_or_string")]
    pub errcode: i64,
    #[serde(default)]
    pub errmsg: String,
    #[serde(default, deserialize_with = "wire::opt_i64_or_string")]
    pub identify_ret: Option<i64>,
    #[serde(default, deserialize_with = "wire::opt_i64_or_string")]
    pub identify_time: Option<i64>,
    /// The digits the user read aloud.
    #[serde(default, deserialize_with = "wire::opt_string_or_number")]
    pub validate_data: Option<String>,
    #[serde(default)]
    pub openid: Option<String>,
    #[serde(default)]
    pub user_id_key: Option<Pii>,
    #[serde(default, deserialize_with = "wire::opt_i64_or_string")]
    pub finish_time: Option<i64>,
    #[serde(default)]
    pub id_card_number_md5: Option<String>,
    #[serde(default)]
    pub name_utf8_md5: Option<String>,
}

/// The getinfo errcodes that decide a session, with the seed's text and facegate's reason.
/// 84001 is a verify_result WeChat did not issue (forged or garbled on the way: tampered);
/// 84002 the user's data timed out (the capture took too long); 84003 WeChat holds no data for
/// it, which the seed does not explain further (vendor error).
pub const GETINFO_CODES: &[(i64, &str, FailureReason)] = &[
    (84001, "非法identity_id", FailureReason::ResultTampered),
    (84002, "用户信息过期", FailureReason::CaptureFailed),
    (84003, "用户信息不存在", FailureReason::VendorError),
];

/// The reason for a getinfo errcode.
pub fn reason(errcode: i64) -> FailureReason {
    GETINFO_CODES
        .iter()
        .find(|(code, _, _)| *code == errcode)
        .map(|(_, _, reason)| *reason)
        .unwrap_or(FailureReason::VendorError)
}

/// `id_card_number_md5`: MD5 of the ID number with its last X upper case, hex.
pub fn id_number_md5(id_number: &str) -> String {
    hex::encode(Md5::digest(
        id_number.trim().to_ascii_uppercase().as_bytes(),
    ))
}

/// `name_utf8_md5`: MD5 of the name's UTF-8 bytes, hex.
pub fn name_md5(name: &str) -> String {
    hex::encode(Md5::digest(name.trim().as_bytes()))
}

/// What a getinfo answer must agree with to count for a session: the `user_id_key` that
/// session's getuseridkey issued, and the subject the merchant asked about.
#[derive(Clone, Copy, Debug)]
pub struct Expected<'a> {
    /// The session's own user_id_key (its vendor handle).
    pub user_id_key: &'a str,
    pub name: &'a str,
    pub id_number: &'a str,
}

/// The session's verdict from a getinfo answer. The front end hands the verify_result over,
/// so the answer is believed only when it is this session's: its `user_id_key` is the one
/// the session's getuseridkey issued (a verify_result of another session, even of the same
/// person, is `result_tampered`), errcode and identify_ret are 0, and both MD5s are the
/// subject's.
pub fn verdict(info: &IdentifyInfo, expected: &Expected<'_>) -> VerificationResult {
    let failed = |reason, code: String, message: String| VerificationResult {
        passed: false,
        reason: Some(reason),
        scores: Scores::default(),
        vendor_code: Some(code),
        vendor_message: Some(message),
        confirmed_by: ConfirmedBy::VendorQuery,
    };
    if info.errcode != 0 {
        return failed(
            reason(info.errcode),
            info.errcode.to_string(),
            info.errmsg.clone(),
        );
    }
    let own_key = info.user_id_key.as_ref().is_some_and(|key| {
        constant_time_eq(key.expose().as_bytes(), expected.user_id_key.as_bytes())
    });
    if !own_key {
        return failed(
            FailureReason::ResultTampered,
            "0".into(),
            "getinfo's user_id_key is not this session's: the verify_result belongs to another check"
                .into(),
        );
    }
    match info.identify_ret {
        Some(0) => {}
        // The seed documents no non-zero identify_ret values: WeChat's face check (liveness
        // and comparison with the identity's photo) did not pass.
        Some(ret) => {
            return failed(
                FailureReason::NotSamePerson,
                ret.to_string(),
                "identify_ret is not 0".into(),
            )
        }
        None => {
            return failed(
                FailureReason::VendorError,
                "0".into(),
                "getinfo answered without identify_ret".into(),
            )
        }
    }
    let matches = |got: &Option<String>, want: String| {
        got.as_deref().is_some_and(|got| {
            constant_time_eq(got.to_ascii_lowercase().as_bytes(), want.as_bytes())
        })
    };
    if !matches(&info.id_card_number_md5, id_number_md5(expected.id_number))
        || !matches(&info.name_utf8_md5, name_md5(expected.name))
    {
        return failed(
            FailureReason::ResultTampered,
            "0".into(),
            "id_card_number_md5 or name_utf8_md5 does not match the subject".into(),
        );
    }
    VerificationResult {
        passed: true,
        reason: None,
        scores: Scores::default(),
        vendor_code: Some("0".into()),
        vendor_message: Some(info.errmsg.clone()),
        confirmed_by: ConfirmedBy::VendorQuery,
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// getuseridkey's errcodes about the person it was given: WeChat does not accept this name
/// and ID number (84001 非法identity_id, 84002 用户信息过期, 84003 用户信息不存在). At create
/// they refuse the person, so the merchant gets a 4xx naming the subject, not a retry.
pub fn user_id_key_error(errcode: i64, errmsg: &str) -> VendorError {
    match errcode {
        84001..=84003 => VendorError::Refused {
            code: errcode.to_string(),
            message: errmsg.to_owned(),
            reason: FailureReason::IdentityMismatch,
            field: Some(if errcode == 84001 {
                "id_card_number".to_owned()
            } else {
                "name".to_owned()
            }),
        },
        // 40097 "invalid args": the sandbox answers it for a missing name or a bad check digit.
        40097 => VendorError::InvalidRequest {
            code: errcode.to_string(),
            message: errmsg.to_owned(),
            field: Some("id_card_number".to_owned()),
        },
        _ => error(errcode, errmsg),
    }
}

/// Maps a non-zero errcode of any call onto [`VendorError`].
pub fn error(errcode: i64, errmsg: &str) -> VendorError {
    let code = errcode.to_string();
    let message = errmsg.to_owned();
    match errcode {
        -1 => VendorError::Unavailable(format!("system busy ({code})")),
        40001 | 40002 | 40013 | 40014 | 40125 | 40164 | 41001 | 41002 | 41004 | 42001 | 48001
        | 61024 => VendorError::Unauthorized { code, message },
        45009 | 45011 | 45033 => VendorError::RateLimited {
            code,
            retry_after: None,
        },
        40097 | 44002 | 47001 => VendorError::InvalidRequest {
            code,
            message,
            field: None,
        },
        _ => VendorError::Api {
            code,
            message,
            log_id: None,
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Front-end codes (for the wasm helper; the backend never sees them)
// ---------------------------------------------------------------------------------------------

/// `wx.checkIsSupportFacialRecognition`'s errCodes and `checkAliveType`, defined once in
/// facegate-types for this crate and the wasm helper.
pub use facegate_types::front_end::wechat_mini::{
    CheckAliveType, FaceSupportReason, CHECK_SUPPORT_CODES,
};

// ---------------------------------------------------------------------------------------------
// Message push
// ---------------------------------------------------------------------------------------------

/// The `face_identify` push (seed 三.4), sent when out_seq_no was given; tried for 5 s only.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PushMessage {
    #[serde(rename = "ToUserName", default)]
    pub to_user_name: String,
    #[serde(rename = "FromUserName", default)]
    pub from_user_name: String,
    #[serde(
        rename = "CreateTime",
        default,
        deserialize_with = "wire::opt_i64_or_string"
    )]
    pub create_time: Option<i64>,
    #[serde(rename = "MsgType", default)]
    pub msg_type: String,
    #[serde(rename = "Event", default)]
    pub event: String,
    #[serde(default)]
    pub openid: Option<String>,
    #[serde(default)]
    pub out_seq_no: Option<String>,
    #[serde(default)]
    pub verify_result: Option<Pii>,
}

/// Why a push was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PushError {
    #[error("the push body is not the documented JSON: {0}")]
    Json(String),
    #[error("the push body is not the flat <xml> message: {0}")]
    Xml(&'static str),
    #[error("the push signature does not match")]
    BadSignature,
}

/// Pushes larger than this are refused unread.
pub const MAX_PUSH_BYTES: usize = 64 * 1024;

impl PushMessage {
    /// Whether this is the face identify result event.
    pub fn is_face_identify(&self) -> bool {
        self.msg_type == "event" && self.event == "face_identify"
    }

    /// Parses either form: XML when the body starts with `<`, JSON otherwise.
    pub fn parse(body: &[u8]) -> Result<Self, PushError> {
        let text = std::str::from_utf8(body).map_err(|_| PushError::Xml("not UTF-8"))?;
        if text.trim_start().starts_with('<') {
            Self::from_xml(text)
        } else {
            Self::from_json(body)
        }
    }

    pub fn from_json(body: &[u8]) -> Result<Self, PushError> {
        serde_json::from_slice(body).map_err(|error| PushError::Json(error.to_string()))
    }

    pub fn from_xml(body: &str) -> Result<Self, PushError> {
        let mut fields = flat_xml(body)?;
        let mut take = |key: &str| fields.remove(key);
        Ok(Self {
            to_user_name: take("ToUserName").unwrap_or_default(),
            from_user_name: take("FromUserName").unwrap_or_default(),
            create_time: match take("CreateTime") {
                None => None,
                Some(value) => Some(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| PushError::Xml("CreateTime is not a number"))?,
                ),
            },
            msg_type: take("MsgType").unwrap_or_default(),
            event: take("Event").unwrap_or_default(),
            openid: take("openid"),
            out_seq_no: take("out_seq_no"),
            verify_result: take("verify_result").map(Pii::from),
        })
    }
}

/// Reads `<xml><Name>text or CDATA</Name>...</xml>`: one level, no attributes, no DTD.
fn flat_xml(input: &str) -> Result<HashMap<String, String>, PushError> {
    if input.len() > MAX_PUSH_BYTES {
        return Err(PushError::Xml("too large"));
    }
    let mut rest = input.trim_start();
    if let Some(after) = rest.strip_prefix("<?xml") {
        let end = after
            .find("?>")
            .ok_or(PushError::Xml("unterminated prolog"))?;
        rest = after[end + 2..].trim_start();
    }
    rest = rest
        .strip_prefix("<xml>")
        .ok_or(PushError::Xml("expected <xml>"))?;
    let mut fields = HashMap::new();
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("</xml>") {
            if !after.trim().is_empty() {
                return Err(PushError::Xml("content after </xml>"));
            }
            return Ok(fields);
        }
        let after_open = rest
            .strip_prefix('<')
            .ok_or(PushError::Xml("expected an element"))?;
        let name_end = after_open
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .ok_or(PushError::Xml("unterminated element"))?;
        let name = &after_open[..name_end];
        if name.is_empty() {
            return Err(PushError::Xml(
                "an element without a name (DTDs are refused)",
            ));
        }
        let after_name = &after_open[name_end..];
        let value;
        if let Some(after) = after_name.strip_prefix("/>") {
            value = String::new();
            rest = after;
        } else {
            let body = after_name
                .strip_prefix('>')
                .ok_or(PushError::Xml("attributes are not expected"))?;
            let close = format!("</{name}>");
            let trimmed = body.trim_start();
            if let Some(cdata) = trimmed.strip_prefix("<![CDATA[") {
                let end = cdata
                    .find("]]>")
                    .ok_or(PushError::Xml("unterminated CDATA"))?;
                value = cdata[..end].to_owned();
                rest = cdata[end + 3..]
                    .trim_start()
                    .strip_prefix(close.as_str())
                    .ok_or(PushError::Xml("expected the closing tag after CDATA"))?;
            } else {
                let end = body
                    .find('<')
                    .ok_or(PushError::Xml("unterminated element"))?;
                value = unescape(&body[..end])?;
                rest = body[end..]
                    .strip_prefix(close.as_str())
                    .ok_or(PushError::Xml("nested elements are not expected"))?;
            }
        }
        if fields.insert(name.to_owned(), value).is_some() {
            return Err(PushError::Xml("an element appears twice"));
        }
    }
}

fn unescape(text: &str) -> Result<String, PushError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after
            .find(';')
            .ok_or(PushError::Xml("unterminated entity"))?;
        let entity = &after[..end];
        let decoded = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(decimal) = entity.strip_prefix('#') {
                    decimal.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or(PushError::Xml("unknown entity"))?
            }
        };
        out.push(decoded);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `SHA1(sort(token, timestamp, nonce))` as lower-case hex: the push URL signature.
pub fn push_signature(token: &str, timestamp: &str, nonce: &str) -> String {
    let mut parts = [token, timestamp, nonce];
    parts.sort_unstable();
    hex::encode(Sha1::digest(parts.concat().as_bytes()))
}

/// The query WeChat adds to the push URL (GET verification and POST pushes).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PushQuery {
    #[serde(default)]
    pub signature: String,
    #[serde(default)]
    pub timestamp: String,
    #[serde(default)]
    pub nonce: String,
    /// GET only: echoed back when the signature is right.
    #[serde(default)]
    pub echostr: Option<String>,
    #[serde(default)]
    pub openid: Option<String>,
}

impl PushQuery {
    /// Checks the signature against the push token configured in the mini-program's console.
    pub fn verify(&self, token: &str) -> Result<(), PushError> {
        let expected = push_signature(token, &self.timestamp, &self.nonce);
        if constant_time_eq(
            expected.as_bytes(),
            self.signature.to_ascii_lowercase().as_bytes(),
        ) {
            Ok(())
        } else {
            Err(PushError::BadSignature)
        }
    }

    /// The GET answer that proves the URL is ours: `echostr`, once the signature checks out.
    pub fn echo(&self, token: &str) -> Result<String, PushError> {
        self.verify(token)?;
        Ok(self.echostr.clone().unwrap_or_default())
    }
}

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

/// A client of one mini-program's WeChat API.
#[derive(Clone)]
pub struct WechatMiniClient {
    http: reqwest::Client,
    api_base: Url,
    appid: String,
    secret: SecretString,
    source: TokenSource,
    cache: Arc<dyn TokenCache>,
}

impl std::fmt::Debug for WechatMiniClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatMiniClient")
            .field("api_base", &self.api_base.as_str())
            .field("appid", &self.appid)
            .field("secret", &"<redacted>")
            .field("source", &self.source)
            .finish()
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default, deserialize_with = "wire::i64_or_string")]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

impl WechatMiniClient {
    /// `api_base`: `https://api.weixin.qq.com`. Stable tokens in an in-memory cache.
    pub fn new(
        http: reqwest::Client,
        api_base: Url,
        appid: impl Into<String>,
        secret: SecretString,
    ) -> Self {
        Self {
            http,
            api_base,
            appid: appid.into(),
            secret,
            source: TokenSource::Stable,
            cache: Arc::new(MemoryTokenCache::default()),
        }
    }

    /// Shares tokens through `cache` (the server's database across replicas).
    pub fn with_cache(mut self, cache: Arc<dyn TokenCache>) -> Self {
        self.cache = cache;
        self
    }

    pub fn with_token_source(mut self, source: TokenSource) -> Self {
        self.source = source;
        self
    }

    pub fn appid(&self) -> &str {
        &self.appid
    }

    fn endpoint(&self, path: &[&str]) -> Result<Url, VendorError> {
        let mut url = self.api_base.clone();
        url.path_segments_mut()
            .map_err(|_| VendorError::Decode("the base URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(path);
        Ok(url)
    }

    async fn read<T: serde::de::DeserializeOwned>(
        response: reqwest::Response,
    ) -> Result<T, VendorError> {
        let status = response.status();
        if status.is_server_error() {
            return Err(VendorError::Unavailable(format!(
                "HTTP {}",
                status.as_u16()
            )));
        }
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(VendorError::RateLimited {
                code: "429".into(),
                retry_after: crate::retry::retry_after(response.headers()),
            });
        }
        let bytes = response.bytes().await?;
        let envelope: Envelope =
            serde_json::from_slice(&bytes).map_err(|e| VendorError::Decode(e.to_string()))?;
        if envelope.errcode != 0 {
            return Err(error(envelope.errcode, &envelope.errmsg));
        }
        serde_json::from_slice(&bytes).map_err(|e| VendorError::Decode(e.to_string()))
    }

    /// `POST /cgi-bin/stable_token`.
    pub async fn stable_token(&self, force_refresh: bool) -> Result<TokenAnswer, VendorError> {
        let body = StableTokenRequest {
            grant_type: "client_credential",
            appid: &self.appid,
            secret: self.secret.expose_secret(),
            force_refresh,
        };
        let response = crate::http::send(
            VENDOR,
            "stable_token",
            self.http
                .post(self.endpoint(&["cgi-bin", "stable_token"])?)
                .json(&body),
        )
        .await?;
        Self::read(response).await
    }

    /// `GET /cgi-bin/token` (invalidates the previous token after a short overlap).
    pub async fn classic_token(&self) -> Result<TokenAnswer, VendorError> {
        let mut url = self.endpoint(&["cgi-bin", "token"])?;
        url.query_pairs_mut()
            .append_pair("grant_type", "client_credential")
            .append_pair("appid", &self.appid)
            .append_pair("secret", self.secret.expose_secret());
        Self::read(crate::http::send(VENDOR, "token", self.http.get(url)).await?).await
    }

    async fn fetch(&self, force_refresh: bool) -> Result<AccessToken, VendorError> {
        let now = SystemTime::now();
        let answer = match self.source {
            TokenSource::Stable => self.stable_token(force_refresh).await?,
            TokenSource::Classic => self.classic_token().await?,
        };
        let token = AccessToken {
            value: SecretString::from(answer.access_token.expose()),
            expires_at: now + Duration::from_secs(u64::try_from(answer.expires_in).unwrap_or(0)),
        };
        self.cache.put(&self.appid, token.clone()).await;
        Ok(token)
    }

    /// The access token to use now: the cached one while fresh, else a new one.
    pub async fn access_token(&self) -> Result<AccessToken, VendorError> {
        match self.cache.get(&self.appid).await {
            Some(token) if token.is_fresh(SystemTime::now()) => Ok(token),
            // A token fetch bills nothing: safe to repeat.
            _ => {
                crate::retry::RetryPolicy::default()
                    .run(|| self.fetch(false))
                    .await
            }
        }
    }

    /// A replacement for `stale`, which WeChat just refused.
    async fn refresh(&self, stale: &AccessToken) -> Result<AccessToken, VendorError> {
        let stale_value = stale.value.expose_secret();
        // Another replica may have refreshed already.
        if let Some(cached) = self.cache.get(&self.appid).await {
            if cached.value.expose_secret() != stale_value && cached.is_fresh(SystemTime::now()) {
                return Ok(cached);
            }
        }
        let fresh = self.fetch(false).await?;
        if self.source == TokenSource::Stable && fresh.value.expose_secret() == stale_value {
            return self.fetch(true).await;
        }
        Ok(fresh)
    }

    /// POSTs `body` to a token-authenticated endpoint; refreshes once and retries once on
    /// 40001 / 42001. Returns the raw answer for the caller to read.
    async fn post_with_token<B: Serialize + ?Sized>(
        &self,
        path: &[&str],
        body: &B,
    ) -> Result<bytes_answer::Answer, VendorError> {
        let mut token = self.access_token().await?;
        for attempt in 0..2 {
            let mut url = self.endpoint(path)?;
            url.query_pairs_mut()
                .append_pair("access_token", token.value.expose_secret());
            let call = path.last().copied().unwrap_or("api");
            let response = crate::http::send(VENDOR, call, self.http.post(url).json(body)).await?;
            let status = response.status();
            if status.is_server_error() {
                return Err(VendorError::Unavailable(format!(
                    "HTTP {}",
                    status.as_u16()
                )));
            }
            let bytes = response.bytes().await?;
            let envelope: Envelope =
                serde_json::from_slice(&bytes).map_err(|e| VendorError::Decode(e.to_string()))?;
            if attempt == 0 && matches!(envelope.errcode, ERR_INVALID_TOKEN | ERR_TOKEN_EXPIRED) {
                token = self.refresh(&token).await?;
                continue;
            }
            return Ok(bytes_answer::Answer {
                errcode: envelope.errcode,
                errmsg: envelope.errmsg,
                bytes: bytes.to_vec(),
            });
        }
        Err(VendorError::Unauthorized {
            code: ERR_INVALID_TOKEN.to_string(),
            message: "the access token was refused after a refresh".into(),
        })
    }

    /// Uploads the person's name and ID number; the mini-program then verifies with the key.
    pub async fn get_user_id_key(
        &self,
        request: &GetUserIdKeyRequest,
    ) -> Result<UserIdKey, VendorError> {
        let answer = self
            .post_with_token(
                &["cityservice", "face", "identify", "getuseridkey"],
                request,
            )
            .await?;
        if answer.errcode != 0 {
            return Err(user_id_key_error(answer.errcode, &answer.errmsg));
        }
        answer.decode()
    }

    /// Fetches the result behind the mini-program's `verifyResult`. 84001 / 84002 / 84003 are
    /// answers (see [`verdict`]), other errcodes errors.
    pub async fn get_info(&self, verify_result: &str) -> Result<IdentifyInfo, VendorError> {
        let request = GetInfoRequest {
            verify_result: Pii::from(verify_result),
        };
        let answer = self
            .post_with_token(&["cityservice", "face", "identify", "getinfo"], &request)
            .await?;
        if answer.errcode != 0
            && !GETINFO_CODES
                .iter()
                .any(|(code, _, _)| *code == answer.errcode)
        {
            return Err(error(answer.errcode, &answer.errmsg));
        }
        answer.decode()
    }
}

mod bytes_answer {
    use crate::VendorError;

    /// A raw answer with its errcode read.
    pub struct Answer {
        pub errcode: i64,
        pub errmsg: String,
        pub bytes: Vec<u8>,
    }

    impl Answer {
        pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, VendorError> {
            serde_json::from_slice(&self.bytes).map_err(|e| VendorError::Decode(e.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "张三";
    const ID: &str = "11010519491231002x";

    fn info() -> IdentifyInfo {
        IdentifyInfo {
            errcode: 0,
            errmsg: "ok".into(),
            identify_ret: Some(0),
            id_card_number_md5: Some(id_number_md5("11010519491231002X")),
            name_utf8_md5: Some(name_md5(NAME)),
            user_id_key: Some(Pii::from(KEY)),
            ..IdentifyInfo::default()
        }
    }

    const KEY: &str = "id_key_of_this_session";

    fn expected<'a>(name: &'a str, id_number: &'a str) -> Expected<'a> {
        Expected {
            user_id_key: KEY,
            name,
            id_number,
        }
    }

    #[test]
    fn md5s_follow_the_seed() {
        // MD5 of the ID number with an upper-case X, and of the name's UTF-8 bytes.
        assert_eq!(id_number_md5(ID), id_number_md5("11010519491231002X"));
        assert_eq!(
            id_number_md5("11010519491231002X"),
            hex::encode(Md5::digest(b"11010519491231002X"))
        );
        assert_eq!(name_md5(NAME), hex::encode(Md5::digest("张三".as_bytes())));
        assert_eq!(name_md5("张三"), "615db57aa314529aaa0fbe95b3e95bd3");
    }

    #[test]
    fn success_needs_errcode_identify_ret_and_both_md5s() {
        let passed = verdict(&info(), &expected(NAME, ID));
        assert!(passed.passed);
        assert_eq!(passed.confirmed_by, ConfirmedBy::VendorQuery);

        let mut upper_hex = info();
        upper_hex.name_utf8_md5 = upper_hex.name_utf8_md5.map(|m| m.to_ascii_uppercase());
        assert!(verdict(&upper_hex, &expected(NAME, ID)).passed);

        let other_name = verdict(&info(), &expected("李四", ID));
        assert_eq!(other_name.reason, Some(FailureReason::ResultTampered));
        let other_id = verdict(&info(), &expected(NAME, "110101199003074514"));
        assert_eq!(other_id.reason, Some(FailureReason::ResultTampered));
        let mut missing = info();
        missing.name_utf8_md5 = None;
        assert_eq!(
            verdict(&missing, &expected(NAME, ID)).reason,
            Some(FailureReason::ResultTampered)
        );

        let mut refused = info();
        refused.identify_ret = Some(1);
        let refused = verdict(&refused, &expected(NAME, ID));
        assert_eq!(refused.reason, Some(FailureReason::NotSamePerson));
        assert_eq!(refused.vendor_code.as_deref(), Some("1"));

        for (code, message, wanted) in GETINFO_CODES {
            let answer = IdentifyInfo {
                errcode: *code,
                errmsg: (*message).into(),
                ..IdentifyInfo::default()
            };
            let result = verdict(&answer, &expected(NAME, ID));
            assert!(!result.passed);
            assert_eq!(result.reason, Some(*wanted));
            assert_eq!(result.vendor_code, Some(code.to_string()));
        }
        // Another session's verify_result (its user_id_key), even for the same person.
        let mut another = info();
        another.user_id_key = Some(Pii::from("id_key_of_another_session"));
        let another = verdict(&another, &expected(NAME, ID));
        assert_eq!(another.reason, Some(FailureReason::ResultTampered));
        let mut keyless = info();
        keyless.user_id_key = None;
        assert_eq!(
            verdict(&keyless, &expected(NAME, ID)).reason,
            Some(FailureReason::ResultTampered)
        );
        assert_eq!(reason(84001), FailureReason::ResultTampered);
        assert_eq!(reason(84002), FailureReason::CaptureFailed);
        assert_eq!(reason(84003), FailureReason::VendorError);
    }

    #[test]
    fn errcodes_map_onto_vendor_errors() {
        assert!(matches!(
            error(40001, "x"),
            VendorError::Unauthorized { .. }
        ));
        assert!(matches!(
            error(42001, "x"),
            VendorError::Unauthorized { .. }
        ));
        assert!(matches!(
            error(40125, "x"),
            VendorError::Unauthorized { .. }
        ));
        assert!(error(-1, "busy").is_retryable());
        assert!(matches!(error(45009, "x"), VendorError::RateLimited { .. }));
        assert!(matches!(
            error(47001, "x"),
            VendorError::InvalidRequest { .. }
        ));
        assert!(matches!(error(84001, "x"), VendorError::Api { .. }));
        // At getuseridkey the same codes refuse the person given.
        for code in 84001..=84003 {
            assert!(matches!(
                user_id_key_error(code, "x"),
                VendorError::Refused {
                    reason: FailureReason::IdentityMismatch,
                    ..
                }
            ));
        }
        assert!(matches!(
            user_id_key_error(40097, "invalid args"),
            VendorError::InvalidRequest { .. }
        ));
    }

    #[test]
    fn a_token_is_refreshed_before_it_ends() {
        let now = SystemTime::now();
        let token = |secs| AccessToken {
            value: SecretString::from("t"),
            expires_at: now + Duration::from_secs(secs),
        };
        assert!(token(7200).is_fresh(now));
        assert!(!token(60).is_fresh(now));
        assert!(!format!("{:?}", token(1)).contains("\"t\""));
    }

    #[test]
    fn golden_getuseridkey_examples() {
        // The request example quotes 张三 with typographic quotes (“张三”): not valid JSON;
        // this is the obvious valid form, and our request serialises to the same shape.
        let example: serde_json::Value = serde_json::from_str(
            r#"{
"name" : "张三",
"id_card_number" : "452122xxxxxxx43215"
}"#,
        )
        .unwrap();
        let ours = serde_json::to_value(GetUserIdKeyRequest {
            name: "张三".into(),
            id_card_number: "452122xxxxxxx43215".into(),
            out_seq_no: None,
        })
        .unwrap();
        assert_eq!(ours, example);
        // The answer example, verbatim.
        let answer: UserIdKey = serde_json::from_str(
            r#"{
"errcode" : 0, "errmsg" : "ok",
"user_id_key" : "id_key_xxxx", "expires_in": 3600
} "#,
        )
        .unwrap();
        assert_eq!(answer.user_id_key.expose(), "id_key_xxxx");
        assert_eq!(answer.expires_in, 3600);
    }

    #[test]
    fn golden_getinfo_example() {
        // The seed's example misses a comma after identify_time and its closing brace: this is
        // the obvious valid form.
        let info: IdentifyInfo = serde_json::from_str(
            r#"{
"errcode" : 0,
"errmsg" : "ok", "identify_ret" : 0,
"identify_time" : 1486350357,
"validate_data": "8593"
}"#,
        )
        .unwrap();
        assert_eq!(info.identify_ret, Some(0));
        assert_eq!(info.identify_time, Some(1486350357));
        assert_eq!(info.validate_data.as_deref(), Some("8593"));
        // Without the MD5s the answer cannot pass.
        assert_eq!(
            verdict(&info, &expected(NAME, ID)).reason,
            Some(FailureReason::ResultTampered)
        );
    }

    const PUSH_EXAMPLE: &str = r#"{
	"ToUserName": "gh_81fxxxxxxxx",
	"FromUserName": "oRRn15NUibBxxxxxxxxx",
	"CreateTime": 1703657835,
	"MsgType": "event",
	"Event": "face_identify",
	"openid": "oRRn15NUibBxxxxxxxxx",
	"out_seq_no": "test1234",
	"verify_result": "XXIzTtMqCxwOaawoE91-VNGAC3v1j9MP-5fZJxv0fYT4aGezzvYlUb-n6RWQa7XeJpQo0teKj8mGE4ZcRe1JI3GqzADBYORBu613rKjKAFfEXTXw_bu1bs7MnmPOpguS"
}"#;

    #[test]
    fn golden_push_example_and_its_xml_form() {
        let json = PushMessage::parse(PUSH_EXAMPLE.as_bytes()).unwrap();
        assert!(json.is_face_identify());
        assert_eq!(json.create_time, Some(1703657835));
        assert_eq!(json.out_seq_no.as_deref(), Some("test1234"));
        assert!(json
            .verify_result
            .as_ref()
            .unwrap()
            .expose()
            .starts_with("XXIzTtMq"));

        let xml = r#"<?xml version="1.0"?>
<xml>
  <ToUserName><![CDATA[gh_81fxxxxxxxx]]></ToUserName>
  <FromUserName><![CDATA[oRRn15NUibBxxxxxxxxx]]></FromUserName>
  <CreateTime>1703657835</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[face_identify]]></Event>
  <openid><![CDATA[oRRn15NUibBxxxxxxxxx]]></openid>
  <out_seq_no>test&amp;1234</out_seq_no>
  <verify_result><![CDATA[XXIzTtMqCxwOaawoE91-VNGAC3v1j9MP-5fZJxv0fYT4aGezzvYlUb-n6RWQa7XeJpQo0teKj8mGE4ZcRe1JI3GqzADBYORBu613rKjKAFfEXTXw_bu1bs7MnmPOpguS]]></verify_result>
</xml>"#;
        let parsed = PushMessage::parse(xml.as_bytes()).unwrap();
        assert_eq!(parsed.out_seq_no.as_deref(), Some("test&1234"));
        assert_eq!(parsed.verify_result, json.verify_result);
        assert_eq!(parsed.create_time, json.create_time);
        assert!(parsed.is_face_identify());
    }

    #[test]
    fn the_xml_reader_refuses_what_it_does_not_expect() {
        for bad in [
            "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><a>&e;</a></xml>",
            "<xml><a><b>1</b></a></xml>",
            "<xml><a x=\"1\">1</a></xml>",
            "<xml><a>1</a><a>2</a></xml>",
            "<xml><a>&e;</a></xml>",
            "<xml><a><![CDATA[1]]></xml>",
            "<xml><a>1</a></xml>trailing",
            "<xml><a>1</a>",
            "<root><a>1</a></root>",
        ] {
            assert!(flat_xml(bad).is_err(), "{bad}");
        }
        let fields = flat_xml("<xml><a>&#x4e2d;&#25991;&lt;</a><b/></xml>").unwrap();
        assert_eq!(fields["a"], "中文<");
        assert_eq!(fields["b"], "");
    }

    #[test]
    fn push_signature_is_sha1_of_the_sorted_parts() {
        let signature = push_signature("token", "1703657835", "nonce");
        let mut parts = ["token", "1703657835", "nonce"];
        parts.sort_unstable();
        assert_eq!(
            signature,
            hex::encode(Sha1::digest(parts.concat().as_bytes()))
        );
        let query = PushQuery {
            signature: signature.clone(),
            timestamp: "1703657835".into(),
            nonce: "nonce".into(),
            echostr: Some("echo-me".into()),
            openid: None,
        };
        assert_eq!(query.echo("token").unwrap(), "echo-me");
        assert_eq!(query.echo("other"), Err(PushError::BadSignature));
        let tampered = PushQuery {
            nonce: "nonce2".into(),
            ..query
        };
        assert_eq!(tampered.verify("token"), Err(PushError::BadSignature));
    }
}
