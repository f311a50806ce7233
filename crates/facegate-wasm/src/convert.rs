//! The helper's results to JavaScript values: the page's (`DeviceReport`, `ReturnParams`)
//! through serde-wasm-bindgen and the serde derives the native tests use too, so the shapes
//! JavaScript sees are the ones tested natively; the mini-program callbacks' outcomes written
//! out by hand ([`ToJs`]), held to their derives' JSON by the shared tables.
//! Arguments are read by hand (`read.rs`): strictly what a developer writes (a wrong shape
//! throws `invalid_argument` naming the argument), leniently what a mini-program runtime hands
//! over (an odd field is ignored, as the plain-JS adapter does).

use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::HelperError;
use crate::miniprogram::{
    AlipayVerifyOutcome, FaceSupport, FacialVerifyOutcome, WebViewMessage, WechatVerifyOutcome,
};

/// Plain JSON-shaped JS values: `null` for `None`, objects (not Maps) for structs, numbers for
/// the integer codes.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, HelperError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|error| {
            HelperError::UnexpectedResponse(
                ["could not hand the value to JavaScript: ", &message(error)].concat(),
            )
        })
}

/// The words of serde-wasm-bindgen's error (a JS `Error`), without the formatting machinery.
fn message(error: serde_wasm_bindgen::Error) -> String {
    let error = JsValue::from(error);
    match error.dyn_ref::<js_sys::Error>() {
        Some(error) => error.message().into(),
        None => error.as_string().unwrap_or_default(),
    }
}

/// One property of an object; `undefined` when `value` is not an object.
pub fn get(value: &JsValue, key: &str) -> JsValue {
    if !value.is_object() {
        return JsValue::UNDEFINED;
    }
    js_sys::Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The mini-program callbacks' outcomes, written out by hand (for the tagged enums, issue 16's
/// "hand-dispatched" enums): the `action` tag first where there is one, then the fields in
/// camelCase, `null` for `None`, exactly as their serde derives write them (the native tests'
/// shape). The shared tables (tests/cases) hold both to the same JSON, in Chromium and in
/// Node. The page's results (`DeviceReport`, `ReturnParams`) still go through
/// serde-wasm-bindgen ([`to_js`]); these five cost the .wasm less written out (README "Size").
pub trait ToJs {
    fn to_js(&self) -> JsValue;
}

/// An object built property by property.
struct Props(js_sys::Object);

impl Props {
    fn new() -> Self {
        Self(js_sys::Object::new())
    }

    fn action(action: &str) -> Self {
        Self::new().text("action", Some(action))
    }

    fn set(self, key: &str, value: JsValue) -> Self {
        let _ = js_sys::Reflect::set(&self.0, &JsValue::from_str(key), &value);
        self
    }

    fn text(self, key: &str, value: Option<&str>) -> Self {
        self.set(key, value.map_or(JsValue::NULL, JsValue::from_str))
    }

    fn flag(self, key: &str, value: bool) -> Self {
        self.set(key, JsValue::from_bool(value))
    }

    /// A callback's integer code: a number (they come from JS numbers, so they fit), or `null`.
    fn code(self, key: &str, value: Option<i64>) -> Self {
        self.set(
            key,
            value.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64)),
        )
    }

    fn done(self) -> JsValue {
        self.0.into()
    }
}

impl ToJs for WebViewMessage {
    fn to_js(&self) -> JsValue {
        match self {
            WebViewMessage::StartAlipayVerify {
                certify_id,
                url,
                auth_flow_id,
            } => Props::action("start_alipay_verify")
                .text("certifyId", Some(certify_id))
                .text("url", Some(url))
                .text("authFlowId", auth_flow_id.as_deref()),
            WebViewMessage::Finished { auth_flow_id } => {
                Props::action("finished").text("authFlowId", auth_flow_id.as_deref())
            }
            WebViewMessage::Ignored {
                kind,
                reason,
                message,
            } => Props::action("ignored")
                .text("type", kind.as_deref())
                .text("reason", Some(reason.code()))
                .text("message", Some(message)),
        }
        .done()
    }
}

impl ToJs for WechatVerifyOutcome {
    fn to_js(&self) -> JsValue {
        match self {
            WechatVerifyOutcome::Submit {
                verify_result,
                err_code,
            } => Props::action("submit")
                .text("verifyResult", Some(verify_result))
                .code("errCode", *err_code),
            WechatVerifyOutcome::Canceled { err_code } => {
                Props::action("canceled").code("errCode", *err_code)
            }
            WechatVerifyOutcome::Failed {
                err_code,
                hint,
                retry,
                message,
            } => Props::action("failed")
                .code("errCode", *err_code)
                .text("hint", Some(hint.as_str()))
                .flag("retry", *retry)
                .text("message", Some(message)),
        }
        .done()
    }
}

impl ToJs for AlipayVerifyOutcome {
    fn to_js(&self) -> JsValue {
        match self {
            AlipayVerifyOutcome::Finished => Props::action("finished"),
            AlipayVerifyOutcome::Canceled => Props::action("canceled"),
            AlipayVerifyOutcome::Failed { result_status } => {
                Props::action("failed").text("resultStatus", result_status.as_deref())
            }
        }
        .done()
    }
}

impl ToJs for FaceSupport {
    fn to_js(&self) -> JsValue {
        Props::new()
            .flag("supported", self.supported)
            .text("reason", Some(self.reason.as_str()))
            .code("errCode", self.err_code)
            .flag("facialVerify", self.facial_verify)
            .text("provider", self.provider.map(|provider| provider.as_str()))
            .text("message", Some(self.message))
            .done()
    }
}

impl ToJs for FacialVerifyOutcome {
    fn to_js(&self) -> JsValue {
        Props::action(self.action.as_str())
            .code("errCode", self.err_code)
            .done()
    }
}
