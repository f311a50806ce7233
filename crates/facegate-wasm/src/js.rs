//! The JavaScript surface: camelCase names, typed through `typescript.rs`, every failure thrown
//! as a `FacegateError` (an `Error` with a stable `code` and, where one is at fault, `field`).

use std::future::Future;
use std::pin::Pin;

use facegate_types::Provider;
use js_sys::Promise;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::browser::{self, Backend};
use crate::convert::{self, from_js, from_js_or_default};
use crate::device;
use crate::device::{Container, DeviceFacts};
use crate::error::HelperError;
use crate::miniprogram::{self, AlipayVerifyCallback, Posted, Shape, WechatCallback};
use crate::poll::PollOptions;
use crate::qr::{self, QrOptions};
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
}

/// A JS `Error` named `FacegateError`, with `code` and `field`.
pub(crate) fn throw(error: HelperError) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("FacegateError");
    let _ = js_sys::Reflect::set(&js, &"code".into(), &error.code().into());
    let field = error.field().map_or(JsValue::NULL, JsValue::from_str);
    let _ = js_sys::Reflect::set(&js, &"field".into(), &field);
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
        Some(list) => from_js("enabledProviders", list.into()),
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

#[wasm_bindgen]
impl FacegateClient {
    /// `options.baseUrl` is the facegate server's origin; the page's own origin when omitted.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<ClientOptionsJs>) -> Result<FacegateClient, JsValue> {
        let base_url = convert::get(&js_value(options), "baseUrl")
            .as_string()
            .unwrap_or_default();
        let http = base_url.starts_with("https://") || base_url.starts_with("http://");
        if !(base_url.is_empty() || http) {
            return Err(throw(HelperError::invalid(
                "baseUrl",
                "must be an http(s) URL",
            )));
        }
        Ok(Self {
            backend: Backend { base_url },
        })
    }

    /// The session's status, next action and (when final) result.
    #[wasm_bindgen(unchecked_return_type = "Promise<ClientVerification>")]
    pub fn retrieve(&self, id: String, client_secret: String) -> Promise {
        let backend = self.backend.clone();
        spawn(Box::pin(async move {
            Ok(backend.retrieve(&id, &client_secret, None).await?.json)
        }))
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
        spawn(Box::pin(async move {
            let (poll, signal) = wait_options(options)?;
            let window = browser::window("waitForResult")?;
            let session = backend
                .wait_for_result(&window, &id, &client_secret, &poll, signal.as_ref())
                .await?;
            Ok(session.json)
        }))
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
        spawn(Box::pin(async move {
            if verify_result.is_empty() {
                return Err(HelperError::invalid("verifyResult", "must not be empty"));
            }
            let session = backend
                .submit_wechat_result(&id, &client_secret, &verify_result)
                .await?;
            Ok(session.json)
        }))
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
        spawn(Box::pin(async move {
            let params = urls::parse_return_url(&url)?;
            let (poll, signal) = wait_options(options)?;
            let window = browser::window("confirmReturn")?;
            let secret = client_secret
                .filter(|secret| !secret.is_empty())
                .or_else(|| browser::remembered_client_secret(&window, &params.verification_id))
                .ok_or_else(|| {
                    HelperError::invalid(
                        "clientSecret",
                        "not given, and this tab did not start the verification",
                    )
                })?;
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
        }))
    }
}

/// Every async export runs through this one function, so the .wasm holds one promise adapter
/// instead of one per export.
type Task = Pin<Box<dyn Future<Output = Result<JsValue, HelperError>>>>;

fn spawn(task: Task) -> Promise {
    wasm_bindgen_futures::future_to_promise(async move { task.await.map_err(throw) })
}

fn wait_options(
    options: Option<WaitOptionsJs>,
) -> Result<(PollOptions, Option<AbortSignal>), HelperError> {
    let value = js_value(options);
    let signal = convert::get(&value, "signal")
        .dyn_into::<AbortSignal>()
        .ok();
    if signal.as_ref().is_some_and(AbortSignal::aborted) {
        return Err(HelperError::Aborted);
    }
    Ok((from_js_or_default("options", value)?, signal))
}

/// Observes this browser (secure context, camera, permission, container, OS) and recommends a
/// provider among `enabledProviders` (the merchant's order of preference; all when omitted)
/// and a flow, saying why each flow would fail before a vendor call is spent.
#[wasm_bindgen(js_name = checkDevice, unchecked_return_type = "Promise<DeviceReport>")]
pub fn check_device(enabled_providers: Option<ProvidersJs>) -> Promise {
    let enabled = providers(enabled_providers);
    spawn(Box::pin(async move {
        let enabled = enabled?;
        let window = browser::window("checkDevice")?;
        let facts = browser::device_facts(&window).await;
        convert::to_js(&device::analyze(&facts, &enabled))
    }))
}

/// Alibaba's MetaInfo for an `aliyun_cloudauth` session's `options.meta_info`: what
/// `getMetaInfo()` of Alibaba's page script (`jsvm_all.js`) returns on this device, as a string.
/// Throws `missing_script` (naming the script) when the script is not loaded, and
/// `unexpected_response` when it returns something else than a JSON object.
#[wasm_bindgen(js_name = aliyunMetaInfo)]
pub fn aliyun_meta_info() -> Result<String, JsValue> {
    browser::aliyun_meta_info().map_err(throw)
}

/// `checkDevice`'s analysis for facts gathered elsewhere (a server log, a test).
#[wasm_bindgen(js_name = analyzeDevice)]
pub fn analyze_device(
    facts: DeviceFactsJs,
    enabled_providers: Option<ProvidersJs>,
) -> Result<DeviceReportJs, JsValue> {
    let facts: DeviceFacts = from_js("facts", facts.into()).map_err(throw)?;
    let enabled = providers(enabled_providers).map_err(throw)?;
    typed(&device::analyze(&facts, &enabled))
}

/// Baidu's H5 page URL with `token`, `successUrl` and `failedUrl`, each percent-encoded.
#[wasm_bindgen(js_name = baiduH5Url)]
pub fn baidu_h5_url(link: BaiduH5LinkJs) -> Result<String, JsValue> {
    let link: BaiduH5Link = from_js("link", link.into()).map_err(throw)?;
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
    let links: OemcloudLinks = from_js("links", links.into()).map_err(throw)?;
    let container: Container = from_js("container", container.into()).map_err(throw)?;
    urls::oemcloud_url(&links, container).map_err(throw)
}

/// The URL a `redirect` or `web_view` next action goes to; throws `not_a_redirect` for
/// `wechat_mini_program`.
#[wasm_bindgen(js_name = nextActionUrl)]
pub fn next_action_url(action: NextActionJs) -> Result<String, JsValue> {
    let action = from_js::<RawNextAction>("nextAction", action.into())
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
        .ok_or_else(|| {
            throw(HelperError::invalid(
                "verification.id",
                "must be the session's id",
            ))
        })?;
    let action = convert::get(&verification, "next_action");
    if !action.is_object() {
        return Err(throw(HelperError::invalid(
            "verification.next_action",
            "the session has no next action (it is no longer pending)",
        )));
    }
    let action = from_js::<RawNextAction>("verification.next_action", action)
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
/// shape: anything facegate does not act on reads as `ignored`.
#[wasm_bindgen(js_name = parseWebViewMessage)]
pub fn parse_web_view_message(
    #[wasm_bindgen(unchecked_param_type = "unknown")] event: JsValue,
) -> Result<WebViewMessageJs, JsValue> {
    typed(&miniprogram::parse_web_view_message(&event))
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
        // Read as properties, not through Array's methods: a Proxy's traps may throw.
        let length = convert::get(self, "length")
            .as_f64()
            .filter(|length| *length >= 0.0)
            .map_or(0, |length| length.min(f64::from(u32::MAX)) as u32);
        let count = u32::try_from(count).unwrap_or(u32::MAX).min(length);
        (length - count..length)
            .map(|index| js_sys::Reflect::get_u32(self, index).unwrap_or(JsValue::UNDEFINED))
            .collect()
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
}

/// `wx.checkIsSupportFacialRecognition`'s callback argument, typed, with the WeChat provider
/// to use: `wechat_verify` where `context.sdkVersion` is 3.8.12 or later.
#[wasm_bindgen(js_name = wechatFaceSupport)]
pub fn wechat_face_support(
    result: Option<WechatCallbackJs>,
    context: Option<FaceSupportContextJs>,
) -> Result<FaceSupportJs, JsValue> {
    let callback = wechat_callback(result);
    // Read leniently, like the callback: an odd shape reads as an empty context.
    let context: miniprogram::FaceSupportContext =
        from_js_or_default("context", js_value(context)).unwrap_or_default();
    typed(&miniprogram::wechat_face_support_in(&callback, &context))
}

/// What to do after `wx.requestFacialVerify` calls back (`ask_backend`: the backend's
/// queryverifyinfo decides; `canceled`: the user gave up).
#[wasm_bindgen(js_name = wechatFacialVerifyOutcome)]
pub fn wechat_facial_verify_outcome(
    result: Option<WechatCallbackJs>,
) -> Result<FacialVerifyOutcomeJs, JsValue> {
    let callback = wechat_callback(result);
    typed(&miniprogram::wechat_facial_verify_outcome(&callback))
}

/// What to do after `wx.startFacialRecognitionVerify` calls back (`submit` hands verifyResult
/// to the backend; only the backend decides).
#[wasm_bindgen(js_name = wechatVerifyOutcome)]
pub fn wechat_verify_outcome(
    result: Option<WechatCallbackJs>,
) -> Result<WechatVerifyOutcomeJs, JsValue> {
    let callback = wechat_callback(result);
    typed(&miniprogram::wechat_verify_outcome(&callback))
}

/// `my.startAPVerify`'s callback argument, typed.
#[wasm_bindgen(js_name = alipayVerifyOutcome)]
pub fn alipay_verify_outcome(
    result: Option<AlipayVerifyCallbackJs>,
) -> Result<AlipayVerifyOutcomeJs, JsValue> {
    // A runtime's callback argument: read leniently, an odd shape reads as an unknown status.
    let callback: AlipayVerifyCallback =
        from_js_or_default("result", js_value(result)).unwrap_or_default();
    typed(&miniprogram::alipay_verify_outcome(callback))
}

/// `text` as an SVG QR code (for the desktop-to-phone hand-off).
#[wasm_bindgen(js_name = qrCodeSvg)]
pub fn qr_code_svg(text: String, options: Option<QrOptionsJs>) -> Result<String, JsValue> {
    let options: QrOptions = from_js_or_default("options", js_value(options)).map_err(throw)?;
    qr::qr_svg(&text, &options).map_err(throw)
}

/// A WeChat callback argument, read leniently: an odd shape reads as an empty callback.
fn wechat_callback(result: Option<WechatCallbackJs>) -> WechatCallback {
    from_js_or_default("result", js_value(result)).unwrap_or_default()
}
