//! The vendors' user pages, built from their parts with every value percent-encoded, and the
//! query rule they share with facegate's landing URL (tests/cases/return_urls.json).
//!
//! - Baidu H5: `{page}?token=..&successUrl=..&failedUrl=..` (`shared/seeds/
//!   001_81b2276fa6fbda95.txt`, 一、方案功能接口; VENDORS.md "The user's page").
//! - FaceID Lite: `{host}/lite/v1/do/{biz_token}` (`shared/seeds/004_3876bf03ac99d3b9.txt`,
//!   H5接入流程 第2步：拼接URL并调用).

/// Baidu's H5 host.
pub const BAIDU_H5_HOST: &str = "https://brain.baidu.com";
/// The user's page under the H5 host.
pub const BAIDU_H5_PAGE_PATH: &str = "face/print/";
/// Baidu's own page: [`BAIDU_H5_HOST`] and [`BAIDU_H5_PAGE_PATH`].
pub const BAIDU_H5_PAGE: &str = "https://brain.baidu.com/face/print/";
/// FaceID Lite's H5 host.
pub const FACEID_LITE_HOST: &str = "https://openapi.faceid.com";
/// The Lite page under the H5 host, followed by the biz_token.
pub const FACEID_LITE_PAGE_PATH: &str = "lite/v1/do/";

/// `page` with `token`, `successUrl` and `failedUrl` set in its query (see [`append_query`]):
/// Baidu sends the browser to one of the two URLs when the flow ends.
#[inline]
pub fn baidu_h5_page_url(
    page: &str,
    verify_token: &str,
    success_url: &str,
    failed_url: &str,
) -> String {
    append_query(
        page,
        &[
            ("token", verify_token),
            ("successUrl", success_url),
            ("failedUrl", failed_url),
        ],
    )
}

/// `{host}/lite/v1/do/{biz_token}`, the biz_token one path segment (its comma kept, as the
/// seed's example shows it).
#[inline]
pub fn faceid_lite_page_url(host: &str, biz_token: &str) -> String {
    [
        host.trim_end_matches('/'),
        "/",
        FACEID_LITE_PAGE_PATH,
        &encode_path_segment(biz_token),
    ]
    .concat()
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so the value survives as
/// one query parameter whatever it holds (`&`, `#`, `=`, spaces, Chinese).
#[inline]
pub fn encode_component(value: &str) -> String {
    encode(value, |b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Percent-encodes a path segment, keeping RFC 3986's sub-delimiters: FaceID's biz_token holds
/// a comma and its documented Lite URL shows it unescaped (seed 004).
#[inline]
pub fn encode_path_segment(value: &str) -> String {
    encode(value, |b| {
        b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b)
    })
}

#[inline]
fn encode(value: &str, keep: impl Fn(u8) -> bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for &byte in value.as_bytes() {
        if keep(byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

/// Decodes a query component: `+` is a space (form encoding, which facegate's redirect uses)
/// and `%XX` a byte; the bytes must be UTF-8.
#[inline]
pub fn decode_component(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(index + 1..index + 3)?;
                let high = char::from(hex[0]).to_digit(16)?;
                let low = char::from(hex[1]).to_digit(16)?;
                out.push(u8::try_from(high * 16 + low).ok()?);
                index += 2;
            }
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8(out).ok()
}

/// `url` with `pairs` set in its query, before any fragment. The query's own segments are
/// kept byte for byte, in order (`%20` stays `%20`, `+` stays `+`, empty and bare ones too),
/// except those whose decoded key is one of the `pairs`' keys, which are dropped; then each
/// pair is appended, percent-encoded. An empty query (`?` alone) has no segments. This is the
/// rule of tests/cases/return_urls.json, which facegate's server follows too.
#[inline]
pub fn append_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let (path, query) = base.split_once('?').unwrap_or((base, ""));
    let replaced = |segment: &str| {
        let key = segment.split_once('=').map_or(segment, |(key, _)| key);
        decode_component(key).is_some_and(|key| pairs.iter().any(|(name, _)| *name == key))
    };
    // Written straight into one string (no `format!`, no list of segments): the wasm helper
    // builds its vendor URLs with this too.
    let mut out = String::with_capacity(url.len() + 64);
    out.push_str(path);
    let mut separator = '?';
    let kept = query
        .split('&')
        .filter(|_| !query.is_empty())
        .filter(|segment| !replaced(segment));
    for segment in kept {
        out.push(separator);
        out.push_str(segment);
        separator = '&';
    }
    for (key, value) in pairs {
        out.push(separator);
        out.push_str(&encode_component(key));
        out.push('=');
        out.push_str(&encode_component(value));
        separator = '&';
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const AWKWARD: &str = "https://shop.example/done?a=1&b=二#x";

    #[test]
    fn components_survive_ampersands_hashes_spaces_and_chinese() {
        let spaced = format!("{AWKWARD} y");
        let encoded = encode_component(&spaced);
        assert!(!encoded.contains(['&', '#', ' ', '?', '=', '/']));
        assert_eq!(decode_component(&encoded).as_deref(), Some(spaced.as_str()));
        assert_eq!(encode_component("张三"), "%E5%BC%A0%E4%B8%89");
        assert_eq!(decode_component("a+b%20c").as_deref(), Some("a b c"));
        assert_eq!(decode_component("%E5%BC"), None, "truncated UTF-8");
        assert_eq!(decode_component("%G1"), None);
        assert_eq!(decode_component("%4"), None);
    }

    #[test]
    fn the_pages_are_the_seeds() {
        assert_eq!(
            BAIDU_H5_PAGE,
            format!("{BAIDU_H5_HOST}/{BAIDU_H5_PAGE_PATH}")
        );
        let baidu = baidu_h5_page_url(BAIDU_H5_PAGE, "tok en&1", AWKWARD, "https://f.example/");
        assert_eq!(
            baidu,
            "https://brain.baidu.com/face/print/?token=tok%20en%261\
             &successUrl=https%3A%2F%2Fshop.example%2Fdone%3Fa%3D1%26b%3D%E4%BA%8C%23x\
             &failedUrl=https%3A%2F%2Ff.example%2F"
        );
        // A page with its own query keeps it; the three parameters are set, not repeated.
        assert_eq!(
            baidu_h5_page_url("http://127.0.0.1:9/h5/?lang=zh&token=old", "t", "s", "f"),
            "http://127.0.0.1:9/h5/?lang=zh&token=t&successUrl=s&failedUrl=f"
        );
        // Seed 004 step 2, and a sandbox host with a path.
        assert_eq!(
            faceid_lite_page_url(
                FACEID_LITE_HOST,
                "1462257147,34fb21937e47ae719f11cbc719615687"
            ),
            "https://openapi.faceid.com/lite/v1/do/1462257147,34fb21937e47ae719f11cbc719615687"
        );
        assert_eq!(
            faceid_lite_page_url("http://127.0.0.1:1/sandbox/faceid/", "a/b#c d&中"),
            "http://127.0.0.1:1/sandbox/faceid/lite/v1/do/a%2Fb%23c%20d&%E4%B8%AD"
        );
    }
}
