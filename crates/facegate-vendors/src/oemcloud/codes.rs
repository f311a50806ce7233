//! What OEMCloud's answers mean: every documented error code (seed 002: 错误码) onto facegate's
//! [`FailureReason`] and [`VendorError`], and the two error shapes: the answer's `code` /
//! `message`, and the Aliyun gateway's own refusals (a non-2xx status without a body, the
//! reason in `X-Ca-Error-Message`).

use facegate_types::{ConfirmedBy, FailureReason, Scores, VerificationResult};
use serde::Deserialize;

use super::client::NONCE_HEADER;
use crate::http::Reply;
use crate::wire;
use crate::VendorError;

pub const CODE_GENERIC: i64 = 30500000;
pub const CODE_PARAMETER: i64 = 30500101;
pub const CODE_BALANCE: i64 = 30503107;
pub const CODE_SPACES: i64 = 30500116;
pub const CODE_UNDERAGE: i64 = 30503059;

/// Every documented code, the seed's text, and facegate's reason.
pub const ERROR_CODES: &[(i64, &str, FailureReason)] = &[
    (
        CODE_GENERIC,
        "操作出错,请联系服务人员处理, ID:XXXX",
        FailureReason::VendorError,
    ),
    (CODE_PARAMETER, "参数错误: ...", FailureReason::VendorError),
    (
        CODE_BALANCE,
        "很抱歉, 订单余额不足",
        FailureReason::AccountError,
    ),
    (
        CODE_SPACES,
        "格式校验不通过, 请检查填入信息是否有多余空格",
        FailureReason::VendorError,
    ),
    (
        CODE_UNDERAGE,
        "创建刷脸任务失败: 未满14周岁的用户无法使用本产品",
        FailureReason::Underage,
    ),
];

/// The reason for a documented code; anything else is a vendor error.
pub fn reason(code: i64) -> FailureReason {
    ERROR_CODES
        .iter()
        .find(|(known, _, _)| *known == code)
        .map(|(_, _, reason)| *reason)
        .unwrap_or(FailureReason::VendorError)
}

/// The request field a 30500101 message names (the seed's six messages, and any message that
/// spells a field).
pub fn field_from_message(message: &str) -> Option<&'static str> {
    const BY_NAME: [&str; 6] = [
        "faceauthMode",
        "callbackUrl",
        "notifyUrl",
        "contextId",
        "idNo",
        "name",
    ];
    if let Some(field) = BY_NAME.iter().find(|field| message.contains(*field)) {
        return Some(field);
    }
    if message.contains("身份证") {
        Some("idNo")
    } else if message.contains("认证方式") {
        Some("faceauthMode")
    } else if message.contains("姓名") {
        Some("name")
    } else {
        None
    }
}

/// Maps a non-zero `code` onto [`VendorError`].
pub fn error(code: i64, message: &str) -> VendorError {
    match code {
        CODE_PARAMETER => VendorError::invalid(
            code.to_string(),
            message.to_owned(),
            field_from_message(message).map(str::to_owned),
        ),
        CODE_SPACES => VendorError::invalid(code.to_string(), message.to_owned(), None),
        CODE_UNDERAGE => VendorError::Refused {
            code: code.to_string(),
            message: message.to_owned(),
            reason: FailureReason::Underage,
            field: Some("idNo".to_owned()),
        },
        _ => VendorError::api(code.to_string(), message.to_owned(), None),
    }
}

/// The failed result a create error decides, for codes about the person or the account
/// (30503059 underage, 30503107 balance); `None` for errors of the request or transport.
pub fn failure_of(error: &VendorError) -> Option<VerificationResult> {
    let (VendorError::Api { code, message, .. } | VendorError::Refused { code, message, .. }) =
        error
    else {
        return None;
    };
    let reason = match code.parse::<i64>().ok()? {
        CODE_UNDERAGE => FailureReason::Underage,
        CODE_BALANCE => FailureReason::AccountError,
        _ => return None,
    };
    Some(VerificationResult {
        passed: false,
        reason: Some(reason),
        scores: Scores::default(),
        vendor_code: Some(code.clone()),
        vendor_message: Some(message.clone()),
        confirmed_by: ConfirmedBy::VendorQuery,
        risk_signals: Vec::new(),
    })
}

/// The code and message every answer carries.
#[derive(Deserialize)]
struct Envelope {
    #[serde(deserialize_with = "wire::i64_or_string")]
    code: i64,
    #[serde(default)]
    message: String,
}

/// OEMCloud's error shape (for [`crate::http::exchange`]): a non-zero `code` in the answer, by
/// [`error`]; a non-2xx status is the gateway's refusal, named by `X-Ca-Error-Message`.
pub(crate) fn error_body(reply: &Reply) -> Option<VendorError> {
    if !reply.status.is_success() {
        let code = reply.status.as_u16().to_string();
        let message = reply
            .header("x-ca-error-message")
            .map_or_else(|| reply.status.to_string(), str::to_owned);
        return Some(match reply.status.as_u16() {
            401 | 403 => VendorError::Unauthorized { code, message },
            _ => {
                let field = message.contains("Nonce").then(|| NONCE_HEADER.to_owned());
                VendorError::invalid(code, message, field)
            }
        });
    }
    let answer: Envelope = reply.json().ok()?;
    (answer.code != 0).then(|| error(answer.code, &answer.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_error_code_maps() {
        let parameter_messages = [
            ("参数错误: 人脸认证方式传参错误", "faceauthMode"),
            ("参数错误: faceauthMode不能为空", "faceauthMode"),
            ("参数错误: name字段不能为空", "name"),
            ("参数错误: idNo字段不能为空", "idNo"),
            ("参数错误: callbackUrl字段不能为空", "callbackUrl"),
            ("参数错误: 请输入正确的身份证号码", "idNo"),
        ];
        for (message, field) in parameter_messages {
            match error(CODE_PARAMETER, message) {
                VendorError::InvalidRequest {
                    field: Some(got),
                    code,
                    ..
                } => {
                    assert_eq!(got, field, "{message}");
                    assert_eq!(code, "30500101");
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            error(CODE_SPACES, "格式校验不通过, 请检查填入信息是否有多余空格"),
            VendorError::InvalidRequest { field: None, .. }
        ));
        for code in [CODE_GENERIC, CODE_BALANCE] {
            assert!(matches!(error(code, "x"), VendorError::Api { .. }));
        }
        // Under 14 is the person's refusal, not a vendor failure: the merchant must not retry.
        match error(CODE_UNDERAGE, "未满14周岁") {
            VendorError::Refused { reason, field, .. } => {
                assert_eq!(reason, FailureReason::Underage);
                assert_eq!(field.as_deref(), Some("idNo"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(reason(CODE_UNDERAGE), FailureReason::Underage);
        assert_eq!(reason(CODE_BALANCE), FailureReason::AccountError);
        assert_eq!(reason(CODE_SPACES), FailureReason::VendorError);
        assert_eq!(reason(CODE_PARAMETER), FailureReason::VendorError);
        assert_eq!(reason(CODE_GENERIC), FailureReason::VendorError);
        assert_eq!(ERROR_CODES.len(), 5);
        let underage = failure_of(&error(CODE_UNDERAGE, "未满14周岁")).unwrap();
        assert_eq!(underage.reason, Some(FailureReason::Underage));
        assert!(failure_of(&error(CODE_GENERIC, "x")).is_none());
    }
}
