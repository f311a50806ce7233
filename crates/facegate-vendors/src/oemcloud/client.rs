//! The reqwest client: `POST {base}/v2/identity/auth/api/individual/face` with the APPCODE and
//! a fresh nonce per request.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::AUTHORIZATION;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::codes;
use super::types::*;
use crate::http;
use crate::VendorError;

/// The vendor label of this module's calls (logs and metrics).
const VENDOR: &str = "oemcloud";

/// The nonce header.
pub const NONCE_HEADER: &str = "X-Ca-Nonce";
/// The nonce's documented validity.
pub const NONCE_VALIDITY: Duration = Duration::from_secs(15 * 60);

/// An OEMCloud client.
#[derive(Clone)]
pub struct OemcloudClient {
    http: reqwest::Client,
    api_base: Url,
    appcode: SecretString,
    last_nonce: Arc<AtomicI64>,
}

impl std::fmt::Debug for OemcloudClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OemcloudClient")
            .field("api_base", &self.api_base.as_str())
            .field("appcode", &"<redacted>")
            .finish()
    }
}

impl OemcloudClient {
    /// `api_base`: `https://auth.csapi.com.cn`.
    pub fn new(http: reqwest::Client, api_base: Url, appcode: SecretString) -> Self {
        Self {
            http,
            api_base,
            appcode,
            last_nonce: Arc::new(AtomicI64::new(0)),
        }
    }

    /// Now in ms, strictly greater than every nonce this client sent before.
    pub fn next_nonce(&self) -> i64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let mut last = self.last_nonce.load(Ordering::Relaxed);
        loop {
            let next = now.max(last + 1);
            match self.last_nonce.compare_exchange_weak(
                last,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return next,
                Err(actual) => last = actual,
            }
        }
    }

    /// Starts one person's face auth; the answer holds the links (and faceToken for WeChat).
    pub async fn start_face_auth(
        &self,
        request: &FaceAuthRequest,
    ) -> Result<FaceAuthData, VendorError> {
        let mut url = self.api_base.clone();
        url.path_segments_mut()
            .map_err(|_| VendorError::Decode("the base URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(["v2", "identity", "auth", "api", "individual", "face"]);
        let request = self
            .http
            .post(url)
            .header(
                AUTHORIZATION,
                format!("APPCODE {}", self.appcode.expose_secret()),
            )
            .header(NONCE_HEADER, self.next_nonce().to_string())
            .json(request);
        let answer: FaceAuthAnswer =
            http::exchange(VENDOR, "individual_face", request, codes::error_body)
                .await?
                .json()?;
        answer
            .data
            .ok_or_else(|| VendorError::Decode("code 0 without data".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_strictly_increase() {
        let client = OemcloudClient::new(
            reqwest::Client::new(),
            Url::parse("https://auth.csapi.com.cn").unwrap(),
            SecretString::from("code"),
        );
        let nonces: Vec<i64> = (0..100).map(|_| client.next_nonce()).collect();
        assert!(nonces.windows(2).all(|w| w[0] < w[1]));
        assert!(!format!("{client:?}").contains("code\""));
    }
}
