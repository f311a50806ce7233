//! Vendor access tokens between calls: one cache trait for every client that holds a token
//! (Baidu H5's, WeChat's), keyed by the credential the token belongs to (Baidu's API key,
//! WeChat's appid). In memory by default; facegate's server implements [`TokenCache`] over its
//! database, so replicas share one token and refresh it one at a time.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use secrecy::SecretString;

use crate::retry::RetryPolicy;
use crate::VendorError;

/// An access token and when it stops working.
#[derive(Clone)]
pub struct AccessToken {
    pub value: SecretString,
    pub expires_at: SystemTime,
}

impl AccessToken {
    /// Whether it can still be used at `now`, keeping `margin` in hand (each client refreshes
    /// its token that long before it ends).
    pub fn is_fresh(&self, now: SystemTime, margin: Duration) -> bool {
        now + margin < self.expires_at
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Where access tokens are kept between calls, keyed by the credential they belong to.
#[async_trait::async_trait]
pub trait TokenCache: Send + Sync + std::fmt::Debug {
    async fn get(&self, key: &str) -> Option<AccessToken>;
    async fn put(&self, key: &str, token: AccessToken);
}

/// The default cache: this process's memory.
#[derive(Debug, Default)]
pub struct MemoryTokenCache {
    tokens: Mutex<HashMap<String, AccessToken>>,
}

#[async_trait::async_trait]
impl TokenCache for MemoryTokenCache {
    async fn get(&self, key: &str) -> Option<AccessToken> {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    async fn put(&self, key: &str, token: AccessToken) {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned(), token);
    }
}

/// The token to use now: `key`'s cached one while it is fresh for longer than `margin`, else
/// a new one from `fetch` (which puts it in the cache). A token fetch issues a token and bills
/// nothing, so it is retried ([`RetryPolicy::default`]).
pub(crate) async fn cached_or_fetch<F, Fut>(
    cache: &dyn TokenCache,
    key: &str,
    margin: Duration,
    fetch: F,
) -> Result<AccessToken, VendorError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<AccessToken, VendorError>>,
{
    match cache.get(key).await {
        Some(token) if token.is_fresh(SystemTime::now(), margin) => Ok(token),
        _ => RetryPolicy::default().run(fetch).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_refreshed_before_it_ends() {
        let now = SystemTime::now();
        let margin = Duration::from_secs(5 * 60);
        let token = |secs| AccessToken {
            value: SecretString::from("t"),
            expires_at: now + Duration::from_secs(secs),
        };
        assert!(token(7200).is_fresh(now, margin));
        assert!(!token(60).is_fresh(now, margin));
        assert!(!format!("{:?}", token(1)).contains("\"t\""));
    }
}
