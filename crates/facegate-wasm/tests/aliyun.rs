//! Alibaba's MetaInfo, natively: the check `aliyunMetaInfo()` makes of what `getMetaInfo()`
//! returned, reading the text through `Posted` as the browser reads it (there with its own JSON
//! parser, here with serde_json).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use facegate_wasm::aliyun::{meta_info_text, META_INFO_SCRIPT};
use facegate_wasm::HelperError;
use serde_json::Value;
use support::Json;

fn text(text: &str) -> Json {
    Json(Value::String(text.to_owned()))
}

#[test]
fn meta_info_is_passed_as_given_when_it_is_an_object() {
    let meta = r#"{"zimVer":"3.0.0","deviceType":"h5"}"#;
    assert_eq!(meta_info_text(&text(meta)).unwrap(), meta);
    for bad in [
        "",
        "null",
        "[]",
        "{}",
        "\"x\"",
        "not json",
        "{\"a\":1",
        "[{\"a\":1}]",
    ] {
        assert_eq!(
            meta_info_text(&text(bad)).unwrap_err().code(),
            "unexpected_response",
            "{bad}"
        );
    }
    // Not a string at all.
    assert!(meta_info_text(&Json(serde_json::json!({"a": 1}))).is_err());
    assert_eq!(
        HelperError::MissingScript(META_INFO_SCRIPT).code(),
        "missing_script"
    );
}
