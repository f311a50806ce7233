//! The JavaScript surface: camelCase names, typed through `typescript.rs`, every failure thrown
//! as a `FacegateError` (an `Error` with a stable `code` and, where one is at fault, `field`).

use facegate_types::Provider;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::browser::{self, Backend};
use crate::device::{self, Container, DeviceFacts};
use crate::error::HelperError;
use crate::miniprogram::{self, AlipayVerifyCallback, RawMessage, WechatCallback};
use crate::poll::PollOptions;
use crate::qr::{self, QrOptions};
use crate::urls::{self, BaiduH5Link, OemcloudLinks, RawNextAction};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "ClientVerification")]
    pub type ClientVerificationJs;
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

/// Plain JSON-shaped JS values: `null` for `None`, objects (not Maps) for structs.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|error| {
            throw(HelperError::UnexpectedResponse(format!(
                "could not hand the value to JavaScript: {error}"
            )))
        })
}

fn typed<T: Serialize, J: JsCast>(value: &T) -> Result<J, JsValue> {
    to_js(value).map(JsCast::unchecked_into)
}

fn from_js<T: DeserializeOwned>(field: &'static str, value: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|error| throw(HelperError::invalid(field, error.to_string())))
}

/// `undefined` and `null` read as the type's default.
fn from_js_or_default<T: DeserializeOwned + Default>(
    field: &'static str,
    value: JsValue,
) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(T::default())
    } else {
        from_js(field, value)
    }
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
        let value: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let base_url = js_sys::Reflect::get(&value, &"baseUrl".into())
            .ok()
            .and_then(|v| v.as_string())
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
    pub async fn retrieve(
        &self,
        id: String,
        client_secret: String,
    ) -> Result<ClientVerificationJs, JsValue> {
        let session = self
            .backend
            .retrieve(&id, &client_secret, None)
            .await
            .map_err(throw)?;
        Ok(session.json.unchecked_into())
    }

    /// Reads the session until its status is final (`processing` is not), backing off between
    /// reads. Rejects with code `timeout` after `timeoutMs`, `aborted` when `signal` aborts.
    #[wasm_bindgen(js_name = waitForResult)]
    pub async fn wait_for_result(
        &self,
        id: String,
        client_secret: String,
        options: Option<WaitOptionsJs>,
    ) -> Result<ClientVerificationJs, JsValue> {
        let (poll, signal) = wait_options(options)?;
        let window = browser::window("waitForResult").map_err(throw)?;
        let session = self
            .backend
            .wait_for_result(&window, &id, &client_secret, &poll, signal.as_ref())
            .await
            .map_err(throw)?;
        Ok(session.json.unchecked_into())
    }

    /// Hands `verifyResult` from `wx.startFacialRecognitionVerify` to the backend, which
    /// confirms it with WeChat before believing it.
    #[wasm_bindgen(js_name = submitWechatResult)]
    pub async fn submit_wechat_result(
        &self,
        id: String,
        client_secret: String,
        verify_result: String,
    ) -> Result<ClientVerificationJs, JsValue> {
        if verify_result.is_empty() {
            return Err(throw(HelperError::invalid(
                "verifyResult",
                "must not be empty",
            )));
        }
        let session = self
            .backend
            .submit_wechat_result(&id, &client_secret, &verify_result)
            .await
            .map_err(throw)?;
        Ok(session.json.unchecked_into())
    }

    /// On the landing page: reads `verification_id` from `url`, then confirms the result with
    /// the backend (waiting while it is still `processing`). The client secret is the one given,
    /// or the one `followNextAction` kept for this tab.
    #[wasm_bindgen(js_name = confirmReturn)]
    pub async fn confirm_return(
        &self,
        url: String,
        client_secret: Option<String>,
        options: Option<WaitOptionsJs>,
    ) -> Result<ClientVerificationJs, JsValue> {
        let params = urls::parse_return_url(&url).map_err(throw)?;
        let (poll, signal) = wait_options(options)?;
        let window = browser::window("confirmReturn").map_err(throw)?;
        let secret = client_secret
            .filter(|secret| !secret.is_empty())
            .or_else(|| browser::remembered_client_secret(&window, &params.verification_id))
            .ok_or_else(|| {
                throw(HelperError::invalid(
                    "clientSecret",
                    "not given, and this tab did not start the verification",
                ))
            })?;
        let session = self
            .backend
            .wait_for_result(
                &window,
                &params.verification_id,
                &secret,
                &poll,
                signal.as_ref(),
            )
            .await
            .map_err(throw)?;
        Ok(session.json.unchecked_into())
    }
}

fn wait_options(
    options: Option<WaitOptionsJs>,
) -> Result<(PollOptions, Option<AbortSignal>), JsValue> {
    let value: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let signal = if value.is_object() {
        js_sys::Reflect::get(&value, &"signal".into())
            .ok()
            .and_then(|signal| signal.dyn_into::<AbortSignal>().ok())
    } else {
        None
    };
    if signal.as_ref().is_some_and(AbortSignal::aborted) {
        return Err(throw(HelperError::Aborted));
    }
    Ok((from_js_or_default("options", value)?, signal))
}

/// Observes this browser (secure context, camera, permission, container, OS) and recommends a
/// provider among `enabledProviders` (the merchant's order of preference; all when omitted)
/// and a flow, saying why each flow would fail before a vendor call is spent.
#[wasm_bindgen(js_name = checkDevice)]
pub async fn check_device(
    enabled_providers: Option<ProvidersJs>,
) -> Result<DeviceReportJs, JsValue> {
    let enabled = providers(enabled_providers)?;
    let window = browser::window("checkDevice").map_err(throw)?;
    let facts = browser::device_facts(&window).await;
    typed(&device::analyze(&facts, &enabled))
}

/// `checkDevice`'s analysis for facts gathered elsewhere (a server log, a test).
#[wasm_bindgen(js_name = analyzeDevice)]
pub fn analyze_device(
    facts: DeviceFactsJs,
    enabled_providers: Option<ProvidersJs>,
) -> Result<DeviceReportJs, JsValue> {
    let facts: DeviceFacts = from_js("facts", facts.into())?;
    typed(&device::analyze(&facts, &providers(enabled_providers)?))
}

fn providers(value: Option<ProvidersJs>) -> Result<Vec<Provider>, JsValue> {
    match value {
        Some(list) => from_js("enabledProviders", list.into()),
        None => Ok(Provider::ALL.to_vec()),
    }
}

/// Baidu's H5 page URL with `token`, `successUrl` and `failedUrl`, each percent-encoded.
#[wasm_bindgen(js_name = baiduH5Url)]
pub fn baidu_h5_url(link: BaiduH5LinkJs) -> Result<String, JsValue> {
    let link: BaiduH5Link = from_js("link", link.into())?;
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
    let links: OemcloudLinks = from_js("links", links.into())?;
    let container: Container = from_js("container", container.into())?;
    urls::oemcloud_url(&links, container).map_err(throw)
}

/// The URL a `redirect` or `web_view` next action goes to; throws `not_a_redirect` for
/// `wechat_mini_program`.
#[wasm_bindgen(js_name = nextActionUrl)]
pub fn next_action_url(action: NextActionJs) -> Result<String, JsValue> {
    let action = from_js::<RawNextAction>("nextAction", action.into())?
        .parse()
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
    let field = |name: &str| js_sys::Reflect::get(&verification, &name.into()).ok();
    let id = field("id").and_then(|id| id.as_string()).ok_or_else(|| {
        throw(HelperError::invalid(
            "verification.id",
            "must be the session's id",
        ))
    })?;
    let action = field("next_action")
        .filter(|action| action.is_object())
        .ok_or_else(|| {
            throw(HelperError::invalid(
                "verification.next_action",
                "the session has no next action (it is no longer pending)",
            ))
        })?;
    let action = from_js::<RawNextAction>("verification.next_action", action)?
        .parse()
        .map_err(throw)?;
    let url = urls::next_action_url(&action).map_err(throw)?;
    let window = browser::window("followNextAction").map_err(throw)?;
    if let Some(secret) = field("client_secret").and_then(|secret| secret.as_string()) {
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

/// Reads a mini-program web-view `onMessage` event (or its `detail`): what to do next.
#[wasm_bindgen(js_name = parseWebViewMessage)]
pub fn parse_web_view_message(event: JsValue) -> Result<WebViewMessageJs, JsValue> {
    let message = match serde_wasm_bindgen::from_value::<RawMessage>(event) {
        Ok(raw) => miniprogram::parse_web_view_message(raw),
        Err(_) => miniprogram::WebViewMessage::Ignored {
            kind: None,
            reason: "the message is not an object of strings and numbers".into(),
        },
    };
    typed(&message)
}

/// `wx.checkIsSupportFacialRecognition`'s callback argument, typed.
#[wasm_bindgen(js_name = wechatFaceSupport)]
pub fn wechat_face_support(result: WechatCallbackJs) -> Result<FaceSupportJs, JsValue> {
    let callback: WechatCallback = from_js_or_default("result", result.into())?;
    typed(&miniprogram::wechat_face_support(&callback))
}

/// What to do after `wx.startFacialRecognitionVerify` calls back (`submit` hands verifyResult
/// to the backend; only the backend decides).
#[wasm_bindgen(js_name = wechatVerifyOutcome)]
pub fn wechat_verify_outcome(result: WechatCallbackJs) -> Result<WechatVerifyOutcomeJs, JsValue> {
    let callback: WechatCallback = from_js_or_default("result", result.into())?;
    typed(&miniprogram::wechat_verify_outcome(&callback))
}

/// `my.startAPVerify`'s callback argument, typed.
#[wasm_bindgen(js_name = alipayVerifyOutcome)]
pub fn alipay_verify_outcome(
    result: AlipayVerifyCallbackJs,
) -> Result<AlipayVerifyOutcomeJs, JsValue> {
    let callback: AlipayVerifyCallback = from_js_or_default("result", result.into())?;
    typed(&miniprogram::alipay_verify_outcome(callback))
}

/// `text` as an SVG QR code (for the desktop-to-phone hand-off).
#[wasm_bindgen(js_name = qrCodeSvg)]
pub fn qr_code_svg(text: String, options: Option<QrOptionsJs>) -> Result<String, JsValue> {
    let options: QrOptions =
        from_js_or_default("options", options.map_or(JsValue::UNDEFINED, Into::into))?;
    qr::qr_svg(&text, &options).map_err(throw)
}
