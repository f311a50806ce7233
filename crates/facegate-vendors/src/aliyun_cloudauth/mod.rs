//! Alibaba Cloud ID Verification, 金融级实人认证, H5 / PC web integration (Cloudauth API
//! 2019-03-07): "服务端集成" (InitFaceVerify, DescribeFaceVerify), "H5网页集成" (the page
//! script `jsvm_all.js` and its `getMetaInfo()`, the browser table),
//! "ResultObject.SubCode错误码说明", DeleteFaceVerifyResult, and "V3版本请求体&签名机制" for the
//! signature (ACS3-HMAC-SHA256, implemented once in `client.rs` and tested against the
//! document's published example).
//!
//! The flow: the page loads Alibaba's script and calls `getMetaInfo()`; the merchant's server
//! creates the session with that string; facegate calls `InitFaceVerify` (SceneId,
//! OuterOrderNo, ProductCode `ID_PRO`, CertType `IDENTITY_CARD`, CertName, CertNo, ReturnUrl,
//! CallbackUrl, CallbackToken, MetaInfo) and sends the browser to `CertifyUrl`; Alibaba calls
//! `CallbackUrl` when the user finishes; facegate asks `DescribeFaceVerify`, whose `Passed` is
//! the verdict.
//!
//! # VENDORS notes (what the documents leave open, and what facegate decided)
//!
//! - **Signing.** Alibaba documents both V2 (RPC, HMAC-SHA1 over the query) and V3; facegate
//!   implements V3 only, with the parameters as a form body (the V3 document allows RPC
//!   parameters in the body), so the name and ID number are never in a URL.
//! - **OuterOrderNo** must be "32 letters and digits"; facegate's session ids are `vs_` and 24
//!   letters and digits, so OuterOrderNo is the id without its underscore
//!   (`vs` and the id's 24 letters and digits: 26 characters).
//! - **CertifyUrl lifetime.** The H5 documents say the URL is valid 30 minutes and opens once;
//!   facegate sets `expires_at` 30 minutes after the start ([`CERTIFY_URL_TTL`]).
//! - **Before the user finishes**, what DescribeFaceVerify answers is not documented: an answer
//!   without `Passed` is read as "not yet" ([`CertifyState::Pending`]), as the sibling
//!   DescribeSmartVerify documents ("未认证状态，则不返回该参数"). A `Passed` `F` with
//!   SubCode 200 (never shown) is a vendor error, not a pass.
//! - **SubCodes** not in the table become `vendor_error`, their code kept. 206 (业务策略限制) is
//!   read as the merchant's account / policy (`account_error`); 203 and 209 (the authority's
//!   photo or source) as `vendor_error`: neither is the user's doing.
//! - **The callback** carries no signature. Its `callbackToken` is the proof, per session and
//!   derived, not stored (see `notify.rs`); the callback only triggers a DescribeFaceVerify.
//!   Alibaba never calls back on abandonment: the reconciler's pull finds those sessions, and
//!   the expiry ends them.
//! - **The return** (`ReturnUrl`) carries nothing facegate believes: it only triggers the query.
//! - **DeviceRisk** tags (`ROOT,VPN,HOOK`) are kept as they come, comma separated, as risk
//!   signals; facegate decides nothing from them.
//! - **Deletion.** DeleteFaceVerifyResult deletes Alibaba's copy of one certification;
//!   facegate calls it when a session is redacted, with `DeleteAfterQuery` `N` (delete now).
//! - **MetaInfo** must be the JSON object `getMetaInfo()` returns; facegate checks it is a
//!   non-empty JSON object of at most 8 KiB before any call.

mod client;
pub mod codes;
mod notify;
mod types;

pub use client::{
    acs_date, authorization, canonical_query, percent_encode, sign, AliyunCloudauthClient,
    SigningInput, ALGORITHM, PROBE_CERTIFY_ID,
};
pub use codes::{product_code_text, sub_code, CertifyState, SUB_CODES, SUB_CODE_PASSED};
pub use notify::{callback_token, Notify, NotifyError};
pub use types::*;

/// How long a `CertifyUrl` can be opened (30 minutes, H5 documents).
pub const CERTIFY_URL_TTL: std::time::Duration = std::time::Duration::from_secs(30 * 60);

#[cfg(test)]
mod golden;
