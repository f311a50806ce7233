//! JavaScript values to and from the helper's types, by hand. serde's generic (de)serializers
//! were most of the .wasm (about 60 KB of 190 KB with float formatting), so the boundary reads
//! and builds plain objects through `Reflect`; the serde derives stay for the native tests, and
//! tests check that both give the same shapes (tests/e2e/package.test.mjs, tests/browser.rs).

use facegate_types::Provider;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::device::{CameraFacts, Container, DeviceFacts, DeviceReport, Permission};
use crate::error::HelperError;
use crate::miniprogram::{
    AlipayVerifyCallback, AlipayVerifyOutcome, FaceSupport, RawMessage, WebViewMessage,
    WechatCallback, WechatVerifyOutcome,
};
use crate::poll::PollOptions;
use crate::qr::QrOptions;
use crate::urls::{BaiduH5Link, OemcloudLinks, RawNextAction, ReturnParams};

pub fn get(value: &JsValue, key: &str) -> JsValue {
    if !value.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn missing(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

/// A string field.
pub fn string(value: &JsValue, key: &str) -> Option<String> {
    get(value, key).as_string()
}

/// A string, or a finite number as JavaScript's `String(n)` writes it.
pub fn text(value: &JsValue, key: &str) -> Option<String> {
    let field = get(value, key);
    if let Some(text) = field.as_string() {
        return Some(text);
    }
    let number = field.as_f64().filter(|n| n.is_finite())?;
    js_sys::Number::from(number)
        .to_string_with_radix(10)
        .ok()
        .map(String::from)
}

pub fn number(value: &JsValue, key: &str) -> Option<f64> {
    get(value, key).as_f64()
}

fn milliseconds(value: &JsValue, key: &str, default: u32) -> u32 {
    match number(value, key) {
        Some(n) if n.is_finite() && n >= 0.0 => n.min(f64::from(u32::MAX)) as u32,
        _ => default,
    }
}

fn required(value: &JsValue, key: &'static str) -> Result<String, HelperError> {
    string(value, key).ok_or_else(|| HelperError::invalid(key, "must be a string"))
}

/// Builds a plain object; `None` becomes `null`, as in the JSON the API sends.
pub struct Obj(Object);

impl Obj {
    pub fn new() -> Self {
        Self(Object::new())
    }

    pub fn set(self, key: &str, value: impl Into<JsValue>) -> Self {
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value.into());
        self
    }

    pub fn opt<T: Into<JsValue>>(self, key: &str, value: Option<T>) -> Self {
        let value = value.map_or(JsValue::NULL, Into::into);
        self.set(key, value)
    }

    pub fn done(self) -> JsValue {
        self.0.into()
    }
}

pub trait ToJs {
    fn to_js(&self) -> JsValue;
}

impl ToJs for DeviceReport {
    fn to_js(&self) -> JsValue {
        let flows: Array = self
            .flows
            .iter()
            .map(|check| {
                let issues: Array = check
                    .issues
                    .iter()
                    .map(|issue| {
                        Obj::new()
                            .set("code", issue.code.as_str())
                            .set("message", issue.message)
                            .done()
                    })
                    .collect();
                Obj::new()
                    .set("flow", check.flow.as_str())
                    .set("supported", check.supported)
                    .set("issues", issues)
                    .done()
            })
            .collect();
        let recommended = self.recommended.as_ref().map(|pick| {
            Obj::new()
                .set("provider", pick.provider.as_str())
                .set("flow", pick.flow.as_str())
                .set("reason", pick.reason)
                .done()
        });
        let camera = &self.camera;
        Obj::new()
            .set("container", self.container.as_str())
            .set("mobile", self.mobile)
            .set(
                "os",
                Obj::new()
                    .set("name", self.os.name.as_str())
                    .opt("version", self.os.version.as_deref())
                    .done(),
            )
            .set("secureContext", self.secure_context)
            .set(
                "camera",
                Obj::new()
                    .set("mediaDevices", camera.media_devices)
                    .set("getUserMedia", camera.get_user_media)
                    .opt("cameras", camera.cameras)
                    .set("frontCamera", camera.front_camera.as_str())
                    .set("permission", camera.permission.as_str())
                    .done(),
            )
            .set("flows", flows)
            .opt("recommended", recommended)
            .done()
    }
}

impl ToJs for ReturnParams {
    fn to_js(&self) -> JsValue {
        Obj::new()
            .set("verificationId", self.verification_id.as_str())
            .set("status", self.status.as_str())
            .done()
    }
}

impl ToJs for WebViewMessage {
    fn to_js(&self) -> JsValue {
        match self {
            Self::StartAlipayVerify {
                certify_id,
                url,
                auth_flow_id,
            } => Obj::new()
                .set("action", "start_alipay_verify")
                .set("certifyId", certify_id.as_str())
                .set("url", url.as_str())
                .opt("authFlowId", auth_flow_id.as_deref()),
            Self::Finished { auth_flow_id } => Obj::new()
                .set("action", "finished")
                .opt("authFlowId", auth_flow_id.as_deref()),
            Self::Ignored { kind, reason } => Obj::new()
                .set("action", "ignored")
                .opt("type", kind.as_deref())
                .set("reason", reason.as_str()),
        }
        .done()
    }
}

/// Error codes are integers; as f64 they reach JavaScript as numbers (i64 would be a BigInt).
fn code(value: Option<i64>) -> Option<f64> {
    value.map(|code| code as f64)
}

impl ToJs for FaceSupport {
    fn to_js(&self) -> JsValue {
        Obj::new()
            .set("supported", self.supported)
            .set("reason", self.reason.as_str())
            .opt("errCode", code(self.err_code))
            .done()
    }
}

impl ToJs for WechatVerifyOutcome {
    fn to_js(&self) -> JsValue {
        match self {
            Self::Submit {
                verify_result,
                err_code,
            } => Obj::new()
                .set("action", "submit")
                .set("verifyResult", verify_result.as_str())
                .opt("errCode", code(*err_code)),
            Self::Canceled { err_code } => Obj::new()
                .set("action", "canceled")
                .opt("errCode", code(*err_code)),
            Self::Failed {
                err_code,
                hint,
                retry,
            } => Obj::new()
                .set("action", "failed")
                .opt("errCode", code(*err_code))
                .set("hint", hint.as_str())
                .set("retry", *retry),
        }
        .done()
    }
}

impl ToJs for AlipayVerifyOutcome {
    fn to_js(&self) -> JsValue {
        match self {
            Self::Finished => Obj::new().set("action", "finished"),
            Self::Canceled => Obj::new().set("action", "canceled"),
            Self::Failed { result_status } => Obj::new()
                .set("action", "failed")
                .opt("resultStatus", result_status.as_deref()),
        }
        .done()
    }
}

pub fn device_facts(value: &JsValue) -> DeviceFacts {
    let cameras = get(value, "cameras").dyn_into::<Array>().ok().map(|list| {
        list.iter()
            .map(|camera| CameraFacts {
                label: string(&camera, "label").unwrap_or_default(),
                facing_modes: get(&camera, "facingModes")
                    .dyn_into::<Array>()
                    .map(|modes| modes.iter().filter_map(|m| m.as_string()).collect())
                    .unwrap_or_default(),
            })
            .collect()
    });
    let flag = |key| get(value, key).as_bool().unwrap_or(false);
    DeviceFacts {
        user_agent: string(value, "userAgent").unwrap_or_default(),
        secure_context: flag("secureContext"),
        media_devices: flag("mediaDevices"),
        get_user_media: flag("getUserMedia"),
        cameras,
        camera_permission: string(value, "cameraPermission")
            .and_then(|state| Permission::parse(&state))
            .unwrap_or_default(),
        wx_environment: string(value, "wxEnvironment"),
    }
}

/// `undefined` or `null`: every provider, in facegate's order.
pub fn providers(value: &JsValue) -> Result<Vec<Provider>, HelperError> {
    if missing(value) {
        return Ok(Provider::ALL.to_vec());
    }
    let invalid = || HelperError::invalid("enabledProviders", "must be an array of provider names");
    let list = value.clone().dyn_into::<Array>().map_err(|_| invalid())?;
    list.iter()
        .map(|name| {
            name.as_string()
                .and_then(|name| name.parse::<Provider>().ok())
                .ok_or_else(invalid)
        })
        .collect()
}

pub fn baidu_link(value: &JsValue) -> Result<BaiduH5Link, HelperError> {
    Ok(BaiduH5Link {
        token: required(value, "token")?,
        success_url: required(value, "successUrl")?,
        failed_url: required(value, "failedUrl")?,
        page_url: string(value, "pageUrl"),
    })
}

pub fn oemcloud_links(value: &JsValue) -> OemcloudLinks {
    OemcloudLinks {
        auth_url: string(value, "authUrl"),
        original_url: string(value, "originalUrl"),
    }
}

pub fn container(value: &JsValue) -> Result<Container, HelperError> {
    value
        .as_string()
        .and_then(|name| Container::parse(&name))
        .ok_or_else(|| HelperError::invalid("container", "must be a container name"))
}

pub fn next_action(value: &JsValue, field: &'static str) -> Result<RawNextAction, HelperError> {
    Ok(RawNextAction {
        kind: string(value, "type")
            .ok_or_else(|| HelperError::invalid(field, "must have a type"))?,
        url: string(value, "url"),
        user_id_key: string(value, "user_id_key"),
        face_token: string(value, "face_token"),
    })
}

/// A web-view message, `{detail}` and `{data: [...]}` wrappers included, three levels deep.
pub fn raw_message(value: &JsValue) -> RawMessage {
    fn read(value: &JsValue, depth: u8) -> RawMessage {
        let nested = |key| {
            let inner = get(value, key);
            (depth > 0 && inner.is_object()).then_some(inner)
        };
        RawMessage {
            kind: text(value, "type"),
            token: text(value, "token"),
            url: text(value, "url"),
            auth_flow_id: text(value, "authFlowId"),
            detail: nested("detail").map(|detail| Box::new(read(&detail, depth - 1))),
            data: nested("data")
                .and_then(|data| data.dyn_into::<Array>().ok())
                .map(|list| list.iter().map(|item| read(&item, depth - 1)).collect()),
        }
    }
    read(value, 3)
}

pub fn wechat_callback(value: &JsValue) -> WechatCallback {
    WechatCallback {
        err_code: number(value, "errCode"),
        err_msg: string(value, "errMsg"),
        verify_result: string(value, "verifyResult"),
    }
}

pub fn alipay_callback(value: &JsValue) -> AlipayVerifyCallback {
    AlipayVerifyCallback {
        result_status: text(value, "resultStatus"),
    }
}

pub fn poll_options(value: &JsValue) -> PollOptions {
    let defaults = PollOptions::default();
    PollOptions {
        interval_ms: milliseconds(value, "intervalMs", defaults.interval_ms),
        max_interval_ms: milliseconds(value, "maxIntervalMs", defaults.max_interval_ms),
        timeout_ms: milliseconds(value, "timeoutMs", defaults.timeout_ms),
    }
}

pub fn qr_options(value: &JsValue) -> QrOptions {
    let defaults = QrOptions::default();
    QrOptions {
        border: number(value, "border")
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map_or(defaults.border, |n| n.min(255.0) as u8),
        dark: string(value, "dark").unwrap_or(defaults.dark),
        light: string(value, "light").unwrap_or(defaults.light),
    }
}
