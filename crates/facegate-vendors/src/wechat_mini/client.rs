//! The reqwest client: the access token (stable or classic, shared through a [`TokenCache`]),
//! getuseridkey and getinfo.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use super::codes;
use super::types::*;
use crate::http::{self, Reply};
use crate::token::{self, AccessToken, MemoryTokenCache, TokenCache};
use crate::wire::Pii;
use crate::VendorError;

/// The vendor label of this module's calls (logs and metrics).
const VENDOR: &str = "wechat_mini";

/// A cached token is replaced when it ends within this margin.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Which token endpoint the client uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenSource {
    /// `POST /cgi-bin/stable_token`: shared-cache friendly (the default).
    #[default]
    Stable,
    /// `GET /cgi-bin/token`: every new token invalidates the last after a short overlap.
    Classic,
}

/// A client of one mini-program's WeChat API.
#[derive(Clone)]
pub struct WechatMiniClient {
    http: reqwest::Client,
    api_base: Url,
    appid: String,
    secret: SecretString,
    source: TokenSource,
    cache: Arc<dyn TokenCache>,
}

impl std::fmt::Debug for WechatMiniClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatMiniClient")
            .field("api_base", &self.api_base.as_str())
            .field("appid", &self.appid)
            .field("secret", &"<redacted>")
            .field("source", &self.source)
            .finish()
    }
}

impl WechatMiniClient {
    /// `api_base`: `https://api.weixin.qq.com`. Stable tokens in an in-memory cache.
    pub fn new(
        http: reqwest::Client,
        api_base: Url,
        appid: impl Into<String>,
        secret: SecretString,
    ) -> Self {
        Self {
            http,
            api_base,
            appid: appid.into(),
            secret,
            source: TokenSource::Stable,
            cache: Arc::new(MemoryTokenCache::default()),
        }
    }

    /// Keeps access tokens in `cache` (the server's database, shared by replicas).
    pub fn with_token_cache(mut self, cache: Arc<dyn TokenCache>) -> Self {
        self.cache = cache;
        self
    }

    pub fn with_token_source(mut self, source: TokenSource) -> Self {
        self.source = source;
        self
    }

    pub fn appid(&self) -> &str {
        &self.appid
    }

    fn endpoint(&self, path: &[&str]) -> Result<Url, VendorError> {
        let mut url = self.api_base.clone();
        url.path_segments_mut()
            .map_err(|_| VendorError::Decode("the base URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(path);
        Ok(url)
    }

    /// `POST /cgi-bin/stable_token`.
    pub async fn stable_token(&self, force_refresh: bool) -> Result<TokenAnswer, VendorError> {
        let body = StableTokenRequest {
            grant_type: "client_credential",
            appid: &self.appid,
            secret: self.secret.expose_secret(),
            force_refresh,
        };
        let url = self.endpoint(&["cgi-bin", "stable_token"])?;
        let request = self.http.post(url).json(&body);
        http::exchange(VENDOR, "stable_token", request, codes::error_body)
            .await?
            .json()
    }

    /// `GET /cgi-bin/token` (invalidates the previous token after a short overlap).
    pub async fn classic_token(&self) -> Result<TokenAnswer, VendorError> {
        let mut url = self.endpoint(&["cgi-bin", "token"])?;
        url.query_pairs_mut()
            .append_pair("grant_type", "client_credential")
            .append_pair("appid", &self.appid)
            .append_pair("secret", self.secret.expose_secret());
        http::exchange(VENDOR, "token", self.http.get(url), codes::error_body)
            .await?
            .json()
    }

    async fn fetch(&self, force_refresh: bool) -> Result<AccessToken, VendorError> {
        let now = SystemTime::now();
        let answer = match self.source {
            TokenSource::Stable => self.stable_token(force_refresh).await?,
            TokenSource::Classic => self.classic_token().await?,
        };
        let token = AccessToken {
            value: SecretString::from(answer.access_token.expose()),
            expires_at: now + Duration::from_secs(u64::try_from(answer.expires_in).unwrap_or(0)),
        };
        self.cache.put(&self.appid, token.clone()).await;
        Ok(token)
    }

    /// The access token to use now: the cached one while fresh, else a new one.
    pub async fn access_token(&self) -> Result<AccessToken, VendorError> {
        token::cached_or_fetch(self.cache.as_ref(), &self.appid, REFRESH_MARGIN, || {
            self.fetch(false)
        })
        .await
    }

    /// A replacement for `stale`, which WeChat just refused.
    async fn refresh(&self, stale: &AccessToken) -> Result<AccessToken, VendorError> {
        let stale_value = stale.value.expose_secret();
        // Another replica may have refreshed already.
        if let Some(cached) = self.cache.get(&self.appid).await {
            if cached.value.expose_secret() != stale_value
                && cached.is_fresh(SystemTime::now(), REFRESH_MARGIN)
            {
                return Ok(cached);
            }
        }
        let fresh = self.fetch(false).await?;
        if self.source == TokenSource::Stable && fresh.value.expose_secret() == stale_value {
            return self.fetch(true).await;
        }
        Ok(fresh)
    }

    async fn post_once<B: Serialize + ?Sized>(
        &self,
        vendor: &'static str,
        path: &[&str],
        body: &B,
        token: &AccessToken,
        error_body: fn(&Reply) -> Option<VendorError>,
    ) -> Result<Reply, VendorError> {
        let mut url = self.endpoint(path)?;
        url.query_pairs_mut()
            .append_pair("access_token", token.value.expose_secret());
        let call = path.last().copied().unwrap_or("api");
        http::exchange(vendor, call, self.http.post(url).json(body), error_body).await
    }

    /// POSTs `body` to a token-authenticated endpoint, its error answers read by `error_body`;
    /// refreshes the token once and retries once on 40001 / 42001.
    async fn post_with_token<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        path: &[&str],
        body: &B,
        error_body: fn(&Reply) -> Option<VendorError>,
    ) -> Result<T, VendorError> {
        self.post_with_token_as(VENDOR, path, body, error_body)
            .await
    }

    /// [`Self::post_with_token`] for another API of the same mini-program (face verification
    /// 2.0, `crate::wechat_verify`), its calls labelled `vendor` in logs and metrics: one
    /// access token, one cache and one refresher for both.
    pub(crate) async fn post_with_token_as<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        vendor: &'static str,
        path: &[&str],
        body: &B,
        error_body: fn(&Reply) -> Option<VendorError>,
    ) -> Result<T, VendorError> {
        let token = self.access_token().await?;
        let reply = match self.post_once(vendor, path, body, &token, error_body).await {
            Err(error) if codes::is_stale(&error) => {
                let fresh = self.refresh(&token).await?;
                self.post_once(vendor, path, body, &fresh, error_body)
                    .await?
            }
            reply => reply?,
        };
        reply.json()
    }

    /// Uploads the person's name and ID number; the mini-program then verifies with the key.
    pub async fn get_user_id_key(
        &self,
        request: &GetUserIdKeyRequest,
    ) -> Result<UserIdKey, VendorError> {
        self.post_with_token(
            &["cityservice", "face", "identify", "getuseridkey"],
            request,
            codes::user_id_key_error_body,
        )
        .await
    }

    /// Fetches the result behind the mini-program's `verifyResult`. 84001 / 84002 / 84003 are
    /// answers (see [`codes::verdict`]), other errcodes errors.
    pub async fn get_info(&self, verify_result: &str) -> Result<IdentifyInfo, VendorError> {
        let request = GetInfoRequest {
            verify_result: Pii::from(verify_result),
        };
        self.post_with_token(
            &["cityservice", "face", "identify", "getinfo"],
            &request,
            codes::get_info_error_body,
        )
        .await
    }
}
