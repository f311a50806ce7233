//! What comes back from e-sign after the face check: the notify POSTed to notifyUrl (signed
//! with the app secret), the callback redirect's query, and the messages its page posts to an
//! Alipay mini-program's web-view (seed 002: 支付宝小程序对接说明, 小程序端内嵌H5页集成对接说明).
//! The seed documents none of their bodies: the forms read here are those the module doc
//! names.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use facegate_types::{ConfirmedBy, FailureReason, Scores, VerificationResult};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};
use sha2::Sha256;

use crate::wire::{self, Pii};

fn loose_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Loose {
        Bool(bool),
        Text(String),
        Number(i64),
    }
    Ok(match Option::<Loose>::deserialize(deserializer)? {
        None => None,
        Some(Loose::Bool(b)) => Some(b),
        Some(Loose::Number(n)) => Some(n != 0),
        Some(Loose::Text(text)) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
    })
}

/// The notify POSTed to notifyUrl.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Notify {
    #[serde(
        rename = "flowId",
        alias = "flow_id",
        deserialize_with = "wire::string_or_number"
    )]
    pub flow_id: String,
    #[serde(rename = "contextId", alias = "context_id", default)]
    pub context_id: Option<String>,
    #[serde(default, alias = "passed", deserialize_with = "loose_bool")]
    pub success: Option<bool>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_i64_or_string")]
    pub timestamp: Option<i64>,
}

impl Notify {
    pub fn parse(body: &[u8]) -> Result<Self, NotifyError> {
        serde_json::from_slice(body).map_err(|error| NotifyError::Body(error.to_string()))
    }

    /// The result this notify reports, marked `confirmed_by: notify` (nothing can confirm it).
    pub fn result(&self) -> VerificationResult {
        outcome(self.success, self.message.as_deref())
    }
}

/// The query e-sign adds to callbackUrl when it sends the browser back.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CallbackQuery {
    #[serde(rename = "flowId", alias = "flow_id")]
    pub flow_id: String,
    #[serde(rename = "contextId", alias = "context_id", default)]
    pub context_id: Option<String>,
    #[serde(default, alias = "success", deserialize_with = "loose_bool")]
    pub passed: Option<bool>,
}

impl CallbackQuery {
    pub fn parse(query: &str) -> Result<Self, NotifyError> {
        let pairs: serde_json::Map<String, serde_json::Value> =
            url::form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
                .collect();
        serde_json::from_value(serde_json::Value::Object(pairs))
            .map_err(|error| NotifyError::Body(error.to_string()))
    }

    /// What the redirect says, marked `confirmed_by: notify` (a browser can forge it: prefer
    /// the signed notify where there is one).
    pub fn result(&self) -> VerificationResult {
        outcome(self.passed, None)
    }
}

fn outcome(success: Option<bool>, message: Option<&str>) -> VerificationResult {
    let passed = success == Some(true);
    // The seed documents no failure codes for the face check itself: the message decides the
    // reason where it says something recognisable.
    let reason = (!passed).then(|| match message {
        Some(m) if m.contains("取消") => FailureReason::UserCanceled,
        Some(m) if m.contains("活体") => FailureReason::LivenessFailed,
        Some(m) if m.contains("14周岁") => FailureReason::Underage,
        _ => FailureReason::NotSamePerson,
    });
    VerificationResult {
        passed,
        reason,
        scores: Scores::default(),
        vendor_code: Some(if passed { "success" } else { "failed" }.into()),
        vendor_message: message.map(str::to_owned),
        confirmed_by: ConfirmedBy::Notify,
        risk_signals: Vec::new(),
    }
}

/// Why a notify or callback was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotifyError {
    #[error("the notify body is not the expected JSON: {0}")]
    Body(String),
    #[error("the notify signature is missing")]
    MissingSignature,
    #[error("the notify signature does not match")]
    BadSignature,
    #[error("the notify timestamp is missing, malformed or too old")]
    StaleTimestamp,
}

/// hex HMAC-SHA256(secret, timestamp + query values sorted by name + body).
pub fn sign(secret: &[u8], timestamp: &str, query: &str, body: &[u8]) -> String {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    pairs.sort();
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.as_bytes());
    for (_, value) in &pairs {
        mac.update(value.as_bytes());
    }
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Checks `X-Tsign-Open-SIGNATURE` and that `X-Tsign-Open-TIMESTAMP` (ms) is within `max_age`.
pub fn verify_signature(
    secret: &SecretString,
    timestamp: Option<&str>,
    signature: Option<&str>,
    query: &str,
    body: &[u8],
    now: SystemTime,
    max_age: Duration,
) -> Result<(), NotifyError> {
    let signature = signature.ok_or(NotifyError::MissingSignature)?;
    let timestamp = timestamp.ok_or(NotifyError::StaleTimestamp)?;
    let sent_ms: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| NotifyError::StaleTimestamp)?;
    let now_ms = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    if (now_ms - sent_ms).unsigned_abs() > max_age.as_millis() as u64 {
        return Err(NotifyError::StaleTimestamp);
    }
    let expected = sign(secret.expose_secret().as_bytes(), timestamp, query, body);
    let given = signature.trim().to_ascii_lowercase();
    if wire::same_bytes(expected.as_bytes(), given.as_bytes()) {
        Ok(())
    } else {
        Err(NotifyError::BadSignature)
    }
}

// ---------------------------------------------------------------------------------------------
// Web-view messages (Alipay mini-program)
// ---------------------------------------------------------------------------------------------

/// A message from the e-sign page inside the mini-program's web-view.
#[derive(Clone, Debug, PartialEq)]
pub enum WebViewMessage {
    /// `IDENTITY_ALI_FACE_AWAKE`: call `my.startAPVerify({url, certifyId: token})`.
    AliFaceAwake {
        url: String,
        token: Pii,
        auth_flow_id: Option<String>,
    },
    /// `RN_DONE`: the real-name auth finished; ask the backend for the result.
    RealNameDone { auth_flow_id: Option<String> },
    /// Any other type (`WILL_DONE`, `E_AUTH_FINISHED`, `SIGN_SUCCESS`, ...): nothing to do.
    Ignored { kind: String },
}

#[derive(Deserialize)]
struct Detail {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(
        rename = "authFlowId",
        alias = "auth_flow_id",
        default,
        deserialize_with = "wire::opt_string_or_number"
    )]
    auth_flow_id: Option<String>,
}

impl WebViewMessage {
    /// Parses the `onMessage` event (`{detail: {...}}`) or its `detail` alone.
    pub fn parse(message: &serde_json::Value) -> Result<Self, NotifyError> {
        let detail = message.get("detail").unwrap_or(message);
        let detail: Detail = serde_json::from_value(detail.clone())
            .map_err(|error| NotifyError::Body(error.to_string()))?;
        let missing = |field: &str| NotifyError::Body(format!("{} without {field}", detail.kind));
        Ok(match WebViewMessageType::parse(&detail.kind) {
            Some(WebViewMessageType::AliFaceAwake) => Self::AliFaceAwake {
                url: detail.url.ok_or_else(|| missing("url"))?,
                token: Pii::from(detail.token.ok_or_else(|| missing("token"))?),
                auth_flow_id: detail.auth_flow_id,
            },
            Some(WebViewMessageType::RealNameDone) => Self::RealNameDone {
                auth_flow_id: detail.auth_flow_id,
            },
            None => Self::Ignored { kind: detail.kind },
        })
    }
}

/// The web-view message types and `my.startAPVerify`'s `resultStatus` values, defined once in
/// facegate-types for this crate and the wasm helper.
pub use facegate_types::front_end::oemcloud::{ApVerifyStatus, WebViewMessageType};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_view_messages_follow_the_seed() {
        let awake = WebViewMessage::parse(&serde_json::json!({
            "detail": {"type": "IDENTITY_ALI_FACE_AWAKE", "token": "cert-1", "url": "https://x", "authFlowId": "186"}
        }))
        .unwrap();
        assert!(
            matches!(&awake, WebViewMessage::AliFaceAwake { url, token, auth_flow_id }
            if url == "https://x" && token.expose() == "cert-1" && auth_flow_id.as_deref() == Some("186"))
        );
        let done =
            WebViewMessage::parse(&serde_json::json!({"type": "RN_DONE", "authFlowId": 186}))
                .unwrap();
        assert_eq!(
            done,
            WebViewMessage::RealNameDone {
                auth_flow_id: Some("186".into())
            }
        );
        let other = WebViewMessage::parse(&serde_json::json!({"detail": {"type": "SIGN_SUCCESS"}}))
            .unwrap();
        assert_eq!(
            other,
            WebViewMessage::Ignored {
                kind: "SIGN_SUCCESS".into()
            }
        );
        assert!(WebViewMessage::parse(
            &serde_json::json!({"detail": {"type": "IDENTITY_ALI_FACE_AWAKE"}})
        )
        .is_err());
        // ApVerifyStatus is facegate-types' (front_end::oemcloud), tested there.
    }

    #[test]
    fn notify_and_callback_parse_and_sign() {
        let body = r#"{"flowId":"186","contextId":"vs_1","success":true,"message":"认证通过","timestamp":1625737347563}"#.as_bytes();
        let notify = Notify::parse(body).unwrap();
        let result = notify.result();
        assert!(result.passed);
        assert_eq!(result.confirmed_by, ConfirmedBy::Notify);
        let failed = Notify::parse(
            r#"{"flow_id":"186","success":"false","message":"用户取消认证"}"#.as_bytes(),
        )
        .unwrap();
        assert_eq!(failed.result().reason, Some(FailureReason::UserCanceled));

        let callback = CallbackQuery::parse("flowId=186&contextId=vs_1&passed=false").unwrap();
        assert_eq!(callback.passed, Some(false));
        assert_eq!(callback.result().reason, Some(FailureReason::NotSamePerson));

        let secret = SecretString::from("app-secret");
        let now = SystemTime::now();
        let ms = now
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis()
            .to_string();
        let signature = sign(b"app-secret", &ms, "b=2&a=1", body);
        let check = |sig: &str, ts: &str, query: &str, body: &[u8]| {
            verify_signature(
                &secret,
                Some(ts),
                Some(sig),
                query,
                body,
                now,
                Duration::from_secs(900),
            )
        };
        assert_eq!(check(&signature, &ms, "a=1&b=2", body), Ok(()));
        assert_eq!(
            check(&signature, &ms, "a=1&b=3", body),
            Err(NotifyError::BadSignature)
        );
        assert_eq!(
            check(&signature, &ms, "a=1&b=2", b"{}"),
            Err(NotifyError::BadSignature)
        );
        assert_eq!(
            check(&signature, "1000", "a=1&b=2", body),
            Err(NotifyError::StaleTimestamp)
        );
        assert_eq!(
            verify_signature(
                &secret,
                Some(&ms),
                None,
                "",
                body,
                now,
                Duration::from_secs(900)
            ),
            Err(NotifyError::MissingSignature)
        );
    }
}
