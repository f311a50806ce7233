//! SQLite: the embedded default. WAL mode, one file, created if missing.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use facegate_types::Provider;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use time::OffsetDateTime;

mod admin;

use super::rows::{event, is_unique_violation, records, to_json, EventRow, Row, COLUMNS};
use super::{
    from_millis, to_millis, Change, Delivery, ListFilter, OutboxEvent, SessionRecord, Start, Store,
    StoreError, SubjectDigest,
};
use super::{AdminFilter, AlertReading, AlertRecord, AlertStatus, DailyCount, OutcomeCount};

pub struct SqliteStore {
    /// The one connection that writes. SQLite has one writer at a time; with several pooled
    /// writers they met in SQLite's busy handler, which sleeps 1 to 50 ms between tries (the
    /// bound BENCHMARKS.md found). One connection queues writers in process, in order, instead.
    pub(super) pool: SqlitePool,
    /// Read-only connections: WAL lets them read beside the writer without waiting.
    pub(super) reader: SqlitePool,
}

/// Readers beside the one writer.
const READERS: u32 = 4;

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL loses nothing when the process dies; only an OS crash can
            // drop the last commits.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Still needed: other processes (`facegate keys`, a second server by mistake) may
            // write the same file.
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        // An in-memory database lives in its connections: readers of their own would see
        // another (empty) one, so there the writer reads too.
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let reader = if in_memory {
            pool.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(READERS)
                .connect_with(options.read_only(true).create_if_missing(false))
                .await?
        };
        Ok(Self { pool, reader })
    }

    /// The pool for statements that only read.
    pub(super) fn reader(&self) -> &SqlitePool {
        &self.reader
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn insert(
        &self,
        r: &SessionRecord,
        digest: Option<&SubjectDigest>,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO verifications ({COLUMNS}, subject_digest_key, subject_digest) VALUES \
             (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        );
        let subject = r.subject.as_ref();
        let outcome = sqlx::query(&sql)
            .bind(&r.id)
            .bind(r.provider.as_str())
            .bind(r.status.as_str())
            .bind(&r.reference)
            .bind(&r.client_secret_hash)
            .bind(&r.client_secret_sealed)
            .bind(subject.map(|s| &s.name))
            .bind(subject.map(|s| &s.id_number))
            .bind(subject.map(|s| &s.name_masked))
            .bind(subject.map(|s| &s.id_number_masked))
            .bind(&r.return_url)
            .bind(&r.vendor_ref)
            .bind(to_json(r.next_action.as_ref()))
            .bind(to_json(r.result.as_ref()))
            .bind(to_json(r.vendor_state.as_ref()))
            .bind(&r.api_key_id)
            .bind(&r.idempotency_key)
            .bind(r.version)
            .bind(to_millis(r.created_at))
            .bind(to_millis(r.updated_at))
            .bind(to_millis(r.expires_at))
            .bind(r.completed_at.map(to_millis))
            .bind(r.last_checked_at.map(to_millis))
            .bind(r.redacted_at.map(to_millis))
            .bind(digest.map(|d| &d.key_id))
            .bind(digest.map(|d| &d.digest))
            .execute(&self.pool)
            .await;
        match outcome {
            Ok(_) => Ok(()),
            Err(error) if is_unique_violation(&error) => {
                Err(StoreError::Duplicate("idempotency_key"))
            }
            Err(error) => Err(error.into()),
        }
    }

    async fn get(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM verifications WHERE id = ?");
        let row: Option<Row> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.map(SessionRecord::try_from).transpose()
    }

    async fn find_by_idempotency_key(
        &self,
        api_key_id: &str,
        key: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM verifications WHERE api_key_id = ? AND idempotency_key = ?"
        );
        let row: Option<Row> = sqlx::query_as(&sql)
            .bind(api_key_id)
            .bind(key)
            .fetch_optional(&self.reader)
            .await?;
        row.map(SessionRecord::try_from).transpose()
    }

    async fn find_by_vendor_ref(
        &self,
        provider: Provider,
        vendor_ref: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM verifications WHERE provider = ? AND vendor_ref = ?");
        let row: Option<Row> = sqlx::query_as(&sql)
            .bind(provider.as_str())
            .bind(vendor_ref)
            .fetch_optional(&self.reader)
            .await?;
        row.map(SessionRecord::try_from).transpose()
    }

    async fn list(&self, filter: &ListFilter) -> Result<Vec<SessionRecord>, StoreError> {
        let mut sql = format!("SELECT {COLUMNS} FROM verifications WHERE 1 = 1");
        if filter.reference.is_some() {
            sql.push_str(" AND reference = ?");
        }
        if filter.status.is_some() {
            sql.push_str(" AND status = ?");
        }
        if filter.after.is_some() {
            sql.push_str(" AND (created_at, id) < (?, ?)");
        }
        sql.push_str(" ORDER BY created_at DESC, id DESC LIMIT ?");
        let mut query = sqlx::query_as::<_, Row>(&sql);
        if let Some(reference) = &filter.reference {
            query = query.bind(reference);
        }
        if let Some(status) = filter.status {
            query = query.bind(status.as_str());
        }
        if let Some((created_at, id)) = &filter.after {
            query = query.bind(to_millis(*created_at)).bind(id);
        }
        let rows = query
            .bind(i64::from(filter.limit))
            .fetch_all(&self.reader)
            .await?;
        records(rows)
    }

    async fn record_start(
        &self,
        id: &str,
        expected_version: i64,
        start: &Start,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let outcome = sqlx::query(
            "UPDATE verifications SET vendor_ref = ?, next_action = ?, expires_at = ?, \
             vendor_state = ?, version = version + 1, updated_at = ? \
             WHERE id = ? AND version = ?",
        )
        .bind(&start.vendor_ref)
        .bind(to_json(Some(&start.next_action)))
        .bind(to_millis(start.expires_at))
        .bind(to_json(start.vendor_state.as_ref()))
        .bind(to_millis(at))
        .bind(id)
        .bind(expected_version)
        .execute(&self.pool)
        .await;
        match outcome {
            Ok(done) => Ok(done.rows_affected() == 1),
            Err(error) if is_unique_violation(&error) => Err(StoreError::Duplicate("vendor_ref")),
            Err(error) => Err(error.into()),
        }
    }

    async fn delete_unstarted(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM verifications WHERE id = ? AND vendor_ref IS NULL")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn apply(&self, change: &Change) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE verifications SET status = ?, result = ?, next_action = ?, completed_at = ?, \
             version = version + 1, updated_at = ?, last_checked_at = ? \
             WHERE id = ? AND version = ?",
        )
        .bind(change.status.as_str())
        .bind(to_json(change.result.as_ref()))
        .bind(to_json(change.next_action.as_ref()))
        .bind(change.completed_at.map(to_millis))
        .bind(to_millis(change.at))
        .bind(to_millis(change.at))
        .bind(&change.id)
        .bind(change.expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        if let Some(event) = &change.event {
            sqlx::query(
                "INSERT INTO events (id, verification_id, type, created_at, payload, \
                 next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(&event.id)
            .bind(&event.verification_id)
            .bind(&event.kind)
            .bind(to_millis(event.created_at))
            .bind(&event.payload)
            .bind(to_millis(event.created_at))
            .execute(&mut *tx)
            .await?;
        }
        for item in &change.media {
            Self::insert_media(&mut tx, item).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn touch_checked(&self, id: &str, at: OffsetDateTime) -> Result<(), StoreError> {
        sqlx::query("UPDATE verifications SET last_checked_at = ? WHERE id = ?")
            .bind(to_millis(at))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn due_for_reconcile(
        &self,
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM verifications \
             WHERE status IN ('pending', 'processing') \
               AND (expires_at <= ? OR (created_at < ? AND COALESCE(last_checked_at, 0) < ?)) \
             ORDER BY COALESCE(last_checked_at, 0) LIMIT ?"
        );
        let stale = to_millis(stale_before);
        let rows: Vec<Row> = sqlx::query_as(&sql)
            .bind(to_millis(now))
            .bind(stale)
            .bind(stale)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        records(rows)
    }

    async fn claim_for_reconcile(
        &self,
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
        recheck_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        // One statement: SQLite serialises writers, so two reconcilers never claim one row.
        let sql = format!(
            "UPDATE verifications SET last_checked_at = ? \
             WHERE id IN (SELECT id FROM verifications \
                          WHERE status IN ('pending', 'processing') \
                            AND ((expires_at <= ? AND COALESCE(last_checked_at, 0) < ?) \
                                 OR (created_at < ? AND COALESCE(last_checked_at, 0) < ?)) \
                          ORDER BY COALESCE(last_checked_at, 0) LIMIT ?) \
             RETURNING {COLUMNS}"
        );
        let stale = to_millis(stale_before);
        let rows: Vec<Row> = sqlx::query_as(&sql)
            .bind(to_millis(now))
            .bind(to_millis(now))
            .bind(to_millis(recheck_before))
            .bind(stale)
            .bind(stale)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        records(rows)
    }

    async fn claim_events(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        // One statement: SQLite serialises writers, so two claimers never lease the same row.
        let rows: Vec<(String, String, String, i64, String, i64)> = sqlx::query_as(
            "UPDATE events SET lease_until = ?, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM events \
                          WHERE delivered_at IS NULL AND gave_up_at IS NULL \
                            AND next_attempt_at <= ? AND COALESCE(lease_until, 0) <= ? \
                          ORDER BY next_attempt_at LIMIT ?) \
             RETURNING id, verification_id, type, created_at, payload, attempts",
        )
        .bind(to_millis(lease_until))
        .bind(to_millis(now))
        .bind(to_millis(now))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(
                |(id, verification_id, kind, created_at, payload, attempts)| {
                    Ok(Delivery {
                        event: OutboxEvent {
                            id,
                            verification_id,
                            kind,
                            created_at: from_millis(created_at)?,
                            payload,
                        },
                        attempts,
                    })
                },
            )
            .collect()
    }

    async fn event_delivered(&self, id: &str, at: OffsetDateTime) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE events SET delivered_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?",
        )
        .bind(to_millis(at))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn event_failed(
        &self,
        id: &str,
        at: OffsetDateTime,
        retry_at: Option<OffsetDateTime>,
        error: &str,
    ) -> Result<(), StoreError> {
        let query = match retry_at {
            Some(retry_at) => sqlx::query(
                "UPDATE events SET next_attempt_at = ?, lease_until = NULL, last_error = ? \
                 WHERE id = ?",
            )
            .bind(to_millis(retry_at)),
            None => sqlx::query(
                "UPDATE events SET gave_up_at = ?, lease_until = NULL, last_error = ? WHERE id = ?",
            )
            .bind(to_millis(at)),
        };
        query.bind(error).bind(id).execute(&self.pool).await?;
        Ok(())
    }

    async fn vendor_token(
        &self,
        key: &str,
    ) -> Result<Option<(Vec<u8>, OffsetDateTime)>, StoreError> {
        let row: Option<(Vec<u8>, i64)> =
            sqlx::query_as("SELECT token, expires_at FROM vendor_tokens WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.reader)
                .await?;
        row.map(|(token, expires_at)| Ok((token, from_millis(expires_at)?)))
            .transpose()
    }

    async fn put_vendor_token(
        &self,
        key: &str,
        sealed: &[u8],
        expires_at: OffsetDateTime,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO vendor_tokens (key, token, expires_at, updated_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (key) DO UPDATE SET token = excluded.token, \
             expires_at = excluded.expires_at, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(sealed)
        .bind(to_millis(expires_at))
        .bind(to_millis(at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn claim_token_refresh(
        &self,
        key: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        // Inserted, or taken over from a lease that ran out; a live lease is left alone and
        // the statement touches no row.
        let done = sqlx::query(
            "INSERT INTO vendor_tokens (key, token, expires_at, updated_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (key) DO UPDATE SET token = excluded.token, \
             expires_at = excluded.expires_at, updated_at = excluded.updated_at \
             WHERE vendor_tokens.expires_at <= excluded.updated_at",
        )
        .bind(super::refresh_lease_key(key))
        .bind(holder.as_bytes())
        .bind(to_millis(until))
        .bind(to_millis(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_token_refresh(&self, key: &str, holder: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM vendor_tokens WHERE key = ? AND token = ?")
            .bind(super::refresh_lease_key(key))
            .bind(holder.as_bytes())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn events_for(&self, verification_id: &str) -> Result<Vec<OutboxEvent>, StoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT id, verification_id, type, created_at, payload FROM events \
             WHERE verification_id = ? ORDER BY created_at, id",
        )
        .bind(verification_id)
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(event).collect()
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn ops_counts(
        &self,
        stale_after: time::Duration,
    ) -> Result<super::OpsCounts, StoreError> {
        let sessions: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT provider, status, COUNT(*) FROM verifications GROUP BY provider, status",
        )
        .fetch_all(&self.reader)
        .await?;
        let (webhook_backlog, webhook_given_up): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(delivered_at IS NULL AND gave_up_at IS NULL), 0), \
                    COALESCE(SUM(gave_up_at IS NOT NULL), 0) FROM events",
        )
        .fetch_one(&self.reader)
        .await?;
        // SQLite's scalar min() / max() of several arguments.
        let (oldest_due_at,): (Option<i64>,) = sqlx::query_as(
            "SELECT MIN(min(expires_at, max(created_at, COALESCE(last_checked_at, 0)) + ?)) \
             FROM verifications WHERE status IN ('pending', 'processing')",
        )
        .bind(i64::try_from(stale_after.whole_milliseconds()).unwrap_or(i64::MAX))
        .fetch_one(&self.reader)
        .await?;
        Ok(super::OpsCounts {
            sessions: sessions
                .iter()
                .filter_map(|(provider, status, count)| {
                    super::ops::session_count(provider, status, *count)
                })
                .collect(),
            webhook_backlog,
            webhook_given_up,
            oldest_due_at: oldest_due_at.map(from_millis).transpose()?,
        })
    }

    async fn admin_page(
        &self,
        filter: &AdminFilter,
    ) -> Result<(Vec<SessionRecord>, i64), StoreError> {
        admin::admin_page(&self.reader, filter).await
    }

    async fn daily_counts(
        &self,
        from: OffsetDateTime,
        before: OffsetDateTime,
    ) -> Result<Vec<DailyCount>, StoreError> {
        admin::daily_counts(&self.reader, from, before).await
    }

    async fn outcome_counts(&self, since: OffsetDateTime) -> Result<Vec<OutcomeCount>, StoreError> {
        admin::outcome_counts(&self.reader, since).await
    }

    async fn alert_fire(
        &self,
        reading: &AlertReading,
        notify: bool,
        at: OffsetDateTime,
    ) -> Result<Option<AlertRecord>, StoreError> {
        admin::alert_fire(&self.pool, reading, notify, at).await
    }

    async fn alert_resolve(
        &self,
        reading: &AlertReading,
        notify: bool,
        at: OffsetDateTime,
    ) -> Result<Option<AlertRecord>, StoreError> {
        admin::alert_resolve(&self.pool, reading, notify, at).await
    }

    async fn alerts(&self) -> Result<Vec<AlertRecord>, StoreError> {
        admin::all_alerts(&self.reader).await
    }

    async fn claim_alert_notifications(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<AlertRecord>, StoreError> {
        admin::claim_alert_notifications(&self.pool, now, lease_until, limit).await
    }

    async fn alert_notified(
        &self,
        key: &str,
        episode: i64,
        status: AlertStatus,
    ) -> Result<(), StoreError> {
        admin::alert_notified(&self.pool, key, episode, status).await
    }

    async fn alert_notify_failed(
        &self,
        key: &str,
        retry_at: OffsetDateTime,
        error: &str,
    ) -> Result<(), StoreError> {
        admin::alert_notify_failed(&self.pool, key, retry_at, error).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SecurityStore;

    async fn round_trip(store: &SqliteStore) {
        let at = from_millis(1_700_000_000_000).unwrap();
        store
            .put_vendor_token("k", b"sealed", at, at)
            .await
            .unwrap();
        assert_eq!(
            store.vendor_token("k").await.unwrap(),
            Some((b"sealed".to_vec(), at))
        );
    }

    #[tokio::test]
    async fn the_readers_see_the_writers_commits_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("f.db").display());
        let store = SqliteStore::connect(&url).await.unwrap();
        round_trip(&store).await;
        let refused = sqlx::query("DELETE FROM vendor_tokens")
            .execute(store.reader())
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("readonly"), "{refused}");
    }

    #[tokio::test]
    async fn ended_admin_sessions_are_kept_until_their_cookie_expires() {
        let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
        let t0 = from_millis(1_700_000_000_000).unwrap();
        let hour = time::Duration::hours(1);
        store.end_admin_session(b"a", t0 + hour, t0).await.unwrap();
        // Twice is fine (two tabs logging out).
        store.end_admin_session(b"a", t0 + hour, t0).await.unwrap();
        assert!(store.admin_session_ended(b"a").await.unwrap());
        assert!(!store.admin_session_ended(b"b").await.unwrap());
        // Past its expiry the record goes (the cookie is dead by itself then).
        store
            .end_admin_session(b"b", t0 + 3 * hour, t0 + 2 * hour)
            .await
            .unwrap();
        assert!(!store.admin_session_ended(b"a").await.unwrap());
        assert!(store.admin_session_ended(b"b").await.unwrap());
    }

    #[tokio::test]
    async fn an_in_memory_database_reads_what_it_wrote() {
        let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
        round_trip(&store).await;
    }
}
