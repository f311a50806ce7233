//! e-sign OEMCloud personal face real-name auth: `shared/seeds/002_d081a07c7b03759c.txt`
//! (接口, 请求头, 请求参数, 响应参数, 错误码, 支付宝小程序对接说明) and VENDORS.md's oemcloud section.
//!
//! - `POST {base}/v2/identity/auth/api/individual/face` with `Authorization: APPCODE <code>` and
//!   `X-Ca-Nonce: <now in ms>` (valid 15 minutes, anti-replay): a fresh, strictly increasing
//!   nonce per request, so two calls in one millisecond still differ.
//! - Error codes ([`ERROR_CODES`]): 30500101 parameter errors become
//!   [`VendorError::InvalidRequest`] with the field named from the message; 30500116 (stray
//!   spaces) too, without a field; 30503059 (under 14) [`VendorError::Refused`] naming idNo;
//!   30500000 and 30503107 [`VendorError::Api`]. Each
//!   maps onto a [`FailureReason`] ([`reason`]); [`failure_of`] turns a create error that
//!   decides the person (underage, balance) into a failed result.
//! - No result query is documented: the notify and the callback redirect are the only
//!   signals, so results built here say `confirmed_by: notify`. The seed does not document
//!   their bodies; facegate reads (and the sandbox sends) the shape of e-sign's open-platform
//!   callbacks: a JSON POST `{"flowId", "contextId", "success", "message", "timestamp"}` to
//!   notifyUrl, signed with the app secret (facegate requires it: the notify is the verdict) (`X-Tsign-Open-TIMESTAMP` in ms,
//!   `X-Tsign-Open-SIGNATURE` = hex HMAC-SHA256(secret, timestamp, then the query values sorted
//!   by name, then the raw body), `X-Tsign-Open-SIGNATURE-ALGORITHM: hmac-sha256`), and a redirect to
//!   callbackUrl with `flowId`, `contextId` and `passed=true|false` added to its query. Field
//!   names are read in camelCase or snake_case; `success`/`passed` as booleans or strings.
//! - The Alipay mini-program web-view posts `detail: {type, token, url, authFlowId}`:
//!   [`WebViewMessage`] (`IDENTITY_ALI_FACE_AWAKE`, `RN_DONE`, anything else ignored with its type).
//!
//! Laid out as every vendor: `types.rs` (the wire types and the next action),
//! `codes.rs` (the error codes, the error shapes of the answer and of the Aliyun gateway),
//! `client.rs`, `notify.rs` (the notify, the callback redirect and the web-view messages) and
//! `golden.rs` (the seed's JSON examples).
//!
//! [`VendorError::Api`]: crate::VendorError::Api
//! [`VendorError::InvalidRequest`]: crate::VendorError::InvalidRequest
//! [`VendorError::Refused`]: crate::VendorError::Refused
//! [`FailureReason`]: facegate_types::FailureReason

mod client;
pub mod codes;
mod notify;
mod types;

pub use client::{OemcloudClient, NONCE_HEADER, NONCE_VALIDITY};
pub use codes::{
    error, failure_of, field_from_message, reason, CODE_BALANCE, CODE_GENERIC, CODE_PARAMETER,
    CODE_SPACES, CODE_UNDERAGE, ERROR_CODES,
};
pub use notify::{
    sign, verify_signature, ApVerifyStatus, CallbackQuery, Notify, NotifyError, WebViewMessage,
    WebViewMessageType,
};
pub use types::*;

#[cfg(test)]
mod golden;
