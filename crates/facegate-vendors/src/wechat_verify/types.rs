//! The documented request and response bodies of getverifyid and queryverifyinfo, field names
//! as WeChat spells them. Names and ID numbers are [`Pii`]; the openid is the user's id under
//! the merchant's mini-program, not personal data on its own, but it is never logged either.

use serde::{Deserialize, Serialize};

use crate::wire::{self, Pii};

/// `cert_info`: the person's certificate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CertInfo {
    /// `IDENTITY_CARD` for a mainland ID card ([`super::CERT_TYPE_ID_CARD`]).
    pub cert_type: String,
    /// 证件姓名.
    pub cert_name: Pii,
    /// 证件号码.
    pub cert_no: Pii,
}

/// `POST /cityservice/face/identify/getverifyid?access_token=`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GetVerifyIdRequest {
    /// The merchant's serial number for this check (facegate: the session id).
    pub out_seq_no: String,
    pub cert_info: CertInfo,
    /// The user's openid under the mini-program that will call `wx.requestFacialVerify`.
    pub openid: String,
}

/// Its answer: a verify_id for `wx.requestFacialVerify({verifyId})`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct VerifyId {
    #[serde(default, deserialize_with = "wire::i64_or_string")]
    pub errcode: i64,
    #[serde(default)]
    pub errmsg: String,
    /// WeChat's id of this check, at most 256 characters.
    pub verify_id: String,
    /// Seconds the verify_id can start a check (3,600 by default).
    #[serde(
        default = "default_expires_in",
        deserialize_with = "wire::i64_or_string"
    )]
    pub expires_in: i64,
}

/// getverifyid's documented default lifetime, in seconds.
pub const DEFAULT_EXPIRES_IN: i64 = 3600;

fn default_expires_in() -> i64 {
    DEFAULT_EXPIRES_IN
}

/// `POST /cityservice/face/identify/queryverifyinfo?access_token=`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueryVerifyInfoRequest {
    pub verify_id: String,
    /// The out_seq_no getverifyid was given.
    pub out_seq_no: String,
    /// [`super::cert_hash`] of the certificate getverifyid was given.
    pub cert_hash: String,
    /// The openid getverifyid was given.
    pub openid: String,
}

/// Its answer. Non-zero errcodes are errors of the call (the client returns them as
/// `VendorError`s); `verify_ret` is the check's result.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct VerifyInfo {
    #[serde(default, deserialize_with = "wire::i64_or_string")]
    pub errcode: i64,
    #[serde(default)]
    pub errmsg: String,
    #[serde(default, deserialize_with = "wire::opt_i64_or_string")]
    pub verify_ret: Option<i64>,
}
