//! The access-token cache. Baidu's token lives 30 days and a new one leaves the old valid
//! (seed 001, 常见问题 1), so replicas that refresh at the same time do no harm: the cache only
//! saves calls. The server can back it with its database to share tokens across replicas.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use secrecy::SecretString;

/// A token and when it stops working.
#[derive(Clone, Debug)]
pub struct CachedToken {
    pub token: SecretString,
    pub expires_at: SystemTime,
}

/// Where access tokens are kept between calls, keyed by the API key they belong to.
#[async_trait::async_trait]
pub trait TokenCache: Send + Sync + std::fmt::Debug {
    async fn get(&self, key: &str) -> Option<CachedToken>;
    async fn put(&self, key: &str, token: CachedToken);
}

/// The default cache: this process's memory.
#[derive(Debug, Default)]
pub struct MemoryTokenCache {
    tokens: Mutex<HashMap<String, CachedToken>>,
}

#[async_trait::async_trait]
impl TokenCache for MemoryTokenCache {
    async fn get(&self, key: &str) -> Option<CachedToken> {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    async fn put(&self, key: &str, token: CachedToken) {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned(), token);
    }
}
