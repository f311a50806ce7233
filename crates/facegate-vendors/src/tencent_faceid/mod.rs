//! Tencent Cloud FaceID (慧眼) real-name verification over API 3.0: DetectAuth
//! (<https://cloud.tencent.com/document/product/1007/31816>), the H5 page at its `Url`, and
//! GetDetectInfoEnhanced (<https://cloud.tencent.com/document/product/1007/41957>) for the
//! verdict; every call signed with TC3-HMAC-SHA256 (API 3.0 "签名方法 v3", the same page in
//! every product's API documents, e.g. <https://cloud.tencent.com/document/product/679/47719>),
//! and the FaceID error codes (慧眼 "错误码": the ErrCode table of the result).
//!
//! - Every call is `POST /` with a JSON body and the `X-TC-Action`, `X-TC-Version`
//!   (`2018-03-01`), `X-TC-Timestamp`, `X-TC-Region` and `Authorization` headers
//!   ([`client`](TencentFaceidClient), signing in [`sign`]).
//! - Answers are `{"Response": {...}}`; an error is `{"Response": {"Error": {"Code",
//!   "Message"}, "RequestId"}}` with HTTP 200. `AuthFailure.*` becomes
//!   [`VendorError::Unauthorized`]; `InvalidParameter*` [`VendorError::InvalidRequest`] (with
//!   the parameter it names, where the code names one); `RequestLimitExceeded*`
//!   [`VendorError::RateLimited`] (the callers retry it for queries only); `InternalError*`
//!   [`VendorError::Unavailable`]; anything else [`VendorError::Api`] with the RequestId.
//! - The verdict: `Text.ErrCode` 0 passes; every documented ErrCode maps to one
//!   [`FailureReason`](facegate_types::FailureReason) ([`codes::ERR_CODES`]), the code and
//!   `ErrMsg` kept; `Sim` is the similarity.
//! - The client holds to the documented default limit of 100 requests per second
//!   ([`RATE_LIMIT_PER_SECOND`]), for all its calls together, one every 10 ms (no burst).
//!
//! VENDORS notes (what the documents leave open, and what facegate does):
//! - The example signature: the Chinese page masks its example key (`Gu5t9xGARNpq86cd98joQYCN3*******`,
//!   signature `2230eefd…d7652c`); the international page uses
//!   `Gu5t9xGARNpq86cd98joQYCN3EXAMPLE` (signature `72e494ea…525168`). Both are tested.
//! - CanonicalURI is `/` (API 3.0 says so); the Host header signed is the API base's host (and
//!   port, when not the scheme's default), so a proxy or the simulator can stand in.
//! - An unfinished flow: GetDetectInfoEnhanced documents `ErrCode` as nullable ("取不到有效值");
//!   facegate reads a `Text` without an `ErrCode` as "not finished yet", never as a verdict.
//! - `InvalidParameterValue.BizTokenExpired` on a flow that never finished means the user
//!   never did it: the session expires.
//! - Liveness: the document gives `LiveStatus` / `LiveMsg` (codes, no score), so
//!   `scores.liveness` stays empty; the liveness outcome is the ErrCode's reason. `Sim` (0..100)
//!   is `scores.similarity`; the pass threshold is set per RuleId in Tencent's console and is not
//!   in the answer, so `scores.threshold` stays empty.
//! - DetectAuth's `Url` is documented "仅微信H5场景使用" (WeChat H5 only): facegate hands it over
//!   as the redirect whatever the browser, and the wasm helper's device check recommends this
//!   provider inside WeChat's browser only.
//! - The rate limit is per process: the documents give it per account and action, so N replicas
//!   may together send N times 100 a second; Tencent then answers `RequestLimitExceeded`, which
//!   facegate's resilience layer retries for GetDetectInfoEnhanced and never for DetectAuth
//!   (which may bill).
//! - Where the ErrCode table comes from: the 慧眼 error-code page (the result's ErrCode, 1001 to
//!   3001); the `FailedOperation.*` codes the API can also answer are API errors, not results,
//!   and are [`VendorError::Api`].
//! - ErrCodes not in the table are [`FailureReason::VendorError`](facegate_types::FailureReason::VendorError)
//!   with their code and message kept.
//!
//! Laid out as every vendor: `types.rs`, `codes.rs`, `client.rs` (with the signing) and
//! `golden.rs` (the documents' examples, verbatim). Tencent's H5 flow has no callback.
//!
//! [`VendorError::InvalidRequest`]: crate::VendorError::InvalidRequest
//! [`VendorError::RateLimited`]: crate::VendorError::RateLimited
//! [`VendorError::Unauthorized`]: crate::VendorError::Unauthorized
//! [`VendorError::Unavailable`]: crate::VendorError::Unavailable
//! [`VendorError::Api`]: crate::VendorError::Api

mod client;
pub mod codes;
mod types;

pub use client::{sign, Signed, TencentFaceidClient, RATE_LIMIT_PER_SECOND};
pub use codes::{error_from, reason, ResultState, ERR_CODES};
pub use types::*;

#[cfg(test)]
mod golden;
