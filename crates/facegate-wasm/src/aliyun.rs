//! Alibaba Cloud ID Verification (aliyun_cloudauth): the MetaInfo the server's create request
//! carries as `options.meta_info`. Alibaba's page script ([`META_INFO_SCRIPT`], "H5网页集成")
//! defines a global `getMetaInfo()` describing this browser and device; facegate passes what
//! it returns through unchanged, checked only for shape.

use crate::error::HelperError;

/// Alibaba's page script that defines `getMetaInfo()`.
pub const META_INFO_SCRIPT: &str = "https://o.alicdn.com/yd-cloudauth/cloudauth-cdn/jsvm_all.js";

/// The MetaInfo string as the server expects it: a non-empty JSON object, passed as given.
pub fn meta_info_text(text: &str) -> Result<String, HelperError> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(fields)) if !fields.is_empty() => Ok(text.to_owned()),
        _ => Err(HelperError::UnexpectedResponse(
            "getMetaInfo() did not return a JSON object".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_info_is_passed_as_given_when_it_is_an_object() {
        let text = r#"{"zimVer":"3.0.0","deviceType":"h5"}"#;
        assert_eq!(meta_info_text(text).unwrap(), text);
        for bad in ["", "null", "[]", "{}", "\"x\"", "not json"] {
            assert_eq!(
                meta_info_text(bad).unwrap_err().code(),
                "unexpected_response",
                "{bad}"
            );
        }
        assert_eq!(
            HelperError::MissingScript(META_INFO_SCRIPT).code(),
            "missing_script"
        );
    }
}
