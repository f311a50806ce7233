//! The JavaScript surface: camelCase names, typed through `typescript.rs`, every failure thrown
//! as a `FacegateError` (an `Error` with a stable `code`, a `message` in the caller's locale
//! and, where one is at fault, `field`).
//!
//! The locale of every human text: the call's `locale` option where it names one, else the
//! page's `setLocale`, else the browser's languages (`navigator.languages`), else zh-CN.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;

use facegate_types::{FailureReason, Locale, Provider, VerificationStatus};
use js_sys::Promise;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::browser::{self, Backend};
use crate::convert::{self, ToJs};
use crate::device;
use crate::device::{Container, DeviceFacts};
use crate::error::{HelperError, Problem};
use crate::miniprogram::{self, AlipayVerifyCallback, Posted, Shape, WechatCallback};
use crate::poll::PollOptions;
use crate::qr::{self, QrOptions};
use crate::read;
use crate::urls::{self, BaiduH5Link, OemcloudLinks, RawNextAction};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "Verification")]
    pub type VerificationJs;
    #[wasm_bindgen(typescript_type = "NextAction")]
    pub type NextActionJs;
    #[wasm_bindgen(typescript_type = "ClientOptions")]
    pub type ClientOptionsJs;
    #[wasm_bindgen(typescript_type = "WaitOptions")]
    pub type WaitOptionsJs;
    #[wasm_bindgen(typescript_type = "DeviceFacts")]
    pub type DeviceFactsJs;
    #[wasm_bindgen(typescript_type = "DeviceReport")]
    pub type DeviceReportJs;
    #[wasm_bindgen(typescript_type = "Provider[]")]
    pub type ProvidersJs;
    #[wasm_bindgen(typescript_type = "Container")]
    pub type ContainerJs;
    #[wasm_bindgen(typescript_type = "BaiduH5Link")]
    pub type BaiduH5LinkJs;
    #[wasm_bindgen(typescript_type = "OemcloudLinks")]
    pub type OemcloudLinksJs;
    #[wasm_bindgen(typescript_type = "ReturnParams")]
    pub type ReturnParamsJs;
    #[wasm_bindgen(typescript_type = "WebViewMessage")]
    pub type WebViewMessageJs;
    #[wasm_bindgen(typescript_type = "WechatCallback")]
    pub type WechatCallbackJs;
    #[wasm_bindgen(typescript_type = "FaceSupport")]
    pub type FaceSupportJs;
    #[wasm_bindgen(typescript_type = "FaceSupportContext")]
    pub type FaceSupportContextJs;
    #[wasm_bindgen(typescript_type = "FacialVerifyOutcome")]
    pub type FacialVerifyOutcomeJs;
    #[wasm_bindgen(typescript_type = "WechatVerifyOutcome")]
    pub type WechatVerifyOutcomeJs;
    #[wasm_bindgen(typescript_type = "AlipayVerifyCallback")]
    pub type AlipayVerifyCallbackJs;
    #[wasm_bindgen(typescript_type = "AlipayVerifyOutcome")]
    pub type AlipayVerifyOutcomeJs;
    #[wasm_bindgen(typescript_type = "QrOptions")]
    pub type QrOptionsJs;
    #[wasm_bindgen(typescript_type = "LocaleOptions")]
    pub type LocaleOptionsJs;
    #[wasm_bindgen(typescript_type = "LocaleTag")]
    pub type LocaleTagJs;
    #[wasm_bindgen(typescript_type = "FailureReason")]
    pub type FailureReasonJs;
    #[wasm_bindgen(typescript_type = "VerificationStatus")]
    pub type VerificationStatusJs;
}

thread_local! {
    /// The page's choice through `setLocale`.
    static PAGE_LOCALE: Cell<Option<Locale>> = const { Cell::new(None) };
}

/// The locale for a call whose option is `tag` (a string, or anything else for none).
fn locale_for(tag: &JsValue) -> Locale {
    if let Some(locale) = tag.as_string().as_deref().and_then(Locale::from_tag) {
        return locale;
    }
    if let Some(locale) = PAGE_LOCALE.with(Cell::get) {
        return locale;
    }
    browser::preferred_locale()
}

/// The locale of an options object's `locale`.
fn locale_option(options: &JsValue) -> Locale {
    locale_for(&convert::get(options, "locale"))
}

/// Sets the locale of every human text the helper returns from now on, where a call names
/// none: `"zh-CN"` or `"en"` (any BCP 47 tag is read by its language: `en-US`, `zh_CN`).
/// `null`, or a language the helper does not speak, goes back to the browser's languages
/// (`navigator.languages`), then zh-CN.
#[wasm_bindgen(js_name = setLocale)]
pub fn set_locale(locale: Option<LocaleTagJs>) {
    let tag = js_value(locale).as_string();
    PAGE_LOCALE.with(|page| page.set(tag.as_deref().and_then(Locale::from_tag)));
}

/// The locale the helper speaks where a call names none: `"zh-CN"` or `"en"`.
#[wasm_bindgen(js_name = currentLocale, unchecked_return_type = "Locale")]
pub fn current_locale() -> String {
    locale_for(&JsValue::UNDEFINED).tag().to_owned()
}

/// What a failure reason means for the person and what they can do next (a
/// `VerificationResult`'s `reason`), in `locale`: `capture_failed` reads
/// 光线不足或画面不清晰，请在明亮处重试. Throws `invalid_argument` for an unknown reason.
///
/// ```ts
/// if (session.result && !session.result.passed) tip.textContent = explainFailure(session.result.reason);
/// ```
#[wasm_bindgen(js_name = explainFailure)]
pub fn explain_failure(
    reason: FailureReasonJs,
    locale: Option<LocaleTagJs>,
) -> Result<String, JsValue> {
    let locale = locale_for(&js_value(locale));
    let reason = JsValue::from(reason)
        .as_string()
        .and_then(|reason| reason.parse::<FailureReason>().ok())
        .ok_or_else(|| throw_in(HelperError::invalid("reason", Problem::WrongShape), locale))?;
    Ok(reason.explain(locale).to_owned())
}

/// A session's status as a person reads it, in `locale`: `verified` reads 认证通过 (zh-CN) or
/// "verified" (en). Throws `invalid_argument` for an unknown status.
#[wasm_bindgen(js_name = statusLabel)]
pub fn status_label(
    status: VerificationStatusJs,
    locale: Option<LocaleTagJs>,
) -> Result<String, JsValue> {
    let locale = locale_for(&js_value(locale));
    let status = JsValue::from(status)
        .as_string()
        .and_then(|status| status.parse::<VerificationStatus>().ok())
        .ok_or_else(|| throw_in(HelperError::invalid("status", Problem::WrongShape), locale))?;
    Ok(status.label(locale).to_owned())
}

/// A JS `Error` named `FacegateError`, with `code`, `field` and `detail`, its message in the
/// page's locale (a call without a `locale` option).
pub(crate) fn throw(error: HelperError) -> JsValue {
    throw_in(error, locale_for(&JsValue::UNDEFINED))
}

/// A JS `Error` named `FacegateError`, with `code`, `field` and `detail`, its message in
/// `locale`.
pub(crate) fn throw_in(error: HelperError, locale: Locale) -> JsValue {
    let js = js_sys::Error::new(&error.message(locale));
    js.set_name("FacegateError");
    let _ = js_sys::Reflect::set(&js, &"code".into(), &error.code().into());
    let field = error.field().map_or(JsValue::NULL, JsValue::from_str);
    let _ = js_sys::Reflect::set(&js, &"field".into(), &field);
    let detail = error.detail().map_or(JsValue::NULL, JsValue::from_str);
    let _ = js_sys::Reflect::set(&js, &"detail".into(), &detail);
    js.into()
}

fn typed<T: Serialize, J: JsCast>(value: &T) -> Result<J, JsValue> {
    convert::to_js(value)
        .map(JsCast::unchecked_into)
        .map_err(throw)
}

/// `undefined` or `null`: every provider, in facegate's order.
fn providers(value: Option<ProvidersJs>) -> Result<Vec<Provider>, HelperError> {
    match value {
        Some(list) => read::list(&JsValue::from(list), "enabledProviders", "enabledProviders")?
            .iter()
            .map(|name| read::named(name, "enabledProviders", |name| name.parse().ok()))
            .collect(),
        None => Ok(Provider::ALL.to_vec()),
    }
}

fn js_value<T: Into<JsValue>>(value: Option<T>) -> JsValue {
    value.map_or(JsValue::UNDEFINED, Into::into)
}

/// The helper's version, as published to npm.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Talks to a facegate server with a session's client secret.
///
/// ```ts
/// const client = new FacegateClient({ baseUrl: "https://verify.example.com" });
/// const session = await client.waitForResult(id, clientSecret, { timeoutMs: 120_000 });
/// if (session.status === "verified") { ... }
/// ```
#[wasm_bindgen]
pub struct FacegateClient {
    backend: Backend,
}

impl FacegateClient {
    /// The client's `locale` option, else the page's.
    fn locale(&self) -> Locale {
        self.backend
            .locale
            .unwrap_or_else(|| locale_for(&JsValue::UNDEFINED))
    }
}

#[wasm_bindgen]
impl FacegateClient {
    /// `options.baseUrl` is the facegate server's origin; the page's own origin when omitted.
    /// `options.locale` is the language of the client's errors (and the `Accept-Language` it
    /// sends, so the server's messages follow); the page's when omitted.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<ClientOptionsJs>) -> Result<FacegateClient, JsValue> {
        let options = js_value(options);
        let locale = convert::get(&options, "locale")
            .as_string()
            .as_deref()
            .and_then(Locale::from_tag);
        let base_url = convert::get(&options, "baseUrl")
            .as_string()
            .unwrap_or_default();
        let http = base_url.starts_with("https://") || base_url.starts_with("http://");
        if !(base_url.is_empty() || http) {
            let error = HelperError::invalid("baseUrl", Problem::HttpUrl);
            return Err(throw_in(
                error,
                locale.unwrap_or_else(|| locale_for(&JsValue::UNDEFINED)),
            ));
        }
        Ok(Self {
            backend: Backend { base_url, locale },
        })
    }

    /// The session's status, next action and (when final) result.
    #[wasm_bindgen(unchecked_return_type = "Promise<ClientVerification>")]
    pub fn retrieve(&self, id: String, client_secret: String) -> Promise {
        let backend = self.backend.clone();
        spawn(
            self.locale(),
            Box::pin(async move { Ok(backend.retrieve(&id, &client_secret, None).await?.json) }),
        )
    }

    /// Reads the session until its status is final (`processing` is not), backing off between
    /// reads. Rejects with code `timeout` after `timeoutMs`, `aborted` when `signal` aborts.
    #[wasm_bindgen(
        js_name = waitForResult,
        unchecked_return_type = "Promise<ClientVerification>"
    )]
    pub fn wait_for_result(
        &self,
        id: String,
        client_secret: String,
        options: Option<WaitOptionsJs>,
    ) -> Promise {
        let backend = self.backend.clone();
        spawn(
            self.locale(),
            Box::pin(async move {
                let (poll, signal) = wait_options(options)?;
                let window = browser::window("waitForResult")?;
                let session = backend
                    .wait_for_result(&window, &id, &client_secret, &poll, signal.as_ref())
                    .await?;
                Ok(session.json)
            }),
        )
    }

    /// Hands `verifyResult` from `wx.startFacialRecognitionVerify` to the backend, which
    /// confirms it with WeChat before believing it.
    #[wasm_bindgen(
        js_name = submitWechatResult,
        unchecked_return_type = "Promise<ClientVerification>"
    )]
    pub fn submit_wechat_result(
        &self,
        id: String,
        client_secret: String,
        verify_result: String,
    ) -> Promise {
        let backend = self.backend.clone();
        spawn(
            self.locale(),
            Box::pin(async move {
                if verify_result.is_empty() {
                    return Err(HelperError::invalid("verifyResult", Problem::Empty));
                }
                let session = backend
                    .submit_wechat_result(&id, &client_secret, &verify_result)
                    .await?;
                Ok(session.json)
            }),
        )
    }

    /// On the landing page: reads `verification_id` from `url`, then confirms the result with
    /// the backend (waiting while it is still `processing`). The client secret is the one given,
    /// or the one `followNextAction` kept for this tab.
    #[wasm_bindgen(
        js_name = confirmReturn,
        unchecked_return_type = "Promise<ClientVerification>"
    )]
    pub fn confirm_return(
        &self,
        url: String,
        client_secret: Option<String>,
        options: Option<WaitOptionsJs>,
    ) -> Promise {
        let backend = self.backend.clone();
        spawn(
            self.locale(),
            Box::pin(async move {
                let params = urls::parse_return_url(&url)?;
                let (poll, signal) = wait_options(options)?;
                let window = browser::window("confirmReturn")?;
                let secret = client_secret
                    .filter(|secret| !secret.is_empty())
                    .or_else(|| browser::remembered_client_secret(&window, &params.verification_id))
                    .ok_or(HelperError::invalid(
                        "clientSecret",
                        Problem::ClientSecretUnknown,
                    ))?;
                let session = backend
                    .wait_for_result(
                        &window,
                        &params.verification_id,
                        &secret,
                        &poll,
                        signal.as_ref(),
                    )
                    .await?;
                Ok(session.json)
            }),
        )
    }
}

/// Every async export runs through this one function, so the .wasm holds one promise adapter
/// instead of one per export.
type Task = Pin<Box<dyn Future<Output = Result<JsValue, HelperError>>>>;

fn spawn(locale: Locale, task: Task) -> Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        task.await.map_err(|error| throw_in(error, locale))
    })
}

fn wait_options(
    options: Option<WaitOptionsJs>,
) -> Result<(PollOptions, Option<AbortSignal>), HelperError> {
    let value = options.map(JsValue::from);
    let signal = value
        .as_ref()
        .and_then(|value| convert::get(value, "signal").dyn_into::<AbortSignal>().ok());
    if signal.as_ref().is_some_and(AbortSignal::aborted) {
        return Err(HelperError::Aborted);
    }
    Ok((PollOptions::read(value.as_ref())?, signal))
}

/// Observes this browser (secure context, camera, permission, container, OS) and recommends a
/// provider among `enabledProviders` (the merchant's order of preference; all when omitted)
/// and a flow, saying why each flow would fail before a vendor call is spent. Every issue and
/// the recommendation carry a stable code and a `message` in `options.locale`.
///
/// ```ts
/// const report = await checkDevice(["baidu_h5"], { locale: "en" });
/// ```
#[wasm_bindgen(js_name = checkDevice, unchecked_return_type = "Promise<DeviceReport>")]
pub fn check_device(
    enabled_providers: Option<ProvidersJs>,
    options: Option<LocaleOptionsJs>,
) -> Promise {
    let locale = locale_option(&js_value(options));
    let enabled = providers(enabled_providers);
    spawn(
        locale,
        Box::pin(async move {
            let enabled = enabled?;
            let window = browser::window("checkDevice")?;
            let facts = browser::device_facts(&window).await;
            convert::to_js(&device::analyze_in(&facts, &enabled, locale))
        }),
    )
}

/// Alibaba's MetaInfo for an `aliyun_cloudauth` session's `options.meta_info`: what
/// `getMetaInfo()` of Alibaba's page script (`jsvm_all.js`) returns on this device, as a string.
/// Throws `missing_script` (naming the script) when the script is not loaded, and
/// `unexpected_response` when it returns something else than a JSON object.
#[wasm_bindgen(js_name = aliyunMetaInfo)]
pub fn aliyun_meta_info() -> Result<String, JsValue> {
    browser::aliyun_meta_info().map_err(throw)
}

/// `checkDevice`'s analysis for facts gathered elsewhere (a server log, a test), its messages
/// in `options.locale`.
#[wasm_bindgen(js_name = analyzeDevice)]
pub fn analyze_device(
    facts: DeviceFactsJs,
    enabled_providers: Option<ProvidersJs>,
    options: Option<LocaleOptionsJs>,
) -> Result<DeviceReportJs, JsValue> {
    let locale = locale_option(&js_value(options));
    let facts = DeviceFacts::read(&JsValue::from(facts)).map_err(|e| throw_in(e, locale))?;
    let enabled = providers(enabled_providers).map_err(|e| throw_in(e, locale))?;
    typed(&device::analyze_in(&facts, &enabled, locale))
}

/// Baidu's H5 page URL with `token`, `successUrl` and `failedUrl`, each percent-encoded.
#[wasm_bindgen(js_name = baiduH5Url)]
pub fn baidu_h5_url(link: BaiduH5LinkJs) -> Result<String, JsValue> {
    let link = BaiduH5Link::read(&JsValue::from(link)).map_err(throw)?;
    urls::baidu_h5_url(&link).map_err(throw)
}

/// FaceID Lite's page for a biz_token: `https://openapi.faceid.com/lite/v1/do/<biz_token>`.
#[wasm_bindgen(js_name = faceidLiteUrl)]
pub fn faceid_lite_url(biz_token: String, host: Option<String>) -> Result<String, JsValue> {
    urls::faceid_lite_url(&biz_token, host.as_deref()).map_err(throw)
}

/// OEMCloud's short link, or its long link inside a mini-program web-view.
#[wasm_bindgen(js_name = oemcloudUrl)]
pub fn oemcloud_url(links: OemcloudLinksJs, container: ContainerJs) -> Result<String, JsValue> {
    let links = OemcloudLinks::read(&JsValue::from(links)).map_err(throw)?;
    let container =
        read::named(&JsValue::from(container), "container", Container::parse).map_err(throw)?;
    urls::oemcloud_url(&links, container).map_err(throw)
}

/// The URL a `redirect` or `web_view` next action goes to; throws `not_a_redirect` for
/// `wechat_mini_program`.
#[wasm_bindgen(js_name = nextActionUrl)]
pub fn next_action_url(action: NextActionJs) -> Result<String, JsValue> {
    let action = RawNextAction::read(&JsValue::from(action), "nextAction")
        .and_then(RawNextAction::parse)
        .map_err(throw)?;
    urls::next_action_url(&action)
        .map(str::to_owned)
        .map_err(throw)
}

/// Sends the browser to a new session's next action, keeping its client secret for this tab
/// so that `confirmReturn` on the landing page needs no argument but the URL.
#[wasm_bindgen(js_name = followNextAction)]
pub fn follow_next_action(verification: VerificationJs) -> Result<(), JsValue> {
    let verification: JsValue = verification.into();
    let id = convert::get(&verification, "id")
        .as_string()
        .ok_or_else(|| throw(HelperError::invalid("verification.id", Problem::SessionId)))?;
    let action = convert::get(&verification, "next_action");
    if !action.is_object() {
        return Err(throw(HelperError::invalid(
            "verification.next_action",
            Problem::NoNextAction,
        )));
    }
    let action = RawNextAction::read(&action, "verification.next_action")
        .and_then(RawNextAction::parse)
        .map_err(throw)?;
    let url = urls::next_action_url(&action).map_err(throw)?;
    let window = browser::window("followNextAction").map_err(throw)?;
    if let Some(secret) = convert::get(&verification, "client_secret").as_string() {
        browser::remember_client_secret(&window, &id, &secret);
    }
    window
        .location()
        .assign(url)
        .map_err(|_| throw(HelperError::NoBrowser("followNextAction")))
}

/// `verification_id` and `status` from the URL facegate's return flow landed on. The status is
/// a hint; `confirmReturn` asks the backend.
#[wasm_bindgen(js_name = parseReturnUrl)]
pub fn parse_return_url(url: String) -> Result<ReturnParamsJs, JsValue> {
    typed(&urls::parse_return_url(&url).map_err(throw)?)
}

/// Reads what a mini-program web-view message handler was given (the event, its `detail`,
/// WeChat's batch of posted messages, a JSON string): what to do next. Never throws on an odd
/// shape: anything facegate does not act on reads as `ignored`, with a `reason` code and a
/// `message` in `options.locale`.
#[wasm_bindgen(js_name = parseWebViewMessage)]
pub fn parse_web_view_message(
    #[wasm_bindgen(unchecked_param_type = "unknown")] event: JsValue,
    options: Option<LocaleOptionsJs>,
) -> WebViewMessageJs {
    let locale = locale_option(&js_value(options));
    miniprogram::parse_web_view_message_in(&event, locale)
        .to_js()
        .unchecked_into()
}

/// JavaScript values as the web-view message parser reads them; property reads that throw
/// (a Proxy, a getter) read as absent.
impl Posted for JsValue {
    fn shape(&self) -> Shape {
        if js_sys::Array::is_array(self) {
            Shape::Array
        } else if self.is_object() {
            Shape::Object
        } else if self.is_string() {
            Shape::String
        } else {
            Shape::Other
        }
    }

    fn property(&self, key: &str) -> Option<Self> {
        let value = convert::get(self, key);
        (!value.is_undefined() && !value.is_null()).then_some(value)
    }

    fn last_items(&self, count: usize) -> Vec<Self> {
        let length = array_length(self);
        let count = u32::try_from(count).unwrap_or(u32::MAX).min(length);
        array_items(self, length - count..length)
    }

    fn first_items(&self, count: usize) -> Vec<Self> {
        let count = u32::try_from(count)
            .unwrap_or(u32::MAX)
            .min(array_length(self));
        array_items(self, 0..count)
    }

    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }

    fn string(&self) -> Option<String> {
        self.as_string()
    }

    fn string_units(&self) -> Option<usize> {
        self.dyn_ref::<js_sys::JsString>()
            .map(|text| text.length() as usize)
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn parse_json(&self) -> Option<Self> {
        js_sys::JSON::parse(&self.as_string()?).ok()
    }

    fn has_properties(&self) -> bool {
        // Asked of what JSON.parse returned only: plain objects, no Proxy to trap the keys.
        self.dyn_ref::<js_sys::Object>()
            .is_some_and(|object| js_sys::Object::keys(object).length() > 0)
    }
}

/// An array's `length`, read as a property, not through Array's methods: a Proxy's traps may
/// throw.
fn array_length(array: &JsValue) -> u32 {
    convert::get(array, "length")
        .as_f64()
        .filter(|length| *length >= 0.0)
        .map_or(0, |length| length.min(f64::from(u32::MAX)) as u32)
}

/// The elements at `indices`, read as properties; a read that throws reads as `undefined`.
fn array_items(array: &JsValue, indices: std::ops::Range<u32>) -> Vec<JsValue> {
    indices
        .map(|index| js_sys::Reflect::get_u32(array, index).unwrap_or(JsValue::UNDEFINED))
        .collect()
}

/// `wx.checkIsSupportFacialRecognition`'s callback argument, typed, with the WeChat provider
/// to use: `wechat_verify` where `context.sdkVersion` is 3.8.12 or later; its `message` in
/// `context.locale`.
#[wasm_bindgen(js_name = wechatFaceSupport)]
pub fn wechat_face_support(
    result: Option<WechatCallbackJs>,
    context: Option<FaceSupportContextJs>,
) -> FaceSupportJs {
    let callback = wechat_callback(result);
    // Read leniently, like the callback: an odd shape reads as an empty context.
    let context = miniprogram::FaceSupportContext::read(&js_value(context));
    let locale = locale_for(
        &context
            .locale
            .clone()
            .map_or(JsValue::UNDEFINED, JsValue::from),
    );
    miniprogram::wechat_face_support_localized(&callback, &context, locale)
        .to_js()
        .unchecked_into()
}

/// What to do after `wx.requestFacialVerify` calls back (`ask_backend`: the backend's
/// queryverifyinfo decides; `canceled`: the user gave up).
#[wasm_bindgen(js_name = wechatFacialVerifyOutcome)]
pub fn wechat_facial_verify_outcome(result: Option<WechatCallbackJs>) -> FacialVerifyOutcomeJs {
    let callback = wechat_callback(result);
    miniprogram::wechat_facial_verify_outcome(&callback)
        .to_js()
        .unchecked_into()
}

/// What to do after `wx.startFacialRecognitionVerify` calls back (`submit` hands verifyResult
/// to the backend; only the backend decides); a failure's `message` in `options.locale`.
#[wasm_bindgen(js_name = wechatVerifyOutcome)]
pub fn wechat_verify_outcome(
    result: Option<WechatCallbackJs>,
    options: Option<LocaleOptionsJs>,
) -> WechatVerifyOutcomeJs {
    let locale = locale_option(&js_value(options));
    let callback = wechat_callback(result);
    miniprogram::wechat_verify_outcome_in(&callback, locale)
        .to_js()
        .unchecked_into()
}

/// `my.startAPVerify`'s callback argument, typed.
#[wasm_bindgen(js_name = alipayVerifyOutcome)]
pub fn alipay_verify_outcome(result: Option<AlipayVerifyCallbackJs>) -> AlipayVerifyOutcomeJs {
    // A runtime's callback argument: read leniently, an odd shape reads as an unknown status.
    let callback = AlipayVerifyCallback::read(&js_value(result));
    miniprogram::alipay_verify_outcome(callback)
        .to_js()
        .unchecked_into()
}

/// `text` as an SVG QR code (for the desktop-to-phone hand-off): resolves to one `<svg>`
/// document (a background rectangle and one path, no script), error-correction level M.
///
/// The encoder is a second module (`facegate_qr.js` and `facegate_qr_bg.wasm`, about 12 KB
/// gzip together, beside `facegate.js`), fetched the first time this is called, so pages that
/// never hand off do not download it. Rejects with `invalid_argument` (`field` `options` for a
/// property of the wrong type, named in `detail`; `dark` or `light` for a colour; `text` when
/// it is empty), `qr_too_long` (more than 2,331 bytes) or `qr_unavailable` (the module could
/// not be loaded, the browser's words in `detail`; the helper asks again on the next call,
/// though a browser may keep a failed module fetch until the page reloads).
#[wasm_bindgen(js_name = qrCodeSvg, unchecked_return_type = "Promise<string>")]
pub fn qr_code_svg(text: String, options: Option<QrOptionsJs>) -> Promise {
    let options = options.map(JsValue::from);
    let locale = locale_option(options.as_ref().unwrap_or(&JsValue::UNDEFINED));
    spawn(
        locale,
        Box::pin(async move {
            let options = QrOptions::read(options.as_ref())?;
            wasm_bindgen_futures::JsFuture::from(qr::draw(&text, &options))
                .await
                .map_err(|rejection| qr::error(&rejection))
        }),
    )
}

/// A WeChat callback argument, read leniently: an odd shape reads as an empty callback.
fn wechat_callback(result: Option<WechatCallbackJs>) -> WechatCallback {
    WechatCallback::read(&js_value(result))
}
