//! The cross-device hand-off's QR code, as one SVG path (no raster, no script).

use crate::error::{HelperError, Problem};
use crate::miniprogram::Posted;
use crate::read::Strict;
use qrcodegen::{QrCode, QrCodeEcc};

/// How the QR code is drawn.
#[derive(Clone, Debug)]
pub struct QrOptions {
    /// Quiet zone in modules; the standard asks for 4.
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

/// Colours go into an attribute: allow only what CSS colour syntax needs.
fn check_colour(field: &'static str, colour: &str) -> Result<(), HelperError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "#(),.% ".contains(c);
    if colour.is_empty() || colour.len() > 40 || !colour.chars().all(allowed) {
        return Err(HelperError::invalid(field, Problem::CssColour));
    }
    Ok(())
}

/// `text` (a vendor page URL) as an SVG QR code at error-correction level M.
pub fn qr_svg(text: &str, options: &QrOptions) -> Result<String, HelperError> {
    if text.is_empty() {
        return Err(HelperError::invalid("text", Problem::Empty));
    }
    check_colour("dark", &options.dark)?;
    check_colour("light", &options.light)?;
    let code = QrCode::encode_text(text, QrCodeEcc::Medium).map_err(|_| HelperError::QrTooLong)?;
    let border = i32::from(options.border.min(16));
    let size = code.size();
    let extent = size + border * 2;
    let mut path = String::with_capacity(usize::try_from(size * size).unwrap_or(0) * 6);
    for y in 0..size {
        for x in 0..size {
            if code.get_module(x, y) {
                path.extend(["M", &coordinate(x + border), ",", &coordinate(y + border)]);
                path.push_str("h1v1h-1z");
            }
        }
    }
    let extent = coordinate(extent);
    Ok([
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ",
        &extent,
        " ",
        &extent,
        "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\"><rect width=\"100%\" height=\"100%\" fill=\"",
        &options.light,
        "\"/><path d=\"",
        &path,
        "\" fill=\"",
        &options.dark,
        "\"/></svg>",
    ]
    .concat())
}

/// A module's coordinate (never negative) in decimal, without the formatting machinery.
fn coordinate(n: i32) -> String {
    crate::messages::decimal(u64::try_from(n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_one_square_per_dark_module_inside_the_quiet_zone() {
        let text = "http://127.0.0.1:8080/sandbox/h5/sbx_1?x=1";
        let svg = qr_svg(text, &QrOptions::default()).unwrap();
        let code = QrCode::encode_text(text, QrCodeEcc::Medium).unwrap();
        let dark = (0..code.size())
            .flat_map(|y| (0..code.size()).map(move |x| (x, y)))
            .filter(|(x, y)| code.get_module(*x, *y))
            .count();
        assert_eq!(svg.matches('M').count(), dark);
        let extent = code.size() + 8;
        assert!(svg.contains(&format!("viewBox=\"0 0 {extent} {extent}\"")));
        // The top-left finder pattern's corner sits just inside the border.
        assert!(svg.contains("M4,4h1v1h-1z"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn rejects_empty_text_bad_colours_and_text_too_long() {
        assert_eq!(
            qr_svg("", &QrOptions::default()).unwrap_err().code(),
            "invalid_argument"
        );
        let options = QrOptions {
            dark: "red\" onload=\"x".into(),
            ..QrOptions::default()
        };
        assert_eq!(qr_svg("x", &options).unwrap_err().field(), Some("dark"));
        let long = "x".repeat(3000);
        assert_eq!(
            qr_svg(&long, &QrOptions::default()).unwrap_err().code(),
            "qr_too_long"
        );
    }
}
