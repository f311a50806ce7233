//! PostgreSQL: for several replicas on one database. Same tables, indexes and migrations as
//! SQLite (times in unix milliseconds, blobs as BYTEA); claims use row locks so replicas never
//! lease the same webhook event.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use facegate_types::Provider;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use time::OffsetDateTime;

mod admin;

use super::rows::{event, is_unique_violation, records, to_json, EventRow, Row, COLUMNS};
use super::{
    from_millis, to_millis, Change, Delivery, ListFilter, OutboxEvent, SessionRecord, Start, Store,
    StoreError, SubjectDigest,
};
use super::{AdminFilter, AlertReading, AlertRecord, AlertStatus, DailyCount, OutcomeCount};

pub struct PostgresStore {
    pub(super) pool: PgPool,
}

impl PostgresStore {
    /// The pool for statements that only read: the same one (PostgreSQL has no single writer).
    pub(super) fn reader(&self) -> &PgPool {
        &self.pool
    }
}

impl PostgresStore {
    /// Connects to `postgres://` / `postgresql://` and runs the migrations. Replicas starting
    /// together are safe: sqlx holds an advisory lock while it migrates.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?.application_name("facegate");
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn insert(
        &self,
        r: &SessionRecord,
        digest: Option<&SubjectDigest>,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO verifications ({COLUMNS}, subject_digest_key, subject_digest) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
             $19, $20, $21, $22, $23, $24, $25, $26)"
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
        let sql = format!("SELECT {COLUMNS} FROM verifications WHERE id = $1");
        let row: Option<Row> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(SessionRecord::try_from).transpose()
    }

    async fn find_by_idempotency_key(
        &self,
        api_key_id: &str,
        key: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM verifications WHERE api_key_id = $1 AND idempotency_key = $2"
        );
        let row: Option<Row> = sqlx::query_as(&sql)
            .bind(api_key_id)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(SessionRecord::try_from).transpose()
    }

    async fn find_by_vendor_ref(
        &self,
        provider: Provider,
        vendor_ref: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM verifications WHERE provider = $1 AND vendor_ref = $2");
        let row: Option<Row> = sqlx::query_as(&sql)
            .bind(provider.as_str())
            .bind(vendor_ref)
            .fetch_optional(&self.pool)
            .await?;
        row.map(SessionRecord::try_from).transpose()
    }

    async fn list(&self, filter: &ListFilter) -> Result<Vec<SessionRecord>, StoreError> {
        let mut sql = format!("SELECT {COLUMNS} FROM verifications WHERE TRUE");
        let mut n = 0;
        let mut next = || {
            n += 1;
            n
        };
        if filter.reference.is_some() {
            sql.push_str(&format!(" AND reference = ${}", next()));
        }
        if filter.status.is_some() {
            sql.push_str(&format!(" AND status = ${}", next()));
        }
        if filter.after.is_some() {
            let (created_at, id) = (next(), next());
            sql.push_str(&format!(" AND (created_at, id) < (${created_at}, ${id})"));
        }
        sql.push_str(&format!(
            " ORDER BY created_at DESC, id DESC LIMIT ${}",
            next()
        ));
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
            .fetch_all(&self.pool)
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
            "UPDATE verifications SET vendor_ref = $1, next_action = $2, expires_at = $3, \
             vendor_state = $4, version = version + 1, updated_at = $5 \
             WHERE id = $6 AND version = $7",
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
        sqlx::query("DELETE FROM verifications WHERE id = $1 AND vendor_ref IS NULL")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn apply(&self, change: &Change) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE verifications SET status = $1, result = $2, next_action = $3, \
             completed_at = $4, version = version + 1, updated_at = $5, last_checked_at = $5 \
             WHERE id = $6 AND version = $7",
        )
        .bind(change.status.as_str())
        .bind(to_json(change.result.as_ref()))
        .bind(to_json(change.next_action.as_ref()))
        .bind(change.completed_at.map(to_millis))
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
                 next_attempt_at) VALUES ($1, $2, $3, $4, $5, $4)",
            )
            .bind(&event.id)
            .bind(&event.verification_id)
            .bind(&event.kind)
            .bind(to_millis(event.created_at))
            .bind(&event.payload)
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
        sqlx::query("UPDATE verifications SET last_checked_at = $1 WHERE id = $2")
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
               AND (expires_at <= $1 OR (created_at < $2 AND COALESCE(last_checked_at, 0) < $2)) \
             ORDER BY COALESCE(last_checked_at, 0) LIMIT $3"
        );
        let rows: Vec<Row> = sqlx::query_as(&sql)
            .bind(to_millis(now))
            .bind(to_millis(stale_before))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
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
        // SKIP LOCKED: a reconciler claiming at the same moment passes over these rows.
        let sql = format!(
            "UPDATE verifications SET last_checked_at = $1 \
             WHERE id IN (SELECT id FROM verifications \
                          WHERE status IN ('pending', 'processing') \
                            AND ((expires_at <= $1 AND COALESCE(last_checked_at, 0) < $2) \
                                 OR (created_at < $3 AND COALESCE(last_checked_at, 0) < $3)) \
                          ORDER BY COALESCE(last_checked_at, 0) LIMIT $4 \
                          FOR UPDATE SKIP LOCKED) \
             RETURNING {COLUMNS}"
        );
        let stale = to_millis(stale_before);
        let rows: Vec<Row> = sqlx::query_as(&sql)
            .bind(to_millis(now))
            .bind(to_millis(recheck_before))
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
        // SKIP LOCKED: a replica claiming at the same moment passes over the rows this statement
        // has locked instead of waiting for them and leasing them a second time.
        let rows: Vec<(String, String, String, i64, String, i64)> = sqlx::query_as(
            "WITH due AS ( \
                 SELECT id FROM events \
                 WHERE delivered_at IS NULL AND gave_up_at IS NULL \
                   AND next_attempt_at <= $2 AND COALESCE(lease_until, 0) <= $2 \
                 ORDER BY next_attempt_at LIMIT $3 \
                 FOR UPDATE SKIP LOCKED) \
             UPDATE events SET lease_until = $1, attempts = events.attempts + 1 \
             FROM due WHERE events.id = due.id \
             RETURNING events.id, events.verification_id, events.type, events.created_at, \
                       events.payload, events.attempts",
        )
        .bind(to_millis(lease_until))
        .bind(to_millis(now))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(
                |(id, verification_id, kind, created_at, payload, attempts)| {
                    Ok(Delivery {
                        event: event((id, verification_id, kind, created_at, payload))?,
                        attempts,
                    })
                },
            )
            .collect()
    }

    async fn event_delivered(&self, id: &str, at: OffsetDateTime) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE events SET delivered_at = $1, lease_until = NULL, last_error = NULL \
             WHERE id = $2",
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
                "UPDATE events SET next_attempt_at = $1, lease_until = NULL, last_error = $2 \
                 WHERE id = $3",
            )
            .bind(to_millis(retry_at)),
            None => sqlx::query(
                "UPDATE events SET gave_up_at = $1, lease_until = NULL, last_error = $2 \
                 WHERE id = $3",
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
            sqlx::query_as("SELECT token, expires_at FROM vendor_tokens WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
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
            "INSERT INTO vendor_tokens (key, token, expires_at, updated_at) \
             VALUES ($1, $2, $3, $4) \
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
            "INSERT INTO vendor_tokens (key, token, expires_at, updated_at) VALUES ($1, $2, $3, $4) \
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
        sqlx::query("DELETE FROM vendor_tokens WHERE key = $1 AND token = $2")
            .bind(super::refresh_lease_key(key))
            .bind(holder.as_bytes())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn events_for(&self, verification_id: &str) -> Result<Vec<OutboxEvent>, StoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT id, verification_id, type, created_at, payload FROM events \
             WHERE verification_id = $1 ORDER BY created_at, id",
        )
        .bind(verification_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(event).collect()
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn ops_counts(
        &self,
        stale_after: time::Duration,
    ) -> Result<super::OpsCounts, StoreError> {
        let sessions: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT provider, status, COUNT(*) FROM verifications GROUP BY provider, status",
        )
        .fetch_all(&self.pool)
        .await?;
        let (webhook_backlog, webhook_given_up): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*) FILTER (WHERE delivered_at IS NULL AND gave_up_at IS NULL), \
                    COUNT(*) FILTER (WHERE gave_up_at IS NOT NULL) FROM events",
        )
        .fetch_one(&self.pool)
        .await?;
        let (oldest_due_at,): (Option<i64>,) = sqlx::query_as(
            "SELECT MIN(LEAST(expires_at, GREATEST(created_at, COALESCE(last_checked_at, 0)) + $1)) \
             FROM verifications WHERE status IN ('pending', 'processing')",
        )
        .bind(i64::try_from(stale_after.whole_milliseconds()).unwrap_or(i64::MAX))
        .fetch_one(&self.pool)
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
        admin::admin_page(&self.pool, filter).await
    }

    async fn daily_counts(
        &self,
        from: OffsetDateTime,
        before: OffsetDateTime,
    ) -> Result<Vec<DailyCount>, StoreError> {
        admin::daily_counts(&self.pool, from, before).await
    }

    async fn outcome_counts(&self, since: OffsetDateTime) -> Result<Vec<OutcomeCount>, StoreError> {
        admin::outcome_counts(&self.pool, since).await
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
        admin::all_alerts(&self.pool).await
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
