//! What face verification 2.0's answers mean: `verify_ret` onto the session's verdict
//! ([`VERIFY_RET_CODES`], [`verdict`]), [`cert_hash`], and the errcodes of getverifyid.

use base64::Engine;
use facegate_types::{ConfirmedBy, FailureReason, Scores, VerificationResult};
use sha2::{Digest, Sha256};

use super::types::VerifyInfo;
use crate::http::Reply;
use crate::wechat_mini::codes as wechat;
use crate::VendorError;

pub use crate::wechat_mini::error;

/// `cert_type` of a mainland ID card (the only type facegate's subjects are).
pub const CERT_TYPE_ID_CARD: &str = "IDENTITY_CARD";

/// `verify_ret` of a passed check: the only pass.
pub const VERIFY_RET_PASS: i64 = 10000;

/// What one `verify_ret` means for the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Meaning {
    /// 10000: the person passed.
    Pass,
    /// The check has not finished: the session stays open.
    NotFinished,
    /// The check ended without a pass, for this reason.
    Fail(FailureReason),
}

use FailureReason::{
    AccountError, CaptureFailed, IdentityMismatch, LivenessFailed, NotSamePerson, UserCanceled,
    VendorError as Vendor,
};
use Meaning::{Fail, NotFinished, Pass};

/// Every documented `verify_ret` (queryverifyinfo's enum), WeChat's text, and what it means.
/// The user cancelling is `user_canceled`; the device, its permissions, the network on the
/// phone and time-outs are `capture_failed`; the ID number `identity_mismatch`; the face
/// comparison `not_same_person`; the face-feature (liveness) check `liveness_failed`; the
/// appid's permission `account_error`; WeChat's own failures `vendor_error`.
pub const VERIFY_RET_CODES: &[(i64, &str, Meaning)] = &[
    (10000, "识别成功", Pass),
    (10001, "参数错误", Fail(Vendor)),
    (10002, "人脸特征检测失败", Fail(LivenessFailed)),
    (10003, "身份证号不匹配", Fail(IdentityMismatch)),
    (10004, "比对人脸信息不匹配", Fail(NotSamePerson)),
    (10005, "正在检测中", NotFinished),
    (10006, "appid没有权限", Fail(AccountError)),
    (10300, "未完成核身", NotFinished),
    (90001, "设备不支持人脸检测", Fail(CaptureFailed)),
    (90002, "用户在教程页取消", Fail(UserCanceled)),
    (90003, "用户在初始化时取消", Fail(UserCanceled)),
    (90004, "用户在识别过程中取消", Fail(UserCanceled)),
    (90005, "用户在上传时取消", Fail(UserCanceled)),
    (90006, "用户在释放时取消", Fail(UserCanceled)),
    (90007, "网络错误", Fail(CaptureFailed)),
    (90008, "相机权限未授权", Fail(CaptureFailed)),
    (90009, "麦克风权限未授权", Fail(CaptureFailed)),
    (90010, "相机和麦克风权限都未授权", Fail(CaptureFailed)),
    (90011, "人脸数据采集无效", Fail(CaptureFailed)),
    (90012, "人脸数据上传失败", Fail(CaptureFailed)),
    (90013, "SDK初始化库失败", Fail(CaptureFailed)),
    (90014, "上传ID未初始化", Fail(CaptureFailed)),
    (90015, "获取人脸配置失败", Fail(CaptureFailed)),
    (90016, "预览错误", Fail(CaptureFailed)),
    (90017, "识别过程超时", Fail(CaptureFailed)),
    (90018, "系统错误", Fail(Vendor)),
    (90019, "CDN上传添加队列失败", Fail(CaptureFailed)),
    (90020, "CDN上传失败", Fail(CaptureFailed)),
    (90021, "CDN启动错误", Fail(CaptureFailed)),
    (90022, "获取前置页信息失败", Fail(CaptureFailed)),
    (90023, "人脸追踪失败", Fail(CaptureFailed)),
    (90024, "用户在确认页退出", Fail(UserCanceled)),
    (90104, "获取人脸配置失败", Fail(CaptureFailed)),
    (90105, "获取确认数据失败", Fail(CaptureFailed)),
    (90106, "相机失败", Fail(CaptureFailed)),
    (90107, "用户检测超时", Fail(CaptureFailed)),
    (90109, "设备不支持人脸检测", Fail(CaptureFailed)),
    (90110, "获取协议信息失败", Fail(CaptureFailed)),
    (90199, "用户系统错误", Fail(CaptureFailed)),
];

/// What `verify_ret` means; an undocumented code fails with `vendor_error`.
pub fn meaning(verify_ret: i64) -> Meaning {
    VERIFY_RET_CODES
        .iter()
        .find(|(code, _, _)| *code == verify_ret)
        .map(|(_, _, meaning)| *meaning)
        .unwrap_or(Fail(Vendor))
}

/// WeChat's text for a documented `verify_ret`.
pub fn message(verify_ret: i64) -> Option<&'static str> {
    VERIFY_RET_CODES
        .iter()
        .find(|(code, _, _)| *code == verify_ret)
        .map(|(_, text, _)| *text)
}

/// The session's verdict from a queryverifyinfo answer (errcode 0: errcodes are errors of the
/// call). `None` while the check has not finished (10005, 10300), and for an answer without
/// `verify_ret`, which says nothing. The code and WeChat's text (or errmsg for an
/// undocumented code) are kept.
pub fn verdict(info: &VerifyInfo) -> Option<VerificationResult> {
    let verify_ret = info.verify_ret?;
    let reason = match meaning(verify_ret) {
        NotFinished => return None,
        Pass => None,
        Fail(reason) => Some(reason),
    };
    Some(VerificationResult {
        risk_signals: Vec::new(),
        passed: reason.is_none(),
        reason,
        scores: Scores::default(),
        vendor_code: Some(verify_ret.to_string()),
        vendor_message: Some(
            message(verify_ret)
                .map(str::to_owned)
                .unwrap_or_else(|| info.errmsg.clone()),
        ),
        confirmed_by: ConfirmedBy::VendorQuery,
    })
}

/// `cert_hash` (see the module's VENDORS notes): lower-case hex SHA-256 of
/// `cert_type=<b64>&cert_name=<b64>&cert_no=<b64>`, each value standard base64 of its UTF-8
/// bytes. Pass the strings exactly as sent to getverifyid.
pub fn cert_hash(cert_type: &str, cert_name: &str, cert_no: &str) -> String {
    let b64 = |value: &str| base64::engine::general_purpose::STANDARD.encode(value.as_bytes());
    let joined = format!(
        "cert_type={}&cert_name={}&cert_no={}",
        b64(cert_type),
        b64(cert_name),
        b64(cert_no)
    );
    hex::encode(Sha256::digest(joined.as_bytes()))
}

/// getverifyid's errcodes: 40003 (invalid openid) names `openid`, 40097 (invalid args)
/// `cert_info`; the rest as every WeChat call ([`error`]).
pub fn get_verify_id_error(errcode: i64, errmsg: &str) -> VendorError {
    match errcode {
        40003 => VendorError::invalid(
            errcode.to_string(),
            errmsg.to_owned(),
            Some("openid".into()),
        ),
        40097 => VendorError::invalid(
            errcode.to_string(),
            errmsg.to_owned(),
            Some("cert_info".into()),
        ),
        _ => error(errcode, errmsg),
    }
}

/// getverifyid's error shape (for [`crate::http::exchange`]).
pub(crate) fn get_verify_id_error_body(reply: &Reply) -> Option<VendorError> {
    wechat::errcode(reply).map(|(errcode, errmsg)| get_verify_id_error(errcode, &errmsg))
}

/// queryverifyinfo's: any non-zero errcode is an error of the call.
pub(crate) fn error_body(reply: &Reply) -> Option<VendorError> {
    wechat::errcode(reply).map(|(errcode, errmsg)| error(errcode, &errmsg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(verify_ret: i64) -> VerifyInfo {
        VerifyInfo {
            errcode: 0,
            errmsg: "ok".into(),
            verify_ret: Some(verify_ret),
        }
    }

    #[test]
    fn only_10000_passes_and_every_code_has_one_meaning() {
        let passed = verdict(&answer(10000)).unwrap();
        assert!(passed.passed);
        assert_eq!(passed.reason, None);
        assert_eq!(passed.vendor_code.as_deref(), Some("10000"));
        assert_eq!(passed.confirmed_by, ConfirmedBy::VendorQuery);
        let mut seen = std::collections::HashSet::new();
        for (code, text, meaning) in VERIFY_RET_CODES {
            assert!(seen.insert(*code), "{code} listed twice");
            let result = verdict(&answer(*code));
            match meaning {
                Pass => assert_eq!(*code, VERIFY_RET_PASS),
                NotFinished => assert!(result.is_none(), "{code}"),
                Fail(reason) => {
                    let result = result.unwrap();
                    assert!(!result.passed);
                    assert_eq!(result.reason, Some(*reason));
                    assert_eq!(result.vendor_code, Some(code.to_string()));
                    assert_eq!(result.vendor_message.as_deref(), Some(*text));
                }
            }
        }
    }

    #[test]
    fn the_families_map_as_the_issue_says() {
        let reason = |code| verdict(&answer(code)).and_then(|r| r.reason);
        for code in [90002, 90003, 90004, 90005, 90006, 90024] {
            assert_eq!(reason(code), Some(UserCanceled), "{code}");
        }
        for code in [90001, 90008, 90009, 90010, 90109] {
            assert_eq!(reason(code), Some(CaptureFailed), "{code}");
        }
        assert_eq!(reason(10003), Some(IdentityMismatch));
        assert_eq!(reason(10004), Some(NotSamePerson));
        assert_eq!(reason(10002), Some(LivenessFailed));
        assert_eq!(reason(10006), Some(AccountError));
        // Undocumented: failed, vendor_error, WeChat's errmsg kept.
        let odd = verdict(&VerifyInfo {
            errcode: 0,
            errmsg: "something new".into(),
            verify_ret: Some(12345),
        })
        .unwrap();
        assert_eq!(odd.reason, Some(Vendor));
        assert_eq!(odd.vendor_code.as_deref(), Some("12345"));
        assert_eq!(odd.vendor_message.as_deref(), Some("something new"));
        // Not finished, or no verify_ret at all: nothing decided.
        assert!(verdict(&answer(10005)).is_none());
        assert!(verdict(&answer(10300)).is_none());
        assert!(verdict(&VerifyInfo::default()).is_none());
    }

    #[test]
    fn cert_hash_follows_the_documented_concatenation() {
        // base64("IDENTITY_CARD") = SURFTlRJVFlfQ0FSRA==, base64("张三") = 5byg5LiJ,
        // base64("110101199003074514") = MTEwMTAxMTk5MDAzMDc0NTE0.
        let joined =
            "cert_type=SURFTlRJVFlfQ0FSRA==&cert_name=5byg5LiJ&cert_no=MTEwMTAxMTk5MDAzMDc0NTE0";
        let expected = hex::encode(Sha256::digest(joined.as_bytes()));
        assert_eq!(
            cert_hash(CERT_TYPE_ID_CARD, "张三", "110101199003074514"),
            expected
        );
        assert_eq!(expected.len(), 64);
        assert!(expected
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(
            cert_hash(CERT_TYPE_ID_CARD, "李四", "110101199003074514"),
            expected
        );
    }

    #[test]
    fn getverifyid_errcodes_name_their_field() {
        let field = |error: VendorError| match error {
            VendorError::InvalidRequest { field, .. } => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(get_verify_id_error(40003, "invalid openid")).as_deref(),
            Some("openid")
        );
        assert_eq!(
            field(get_verify_id_error(40097, "invalid args")).as_deref(),
            Some("cert_info")
        );
        assert!(matches!(
            get_verify_id_error(40001, "x"),
            VendorError::Unauthorized { .. }
        ));
        assert!(get_verify_id_error(-1, "busy").is_retryable());
    }
}
