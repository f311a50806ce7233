//! Reading the helper's arguments by hand, property by property, through [`Posted`]: the same
//! code reads a `JsValue` in the browser and a JSON value in the native tests. serde's
//! derived `Deserialize` through serde-wasm-bindgen did this before; it cost the .wasm its
//! generic deserializer, serde's `Content` buffering for the lenient (untagged) fields and,
//! through serde's error messages, Rust's float formatting: 21 KB gzip in all (README,
//! "Size"). Results still go out through serde-wasm-bindgen.
//!
//! Two ways to read:
//! - [`Strict`], for arguments a developer writes (`analyzeDevice`'s facts, `baiduH5Url`'s
//!   link, options): `undefined` or `null` reads as the default; a value of another type
//!   throws `invalid_argument` naming the argument, its `detail` naming the property and the
//!   type it needs (`invalid type: userAgent is not a string`).
//! - the lenient functions ([`text`], [`string`], [`number`]), for what a mini-program runtime
//!   hands over: an odd value reads as absent, as the plain-JS adapter reads it.

use crate::error::HelperError;
use crate::miniprogram::{Posted, Shape};

/// The longest list read from an argument (providers, cameras, facing modes).
pub const MAX_LIST: usize = 64;

/// A property as a string; anything else reads as absent.
pub fn string<V: Posted>(value: &V, key: &str) -> Option<String> {
    value.property(key)?.string()
}

/// A property as a number; anything else reads as absent.
pub fn number<V: Posted>(value: &V, key: &str) -> Option<f64> {
    value.property(key)?.number()
}

/// A property as text: a string, or a safe integer in decimal (JavaScript's
/// `Number.isSafeInteger`, so both implementations write it alike); else absent.
pub fn text<V: Posted>(value: &V, key: &str) -> Option<String> {
    let value = value.property(key)?;
    value
        .string()
        .or_else(|| value.number().and_then(safe_integer))
}

/// A number as text when it is a safe integer; other numbers read as absent.
pub fn safe_integer(number: f64) -> Option<String> {
    (number.fract() == 0.0 && number.abs() <= 9_007_199_254_740_991.0).then(|| {
        let digits = crate::messages::decimal(number.abs() as u64);
        if number < 0.0 {
            ["-", &digits].concat()
        } else {
            digits
        }
    })
}

/// An argument read strictly: an object whose properties have the documented types.
pub struct Strict<'a, V> {
    value: &'a V,
    argument: &'static str,
}

impl<'a, V: Posted> Strict<'a, V> {
    /// `value` as the object argument `argument`; anything but an object throws.
    pub fn object(value: &'a V, argument: &'static str) -> Result<Self, HelperError> {
        if value.shape() != Shape::Object {
            return Err(wrong(argument, argument, "an object"));
        }
        Ok(Self { value, argument })
    }

    /// `value` as an optional object argument: `None` for `undefined` or `null`.
    pub fn optional(
        value: Option<&'a V>,
        argument: &'static str,
    ) -> Result<Option<Self>, HelperError> {
        value.map(|value| Self::object(value, argument)).transpose()
    }

    fn wrong(&self, key: &str, expected: &str) -> HelperError {
        wrong(self.argument, key, expected)
    }

    /// A string property.
    pub fn string(&self, key: &str) -> Result<Option<String>, HelperError> {
        self.value
            .property(key)
            .map(|value| value.string().ok_or_else(|| self.wrong(key, "a string")))
            .transpose()
    }

    /// A boolean property.
    pub fn boolean(&self, key: &str) -> Result<Option<bool>, HelperError> {
        self.value
            .property(key)
            .map(|value| value.boolean().ok_or_else(|| self.wrong(key, "a boolean")))
            .transpose()
    }

    /// A whole number from 0 to `max`.
    pub fn integer(&self, key: &str, max: u32) -> Result<Option<u32>, HelperError> {
        self.value
            .property(key)
            .map(|value| {
                value
                    .number()
                    .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= f64::from(max))
                    .map(|n| n as u32)
                    .ok_or_else(|| self.wrong(key, "a whole number in range"))
            })
            .transpose()
    }

    /// A string naming one of an enum's values, by `parse`.
    pub fn named<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, HelperError> {
        let Some(name) = self.string(key)? else {
            return Ok(None);
        };
        parse(&name)
            .map(Some)
            .ok_or_else(|| unknown(self.argument, &name))
    }

    /// A list of at most [`MAX_LIST`] values.
    pub fn list(&self, key: &str) -> Result<Option<Vec<V>>, HelperError> {
        self.value
            .property(key)
            .map(|value| list(&value, self.argument, key))
            .transpose()
    }

    /// A list of strings.
    pub fn strings(&self, key: &str) -> Result<Option<Vec<String>>, HelperError> {
        let Some(items) = self.list(key)? else {
            return Ok(None);
        };
        items
            .iter()
            .map(|item| {
                item.string()
                    .ok_or_else(|| self.wrong(key, "a list of strings"))
            })
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// An object inside this one (a list's element), read strictly for the same argument.
    pub fn nested(&self, value: &'a V, key: &str) -> Result<Self, HelperError> {
        if value.shape() != Shape::Object {
            return Err(self.wrong(key, "a list of objects"));
        }
        Ok(Self {
            value,
            argument: self.argument,
        })
    }
}

/// `value` as the list argument `argument`: at most [`MAX_LIST`] elements.
pub fn list<V: Posted>(
    value: &V,
    argument: &'static str,
    key: &str,
) -> Result<Vec<V>, HelperError> {
    if value.shape() != Shape::Array {
        return Err(wrong(argument, key, "a list"));
    }
    let items = value.first_items(MAX_LIST + 1);
    if items.len() > MAX_LIST {
        return Err(wrong(argument, key, "a list of at most 64"));
    }
    Ok(items)
}

/// `value` as the string argument `argument` naming one of an enum's values, by `parse`.
pub fn named<V: Posted, T>(
    value: &V,
    argument: &'static str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, HelperError> {
    let name = value
        .string()
        .ok_or_else(|| wrong(argument, argument, "a string"))?;
    parse(&name).ok_or_else(|| unknown(argument, &name))
}

fn wrong(argument: &'static str, key: &str, expected: &str) -> HelperError {
    HelperError::wrong_shape(
        argument,
        ["invalid type: ", key, " is not ", expected].concat(),
    )
}

fn unknown(argument: &'static str, name: &str) -> HelperError {
    HelperError::wrong_shape(argument, ["unknown value `", name, "`"].concat())
}

/// JSON values as the helper's readers see them, for the crate's own unit tests (the test
/// files have the same in tests/support).
#[cfg(test)]
pub(crate) mod json {
    use super::{Posted, Shape};
    use serde_json::Value;

    include!("posted_json.rs");
}

#[cfg(test)]
mod tests {
    use super::json::json;
    use super::*;

    #[test]
    fn strict_reads_default_absent_and_null_and_name_what_is_wrong() {
        let value = json(r#"{"a": "x", "b": true, "n": 7, "l": ["p", "q"], "z": null}"#);
        let object = Strict::object(&value, "options").unwrap();
        assert_eq!(object.string("a").unwrap().as_deref(), Some("x"));
        assert_eq!(object.string("z").unwrap(), None);
        assert_eq!(object.string("missing").unwrap(), None);
        assert_eq!(object.boolean("b").unwrap(), Some(true));
        assert_eq!(object.integer("n", 10).unwrap(), Some(7));
        assert_eq!(
            object.strings("l").unwrap(),
            Some(vec!["p".into(), "q".into()])
        );
        let error = object.string("n").unwrap_err();
        assert_eq!(error.field(), Some("options"));
        assert_eq!(error.detail(), Some("invalid type: n is not a string"));
        assert!(object.integer("n", 5).is_err(), "out of range");
        assert!(object.boolean("a").is_err());
        assert!(object.strings("a").is_err());
        assert!(Strict::object(&json("[]"), "options").is_err());
        assert!(Strict::object(&json("\"x\""), "options").is_err());
        let long = json(&serde_json::to_string(&vec!["x"; MAX_LIST + 1]).unwrap());
        assert!(list(&long, "list", "list").is_err());
        assert_eq!(list(&json(r#"["x"]"#), "list", "list").unwrap().len(), 1);
    }

    #[test]
    fn lenient_reads_skip_odd_values() {
        let value = json(r#"{"s": "x", "n": 9000, "f": 9000.5, "o": {}}"#);
        assert_eq!(text(&value, "s").as_deref(), Some("x"));
        assert_eq!(text(&value, "n").as_deref(), Some("9000"));
        assert_eq!(text(&value, "f"), None);
        assert_eq!(text(&value, "o"), None);
        assert_eq!(string(&value, "n"), None);
        assert_eq!(number(&value, "n"), Some(9000.0));
        assert_eq!(safe_integer(-12.0).as_deref(), Some("-12"));
        assert_eq!(safe_integer(9_007_199_254_740_992.0), None);
    }
}
