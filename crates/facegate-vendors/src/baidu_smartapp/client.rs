//! The reqwest client: faceauthen and setexempt, each with the authorised program's access
//! token.

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::codes::{self, Call};
use super::types::{Exemption, FaceAuthen};
use crate::http;
use crate::VendorError;

/// The vendor label of this module's calls (logs and metrics).
const VENDOR: &str = "baidu_smartapp";

/// Path of the QR-code call under the openapi base.
pub const FACEAUTHEN_PATH: &str = "rest/2.0/smartapp/auth/faceauthen";
/// Path of the fee-exemption call under the openapi base.
pub const SETEXEMPT_PATH: &str = "rest/2.0/smartapp/auth/setexempt";

/// A client of Baidu's smart-program openapi.
#[derive(Clone, Debug)]
pub struct SmartappClient {
    http: reqwest::Client,
    base: Url,
}

impl SmartappClient {
    /// `openapi_base` is `https://openapi.baidu.com` in production (or a sandbox's
    /// `/baidu/openapi`).
    pub fn new(http: reqwest::Client, openapi_base: Url) -> Self {
        let mut base = openapi_base;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Self { http, base }
    }

    fn url(&self, path: &str, access_token: &SecretString) -> Result<Url, VendorError> {
        let mut url = self
            .base
            .join(path)
            .map_err(|_| VendorError::Decode(format!("bad openapi path {path}")))?;
        url.query_pairs_mut()
            .append_pair("access_token", access_token.expose_secret());
        Ok(url)
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        call: Call,
        access_token: &SecretString,
    ) -> Result<T, VendorError> {
        let request = self.http.get(self.url(path, access_token)?);
        let reply = http::exchange(VENDOR, call.name(), request, codes::error_body(call)).await?;
        codes::into_result(reply.json()?, call)
    }

    /// 人脸识别调起二维码: a QR code for the legal person, and the task's state. Call it again
    /// to follow the state (the QR code is renewed after `timeout`).
    pub async fn faceauthen(&self, access_token: &SecretString) -> Result<FaceAuthen, VendorError> {
        self.get(FACEAUTHEN_PATH, Call::FaceAuthen, access_token)
            .await
    }

    /// 认证收费豁免: after the legal person passed; free if the program is published within
    /// 60 days. A second call is [`VendorError::Conflict`] carrying the vendor's message.
    pub async fn set_exempt(&self, access_token: &SecretString) -> Result<Exemption, VendorError> {
        self.get(SETEXEMPT_PATH, Call::SetExempt, access_token)
            .await
    }
}
