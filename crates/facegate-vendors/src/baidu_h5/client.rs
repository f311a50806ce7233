//! The reqwest client: the access token, the faceprint calls, the user's page URL.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use facegate_types::FailureReason;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use super::codes::{self, CodeKind};
use super::outcome::DetailOutcome;
use super::token::{CachedToken, MemoryTokenCache, TokenCache};
use super::types::*;
use super::MatchImage;
use crate::wire::Pii;
use crate::VendorError;

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

/// A faceprint answer after the stale-token retry: its result, or its error code.
pub(crate) enum Reply<T> {
    Ok {
        result: Option<T>,
        log_id: Option<String>,
    },
    Error(ErrorAnswer),
}

/// An error answer as the vendor gave it.
#[derive(Clone, Debug)]
pub(crate) struct ErrorAnswer {
    pub code: String,
    pub message: String,
    pub log_id: Option<String>,
}

impl ErrorAnswer {
    /// The error a caller sees for this answer.
    pub(crate) fn into_vendor_error(self) -> VendorError {
        let Self {
            code,
            message,
            log_id,
        } = self;
        if codes::is_verify_token_invalid(&message) {
            return VendorError::InvalidRequest {
                code,
                message,
                field: Some("verify_token".into()),
            };
        }
        match codes::lookup(&code).map(|entry| entry.kind) {
            Some(CodeKind::StaleAccessToken | CodeKind::Credentials) => {
                VendorError::Unauthorized { code, message }
            }
            Some(CodeKind::Quota) if code == "4" => VendorError::RateLimited {
                code,
                retry_after: None,
            },
            _ if code.starts_with("2220") => {
                // Baidu's parameter errors name the field: `param[image] format error`.
                let field = message
                    .split_once("param[")
                    .and_then(|(_, rest)| rest.split_once(']'))
                    .map(|(field, _)| field.to_owned());
                VendorError::InvalidRequest {
                    code,
                    message,
                    field,
                }
            }
            // A verification code outside a result query refuses what the call was given:
            // the identity (idcard/submit) or the reference face (uploadMatchImage).
            Some(CodeKind::Verification) => VendorError::Refused {
                reason: codes::lookup(&code)
                    .map_or(FailureReason::VendorError, |entry| entry.reason),
                code,
                message,
                field: None,
            },
            _ => VendorError::Api {
                code,
                message,
                log_id,
            },
        }
    }
}

/// A [`VendorError::Refused`] without a field names `field`: the one parameter of the call
/// that the person's refusal is about.
fn refused_field(error: VendorError, field: &str) -> VendorError {
    match error {
        VendorError::Refused {
            code,
            message,
            reason,
            field: None,
        } => VendorError::Refused {
            code,
            message,
            reason,
            field: Some(field.to_owned()),
        },
        other => other,
    }
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
    pub async fn fetch_access_token(&self) -> Result<CachedToken, VendorError> {
        let mut url = join(&self.aip_base, TOKEN_PATH)?;
        url.query_pairs_mut()
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", &self.credentials.api_key)
            .append_pair("client_secret", self.credentials.secret_key.expose_secret());
        let response = crate::http::send("baidu_h5", "token", self.http.post(url)).await?;
        if response.status().is_server_error() {
            return Err(VendorError::Unavailable(format!(
                "the token endpoint answered {}",
                response.status()
            )));
        }
        if response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(VendorError::RateLimited {
                code: "429".into(),
                retry_after: crate::retry::retry_after(response.headers()),
            });
        }
        let answer: TokenAnswer = crate::http::read_json(response).await?;
        match answer {
            TokenAnswer {
                access_token: Some(token),
                expires_in,
                ..
            } if !token.expose().is_empty() => {
                let lifetime = expires_in
                    .and_then(|seconds| u64::try_from(seconds).ok())
                    .map(Duration::from_secs)
                    .unwrap_or(DEFAULT_TOKEN_LIFETIME);
                let cached = CachedToken {
                    token: SecretString::from(token.expose().to_owned()),
                    expires_at: SystemTime::now() + lifetime,
                };
                self.tokens
                    .put(&self.credentials.api_key, cached.clone())
                    .await;
                Ok(cached)
            }
            TokenAnswer {
                error,
                error_description,
                ..
            } => {
                let code = error.unwrap_or_else(|| "no_access_token".into());
                let message = error_description.unwrap_or_default();
                Err(if code == "invalid_client" {
                    VendorError::Unauthorized { code, message }
                } else {
                    VendorError::InvalidRequest {
                        code,
                        message,
                        field: None,
                    }
                })
            }
        }
    }

    /// The cached access token, or a new one when it is missing or within a day of expiry.
    pub async fn access_token(&self) -> Result<SecretString, VendorError> {
        if let Some(cached) = self.tokens.get(&self.credentials.api_key).await {
            if cached.expires_at > SystemTime::now() + REFRESH_MARGIN {
                return Ok(cached.token);
            }
        }
        // A token fetch issues a token and bills nothing: safe to repeat.
        let fetched = crate::retry::RetryPolicy::default()
            .run(|| self.fetch_access_token())
            .await?;
        Ok(fetched.token)
    }

    async fn post_once(
        &self,
        path: &str,
        body: &(impl Serialize + ?Sized),
        token: &SecretString,
    ) -> Result<Answer<serde_json::Value>, VendorError> {
        let mut url = join(&join(&self.aip_base, FACEPRINT_PATH)?, path)?;
        url.query_pairs_mut()
            .append_pair("access_token", token.expose_secret());
        let response = crate::http::send("baidu_h5", path, self.http.post(url).json(body)).await?;
        let status = response.status();
        if status.is_server_error() {
            return Err(VendorError::Unavailable(format!("Baidu answered {status}")));
        }
        crate::http::read_json(response).await
    }

    /// One faceprint call; on 110 / 111 the token is refreshed once and the call retried once.
    pub(crate) async fn faceprint<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &(impl Serialize + ?Sized),
    ) -> Result<Reply<T>, VendorError> {
        let token = self.access_token().await?;
        let mut answer = self.post_once(path, body, &token).await?;
        if is_stale(&answer) {
            tracing::info!(path, "baidu access token went stale; refreshing once");
            let fresh = self.fetch_access_token().await?;
            answer = self.post_once(path, body, &fresh.token).await?;
        }
        let code = answer
            .error_code
            .clone()
            .filter(|code| !code.trim().is_empty() && code.trim() != "0");
        if let Some(code) = code {
            return Ok(Reply::Error(ErrorAnswer {
                code,
                message: answer.error_msg.unwrap_or_default(),
                log_id: answer.log_id,
            }));
        }
        if answer.success != Some(true) {
            return Ok(Reply::Error(ErrorAnswer {
                code: String::new(),
                message: answer
                    .error_msg
                    .unwrap_or_else(|| "success is not true and no error code was given".into()),
                log_id: answer.log_id,
            }));
        }
        let result = match answer.result {
            None | Some(serde_json::Value::Null) => None,
            Some(value) => Some(
                serde_json::from_value(value)
                    .map_err(|error| VendorError::Decode(format!("{path}: {error}")))?,
            ),
        };
        Ok(Reply::Ok {
            result,
            log_id: answer.log_id,
        })
    }

    /// A call whose result must be there.
    async fn required<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &(impl Serialize + ?Sized),
    ) -> Result<T, VendorError> {
        match self.faceprint(path, body).await? {
            Reply::Ok {
                result: Some(result),
                ..
            } => Ok(result),
            Reply::Ok { result: None, .. } => Err(VendorError::Decode(format!(
                "{path}: success without a result"
            ))),
            Reply::Error(error) => Err(error.into_vendor_error()),
        }
    }

    /// A call whose result does not matter (submit answers a fixed 1, upload null).
    async fn accepted(
        &self,
        path: &str,
        body: &(impl Serialize + ?Sized),
    ) -> Result<(), VendorError> {
        match self.faceprint::<serde_json::Value>(path, body).await? {
            Reply::Ok { .. } => Ok(()),
            Reply::Error(error) => Err(error.into_vendor_error()),
        }
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
            .map_err(|error| refused_field(error, "id_no"))
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
            .map_err(|error| refused_field(error, "image"))
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
        match self
            .faceprint::<DetailResult>(paths::RESULT_DETAIL, &Self::query(verify_token))
            .await?
        {
            Reply::Ok { result, log_id } => Ok(DetailOutcome::Answered {
                result: Box::new(result.unwrap_or_default()),
                log_id,
            }),
            Reply::Error(error) if codes::is_verify_token_invalid(&error.message) => {
                Ok(DetailOutcome::NotVerified {
                    code: error.code,
                    message: error.message,
                })
            }
            Reply::Error(error)
                if codes::lookup(&error.code)
                    .is_none_or(|entry| entry.kind == CodeKind::Verification)
                    && !error.code.is_empty()
                    && !error.code.starts_with("2220") =>
            {
                Ok(DetailOutcome::Failed {
                    code: error.code,
                    message: error.message,
                    log_id: error.log_id,
                })
            }
            Reply::Error(error) => Err(error.into_vendor_error()),
        }
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
/// confirmed) into [`crate::http::metric::CHARGES`].
fn record_charges(all: &GetAllResult) {
    for (charge, count) in [
        ("ocr", all.ocr_charge_count),
        ("match", all.match_charge_count),
        ("verify", all.verify_charge_count),
    ] {
        if let Some(count) = count.and_then(|count| u64::try_from(count).ok()) {
            metrics::counter!(crate::http::metric::CHARGES, "vendor" => "baidu_h5", "charge" => charge)
                .increment(count);
        }
    }
}

fn is_stale<T>(answer: &Answer<T>) -> bool {
    answer
        .error_code
        .as_deref()
        .and_then(codes::lookup)
        .is_some_and(|entry| entry.kind == CodeKind::StaleAccessToken)
}
