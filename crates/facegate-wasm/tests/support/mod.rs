//! Shared by the native test files: JSON values seen as web-view message handler arguments,
//! so the parser's walk runs natively as it runs over `JsValue` in the browser.
// Each test file uses part of this module.
#![allow(dead_code)]

use facegate_wasm::miniprogram::{Posted, Shape};
use serde_json::Value;

/// A JSON value handed to `parse_web_view_message` (a newtype: both the trait and
/// `serde_json::Value` live in other crates).
#[derive(Clone, Debug)]
pub struct Json(pub Value);

impl Posted for Json {
    fn shape(&self) -> Shape {
        match self.0 {
            Value::Object(_) => Shape::Object,
            Value::Array(_) => Shape::Array,
            Value::String(_) => Shape::String,
            _ => Shape::Other,
        }
    }

    fn property(&self, key: &str) -> Option<Self> {
        match self.0.get(key)? {
            Value::Null => None,
            value => Some(Json(value.clone())),
        }
    }

    fn last_items(&self, count: usize) -> Vec<Self> {
        let items = self.0.as_array().map(Vec::as_slice).unwrap_or_default();
        let skip = items.len().saturating_sub(count);
        items[skip..].iter().cloned().map(Json).collect()
    }

    fn first_items(&self, count: usize) -> Vec<Self> {
        let items = self.0.as_array().map(Vec::as_slice).unwrap_or_default();
        items.iter().take(count).cloned().map(Json).collect()
    }

    fn boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }

    fn string(&self) -> Option<String> {
        self.0.as_str().map(str::to_owned)
    }

    fn string_units(&self) -> Option<usize> {
        self.0.as_str().map(|text| text.encode_utf16().count())
    }

    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }

    fn parse_json(&self) -> Option<Self> {
        serde_json::from_str(self.0.as_str()?).ok().map(Json)
    }

    fn has_properties(&self) -> bool {
        self.0.as_object().is_some_and(|fields| !fields.is_empty())
    }
}

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
