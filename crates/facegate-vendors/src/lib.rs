//! Typed clients for the face verification vendors, one module per vendor.
//!
//! Each module holds the vendor's documented wire types, its client, and the mapping of its
//! result codes onto [`facegate_types::FailureReason`]. Usable on its own as a Rust SDK: every
//! base URL is a constructor argument, so a proxy or facegate-sandbox can stand in for a vendor.

pub mod baidu_h5;
pub mod baidu_smartapp;
mod error;
pub mod faceid_lite;
pub mod http;
pub mod oemcloud;
pub mod retry;
pub mod sandbox;
pub mod wechat_mini;
pub mod wire;

pub use error::VendorError;
