//! SQLite: the admin page's queries and the alert rules' state (see `store/admin.rs`).

use sqlx::SqlitePool;
use time::OffsetDateTime;

use crate::store::admin::{alerts, provider, status, AlertRow, ALERT_COLUMNS};
use crate::store::rows::{records, Row, COLUMNS};
use crate::store::{
    to_millis, AdminFilter, AlertReading, AlertRecord, AlertStatus, DailyCount, OutcomeCount,
    SessionRecord, StoreError,
};

/// The WHERE clause of a filter; the values are bound in the same order by `bind_filter`.
fn filter_clause(filter: &AdminFilter) -> String {
    let mut sql = String::from(" WHERE 1 = 1");
    if filter.provider.is_some() {
        sql.push_str(" AND provider = ?");
    }
    if filter.status.is_some() {
        sql.push_str(" AND status = ?");
    }
    if filter.reference.is_some() {
        sql.push_str(" AND reference = ?");
    }
    if filter.created_from.is_some() {
        sql.push_str(" AND created_at >= ?");
    }
    if filter.created_before.is_some() {
        sql.push_str(" AND created_at < ?");
    }
    sql
}

macro_rules! bind_filter {
    ($query:expr, $filter:expr) => {{
        let mut query = $query;
        if let Some(provider) = $filter.provider {
            query = query.bind(provider.as_str());
        }
        if let Some(status) = $filter.status {
            query = query.bind(status.as_str());
        }
        if let Some(reference) = &$filter.reference {
            query = query.bind(reference.clone());
        }
        if let Some(from) = $filter.created_from {
            query = query.bind(to_millis(from));
        }
        if let Some(before) = $filter.created_before {
            query = query.bind(to_millis(before));
        }
        query
    }};
}

pub(crate) async fn admin_page(
    pool: &SqlitePool,
    filter: &AdminFilter,
) -> Result<(Vec<SessionRecord>, i64), StoreError> {
    let clause = filter_clause(filter);
    let sql = format!(
        "SELECT {COLUMNS} FROM verifications{clause} ORDER BY created_at DESC, id DESC \
         LIMIT ? OFFSET ?"
    );
    let rows = bind_filter!(sqlx::query_as::<_, Row>(&sql), filter)
        .bind(i64::from(filter.limit))
        .bind(i64::from(filter.offset))
        .fetch_all(pool)
        .await?;
    let count_sql = format!("SELECT COUNT(*) FROM verifications{clause}");
    let (total,): (i64,) = bind_filter!(sqlx::query_as(&count_sql), filter)
        .fetch_one(pool)
        .await?;
    Ok((records(rows)?, total))
}

pub(crate) async fn daily_counts(
    pool: &SqlitePool,
    from: OffsetDateTime,
    before: OffsetDateTime,
) -> Result<Vec<DailyCount>, StoreError> {
    let rows: Vec<(String, String, String, Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT provider, strftime('%Y-%m-%d', created_at / 1000, 'unixepoch') AS day, status, \
                json_extract(result, '$.reason') AS reason, vendor_ref IS NOT NULL AS started, \
                COUNT(*) \
         FROM verifications WHERE created_at >= ? AND created_at < ? \
         GROUP BY 1, 2, 3, 4, 5 ORDER BY 2 DESC, 1, 3, 4",
    )
    .bind(to_millis(from))
    .bind(to_millis(before))
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(p, day, s, reason, started, count)| {
            Ok(DailyCount {
                provider: provider(&p)?,
                day,
                status: status(&s)?,
                reason,
                vendor_started: started != 0,
                count,
            })
        })
        .collect()
}

pub(crate) async fn outcome_counts(
    pool: &SqlitePool,
    since: OffsetDateTime,
) -> Result<Vec<OutcomeCount>, StoreError> {
    let rows: Vec<(String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT provider, status, json_extract(result, '$.reason') AS reason, COUNT(*) \
         FROM verifications WHERE completed_at >= ? GROUP BY 1, 2, 3",
    )
    .bind(to_millis(since))
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(p, s, reason, count)| {
            Ok(OutcomeCount {
                provider: provider(&p)?,
                status: status(&s)?,
                reason,
                count,
            })
        })
        .collect()
}

pub(crate) async fn alert_fire(
    pool: &SqlitePool,
    reading: &AlertReading,
    notify: bool,
    at: OffsetDateTime,
) -> Result<Option<AlertRecord>, StoreError> {
    let sql = format!(
        "INSERT INTO alerts (key, rule, provider, status, episode, value, threshold, sample, \
             fired_at, resolved_at, notify_pending, notify_after, notify_attempts, last_error, \
             updated_at) \
         VALUES (?, ?, ?, 'firing', 1, ?, ?, ?, ?, NULL, ?, 0, 0, NULL, ?) \
         ON CONFLICT (key) DO UPDATE SET status = 'firing', episode = alerts.episode + 1, \
             value = excluded.value, threshold = excluded.threshold, sample = excluded.sample, \
             fired_at = excluded.fired_at, resolved_at = NULL, \
             notify_pending = excluded.notify_pending, notify_after = 0, notify_attempts = 0, \
             last_error = NULL, updated_at = excluded.updated_at \
         WHERE alerts.status = 'resolved' \
         RETURNING {ALERT_COLUMNS}"
    );
    let row: Option<AlertRow> = sqlx::query_as(&sql)
        .bind(&reading.key)
        .bind(&reading.rule)
        .bind(reading.provider.as_str())
        .bind(reading.value)
        .bind(reading.threshold)
        .bind(reading.sample)
        .bind(to_millis(at))
        .bind(i64::from(notify))
        .bind(to_millis(at))
        .fetch_optional(pool)
        .await?;
    row.map(AlertRecord::try_from).transpose()
}

pub(crate) async fn alert_resolve(
    pool: &SqlitePool,
    reading: &AlertReading,
    notify: bool,
    at: OffsetDateTime,
) -> Result<Option<AlertRecord>, StoreError> {
    let sql = format!(
        "UPDATE alerts SET status = 'resolved', resolved_at = ?, value = ?, sample = ?, \
             notify_pending = ?, notify_after = 0, notify_attempts = 0, last_error = NULL, \
             updated_at = ? \
         WHERE key = ? AND status = 'firing' RETURNING {ALERT_COLUMNS}"
    );
    let row: Option<AlertRow> = sqlx::query_as(&sql)
        .bind(to_millis(at))
        .bind(reading.value)
        .bind(reading.sample)
        .bind(i64::from(notify))
        .bind(to_millis(at))
        .bind(&reading.key)
        .fetch_optional(pool)
        .await?;
    row.map(AlertRecord::try_from).transpose()
}

pub(crate) async fn all_alerts(pool: &SqlitePool) -> Result<Vec<AlertRecord>, StoreError> {
    let sql = format!(
        "SELECT {ALERT_COLUMNS} FROM alerts ORDER BY status = 'firing' DESC, updated_at DESC, key"
    );
    alerts(sqlx::query_as(&sql).fetch_all(pool).await?)
}

pub(crate) async fn claim_alert_notifications(
    pool: &SqlitePool,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
    limit: u32,
) -> Result<Vec<AlertRecord>, StoreError> {
    // One statement: SQLite serialises writers, so two replicas never lease the same alert.
    let sql = format!(
        "UPDATE alerts SET notify_after = ?, notify_attempts = notify_attempts + 1 \
         WHERE key IN (SELECT key FROM alerts WHERE notify_pending = 1 AND notify_after <= ? \
                       ORDER BY updated_at LIMIT ?) \
         RETURNING {ALERT_COLUMNS}"
    );
    alerts(
        sqlx::query_as(&sql)
            .bind(to_millis(lease_until))
            .bind(to_millis(now))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?,
    )
}

pub(crate) async fn alert_notified(
    pool: &SqlitePool,
    key: &str,
    episode: i64,
    status: AlertStatus,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE alerts SET notify_pending = 0, last_error = NULL \
         WHERE key = ? AND episode = ? AND status = ?",
    )
    .bind(key)
    .bind(episode)
    .bind(status.as_str())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        // A newer transition is waiting: due now, not when this lease ends.
        sqlx::query("UPDATE alerts SET notify_after = 0 WHERE key = ?")
            .bind(key)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn alert_notify_failed(
    pool: &SqlitePool,
    key: &str,
    retry_at: OffsetDateTime,
    error: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE alerts SET notify_after = ?, last_error = ? WHERE key = ?")
        .bind(to_millis(retry_at))
        .bind(error)
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}
