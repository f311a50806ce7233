//! Every Baidu code the H5 flow can answer, onto facegate's [`FailureReason`].
//!
//! From the seed (001): 0 success, 18 "openapi limit" (the paid 人脸实名认证V4 / 人脸对比V4
//! interfaces have no quota: 常见问题 2), "Token无效或者已过期" (常见问题 1; the seed gives no
//! number, so it is recognised by its message), risk_level 1/2 (a security risk), and the
//! attempt message 身份证姓名不匹配. From VENDORS.md and Baidu's general error-code page
//! (cloud.baidu.com/doc/FACE/s/5k37c1ujz): 4, 6, 17, 19, 100, 110, 111. An attempt's `code` is
//! the backend face interface's: the face-verification codes below come from the same page
//! (beyond the seed, they are what getall's `code` and detail's `error_code` carry).

use facegate_types::FailureReason;

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
