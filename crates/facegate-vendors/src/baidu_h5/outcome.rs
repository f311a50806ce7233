//! From Baidu's answers to facegate's [`VerificationResult`]. `success: true` only says a call
//! worked: the verdict comes from the result fields (detail's verify_result and liveness
//! score, getall's is_verify_passed, score and threshold).

use facegate_types::{ConfirmedBy, FailureReason, Scores, VerificationResult};

use super::codes;
use super::types::{DetailResult, GetAllResult, VerifyAttempt};

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
    let reason = codes::reason(code, message);
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
    }
}
