//! The `face_identify` push (seed 003 三.4): its JSON form as the seed shows it and the XML
//! form of WeChat's message push, read by a small strict reader for the flat `<xml>` element
//! (no DTDs, no nesting, CDATA and the five entities) rather than a crate: the message is one
//! level deep and the reader is ~80 lines. Its URL is checked with `signature =
//! SHA1(sort(token, timestamp, nonce))`, answering `echostr` on GET.

use std::collections::HashMap;

use serde::Deserialize;
use sha1::{Digest, Sha1};

use crate::wire::{self, Pii};

/// The `face_identify` push (seed 三.4), sent when out_seq_no was given; tried for 5 s only.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PushMessage {
    #[serde(rename = "ToUserName", default)]
    pub to_user_name: String,
    #[serde(rename = "FromUserName", default)]
    pub from_user_name: String,
    #[serde(
        rename = "CreateTime",
        default,
        deserialize_with = "wire::opt_i64_or_string"
    )]
    pub create_time: Option<i64>,
    #[serde(rename = "MsgType", default)]
    pub msg_type: String,
    #[serde(rename = "Event", default)]
    pub event: String,
    #[serde(default)]
    pub openid: Option<String>,
    #[serde(default)]
    pub out_seq_no: Option<String>,
    #[serde(default)]
    pub verify_result: Option<Pii>,
}

/// Why a push was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PushError {
    #[error("the push body is not the documented JSON: {0}")]
    Json(String),
    #[error("the push body is not the flat <xml> message: {0}")]
    Xml(&'static str),
    #[error("the push signature does not match")]
    BadSignature,
}

/// Pushes larger than this are refused unread.
pub const MAX_PUSH_BYTES: usize = 64 * 1024;

impl PushMessage {
    /// Whether this is the face identify result event.
    pub fn is_face_identify(&self) -> bool {
        self.msg_type == "event" && self.event == "face_identify"
    }

    /// Parses either form: XML when the body starts with `<`, JSON otherwise.
    pub fn parse(body: &[u8]) -> Result<Self, PushError> {
        let text = std::str::from_utf8(body).map_err(|_| PushError::Xml("not UTF-8"))?;
        if text.trim_start().starts_with('<') {
            Self::from_xml(text)
        } else {
            Self::from_json(body)
        }
    }

    pub fn from_json(body: &[u8]) -> Result<Self, PushError> {
        serde_json::from_slice(body).map_err(|error| PushError::Json(error.to_string()))
    }

    pub fn from_xml(body: &str) -> Result<Self, PushError> {
        let mut fields = flat_xml(body)?;
        let mut take = |key: &str| fields.remove(key);
        Ok(Self {
            to_user_name: take("ToUserName").unwrap_or_default(),
            from_user_name: take("FromUserName").unwrap_or_default(),
            create_time: match take("CreateTime") {
                None => None,
                Some(value) => Some(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| PushError::Xml("CreateTime is not a number"))?,
                ),
            },
            msg_type: take("MsgType").unwrap_or_default(),
            event: take("Event").unwrap_or_default(),
            openid: take("openid"),
            out_seq_no: take("out_seq_no"),
            verify_result: take("verify_result").map(Pii::from),
        })
    }
}

/// Reads `<xml><Name>text or CDATA</Name>...</xml>`: one level, no attributes, no DTD.
fn flat_xml(input: &str) -> Result<HashMap<String, String>, PushError> {
    if input.len() > MAX_PUSH_BYTES {
        return Err(PushError::Xml("too large"));
    }
    let mut rest = input.trim_start();
    if let Some(after) = rest.strip_prefix("<?xml") {
        let end = after
            .find("?>")
            .ok_or(PushError::Xml("unterminated prolog"))?;
        rest = after[end + 2..].trim_start();
    }
    rest = rest
        .strip_prefix("<xml>")
        .ok_or(PushError::Xml("expected <xml>"))?;
    let mut fields = HashMap::new();
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("</xml>") {
            if !after.trim().is_empty() {
                return Err(PushError::Xml("content after </xml>"));
            }
            return Ok(fields);
        }
        let after_open = rest
            .strip_prefix('<')
            .ok_or(PushError::Xml("expected an element"))?;
        let name_end = after_open
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .ok_or(PushError::Xml("unterminated element"))?;
        let name = &after_open[..name_end];
        if name.is_empty() {
            return Err(PushError::Xml(
                "an element without a name (DTDs are refused)",
            ));
        }
        let after_name = &after_open[name_end..];
        let value;
        if let Some(after) = after_name.strip_prefix("/>") {
            value = String::new();
            rest = after;
        } else {
            let body = after_name
                .strip_prefix('>')
                .ok_or(PushError::Xml("attributes are not expected"))?;
            let close = format!("</{name}>");
            let trimmed = body.trim_start();
            if let Some(cdata) = trimmed.strip_prefix("<![CDATA[") {
                let end = cdata
                    .find("]]>")
                    .ok_or(PushError::Xml("unterminated CDATA"))?;
                value = cdata[..end].to_owned();
                rest = cdata[end + 3..]
                    .trim_start()
                    .strip_prefix(close.as_str())
                    .ok_or(PushError::Xml("expected the closing tag after CDATA"))?;
            } else {
                let end = body
                    .find('<')
                    .ok_or(PushError::Xml("unterminated element"))?;
                value = unescape(&body[..end])?;
                rest = body[end..]
                    .strip_prefix(close.as_str())
                    .ok_or(PushError::Xml("nested elements are not expected"))?;
            }
        }
        if fields.insert(name.to_owned(), value).is_some() {
            return Err(PushError::Xml("an element appears twice"));
        }
    }
}

fn unescape(text: &str) -> Result<String, PushError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after
            .find(';')
            .ok_or(PushError::Xml("unterminated entity"))?;
        let entity = &after[..end];
        let decoded = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(decimal) = entity.strip_prefix('#') {
                    decimal.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or(PushError::Xml("unknown entity"))?
            }
        };
        out.push(decoded);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `SHA1(sort(token, timestamp, nonce))` as lower-case hex: the push URL signature.
pub fn push_signature(token: &str, timestamp: &str, nonce: &str) -> String {
    let mut parts = [token, timestamp, nonce];
    parts.sort_unstable();
    hex::encode(Sha1::digest(parts.concat().as_bytes()))
}

/// The query WeChat adds to the push URL (GET verification and POST pushes).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PushQuery {
    #[serde(default)]
    pub signature: String,
    #[serde(default)]
    pub timestamp: String,
    #[serde(default)]
    pub nonce: String,
    /// GET only: echoed back when the signature is right.
    #[serde(default)]
    pub echostr: Option<String>,
    #[serde(default)]
    pub openid: Option<String>,
}

impl PushQuery {
    /// Checks the signature against the push token configured in the mini-program's console.
    pub fn verify(&self, token: &str) -> Result<(), PushError> {
        let expected = push_signature(token, &self.timestamp, &self.nonce);
        if wire::same_bytes(
            expected.as_bytes(),
            self.signature.to_ascii_lowercase().as_bytes(),
        ) {
            Ok(())
        } else {
            Err(PushError::BadSignature)
        }
    }

    /// The GET answer that proves the URL is ours: `echostr`, once the signature checks out.
    pub fn echo(&self, token: &str) -> Result<String, PushError> {
        self.verify(token)?;
        Ok(self.echostr.clone().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xml_reader_refuses_what_it_does_not_expect() {
        for bad in [
            "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><a>&e;</a></xml>",
            "<xml><a><b>1</b></a></xml>",
            "<xml><a x=\"1\">1</a></xml>",
            "<xml><a>1</a><a>2</a></xml>",
            "<xml><a>&e;</a></xml>",
            "<xml><a><![CDATA[1]]></xml>",
            "<xml><a>1</a></xml>trailing",
            "<xml><a>1</a>",
            "<root><a>1</a></root>",
        ] {
            assert!(flat_xml(bad).is_err(), "{bad}");
        }
        let fields = flat_xml("<xml><a>&#x4e2d;&#25991;&lt;</a><b/></xml>").unwrap();
        assert_eq!(fields["a"], "中文<");
        assert_eq!(fields["b"], "");
    }

    #[test]
    fn push_signature_is_sha1_of_the_sorted_parts() {
        let signature = push_signature("token", "1703657835", "nonce");
        let mut parts = ["token", "1703657835", "nonce"];
        parts.sort_unstable();
        assert_eq!(
            signature,
            hex::encode(Sha1::digest(parts.concat().as_bytes()))
        );
        let query = PushQuery {
            signature: signature.clone(),
            timestamp: "1703657835".into(),
            nonce: "nonce".into(),
            echostr: Some("echo-me".into()),
            openid: None,
        };
        assert_eq!(query.echo("token").unwrap(), "echo-me");
        assert_eq!(query.echo("other"), Err(PushError::BadSignature));
        let tampered = PushQuery {
            nonce: "nonce2".into(),
            ..query
        };
        assert_eq!(tampered.verify("token"), Err(PushError::BadSignature));
    }
}
