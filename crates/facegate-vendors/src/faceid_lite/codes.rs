//! What FaceID's answers mean: every documented `result_code` onto facegate's
//! [`FailureReason`], the verdict from the result fields ([`GetResult::state`]), and the HTTP
//! error shapes (the `{request_id, time_used, error}` body, and the Aliyun gateway's
//! `X-Ca-Error-Message` header) onto [`VendorError`].

use std::time::Duration;

use facegate_types::{ConfirmedBy, FailureReason, Scores, VerificationResult};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;

use super::types::{ErrorAnswer, GetResult, SecurityLevel};
use crate::http::Reply;
use crate::VendorError;

/// `result_code` 1000: the same person.
pub const RESULT_SUCCESS: &str = "1000";
/// `result_code` 9000: the user has not started (or finished) the flow.
pub const RESULT_NOT_STARTED: &str = "9000";

/// Every documented `(result_code, result_message)` and its reason (`None`: passed, for 1000;
/// 9000 is listed with `None` too but means "not yet", see [`ResultState`]).
pub const RESULT_CODES: &[(&str, &str, Option<FailureReason>)] = &[
    ("1000", "SUCCESS", None),
    (
        "2000",
        "PASS_LIVING_NOT_THE_SAME",
        Some(FailureReason::NotSamePerson),
    ),
    (
        "3000",
        "NO_ID_CARD_NUMBER",
        Some(FailureReason::IdentityMismatch),
    ),
    (
        "3000",
        "ID_NUMBER_NAME_NOT_MATCH",
        Some(FailureReason::IdentityMismatch),
    ),
    (
        "3100",
        "IDCARD_PHOTO_FRONTSIDE",
        Some(FailureReason::IdDocumentUnreadable),
    ),
    (
        "3100",
        "IDCARD_BACKSIDE_BLURRED",
        Some(FailureReason::IdDocumentUnreadable),
    ),
    (
        "3100",
        "NO_FACE_FOUND_IDCARD",
        Some(FailureReason::IdDocumentUnreadable),
    ),
    (
        "3100",
        "IDCARD_PHOTO_NOTFRONTSIDE",
        Some(FailureReason::IdDocumentUnreadable),
    ),
    (
        "3100",
        "IDCARD_PHOTO_NOTBACKSIDE",
        Some(FailureReason::IdDocumentUnreadable),
    ),
    (
        "3200",
        "FAIL_OCR_FAKE_IDCARD",
        Some(FailureReason::IdDocumentFake),
    ),
    (
        "4100",
        "FAIL_LIVING_FACE_ATTACK",
        Some(FailureReason::LivenessFailed),
    ),
    (
        "4100",
        "CHANGE_FACE_ATTACK",
        Some(FailureReason::LivenessFailed),
    ),
    ("4200", "NO_FACE_FOUND", Some(FailureReason::CaptureFailed)),
    (
        "4200",
        "FACE_QUALITY_TOO_LOW",
        Some(FailureReason::CaptureFailed),
    ),
    (
        "4200",
        "INVALID_VIDEO_DURATION",
        Some(FailureReason::CaptureFailed),
    ),
    (
        "4200",
        "VIDEO_TOO_LARGE",
        Some(FailureReason::CaptureFailed),
    ),
    ("4200", "SR_ERROR", Some(FailureReason::CaptureFailed)),
    (
        "4200",
        "NOT_SYNCHRONIZED",
        Some(FailureReason::CaptureFailed),
    ),
    ("4200", "NO_AUDIO", Some(FailureReason::CaptureFailed)),
    (
        "4200",
        "VIDEO_FORMAT_UNSUPPORTED",
        Some(FailureReason::CaptureFailed),
    ),
    (
        "4200",
        "LIP_VOICE_NOT_SYNC",
        Some(FailureReason::CaptureFailed),
    ),
    // Listed under 4200 by the seed although its text reads "usable"; 4200 is a capture failure.
    ("4200", "VIDEO_OK", Some(FailureReason::CaptureFailed)),
    (
        "4200",
        "VIDEO_MANY_TIMES",
        Some(FailureReason::CaptureFailed),
    ),
    (
        "4200",
        "VIDEO_INTERNAL_ERROR",
        Some(FailureReason::CaptureFailed),
    ),
    (
        "5000",
        "NON_ENTERPRISE_CERTIFICATION",
        Some(FailureReason::AccountError),
    ),
    (
        "5000",
        "BALANCE_NOT_ENOUGH",
        Some(FailureReason::AccountError),
    ),
    (
        "5000",
        "ACCOUNT_DISABLED",
        Some(FailureReason::AccountError),
    ),
    ("6000", "USER_CANCEL", Some(FailureReason::UserCanceled)),
    ("9000", "LIVING_NOT_START", None),
];

/// The reason for a `result_code` (the code decides; messages refine only the text). `None` for
/// 1000 and 9000; an undocumented code is a [`FailureReason::VendorError`].
pub fn reason(result_code: &str) -> Option<FailureReason> {
    match result_code.trim() {
        RESULT_SUCCESS | RESULT_NOT_STARTED => None,
        code => Some(
            RESULT_CODES
                .iter()
                .find(|(known, _, _)| *known == code)
                .and_then(|(_, _, reason)| *reason)
                .unwrap_or(FailureReason::VendorError),
        ),
    }
}

/// What a `get_result` answer says about the session.
#[derive(Clone, Debug, PartialEq)]
pub enum ResultState {
    /// 9000 `LIVING_NOT_START`: the user has not finished; ask again later.
    Pending,
    /// A verdict.
    Final(VerificationResult),
}

impl GetResult {
    /// Decides the session from the result fields: passed only for 1000 with every comparison
    /// present at or above the threshold `security_level` selects.
    pub fn state(&self, security_level: SecurityLevel) -> ResultState {
        let code = self.result_code.trim();
        if code == RESULT_NOT_STARTED {
            return ResultState::Pending;
        }
        // The weakest comparison decides and is the one reported.
        let weakest = self.verification.as_ref().and_then(|verification| {
            verification
                .comparisons()
                .map(|(_, score)| {
                    (
                        score.confidence,
                        security_level.threshold(&score.thresholds),
                    )
                })
                .min_by(|a, b| a.0.total_cmp(&b.0))
        });
        let scores = Scores {
            similarity: weakest.map(|(confidence, _)| confidence),
            liveness: None,
            threshold: weakest.and_then(|(_, threshold)| threshold),
        };
        let below_threshold =
            matches!(weakest, Some((confidence, Some(threshold))) if confidence < threshold);
        let reason = match reason(code) {
            None if below_threshold => Some(FailureReason::NotSamePerson),
            None => None,
            Some(reason) => Some(reason),
        };
        ResultState::Final(VerificationResult {
            passed: reason.is_none(),
            reason,
            scores,
            vendor_code: Some(code.to_owned()),
            vendor_message: Some(self.result_message.clone()),
            confirmed_by: ConfirmedBy::VendorQuery,
            risk_signals: Vec::new(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP errors
// ---------------------------------------------------------------------------------------------

/// FaceID's error shape (for [`crate::http::exchange`]): any answer that is not a 2xx, or that
/// carries the `{error}` body, by [`error_from`].
pub(crate) fn error_body(reply: &Reply) -> Option<VendorError> {
    let answer = serde_json::from_slice::<ErrorAnswer>(&reply.body).ok();
    if reply.status.is_success() && answer.is_none() {
        return None;
    }
    Some(error_from(reply.status, &reply.headers, answer))
}

/// Maps an error answer onto [`VendorError`] (public for callers that read bodies themselves).
pub fn error_from(
    status: StatusCode,
    headers: &HeaderMap,
    answer: Option<ErrorAnswer>,
) -> VendorError {
    // The Aliyun gateway in front answers its own auth failures without a JSON body, naming
    // them in X-Ca-Error-Message.
    let gateway = headers
        .get("x-ca-error-message")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let request_id = answer.as_ref().and_then(|answer| answer.request_id.clone());
    let error = answer
        .map(|answer| answer.error)
        .or(gateway)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("unknown").to_owned());
    let (code, detail) = match error.split_once(':') {
        Some((code, detail)) => (code.trim().to_owned(), Some(detail.trim().to_owned())),
        None => (error.trim().to_owned(), None),
    };
    match status.as_u16() {
        400 => VendorError::invalid(code, error.clone(), detail.filter(|key| !key.is_empty())),
        401 | 403 => VendorError::Unauthorized {
            code,
            message: detail.unwrap_or(error),
        },
        413 => VendorError::invalid("REQUEST_ENTITY_TOO_LARGE", error, None),
        429 => VendorError::RateLimited {
            code,
            retry_after: headers
                .get(RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.parse().ok())
                .map(Duration::from_secs),
        },
        500..=599 => VendorError::Unavailable(format!("{error} (HTTP {})", status.as_u16())),
        _ => VendorError::api(code, error, request_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_result_code_maps() {
        let expected = [
            ("1000", None),
            ("2000", Some(FailureReason::NotSamePerson)),
            ("3000", Some(FailureReason::IdentityMismatch)),
            ("3100", Some(FailureReason::IdDocumentUnreadable)),
            ("3200", Some(FailureReason::IdDocumentFake)),
            ("4100", Some(FailureReason::LivenessFailed)),
            ("4200", Some(FailureReason::CaptureFailed)),
            ("5000", Some(FailureReason::AccountError)),
            ("6000", Some(FailureReason::UserCanceled)),
            ("9000", None),
            ("7777", Some(FailureReason::VendorError)),
        ];
        for (code, reason_expected) in expected {
            assert_eq!(reason(code), reason_expected, "{code}");
        }
        assert_eq!(RESULT_CODES.len(), 29);
        for (code, message, _) in RESULT_CODES {
            let answer: GetResult = serde_json::from_value(serde_json::json!({
                "request_id": "r", "time_used": 1, "result_code": code, "result_message": message
            }))
            .unwrap();
            match answer.state(SecurityLevel::Regular) {
                ResultState::Pending => assert_eq!(*code, "9000"),
                ResultState::Final(result) => {
                    assert_eq!(result.passed, *code == "1000");
                    assert_eq!(result.reason, reason(code));
                    assert_eq!(result.vendor_message.as_deref(), Some(*message));
                    assert_eq!(result.confirmed_by, ConfirmedBy::VendorQuery);
                }
            }
        }
    }

    #[test]
    fn http_errors_map_onto_vendor_errors() {
        let answer = |error: &str| {
            Some(ErrorAnswer {
                request_id: Some("r".into()),
                time_used: Some(1),
                error: error.into(),
            })
        };
        let none = HeaderMap::new();
        assert!(matches!(
            error_from(StatusCode::BAD_REQUEST, &none, answer("BAD_ARGUMENTS:security_level")),
            VendorError::InvalidRequest { field: Some(f), .. } if f == "security_level"
        ));
        assert!(matches!(
            error_from(StatusCode::FORBIDDEN, &none, answer("AUTHORIZATION_ERROR:BALANCE_NOT_ENOUGH")),
            VendorError::Unauthorized { code, message } if code == "AUTHORIZATION_ERROR" && message == "BALANCE_NOT_ENOUGH"
        ));
        assert!(matches!(
            error_from(StatusCode::PAYLOAD_TOO_LARGE, &none, None),
            VendorError::InvalidRequest { code, .. } if code == "REQUEST_ENTITY_TOO_LARGE"
        ));
        let mut retry = HeaderMap::new();
        retry.insert(RETRY_AFTER, "2".parse().unwrap());
        assert!(matches!(
            error_from(StatusCode::TOO_MANY_REQUESTS, &retry, answer("CONCURRENCY_LIMIT_EXCEEDED")),
            VendorError::RateLimited { code, retry_after: Some(d) } if code == "CONCURRENCY_LIMIT_EXCEEDED" && d == Duration::from_secs(2)
        ));
        let internal = error_from(
            StatusCode::INTERNAL_SERVER_ERROR,
            &none,
            answer("INTERNAL_ERROR"),
        );
        assert!(internal.is_retryable());
    }
}
