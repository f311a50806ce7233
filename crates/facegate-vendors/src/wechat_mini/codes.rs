//! What WeChat's answers mean: its error shape (`errcode` / `errmsg`, in any answer) onto
//! [`VendorError`], getinfo's errcodes and the session's verdict, and the front-end tables
//! (`wx.checkIsSupportFacialRecognition`'s errCodes, `checkAliveType`) defined once in
//! facegate-types.

use facegate_types::{ConfirmedBy, FailureReason, Scores, VerificationResult};
use md5::{Digest, Md5};
use serde::Deserialize;

use super::types::IdentifyInfo;
use crate::http::Reply;
use crate::wire;
use crate::VendorError;

/// errcode: the access token is invalid or not the latest.
pub const ERR_INVALID_TOKEN: i64 = 40001;
/// errcode: the access token expired.
pub const ERR_TOKEN_EXPIRED: i64 = 42001;

/// Every answer's error fields; absent in a success.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default, deserialize_with = "wire::i64_or_string")]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

/// WeChat's error shape (for [`crate::http::exchange`]): a non-zero `errcode`, by [`error`].
pub(crate) fn error_body(reply: &Reply) -> Option<VendorError> {
    errcode(reply).map(|(errcode, errmsg)| error(errcode, &errmsg))
}

/// getuseridkey's: its errcodes about the person, by [`user_id_key_error`].
pub(crate) fn user_id_key_error_body(reply: &Reply) -> Option<VendorError> {
    errcode(reply).map(|(errcode, errmsg)| user_id_key_error(errcode, &errmsg))
}

/// getinfo's: the errcodes that do not decide the session ([`GETINFO_CODES`] are answers).
pub(crate) fn get_info_error_body(reply: &Reply) -> Option<VendorError> {
    errcode(reply)
        .filter(|(errcode, _)| !GETINFO_CODES.iter().any(|(code, _, _)| code == errcode))
        .map(|(errcode, errmsg)| error(errcode, &errmsg))
}

/// A reply's non-zero `errcode` and its `errmsg` (shared with `crate::wechat_verify`).
pub(crate) fn errcode(reply: &Reply) -> Option<(i64, String)> {
    let envelope: Envelope = reply.json().ok()?;
    (envelope.errcode != 0).then_some((envelope.errcode, envelope.errmsg))
}

/// Whether an error is the access token's (40001 / 42001): refreshed once, the call retried
/// once.
pub(crate) fn is_stale(error: &VendorError) -> bool {
    let stale = [ERR_INVALID_TOKEN, ERR_TOKEN_EXPIRED].map(|code| code.to_string());
    matches!(error, VendorError::Unauthorized { code, .. } if stale.contains(code))
}

/// The getinfo errcodes that decide a session, with the seed's text and facegate's reason.
/// 84001 is a verify_result WeChat did not issue (forged or garbled on the way: tampered);
/// 84002 the user's data timed out (the capture took too long); 84003 WeChat holds no data for
/// it, which the seed does not explain further (vendor error).
pub const GETINFO_CODES: &[(i64, &str, FailureReason)] = &[
    (84001, "非法identity_id", FailureReason::ResultTampered),
    (84002, "用户信息过期", FailureReason::CaptureFailed),
    (84003, "用户信息不存在", FailureReason::VendorError),
];

/// The reason for a getinfo errcode.
pub fn reason(errcode: i64) -> FailureReason {
    GETINFO_CODES
        .iter()
        .find(|(code, _, _)| *code == errcode)
        .map(|(_, _, reason)| *reason)
        .unwrap_or(FailureReason::VendorError)
}

/// `id_card_number_md5`: MD5 of the ID number with its last X upper case, hex.
pub fn id_number_md5(id_number: &str) -> String {
    hex::encode(Md5::digest(
        id_number.trim().to_ascii_uppercase().as_bytes(),
    ))
}

/// `name_utf8_md5`: MD5 of the name's UTF-8 bytes, hex.
pub fn name_md5(name: &str) -> String {
    hex::encode(Md5::digest(name.trim().as_bytes()))
}

/// What a getinfo answer must agree with to count for a session: the `user_id_key` that
/// session's getuseridkey issued, and the subject the merchant asked about.
#[derive(Clone, Copy, Debug)]
pub struct Expected<'a> {
    /// The session's own user_id_key (its vendor handle).
    pub user_id_key: &'a str,
    pub name: &'a str,
    pub id_number: &'a str,
}

/// The session's verdict from a getinfo answer. The front end hands the verify_result over,
/// so the answer is believed only when it is this session's: its `user_id_key` is the one
/// the session's getuseridkey issued (a verify_result of another session, even of the same
/// person, is `result_tampered`), errcode and identify_ret are 0, and both MD5s are the
/// subject's.
pub fn verdict(info: &IdentifyInfo, expected: &Expected<'_>) -> VerificationResult {
    let failed = |reason, code: String, message: String| VerificationResult {
        passed: false,
        reason: Some(reason),
        scores: Scores::default(),
        vendor_code: Some(code),
        vendor_message: Some(message),
        confirmed_by: ConfirmedBy::VendorQuery,
        risk_signals: Vec::new(),
    };
    if info.errcode != 0 {
        return failed(
            reason(info.errcode),
            info.errcode.to_string(),
            info.errmsg.clone(),
        );
    }
    let own_key = info.user_id_key.as_ref().is_some_and(|key| {
        wire::same_bytes(key.expose().as_bytes(), expected.user_id_key.as_bytes())
    });
    if !own_key {
        return failed(
            FailureReason::ResultTampered,
            "0".into(),
            "getinfo's user_id_key is not this session's: the verify_result belongs to another check"
                .into(),
        );
    }
    match info.identify_ret {
        Some(0) => {}
        // The seed documents no non-zero identify_ret values: WeChat's face check (liveness
        // and comparison with the identity's photo) did not pass.
        Some(ret) => {
            return failed(
                FailureReason::NotSamePerson,
                ret.to_string(),
                "identify_ret is not 0".into(),
            )
        }
        None => {
            return failed(
                FailureReason::VendorError,
                "0".into(),
                "getinfo answered without identify_ret".into(),
            )
        }
    }
    let matches = |got: &Option<String>, want: String| {
        got.as_deref().is_some_and(|got| {
            wire::same_bytes(got.to_ascii_lowercase().as_bytes(), want.as_bytes())
        })
    };
    if !matches(&info.id_card_number_md5, id_number_md5(expected.id_number))
        || !matches(&info.name_utf8_md5, name_md5(expected.name))
    {
        return failed(
            FailureReason::ResultTampered,
            "0".into(),
            "id_card_number_md5 or name_utf8_md5 does not match the subject".into(),
        );
    }
    VerificationResult {
        passed: true,
        reason: None,
        scores: Scores::default(),
        vendor_code: Some("0".into()),
        vendor_message: Some(info.errmsg.clone()),
        confirmed_by: ConfirmedBy::VendorQuery,
        risk_signals: Vec::new(),
    }
}

/// getuseridkey's errcodes about the person it was given: WeChat does not accept this name
/// and ID number (84001 非法identity_id, 84002 用户信息过期, 84003 用户信息不存在). At create
/// they refuse the person, so the merchant gets a 4xx naming the subject, not a retry.
pub fn user_id_key_error(errcode: i64, errmsg: &str) -> VendorError {
    match errcode {
        84001..=84003 => VendorError::Refused {
            code: errcode.to_string(),
            message: errmsg.to_owned(),
            reason: FailureReason::IdentityMismatch,
            field: Some(if errcode == 84001 {
                "id_card_number".to_owned()
            } else {
                "name".to_owned()
            }),
        },
        // 40097 "invalid args": the sandbox answers it for a missing name or a bad check digit.
        40097 => VendorError::invalid(
            errcode.to_string(),
            errmsg.to_owned(),
            Some("id_card_number".to_owned()),
        ),
        _ => error(errcode, errmsg),
    }
}

/// Maps a non-zero errcode of any call onto [`VendorError`].
pub fn error(errcode: i64, errmsg: &str) -> VendorError {
    let code = errcode.to_string();
    let message = errmsg.to_owned();
    match errcode {
        -1 => VendorError::Unavailable(format!("system busy ({code})")),
        40001 | 40002 | 40013 | 40014 | 40125 | 40164 | 41001 | 41002 | 41004 | 42001 | 48001
        | 61024 => VendorError::Unauthorized { code, message },
        45009 | 45011 | 45033 => VendorError::RateLimited {
            code,
            retry_after: None,
        },
        40097 | 44002 | 47001 => VendorError::invalid(code, message, None),
        _ => VendorError::api(code, message, None),
    }
}

// ---------------------------------------------------------------------------------------------
// Front-end codes (for the wasm helper; the backend never sees them)
// ---------------------------------------------------------------------------------------------

/// `wx.checkIsSupportFacialRecognition`'s errCodes and `checkAliveType`, defined once in
/// facegate-types for this crate and the wasm helper.
pub use facegate_types::front_end::wechat_mini::{
    CheckAliveType, FaceSupportReason, CHECK_SUPPORT_CODES,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Pii;

    const NAME: &str = "张三";
    const ID: &str = "11010519491231002x";

    fn info() -> IdentifyInfo {
        IdentifyInfo {
            errcode: 0,
            errmsg: "ok".into(),
            identify_ret: Some(0),
            id_card_number_md5: Some(id_number_md5("11010519491231002X")),
            name_utf8_md5: Some(name_md5(NAME)),
            user_id_key: Some(Pii::from(KEY)),
            ..IdentifyInfo::default()
        }
    }

    const KEY: &str = "id_key_of_this_session";

    fn expected<'a>(name: &'a str, id_number: &'a str) -> Expected<'a> {
        Expected {
            user_id_key: KEY,
            name,
            id_number,
        }
    }

    #[test]
    fn md5s_follow_the_seed() {
        // MD5 of the ID number with an upper-case X, and of the name's UTF-8 bytes.
        assert_eq!(id_number_md5(ID), id_number_md5("11010519491231002X"));
        assert_eq!(
            id_number_md5("11010519491231002X"),
            hex::encode(Md5::digest(b"11010519491231002X"))
        );
        assert_eq!(name_md5(NAME), hex::encode(Md5::digest("张三".as_bytes())));
        assert_eq!(name_md5("张三"), "615db57aa314529aaa0fbe95b3e95bd3");
    }

    #[test]
    fn success_needs_errcode_identify_ret_and_both_md5s() {
        let passed = verdict(&info(), &expected(NAME, ID));
        assert!(passed.passed);
        assert_eq!(passed.confirmed_by, ConfirmedBy::VendorQuery);

        let mut upper_hex = info();
        upper_hex.name_utf8_md5 = upper_hex.name_utf8_md5.map(|m| m.to_ascii_uppercase());
        assert!(verdict(&upper_hex, &expected(NAME, ID)).passed);

        let other_name = verdict(&info(), &expected("李四", ID));
        assert_eq!(other_name.reason, Some(FailureReason::ResultTampered));
        let other_id = verdict(&info(), &expected(NAME, "110101199003074514"));
        assert_eq!(other_id.reason, Some(FailureReason::ResultTampered));
        let mut missing = info();
        missing.name_utf8_md5 = None;
        assert_eq!(
            verdict(&missing, &expected(NAME, ID)).reason,
            Some(FailureReason::ResultTampered)
        );

        let mut refused = info();
        refused.identify_ret = Some(1);
        let refused = verdict(&refused, &expected(NAME, ID));
        assert_eq!(refused.reason, Some(FailureReason::NotSamePerson));
        assert_eq!(refused.vendor_code.as_deref(), Some("1"));

        for (code, message, wanted) in GETINFO_CODES {
            let answer = IdentifyInfo {
                errcode: *code,
                errmsg: (*message).into(),
                ..IdentifyInfo::default()
            };
            let result = verdict(&answer, &expected(NAME, ID));
            assert!(!result.passed);
            assert_eq!(result.reason, Some(*wanted));
            assert_eq!(result.vendor_code, Some(code.to_string()));
        }
        // Another session's verify_result (its user_id_key), even for the same person.
        let mut another = info();
        another.user_id_key = Some(Pii::from("id_key_of_another_session"));
        let another = verdict(&another, &expected(NAME, ID));
        assert_eq!(another.reason, Some(FailureReason::ResultTampered));
        let mut keyless = info();
        keyless.user_id_key = None;
        assert_eq!(
            verdict(&keyless, &expected(NAME, ID)).reason,
            Some(FailureReason::ResultTampered)
        );
        assert_eq!(reason(84001), FailureReason::ResultTampered);
        assert_eq!(reason(84002), FailureReason::CaptureFailed);
        assert_eq!(reason(84003), FailureReason::VendorError);
    }

    #[test]
    fn errcodes_map_onto_vendor_errors() {
        assert!(matches!(
            error(40001, "x"),
            VendorError::Unauthorized { .. }
        ));
        assert!(matches!(
            error(42001, "x"),
            VendorError::Unauthorized { .. }
        ));
        assert!(matches!(
            error(40125, "x"),
            VendorError::Unauthorized { .. }
        ));
        assert!(error(-1, "busy").is_retryable());
        assert!(matches!(error(45009, "x"), VendorError::RateLimited { .. }));
        assert!(matches!(
            error(47001, "x"),
            VendorError::InvalidRequest { .. }
        ));
        assert!(matches!(error(84001, "x"), VendorError::Api { .. }));
        // At getuseridkey the same codes refuse the person given.
        for code in 84001..=84003 {
            assert!(matches!(
                user_id_key_error(code, "x"),
                VendorError::Refused {
                    reason: FailureReason::IdentityMismatch,
                    ..
                }
            ));
        }
        assert!(matches!(
            user_id_key_error(40097, "invalid args"),
            VendorError::InvalidRequest { .. }
        ));
    }
}
