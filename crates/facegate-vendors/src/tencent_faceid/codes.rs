//! What FaceID's answers mean: every documented `Text.ErrCode` onto facegate's
//! [`FailureReason`] ([`ERR_CODES`]), the verdict ([`GetDetectInfoEnhancedResponse::state`]),
//! and the API 3.0 error shape (`Response.Error.Code`) onto [`VendorError`] ([`error_from`]).

use facegate_types::{ConfirmedBy, FailureReason, Scores, VerificationResult};

use super::types::{ApiError, Envelope, ErrorResponse, GetDetectInfoEnhancedResponse};
use crate::http::Reply;
use crate::VendorError;

use FailureReason::{
    CaptureFailed, IdentityMismatch, LivenessFailed, NotSamePerson, VendorError as Vendor,
};

/// Every documented ErrCode of the flow's result (慧眼 "错误码"), with its message and the one
/// reason it maps to. 0 is the pass.
pub const ERR_CODES: &[(i64, &str, Option<FailureReason>)] = &[
    (0, "成功", None),
    (1001, "调用活体引擎接口出错", Some(Vendor)),
    (1002, "疑似非真人录制", Some(LivenessFailed)),
    (1003, "视频实人检测未通过", Some(LivenessFailed)),
    (1004, "人脸检测失败，无法提取比对照", Some(CaptureFailed)),
    (1005, "活体检测未通过", Some(LivenessFailed)),
    (1006, "证照库出错，请重试", Some(Vendor)),
    (1101, "未检测到声音", Some(CaptureFailed)),
    (1102, "脸部未完整露出", Some(CaptureFailed)),
    (1103, "声音识别失败", Some(CaptureFailed)),
    (1104, "视频格式有误", Some(CaptureFailed)),
    (1105, "视频拉取失败，请重试", Some(CaptureFailed)),
    (1106, "视频声音太小", Some(CaptureFailed)),
    (
        1107,
        "视频为空，或大小不合适，请控制录制时长在6s左右",
        Some(CaptureFailed),
    ),
    (1108, "视频像素太低", Some(CaptureFailed)),
    (1109, "嘴唇动作幅度过小", Some(CaptureFailed)),
    (1201, "光线太暗", Some(CaptureFailed)),
    (1202, "光线太强", Some(CaptureFailed)),
    (1203, "脸离屏幕太近", Some(CaptureFailed)),
    (1204, "脸离屏幕太右", Some(CaptureFailed)),
    (1205, "脸离屏幕太远", Some(CaptureFailed)),
    (1206, "脸离屏幕太左", Some(CaptureFailed)),
    (1207, "未检测到闭眼动作", Some(CaptureFailed)),
    (1208, "未检测到第一个动作", Some(CaptureFailed)),
    (1209, "未检测到张嘴动作", Some(CaptureFailed)),
    (1210, "未能检测到完整人脸", Some(CaptureFailed)),
    (1301, "实人检测失败", Some(LivenessFailed)),
    (1302, "实人检测未达到通过标准", Some(LivenessFailed)),
    (
        1303,
        "视频录制时间过短，请录制2秒以上的视频",
        Some(CaptureFailed),
    ),
    (2001, "调用比对引擎接口出错", Some(Vendor)),
    (2002, "输入的姓名有误", Some(IdentityMismatch)),
    (2003, "输入的身份证号有误", Some(IdentityMismatch)),
    (2004, "传入图片过大或过小", Some(CaptureFailed)),
    (
        2005,
        "库中无此号，请到户籍所在地进行核实",
        Some(IdentityMismatch),
    ),
    (
        2006,
        "姓名和身份证号不一致，请核实后重试",
        Some(IdentityMismatch),
    ),
    (
        2007,
        "库中无此用户照片，请到户籍所在地进行核实",
        Some(IdentityMismatch),
    ),
    (
        2008,
        "客户库自建库或认证中心返照失败，请稍后再试",
        Some(Vendor),
    ),
    (2009, "传入图片分辨率太低，请重新上传", Some(CaptureFailed)),
    (2010, "人脸检测失败，无法提取比对照", Some(CaptureFailed)),
    (2011, "实人比对没通过", Some(NotSamePerson)),
    (2012, "检测到多张人脸", Some(CaptureFailed)),
    (2013, "未能检测到完整人脸", Some(CaptureFailed)),
    (2014, "传入图片分辨率太低，请重新上传", Some(CaptureFailed)),
    (2015, "比对失败", Some(NotSamePerson)),
    (2016, "比对相似度未达到通过标准", Some(NotSamePerson)),
    (
        3001,
        "无摄像头权限，请允许页面使用摄像头权限",
        Some(CaptureFailed),
    ),
];

/// The reason for an ErrCode: `None` for 0; an undocumented code is
/// [`FailureReason::VendorError`].
pub fn reason(err_code: i64) -> Option<FailureReason> {
    ERR_CODES
        .iter()
        .find(|(code, _, _)| *code == err_code)
        .map_or(Some(Vendor), |(_, _, reason)| *reason)
}

/// What a GetDetectInfoEnhanced answer says about the flow.
#[derive(Clone, Debug, PartialEq)]
pub enum ResultState {
    /// No `ErrCode` yet: the user has not finished.
    Pending,
    /// The verdict.
    Final(VerificationResult),
}

impl GetDetectInfoEnhancedResponse {
    /// The verdict: passed only for ErrCode 0; the code and ErrMsg kept, `Sim` as the
    /// similarity.
    pub fn state(&self) -> ResultState {
        let Some(text) = &self.text else {
            return ResultState::Pending;
        };
        let Some(code) = text.err_code else {
            return ResultState::Pending;
        };
        let reason = reason(code);
        ResultState::Final(VerificationResult {
            risk_signals: Vec::new(),
            passed: reason.is_none(),
            reason,
            scores: Scores {
                similarity: text.sim,
                liveness: None,
                threshold: None,
            },
            vendor_code: Some(code.to_string()),
            vendor_message: text.err_msg.clone().or_else(|| {
                ERR_CODES
                    .iter()
                    .find(|(known, _, _)| *known == code)
                    .map(|(_, message, _)| (*message).to_owned())
            }),
            confirmed_by: ConfirmedBy::VendorQuery,
        })
    }
}

/// The request parameter an error code names, where it names one.
fn field_of(code: &str) -> Option<String> {
    let field = if code.contains("RuleId") {
        "RuleId"
    } else if code.contains("BizToken") {
        "BizToken"
    } else if code.contains("IdCard") || code.contains("IdFormat") {
        "IdCard"
    } else if code.contains("Name") {
        "Name"
    } else if code.contains("RedirectUrl") {
        "RedirectUrl"
    } else if code.contains("Extra") {
        "Extra"
    } else {
        return None;
    };
    Some(field.to_owned())
}

/// Maps an API 3.0 error (`Response.Error`) onto [`VendorError`]:
/// - `AuthFailure.*`: [`VendorError::Unauthorized`];
/// - `InvalidParameter*` (and `MissingParameter`): [`VendorError::InvalidRequest`], naming the
///   parameter where the code does (`InvalidParameterValue.RuleIdNotExist`: `RuleId`);
/// - `RequestLimitExceeded*`: [`VendorError::RateLimited`];
/// - `InternalError*`: [`VendorError::Unavailable`];
/// - anything else: [`VendorError::Api`] with the RequestId.
pub fn error_from(error: ApiError, request_id: Option<String>) -> VendorError {
    let ApiError { code, message } = error;
    if code.starts_with("AuthFailure") {
        VendorError::Unauthorized { code, message }
    } else if code.starts_with("InvalidParameter") || code.starts_with("MissingParameter") {
        let field = field_of(&code);
        VendorError::invalid(code, message, field)
    } else if code.starts_with("RequestLimitExceeded") {
        VendorError::RateLimited {
            code,
            retry_after: None,
        }
    } else if code.starts_with("InternalError") {
        VendorError::Unavailable(format!("{code}: {message}"))
    } else {
        VendorError::api(code, message, request_id)
    }
}

/// FaceID's error shape (for [`crate::http::exchange`]): a `Response` that carries `Error`.
pub(crate) fn error_body(reply: &Reply) -> Option<VendorError> {
    let envelope = serde_json::from_slice::<Envelope<ErrorResponse>>(&reply.body).ok()?;
    let error = envelope.response.error?;
    Some(error_from(error, envelope.response.request_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_err_code_maps_to_one_reason_and_keeps_its_message() {
        let mut seen = std::collections::HashSet::new();
        for (code, message, expected) in ERR_CODES {
            assert!(seen.insert(*code), "{code} listed twice");
            assert_eq!(reason(*code), *expected, "{code}");
            let answer: GetDetectInfoEnhancedResponse = serde_json::from_value(serde_json::json!({
                "Text": {"ErrCode": code, "ErrMsg": message, "Sim": "88.5"},
                "RequestId": "r"
            }))
            .unwrap();
            let ResultState::Final(result) = answer.state() else {
                panic!("{code} is a verdict");
            };
            assert_eq!(result.passed, *code == 0, "{code}");
            assert_eq!(result.reason, *expected, "{code}");
            assert_eq!(
                result.vendor_code.as_deref(),
                Some(code.to_string().as_str())
            );
            assert_eq!(result.vendor_message.as_deref(), Some(*message));
            assert_eq!(result.scores.similarity, Some(88.5));
            assert_eq!(result.confirmed_by, ConfirmedBy::VendorQuery);
        }
        assert_eq!(reason(4242), Some(FailureReason::VendorError));
        // The four families a failed flow ends in are all reachable.
        for family in [
            NotSamePerson,
            IdentityMismatch,
            LivenessFailed,
            CaptureFailed,
        ] {
            assert!(ERR_CODES.iter().any(|(_, _, r)| *r == Some(family)));
        }
    }

    #[test]
    fn a_flow_without_an_err_code_is_not_finished() {
        for body in [
            serde_json::json!({"Text": null, "RequestId": "r"}),
            serde_json::json!({"Text": {"ErrCode": null, "ErrMsg": null}, "RequestId": "r"}),
        ] {
            let answer: GetDetectInfoEnhancedResponse = serde_json::from_value(body).unwrap();
            assert_eq!(answer.state(), ResultState::Pending);
        }
    }

    #[test]
    fn api_errors_map_onto_the_typed_errors() {
        let error = |code: &str| {
            error_from(
                ApiError {
                    code: code.into(),
                    message: "m".into(),
                },
                Some("rid".into()),
            )
        };
        for code in [
            "AuthFailure.SignatureFailure",
            "AuthFailure.SecretIdNotFound",
            "AuthFailure.SignatureExpire",
        ] {
            assert!(matches!(error(code), VendorError::Unauthorized { code: c, .. } if c == code));
        }
        assert!(matches!(
            error("InvalidParameterValue.RuleIdNotExist"),
            VendorError::InvalidRequest { field: Some(f), .. } if f == "RuleId"
        ));
        assert!(matches!(
            error("InvalidParameterValue.BizTokenExpired"),
            VendorError::InvalidRequest { field: Some(f), .. } if f == "BizToken"
        ));
        assert!(matches!(
            error("InvalidParameter"),
            VendorError::InvalidRequest { field: None, .. }
        ));
        let limited = error("RequestLimitExceeded");
        assert!(matches!(limited, VendorError::RateLimited { .. }));
        assert!(limited.is_retryable());
        assert!(error("InternalError").is_retryable());
        assert!(matches!(
            error("UnauthorizedOperation.Arrears"),
            VendorError::Api { log_id: Some(id), .. } if id == "rid"
        ));
    }
}
