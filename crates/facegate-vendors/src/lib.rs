//! Typed clients for the face verification vendors, one module per vendor.
//!
//! Every vendor is laid out the same way: `<vendor>/mod.rs` (the seed or public document it
//! implements, the flow, its public names), `types.rs` (the documented wire types), `codes.rs`
//! (its codes onto [`facegate_types::FailureReason`], its documented error shape onto
//! [`VendorError`], the verdict), `client.rs` (the reqwest client), `notify.rs` (callbacks,
//! pushes, web-view messages, where the vendor has them) and `golden.rs` (tests over the seed's
//! examples). The generic `sandbox` is one small module.
//!
//! What they share: [`http`] (the one send -> decode path: request id, metrics, 429 /
//! `Retry-After` / 5xx / timeouts), [`token`] (the access-token cache), [`retry`], [`wire`]
//! and [`VendorError`]. Usable on its own as a Rust SDK: every base URL is a constructor
//! argument, so a proxy or facegate-sandbox can stand in for a vendor. The vendors' front-end
//! tables (what a page reads from their callbacks) are facegate-types' `front_end`, shared with
//! the wasm helper, and re-exported by the vendors they belong to.

pub mod aliyun_cloudauth;
pub mod baidu_h5;
pub mod baidu_smartapp;
mod error;
pub mod faceid_lite;
pub mod http;
pub mod oemcloud;
pub mod retry;
pub mod sandbox;
pub mod tencent_faceid;
pub mod token;
pub mod wechat_mini;
pub mod wechat_verify;
pub mod wire;

pub use error::VendorError;
