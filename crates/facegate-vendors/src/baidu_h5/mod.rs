//! Baidu AI H5 人脸实名认证 (seed 001, `shared/seeds/001_81b2276fa6fbda95.txt`: 一、方案功能接口,
//! 二、验证后查询接口 and 三、常见问题).
//!
//! The flow, with [`BaiduH5Client`]:
//! 1. [`BaiduH5Client::generate_verify_token`] (`verifyToken/generate`, the plan's token for one
//!    user, valid 2 hours);
//! 2. in the plan's 指定用户 mode, [`BaiduH5Client::submit_id_card`] (`idcard/submit`,
//!    certificate type 0 or 4); in its 自建人脸库 mode, [`BaiduH5Client::upload_match_image`]
//!    (`uploadMatchImage`, the image checked against 10 MB and 1920x1080 first, see
//!    [`MatchImage`]);
//! 3. send the browser to [`BaiduH5Client::page_url`]
//!    (`{h5}/face/print/?token=&successUrl=&failedUrl=`, each value percent-encoded);
//! 4. when the browser comes back (or later), [`BaiduH5Client::confirm`]: `result/detail`
//!    decides, `result/getall` adds the threshold; both answer for 3 days after the
//!    verification.
//!
//! The merchant's extras: `result/simple` (the face image), `result/stat`,
//! `result/media/query` (videos and images, kept 1 day), `result/getall` (attempts and charges).
//!
//! Access token: `POST {aip}/oauth/2.0/token?grant_type=client_credentials&client_id&
//! client_secret`, 30 days; cached in a [`TokenCache`], replaced a day before expiry, and on
//! 110 / 111 refreshed once with the call retried once. Codes and their reasons: [`codes`].
//!
//! Laid out as every vendor: `types.rs` (the wire types and [`MatchImage`]), `codes.rs` (the
//! codes, the error shape inside a 200 answer, the verdict), `client.rs`, and `golden.rs` (the
//! seed's JSON examples). Baidu H5 has no notify: the return and the reconciler ask.
//!
//! Where the seed is ambiguous: plan_id is sent as a string (its table) though the example
//! shows a number; the verify_token error (Token无效或者已过期) has no documented number and is
//! recognised by its message; detail's failure answer is read as `success: false` with the
//! attempt's `error_code` / `error_msg`; the resolution limit is a box in either orientation.

mod client;
pub mod codes;
mod types;

pub use crate::token::{AccessToken, MemoryTokenCache, TokenCache};
pub use client::{
    page_url, paths, BaiduH5Client, Credentials, DEFAULT_TOKEN_LIFETIME, FACEPRINT_PATH, PAGE_PATH,
    REFRESH_MARGIN, TOKEN_PATH,
};
pub use codes::{attempt_result, DetailOutcome};
pub use types::*;

#[cfg(test)]
mod golden;
