//! The mini-program side: OEMCloud's web-view messages (seed 002 "小程序端内嵌H5页集成对接说明"),
//! the callbacks of `wx.checkIsSupportFacialRecognition` and `wx.startFacialRecognitionVerify`
//! (seed 003), `wx.requestFacialVerify`'s (WeChat face verification 2.0, `wechat_verify`), and
//! `my.startAPVerify`'s answer. None of these decides a verdict: a finished
//! flow always ends with asking the backend. The vendors' own tables (message types, support
//! codes, verify statuses) are facegate-types' [`front_end`](facegate_types::front_end), shared
//! with facegate-vendors.

use facegate_types::front_end::oemcloud::{ApVerifyStatus, WebViewMessageType};
use facegate_types::front_end::wechat_verify::{self as verify_v2, FacialVerifyAction};
use facegate_types::{FailureReason, Locale, Provider};
use serde::Serialize;

use crate::read;

pub use facegate_types::front_end::wechat_mini::FaceSupportReason;

/// What the mini-program page does with a web-view message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(
    tag = "action",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum WebViewMessage {
    /// `IDENTITY_ALI_FACE_AWAKE`: call `my.startAPVerify({url, certifyId})`.
    StartAlipayVerify {
        certify_id: String,
        url: String,
        auth_flow_id: Option<String>,
    },
    /// `RN_DONE`: the real-name flow finished; ask the backend for the result.
    Finished { auth_flow_id: Option<String> },
    /// Anything else: nothing to do. `type` is named where the message had one; `message`
    /// says why in the caller's locale, for the developer's log.
    Ignored {
        #[serde(rename = "type")]
        kind: Option<String>,
        reason: IgnoredReason,
        message: String,
    },
}

code_enum! {
    /// Why a web-view message was ignored, as a stable code.
    pub enum IgnoredReason {
        /// The event is not an object, a list or a JSON string.
        NotAnEvent => "not_an_event",
        /// No posted message has a `type`.
        NoType => "no_type",
        /// `IDENTITY_ALI_FACE_AWAKE` without a token (the certifyId).
        NoToken => "no_token",
        /// A type facegate does not act on.
        NotActedOn => "not_acted_on",
    }
}

/// What a value handed to a web-view message handler is, as far as the parser cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Object,
    Array,
    String,
    /// A number, a boolean, `null`, `undefined`, a function.
    Other,
}

/// A value a container handed to a web-view message handler, read only through what the
/// parser needs. `js.rs` implements it for `JsValue`; the native tests for JSON values
/// (crates/facegate-wasm/tests/support).
/// The plain-JS adapter (web/miniprogram/adapter.js) walks values the same way, step by step.
pub trait Posted: Sized {
    fn shape(&self) -> Shape;
    /// An object's property; `None` when it is absent, `undefined` or `null`.
    fn property(&self, key: &str) -> Option<Self>;
    /// An array's last `count` elements, in order.
    fn last_items(&self, count: usize) -> Vec<Self>;
    /// An array's first `count` elements, in order.
    fn first_items(&self, count: usize) -> Vec<Self>;
    fn string(&self) -> Option<String>;
    /// A string's length in UTF-16 code units (JavaScript's `length`).
    fn string_units(&self) -> Option<usize>;
    fn number(&self) -> Option<f64>;
    fn boolean(&self) -> Option<bool>;
    /// The string parsed as JSON; `None` when it is not JSON.
    fn parse_json(&self) -> Option<Self>;
    /// An object with at least one property of its own.
    fn has_properties(&self) -> bool;
}

/// Wrappers read before anything else, first one present wins: the mini-program event's
/// `detail`, the original event mpvue keeps in `mp`, React Native WebView's `nativeEvent`.
const WRAPPERS: [&str; 3] = ["detail", "mp", "nativeEvent"];
/// Nesting followed (wrappers, lists, `data`, JSON strings), counted from the event.
pub const MAX_DEPTH: usize = 8;
/// Elements read from one list: its last ones, the most recent messages.
pub const MAX_BATCH: usize = 32;
/// Values looked at for one event, in all.
pub const MAX_VALUES: usize = 256;
/// Strings parsed as JSON for one event, and the longest one parsed (UTF-16 code units).
pub const MAX_JSON_STRINGS: usize = 32;
pub const MAX_JSON_UNITS: usize = 16 * 1024;

/// Only `{...}` and `[...]` are parsed: a posted object or list sent through `JSON.stringify`.
fn looks_like_json(text: &str) -> bool {
    text.trim_start_matches([' ', '\t', '\n', '\r'])
        .starts_with(['{', '['])
}

/// One posted message: an object with a `type`.
struct Found {
    kind: String,
    token: Option<String>,
    url: Option<String>,
    auth_flow_id: Option<String>,
}

/// What one event held, read in order within the bounds above.
#[derive(Default)]
struct Batch {
    values: usize,
    json_strings: usize,
    /// The last `RN_DONE`.
    finished: Option<Found>,
    /// The last `IDENTITY_ALI_FACE_AWAKE` with a token.
    start: Option<Found>,
    /// The last message's type.
    last: Option<String>,
}

impl Batch {
    fn walk<V: Posted>(&mut self, value: &V, depth: usize) {
        if depth > MAX_DEPTH || self.values >= MAX_VALUES {
            return;
        }
        self.values += 1;
        match value.shape() {
            Shape::Array => {
                for item in value.last_items(MAX_BATCH) {
                    self.walk(&item, depth + 1);
                }
            }
            Shape::String => {
                let short = value.string_units().is_some_and(|n| n <= MAX_JSON_UNITS);
                if !short || self.json_strings >= MAX_JSON_STRINGS {
                    return;
                }
                if !value.string().is_some_and(|text| looks_like_json(&text)) {
                    return;
                }
                self.json_strings += 1;
                if let Some(parsed) = value.parse_json() {
                    self.walk(&parsed, depth + 1);
                }
            }
            Shape::Object => {
                if let Some(inner) = WRAPPERS.iter().find_map(|key| value.property(key)) {
                    return self.walk(&inner, depth + 1);
                }
                // "message" is the type of the event itself (mini-program and DOM events).
                match read::text(value, "type").filter(|t| !t.is_empty() && t != "message") {
                    Some(kind) => self.found(Found {
                        kind,
                        token: read::text(value, "token"),
                        url: read::text(value, "url"),
                        auth_flow_id: read::text(value, "authFlowId"),
                    }),
                    None => {
                        if let Some(data) = value.property("data") {
                            self.walk(&data, depth + 1);
                        }
                    }
                }
            }
            Shape::Other => {}
        }
    }

    fn found(&mut self, message: Found) {
        let has_token = message.token.as_deref().is_some_and(|t| !t.is_empty());
        self.last = Some(message.kind.clone());
        match WebViewMessageType::parse(&message.kind) {
            Some(WebViewMessageType::RealNameDone) => self.finished = Some(message),
            Some(WebViewMessageType::AliFaceAwake) if has_token => self.start = Some(message),
            _ => {}
        }
    }
}

/// Reads what a web-view message handler was given: the event, its `detail`, a batch of
/// posted messages, a JSON string, in any of the shapes below (the sources are in
/// tests/cases/web_view_messages.json, which both this parser and the plain-JS adapter pass).
///
/// - WeChat `bindmessage`, Taro `onMessage`, uni-app `@message`: `{detail: {data: [...]}}`,
///   every message posted since the last delivery, oldest first; uni-app's app runtime
///   wraps each as `{data: {...}}`, and uni-app x posts `{data: {...}}` without a list.
/// - Alipay `onMessage`: `{detail: {type, token, url, authFlowId}}` (seed 002), or
///   `{detail: {data: ...}}` as mPaaS documents it.
/// - React Native WebView: `{nativeEvent: {data: "<JSON>"}}`; a DOM `MessageEvent`:
///   `{data: ...}`; mpvue: `{mp: {detail: ...}}`.
/// - Any message, list or `data` posted as a JSON string (`JSON.stringify` before posting).
///
/// A batch reads as one answer: `finished` when any message is `RN_DONE` (a later message,
/// such as the page hiding, does not undo it); else `start_alipay_verify` for the last
/// `IDENTITY_ALI_FACE_AWAKE` with a token; else `ignored`, naming the last message's type.
/// Unknown types are ignored, never an error; the walk is bounded (see the constants).
/// `ignored`'s message is in zh-CN.
pub fn parse_web_view_message<V: Posted>(event: &V) -> WebViewMessage {
    parse_web_view_message_in(event, Locale::default())
}

/// [`parse_web_view_message`], with `ignored`'s message in `locale`.
pub fn parse_web_view_message_in<V: Posted>(event: &V, locale: Locale) -> WebViewMessage {
    let mut batch = Batch::default();
    batch.walk(event, 0);
    if let Some(done) = batch.finished {
        return WebViewMessage::Finished {
            auth_flow_id: done.auth_flow_id,
        };
    }
    if let Some(start) = batch.start {
        return WebViewMessage::StartAlipayVerify {
            certify_id: start.token.unwrap_or_default(),
            url: start.url.unwrap_or_default(),
            auth_flow_id: start.auth_flow_id,
        };
    }
    let Some(last) = batch.last else {
        let reason = if event.shape() == Shape::Other {
            IgnoredReason::NotAnEvent
        } else {
            IgnoredReason::NoType
        };
        return WebViewMessage::Ignored {
            kind: None,
            reason,
            message: reason.text().get(locale).to_owned(),
        };
    };
    let reason = if WebViewMessageType::parse(&last) == Some(WebViewMessageType::AliFaceAwake) {
        IgnoredReason::NoToken
    } else {
        IgnoredReason::NotActedOn
    };
    WebViewMessage::Ignored {
        message: crate::messages::fill(reason.text().get(locale), &last),
        kind: Some(last),
        reason,
    }
}

/// The callback argument of a mini-program API: `{errCode?, errMsg?, ...}`.
#[derive(Clone, Debug, Default)]
pub struct WechatCallback {
    pub err_code: Option<f64>,
    pub err_msg: Option<String>,
    pub verify_result: Option<String>,
}

impl WechatCallback {
    /// Reads a runtime's callback argument leniently: a field of an odd type, or an argument
    /// that is not an object, reads as absent.
    pub fn read<V: Posted>(value: &V) -> Self {
        Self {
            err_code: read::number(value, "errCode"),
            err_msg: read::string(value, "errMsg"),
            verify_result: read::string(value, "verifyResult"),
        }
    }

    fn code(&self) -> Option<i64> {
        self.err_code.filter(|c| c.fract() == 0.0).map(|c| c as i64)
    }

    /// WeChat ends a success's errMsg with `:ok`.
    fn says_ok(&self) -> bool {
        self.err_msg.as_deref().is_some_and(|m| m.ends_with(":ok"))
    }
}

/// What the page knows beside `wx.checkIsSupportFacialRecognition`'s callback.
#[derive(Clone, Debug, Default)]
pub struct FaceSupportContext {
    /// The base library, `SDKVersion` of `wx.getAppBaseInfo()` (or `getSystemInfoSync()`).
    pub sdk_version: Option<String>,
    /// The WeChat providers the merchant enabled (wire names; others are ignored); absent:
    /// both.
    pub enabled: Option<Vec<Provider>>,
    /// The locale of `message` (a BCP 47 tag: `zh-CN`, `en`, ...); see [`FaceSupportContext::locale`].
    pub locale: Option<String>,
}

impl FaceSupportContext {
    /// Reads the context leniently, like the callback: an odd field reads as absent;
    /// `enabled` keeps the provider names facegate knows, in order, when it is a list.
    pub fn read<V: Posted>(value: &V) -> Self {
        let enabled = value
            .property("enabled")
            .filter(|list| list.shape() == Shape::Array)
            .map(|list| {
                list.first_items(read::MAX_LIST)
                    .iter()
                    .filter_map(|name| name.string()?.parse().ok())
                    .collect()
            });
        Self {
            sdk_version: read::string(value, "sdkVersion"),
            enabled,
            locale: read::string(value, "locale"),
        }
    }

    /// The context's `locale` where it names one, else the first of `preferred` that does
    /// (the browser's languages), else zh-CN.
    pub fn locale<'a>(&'a self, preferred: impl IntoIterator<Item = &'a str>) -> Locale {
        Locale::first_of(self.locale.as_deref().into_iter().chain(preferred))
    }
}

/// `wx.checkIsSupportFacialRecognition`'s answer, and which WeChat face flow to take.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaceSupport {
    pub supported: bool,
    pub reason: FaceSupportReason,
    pub err_code: Option<i64>,
    /// The base library has `wx.requestFacialVerify` (3.8.12 or later): face verification 2.0.
    pub facial_verify: bool,
    /// `wechat_verify` where 2.0 runs and is enabled, else `wechat_mini` where enabled; `null`
    /// when the device cannot take a face or neither is enabled.
    pub provider: Option<Provider>,
    /// What `reason` means for the person and what to do, in the context's locale.
    pub message: &'static str,
}

/// Maps `wx.checkIsSupportFacialRecognition`'s callback (seed 003 "回调结果说明"), knowing
/// nothing of the base library (so recommending 1.0 only).
pub fn wechat_face_support(callback: &WechatCallback) -> FaceSupport {
    wechat_face_support_in(callback, &FaceSupportContext::default())
}

/// Maps `wx.checkIsSupportFacialRecognition`'s callback: a documented errCode by the shared
/// table, an iOS answer without one by its `:ok`; then recommends `wechat_verify` over
/// `wechat_mini` where the base library has `wx.requestFacialVerify`. The message is in the
/// context's locale (zh-CN when it names none).
pub fn wechat_face_support_in(
    callback: &WechatCallback,
    context: &FaceSupportContext,
) -> FaceSupport {
    wechat_face_support_localized(callback, context, context.locale([]))
}

/// [`wechat_face_support_in`] with the message in `locale`.
pub fn wechat_face_support_localized(
    callback: &WechatCallback,
    context: &FaceSupportContext,
    locale: Locale,
) -> FaceSupport {
    let code = callback.code();
    let reason = match code {
        Some(code) => FaceSupportReason::from_code(code),
        None if callback.says_ok() => FaceSupportReason::Supported,
        None => FaceSupportReason::Unknown,
    };
    let supported = reason == FaceSupportReason::Supported;
    let facial_verify = verify_v2::has_request_facial_verify(context.sdk_version.as_deref());
    FaceSupport {
        supported,
        reason,
        err_code: code,
        facial_verify,
        provider: verify_v2::recommend(supported, facial_verify, context.enabled.as_deref()),
        message: crate::messages::face_support(reason).get(locale),
    }
}

/// What to do after `wx.requestFacialVerify` calls back (face verification 2.0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FacialVerifyOutcome {
    /// `ask_backend` (`completeClientVerification`: queryverifyinfo decides) or `canceled`.
    pub action: FacialVerifyAction,
    pub err_code: Option<i64>,
}

/// Maps `wx.requestFacialVerify`'s callback: the user gave up (the cancel codes, or an errMsg
/// with `cancel`), else ask the backend, success or not: the callback decides nothing.
pub fn wechat_facial_verify_outcome(callback: &WechatCallback) -> FacialVerifyOutcome {
    let err_code = callback.code();
    FacialVerifyOutcome {
        action: verify_v2::facial_verify_action(err_code, callback.err_msg.as_deref()),
        err_code,
    }
}

/// What to do after `wx.startFacialRecognitionVerify` calls back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(
    tag = "action",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum WechatVerifyOutcome {
    /// Hand `verifyResult` to the backend (`submitWechatResult`): only it decides.
    Submit {
        verify_result: String,
        err_code: Option<i64>,
    },
    /// The user left the face check.
    Canceled { err_code: Option<i64> },
    /// WeChat reported a failure without a verifyResult. `hint` is the likely reason, for the
    /// page's wording only: nothing was confirmed. `message` is the hint's explanation for the
    /// person ([`FailureReason::explain`]) in the caller's locale.
    Failed {
        err_code: Option<i64>,
        hint: FailureReason,
        retry: bool,
        message: &'static str,
    },
}

/// Maps `wx.startFacialRecognitionVerify`'s callback. Seed 003 leaves its callback table empty;
/// the codes below are the ones WeChat's public error list gives (10001-10069, 90100 the user
/// leaving). A `verifyResult`, whatever the code, always goes to the backend. A failure's
/// message is in zh-CN.
pub fn wechat_verify_outcome(callback: &WechatCallback) -> WechatVerifyOutcome {
    wechat_verify_outcome_in(callback, Locale::default())
}

/// [`wechat_verify_outcome`], with a failure's message in `locale`.
pub fn wechat_verify_outcome_in(callback: &WechatCallback, locale: Locale) -> WechatVerifyOutcome {
    let err_code = callback.code();
    if let Some(verify_result) = callback.verify_result.clone().filter(|v| !v.is_empty()) {
        return WechatVerifyOutcome::Submit {
            verify_result,
            err_code,
        };
    }
    let failed = |hint: FailureReason, retry| WechatVerifyOutcome::Failed {
        err_code,
        hint,
        retry,
        message: hint.explain(locale),
    };
    match err_code {
        Some(90100) => WechatVerifyOutcome::Canceled { err_code },
        Some(10004 | 10011) => failed(FailureReason::NotSamePerson, true),
        Some(10003 | 10009 | 10026) => failed(FailureReason::IdentityMismatch, false),
        Some(10002 | 10005 | 10010 | 10020 | 10027 | 10028) => {
            failed(FailureReason::CaptureFailed, true)
        }
        Some(10006 | 10031) => failed(FailureReason::AccountError, false),
        Some(10017 | 10018 | 10041) => failed(FailureReason::VendorError, false),
        _ if callback
            .err_msg
            .as_deref()
            .is_some_and(|m| facegate_types::front_end::contains(m, "cancel")) =>
        {
            WechatVerifyOutcome::Canceled { err_code }
        }
        _ => failed(FailureReason::VendorError, true),
    }
}

/// `my.startAPVerify`'s answer: `resultStatus` 9000 finished, 6001 the user gave up
/// (VENDORS.md, oemcloud).
#[derive(Clone, Debug, Default)]
pub struct AlipayVerifyCallback {
    pub result_status: Option<String>,
}

impl AlipayVerifyCallback {
    /// Reads the callback leniently: `resultStatus` as a string or a safe integer, else absent.
    pub fn read<V: Posted>(value: &V) -> Self {
        Self {
            result_status: read::text(value, "resultStatus"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(
    tag = "action",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum AlipayVerifyOutcome {
    /// 9000: ask the backend for the result.
    Finished,
    /// 6001: the user gave up.
    Canceled,
    /// Anything else: the face check did not run to its end.
    Failed { result_status: Option<String> },
}

pub fn alipay_verify_outcome(callback: AlipayVerifyCallback) -> AlipayVerifyOutcome {
    let status = callback.result_status;
    match status.as_deref().and_then(ApVerifyStatus::from_text) {
        Some(ApVerifyStatus::Finished) => AlipayVerifyOutcome::Finished,
        Some(ApVerifyStatus::UserCanceled) => AlipayVerifyOutcome::Canceled,
        None => AlipayVerifyOutcome::Failed {
            result_status: status,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::json::json;

    #[test]
    fn odd_callback_fields_from_a_runtime_read_as_absent_rather_than_failing() {
        let callback = WechatCallback::read(&json(
            r#"{"errCode": "10001", "errMsg": 3, "verifyResult": "v"}"#,
        ));
        assert_eq!(callback.err_code, None);
        assert_eq!(callback.err_msg, None);
        assert_eq!(callback.verify_result.as_deref(), Some("v"));
        let status = AlipayVerifyCallback::read(&json(r#"{"resultStatus": 9000.5}"#));
        assert_eq!(
            status.result_status, None,
            "only safe integers read as text"
        );
    }

    fn callback(text: &str) -> WechatCallback {
        WechatCallback::read(&json(text))
    }

    #[test]
    fn support_codes_map_as_the_seed_documents() {
        let support = |json| wechat_face_support(&callback(json));
        assert!(
            support(r#"{"errCode":0,"errMsg":"checkIsSupportFacialRecognition:ok"}"#).supported
        );
        assert!(
            support(r#"{"errMsg":"checkIsSupportFacialRecognition:ok"}"#).supported,
            "iOS: no errCode"
        );
        assert_eq!(
            support(r#"{"errCode":10001}"#).reason,
            FaceSupportReason::NoFrontCamera
        );
        assert_eq!(
            support(r#"{"errCode":10002}"#).reason,
            FaceSupportReason::ModelNotDownloaded
        );
        assert_eq!(
            support(r#"{"errCode":10003}"#).reason,
            FaceSupportReason::DisabledByBackend
        );
        let unknown = support(r#"{"errMsg":"checkIsSupportFacialRecognition:fail"}"#);
        assert_eq!(
            (unknown.supported, unknown.reason),
            (false, FaceSupportReason::Unknown)
        );
    }

    #[test]
    fn a_verify_result_always_goes_to_the_backend() {
        assert_eq!(
            wechat_verify_outcome(&callback(r#"{"errCode":0,"verifyResult":"XXIz"}"#)),
            WechatVerifyOutcome::Submit {
                verify_result: "XXIz".into(),
                err_code: Some(0)
            }
        );
        assert!(matches!(
            wechat_verify_outcome(&callback(r#"{"errCode":10004,"verifyResult":"abc"}"#)),
            WechatVerifyOutcome::Submit { .. }
        ));
    }

    #[test]
    fn failures_without_a_verify_result_are_hints_only() {
        let outcome = |json| wechat_verify_outcome(&callback(json));
        assert_eq!(
            outcome(r#"{"errCode":90100}"#),
            WechatVerifyOutcome::Canceled {
                err_code: Some(90100)
            }
        );
        assert_eq!(
            outcome(r#"{"errCode":10004}"#),
            WechatVerifyOutcome::Failed {
                err_code: Some(10004),
                hint: FailureReason::NotSamePerson,
                retry: true,
                message: FailureReason::NotSamePerson.explain(Locale::ZhCn),
            }
        );
        assert!(matches!(
            outcome(r#"{"errCode":10009}"#),
            WechatVerifyOutcome::Failed {
                hint: FailureReason::IdentityMismatch,
                retry: false,
                ..
            }
        ));
        assert!(matches!(
            outcome(r#"{"errCode":10020}"#),
            WechatVerifyOutcome::Failed {
                hint: FailureReason::CaptureFailed,
                ..
            }
        ));
        assert!(matches!(
            outcome(r#"{"errCode":10006}"#),
            WechatVerifyOutcome::Failed {
                hint: FailureReason::AccountError,
                ..
            }
        ));
        assert!(matches!(
            outcome(r#"{"errCode":12345}"#),
            WechatVerifyOutcome::Failed {
                hint: FailureReason::VendorError,
                ..
            }
        ));
        assert!(matches!(
            outcome(r#"{"errMsg":"startFacialRecognitionVerify:fail cancel"}"#),
            WechatVerifyOutcome::Canceled { err_code: None }
        ));
    }

    #[test]
    fn alipay_result_status_is_read_as_string_or_number() {
        let outcome = |text| alipay_verify_outcome(AlipayVerifyCallback::read(&json(text)));
        assert_eq!(
            outcome(r#"{"resultStatus":"9000"}"#),
            AlipayVerifyOutcome::Finished
        );
        assert_eq!(
            outcome(r#"{"resultStatus":6001}"#),
            AlipayVerifyOutcome::Canceled
        );
        assert_eq!(
            outcome(r#"{"resultStatus":"4000"}"#),
            AlipayVerifyOutcome::Failed {
                result_status: Some("4000".into())
            }
        );
        assert_eq!(
            outcome("{}"),
            AlipayVerifyOutcome::Failed {
                result_status: None
            }
        );
    }
}
