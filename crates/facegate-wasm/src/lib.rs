//! The browser and mini-program helper (filled in by the wasm helper issue).

use wasm_bindgen::prelude::*;

/// The helper's version, as published to npm.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
