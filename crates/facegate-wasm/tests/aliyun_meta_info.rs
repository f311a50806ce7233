//! `aliyunMetaInfo()` in a JavaScript engine (Node, through wasm-bindgen-test-runner): it reads
//! the global `getMetaInfo()` that Alibaba's page script defines (the browser's window is the
//! global object), returns its string as it is or its object as JSON, and throws a typed
//! `missing_script` error naming the script when the script is not loaded.
#![cfg(target_arch = "wasm32")]

use facegate_wasm::aliyun::META_INFO_SCRIPT;
use facegate_wasm::aliyun_meta_info;
use js_sys::{Function, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

const META: &str = r#"{"apdidToken":"","appName":"https://shop.example","bioMetaInfo":"5.1.0:2097152,0","deviceType":"h5","zimVer":"1.0.0"}"#;

/// Defines (or, with `None`, removes) the global `getMetaInfo` as the page script would.
fn script(body: Option<&str>) {
    let global = js_sys::global();
    match body {
        Some(body) => {
            Reflect::set(&global, &"getMetaInfo".into(), &Function::new_no_args(body)).unwrap();
        }
        None => {
            Reflect::delete_property(&global, &"getMetaInfo".into()).unwrap();
        }
    }
}

fn code(error: &JsValue) -> String {
    Reflect::get(error, &"code".into())
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
fn meta_info_comes_from_alibabas_script_or_a_typed_error_names_it() {
    // Not loaded: a FacegateError whose code and message say which script.
    script(None);
    let missing = aliyun_meta_info().unwrap_err();
    assert_eq!(code(&missing), "missing_script");
    let message = js_sys::Error::from(missing).message().as_string().unwrap();
    assert!(message.contains(META_INFO_SCRIPT), "{message}");

    // A string, passed through unchanged.
    script(Some(&format!("return {};", serde_json_string(META))));
    assert_eq!(aliyun_meta_info().unwrap(), META);

    // An object, as JSON.
    script(Some("return {deviceType: 'h5', zimVer: '1.0.0'};"));
    let text = aliyun_meta_info().unwrap();
    assert_eq!(text, r#"{"deviceType":"h5","zimVer":"1.0.0"}"#);

    // Something else than MetaInfo, or a script that throws: typed errors too.
    script(Some("return '';"));
    assert_eq!(
        code(&aliyun_meta_info().unwrap_err()),
        "unexpected_response"
    );
    script(Some("throw new Error('blocked');"));
    assert_eq!(
        code(&aliyun_meta_info().unwrap_err()),
        "unexpected_response"
    );
    script(None);
}

/// `text` as a JavaScript string literal.
fn serde_json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}
