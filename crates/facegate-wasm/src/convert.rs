//! The helper's results to JavaScript values, through serde-wasm-bindgen and the serde derives
//! the native tests use too, so the shapes JavaScript sees are the ones tested natively.
//! Arguments are read by hand (`read.rs`): strictly what a developer writes (a wrong shape
//! throws `invalid_argument` naming the argument), leniently what a mini-program runtime hands
//! over (an odd field is ignored, as the plain-JS adapter does).

use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::HelperError;

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
