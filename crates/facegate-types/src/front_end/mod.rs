//! The vendors' front-end tables, defined once: what a page or mini-program reads from a
//! vendor's callbacks and web-view messages, and the vendor pages it opens.
//!
//! I/O-free, like the rest of this crate: facegate-vendors (the Rust SDK) and facegate-wasm (the
//! browser helper) both use these definitions. The plain-JS mini-program adapter
//! (web/miniprogram/adapter.js) cannot share Rust code; it passes the same tables of cases as
//! the wasm helper instead (tests/cases/*.json).
//!
//! The functions the wasm helper calls are `#[inline]`, so it builds them into its own code as
//! when they were its own: without, its `.wasm` grew by about 0.3 KB gzip
//! (`scripts/bench-wasm-size.sh`).

pub mod oemcloud;
pub mod pages;
pub mod wechat_mini;
pub mod wechat_verify;
