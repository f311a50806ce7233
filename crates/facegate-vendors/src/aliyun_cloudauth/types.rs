//! The documented requests and answers of Cloudauth 2019-03-07 (金融级实人认证, H5 / PC web
//! integration), field names exactly as Alibaba spells them. Personal data (the name, the ID
//! number, the callback token) is [`Pii`].

use serde::{Deserialize, Serialize};
use url::Url;

use crate::wire::Pii;
use crate::VendorError;

/// The API version every call names (`x-acs-version`).
pub const API_VERSION: &str = "2019-03-07";
/// `ProductCode` of the H5 / PC web integration ("服务端集成", H5网页接入: `ID_PRO`).
pub const PRODUCT_CODE_H5: &str = "ID_PRO";
/// `CertType`: the only documented value, the mainland ID card.
pub const CERT_TYPE_IDENTITY_CARD: &str = "IDENTITY_CARD";
/// `OuterOrderNo`: "支持长度为32位的字母和数字组合".
pub const MAX_OUTER_ORDER_NO: usize = 32;

/// `InitFaceVerify`'s arguments for the H5 integration (the ones facegate sends; the rest of
/// the documented list, for App and server-only integrations, is not used).
#[derive(Clone, Debug, PartialEq)]
pub struct InitFaceVerifyRequest {
    /// `SceneId`: the scene created in the console (a Long).
    pub scene_id: u64,
    /// `OuterOrderNo`: the merchant's unique id of this certification, at most 32 letters and
    /// digits.
    pub outer_order_no: String,
    /// `CertName`.
    pub cert_name: Pii,
    /// `CertNo`: 18 characters.
    pub cert_no: Pii,
    /// `ReturnUrl`: where the page sends the browser when the user is done.
    pub return_url: Url,
    /// `CallbackUrl`: where Alibaba calls (GET) when the certification ends.
    pub callback_url: Url,
    /// `CallbackToken`: echoed in the callback as `callbackToken`, to tell a forged one.
    pub callback_token: Pii,
    /// `MetaInfo`: the JSON string the page got from `getMetaInfo()`.
    pub meta_info: String,
}

impl InitFaceVerifyRequest {
    /// The request's parameters, in Alibaba's names, after the checks Alibaba documents
    /// (`InvalidRequest` naming the parameter otherwise), so that a bad one costs no call.
    pub fn parameters(&self) -> Result<Vec<(&'static str, String)>, VendorError> {
        let bad = |field: &str, message: &str| {
            VendorError::invalid("401", message.to_owned(), Some(field.to_owned()))
        };
        if self.outer_order_no.is_empty()
            || self.outer_order_no.len() > MAX_OUTER_ORDER_NO
            || !self
                .outer_order_no
                .bytes()
                .all(|b| b.is_ascii_alphanumeric())
        {
            return Err(bad(
                "OuterOrderNo",
                "OuterOrderNo must be 1 to 32 letters and digits",
            ));
        }
        if self.cert_name.expose().trim().is_empty() {
            return Err(bad("CertName", "CertName is empty"));
        }
        if self.cert_no.expose().len() != 18 {
            return Err(bad("CertNo", "CertNo must be 18 characters"));
        }
        check_meta_info(&self.meta_info).map_err(|message| bad("MetaInfo", &message))?;
        Ok(vec![
            ("SceneId", self.scene_id.to_string()),
            ("OuterOrderNo", self.outer_order_no.clone()),
            ("ProductCode", PRODUCT_CODE_H5.to_owned()),
            ("CertType", CERT_TYPE_IDENTITY_CARD.to_owned()),
            ("CertName", self.cert_name.expose().to_owned()),
            ("CertNo", self.cert_no.expose().to_owned()),
            ("ReturnUrl", self.return_url.to_string()),
            ("CallbackUrl", self.callback_url.to_string()),
            ("CallbackToken", self.callback_token.expose().to_owned()),
            ("MetaInfo", self.meta_info.clone()),
        ])
    }
}

/// The MetaInfo checks: a JSON object (what `getMetaInfo()` returns, serialised), at most
/// 8 KiB. The documents only say it must come from the page's script and never be hard-coded;
/// the size bound is facegate's.
pub fn check_meta_info(meta_info: &str) -> Result<(), String> {
    if meta_info.len() > 8 * 1024 {
        return Err("MetaInfo is over 8 KiB".into());
    }
    match serde_json::from_str::<serde_json::Value>(meta_info) {
        Ok(serde_json::Value::Object(fields)) if !fields.is_empty() => Ok(()),
        Ok(_) => Err("MetaInfo must be the JSON object getMetaInfo() returns".into()),
        Err(_) => Err("MetaInfo is not JSON".into()),
    }
}

/// Every Cloudauth answer's envelope: `Code` "200" is success (business errors come with HTTP
/// 200 and another `Code`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Answer<T> {
    #[serde(rename = "RequestId")]
    pub request_id: String,
    #[serde(rename = "Code")]
    pub code: String,
    #[serde(rename = "Message", default)]
    pub message: Option<String>,
    #[serde(rename = "ResultObject", default = "none")]
    pub result_object: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}

/// `InitFaceVerify`'s `ResultObject`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InitFaceVerifyResult {
    /// `CertifyId`: the certification's handle, for `DescribeFaceVerify`.
    #[serde(rename = "CertifyId")]
    pub certify_id: String,
    /// `CertifyUrl`: the page the browser opens (valid 30 minutes, once).
    #[serde(rename = "CertifyUrl", default)]
    pub certify_url: Option<String>,
}

/// `DescribeFaceVerify`'s `ResultObject`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DescribeFaceVerifyResult {
    /// `Passed`: `T` passed, `F` did not. The verdict is this field.
    #[serde(rename = "Passed", default)]
    pub passed: Option<String>,
    /// `SubCode`: why (see [`super::SUB_CODES`]).
    #[serde(rename = "SubCode", default)]
    pub sub_code: Option<String>,
    /// `IdentityInfo`: empty in the usual scenes.
    #[serde(rename = "IdentityInfo", default)]
    pub identity_info: Option<String>,
    /// `DeviceToken`.
    #[serde(rename = "DeviceToken", default)]
    pub device_token: Option<String>,
    /// `DeviceRisk`: risk tags, comma separated (`ROOT,VPN,HOOK`).
    #[serde(rename = "DeviceRisk", default)]
    pub device_risk: Option<String>,
    /// `MaterialInfo`: a JSON string (face attack / occlusion results, `verifyScore`, picture
    /// locations).
    #[serde(rename = "MaterialInfo", default)]
    pub material_info: Option<String>,
}

impl DescribeFaceVerifyResult {
    /// The `DeviceRisk` tags, trimmed, empty ones dropped.
    pub fn device_risk_tags(&self) -> Vec<String> {
        self.device_risk
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|tag| !tag.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// `MaterialInfo.verifyScore` (0..100), where the answer carries it.
    pub fn verify_score(&self) -> Option<f64> {
        let material: serde_json::Value =
            serde_json::from_str(self.material_info.as_deref()?).ok()?;
        match &material["verifyScore"] {
            serde_json::Value::Number(n) => n.as_f64(),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// `DeleteFaceVerifyResult`'s `ResultObject`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeleteFaceVerifyResultResult {
    /// `DeleteResult`: `Y` deleted, `N` not.
    #[serde(rename = "DeleteResult", default)]
    pub delete_result: Option<String>,
    /// `FailReason`, when not deleted.
    #[serde(rename = "FailReason", default)]
    pub fail_reason: Option<String>,
}

/// The API gateway's error body (signature, access key, throttling, parameters): HTTP 4xx.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GatewayError {
    #[serde(rename = "RequestId", default)]
    pub request_id: Option<String>,
    #[serde(rename = "HostId", default)]
    pub host_id: Option<String>,
    #[serde(rename = "Code")]
    pub code: String,
    #[serde(rename = "Message", default)]
    pub message: Option<String>,
    #[serde(rename = "Recommend", default)]
    pub recommend: Option<String>,
}
