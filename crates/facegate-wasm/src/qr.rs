//! The cross-device hand-off's QR code: `qrCodeSvg`'s options, read here; the drawing done by
//! the facegate-qr crate's module (`facegate_qr_bg.wasm`), which `js/qr.js` loads the first
//! time a page draws a QR code (README "Size"). Its rejections come back as [`HelperError`]s.

use wasm_bindgen::prelude::*;

use crate::error::{HelperError, Problem};
use crate::miniprogram::Posted;
use crate::read::Strict;

#[wasm_bindgen(module = "/js/qr.js")]
extern "C" {
    /// Loads the QR module once, then draws: resolves to the SVG; rejects with the module's
    /// code (`empty`, `too_long`, `dark`, `light`) or `{unavailable: <the browser's words>}`.
    #[wasm_bindgen(js_name = qrSvg)]
    fn qr_svg(text: &str, border: u8, dark: &str, light: &str) -> js_sys::Promise;
}

/// How the QR code is drawn.
#[derive(Clone, Debug)]
pub struct QrOptions {
    /// Quiet zone in modules; the standard asks for 4, and more than 16 is drawn as 16.
    pub border: u8,
    /// A CSS colour for the dark modules.
    pub dark: String,
    /// A CSS colour for the background.
    pub light: String,
}

impl Default for QrOptions {
    fn default() -> Self {
        Self {
            border: 4,
            dark: "#000".into(),
            light: "#fff".into(),
        }
    }
}

impl QrOptions {
    /// Reads `qrCodeSvg`'s `options` (`border` 0 to 255, `dark`, `light`) strictly; absent or
    /// `null`: the defaults.
    pub fn read<V: Posted>(value: Option<&V>) -> Result<Self, HelperError> {
        let defaults = Self::default();
        let Some(options) = Strict::optional(value, "options")? else {
            return Ok(defaults);
        };
        Ok(Self {
            border: options
                .integer("border", u8::MAX.into())?
                .map_or(defaults.border, |border| border as u8),
            dark: options.string("dark")?.unwrap_or(defaults.dark),
            light: options.string("light")?.unwrap_or(defaults.light),
        })
    }
}

/// Draws `text` with `options` through the QR module (loading it the first time).
pub(crate) fn draw(text: &str, options: &QrOptions) -> js_sys::Promise {
    qr_svg(text, options.border, &options.dark, &options.light)
}

/// The helper's error for a rejection of [`draw`].
pub(crate) fn error(rejection: &JsValue) -> HelperError {
    if let Some(code) = rejection.as_string() {
        return module_error(&code);
    }
    let words = crate::convert::get(rejection, "unavailable").as_string();
    HelperError::QrUnavailable(words.unwrap_or_default())
}

/// The helper's error for one of the QR module's codes (`facegate_qr::QrError::code`).
pub fn module_error(code: &str) -> HelperError {
    match code {
        "empty" => HelperError::invalid("text", Problem::Empty),
        "too_long" => HelperError::QrTooLong,
        "dark" => HelperError::invalid("dark", Problem::CssColour),
        "light" => HelperError::invalid("light", Problem::CssColour),
        other => HelperError::UnexpectedResponse(["the QR module answered ", other].concat()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_qr_module_maps_to_the_helpers_error() {
        let errors = [
            facegate_qr::QrError::Empty,
            facegate_qr::QrError::TooLong,
            facegate_qr::QrError::Colour("dark"),
            facegate_qr::QrError::Colour("light"),
        ]
        .map(|error| module_error(error.code()));
        let codes: Vec<_> = errors.iter().map(|e| (e.code(), e.field())).collect();
        assert_eq!(
            codes,
            [
                ("invalid_argument", Some("text")),
                ("qr_too_long", None),
                ("invalid_argument", Some("dark")),
                ("invalid_argument", Some("light")),
            ]
        );
        assert_eq!(module_error("?").code(), "unexpected_response");
    }
}
