//! The QR code of facegate's desktop-to-phone hand-off, as one SVG document (a rectangle and one
//! path: no raster, no script).
//!
//! Built on its own into `facegate_qr_bg.wasm` (scripts/wasm-build.sh), beside the helper's
//! `facegate_bg.wasm`: the helper's `qrCodeSvg` loads it the first time a page draws a QR code,
//! so pages that never hand off do not download the encoder (issue 16; README "Size"). The
//! helper reads `qrCodeSvg`'s options and turns this crate's [`QrError`] into its own
//! `FacegateError`, in the caller's language.
//!
//! The encoder is [qrcodegen](https://www.nayuki.io/page/qr-code-generator-library)'s no_std
//! edition (ISO/IEC 18004), in byte mode (a URL with lower-case letters is byte mode anyway) at
//! error-correction level M, raised where the version has room (qrcodegen's `encode_binary`):
//! up to 2,331 bytes fit. Built as the wasm module (the `module` feature, on wasm32) the crate
//! is `no_std`, so the module links none of the standard library's panic and formatting
//! machinery: a panic traps. Elsewhere it is a plain library over `alloc`.

#![cfg_attr(all(feature = "module", target_arch = "wasm32"), no_std)]

extern crate alloc;

use alloc::string::String;
use qrcodegen_no_heap::{QrCode, QrCodeEcc, Version};

/// The widest quiet zone drawn, in modules (a larger `border` is drawn as 16). The standard
/// asks for 4.
pub const MAX_BORDER: u8 = 16;

/// Why no QR code was drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QrError {
    /// The text is empty.
    Empty,
    /// The text does not fit in a QR code at level M (more than 2,331 bytes of a URL).
    TooLong,
    /// `dark` or `light` (the value) is not a CSS colour this crate writes into an attribute:
    /// letters, digits, `#(),.%` and spaces, 1 to 40 of them.
    Colour(&'static str),
}

impl QrError {
    /// The code the wasm module rejects with, which the helper maps back: `empty`,
    /// `too_long`, `dark` or `light` (the colour at fault).
    pub const fn code(self) -> &'static str {
        match self {
            QrError::Empty => "empty",
            QrError::TooLong => "too_long",
            QrError::Colour(field) => field,
        }
    }
}

/// Colours go into an attribute: only what CSS colour syntax needs is allowed.
fn check_colour(field: &'static str, colour: &str) -> Result<(), QrError> {
    let allowed = |b: &u8| b.is_ascii_alphanumeric() || b"#(),.% ".contains(b);
    if colour.is_empty() || colour.len() > 40 || !colour.as_bytes().iter().all(allowed) {
        return Err(QrError::Colour(field));
    }
    Ok(())
}

/// `text` (a vendor page URL) as an SVG QR code at error-correction level M: a `viewBox` of
/// the code's modules plus `border` modules of quiet zone on each side (at most
/// [`MAX_BORDER`]), the `light` background, and one path of unit squares filled `dark`.
///
/// # Errors
/// [`QrError::Empty`] for an empty text, [`QrError::Colour`] for a colour outside the allowed
/// characters, [`QrError::TooLong`] when the text does not fit.
pub fn svg(text: &str, border: u8, dark: &str, light: &str) -> Result<String, QrError> {
    if text.is_empty() {
        return Err(QrError::Empty);
    }
    check_colour("dark", dark)?;
    check_colour("light", light)?;
    // Byte mode, as a URL with lower-case letters is encoded anyway: no text analysis, so the
    // module links no string searching (README "Size").
    let mut data = [0; Version::MAX.buffer_len()];
    let mut modules = [0; Version::MAX.buffer_len()];
    let length = text.len();
    data.get_mut(..length)
        .ok_or(QrError::TooLong)?
        .copy_from_slice(text.as_bytes());
    let code = QrCode::encode_binary(
        &mut data,
        length,
        &mut modules,
        QrCodeEcc::Medium,
        Version::MIN,
        Version::MAX,
        None,
        true,
    )
    .map_err(|_| QrError::TooLong)?;
    let border = u32::from(border.min(MAX_BORDER));
    let size = code.size();
    let mut path = String::with_capacity(usize::try_from(size * size).unwrap_or(0) * 6);
    for y in 0..size {
        for x in 0..size {
            if code.get_module(x, y) {
                path.push('M');
                decimal(&mut path, x.unsigned_abs() + border);
                path.push(',');
                decimal(&mut path, y.unsigned_abs() + border);
                path.push_str("h1v1h-1z");
            }
        }
    }
    let mut extent = String::new();
    decimal(&mut extent, size.unsigned_abs() + border * 2);
    Ok([
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ",
        &extent,
        " ",
        &extent,
        "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\"><rect width=\"100%\" height=\"100%\" fill=\"",
        light,
        "\"/><path d=\"",
        &path,
        "\" fill=\"",
        dark,
        "\"/></svg>",
    ]
    .concat())
}

/// Appends `n` (a coordinate) in decimal, without the formatting machinery.
fn decimal(out: &mut String, n: u32) {
    if n >= 10 {
        decimal(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// The module's one export, for the helper's loader (crates/facegate-wasm/js/qr.js): the SVG,
/// or a rejection with [`QrError::code`].
#[cfg(all(feature = "module", target_arch = "wasm32"))]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = qrSvg)]
pub fn qr_svg(text: &str, border: u8, dark: &str, light: &str) -> Result<String, String> {
    use alloc::borrow::ToOwned;
    svg(text, border, dark, light).map_err(|error| error.code().to_owned())
}

/// A panic (none is expected: the encoder's checks are bounds checks) traps, without the
/// message formatting a standard library's handler would link.
#[cfg(all(feature = "module", target_arch = "wasm32"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Talc, as in the helper: the module allocates only the SVG's text.
#[cfg(all(feature = "module", target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use qrcodegen::{QrCode, QrCodeEcc};
    use std::format;

    #[test]
    fn draws_one_square_per_dark_module_inside_the_quiet_zone() {
        // Module by module what the heap edition of the encoder computes in byte mode, for
        // texts of several lengths (versions 2 to 40).
        let texts = [
            "http://127.0.0.1:8080/sandbox/h5/sbx_1?x=1",
            "HTTPS://FACEGATE.TEST/H/123",
            "0123456789",
            &["https://example.com/?q=", &"中".repeat(700)].concat(),
        ];
        for text in texts {
            let svg = svg(text, 4, "#000", "#fff").unwrap();
            let code = QrCode::encode_binary(text.as_bytes(), QrCodeEcc::Medium).unwrap();
            let squares: String = (0..code.size())
                .flat_map(|y| (0..code.size()).map(move |x| (x, y)))
                .filter(|(x, y)| code.get_module(*x, *y))
                .map(|(x, y)| format!("M{},{}h1v1h-1z", x + 4, y + 4))
                .collect();
            let extent = code.size() + 8;
            let expected = format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {extent} {extent}\" \
                 shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\">\
                 <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\
                 <path d=\"{squares}\" fill=\"#000\"/></svg>"
            );
            assert_eq!(svg, expected, "{text}");
        }
    }

    #[test]
    fn the_border_is_capped_and_coordinates_have_several_digits() {
        let svg = svg("https://example.com/", 255, "#000", "#fff").unwrap();
        let code = QrCode::encode_binary(b"https://example.com/", QrCodeEcc::Medium).unwrap();
        let extent = code.size() + 2 * i32::from(MAX_BORDER);
        assert!(svg.contains(&format!("viewBox=\"0 0 {extent} {extent}\"")));
        assert!(svg.contains("M16,16h1v1h-1z"));
        let none = super::svg("https://example.com/", 0, "#000", "#fff").unwrap();
        assert!(none.contains("M0,0h1v1h-1z"));
    }

    #[test]
    fn rejects_empty_text_bad_colours_and_text_too_long() {
        assert_eq!(svg("", 4, "#000", "#fff"), Err(QrError::Empty));
        assert_eq!(
            svg("x", 4, "red\" onload=\"x", "#fff"),
            Err(QrError::Colour("dark"))
        );
        assert_eq!(svg("x", 4, "#000", ""), Err(QrError::Colour("light")));
        assert_eq!(
            svg("x", 4, "#000", &"f".repeat(41)),
            Err(QrError::Colour("light"))
        );
        assert!(svg("x", 4, "rgb(0, 0, 0)", "hsl(0,0%,100%)").is_ok());
        assert_eq!(
            svg(&"x".repeat(3000), 4, "#000", "#fff"),
            Err(QrError::TooLong)
        );
        // The limit at level M: 2,331 bytes in byte mode.
        assert!(svg(&"x".repeat(2331), 4, "#000", "#fff").is_ok());
        assert_eq!(
            svg(&"x".repeat(2332), 4, "#000", "#fff"),
            Err(QrError::TooLong)
        );
        let codes: Vec<_> = [QrError::Empty, QrError::TooLong, QrError::Colour("dark")]
            .iter()
            .map(|e| e.code())
            .collect();
        assert_eq!(codes, ["empty", "too_long", "dark"]);
    }
}
