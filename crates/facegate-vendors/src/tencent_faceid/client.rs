//! The reqwest client (DetectAuth, GetDetectInfoEnhanced), and API 3.0's TC3-HMAC-SHA256
//! signing ([`sign`]), implemented once, here.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use hmac::{Hmac, Mac};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};
use url::Url;

use super::codes;
use super::types::*;
use crate::http;
use crate::wire::Pii;
use crate::VendorError;

/// The vendor label of this module's calls (logs and metrics).
const VENDOR: &str = "tencent_faceid";
/// The documented default request limit of DetectAuth and GetDetectInfoEnhanced, per second.
pub const RATE_LIMIT_PER_SECOND: u32 = 100;
/// The body's content type, signed as sent.
const CONTENT_TYPE_JSON: &str = "application/json; charset=utf-8";
/// The signing algorithm's name.
const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// A signed request's parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// The `Authorization` header's value.
    pub authorization: String,
    /// The UTC date of the timestamp (`2019-02-25`), the credential scope's first part.
    pub date: String,
    /// The hex signature.
    pub signature: String,
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The UTC calendar date (`YYYY-MM-DD`) of a UNIX timestamp (days-from-civil, inverted).
fn utc_date(timestamp: i64) -> String {
    let days = timestamp.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Signs a `POST /` with a JSON `payload` as API 3.0's "签名方法 v3" specifies: the canonical
/// request (method, URI `/`, empty query, the `content-type` and `host` headers, the payload's
/// SHA-256), the string to sign (algorithm, timestamp, `date/service/tc3_request`, the canonical
/// request's SHA-256), the key derived from `"TC3" + secret_key` through the date, the service
/// and `tc3_request`, and the `Authorization` header.
pub fn sign(
    secret_id: &str,
    secret_key: &str,
    service: &str,
    host: &str,
    content_type: &str,
    payload: &[u8],
    timestamp: i64,
) -> Signed {
    let canonical_headers = format!(
        "content-type:{}\nhost:{}\n",
        content_type.trim().to_ascii_lowercase(),
        host.trim().to_ascii_lowercase()
    );
    let signed_headers = "content-type;host";
    let canonical_request = format!(
        "POST\n/\n\n{canonical_headers}\n{signed_headers}\n{}",
        sha256_hex(payload)
    );
    let date = utc_date(timestamp);
    let scope = format!("{date}/{service}/tc3_request");
    let string_to_sign = format!(
        "{ALGORITHM}\n{timestamp}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let secret_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let secret_service = hmac_sha256(&secret_date, service.as_bytes());
    let secret_signing = hmac_sha256(&secret_service, b"tc3_request");
    let signature = hex::encode(hmac_sha256(&secret_signing, string_to_sign.as_bytes()));
    Signed {
        authorization: format!(
            "{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
        ),
        date,
        signature,
    }
}

/// A Tencent Cloud FaceID client: every call signed, and all its calls together held to
/// [`RATE_LIMIT_PER_SECOND`].
#[derive(Clone)]
pub struct TencentFaceidClient {
    http: reqwest::Client,
    api_base: Url,
    secret_id: String,
    secret_key: SecretString,
    region: String,
    limiter: Arc<DefaultDirectRateLimiter>,
}

impl std::fmt::Debug for TencentFaceidClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TencentFaceidClient")
            .field("api_base", &self.api_base.as_str())
            .field("region", &self.region)
            .field("secret_id", &"<redacted>")
            .field("secret_key", &"<redacted>")
            .finish()
    }
}

impl TencentFaceidClient {
    /// `api_base`: `https://faceid.tencentcloudapi.com`; `region`: `ap-guangzhou` by default.
    pub fn new(
        http: reqwest::Client,
        api_base: Url,
        secret_id: String,
        secret_key: SecretString,
        region: String,
    ) -> Self {
        let per_second = NonZeroU32::new(RATE_LIMIT_PER_SECOND).unwrap_or(NonZeroU32::MIN);
        Self {
            http,
            api_base,
            secret_id,
            secret_key,
            region,
            // No burst: one call every 10 ms keeps any one-second window, however Tencent
            // counts it, at the limit.
            limiter: Arc::new(RateLimiter::direct(
                Quota::per_second(per_second).allow_burst(NonZeroU32::MIN),
            )),
        }
    }

    /// The Host header signed and sent: the base's host, with its port when not the default.
    fn host(&self) -> Result<String, VendorError> {
        let host = self
            .api_base
            .host_str()
            .ok_or_else(|| VendorError::Decode("the API base has no host".into()))?;
        Ok(match self.api_base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        })
    }

    /// One signed call: `action` with `body`, the answer's `Response` as `T`.
    async fn call<T: DeserializeOwned>(
        &self,
        action: &'static str,
        body: &impl Serialize,
    ) -> Result<T, VendorError> {
        let payload = serde_json::to_vec(body)
            .map_err(|error| VendorError::Decode(format!("the request: {error}")))?;
        let host = self.host()?;
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| {
                i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
            });
        let signed = sign(
            &self.secret_id,
            self.secret_key.expose_secret(),
            SERVICE,
            &host,
            CONTENT_TYPE_JSON,
            &payload,
            timestamp,
        );
        self.limiter.until_ready().await;
        let request = self
            .http
            .post(self.api_base.clone())
            .header(HOST, host)
            .header(CONTENT_TYPE, CONTENT_TYPE_JSON)
            .header(AUTHORIZATION, signed.authorization)
            .header("X-TC-Action", action)
            .header("X-TC-Version", API_VERSION)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Region", &self.region)
            .body(payload);
        let reply = http::exchange(VENDOR, action, request, codes::error_body).await?;
        Ok(reply.json::<Envelope<T>>()?.response)
    }

    /// DetectAuth: starts one flow (billable); checked first ([`DetectAuthRequest::check`]).
    pub async fn detect_auth(
        &self,
        request: &DetectAuthRequest,
    ) -> Result<DetectAuthResponse, VendorError> {
        request.check()?;
        self.call("DetectAuth", request).await
    }

    /// GetDetectInfoEnhanced with `InfoType` 1 (the text result): safe to repeat for 3 days.
    pub async fn get_detect_info_enhanced(
        &self,
        biz_token: &str,
        rule_id: &str,
    ) -> Result<GetDetectInfoEnhancedResponse, VendorError> {
        let request = GetDetectInfoEnhancedRequest {
            biz_token: Pii::new(biz_token),
            rule_id: rule_id.to_owned(),
            info_type: Some("1".into()),
        };
        self.call("GetDetectInfoEnhanced", &request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document's example request ("签名方法 v3": CVM DescribeInstances at 1551113065).
    const PAYLOAD: &str =
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;

    #[test]
    fn the_documents_example_signature_is_reproduced_exactly() {
        // The international page's keys and its published Authorization.
        let signed = sign(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            "cvm",
            "cvm.tencentcloudapi.com",
            "application/json; charset=utf-8",
            PAYLOAD.as_bytes(),
            1_551_113_065,
        );
        assert_eq!(signed.date, "2019-02-25", "the UTC date, not UTC+8's");
        assert_eq!(
            signed.signature,
            "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
        assert_eq!(
            signed.authorization,
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
        // The Chinese page's masked key and its published signature.
        let masked = sign(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
            "Gu5t9xGARNpq86cd98joQYCN3*******",
            "cvm",
            "cvm.tencentcloudapi.com",
            "application/json; charset=utf-8",
            PAYLOAD.as_bytes(),
            1_551_113_065,
        );
        assert_eq!(
            masked.signature,
            "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
    }

    #[test]
    fn the_payload_hash_and_dates_are_the_documents() {
        assert_eq!(
            sha256_hex(PAYLOAD.as_bytes()),
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_551_139_199), "2019-02-25");
        assert_eq!(utc_date(1_551_139_200), "2019-02-26");
    }

    /// A FaceID stand-in on loopback that answers every call with an unfinished flow, and
    /// counts the calls.
    async fn stand_in() -> (Url, Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let router = axum::Router::new().route(
            "/",
            axum::routing::post(move |headers: axum::http::HeaderMap| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    assert!(headers["authorization"]
                        .to_str()
                        .unwrap()
                        .starts_with("TC3-HMAC-SHA256 Credential=AKID/"));
                    assert_eq!(headers["x-tc-action"], "GetDetectInfoEnhanced");
                    assert_eq!(headers["x-tc-version"], API_VERSION);
                    axum::Json(serde_json::json!({"Response": {
                        "Text": {"ErrCode": null}, "RequestId": "r"
                    }}))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        (url, calls)
    }

    #[tokio::test]
    async fn calls_are_held_to_the_documented_rate() {
        let (base, calls) = stand_in().await;
        let client = TencentFaceidClient::new(
            reqwest::Client::new(),
            base,
            "AKID".into(),
            SecretString::from("key"),
            "ap-guangzhou".into(),
        );
        let started = std::time::Instant::now();
        // One every 10 ms, no burst: 150 calls take at least 1.49 s.
        let all = (0..150).map(|_| {
            let client = client.clone();
            async move { client.get_detect_info_enhanced("T", "1").await }
        });
        for answer in futures_join(all).await {
            assert!(answer.unwrap().text.unwrap().err_code.is_none());
        }
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 150);
        assert!(
            started.elapsed() >= std::time::Duration::from_millis(1_450),
            "{:?}",
            started.elapsed()
        );
    }

    /// Runs the futures concurrently on the test's runtime.
    async fn futures_join<F: std::future::Future + Send + 'static>(
        futures: impl Iterator<Item = F>,
    ) -> Vec<F::Output>
    where
        F::Output: Send + 'static,
    {
        let handles: Vec<_> = futures.map(tokio::spawn).collect();
        let mut out = Vec::new();
        for handle in handles {
            out.push(handle.await.unwrap());
        }
        out
    }

    #[test]
    fn a_changed_byte_changes_the_signature() {
        let a = sign("id", "key", "faceid", "h", CONTENT_TYPE_JSON, b"{}", 1);
        let b = sign("id", "key", "faceid", "h", CONTENT_TYPE_JSON, b"{ }", 1);
        let c = sign("id", "kez", "faceid", "h", CONTENT_TYPE_JSON, b"{}", 1);
        assert_ne!(a.signature, b.signature);
        assert_ne!(a.signature, c.signature);
    }
}
