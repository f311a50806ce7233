//! What Cloudauth's answers mean: every documented `SubCode` onto one [`FailureReason`]
//! (the verdict is `Passed`), and the two error shapes onto [`VendorError`]:
//! - the API gateway's body (`{RequestId, HostId, Code, Message, Recommend}`, HTTP 4xx), for
//!   signature, AccessKey, throttling and parameter errors;
//! - the product's envelope (`{RequestId, Code, Message}`, HTTP 200) whose `Code` is not
//!   `"200"`: the InitFaceVerify / DescribeFaceVerify `Code` table.

use facegate_types::{ConfirmedBy, FailureReason, Scores, VerificationResult};
use reqwest::StatusCode;

use super::types::{Answer, DescribeFaceVerifyResult, GatewayError};
use crate::http::Reply;
use crate::VendorError;

/// `SubCode` 200: 认证通过.
pub const SUB_CODE_PASSED: &str = "200";

/// Every documented `(SubCode, 描述, reason)` ("ResultObject.SubCode错误码说明"); `None` is the
/// pass. A SubCode not listed is a [`FailureReason::VendorError`], its code kept.
pub const SUB_CODES: &[(&str, &str, Option<FailureReason>)] = &[
    ("200", "认证通过", None),
    (
        "201",
        "姓名和身份证不一致",
        Some(FailureReason::IdentityMismatch),
    ),
    (
        "202",
        "查询不到身份信息",
        Some(FailureReason::IdentityMismatch),
    ),
    (
        "203",
        "查询不到照片或照片不可用",
        Some(FailureReason::VendorError),
    ),
    ("204", "人脸比对不一致", Some(FailureReason::NotSamePerson)),
    (
        "205",
        "活体检测存在风险",
        Some(FailureReason::LivenessFailed),
    ),
    ("206", "业务策略限制", Some(FailureReason::AccountError)),
    (
        "207",
        "人脸与身份证人脸比对不一致",
        Some(FailureReason::NotSamePerson),
    ),
    ("209", "权威比对源异常", Some(FailureReason::VendorError)),
];

/// The reason and description of a SubCode: `(None, ..)` for 200.
pub fn sub_code(code: &str) -> (Option<FailureReason>, Option<&'static str>) {
    match SUB_CODES.iter().find(|(known, _, _)| *known == code.trim()) {
        Some((_, text, reason)) => (*reason, Some(text)),
        None => (Some(FailureReason::VendorError), None),
    }
}

/// What a `DescribeFaceVerify` answer says about the certification.
#[derive(Clone, Debug, PartialEq)]
pub enum CertifyState {
    /// No `Passed` yet: the user has not finished (the documents do not say what the query
    /// answers before; facegate reads an answer without `Passed` as "not yet").
    Pending,
    /// A verdict, with the `DeviceRisk` tags the same answer carried.
    Final {
        result: VerificationResult,
        device_risk: Vec<String>,
    },
}

impl DescribeFaceVerifyResult {
    /// The verdict: `Passed` `T` is the pass ("判断认证结果请以ResultObject.Passed字段为准");
    /// a failure's reason comes from `SubCode` (exactly one), code and text kept; a `F` with
    /// SubCode 200 (which the documents never show) is a vendor error, not a pass.
    pub fn state(&self) -> CertifyState {
        let Some(passed) = self
            .passed
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        else {
            return CertifyState::Pending;
        };
        let code = self.sub_code.as_deref().unwrap_or("").trim().to_owned();
        let (reason, text) = sub_code(&code);
        let passed = passed == "T";
        let reason = if passed {
            None
        } else {
            Some(reason.unwrap_or(FailureReason::VendorError))
        };
        CertifyState::Final {
            result: VerificationResult {
                passed,
                reason,
                scores: Scores {
                    similarity: self.verify_score(),
                    liveness: None,
                    threshold: None,
                },
                vendor_code: (!code.is_empty()).then_some(code),
                vendor_message: text.map(str::to_owned),
                confirmed_by: ConfirmedBy::VendorQuery,
                risk_signals: self.device_risk_tags(),
            },
            device_risk: self.device_risk_tags(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Cloudauth's error shapes, for [`crate::http::exchange`].
pub(crate) fn error_body(reply: &Reply) -> Option<VendorError> {
    if !reply.status.is_success() {
        let gateway = serde_json::from_slice::<GatewayError>(&reply.body).ok();
        return Some(gateway_error(reply.status, gateway));
    }
    let answer = serde_json::from_slice::<Answer<serde_json::Value>>(&reply.body).ok()?;
    if answer.code == "200" {
        return None;
    }
    Some(product_error(
        &answer.code,
        answer.message.as_deref().unwrap_or(""),
        Some(answer.request_id),
    ))
}

/// The gateway's refusal (HTTP 4xx / 5xx) onto [`VendorError`].
pub fn gateway_error(status: StatusCode, body: Option<GatewayError>) -> VendorError {
    let Some(body) = body else {
        return match status.as_u16() {
            401 | 403 => VendorError::Unauthorized {
                code: status.as_u16().to_string(),
                message: status.canonical_reason().unwrap_or("").to_owned(),
            },
            _ => VendorError::api(
                status.as_u16().to_string(),
                status.canonical_reason().unwrap_or("unknown"),
                None,
            ),
        };
    };
    let message = body.message.clone().unwrap_or_default();
    let code = body.code.clone();
    if code == "SignatureDoesNotMatch"
        || code == "IncompleteSignature"
        || code.starts_with("InvalidAccessKeyId")
        || code.starts_with("InvalidSecurityToken")
        || code.starts_with("Forbidden")
        || code == "SignatureNonceUsed"
        || code.starts_with("InvalidTimeStamp")
    {
        return VendorError::Unauthorized { code, message };
    }
    if code.starts_with("Throttling") || status == StatusCode::TOO_MANY_REQUESTS {
        return VendorError::RateLimited {
            code,
            retry_after: None,
        };
    }
    if code.starts_with("MissingParameter")
        || code.starts_with("InvalidParameter")
        || code.starts_with("Missing")
    {
        // "MissingParameter" / "InvalidParameter.MetaInfo": the part after the dot names it.
        let field = code.split_once('.').map(|(_, field)| field.to_owned());
        return VendorError::invalid(code, message, field);
    }
    VendorError::api(code, message, body.request_id)
}

/// The product's `Code` table (InitFaceVerify / DescribeFaceVerify, HTTP 200).
pub fn product_error(code: &str, message: &str, request_id: Option<String>) -> VendorError {
    let message = if message.is_empty() {
        product_code_text(code).unwrap_or("").to_owned()
    } else {
        message.to_owned()
    };
    match code {
        // 参数不能为空 / 参数非法.
        "400" | "401" => VendorError::invalid(code, message, None),
        // 应用配置不存在 / 认证场景配置不存在.
        "402" | "404" => VendorError::invalid(code, message, Some("SceneId".into())),
        // 未开通服务 / RAM无权限 / 欠费中.
        "410" | "411" | "412" => VendorError::Unauthorized {
            code: code.to_owned(),
            message,
        },
        // The device the MetaInfo describes: 设备类型不支持 / SDK版本不支持 / 系统版本不支持 /
        // 无法使用刷脸服务.
        "414" | "415" | "416" | "417" => {
            VendorError::invalid(code, message, Some("MetaInfo".into()))
        }
        // 刷脸失败次数过多.
        "418" => VendorError::Refused {
            code: code.to_owned(),
            message,
            reason: FailureReason::CaptureFailed,
            field: None,
        },
        "500" => VendorError::Unavailable(format!("Cloudauth answered 500: {message}")),
        _ => VendorError::api(code, message, request_id),
    }
}

/// The documented text of a product `Code`.
pub fn product_code_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "200" => "success",
        "400" => "参数不能为空",
        "401" => "参数非法",
        "402" => "应用配置不存在",
        "404" => "认证场景配置不存在",
        "410" => "未开通服务",
        "411" => "RAM无权限",
        "412" => "欠费中",
        "414" => "设备类型不支持",
        "415" => "SDK版本不支持",
        "416" => "系统版本不支持",
        "417" => "无法使用刷脸服务",
        "418" => "刷脸失败次数过多",
        "500" => "系统错误",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(passed: Option<&str>, sub_code: Option<&str>) -> DescribeFaceVerifyResult {
        DescribeFaceVerifyResult {
            passed: passed.map(str::to_owned),
            sub_code: sub_code.map(str::to_owned),
            identity_info: None,
            device_token: None,
            device_risk: Some("ROOT, VPN,,HOOK".into()),
            material_info: Some(r#"{"verifyScore":91.5}"#.into()),
        }
    }

    #[test]
    fn every_documented_sub_code_maps_to_one_reason() {
        for (code, text, reason) in SUB_CODES {
            let passed = if *code == "200" { "T" } else { "F" };
            let CertifyState::Final {
                result,
                device_risk,
            } = answer(Some(passed), Some(code)).state()
            else {
                panic!("{code} is not final");
            };
            assert_eq!(result.passed, *code == "200", "{code}");
            assert_eq!(result.reason, *reason, "{code}");
            assert_eq!(result.vendor_code.as_deref(), Some(*code));
            assert_eq!(result.vendor_message.as_deref(), Some(*text));
            assert_eq!(result.scores.similarity, Some(91.5));
            assert_eq!(result.confirmed_by, ConfirmedBy::VendorQuery);
            assert_eq!(device_risk, ["ROOT", "VPN", "HOOK"]);
        }
        let families: std::collections::HashSet<_> =
            SUB_CODES.iter().filter_map(|(_, _, r)| *r).collect();
        assert!(families.len() >= 4);
    }

    #[test]
    fn passed_decides_and_nothing_else() {
        assert_eq!(answer(None, None).state(), CertifyState::Pending);
        assert_eq!(answer(Some(""), Some("200")).state(), CertifyState::Pending);
        // F with 200 is never a pass.
        let CertifyState::Final { result, .. } = answer(Some("F"), Some("200")).state() else {
            panic!()
        };
        assert!(!result.passed);
        assert_eq!(result.reason, Some(FailureReason::VendorError));
        // An undocumented SubCode keeps its code.
        let CertifyState::Final { result, .. } = answer(Some("F"), Some("299")).state() else {
            panic!()
        };
        assert_eq!(result.reason, Some(FailureReason::VendorError));
        assert_eq!(result.vendor_code.as_deref(), Some("299"));
    }

    #[test]
    fn error_shapes_map_onto_vendor_errors() {
        let gateway = |code: &str| GatewayError {
            request_id: Some("r".into()),
            host_id: Some("cloudauth.aliyuncs.com".into()),
            code: code.into(),
            message: Some("m".into()),
            recommend: None,
        };
        assert!(matches!(
            gateway_error(StatusCode::BAD_REQUEST, Some(gateway("SignatureDoesNotMatch"))),
            VendorError::Unauthorized { code, .. } if code == "SignatureDoesNotMatch"
        ));
        assert!(matches!(
            gateway_error(
                StatusCode::NOT_FOUND,
                Some(gateway("InvalidAccessKeyId.NotFound"))
            ),
            VendorError::Unauthorized { .. }
        ));
        assert!(matches!(
            gateway_error(StatusCode::BAD_REQUEST, Some(gateway("Throttling.User"))),
            VendorError::RateLimited { .. }
        ));
        assert!(matches!(
            gateway_error(StatusCode::BAD_REQUEST, Some(gateway("InvalidParameter.MetaInfo"))),
            VendorError::InvalidRequest { field: Some(f), .. } if f == "MetaInfo"
        ));
        assert!(matches!(
            product_error("401", "", None),
            VendorError::InvalidRequest { message, .. } if message == "参数非法"
        ));
        assert!(matches!(
            product_error("412", "", None),
            VendorError::Unauthorized { .. }
        ));
        assert!(matches!(
            product_error("414", "", None),
            VendorError::InvalidRequest { field: Some(f), .. } if f == "MetaInfo"
        ));
        assert!(product_error("500", "", None).is_retryable());
    }
}
