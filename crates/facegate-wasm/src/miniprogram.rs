//! The mini-program side: OEMCloud's web-view messages (seed 002 "小程序端内嵌H5页集成对接说明"),
//! the callbacks of `wx.checkIsSupportFacialRecognition` and `wx.startFacialRecognitionVerify`
//! (seed 003), and `my.startAPVerify`'s answer. None of these decides a verdict: a finished
//! flow always ends with asking the backend.

use facegate_types::FailureReason;
use serde::{Deserialize, Serialize};

/// A string or a number, read as a string (message fields arrive as either); anything else
/// reads as absent, as the plain-JS adapter reads it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    String(String),
    Number(f64),
    Other(serde::de::IgnoredAny),
}

fn text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(
        Option::<Text>::deserialize(deserializer)?.and_then(|text| match text {
            Text::String(text) => Some(text),
            Text::Number(number) if number.fract() == 0.0 && number.abs() < 9.0e15 => {
                Some(format!("{}", number as i64))
            }
            Text::Number(number) => Some(number.to_string()),
            Text::Other(_) => None,
        }),
    )
}

/// A value of the expected shape, or `None` for anything else (a runtime's odd field).
#[derive(Deserialize)]
#[serde(untagged)]
enum Lenient<T> {
    Value(T),
    Other(serde::de::IgnoredAny),
}

impl<T> Lenient<T> {
    fn ok(self) -> Option<T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Other(_) => None,
        }
    }
}

fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Lenient<T>>::deserialize(deserializer)?.and_then(Lenient::ok))
}

/// `data`: the posted messages; one that is not an object reads as an empty message.
fn messages<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<RawMessage>>, D::Error> {
    Ok(
        lenient::<D, Vec<Lenient<RawMessage>>>(deserializer)?.map(|list| {
            list.into_iter()
                .map(|item| item.ok().unwrap_or_default())
                .collect()
        }),
    )
}

/// What a web-view `onMessage` handler receives: the whole event (`{detail: ...}`), its
/// `detail`, or WeChat's `detail.data` array of posted messages (the last one counts).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawMessage {
    #[serde(rename = "type", deserialize_with = "text")]
    pub kind: Option<String>,
    #[serde(deserialize_with = "text")]
    pub token: Option<String>,
    #[serde(deserialize_with = "text")]
    pub url: Option<String>,
    #[serde(rename = "authFlowId", deserialize_with = "text")]
    pub auth_flow_id: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub detail: Option<Box<RawMessage>>,
    #[serde(deserialize_with = "messages")]
    pub data: Option<Vec<RawMessage>>,
}

/// What the mini-program page does with a web-view message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(
    tag = "action",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum WebViewMessage {
    /// `IDENTITY_ALI_FACE_AWAKE`: call `my.startAPVerify({url, certifyId})`.
    StartAlipayVerify {
        certify_id: String,
        url: String,
        auth_flow_id: Option<String>,
    },
    /// `RN_DONE`: the real-name flow finished; ask the backend for the result.
    Finished { auth_flow_id: Option<String> },
    /// Anything else: nothing to do. `type` is named where the message had one.
    Ignored {
        #[serde(rename = "type")]
        kind: Option<String>,
        reason: String,
    },
}

/// Reads one web-view message.
pub fn parse_web_view_message(raw: RawMessage) -> WebViewMessage {
    let mut message = raw;
    // Unwrap `{detail}` and `{data: [...]}` a bounded number of times.
    for _ in 0..3 {
        if message.kind.is_some() {
            break;
        }
        if let Some(detail) = message.detail.take() {
            message = *detail;
        } else if let Some(last) = message.data.take().and_then(|mut list| list.pop()) {
            message = last;
        } else {
            break;
        }
    }
    let Some(kind) = message.kind else {
        return WebViewMessage::Ignored {
            kind: None,
            reason: "the message has no type".into(),
        };
    };
    let auth_flow_id = message.auth_flow_id;
    match kind.as_str() {
        "IDENTITY_ALI_FACE_AWAKE" => {
            let token = message.token.unwrap_or_default();
            let url = message.url.unwrap_or_default();
            if token.is_empty() {
                return WebViewMessage::Ignored {
                    kind: Some(kind),
                    reason: "IDENTITY_ALI_FACE_AWAKE without a token (the certifyId)".into(),
                };
            }
            WebViewMessage::StartAlipayVerify {
                certify_id: token,
                url,
                auth_flow_id,
            }
        }
        "RN_DONE" => WebViewMessage::Finished { auth_flow_id },
        _ => {
            let reason = format!("{kind} is not a message facegate acts on");
            WebViewMessage::Ignored {
                kind: Some(kind),
                reason,
            }
        }
    }
}

/// The callback argument of a mini-program API: `{errCode?, errMsg?, ...}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WechatCallback {
    #[serde(deserialize_with = "lenient")]
    pub err_code: Option<f64>,
    #[serde(deserialize_with = "lenient")]
    pub err_msg: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub verify_result: Option<String>,
}

impl WechatCallback {
    fn code(&self) -> Option<i64> {
        self.err_code.filter(|c| c.fract() == 0.0).map(|c| c as i64)
    }

    /// WeChat ends a success's errMsg with `:ok`.
    fn says_ok(&self) -> bool {
        self.err_msg.as_deref().is_some_and(|m| m.ends_with(":ok"))
    }
}

/// `wx.checkIsSupportFacialRecognition`'s answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaceSupport {
    pub supported: bool,
    pub reason: FaceSupportReason,
    pub err_code: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaceSupportReason {
    Supported,
    /// 10001: the device has no front camera.
    NoFrontCamera,
    /// 10002: the face model could not be downloaded.
    ModelNotDownloaded,
    /// 10003: WeChat's backend does not allow it on this device.
    DisabledByBackend,
    /// A failure without a documented code (iOS returns no errCode; seed 003 03).
    Unknown,
}

/// Maps `wx.checkIsSupportFacialRecognition`'s callback (seed 003 "回调结果说明").
pub fn wechat_face_support(callback: &WechatCallback) -> FaceSupport {
    let code = callback.code();
    let reason = match code {
        Some(0) => FaceSupportReason::Supported,
        Some(10001) => FaceSupportReason::NoFrontCamera,
        Some(10002) => FaceSupportReason::ModelNotDownloaded,
        Some(10003) => FaceSupportReason::DisabledByBackend,
        None if callback.says_ok() => FaceSupportReason::Supported,
        _ => FaceSupportReason::Unknown,
    };
    FaceSupport {
        supported: reason == FaceSupportReason::Supported,
        reason,
        err_code: code,
    }
}

/// What to do after `wx.startFacialRecognitionVerify` calls back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(
    tag = "action",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum WechatVerifyOutcome {
    /// Hand `verifyResult` to the backend (`submitWechatResult`): only it decides.
    Submit {
        verify_result: String,
        err_code: Option<i64>,
    },
    /// The user left the face check.
    Canceled { err_code: Option<i64> },
    /// WeChat reported a failure without a verifyResult. `hint` is the likely reason, for the
    /// page's wording only: nothing was confirmed.
    Failed {
        err_code: Option<i64>,
        hint: FailureReason,
        retry: bool,
    },
}

/// Maps `wx.startFacialRecognitionVerify`'s callback. Seed 003 leaves its callback table empty;
/// the codes below are the ones WeChat's public error list gives (10001-10069, 90100 the user
/// leaving). A `verifyResult`, whatever the code, always goes to the backend.
pub fn wechat_verify_outcome(callback: &WechatCallback) -> WechatVerifyOutcome {
    let err_code = callback.code();
    if let Some(verify_result) = callback.verify_result.clone().filter(|v| !v.is_empty()) {
        return WechatVerifyOutcome::Submit {
            verify_result,
            err_code,
        };
    }
    let failed = |hint, retry| WechatVerifyOutcome::Failed {
        err_code,
        hint,
        retry,
    };
    match err_code {
        Some(90100) => WechatVerifyOutcome::Canceled { err_code },
        Some(10004 | 10011) => failed(FailureReason::NotSamePerson, true),
        Some(10003 | 10009 | 10026) => failed(FailureReason::IdentityMismatch, false),
        Some(10002 | 10005 | 10010 | 10020 | 10027 | 10028) => {
            failed(FailureReason::CaptureFailed, true)
        }
        Some(10006 | 10031) => failed(FailureReason::AccountError, false),
        Some(10017 | 10018 | 10041) => failed(FailureReason::VendorError, false),
        _ if callback
            .err_msg
            .as_deref()
            .is_some_and(|m| m.contains("cancel")) =>
        {
            WechatVerifyOutcome::Canceled { err_code }
        }
        _ => failed(FailureReason::VendorError, true),
    }
}

/// `my.startAPVerify`'s answer: `resultStatus` 9000 finished, 6001 the user gave up
/// (VENDORS.md, oemcloud).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AlipayVerifyCallback {
    #[serde(deserialize_with = "text")]
    pub result_status: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(
    tag = "action",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum AlipayVerifyOutcome {
    /// 9000: ask the backend for the result.
    Finished,
    /// 6001: the user gave up.
    Canceled,
    /// Anything else: the face check did not run to its end.
    Failed { result_status: Option<String> },
}

pub fn alipay_verify_outcome(callback: AlipayVerifyCallback) -> AlipayVerifyOutcome {
    let status = callback.result_status;
    match status.as_deref() {
        Some("9000") => AlipayVerifyOutcome::Finished,
        Some("6001") => AlipayVerifyOutcome::Canceled,
        _ => AlipayVerifyOutcome::Failed {
            result_status: status,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(json: &str) -> WebViewMessage {
        parse_web_view_message(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn odd_fields_from_a_runtime_read_as_absent_rather_than_failing() {
        let no_type = |json: &str| match message(json) {
            WebViewMessage::Ignored { kind: None, .. } => {}
            other => panic!("{json}: {other:?}"),
        };
        no_type(r#"{"type": true}"#);
        no_type(r#"{"detail": {"data": [5]}}"#);
        no_type(r#"{"detail": "RN_DONE"}"#);
        no_type(r#"{"type": {"nested": 1}, "detail": null}"#);
        assert_eq!(
            message(r#"{"detail": {"data": [5, {"type": "RN_DONE", "authFlowId": 7}]}}"#),
            WebViewMessage::Finished {
                auth_flow_id: Some("7".into())
            }
        );
        let callback: WechatCallback =
            serde_json::from_str(r#"{"errCode": "10001", "errMsg": 3, "verifyResult": "v"}"#)
                .unwrap();
        assert_eq!(callback.err_code, None);
        assert_eq!(callback.err_msg, None);
        assert_eq!(callback.verify_result.as_deref(), Some("v"));
    }

    #[test]
    fn the_seeds_face_awake_message_starts_alipay_verify_with_the_token() {
        let expected = WebViewMessage::StartAlipayVerify {
            certify_id: "2F803B97".into(),
            url: "https://face.example/x".into(),
            auth_flow_id: Some("1862291536444700249".into()),
        };
        let detail = r#"{"type":"IDENTITY_ALI_FACE_AWAKE","token":"2F803B97","url":"https://face.example/x","authFlowId":"1862291536444700249"}"#;
        assert_eq!(message(detail), expected);
        assert_eq!(message(&format!(r#"{{"detail":{detail}}}"#)), expected);
        assert_eq!(
            message(&format!(
                r#"{{"detail":{{"data":[{{"type":"X"}},{detail}]}}}}"#
            )),
            expected
        );
        let numeric = r#"{"type":"IDENTITY_ALI_FACE_AWAKE","token":"2F803B97","url":"https://face.example/x","authFlowId":1862291536444700}"#;
        assert!(matches!(
            message(numeric),
            WebViewMessage::StartAlipayVerify { auth_flow_id: Some(id), .. } if id == "1862291536444700"
        ));
    }

    #[test]
    fn rn_done_finishes_and_everything_else_is_ignored_with_a_reason() {
        assert_eq!(
            message(r#"{"detail":{"type":"RN_DONE","authFlowId":"f1"}}"#),
            WebViewMessage::Finished {
                auth_flow_id: Some("f1".into())
            }
        );
        let WebViewMessage::Ignored { kind, reason } = message(r#"{"type":"SIGN_SUCCESS"}"#) else {
            panic!("SIGN_SUCCESS must be ignored");
        };
        assert_eq!(kind.as_deref(), Some("SIGN_SUCCESS"));
        assert!(reason.contains("SIGN_SUCCESS"));
        assert!(matches!(
            message("{}"),
            WebViewMessage::Ignored { kind: None, .. }
        ));
        assert!(matches!(
            message(r#"{"type":"IDENTITY_ALI_FACE_AWAKE","url":"https://x"}"#),
            WebViewMessage::Ignored { .. }
        ));
    }

    #[test]
    fn outcomes_serialise_with_an_action_tag_and_camel_case_fields() {
        let json = serde_json::to_value(message(
            r#"{"type":"IDENTITY_ALI_FACE_AWAKE","token":"t","url":"u"}"#,
        ))
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"action": "start_alipay_verify", "certifyId": "t", "url": "u", "authFlowId": null})
        );
    }

    fn callback(json: &str) -> WechatCallback {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn support_codes_map_as_the_seed_documents() {
        let support = |json| wechat_face_support(&callback(json));
        assert!(
            support(r#"{"errCode":0,"errMsg":"checkIsSupportFacialRecognition:ok"}"#).supported
        );
        assert!(
            support(r#"{"errMsg":"checkIsSupportFacialRecognition:ok"}"#).supported,
            "iOS: no errCode"
        );
        assert_eq!(
            support(r#"{"errCode":10001}"#).reason,
            FaceSupportReason::NoFrontCamera
        );
        assert_eq!(
            support(r#"{"errCode":10002}"#).reason,
            FaceSupportReason::ModelNotDownloaded
        );
        assert_eq!(
            support(r#"{"errCode":10003}"#).reason,
            FaceSupportReason::DisabledByBackend
        );
        let unknown = support(r#"{"errMsg":"checkIsSupportFacialRecognition:fail"}"#);
        assert_eq!(
            (unknown.supported, unknown.reason),
            (false, FaceSupportReason::Unknown)
        );
    }

    #[test]
    fn a_verify_result_always_goes_to_the_backend() {
        assert_eq!(
            wechat_verify_outcome(&callback(r#"{"errCode":0,"verifyResult":"XXIz"}"#)),
            WechatVerifyOutcome::Submit {
                verify_result: "XXIz".into(),
                err_code: Some(0)
            }
        );
        assert!(matches!(
            wechat_verify_outcome(&callback(r#"{"errCode":10004,"verifyResult":"abc"}"#)),
            WechatVerifyOutcome::Submit { .. }
        ));
    }

    #[test]
    fn failures_without_a_verify_result_are_hints_only() {
        let outcome = |json| wechat_verify_outcome(&callback(json));
        assert_eq!(
            outcome(r#"{"errCode":90100}"#),
            WechatVerifyOutcome::Canceled {
                err_code: Some(90100)
            }
        );
        assert_eq!(
            outcome(r#"{"errCode":10004}"#),
            WechatVerifyOutcome::Failed {
                err_code: Some(10004),
                hint: FailureReason::NotSamePerson,
                retry: true
            }
        );
        assert!(matches!(
            outcome(r#"{"errCode":10009}"#),
            WechatVerifyOutcome::Failed {
                hint: FailureReason::IdentityMismatch,
                retry: false,
                ..
            }
        ));
        assert!(matches!(
            outcome(r#"{"errCode":10020}"#),
            WechatVerifyOutcome::Failed {
                hint: FailureReason::CaptureFailed,
                ..
            }
        ));
        assert!(matches!(
            outcome(r#"{"errCode":10006}"#),
            WechatVerifyOutcome::Failed {
                hint: FailureReason::AccountError,
                ..
            }
        ));
        assert!(matches!(
            outcome(r#"{"errCode":12345}"#),
            WechatVerifyOutcome::Failed {
                hint: FailureReason::VendorError,
                ..
            }
        ));
        assert!(matches!(
            outcome(r#"{"errMsg":"startFacialRecognitionVerify:fail cancel"}"#),
            WechatVerifyOutcome::Canceled { err_code: None }
        ));
    }

    #[test]
    fn alipay_result_status_is_read_as_string_or_number() {
        let outcome = |json| alipay_verify_outcome(serde_json::from_str(json).unwrap());
        assert_eq!(
            outcome(r#"{"resultStatus":"9000"}"#),
            AlipayVerifyOutcome::Finished
        );
        assert_eq!(
            outcome(r#"{"resultStatus":6001}"#),
            AlipayVerifyOutcome::Canceled
        );
        assert_eq!(
            outcome(r#"{"resultStatus":"4000"}"#),
            AlipayVerifyOutcome::Failed {
                result_status: Some("4000".into())
            }
        );
        assert_eq!(
            outcome("{}"),
            AlipayVerifyOutcome::Failed {
                result_status: None
            }
        );
    }
}
