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

/// Where `needle` first occurs in `haystack`, as a byte offset; `None` when it does not (an
/// empty needle is found at 0).
///
/// A plain byte-window search in place of `str::find(&str)` / `str::contains(&str)`: for the
/// short user agents and callback messages the helper reads it is as fast, and the helper's
/// `.wasm` then links neither core's Two-Way `StrSearcher` nor the string-slicing panic it
/// formats with `char`'s `Debug` and the Unicode printable tables (README "Size").
#[inline]
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())
}

/// Whether `needle` occurs in `haystack` (see [`find`]).
#[inline]
pub fn contains(haystack: &str, needle: &str) -> bool {
    find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The same answer as `str::find` on any text, multi-byte characters included (UTF-8
        /// is self-synchronising: a needle's first byte only matches at a character boundary).
        #[test]
        fn find_agrees_with_str_find(haystack in "[a-cé中 ]{0,12}", needle in "[a-cé中 ]{0,3}") {
            prop_assert_eq!(super::find(&haystack, &needle), haystack.find(needle.as_str()));
            prop_assert_eq!(super::contains(&haystack, &needle), haystack.contains(needle.as_str()));
        }
    }

    #[test]
    fn finds_the_markers_the_helper_reads() {
        let ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_4 like Mac OS X) MicroMessenger/8.0.40";
        assert_eq!(super::find(ua, "iPhone OS "), Some(25));
        assert!(super::contains(ua, "MicroMessenger"));
        assert!(!super::contains(ua, "AlipayClient"));
        assert!(!super::contains("cance", "cancel"));
    }
}
