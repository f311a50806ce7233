//! Wire helpers the vendor modules share: numbers that arrive as strings (and strings that
//! arrive as numbers), personal data whose `Debug` never prints it, and the constant-time
//! comparison of signatures and tokens.
//!
//! The vendors' examples often disagree with their own field tables (`"count": 1` documented as
//! a string, `"timeout": "1558150057"` used as a number): use these with
//! `#[serde(deserialize_with = "...")]` (and `#[serde(default)]` for the `opt_` ones) so every
//! documented form parses.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// Any JSON scalar, as the vendors send them.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Bool(bool),
}

impl Scalar {
    fn into_string(self) -> String {
        match self {
            Self::Int(n) => n.to_string(),
            Self::UInt(n) => n.to_string(),
            Self::Float(n) => n.to_string(),
            Self::Str(s) => s,
            Self::Bool(b) => b.to_string(),
        }
    }

    fn into_i64<E: de::Error>(self) -> Result<i64, E> {
        match self {
            Self::Int(n) => Ok(n),
            Self::UInt(n) => i64::try_from(n).map_err(|_| E::custom("integer out of range")),
            Self::Float(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Ok(n as i64),
            Self::Str(s) => s
                .trim()
                .parse()
                .map_err(|_| E::custom(format!("expected an integer, found {s:?}"))),
            Self::Float(_) | Self::Bool(_) => Err(E::custom("expected an integer")),
        }
    }

    fn into_f64<E: de::Error>(self) -> Result<f64, E> {
        match self {
            Self::Int(n) => Ok(n as f64),
            Self::UInt(n) => Ok(n as f64),
            Self::Float(n) => Ok(n),
            Self::Str(s) => s
                .trim()
                .parse()
                .map_err(|_| E::custom(format!("expected a number, found {s:?}"))),
            Self::Bool(_) => Err(E::custom("expected a number")),
        }
    }
}

/// A string, or a number kept as its decimal text.
pub fn string_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Scalar::deserialize(deserializer).map(Scalar::into_string)
}

/// Like [`string_or_number`], with `null` (or, with `#[serde(default)]`, absence) as `None`.
pub fn opt_string_or_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(Option::<Scalar>::deserialize(deserializer)?.map(Scalar::into_string))
}

/// An integer, or a string holding one.
pub fn i64_or_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    Scalar::deserialize(deserializer)?.into_i64()
}

/// Like [`i64_or_string`], with `null`, absence or an empty string as `None`.
pub fn opt_i64_or_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    match Option::<Scalar>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Scalar::Str(s)) if s.trim().is_empty() => Ok(None),
        Some(scalar) => scalar.into_i64().map(Some),
    }
}

/// A number, or a string holding one.
pub fn f64_or_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Scalar::deserialize(deserializer)?.into_f64()
}

/// Like [`f64_or_string`], with `null`, absence or an empty string as `None`.
pub fn opt_f64_or_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<f64>, D::Error> {
    match Option::<Scalar>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Scalar::Str(s)) if s.trim().is_empty() => Ok(None),
        Some(scalar) => scalar.into_f64().map(Some),
    }
}

/// Personal data on the wire (a name, an ID number, a vendor token): serialised as the plain
/// string the vendor expects, but `Debug` prints only its length, so it cannot reach a log.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Pii(String);

impl Pii {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that must send or compare it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Pii {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pii(<{} chars redacted>)", self.0.chars().count())
    }
}

impl From<String> for Pii {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Pii {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl Serialize for Pii {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Pii {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

/// Whether two byte strings are equal, in time that depends only on their lengths (for
/// signatures, digests and tokens a caller hands over).
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq as _;
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Sample {
        #[serde(deserialize_with = "string_or_number")]
        code: String,
        #[serde(default, deserialize_with = "opt_i64_or_string")]
        count: Option<i64>,
        #[serde(default, deserialize_with = "opt_f64_or_string")]
        score: Option<f64>,
        #[serde(deserialize_with = "i64_or_string")]
        timeout: i64,
    }

    #[test]
    fn numbers_and_strings_are_both_accepted() {
        let a: Sample =
            serde_json::from_str(r#"{"code": 0, "count": "3", "score": "89.9", "timeout": 1}"#)
                .unwrap();
        assert_eq!(
            (a.code.as_str(), a.count, a.score, a.timeout),
            ("0", Some(3), Some(89.9), 1)
        );
        let b: Sample =
            serde_json::from_str(r#"{"code": "222351", "count": 3, "timeout": "1558150057"}"#)
                .unwrap();
        assert_eq!(
            (b.code.as_str(), b.count, b.score, b.timeout),
            ("222351", Some(3), None, 1558150057)
        );
        let c: Sample =
            serde_json::from_str(r#"{"code": "x", "count": "", "score": null, "timeout": 2.0}"#)
                .unwrap();
        assert_eq!((c.count, c.score, c.timeout), (None, None, 2));
        assert!(serde_json::from_str::<Sample>(r#"{"code": "x", "timeout": "soon"}"#).is_err());
    }

    #[test]
    fn pii_serialises_plainly_and_debugs_redacted() {
        let name = Pii::new("张三");
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"张三\"");
        assert_eq!(format!("{name:?}"), "Pii(<2 chars redacted>)");
        let back: Pii = serde_json::from_str("\"110101199003074514\"").unwrap();
        assert!(!format!("{back:?}").contains("4514"));
        assert_eq!(back.expose(), "110101199003074514");
    }

    #[test]
    fn same_bytes_compares_whole_strings() {
        assert!(same_bytes(b"abc", b"abc"));
        assert!(!same_bytes(b"abc", b"abd"));
        assert!(!same_bytes(b"abc", b"ab"));
        assert!(same_bytes(b"", b""));
    }
}
