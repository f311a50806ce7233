//! JavaScript values to and from the helper's types, through serde-wasm-bindgen and the serde
//! derives the native tests use too, so the shapes JavaScript sees are the ones tested natively.
//! Arguments a developer writes are read strictly (a wrong shape throws `invalid_argument`
//! naming the argument); what a mini-program runtime hands over is read leniently in
//! `miniprogram.rs` (an odd field is ignored, as the plain-JS adapter does).

use serde::de::DeserializeOwned;
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

/// Reads an argument; the error names it.
pub fn from_js<T: DeserializeOwned>(field: &'static str, value: JsValue) -> Result<T, HelperError> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|error| HelperError::wrong_shape(field, message(error)))
}

/// The words of serde-wasm-bindgen's error (a JS `Error`), without the formatting machinery.
fn message(error: serde_wasm_bindgen::Error) -> String {
    let error = JsValue::from(error);
    match error.dyn_ref::<js_sys::Error>() {
        Some(error) => error.message().into(),
        None => error.as_string().unwrap_or_default(),
    }
}

/// `undefined` and `null` read as the type's default.
pub fn from_js_or_default<T: DeserializeOwned + Default>(
    field: &'static str,
    value: JsValue,
) -> Result<T, HelperError> {
    if value.is_undefined() || value.is_null() {
        Ok(T::default())
    } else {
        from_js(field, value)
    }
}

/// One property of an object; `undefined` when `value` is not an object.
pub fn get(value: &JsValue, key: &str) -> JsValue {
    if !value.is_object() {
        return JsValue::UNDEFINED;
    }
    js_sys::Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}
