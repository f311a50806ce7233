//! Keys and limits: merchant API keys (hashed), admin sessions ended by a logout, subject
//! digests (keyed hashes for equality on a person: search and the per-person cap) and spent
//! evidence (each piece decides at most one session).

use async_trait::async_trait;
use facegate_types::Provider;
use sqlx::QueryBuilder;
use time::OffsetDateTime;

use super::rows::{api_key, KeyRow};
use super::{to_millis, Backend, PostgresStore, SqliteStore, StoreError};

/// A merchant API key as stored: never the key, only its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredApiKey {
    /// `key_<16 lowercase alphanumerics>`; the key itself is `fg_live_<16>_<secret>`.
    pub id: String,
    pub label: Option<String>,
    pub key_hash: Vec<u8>,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// Who may act, and how often: API keys, admin logouts, subject digests, spent evidence.
#[async_trait]
pub trait KeyStore: Send + Sync {
    async fn insert_api_key(&self, key: &StoredApiKey) -> Result<(), StoreError>;
    async fn api_key(&self, id: &str) -> Result<Option<StoredApiKey>, StoreError>;
    /// Every key, oldest first.
    async fn list_api_keys(&self) -> Result<Vec<StoredApiKey>, StoreError>;
    /// Revokes a key; false if there is no such key or it was already revoked.
    async fn revoke_api_key(&self, id: &str, at: OffsetDateTime) -> Result<bool, StoreError>;
    async fn touch_api_key(&self, id: &str, at: OffsetDateTime) -> Result<(), StoreError>;

    /// Ids of the sessions whose digest is one of `digests`, newest first.
    async fn find_by_subject_digest(
        &self,
        digests: &[Vec<u8>],
        limit: u32,
    ) -> Result<Vec<String>, StoreError>;
    /// How many sessions with one of `digests` were created after `since`.
    async fn count_by_subject_digest(
        &self,
        digests: &[Vec<u8>],
        since: OffsetDateTime,
    ) -> Result<i64, StoreError>;

    /// Ends an admin session (the hash of its cookie) before `expires_at`, its cookie's own
    /// expiry; sessions ended earlier and expired by `now` are forgotten.
    async fn end_admin_session(
        &self,
        session: &[u8],
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Whether the admin session was ended by a logout.
    async fn admin_session_ended(&self, session: &[u8]) -> Result<bool, StoreError>;

    /// The session that spent one piece of evidence (its SHA-256) of `provider`, if any.
    async fn evidence_owner(
        &self,
        provider: Provider,
        digest: &[u8],
    ) -> Result<Option<String>, StoreError>;

    /// Spends one piece of evidence (its SHA-256) of `provider` on the session
    /// `verification_id`: true if it is now that session's (spent now, or by that session
    /// before), false if another session spent it.
    async fn spend_evidence(
        &self,
        provider: Provider,
        digest: &[u8],
        verification_id: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;
}

macro_rules! implement {
    ($store:ty) => {
        impl $store {
            /// `SELECT <what> FROM verifications WHERE subject_digest IN (<digests>)`, the
            /// digests bound.
            pub(super) fn by_subject_digest<'a>(
                what: &str,
                digests: &'a [Vec<u8>],
            ) -> QueryBuilder<'a, <$store as Backend>::Database> {
                let mut query = QueryBuilder::new(format!(
                    "SELECT {what} FROM verifications WHERE subject_digest IN ("
                ));
                let mut list = query.separated(", ");
                for digest in digests {
                    list.push_bind(digest);
                }
                query.push(")");
                query
            }
        }

        #[async_trait]
        impl KeyStore for $store {
            async fn insert_api_key(&self, key: &StoredApiKey) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO api_keys (id, label, key_hash, created_at, last_used_at, \
                     revoked_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&key.id)
                .bind(&key.label)
                .bind(&key.key_hash)
                .bind(to_millis(key.created_at))
                .bind(key.last_used_at.map(to_millis))
                .bind(key.revoked_at.map(to_millis))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn api_key(&self, id: &str) -> Result<Option<StoredApiKey>, StoreError> {
                let row: Option<KeyRow> = sqlx::query_as(
                    "SELECT id, label, key_hash, created_at, last_used_at, revoked_at \
                     FROM api_keys WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
                row.map(api_key).transpose()
            }

            async fn list_api_keys(&self) -> Result<Vec<StoredApiKey>, StoreError> {
                let rows: Vec<KeyRow> = sqlx::query_as(
                    "SELECT id, label, key_hash, created_at, last_used_at, revoked_at \
                     FROM api_keys ORDER BY created_at, id",
                )
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map(api_key).collect()
            }

            async fn revoke_api_key(
                &self,
                id: &str,
                at: OffsetDateTime,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                )
                .bind(to_millis(at))
                .bind(id)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn touch_api_key(&self, id: &str, at: OffsetDateTime) -> Result<(), StoreError> {
                sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
                    .bind(to_millis(at))
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn find_by_subject_digest(
                &self,
                digests: &[Vec<u8>],
                limit: u32,
            ) -> Result<Vec<String>, StoreError> {
                if digests.is_empty() {
                    return Ok(Vec::new());
                }
                let mut query = Self::by_subject_digest("id", digests);
                query.push(" ORDER BY created_at DESC, id DESC LIMIT ");
                query.push_bind(i64::from(limit));
                let rows = query
                    .build_query_as::<(String,)>()
                    .fetch_all(self.reader())
                    .await?;
                Ok(rows.into_iter().map(|(id,)| id).collect())
            }

            async fn count_by_subject_digest(
                &self,
                digests: &[Vec<u8>],
                since: OffsetDateTime,
            ) -> Result<i64, StoreError> {
                if digests.is_empty() {
                    return Ok(0);
                }
                let mut query = Self::by_subject_digest("COUNT(*)", digests);
                query.push(" AND created_at > ").push_bind(to_millis(since));
                let (count,) = query
                    .build_query_as::<(i64,)>()
                    .fetch_one(self.reader())
                    .await?;
                Ok(count)
            }

            async fn end_admin_session(
                &self,
                session: &[u8],
                expires_at: OffsetDateTime,
                now: OffsetDateTime,
            ) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM admin_logouts WHERE expires_at <= $1")
                    .bind(to_millis(now))
                    .execute(self.writer())
                    .await?;
                sqlx::query(
                    "INSERT INTO admin_logouts (session, expires_at) VALUES ($1, $2) \
                     ON CONFLICT (session) DO NOTHING",
                )
                .bind(session)
                .bind(to_millis(expires_at))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn admin_session_ended(&self, session: &[u8]) -> Result<bool, StoreError> {
                let row: Option<(i64,)> =
                    sqlx::query_as("SELECT expires_at FROM admin_logouts WHERE session = $1")
                        .bind(session)
                        .fetch_optional(self.reader())
                        .await?;
                Ok(row.is_some())
            }

            async fn evidence_owner(
                &self,
                provider: Provider,
                digest: &[u8],
            ) -> Result<Option<String>, StoreError> {
                // The writer: `spend_evidence` reads what it has just written.
                let row: Option<(String,)> = sqlx::query_as(
                    "SELECT verification_id FROM spent_evidence \
                     WHERE provider = $1 AND digest = $2",
                )
                .bind(provider.as_str())
                .bind(digest)
                .fetch_optional(self.writer())
                .await?;
                Ok(row.map(|(owner,)| owner))
            }

            async fn spend_evidence(
                &self,
                provider: Provider,
                digest: &[u8],
                verification_id: &str,
                at: OffsetDateTime,
            ) -> Result<bool, StoreError> {
                sqlx::query(
                    "INSERT INTO spent_evidence (provider, digest, verification_id, spent_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (provider, digest) DO NOTHING",
                )
                .bind(provider.as_str())
                .bind(digest)
                .bind(verification_id)
                .bind(to_millis(at))
                .execute(self.writer())
                .await?;
                let owner = self.evidence_owner(provider, digest).await?;
                Ok(owner.as_deref() == Some(verification_id))
            }
        }
    };
}

implement!(SqliteStore);
implement!(PostgresStore);
