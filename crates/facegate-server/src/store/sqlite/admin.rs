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

crate::store::admin::alert_statements!(SqlitePool, crate::store::rows::sqlite_placeholders);
