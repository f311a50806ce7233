//! The store's security tables: merchant API keys (hashed), subject digests (keyed hashes for
//! equality on a person), kept vendor media (sealed) and redaction. One trait, implemented
//! here for both databases with the same statements (placeholders aside).

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{from_millis, to_millis, OutboxEvent, PostgresStore, SqliteStore, StoreError};

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

/// One kept vendor image, sealed (AAD `"<id>/<verification_id>"`).
#[derive(Clone, PartialEq, Eq)]
pub struct StoredMedia {
    pub id: String,
    pub verification_id: String,
    /// What the vendor called it (`image_best`, `idcard_frontside`, ...).
    pub kind: String,
    pub content_type: String,
    pub sealed: Vec<u8>,
    pub created_at: OffsetDateTime,
}

impl std::fmt::Debug for StoredMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredMedia")
            .field("id", &self.id)
            .field("verification_id", &self.verification_id)
            .field("kind", &self.kind)
            .field("bytes", &self.sealed.len())
            .finish_non_exhaustive()
    }
}

/// Dropping one final session's personal data, in one transaction.
#[derive(Clone, Debug)]
pub struct Redaction {
    pub verification_id: String,
    pub at: OffsetDateTime,
    /// What the masked forms become.
    pub marker: String,
    /// The session's earlier webhook events, their payloads rewritten without the subject.
    pub rewritten_events: Vec<(String, String)>,
    /// The `verification.redacted` event.
    pub event: OutboxEvent,
}

/// What every database implementation provides beyond sessions and events.
#[async_trait]
pub trait SecurityStore: Send + Sync {
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

    /// A session's kept media, oldest first.
    async fn media_for(&self, verification_id: &str) -> Result<Vec<StoredMedia>, StoreError>;
    /// Deletes media kept since before `before`; returns how many.
    async fn delete_media_before(&self, before: OffsetDateTime) -> Result<u64, StoreError>;

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
        provider: facegate_types::Provider,
        digest: &[u8],
    ) -> Result<Option<String>, StoreError>;

    /// Spends one piece of evidence (its SHA-256) of `provider` on the session
    /// `verification_id`: true if it is now that session's (spent now, or by that session
    /// before), false if another session spent it.
    async fn spend_evidence(
        &self,
        provider: facegate_types::Provider,
        digest: &[u8],
        verification_id: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Applies a redaction if the session is final and not yet redacted; false otherwise.
    async fn redact(&self, redaction: &Redaction) -> Result<bool, StoreError>;
    /// Final, unredacted sessions created before `before`, oldest first.
    async fn due_for_redaction(
        &self,
        before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<String>, StoreError>;
}

type KeyRow = (
    String,
    Option<String>,
    Vec<u8>,
    i64,
    Option<i64>,
    Option<i64>,
);

fn api_key(row: KeyRow) -> Result<StoredApiKey, StoreError> {
    let (id, label, key_hash, created_at, last_used_at, revoked_at) = row;
    Ok(StoredApiKey {
        id,
        label,
        key_hash,
        created_at: from_millis(created_at)?,
        last_used_at: last_used_at.map(from_millis).transpose()?,
        revoked_at: revoked_at.map(from_millis).transpose()?,
    })
}

type MediaRow = (String, String, String, String, Vec<u8>, i64);

fn media(row: MediaRow) -> Result<StoredMedia, StoreError> {
    let (id, verification_id, kind, content_type, sealed, created_at) = row;
    Ok(StoredMedia {
        id,
        verification_id,
        kind,
        content_type,
        sealed,
        created_at: from_millis(created_at)?,
    })
}

const FINAL: &str = "('verified', 'failed', 'expired', 'canceled')";

/// `first, first+1, ...` placeholders for an IN list (`?` on SQLite, `$n` on PostgreSQL).
fn placeholders(postgres: bool, first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| {
            if postgres {
                format!("${n}")
            } else {
                "?".to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The same statements on both databases; `$n` placeholders become `?` on SQLite (every
/// statement here binds its parameters in order).
macro_rules! security_store {
    ($store:ty, $db:ty, $postgres:expr) => {
        #[async_trait]
        impl SecurityStore for $store {
            async fn insert_api_key(&self, key: &StoredApiKey) -> Result<(), StoreError> {
                sqlx::query(&sql(
                    "INSERT INTO api_keys (id, label, key_hash, created_at, last_used_at, \
                     revoked_at) VALUES ($1, $2, $3, $4, $5, $6)",
                ))
                .bind(&key.id)
                .bind(&key.label)
                .bind(&key.key_hash)
                .bind(to_millis(key.created_at))
                .bind(key.last_used_at.map(to_millis))
                .bind(key.revoked_at.map(to_millis))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn api_key(&self, id: &str) -> Result<Option<StoredApiKey>, StoreError> {
                let row: Option<KeyRow> = sqlx::query_as(&sql(
                    "SELECT id, label, key_hash, created_at, last_used_at, revoked_at \
                     FROM api_keys WHERE id = $1",
                ))
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
                let done = sqlx::query(&sql(
                    "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                ))
                .bind(to_millis(at))
                .bind(id)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn touch_api_key(&self, id: &str, at: OffsetDateTime) -> Result<(), StoreError> {
                sqlx::query(&sql("UPDATE api_keys SET last_used_at = $1 WHERE id = $2"))
                    .bind(to_millis(at))
                    .bind(id)
                    .execute(&self.pool)
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
                let statement = format!(
                    "SELECT id FROM verifications WHERE subject_digest IN ({}) \
                     ORDER BY created_at DESC, id DESC LIMIT {}",
                    placeholders($postgres, 1, digests.len()),
                    placeholders($postgres, digests.len() + 1, 1),
                );
                let mut query = sqlx::query_as::<_, (String,)>(&statement);
                for digest in digests {
                    query = query.bind(digest);
                }
                let rows = query
                    .bind(i64::from(limit))
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
                let statement = format!(
                    "SELECT COUNT(*) FROM verifications WHERE subject_digest IN ({}) \
                     AND created_at > {}",
                    placeholders($postgres, 1, digests.len()),
                    placeholders($postgres, digests.len() + 1, 1),
                );
                let mut query = sqlx::query_as::<_, (i64,)>(&statement);
                for digest in digests {
                    query = query.bind(digest);
                }
                let (count,) = query
                    .bind(to_millis(since))
                    .fetch_one(self.reader())
                    .await?;
                Ok(count)
            }

            async fn media_for(
                &self,
                verification_id: &str,
            ) -> Result<Vec<StoredMedia>, StoreError> {
                let rows: Vec<MediaRow> = sqlx::query_as(&sql(
                    "SELECT id, verification_id, kind, content_type, sealed, created_at \
                     FROM media WHERE verification_id = $1 ORDER BY created_at, id",
                ))
                .bind(verification_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map(media).collect()
            }

            async fn delete_media_before(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
                let done = sqlx::query(&sql("DELETE FROM media WHERE created_at <= $1"))
                    .bind(to_millis(before))
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn evidence_owner(
                &self,
                provider: facegate_types::Provider,
                digest: &[u8],
            ) -> Result<Option<String>, StoreError> {
                let row: Option<(String,)> = sqlx::query_as(&sql(
                    "SELECT verification_id FROM spent_evidence WHERE provider = $1 AND digest = $2",
                ))
                .bind(provider.as_str())
                .bind(digest)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(owner,)| owner))
            }

            async fn spend_evidence(
                &self,
                provider: facegate_types::Provider,
                digest: &[u8],
                verification_id: &str,
                at: OffsetDateTime,
            ) -> Result<bool, StoreError> {
                sqlx::query(&sql(
                    "INSERT INTO spent_evidence (provider, digest, verification_id, spent_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (provider, digest) DO NOTHING",
                ))
                .bind(provider.as_str())
                .bind(digest)
                .bind(verification_id)
                .bind(to_millis(at))
                .execute(&self.pool)
                .await?;
                Ok(self.evidence_owner(provider, digest).await?.as_deref() == Some(verification_id))
            }

            async fn end_admin_session(
                &self,
                session: &[u8],
                expires_at: OffsetDateTime,
                now: OffsetDateTime,
            ) -> Result<(), StoreError> {
                sqlx::query(&sql("DELETE FROM admin_logouts WHERE expires_at <= $1"))
                    .bind(to_millis(now))
                    .execute(&self.pool)
                    .await?;
                sqlx::query(&sql(
                    "INSERT INTO admin_logouts (session, expires_at) VALUES ($1, $2) \
                     ON CONFLICT (session) DO NOTHING",
                ))
                .bind(session)
                .bind(to_millis(expires_at))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn admin_session_ended(&self, session: &[u8]) -> Result<bool, StoreError> {
                let row: Option<(i64,)> = sqlx::query_as(&sql(
                    "SELECT expires_at FROM admin_logouts WHERE session = $1",
                ))
                .bind(session)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.is_some())
            }

            async fn redact(&self, redaction: &Redaction) -> Result<bool, StoreError> {
                let mut tx = self.pool.begin().await?;
                let at = to_millis(redaction.at);
                let done = sqlx::query(&sql(&format!(
                    "UPDATE verifications SET \
                       subject_name = CASE WHEN subject_name IS NULL THEN NULL ELSE $1 END, \
                       subject_id_number = CASE WHEN subject_id_number IS NULL THEN NULL \
                         ELSE $2 END, \
                       subject_name_masked = CASE WHEN subject_name_masked IS NULL THEN NULL \
                         ELSE $3 END, \
                       subject_id_number_masked = CASE WHEN subject_id_number_masked IS NULL \
                         THEN NULL ELSE $4 END, \
                       subject_digest = NULL, subject_digest_key = NULL, vendor_state = NULL, \
                       redacted_at = $5, updated_at = $6, version = version + 1 \
                     WHERE id = $7 AND redacted_at IS NULL AND status IN {FINAL}"
                )))
                .bind(Vec::<u8>::new())
                .bind(Vec::<u8>::new())
                .bind(&redaction.marker)
                .bind(&redaction.marker)
                .bind(at)
                .bind(at)
                .bind(&redaction.verification_id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                sqlx::query(&sql("DELETE FROM media WHERE verification_id = $1"))
                    .bind(&redaction.verification_id)
                    .execute(&mut *tx)
                    .await?;
                for (id, payload) in &redaction.rewritten_events {
                    sqlx::query(&sql(
                        "UPDATE events SET payload = $1 WHERE id = $2 AND verification_id = $3",
                    ))
                    .bind(payload)
                    .bind(id)
                    .bind(&redaction.verification_id)
                    .execute(&mut *tx)
                    .await?;
                }
                let event = &redaction.event;
                sqlx::query(&sql(
                    "INSERT INTO events (id, verification_id, type, created_at, payload, \
                     next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6)",
                ))
                .bind(&event.id)
                .bind(&event.verification_id)
                .bind(&event.kind)
                .bind(to_millis(event.created_at))
                .bind(&event.payload)
                .bind(to_millis(event.created_at))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn due_for_redaction(
                &self,
                before: OffsetDateTime,
                limit: u32,
            ) -> Result<Vec<String>, StoreError> {
                let rows: Vec<(String,)> = sqlx::query_as(&sql(&format!(
                    "SELECT id FROM verifications WHERE redacted_at IS NULL \
                     AND status IN {FINAL} AND created_at <= $1 \
                     ORDER BY created_at, id LIMIT $2"
                )))
                .bind(to_millis(before))
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(|(id,)| id).collect())
            }
        }

        impl $store {
            /// Keeps one sealed item, inside the transaction that makes its session final
            /// (`apply`), so that a session that reads final has its media already.
            pub(in crate::store) async fn insert_media(
                tx: &mut sqlx::Transaction<'_, $db>,
                item: &StoredMedia,
            ) -> Result<(), StoreError> {
                sqlx::query(&sql(
                    "INSERT INTO media (id, verification_id, kind, content_type, sealed, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                ))
                .bind(&item.id)
                .bind(&item.verification_id)
                .bind(&item.kind)
                .bind(&item.content_type)
                .bind(&item.sealed)
                .bind(to_millis(item.created_at))
                .execute(&mut **tx)
                .await?;
                Ok(())
            }
        }
    };
}

mod sqlite_impl {
    use super::*;

    fn sql(statement: &str) -> String {
        crate::store::rows::sqlite_placeholders(statement)
    }

    security_store!(SqliteStore, sqlx::Sqlite, false);
}

mod postgres_impl {
    use super::*;

    fn sql(statement: &str) -> String {
        statement.to_owned()
    }

    security_store!(PostgresStore, sqlx::Postgres, true);
}
