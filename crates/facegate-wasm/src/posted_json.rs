// JSON values seen as what the readers take (`Posted`), so the readers and the web-view parser
// run natively over the shared case tables as they run over `JsValue` in the browser. Included,
// not a module: by `read::json` for the crate's unit tests and by tests/support/mod.rs for the
// integration tests (which cannot see `cfg(test)` items); each includer brings `Posted`, `Shape`
// and `serde_json::Value` into scope.

#[derive(Clone, Debug)]
pub struct Json(pub Value);

/// `text` parsed as JSON, as a value the readers take.
pub fn json(text: &str) -> Json {
    Json(serde_json::from_str(text).expect("JSON"))
}

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

    fn string(&self) -> Option<String> {
        self.0.as_str().map(str::to_owned)
    }

    fn string_units(&self) -> Option<usize> {
        self.0.as_str().map(|text| text.encode_utf16().count())
    }

    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }

    fn boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }

    fn parse_json(&self) -> Option<Self> {
        serde_json::from_str(self.0.as_str()?).ok().map(Json)
    }

    fn has_properties(&self) -> bool {
        self.0.as_object().is_some_and(|fields| !fields.is_empty())
    }
}
