//! The reqwest client: the access token, the faceprint calls, the user's page URL.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use super::codes::{self, DetailOutcome, ErrorAnswer};
use super::types::*;
use crate::http::{self, Reply};
use crate::token::{self, AccessToken, MemoryTokenCache, TokenCache};
use crate::wire::Pii;
use crate::VendorError;

/// The vendor label of this module's calls (logs and metrics).
const VENDOR: &str = "baidu_h5";

/// `{aip}/oauth/2.0/token`.
pub const TOKEN_PATH: &str = "oauth/2.0/token";
/// `{aip}/rpc/2.0/brain/solution/faceprint/` and then the call's path.
pub const FACEPRINT_PATH: &str = "rpc/2.0/brain/solution/faceprint/";
/// `{h5}/face/print/`, the user's page.
pub const PAGE_PATH: &str = facegate_types::front_end::pages::BAIDU_H5_PAGE_PATH;
/// The token's documented lifetime when the answer leaves out expires_in: 30 days.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// A cached token is replaced this long before it expires.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(24 * 60 * 60);

/// The faceprint calls, by path.
pub mod paths {
    pub const GENERATE: &str = "verifyToken/generate";
    pub const IDCARD_SUBMIT: &str = "idcard/submit";
    pub const UPLOAD_MATCH_IMAGE: &str = "uploadMatchImage";
    pub const RESULT_SIMPLE: &str = "result/simple";
    pub const RESULT_DETAIL: &str = "result/detail";
    pub const RESULT_STAT: &str = "result/stat";
    pub const RESULT_MEDIA: &str = "result/media/query";
    pub const RESULT_GETALL: &str = "result/getall";
}

/// The app's API Key and Secret Key from Baidu's console.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub api_key: String,
    pub secret_key: SecretString,
}

/// A client of Baidu AI's H5 face real-name verification for one plan.
#[derive(Clone, Debug)]
pub struct BaiduH5Client {
    http: reqwest::Client,
    aip_base: Url,
    h5_base: Url,
    credentials: Credentials,
    plan_id: String,
    tokens: Arc<dyn TokenCache>,
}

fn with_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

fn join(base: &Url, path: &str) -> Result<Url, VendorError> {
    base.join(path)
        .map_err(|_| VendorError::Decode(format!("bad Baidu path {path}")))
}

/// The user's page: `{h5}/face/print/?token=..&successUrl=..&failedUrl=..`, every value
/// percent-encoded (the two URLs carry their own `?`, `&` and `#`), built as the wasm helper
/// builds it ([`facegate_types::front_end::pages::baidu_h5_page_url`]).
pub fn page_url(h5_base: &Url, verify_token: &str, success_url: &Url, failed_url: &Url) -> Url {
    let base = with_slash(h5_base.clone());
    let page = base.join(PAGE_PATH).unwrap_or(base);
    let url = facegate_types::front_end::pages::baidu_h5_page_url(
        page.as_str(),
        verify_token,
        success_url.as_str(),
        failed_url.as_str(),
    );
    // Every value is percent-encoded ASCII after a valid URL: this parses.
    Url::parse(&url).unwrap_or(page)
}

impl BaiduH5Client {
    /// `aip_base` is `https://aip.baidubce.com`, `h5_base` `https://brain.baidu.com` in
    /// production (a sandbox's `/baidu/aip` and `/baidu/h5` in tests). Tokens are cached in
    /// memory until [`Self::with_token_cache`] says otherwise.
    pub fn new(
        http: reqwest::Client,
        aip_base: Url,
        h5_base: Url,
        credentials: Credentials,
        plan_id: impl Into<String>,
    ) -> Self {
        Self {
            http,
            aip_base: with_slash(aip_base),
            h5_base: with_slash(h5_base),
            credentials,
            plan_id: plan_id.into(),
            tokens: Arc::new(MemoryTokenCache::default()),
        }
    }

    /// Keeps access tokens in `cache` (the server's database, shared by replicas).
    pub fn with_token_cache(mut self, cache: Arc<dyn TokenCache>) -> Self {
        self.tokens = cache;
        self
    }

    pub fn plan_id(&self) -> &str {
        &self.plan_id
    }

    /// Asks Baidu for a new access token and caches it.
    pub async fn fetch_access_token(&self) -> Result<AccessToken, VendorError> {
        let mut url = join(&self.aip_base, TOKEN_PATH)?;
        url.query_pairs_mut()
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", &self.credentials.api_key)
            .append_pair("client_secret", self.credentials.secret_key.expose_secret());
        let reply = http::exchange(
            VENDOR,
            "token",
            self.http.post(url),
            codes::token_error_body,
        )
        .await?;
        let answer: TokenAnswer = reply.json()?;
        let Some(token) = answer
            .access_token
            .filter(|token| !token.expose().is_empty())
        else {
            return Err(VendorError::invalid(
                "no_access_token",
                answer.error_description.unwrap_or_default(),
                None,
            ));
        };
        let lifetime = answer
            .expires_in
            .and_then(|seconds| u64::try_from(seconds).ok())
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TOKEN_LIFETIME);
        let fetched = AccessToken {
            value: SecretString::from(token.expose().to_owned()),
            expires_at: SystemTime::now() + lifetime,
        };
        self.tokens
            .put(&self.credentials.api_key, fetched.clone())
            .await;
        Ok(fetched)
    }

    /// The cached access token, or a new one when it is missing or within a day of expiry.
    pub async fn access_token(&self) -> Result<SecretString, VendorError> {
        let token = token::cached_or_fetch(
            self.tokens.as_ref(),
            &self.credentials.api_key,
            REFRESH_MARGIN,
            || self.fetch_access_token(),
        )
        .await?;
        Ok(token.value)
    }

    async fn post_once(
        &self,
        path: &str,
        body: &(impl Serialize + ?Sized),
        token: &SecretString,
        error_body: fn(&Reply) -> Option<VendorError>,
    ) -> Result<Answer<serde_json::Value>, VendorError> {
        let mut url = join(&join(&self.aip_base, FACEPRINT_PATH)?, path)?;
        url.query_pairs_mut()
            .append_pair("access_token", token.expose_secret());
        let request = self.http.post(url).json(body);
        http::exchange(VENDOR, path, request, error_body)
            .await?
            .json()
    }

    /// One faceprint call, its error answers read by `error_body`; on 110 / 111 the token is
    /// refreshed once and the call retried once.
    async fn faceprint(
        &self,
        path: &str,
        body: &(impl Serialize + ?Sized),
        error_body: fn(&Reply) -> Option<VendorError>,
    ) -> Result<Answer<serde_json::Value>, VendorError> {
        let token = self.access_token().await?;
        match self.post_once(path, body, &token, error_body).await {
            Err(error) if codes::is_stale(&error) => {
                tracing::info!(path, "baidu access token went stale; refreshing once");
                let fresh = self.fetch_access_token().await?;
                self.post_once(path, body, &fresh.value, error_body).await
            }
            answer => answer,
        }
    }

    /// An answer's result as `T`, or `None` when it has none.
    fn result<T: DeserializeOwned>(
        path: &str,
        answer: Answer<serde_json::Value>,
    ) -> Result<Option<T>, VendorError> {
        match answer.result {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(value) => serde_json::from_value(value)
                .map(Some)
                .map_err(|error| VendorError::Decode(format!("{path}: {error}"))),
        }
    }

    /// A call whose result must be there.
    async fn required<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &(impl Serialize + ?Sized),
    ) -> Result<T, VendorError> {
        let answer = self.faceprint(path, body, codes::error_body).await?;
        Self::result(path, answer)?
            .ok_or_else(|| VendorError::Decode(format!("{path}: success without a result")))
    }

    /// A call whose result does not matter (submit answers a fixed 1, upload null).
    async fn accepted(
        &self,
        path: &str,
        body: &(impl Serialize + ?Sized),
    ) -> Result<(), VendorError> {
        self.faceprint(path, body, codes::error_body).await?;
        Ok(())
    }

    /// 获取verify_token: a token for one user's flow, valid 2 hours.
    pub async fn generate_verify_token(&self) -> Result<Pii, VendorError> {
        let body = GenerateRequest {
            plan_id: self.plan_id.clone(),
        };
        let result: GenerateResult = self.required(paths::GENERATE, &body).await?;
        Ok(result.verify_token)
    }

    /// 指定用户信息上报: the person the flow must verify, before the redirect.
    pub async fn submit_id_card(&self, request: &IdCardSubmitRequest) -> Result<(), VendorError> {
        self.accepted(paths::IDCARD_SUBMIT, request)
            .await
            .map_err(|error| codes::refused_field(error, "id_no"))
    }

    /// 对比图片上传: the reference face, before the redirect. [`MatchImage`] has checked the
    /// size and resolution limits already.
    pub async fn upload_match_image(
        &self,
        verify_token: &Pii,
        image: &MatchImage,
        quality_control: Option<Control>,
        liveness_control: Option<Control>,
    ) -> Result<(), VendorError> {
        let body = UploadMatchImageRequest {
            verify_token: verify_token.clone(),
            image: Pii::new(image.base64()),
            quality_control,
            liveness_control,
        };
        self.accepted(paths::UPLOAD_MATCH_IMAGE, &body)
            .await
            .map_err(|error| codes::refused_field(error, "image"))
    }

    /// The user's page for `verify_token`; Baidu sends the browser to one of the two URLs.
    pub fn page_url(&self, verify_token: &Pii, success_url: &Url, failed_url: &Url) -> Url {
        page_url(
            &self.h5_base,
            verify_token.expose(),
            success_url,
            failed_url,
        )
    }

    fn query(verify_token: &Pii) -> VerifyTokenRequest {
        VerifyTokenRequest {
            verify_token: verify_token.clone(),
        }
    }

    /// 获取认证人脸: where the final face image is.
    pub async fn result_simple(&self, verify_token: &Pii) -> Result<SimpleResult, VendorError> {
        self.required(paths::RESULT_SIMPLE, &Self::query(verify_token))
            .await
    }

    /// 查询认证结果: the scores and ID data when the person passed, the failure code when not,
    /// or [`DetailOutcome::NotVerified`] while the token has no finished verification.
    pub async fn result_detail(&self, verify_token: &Pii) -> Result<DetailOutcome, VendorError> {
        let path = paths::RESULT_DETAIL;
        let query = Self::query(verify_token);
        let answer = self
            .faceprint(path, &query, codes::detail_error_body)
            .await?;
        // The error answers left are the verification's outcome.
        if let Some(error) = ErrorAnswer::of(&answer) {
            return Ok(error.into_detail_outcome());
        }
        let log_id = answer.log_id.clone();
        let result: Option<DetailResult> = Self::result(path, answer)?;
        Ok(DetailOutcome::Answered {
            result: Box::new(result.unwrap_or_default()),
            log_id,
        })
    }

    /// 查询统计结果.
    pub async fn result_stat(&self, verify_token: &Pii) -> Result<StatResult, VendorError> {
        self.required(paths::RESULT_STAT, &Self::query(verify_token))
            .await
    }

    /// 实时方案视频获取: URLs kept one day.
    pub async fn result_media(&self, verify_token: &Pii) -> Result<MediaResult, VendorError> {
        self.required(paths::RESULT_MEDIA, &Self::query(verify_token))
            .await
    }

    /// 核验及计费信息获取: every attempt and what was charged.
    pub async fn result_getall(&self, verify_token: &Pii) -> Result<GetAllResult, VendorError> {
        self.required(paths::RESULT_GETALL, &Self::query(verify_token))
            .await
    }

    /// The confirmed result of the flow, or `None` while there is none: result/detail
    /// decides; getall, when it answers, adds the plan's threshold and the attempt's details.
    pub async fn confirm(
        &self,
        verify_token: &Pii,
    ) -> Result<Option<facegate_types::VerificationResult>, VendorError> {
        let detail = self.result_detail(verify_token).await?;
        if matches!(detail, DetailOutcome::NotVerified { .. }) {
            return Ok(None);
        }
        let all = match self.result_getall(verify_token).await {
            Ok(all) => {
                record_charges(&all);
                Some(all)
            }
            Err(error) => {
                tracing::warn!(error = %error, "baidu getall failed; deciding from detail alone");
                None
            }
        };
        Ok(detail.verification_result(all.as_ref()))
    }
}

/// Counts what getall says was charged for the token (read once, when the session is
/// confirmed) into [`http::metric::CHARGES`].
fn record_charges(all: &GetAllResult) {
    for (charge, count) in [
        ("ocr", all.ocr_charge_count),
        ("match", all.match_charge_count),
        ("verify", all.verify_charge_count),
    ] {
        if let Some(count) = count.and_then(|count| u64::try_from(count).ok()) {
            metrics::counter!(http::metric::CHARGES, "vendor" => VENDOR, "charge" => charge)
                .increment(count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_url_percent_encodes_both_return_urls() {
        let h5 = Url::parse("https://brain.baidu.com").unwrap();
        let success =
            Url::parse("https://shop.example.com/v1/return/vs_1?a=1&b=两 个#frag").unwrap();
        let failed = Url::parse("https://shop.example.com/fail?x=a&b=c d#top").unwrap();
        let url = page_url(&h5, "tok&en#1", &success, &failed);
        assert_eq!(url.path(), "/face/print/");
        assert!(!url.as_str().contains('#'), "{url}");
        let query = url.query().unwrap();
        assert_eq!(query.matches('&').count(), 2, "{query}");
        assert!(!query.contains("两") && !query.contains(' '));
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [
                ("token".to_owned(), "tok&en#1".to_owned()),
                ("successUrl".to_owned(), success.to_string()),
                ("failedUrl".to_owned(), failed.to_string()),
            ]
        );
        // A base with a path prefix (a sandbox) keeps it.
        let sandbox = Url::parse("http://127.0.0.1:9/baidu/h5").unwrap();
        assert_eq!(
            page_url(&sandbox, "t", &success, &failed).path(),
            "/baidu/h5/face/print/"
        );
    }
}
