//! What Baidu's answers mean: every code the H5 flow can answer, onto facegate's
//! [`FailureReason`]; the error shape inside its 200 answers (`error_code` / `error_msg`,
//! `success`), onto [`VendorError`]; and the verdict from the result fields.
//!
//! From the seed (001): 0 success, 18 "openapi limit" (the paid 人脸实名认证V4 / 人脸对比V4
//! interfaces have no quota: 常见问题 2), "Token无效或者已过期" (常见问题 1; the seed gives no
//! number, so it is recognised by its message), risk_level 1/2 (a security risk), and the
//! attempt message 身份证姓名不匹配. From VENDORS.md and Baidu's general error-code page
//! (cloud.baidu.com/doc/FACE/s/5k37c1ujz): 4, 6, 17, 19, 100, 110, 111. An attempt's `code` is
//! the backend face interface's: the face-verification codes below come from the same page
//! (beyond the seed, they are what getall's `code` and detail's `error_code` carry).
//!
//! `success: true` only says a call worked: the verdict comes from the result fields (detail's
//! verify_result and liveness score, getall's is_verify_passed, score and threshold).

use facegate_types::{ConfirmedBy, FailureReason, Scores, VerificationResult};

use super::types::{Answer, DetailResult, GetAllResult, TokenAnswer, VerifyAttempt};
use crate::http::Reply;
use crate::VendorError;

/// What a code is about, which decides how a client treats it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeKind {
    /// The access token is bad: refresh once and retry once (110, 111).
    StaleAccessToken,
    /// The API key, the token parameter or the app's permissions.
    Credentials,
    /// A quota or rate limit; 4 passes with time, the others need the account fixed.
    Quota,
    /// The person's verification failed for this reason.
    Verification,
}

/// One documented code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    pub code: &'static str,
    pub message: &'static str,
    pub reason: FailureReason,
    pub kind: CodeKind,
}

const fn code(
    code: &'static str,
    message: &'static str,
    reason: FailureReason,
    kind: CodeKind,
) -> Code {
    Code {
        code,
        message,
        reason,
        kind,
    }
}

use CodeKind::{Credentials, Quota, StaleAccessToken, Verification};
use FailureReason::{
    AccountError, CaptureFailed, IdentityMismatch, LivenessFailed, VendorError as Other,
};

/// The table. Messages are the vendor's.
pub const CODES: &[Code] = &[
    code("4", "Open api request limit reached", AccountError, Quota),
    code(
        "6",
        "no permission to access data",
        AccountError,
        Credentials,
    ),
    code(
        "17",
        "Open api daily request limit reached",
        AccountError,
        Quota,
    ),
    code(
        "18",
        "Open api qps request limit reached",
        AccountError,
        Quota,
    ),
    code(
        "19",
        "Open api total request limit reached",
        AccountError,
        Quota,
    ),
    code("100", "Invalid parameter", AccountError, Credentials),
    code(
        "110",
        "Access token invalid or no longer valid",
        AccountError,
        StaleAccessToken,
    ),
    code(
        "111",
        "Access token expired",
        AccountError,
        StaleAccessToken,
    ),
    code("222202", "pic not has face", CaptureFailed, Verification),
    code("222350", "公安网图片不存在或质量过低", Other, Verification),
    code(
        "222351",
        "身份证号与姓名不匹配或该身份证号不存在",
        IdentityMismatch,
        Verification,
    ),
    code(
        "222354",
        "公安库里不存在此身份证号",
        IdentityMismatch,
        Verification,
    ),
    code(
        "222355",
        "身份证号码正确,公安库里没有对应的照片",
        Other,
        Verification,
    ),
    code(
        "222356",
        "验证的人脸图片质量不符合要求",
        CaptureFailed,
        Verification,
    ),
    code(
        "222360",
        "身份证号码或名字非法",
        IdentityMismatch,
        Verification,
    ),
    code("223113", "人脸有被遮挡", CaptureFailed, Verification),
    code("223114", "人脸模糊", CaptureFailed, Verification),
    code("223115", "人脸光照不好", CaptureFailed, Verification),
    code("223116", "人脸不完整", CaptureFailed, Verification),
    code("223120", "活体检测未通过", LivenessFailed, Verification),
];

/// The message of the verify_token error (常见问题 1): a token unknown, expired, used up, not
/// yet verified, or past its 3 days of queries.
pub const VERIFY_TOKEN_INVALID_MESSAGE: &str = "Token无效或者已过期";

/// The documented entry for `code`, if any.
pub fn lookup(code: &str) -> Option<&'static Code> {
    let code = code.trim();
    CODES.iter().find(|entry| entry.code == code)
}

/// Whether an error answer is the verify_token one, whatever its number.
pub fn is_verify_token_invalid(message: &str) -> bool {
    message.contains(VERIFY_TOKEN_INVALID_MESSAGE)
        || (message.contains("Token") && message.contains("过期"))
}

/// The reason for a code and its message. Unlisted codes fall back on the message's words
/// (the seed's own example is 身份证姓名不匹配), then on `vendor_error`.
pub fn reason(code: &str, message: &str) -> FailureReason {
    if let Some(entry) = lookup(code) {
        return entry.reason;
    }
    if message.contains("不匹配") || message.contains("不存在") {
        IdentityMismatch
    } else if message.contains("活体") {
        LivenessFailed
    } else if message.contains("摄像头") || message.contains("质量") || message.contains("遮挡")
    {
        CaptureFailed
    } else {
        Other
    }
}

// ---------------------------------------------------------------------------------------------
// Error answers
// ---------------------------------------------------------------------------------------------

/// An error answer as the vendor gave it: a non-empty, non-zero `error_code`, or `success`
/// not true.
#[derive(Clone, Debug)]
pub(crate) struct ErrorAnswer {
    pub code: String,
    pub message: String,
    pub log_id: Option<String>,
}

impl ErrorAnswer {
    /// The error answer of a faceprint answer, if it is one.
    pub(crate) fn of<T>(answer: &Answer<T>) -> Option<Self> {
        let code = answer
            .error_code
            .clone()
            .filter(|code| !code.trim().is_empty() && code.trim() != "0");
        let log_id = answer.log_id.clone();
        match code {
            Some(code) => Some(Self {
                code,
                message: answer.error_msg.clone().unwrap_or_default(),
                log_id,
            }),
            None if answer.success != Some(true) => Some(Self {
                code: String::new(),
                message: answer
                    .error_msg
                    .clone()
                    .unwrap_or_else(|| "success is not true and no error code was given".into()),
                log_id,
            }),
            None => None,
        }
    }

    /// The error a caller sees for this answer.
    pub(crate) fn into_vendor_error(self) -> VendorError {
        let Self {
            code,
            message,
            log_id,
        } = self;
        if is_verify_token_invalid(&message) {
            return VendorError::invalid(code, message, Some("verify_token".into()));
        }
        match lookup(&code).map(|entry| entry.kind) {
            Some(CodeKind::StaleAccessToken | CodeKind::Credentials) => {
                VendorError::Unauthorized { code, message }
            }
            Some(CodeKind::Quota) if code == "4" => VendorError::RateLimited {
                code,
                retry_after: None,
            },
            _ if code.starts_with("2220") => {
                // Baidu's parameter errors name the field: `param[image] format error`.
                let field = message
                    .split_once("param[")
                    .and_then(|(_, rest)| rest.split_once(']'))
                    .map(|(field, _)| field.to_owned());
                VendorError::invalid(code, message, field)
            }
            // A verification code outside a result query refuses what the call was given:
            // the identity (idcard/submit) or the reference face (uploadMatchImage).
            Some(CodeKind::Verification) => VendorError::Refused {
                reason: lookup(&code).map_or(FailureReason::VendorError, |entry| entry.reason),
                code,
                message,
                field: None,
            },
            _ => VendorError::api(code, message, log_id),
        }
    }

    /// Whether result/detail's error answer is the verification's outcome rather than an
    /// error of the call: the verify_token one (no finished verification yet), or a
    /// verification code, documented or not (but not a parameter error, 2220xx). A stale
    /// access token never is: it is refreshed.
    pub(crate) fn is_detail_outcome(&self) -> bool {
        let kind = lookup(&self.code).map(|entry| entry.kind);
        kind != Some(CodeKind::StaleAccessToken)
            && (is_verify_token_invalid(&self.message)
                || (kind.is_none_or(|kind| kind == CodeKind::Verification)
                    && !self.code.is_empty()
                    && !self.code.starts_with("2220")))
    }

    /// The outcome result/detail's error answer reports (see [`Self::is_detail_outcome`]).
    pub(crate) fn into_detail_outcome(self) -> DetailOutcome {
        if is_verify_token_invalid(&self.message) {
            DetailOutcome::NotVerified {
                code: self.code,
                message: self.message,
            }
        } else {
            DetailOutcome::Failed {
                code: self.code,
                message: self.message,
                log_id: self.log_id,
            }
        }
    }
}

fn error_answer(reply: &Reply) -> Option<ErrorAnswer> {
    let answer: Answer<serde::de::IgnoredAny> = reply.json().ok()?;
    ErrorAnswer::of(&answer)
}

/// Baidu's error shape for the faceprint calls (for [`crate::http::exchange`]): the error
/// answer inside its 200.
pub(crate) fn error_body(reply: &Reply) -> Option<VendorError> {
    error_answer(reply).map(ErrorAnswer::into_vendor_error)
}

/// result/detail's: the error answers that are not the verification's outcome.
pub(crate) fn detail_error_body(reply: &Reply) -> Option<VendorError> {
    error_answer(reply)
        .filter(|error| !error.is_detail_outcome())
        .map(ErrorAnswer::into_vendor_error)
}

/// The token endpoint's: `error` / `error_description` without an access token
/// (`invalid_client` is the credentials').
pub(crate) fn token_error_body(reply: &Reply) -> Option<VendorError> {
    let answer: TokenAnswer = reply.json().ok()?;
    if answer
        .access_token
        .as_ref()
        .is_some_and(|token| !token.expose().is_empty())
    {
        return None;
    }
    let code = answer.error?;
    let message = answer.error_description.unwrap_or_default();
    Some(if code == "invalid_client" {
        VendorError::Unauthorized { code, message }
    } else {
        VendorError::invalid(code, message, None)
    })
}

/// Whether an error is the stale access token's (110, 111): refreshed once, the call retried
/// once.
pub(crate) fn is_stale(error: &VendorError) -> bool {
    error
        .vendor_code()
        .and_then(lookup)
        .is_some_and(|entry| entry.kind == CodeKind::StaleAccessToken)
}

/// A [`VendorError::Refused`] without a field names `field`: the one parameter of the call
/// that the person's refusal is about.
pub(crate) fn refused_field(error: VendorError, field: &str) -> VendorError {
    match error {
        VendorError::Refused {
            code,
            message,
            reason,
            field: None,
        } => VendorError::Refused {
            code,
            message,
            reason,
            field: Some(field.to_owned()),
        },
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------------------------

/// What result/detail said about a verify_token.
#[derive(Clone, Debug, PartialEq)]
pub enum DetailOutcome {
    /// `success: true` with a result: detail only answers so for a passed verification, but
    /// the fields still decide (see [`DetailOutcome::verification_result`]).
    Answered {
        result: Box<DetailResult>,
        log_id: Option<String>,
    },
    /// The verification failed with this code (认证失败返回错误码).
    Failed {
        code: String,
        message: String,
        log_id: Option<String>,
    },
    /// Token无效或者已过期: no finished verification on this token (the user has not finished,
    /// the token expired unused, or its 3 days of queries are over).
    NotVerified { code: String, message: String },
}

impl GetAllResult {
    /// The newest attempt (highest `order`, else the last listed).
    pub fn latest_attempt(&self) -> Option<&VerifyAttempt> {
        self.verify_result
            .iter()
            .enumerate()
            .max_by_key(|(index, attempt)| (attempt.order.unwrap_or(0), *index))
            .map(|(_, attempt)| attempt)
    }

    /// The verdict from getall alone: the newest attempt's, or `None` before any attempt.
    pub fn verification_result(&self) -> Option<VerificationResult> {
        self.latest_attempt().map(attempt_result)
    }
}

fn attempt_scores(attempt: &VerifyAttempt) -> Scores {
    let detail = attempt.verify_detail.as_ref();
    Scores {
        similarity: detail.and_then(|d| d.score),
        // getall's liveness_score is a reserved field that reads 0 (seed): 0 means unknown.
        liveness: detail.and_then(|d| d.liveness_score).filter(|l| *l > 0.0),
        threshold: detail.and_then(|d| d.threshold),
    }
}

fn below_threshold(scores: &Scores) -> bool {
    matches!(
        (scores.similarity, scores.threshold),
        (Some(score), Some(threshold)) if score > 0.0 && score < threshold
    )
}

/// Why an attempt (or a detail error) failed: a score under the threshold is not the same
/// person whatever the code; then the code table; a risk-control hit is an attack.
fn failure_reason(code: &str, message: &str, attempt: Option<&VerifyAttempt>) -> FailureReason {
    if attempt.is_some_and(|a| below_threshold(&attempt_scores(a))) {
        return FailureReason::NotSamePerson;
    }
    let reason = reason(code, message);
    let risky = attempt
        .and_then(|a| a.verify_detail.as_ref())
        .is_some_and(|d| d.is_risky());
    if reason == FailureReason::VendorError && risky {
        FailureReason::LivenessFailed
    } else {
        reason
    }
}

/// One getall attempt as a result.
pub fn attempt_result(attempt: &VerifyAttempt) -> VerificationResult {
    let scores = attempt_scores(attempt);
    let code = attempt.code.clone().unwrap_or_default();
    let message = attempt.message.clone().unwrap_or_default();
    let passed = attempt.is_verify_passed && code.trim() == "0" && !below_threshold(&scores);
    VerificationResult {
        passed,
        reason: (!passed).then(|| failure_reason(&code, &message, Some(attempt))),
        scores,
        vendor_code: Some(code).filter(|c| !c.is_empty()),
        vendor_message: Some(message).filter(|m| !m.is_empty()),
        confirmed_by: ConfirmedBy::VendorQuery,
        risk_signals: Vec::new(),
    }
}

impl DetailOutcome {
    /// The verdict, with getall's threshold and attempt when given; `None` while not verified.
    pub fn verification_result(&self, all: Option<&GetAllResult>) -> Option<VerificationResult> {
        let attempt = all.and_then(GetAllResult::latest_attempt);
        match self {
            Self::NotVerified { .. } => None,
            Self::Failed { code, message, .. } => Some(VerificationResult {
                passed: false,
                reason: Some(failure_reason(code, message, attempt)),
                scores: attempt.map(attempt_scores).unwrap_or_default(),
                vendor_code: Some(code.clone()),
                vendor_message: Some(message.clone()),
                confirmed_by: ConfirmedBy::VendorQuery,
                risk_signals: Vec::new(),
            }),
            Self::Answered { result, .. } => Some(answered(result, attempt)),
        }
    }
}

fn answered(result: &DetailResult, attempt: Option<&VerifyAttempt>) -> VerificationResult {
    let verify = result.verify_result.as_ref();
    let scores = Scores {
        similarity: verify.and_then(|v| v.score),
        liveness: verify.and_then(|v| v.liveness_score),
        threshold: attempt
            .and_then(|a| a.verify_detail.as_ref())
            .and_then(|d| d.threshold),
    };
    let (code, message) = match attempt {
        Some(a) => (
            a.code.clone().unwrap_or_else(|| "0".into()),
            a.message.clone().filter(|m| !m.is_empty()),
        ),
        None => ("0".to_owned(), None),
    };
    // detail fills verify_result only for a pass, and its liveness score reads 0 when
    // liveness failed (seed: 活体验证通过时返回活体分数,不通过则返回0).
    let reason = if verify.is_none() {
        Some(FailureReason::VendorError)
    } else if scores.liveness.is_some_and(|l| l <= 0.0) {
        Some(FailureReason::LivenessFailed)
    } else if below_threshold(&scores) {
        Some(FailureReason::NotSamePerson)
    } else {
        None
    };
    VerificationResult {
        passed: reason.is_none(),
        reason,
        scores,
        vendor_code: Some(code),
        vendor_message: message.or_else(|| {
            verify
                .is_none()
                .then(|| "result/detail answered success without verify_result".to_owned())
        }),
        confirmed_by: ConfirmedBy::VendorQuery,
        risk_signals: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_maps_to_one_reason() {
        for (index, entry) in CODES.iter().enumerate() {
            assert!(
                CODES[index + 1..]
                    .iter()
                    .all(|other| other.code != entry.code),
                "{} listed twice",
                entry.code
            );
            assert_eq!(reason(entry.code, ""), entry.reason);
            assert_eq!(lookup(entry.code), Some(entry));
        }
        assert_eq!(reason("18", "openapi limit"), AccountError);
        assert_eq!(reason("223120", ""), LivenessFailed);
        assert_eq!(reason("222351", ""), IdentityMismatch);
        assert_eq!(lookup("110").map(|c| c.kind), Some(StaleAccessToken));
        assert_eq!(lookup("111").map(|c| c.kind), Some(StaleAccessToken));
    }

    #[test]
    fn unlisted_codes_fall_back_on_the_message() {
        assert_eq!(reason("999", "身份证姓名不匹配"), IdentityMismatch);
        assert_eq!(reason("999", "用户拒绝摄像头授权"), CaptureFailed);
        assert_eq!(reason("999", "活体失败"), LivenessFailed);
        assert_eq!(reason("999", "something else"), Other);
        assert!(is_verify_token_invalid("Token无效或者已过期"));
        assert!(!is_verify_token_invalid("Access token expired"));
    }
}
