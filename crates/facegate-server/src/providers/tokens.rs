//! Vendor access tokens kept in the database, encrypted, so every replica uses the same one.
//!
//! One refresh at a time across replicas: a cache that finds no usable token takes a refresh
//! lease in the database (a row with an expiry, so a replica that dies holding it blocks
//! nobody for long) and lets its client fetch; the others wait for the token it stores.
//! WeChat's classic token invalidates its predecessor, and every grant is a counted call.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

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
    /// A stored token ending within this margin is not handed out (the vendor client would
    /// refresh it anyway, and should do so under the lease).
    refresh_margin: time::Duration,
    /// This cache's id as a lease holder.
    holder: String,
}

/// How long a refresh lease lasts: longer than a token call (the vendor client's timeout is
/// 10 s), short enough that a replica that died holding it delays the others little.
const REFRESH_LEASE: time::Duration = time::Duration::seconds(12);
/// How long a cache waits for another replica's refresh before fetching on its own.
const REFRESH_WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(25);

impl std::fmt::Debug for StoreTokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreTokenCache")
            .field("namespace", &self.namespace)
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

impl StoreTokenCache {
    pub fn new(store: Arc<dyn Store>, pii: PiiCipher, namespace: &'static str) -> Self {
        use rand::distributions::{Alphanumeric, DistString};
        Self {
            store,
            pii,
            namespace,
            refresh_margin: time::Duration::ZERO,
            holder: format!(
                "{}-{}",
                std::process::id(),
                Alphanumeric.sample_string(&mut rand::thread_rng(), 12)
            ),
        }
    }

    /// Tokens that end within `margin` count as missing (match the vendor client's own margin).
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        // A minute more than the client's, so that a token handed out is never one the client
        // then refreshes on its own, outside the lease.
        self.refresh_margin = time::Duration::try_from(margin)
            .unwrap_or(time::Duration::ZERO)
            .saturating_add(time::Duration::minutes(1));
        self
    }

    /// A stored token good for longer than the margin; or `None` once this cache holds the
    /// refresh lease (the caller fetches a token and `save`s it, which gives the lease back).
    /// While another replica holds the lease, waits for its token; after [`REFRESH_WAIT`]
    /// (the holder is stuck), returns `None` so the caller fetches regardless.
    pub async fn usable_or_lease(&self, key: &str) -> Option<(SecretString, OffsetDateTime)> {
        let lease_key = self.key(key);
        let started = std::time::Instant::now();
        loop {
            if let Some((token, expires_at)) = self.load(key).await {
                if expires_at > crate::session::now() + self.refresh_margin {
                    return Some((token, expires_at));
                }
            }
            let now = crate::session::now();
            match self
                .store
                .claim_token_refresh(&lease_key, &self.holder, now, now + REFRESH_LEASE)
                .await
            {
                Ok(true) => {
                    // Someone may have stored a token between the read and the claim.
                    if let Some((token, expires_at)) = self.load(key).await {
                        if expires_at > crate::session::now() + self.refresh_margin {
                            self.release(&lease_key).await;
                            return Some((token, expires_at));
                        }
                    }
                    return None;
                }
                Ok(false) if started.elapsed() < REFRESH_WAIT => {
                    tokio::time::sleep(POLL).await;
                }
                Ok(false) => {
                    tracing::warn!(
                        namespace = self.namespace,
                        "vendor token cache: another replica's refresh did not finish; fetching"
                    );
                    return None;
                }
                Err(error) => {
                    tracing::warn!(error = %error, "vendor token cache: refresh lease failed");
                    return None;
                }
            }
        }
    }

    async fn release(&self, lease_key: &str) {
        if let Err(error) = self
            .store
            .release_token_refresh(lease_key, &self.holder)
            .await
        {
            tracing::warn!(error = %error, "vendor token cache: releasing the refresh lease failed");
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
        self.release(&key).await;
    }
}

#[async_trait]
impl TokenCache for StoreTokenCache {
    async fn get(&self, key: &str) -> Option<CachedToken> {
        let (token, expires_at) = self.usable_or_lease(key).await?;
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
