//! Personal data kept and dropped: vendor media (sealed, kept only when configured) and the
//! redaction of a final session, in one transaction with its rewritten webhook events.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::rows::{media, MediaRow};
use super::{to_millis, Backend, OutboxEvent, PostgresStore, SqliteStore, StoreError};

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

/// Kept media, and redaction (by the API and the retention worker).
#[async_trait]
pub trait PrivacyStore: Send + Sync {
    /// A session's kept media, oldest first.
    async fn media_for(&self, verification_id: &str) -> Result<Vec<StoredMedia>, StoreError>;
    /// Deletes media kept since before `before`; returns how many.
    async fn delete_media_before(&self, before: OffsetDateTime) -> Result<u64, StoreError>;
    /// Applies a redaction if the session is final and not yet redacted; false otherwise.
    async fn redact(&self, redaction: &Redaction) -> Result<bool, StoreError>;
    /// Final, unredacted sessions created before `before`, oldest first.
    async fn due_for_redaction(
        &self,
        before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<String>, StoreError>;
}

const FINAL: &str = "('verified', 'failed', 'expired', 'canceled')";

macro_rules! implement {
    ($store:ty) => {
        #[async_trait]
        impl PrivacyStore for $store {
            async fn media_for(
                &self,
                verification_id: &str,
            ) -> Result<Vec<StoredMedia>, StoreError> {
                let rows: Vec<MediaRow> = sqlx::query_as(
                    "SELECT id, verification_id, kind, content_type, sealed, created_at \
                     FROM media WHERE verification_id = $1 ORDER BY created_at, id",
                )
                .bind(verification_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map(media).collect()
            }

            async fn delete_media_before(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
                let done = sqlx::query("DELETE FROM media WHERE created_at <= $1")
                    .bind(to_millis(before))
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected())
            }

            async fn redact(&self, redaction: &Redaction) -> Result<bool, StoreError> {
                let mut tx = self.writer().begin().await?;
                // Ciphertexts become empty and masked forms the marker; absent ones stay absent.
                let sql = format!(
                    "UPDATE verifications SET \
                       subject_name = CASE WHEN subject_name IS NULL THEN NULL ELSE $1 END, \
                       subject_id_number = CASE WHEN subject_id_number IS NULL THEN NULL \
                         ELSE $1 END, \
                       subject_name_masked = CASE WHEN subject_name_masked IS NULL THEN NULL \
                         ELSE $2 END, \
                       subject_id_number_masked = CASE WHEN subject_id_number_masked IS NULL \
                         THEN NULL ELSE $2 END, \
                       subject_digest = NULL, subject_digest_key = NULL, vendor_state = NULL, \
                       redacted_at = $3, updated_at = $3, version = version + 1 \
                     WHERE id = $4 AND redacted_at IS NULL AND status IN {FINAL}"
                );
                let done = sqlx::query(&sql)
                    .bind(Vec::<u8>::new())
                    .bind(&redaction.marker)
                    .bind(to_millis(redaction.at))
                    .bind(&redaction.verification_id)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                sqlx::query("DELETE FROM media WHERE verification_id = $1")
                    .bind(&redaction.verification_id)
                    .execute(&mut *tx)
                    .await?;
                for (id, payload) in &redaction.rewritten_events {
                    sqlx::query(
                        "UPDATE events SET payload = $1 WHERE id = $2 AND verification_id = $3",
                    )
                    .bind(payload)
                    .bind(id)
                    .bind(&redaction.verification_id)
                    .execute(&mut *tx)
                    .await?;
                }
                Self::insert_event(&mut tx, &redaction.event).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn due_for_redaction(
                &self,
                before: OffsetDateTime,
                limit: u32,
            ) -> Result<Vec<String>, StoreError> {
                let sql = format!(
                    "SELECT id FROM verifications WHERE redacted_at IS NULL \
                     AND status IN {FINAL} AND created_at <= $1 \
                     ORDER BY created_at, id LIMIT $2"
                );
                let rows: Vec<(String,)> = sqlx::query_as(&sql)
                    .bind(to_millis(before))
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await?;
                Ok(rows.into_iter().map(|(id,)| id).collect())
            }
        }
    };
}

implement!(SqliteStore);
implement!(PostgresStore);
