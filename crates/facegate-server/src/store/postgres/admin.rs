//! PostgreSQL: the admin page's queries and the alert rules' state (see `store/admin.rs`).

use sqlx::PgPool;
use time::OffsetDateTime;

use crate::store::admin::{alerts, provider, status, AlertRow, ALERT_COLUMNS};
use crate::store::rows::{records, Row, COLUMNS};
use crate::store::{
    to_millis, AdminFilter, AlertReading, AlertRecord, AlertStatus, DailyCount, OutcomeCount,
    SessionRecord, StoreError,
};

/// The WHERE clause of a filter, its placeholders from `$1`; the values are bound in the same
/// order by `bind_filter`. Returns the clause and the next placeholder number.
fn filter_clause(filter: &AdminFilter) -> (String, usize) {
    let mut sql = String::from(" WHERE TRUE");
    let mut n = 0;
    let mut add = |condition: &str| {
        n += 1;
        sql.push_str(&format!(" AND {condition} ${n}"));
    };
    if filter.provider.is_some() {
        add("provider =");
    }
    if filter.status.is_some() {
        add("status =");
    }
    if filter.reference.is_some() {
        add("reference =");
    }
    if filter.created_from.is_some() {
        add("created_at >=");
    }
    if filter.created_before.is_some() {
        add("created_at <");
    }
    (sql, n + 1)
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
    pool: &PgPool,
    filter: &AdminFilter,
) -> Result<(Vec<SessionRecord>, i64), StoreError> {
    let (clause, next) = filter_clause(filter);
    let sql = format!(
        "SELECT {COLUMNS} FROM verifications{clause} ORDER BY created_at DESC, id DESC \
         LIMIT ${next} OFFSET ${}",
        next + 1
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
    pool: &PgPool,
    from: OffsetDateTime,
    before: OffsetDateTime,
) -> Result<Vec<DailyCount>, StoreError> {
    let rows: Vec<(String, String, String, Option<String>, bool, i64)> = sqlx::query_as(
        "SELECT provider, \
                to_char(to_timestamp(created_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, \
                status, (result::jsonb ->> 'reason') AS reason, \
                vendor_ref IS NOT NULL AS started, COUNT(*) \
         FROM verifications WHERE created_at >= $1 AND created_at < $2 \
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
                vendor_started: started,
                count,
            })
        })
        .collect()
}

pub(crate) async fn outcome_counts(
    pool: &PgPool,
    since: OffsetDateTime,
) -> Result<Vec<OutcomeCount>, StoreError> {
    let rows: Vec<(String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT provider, status, (result::jsonb ->> 'reason') AS reason, COUNT(*) \
         FROM verifications WHERE completed_at >= $1 GROUP BY 1, 2, 3",
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
    pool: &PgPool,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
    limit: u32,
) -> Result<Vec<AlertRecord>, StoreError> {
    // SKIP LOCKED: two replicas claiming at once take different alerts, never the same one.
    let sql = format!(
        "UPDATE alerts SET notify_after = $1, notify_attempts = notify_attempts + 1 \
         WHERE key IN (SELECT key FROM alerts WHERE notify_pending = 1 AND notify_after <= $2 \
                       ORDER BY updated_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
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

crate::store::admin::alert_statements!(PgPool, str::to_owned);
