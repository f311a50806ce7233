//! Vendor access tokens kept in the database, encrypted, so every replica uses the same one.
//!
//! One refresh at a time across replicas: a cache that finds no usable token takes a refresh
//! lease in the database (a row with an expiry, so a replica that dies holding it blocks
//! nobody for long) and lets its client fetch; the others wait for the token it stores.
//! WeChat's classic token invalidates its predecessor, and every grant is a counted call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use facegate_vendors::token::{AccessToken, TokenCache};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use crate::pii::PiiCipher;
use crate::store::Store;

/// The vendors crate's `TokenCache` over the store, for every vendor client that holds a token
/// (Baidu H5's, WeChat's). A failing database degrades to "no cached token" (the client then
/// fetches one), never to an error in the user's flow.
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
    /// The token last read or saved, per key, and when: handed out again for [`RECENT`]
    /// without a database read (every vendor call asks for the token).
    recent: Arc<Mutex<HashMap<String, Recent>>>,
}

struct Recent {
    token: SecretString,
    expires_at: OffsetDateTime,
    at: Instant,
}

/// How long a token read from the database is reused before reading again. Another replica's
/// newer token is picked up within this time; the old one stays valid meanwhile (Baidu's
/// tokens live 30 days, WeChat's stable token is not invalidated by a normal refresh).
const RECENT: Duration = Duration::from_secs(30);

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
            .field(
                "recent",
                &self.recent.lock().map(|recent| recent.len()).unwrap_or(0),
            )
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
            recent: Arc::default(),
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
        if let Some(found) = self.recent(key) {
            return Some(found);
        }
        let found = self.usable_or_lease_stored(key).await?;
        self.remember(key, &found.0, found.1);
        Some(found)
    }

    /// The token this process read or saved less than [`RECENT`] ago, if still usable.
    fn recent(&self, key: &str) -> Option<(SecretString, OffsetDateTime)> {
        let recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = recent.get(key)?;
        (entry.at.elapsed() < RECENT
            && entry.expires_at > crate::session::now() + self.refresh_margin)
            .then(|| (entry.token.clone(), entry.expires_at))
    }

    fn remember(&self, key: &str, token: &SecretString, expires_at: OffsetDateTime) {
        let entry = Recent {
            token: token.clone(),
            expires_at,
            at: Instant::now(),
        };
        self.recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned(), entry);
    }

    async fn usable_or_lease_stored(&self, key: &str) -> Option<(SecretString, OffsetDateTime)> {
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
        self.remember(key, token, expires_at);
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
    async fn get(&self, key: &str) -> Option<AccessToken> {
        let (value, expires_at) = self.usable_or_lease(key).await?;
        Some(AccessToken {
            value,
            expires_at: SystemTime::from(expires_at),
        })
    }

    async fn put(&self, key: &str, token: AccessToken) {
        self.save(key, &token.value, OffsetDateTime::from(token.expires_at))
            .await;
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    use super::*;
    use crate::store::SqliteStore;

    #[tokio::test]
    async fn a_token_read_or_saved_lately_is_handed_out_without_reading_the_store() {
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::connect("sqlite::memory:").await.unwrap());
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let pii = PiiCipher::new(&SecretString::from(key), &[]).unwrap();
        let replica = |store: &Arc<dyn Store>| {
            StoreTokenCache::new(store.clone(), pii.clone(), "test")
                .with_refresh_margin(Duration::from_secs(60))
        };
        let (cache, other) = (replica(&store), replica(&store));
        let in_a_day = crate::session::now() + time::Duration::days(1);
        cache.save("k", &SecretString::from("one"), in_a_day).await;
        // Another replica stores a newer token: this one keeps its own for a while.
        other.save("k", &SecretString::from("two"), in_a_day).await;
        let (token, _) = cache.usable_or_lease("k").await.unwrap();
        assert_eq!(token.expose_secret(), "one");
        // Once that copy is older than RECENT, the store is read again.
        cache.recent.lock().unwrap().get_mut("k").unwrap().at -= RECENT;
        let (token, _) = cache.usable_or_lease("k").await.unwrap();
        assert_eq!(token.expose_secret(), "two");
        // A copy within the refresh margin is never handed out.
        let soon = crate::session::now() + time::Duration::seconds(30);
        cache.save("k", &SecretString::from("three"), soon).await;
        assert!(cache.recent("k").is_none());
    }
}
