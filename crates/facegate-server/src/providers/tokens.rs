//! Vendor access tokens kept in the database, encrypted, so every replica uses the same one.

use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use facegate_vendors::baidu_h5::{CachedToken, TokenCache};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use crate::pii::PiiCipher;
use crate::store::Store;

/// A `TokenCache` over the store. A failing database degrades to "no cached token" (the
/// client then fetches one), never to an error in the user's flow.
#[derive(Clone)]
pub struct StoreTokenCache {
    store: Arc<dyn Store>,
    pii: PiiCipher,
    /// Keeps one vendor's keys apart from another's.
    namespace: &'static str,
}

impl std::fmt::Debug for StoreTokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreTokenCache")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl StoreTokenCache {
    pub fn new(store: Arc<dyn Store>, pii: PiiCipher, namespace: &'static str) -> Self {
        Self {
            store,
            pii,
            namespace,
        }
    }

    fn key(&self, key: &str) -> String {
        // The vendor's key (an API key id) is not secret, but keep it out of the table anyway.
        use sha2::Digest;
        format!(
            "{}:{}",
            self.namespace,
            hex::encode(&sha2::Sha256::digest(key.as_bytes())[..8])
        )
    }

    pub async fn load(&self, key: &str) -> Option<(SecretString, OffsetDateTime)> {
        let key = self.key(key);
        let (sealed, expires_at) = match self.store.vendor_token(&key).await {
            Ok(found) => found?,
            Err(error) => {
                tracing::warn!(error = %error, "vendor token cache: read failed");
                return None;
            }
        };
        let token = self.pii.decrypt(&sealed, &key).ok()?;
        Some((SecretString::from(token), expires_at))
    }

    pub async fn save(&self, key: &str, token: &SecretString, expires_at: OffsetDateTime) {
        let key = self.key(key);
        let sealed = self.pii.encrypt(token.expose_secret(), &key);
        if let Err(error) = self
            .store
            .put_vendor_token(&key, &sealed, expires_at, crate::session::now())
            .await
        {
            tracing::warn!(error = %error, "vendor token cache: write failed");
        }
    }
}

#[async_trait]
impl TokenCache for StoreTokenCache {
    async fn get(&self, key: &str) -> Option<CachedToken> {
        let (token, expires_at) = self.load(key).await?;
        Some(CachedToken {
            token,
            expires_at: SystemTime::from(expires_at),
        })
    }

    async fn put(&self, key: &str, token: CachedToken) {
        self.save(key, &token.token, OffsetDateTime::from(token.expires_at))
            .await;
    }
}
