//! WeChat face verification 2.0 as the mini-program sees it: `wx.requestFacialVerify`
//! (developers.weixin.qq.com; base library 3.8.12 or later), which `wechat_verify` sessions
//! use, and which of WeChat's two face flows a mini-program should take.
//!
//! VENDORS notes: WeChat's pages give the base-library floor, not the callback's codes. The
//! codes below that say the user gave up are queryverifyinfo's cancel codes (90002-90006,
//! 90024), which the mini-program's callback is taken to carry as its `errCode`; an errMsg
//! containing `cancel` reads the same. Every other ending, success or failure, sends the page to
//! its backend, whose queryverifyinfo decides.

use crate::Provider;

/// The first base library (`SDKVersion`) with `wx.requestFacialVerify`.
pub const REQUEST_FACIAL_VERIFY_MIN_SDK: [u32; 3] = [3, 8, 12];

/// The `errCode`s of `wx.requestFacialVerify` that mean the user gave up.
pub const CANCEL_CODES: &[i64] = &[90002, 90003, 90004, 90005, 90006, 90024];

/// `3.8.12` -> `[3, 8, 12]`; missing parts read as 0, parts past the third are ignored;
/// `None` unless the parts read are all digits.
#[inline]
pub fn parse_sdk_version(version: &str) -> Option<[u32; 3]> {
    let mut parts = [0u32; 3];
    let mut pieces = version.trim().split('.');
    for (index, slot) in parts.iter_mut().enumerate() {
        match pieces.next() {
            Some(piece) if !piece.is_empty() && piece.bytes().all(|b| b.is_ascii_digit()) => {
                *slot = piece.parse().ok()?;
            }
            None if index > 0 => break,
            _ => return None,
        }
    }
    Some(parts)
}

/// Whether a base library has `wx.requestFacialVerify`; `false` when the version is unknown or
/// unreadable (only 1.0 is then known to be there).
#[inline]
pub fn has_request_facial_verify(sdk_version: Option<&str>) -> bool {
    sdk_version
        .and_then(parse_sdk_version)
        .is_some_and(|version| version >= REQUEST_FACIAL_VERIFY_MIN_SDK)
}

/// Which WeChat face provider a mini-program should use: `wechat_verify` where the base library
/// has `wx.requestFacialVerify` and the merchant enabled it, else `wechat_mini` where enabled;
/// `None` when the device cannot take a face at all or neither is enabled. `enabled` absent:
/// both are.
#[inline]
pub fn recommend(
    face_supported: bool,
    facial_verify: bool,
    enabled: Option<&[Provider]>,
) -> Option<Provider> {
    let has = |provider| enabled.is_none_or(|list| list.contains(&provider));
    if !face_supported {
        None
    } else if facial_verify && has(Provider::WechatVerify) {
        Some(Provider::WechatVerify)
    } else if has(Provider::WechatMini) {
        Some(Provider::WechatMini)
    } else {
        None
    }
}

wire_enum! {
    /// What the page does after `wx.requestFacialVerify` calls back.
    FacialVerifyAction {
        /// Ask the backend (`POST /v1/client/verifications/{id}/complete`): only its
        /// queryverifyinfo decides.
        AskBackend => "ask_backend",
        /// The user gave up.
        Canceled => "canceled",
    }
}

/// The action for a callback's `errCode` and `errMsg`.
#[inline]
pub fn facial_verify_action(err_code: Option<i64>, err_msg: Option<&str>) -> FacialVerifyAction {
    let canceled = err_code.is_some_and(|code| CANCEL_CODES.contains(&code))
        || (err_code.is_none_or(|code| code != 0)
            && err_msg.is_some_and(|m| super::contains(m, "cancel")));
    if canceled {
        FacialVerifyAction::Canceled
    } else {
        FacialVerifyAction::AskBackend
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_library_versions_compare_by_their_parts() {
        assert_eq!(parse_sdk_version("3.8.12"), Some([3, 8, 12]));
        assert_eq!(parse_sdk_version("3.10"), Some([3, 10, 0]));
        assert_eq!(parse_sdk_version("x"), None);
        assert_eq!(parse_sdk_version(""), None);
        assert!(has_request_facial_verify(Some("3.8.12")));
        assert!(has_request_facial_verify(Some("3.10.0")));
        assert!(has_request_facial_verify(Some("4")));
        assert!(!has_request_facial_verify(Some("3.8.11")));
        assert!(!has_request_facial_verify(Some("2.33.0")));
        assert!(!has_request_facial_verify(None));
    }

    #[test]
    fn wechat_verify_is_preferred_where_it_runs() {
        let both = [Provider::WechatMini, Provider::WechatVerify];
        assert_eq!(
            recommend(true, true, Some(&both)),
            Some(Provider::WechatVerify)
        );
        assert_eq!(
            recommend(true, false, Some(&both)),
            Some(Provider::WechatMini)
        );
        assert_eq!(
            recommend(true, true, Some(&[Provider::WechatMini])),
            Some(Provider::WechatMini)
        );
        assert_eq!(
            recommend(true, false, Some(&[Provider::WechatVerify])),
            None
        );
        assert_eq!(recommend(false, true, None), None);
        assert_eq!(recommend(true, true, None), Some(Provider::WechatVerify));
    }

    #[test]
    fn only_the_cancel_codes_mean_the_user_gave_up() {
        for code in CANCEL_CODES {
            assert_eq!(
                facial_verify_action(Some(*code), None),
                FacialVerifyAction::Canceled
            );
        }
        assert_eq!(
            facial_verify_action(Some(0), None),
            FacialVerifyAction::AskBackend
        );
        assert_eq!(
            facial_verify_action(Some(10004), None),
            FacialVerifyAction::AskBackend
        );
        assert_eq!(
            facial_verify_action(None, Some("requestFacialVerify:fail cancel")),
            FacialVerifyAction::Canceled
        );
        assert_eq!(
            facial_verify_action(None, None),
            FacialVerifyAction::AskBackend
        );
    }
}
