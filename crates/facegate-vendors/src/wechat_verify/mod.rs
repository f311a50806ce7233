//! WeChat face verification 2.0 (人脸核身 2.0) for mini-programs, from WeChat's own pages:
//! `getVerifyId` (developers.weixin.qq.com/miniprogram/dev/server/API/face/api_getverifyid),
//! `queryVerifyInfo` (…/API/face/api_queryverifyinfo) and `wx.requestFacialVerify` (base
//! library 3.8.12 or later). It replaces the 1.0 flow of `crate::wechat_mini` (getuseridkey /
//! startFacialRecognitionVerify / getinfo), which developer write-ups say stops on 2026-06-30.
//!
//! - The flow: the server calls getverifyid with the person's certificate (`cert_info`), the
//!   user's `openid` and the merchant's `out_seq_no`, and gets a `verify_id` (valid
//!   `expires_in` seconds, 3,600 by default); the mini-program runs
//!   `wx.requestFacialVerify({verifyId})`; the server then asks queryverifyinfo with
//!   `verify_id`, `out_seq_no`, `cert_hash` ([`cert_hash`]) and `openid`, and reads
//!   `verify_ret` ([`verdict`]): 10000 is the only pass.
//! - Tokens: the same mini-program, so the same access token as `wechat_mini`:
//!   [`WechatVerifyClient`] wraps a [`WechatMiniClient`] and sends through its token machinery
//!   (`stable_token`, one cache shared by the replicas, refresh once and retry once on
//!   40001 / 42001). Its calls are labelled `wechat_verify` in logs and metrics.
//! - No notify: WeChat documents no push for 2.0, so there is no `notify.rs`; the verdict
//!   comes from queryverifyinfo only.
//!
//! VENDORS notes (what the pages leave open, and what this module does):
//! - **cert_hash.** The API page says only "根据证件信息生成" (made from the certificate
//!   information) and points at the 2.0 access guide, which the stored copies of WeChat's
//!   pages do not hold. facegate follows the definition public integrations quote from that
//!   guide: each of cert_type, cert_name and cert_no base64-encoded (standard alphabet, of its
//!   UTF-8 bytes), joined as `cert_type=<b64>&cert_name=<b64>&cert_no=<b64>`, then SHA-256,
//!   in lower-case hex. The strings hashed are exactly the ones sent to getverifyid (the name
//!   trimmed, the ID number trimmed with its check letter upper case). If WeChat refuses the
//!   hash, the query fails with its errcode and the session stays open (nothing is believed).
//! - **verify_ret.** Two versions of the queryverifyinfo page exist: one lists 90000 (the start
//!   of the face codes, not a result) to 90025 with detailed texts, the other 90001-90018,
//!   90104-90199 and 10000-1000x with shorter ones. [`VERIFY_RET_CODES`] is their union, the
//!   detailed text where both name a code. 10005 (正在检测中, checking) and 10300 (未完成核身,
//!   not finished), which integrations of the 2.0 page quote, leave the session open. A
//!   `verify_ret` in neither table fails the session with `vendor_error`, its code kept.
//! - **Errors.** The pages document no errcodes of their own. errcode answers are WeChat's
//!   common shape (`{errcode, errmsg}`), read by `crate::wechat_mini::error`; at getverifyid,
//!   40003 (invalid openid) names `openid` and 40097 (invalid args) names `cert_info`.
//! - **openid.** It must be the user's openid under the same appid as the mini-program that
//!   calls `wx.requestFacialVerify`, and that user must be the one who verifies (the page:
//!   otherwise the check fails). facegate takes it from the merchant at create and sends the
//!   same value to both calls.

mod client;
pub mod codes;
mod types;

pub use crate::wechat_mini::WechatMiniClient;
pub use client::WechatVerifyClient;
pub use codes::{
    cert_hash, error, get_verify_id_error, verdict, Meaning, CERT_TYPE_ID_CARD, VERIFY_RET_CODES,
    VERIFY_RET_PASS,
};
pub use types::*;

#[cfg(test)]
mod golden;
