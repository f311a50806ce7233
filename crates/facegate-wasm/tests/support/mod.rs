//! Shared by the native test files: JSON values seen as web-view message handler arguments,
//! so the parser's walk runs natively as it runs over `JsValue` in the browser.
// Each test file uses part of this module.
#![allow(dead_code)]

use facegate_wasm::miniprogram::{Posted, Shape};
use serde_json::Value;

// `Json`, `json()` and `impl Posted for Json`: the crate's own (its unit tests use the same).
include!("../../src/posted_json.rs");

/// The shared table of web-view messages: `(name, input, expected answer)`.
pub fn web_view_cases() -> Vec<(String, Value, Value)> {
    cases(include_str!(
        "../../../../tests/cases/web_view_messages.json"
    ))
    .into_iter()
    .map(|case| {
        (
            case["name"].as_str().expect("a name").to_owned(),
            case["input"].clone(),
            case["expected"].clone(),
        )
    })
    .collect()
}

/// The `cases` of one of the shared tables in tests/cases, each `{name, input, expected, ...}`.
pub fn cases(table: &str) -> Vec<Value> {
    let table: Value = serde_json::from_str(table).expect("a shared table is JSON");
    table["cases"].as_array().expect("a cases list").clone()
}
