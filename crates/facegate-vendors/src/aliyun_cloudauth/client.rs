//! The reqwest client and Alibaba Cloud's V3 request signature (ACS3-HMAC-SHA256), the one
//! signing method facegate implements ("V3版本请求体&签名机制").
//!
//! Every call is an RPC-style `POST /` whose parameters travel as an
//! `application/x-www-form-urlencoded` body (so the name and ID number never sit in a URL a
//! proxy logs), with `x-acs-action`, `x-acs-version` 2019-03-07, `x-acs-date`,
//! `x-acs-signature-nonce`, `x-acs-content-sha256` and the `Authorization` header:
//!
//! ```text
//! CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQueryString \n
//!                    CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
//! StringToSign     = "ACS3-HMAC-SHA256" \n hex(sha256(CanonicalRequest))
//! Signature        = hex(hmac_sha256(AccessKeySecret, StringToSign))
//! Authorization    = ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2..>,Signature=<sig>
//! ```
//!
//! Canonical headers are `host`, `content-type` and every `x-acs-*` header, lower case, values
//! trimmed, sorted, each `name:value\n`. Query keys and values are percent-encoded per
//! RFC 3986 (`A-Z a-z 0-9 - _ . ~` kept, space `%20`) and sorted by key.

use hmac::{Hmac, Mac};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use url::Url;

use super::codes;
use super::types::*;
use crate::http;
use crate::VendorError;

/// The vendor label of this module's calls (logs and metrics).
const VENDOR: &str = "aliyun_cloudauth";
/// The signature algorithm's name.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// RFC 3986 percent-encoding as the V3 signature requires.
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `k=v&k=v`, keys sorted (then values), both percent-encoded: the canonical query string, and
/// the body facegate sends.
pub fn canonical_query(pairs: &[(&str, &str)]) -> String {
    let mut encoded: Vec<(String, String)> = pairs
        .iter()
        .map(|(key, value)| (percent_encode(key), percent_encode(value)))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// One request to sign.
#[derive(Debug)]
pub struct SigningInput<'a> {
    pub method: &'a str,
    /// The canonical URI (`/` for RPC calls).
    pub path: &'a str,
    /// The canonical query string ([`canonical_query`]).
    pub query: &'a str,
    /// The headers to sign, any case, any order.
    pub headers: &'a [(&'a str, &'a str)],
    /// `hex(sha256(body))`, as sent in `x-acs-content-sha256`.
    pub payload_hash: &'a str,
}

/// The signature's parts: `(SignedHeaders, Signature)`.
pub fn sign(input: &SigningInput<'_>, access_key_secret: &str) -> (String, String) {
    let mut headers: Vec<(String, String)> = input
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    headers.sort();
    let canonical_headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let signed_headers = headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        input.method,
        input.path,
        input.query,
        canonical_headers,
        signed_headers,
        input.payload_hash
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(access_key_secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(string_to_sign.as_bytes());
    (signed_headers, hex::encode(mac.finalize().into_bytes()))
}

/// The `Authorization` header's value.
pub fn authorization(access_key_id: &str, signed_headers: &str, signature: &str) -> String {
    format!("{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}")
}

/// `x-acs-date`: UTC, `yyyy-MM-ddTHH:mm:ssZ`.
pub fn acs_date(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// The CertifyId `probe` asks about: 32 characters no certification has.
pub const PROBE_CERTIFY_ID: &str = "facegatecheck0000000000000000000";

/// A Cloudauth client (金融级实人认证, API 2019-03-07).
#[derive(Clone)]
pub struct AliyunCloudauthClient {
    http: reqwest::Client,
    api_base: Url,
    access_key_id: String,
    access_key_secret: SecretString,
    scene_id: u64,
}

impl std::fmt::Debug for AliyunCloudauthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AliyunCloudauthClient")
            .field("api_base", &self.api_base.as_str())
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field("scene_id", &self.scene_id)
            .finish()
    }
}

impl AliyunCloudauthClient {
    /// `api_base`: `https://cloudauth.aliyuncs.com`; `scene_id`: the console's SceneId.
    pub fn new(
        http: reqwest::Client,
        api_base: Url,
        access_key_id: String,
        access_key_secret: SecretString,
        scene_id: u64,
    ) -> Self {
        Self {
            http,
            api_base,
            access_key_id,
            access_key_secret,
            scene_id,
        }
    }

    /// The per-session `CallbackToken` (see `notify.rs`), derived from the AccessKey secret.
    pub fn callback_token(&self, session_id: &str) -> crate::wire::Pii {
        super::notify::callback_token(self.access_key_secret.expose_secret(), session_id)
    }

    /// Checks a callback's `callbackToken` against the session it names; that session's id.
    pub fn verify_callback<'a>(
        &self,
        notify: &'a super::Notify,
    ) -> Result<&'a str, super::NotifyError> {
        notify.verify(self.access_key_secret.expose_secret())
    }

    /// The scene every call names.
    pub fn scene_id(&self) -> u64 {
        self.scene_id
    }

    /// One signed RPC call: `POST {api_base}/` with `parameters` as the form body.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        action: &'static str,
        parameters: &[(&str, &str)],
    ) -> Result<Answer<T>, VendorError> {
        let body = canonical_query(parameters);
        let payload_hash = hex::encode(Sha256::digest(body.as_bytes()));
        let host = match (self.api_base.host_str(), self.api_base.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => return Err(VendorError::Decode("the API base has no host".into())),
        };
        let date = acs_date(time::OffsetDateTime::now_utc());
        let nonce = format!("{:032x}", rand::thread_rng().gen::<u128>());
        let content_type = "application/x-www-form-urlencoded";
        let headers = [
            ("host", host.as_str()),
            ("content-type", content_type),
            ("x-acs-action", action),
            ("x-acs-content-sha256", payload_hash.as_str()),
            ("x-acs-date", date.as_str()),
            ("x-acs-signature-nonce", nonce.as_str()),
            ("x-acs-version", API_VERSION),
        ];
        let mut url = self.api_base.clone();
        url.set_query(None);
        let path = if url.path().is_empty() {
            "/"
        } else {
            url.path()
        }
        .to_owned();
        let (signed_headers, signature) = sign(
            &SigningInput {
                method: "POST",
                path: &path,
                query: "",
                headers: &headers,
                payload_hash: &payload_hash,
            },
            self.access_key_secret.expose_secret(),
        );
        let mut request = self.http.post(url).header(
            reqwest::header::AUTHORIZATION,
            authorization(&self.access_key_id, &signed_headers, &signature),
        );
        // `host` is reqwest's own; the rest go as signed.
        for (name, value) in &headers[1..] {
            request = request.header(*name, *value);
        }
        let reply = http::exchange(VENDOR, action, request.body(body), codes::error_body).await?;
        reply.json()
    }

    /// `InitFaceVerify`: one billable certification; its CertifyId and CertifyUrl.
    pub async fn init_face_verify(
        &self,
        request: &InitFaceVerifyRequest,
    ) -> Result<InitFaceVerifyResult, VendorError> {
        let parameters = request.parameters()?;
        let pairs: Vec<(&str, &str)> = parameters
            .iter()
            .map(|(key, value)| (*key, value.as_str()))
            .collect();
        let answer: Answer<InitFaceVerifyResult> = self.call("InitFaceVerify", &pairs).await?;
        answer
            .result_object
            .filter(|result| !result.certify_id.is_empty())
            .ok_or_else(|| VendorError::Decode("InitFaceVerify answered no CertifyId".into()))
    }

    /// `DescribeFaceVerify`: the certification's result, the only source of a verdict.
    pub async fn describe_face_verify(
        &self,
        certify_id: &str,
    ) -> Result<DescribeFaceVerifyResult, VendorError> {
        let scene = self.scene_id.to_string();
        let answer: Answer<DescribeFaceVerifyResult> = self
            .call(
                "DescribeFaceVerify",
                &[("SceneId", &scene), ("CertifyId", certify_id)],
            )
            .await?;
        Ok(answer.result_object.unwrap_or(DescribeFaceVerifyResult {
            passed: None,
            sub_code: None,
            identity_info: None,
            device_token: None,
            device_risk: None,
            material_info: None,
        }))
    }

    /// `DeleteFaceVerifyResult`: deletes Alibaba's copy of a certification (its pictures and
    /// result). `Ok(true)` when Alibaba says `DeleteResult` `Y`.
    pub async fn delete_face_verify_result(&self, certify_id: &str) -> Result<bool, VendorError> {
        let answer: Answer<DeleteFaceVerifyResultResult> = self
            .call(
                "DeleteFaceVerifyResult",
                &[("CertifyId", certify_id), ("DeleteAfterQuery", "N")],
            )
            .await?;
        Ok(answer
            .result_object
            .and_then(|result| result.delete_result)
            .is_some_and(|result| result == "Y"))
    }

    /// `facegate check`'s probe: `DescribeFaceVerify` of a CertifyId that cannot exist. It
    /// costs nothing and starts nothing; the gateway checks the signature and the AccessKey
    /// first, so `Unauthorized` means the credentials, and any answer past the gateway means
    /// they are good.
    pub async fn probe(&self) -> Result<(), VendorError> {
        match self.describe_face_verify(PROBE_CERTIFY_ID).await {
            Ok(_) => Ok(()),
            Err(
                error @ (VendorError::Unauthorized { .. }
                | VendorError::Unavailable(_)
                | VendorError::Decode(_)),
            ) => Err(error),
            // Another account's SceneId: Cloudauth's 404 认证场景配置不存在.
            Err(error @ VendorError::InvalidRequest { .. })
                if error.vendor_code() == Some("404") =>
            {
                Err(error)
            }
            // Past the gateway: the CertifyId is refused, the credentials were not.
            Err(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published example of "V3版本请求体&签名机制" (help.aliyun.com): RunInstances at
    /// `ecs.cn-shanghai.aliyuncs.com`, AccessKeyId `YourAccessKeyId`, AccessKeySecret
    /// `YourAccessKeySecret`, an empty body, and the expected `Authorization` header exactly.
    #[test]
    fn the_documents_example_signature_is_reproduced() {
        let empty = hex::encode(Sha256::digest(b""));
        assert_eq!(
            empty,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let query = canonical_query(&[
            (
                "ImageId",
                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            ),
            ("RegionId", "cn-shanghai"),
        ]);
        assert_eq!(
            query,
            "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"
        );
        let headers = [
            ("x-acs-action", "RunInstances"),
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-date", "2023-10-26T09:01:01Z"),
            ("x-acs-version", "2014-05-26"),
            ("x-acs-content-sha256", empty.as_str()),
            ("x-acs-signature-nonce", "d410180a5abf7fe235dd9b74aca91fc0"),
        ];
        let (signed_headers, signature) = sign(
            &SigningInput {
                method: "POST",
                path: "/",
                query: &query,
                headers: &headers,
                payload_hash: &empty,
            },
            "YourAccessKeySecret",
        );
        assert_eq!(
            authorization("YourAccessKeyId", &signed_headers, &signature),
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;\
             x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,\
             Signature=e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804"
        );
    }

    #[test]
    fn values_are_encoded_as_rfc_3986_says() {
        assert_eq!(percent_encode("a b*~"), "a%20b%2A~");
        assert_eq!(percent_encode("张"), "%E5%BC%A0");
        assert_eq!(
            canonical_query(&[("b", "2"), ("a", "{\"x\":1}")]),
            "a=%7B%22x%22%3A1%7D&b=2"
        );
        assert_eq!(
            acs_date(time::macros::datetime!(2023-10-26 09:01:01 UTC)),
            "2023-10-26T09:01:01Z"
        );
    }
}
