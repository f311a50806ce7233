//! Alibaba Cloud ID Verification (aliyun_cloudauth): the MetaInfo the server's create request
//! carries as `options.meta_info`. Alibaba's page script ([`META_INFO_SCRIPT`], "H5网页集成")
//! defines a global `getMetaInfo()` describing this browser and device; facegate passes what
//! it returns through unchanged, checked only for shape.

use crate::error::HelperError;
use crate::miniprogram::{Posted, Shape};

/// Alibaba's page script that defines `getMetaInfo()`.
pub const META_INFO_SCRIPT: &str = "https://o.alicdn.com/yd-cloudauth/cloudauth-cdn/jsvm_all.js";

/// The MetaInfo string as the server expects it: a non-empty JSON object, passed as given.
/// `text` is read through [`Posted`], so the browser's own JSON parser checks it (none is
/// compiled into the .wasm); the native tests read it through serde_json.
pub fn meta_info_text<V: Posted>(text: &V) -> Result<String, HelperError> {
    let object = text
        .parse_json()
        .is_some_and(|value| value.shape() == Shape::Object && value.has_properties());
    match text.string() {
        Some(text) if object => Ok(text),
        _ => Err(HelperError::UnexpectedResponse(
            "getMetaInfo() did not return a JSON object".into(),
        )),
    }
}
