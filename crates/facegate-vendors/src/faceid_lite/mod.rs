//! Megvii FaceID Lite H5 through the Aliyun API market: `shared/seeds/004_3876bf03ac99d3b9.txt`,
//! section "H5接入流程": step 1 `get_biz_token`, step 2 the Lite URL
//! `{h5}/lite/v1/do/{biz_token}`, step 3 `get_result`, and the notify (`data` form field).
//!
//! - Every call carries `Authorization: APPCODE <code>` (the Aliyun market's key).
//! - `get_biz_token` is form-urlencoded, or multipart when `image_ref1` / `image_ref2` are sent
//!   (the seed types them `File`). Its arguments are checked here as the vendor checks them, so
//!   a bad one fails before a call is spent, with the vendor's own `BAD_ARGUMENTS:<key>` shape.
//! - HTTP errors: 400 `MISSING_ARGUMENTS:<key>` / `BAD_ARGUMENTS:<key>` become
//!   [`VendorError::InvalidRequest`] with `field = key`; 403 `AUTHORIZATION_ERROR:<why>`
//!   [`VendorError::Unauthorized`]; 413 [`VendorError::InvalidRequest`] (`REQUEST_ENTITY_TOO_LARGE`);
//!   429 `CONCURRENCY_LIMIT_EXCEEDED` [`VendorError::RateLimited`]; 5xx [`VendorError::Unavailable`].
//! - The verdict: `result_code` 1000 and, for every comparison the answer carries, `confidence`
//!   at or above the threshold that the session's `security_level` selects. The seed names the
//!   levels (1 宽松, 2 常规, 3 严格) and the thresholds (1e-3 .. 1e-6) but not how they pair;
//!   facegate uses 1 -> `1e-3`, 2 -> `1e-4`, 3 -> `1e-5` (VENDORS.md), and keeps the confidence
//!   and that threshold in [`Scores`](facegate_types::Scores).
//! - 9000 `LIVING_NOT_START` is not a verdict: the user has not finished (see [`ResultState`]).
//!
//! Laid out as every vendor: `types.rs` (the wire types, the request's arguments checked),
//! `codes.rs` (the result codes, the verdict, the HTTP error shapes), `client.rs`, `notify.rs`
//! and `golden.rs` (the seed's examples).
//!
//! [`VendorError::InvalidRequest`]: crate::VendorError::InvalidRequest
//! [`VendorError::RateLimited`]: crate::VendorError::RateLimited
//! [`VendorError::Unauthorized`]: crate::VendorError::Unauthorized
//! [`VendorError::Unavailable`]: crate::VendorError::Unavailable

mod client;
pub mod codes;
mod notify;
mod types;

pub use client::FaceidLiteClient;
pub use codes::{
    error_from, reason, ResultState, RESULT_CODES, RESULT_NOT_STARTED, RESULT_SUCCESS,
};
pub use notify::{Notify, NotifyError};
pub use types::*;

#[cfg(test)]
mod golden;
