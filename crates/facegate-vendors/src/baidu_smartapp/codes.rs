//! What the openapi's answers mean: its error shape (`errno` / `msg`, or Baidu's general
//! `error_code` / `error_msg`) onto [`VendorError`]. The seed gives no error numbers: a
//! repeated setexempt is recognised by its message (重复), and 100 / 110 / 111 (Baidu's general
//! access-token codes) are [`VendorError::Unauthorized`].

use serde::de::IgnoredAny;

use super::types::Envelope;
use crate::http::Reply;
use crate::VendorError;

/// Which call an error came from: the repeat rule applies to setexempt only.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Call {
    FaceAuthen,
    SetExempt,
}

impl Call {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Call::FaceAuthen => "faceauthen",
            Call::SetExempt => "setexempt",
        }
    }
}

/// Baidu's general codes for a bad access token.
const TOKEN_ERRNOS: [i64; 3] = [100, 110, 111];

/// The error an envelope carries, if any: `errno` / `msg`, or `error_code` / `error_msg`.
fn error_of<T>(envelope: &Envelope<T>, call: Call) -> Option<VendorError> {
    let code = envelope.errno.or(envelope.error_code).unwrap_or(0);
    if code == 0 {
        return None;
    }
    let message = envelope
        .msg
        .clone()
        .or_else(|| envelope.error_msg.clone())
        .unwrap_or_default();
    let code_text = code.to_string();
    Some(if TOKEN_ERRNOS.contains(&code) {
        VendorError::Unauthorized {
            code: code_text,
            message,
        }
    } else if call == Call::SetExempt && message.contains("重复") {
        VendorError::Conflict {
            code: code_text,
            message,
        }
    } else {
        VendorError::api(code_text, message, envelope.request_id.clone())
    })
}

/// The openapi's error shape for `call` (for [`crate::http::exchange`]).
pub(crate) fn error_body(call: Call) -> impl FnOnce(&Reply) -> Option<VendorError> {
    move |reply| error_of(&reply.json::<Envelope<IgnoredAny>>().ok()?, call)
}

/// An envelope's data, or its error.
pub(crate) fn into_result<T>(envelope: Envelope<T>, call: Call) -> Result<T, VendorError> {
    match error_of(&envelope, call) {
        Some(error) => Err(error),
        None => envelope
            .data
            .ok_or_else(|| VendorError::Decode("errno 0 without data".into())),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::baidu_smartapp::types::{Exemption, FaceAuthen};

    pub(crate) fn parse<T: serde::de::DeserializeOwned>(
        json: &str,
        call: Call,
    ) -> Result<T, VendorError> {
        let envelope: Envelope<T> = serde_json::from_str(json).unwrap();
        into_result(envelope, call)
    }

    #[test]
    fn errors_map_to_conflict_unauthorized_or_api() {
        let repeat = r#"{"errno": 400, "msg": "不可重复开通"}"#;
        match parse::<Exemption>(repeat, Call::SetExempt) {
            Err(VendorError::Conflict { code, message }) => {
                assert_eq!((code.as_str(), message.as_str()), ("400", "不可重复开通"))
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        // The same words from faceauthen are not a repeat of setexempt.
        assert!(matches!(
            parse::<FaceAuthen>(repeat, Call::FaceAuthen),
            Err(VendorError::Api { .. })
        ));
        let token =
            r#"{"error_code": 110, "error_msg": "Access token invalid or no longer valid"}"#;
        assert!(matches!(
            parse::<FaceAuthen>(token, Call::FaceAuthen),
            Err(VendorError::Unauthorized { code, .. }) if code == "110"
        ));
        let expired = r#"{"errno": "111", "msg": "access token expired"}"#;
        assert!(matches!(
            parse::<Exemption>(expired, Call::SetExempt),
            Err(VendorError::Unauthorized { .. })
        ));
        assert!(matches!(
            parse::<FaceAuthen>(r#"{"errno": 0, "msg": "success"}"#, Call::FaceAuthen),
            Err(VendorError::Decode(_))
        ));
    }
}
