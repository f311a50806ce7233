//! facegate's browser and mini-program helper, published to npm as `facegate`.
//!
//! The pure parts (URL building, the device analysis, message parsing, the QR code, the polling
//! schedule) are plain Rust with native unit tests; `browser` gathers facts and talks to the
//! backend; `js` is the JavaScript surface, and `typescript` its hand-written types. Every human
//! text comes from `messages`, in zh-CN by default and in en on request.

pub mod aliyun;
#[macro_use]
mod codes;
pub mod device;
mod error;
pub mod messages;
pub mod miniprogram;
pub mod poll;
pub mod qr;
pub mod urls;

mod browser;
mod convert;
mod js;
pub mod read;
mod typescript;

/// Talc instead of the standard library's dlmalloc: the same job, single-threaded, in fewer
/// bytes of .wasm (README, "Size").
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub use error::{HelperError, Problem, ReturnUrlProblem};
pub use js::*;
