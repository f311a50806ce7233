//! What the admin page and the alert rules ask of the store: filtered pages of sessions,
//! counts by provider, day, status and reason, and the alert rules' shared state.

use std::str::FromStr;

use facegate_types::{Provider, VerificationStatus};
use time::OffsetDateTime;

use super::{from_millis, StoreError};

/// The admin page's filters; every one optional. Pages are newest first.
#[derive(Clone, Debug, Default)]
pub struct AdminFilter {
    pub provider: Option<Provider>,
    pub status: Option<VerificationStatus>,
    pub reference: Option<String>,
    /// Created at or after.
    pub created_from: Option<OffsetDateTime>,
    /// Created before.
    pub created_before: Option<OffsetDateTime>,
    pub limit: u32,
    pub offset: u32,
}

/// How many sessions of one provider, created on one UTC day, ended in one status and reason.
#[derive(Clone, Debug, PartialEq)]
pub struct DailyCount {
    pub provider: Provider,
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub status: VerificationStatus,
    /// `result.reason` (a normalised failure reason), if any.
    pub reason: Option<String>,
    /// Whether the vendor accepted the session (it holds the vendor's handle: a vendor call
    /// that most vendors bill).
    pub vendor_started: bool,
    pub count: i64,
}

/// How many sessions of one provider reached a status and reason in a window (by completion).
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeCount {
    pub provider: Provider,
    pub status: VerificationStatus,
    pub reason: Option<String>,
    pub count: i64,
}

/// Whether an alert is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertStatus {
    Firing,
    Resolved,
}

impl AlertStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Firing => "firing",
            Self::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "firing" => Some(Self::Firing),
            "resolved" => Some(Self::Resolved),
            _ => None,
        }
    }
}

/// What a rule measured in one evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertReading {
    /// `{rule}.{provider}`.
    pub key: String,
    pub rule: String,
    pub provider: Provider,
    pub value: f64,
    pub threshold: f64,
    /// The sessions the value was computed from.
    pub sample: i64,
}

/// One alert's state: the current (or last) episode and its notification.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertRecord {
    pub key: String,
    pub rule: String,
    pub provider: Provider,
    pub status: AlertStatus,
    /// Counts the times it fired; one notification per transition of an episode.
    pub episode: i64,
    pub value: f64,
    pub threshold: f64,
    pub sample: i64,
    pub fired_at: OffsetDateTime,
    pub resolved_at: Option<OffsetDateTime>,
    /// The last transition is not yet delivered to the alert webhook.
    pub notify_pending: bool,
    pub notify_attempts: i64,
    pub last_error: Option<String>,
    pub updated_at: OffsetDateTime,
}

// ---- Rows and parsers shared by the SQLite and PostgreSQL implementations ----

pub(crate) const ALERT_COLUMNS: &str =
    "key, rule, provider, status, episode, value, threshold, sample, \
    fired_at, resolved_at, notify_pending, notify_attempts, last_error, updated_at";

/// An `alerts` row as both databases return it.
#[derive(sqlx::FromRow)]
pub(crate) struct AlertRow {
    key: String,
    rule: String,
    provider: String,
    status: String,
    episode: i64,
    value: f64,
    threshold: f64,
    sample: i64,
    fired_at: i64,
    resolved_at: Option<i64>,
    notify_pending: i64,
    notify_attempts: i64,
    last_error: Option<String>,
    updated_at: i64,
}

impl TryFrom<AlertRow> for AlertRecord {
    type Error = StoreError;

    fn try_from(row: AlertRow) -> Result<Self, StoreError> {
        Ok(AlertRecord {
            provider: provider(&row.provider)?,
            status: AlertStatus::parse(&row.status)
                .ok_or_else(|| StoreError::Corrupt("alert status".into()))?,
            fired_at: from_millis(row.fired_at)?,
            resolved_at: row.resolved_at.map(from_millis).transpose()?,
            updated_at: from_millis(row.updated_at)?,
            notify_pending: row.notify_pending != 0,
            key: row.key,
            rule: row.rule,
            episode: row.episode,
            value: row.value,
            threshold: row.threshold,
            sample: row.sample,
            notify_attempts: row.notify_attempts,
            last_error: row.last_error,
        })
    }
}

pub(crate) fn provider(text: &str) -> Result<Provider, StoreError> {
    Provider::from_str(text).map_err(|_| StoreError::Corrupt("provider".into()))
}

pub(crate) fn status(text: &str) -> Result<VerificationStatus, StoreError> {
    VerificationStatus::from_str(text).map_err(|_| StoreError::Corrupt("status".into()))
}

pub(crate) fn alerts(rows: Vec<AlertRow>) -> Result<Vec<AlertRecord>, StoreError> {
    rows.into_iter().map(AlertRecord::try_from).collect()
}

/// The alert statements that read the same in both dialects but for their placeholders
/// (`$sql` turns PostgreSQL's `$n` into the backend's), as free functions over `$pool` for
/// `sqlite/admin.rs` and `postgres/admin.rs`. The claim, which differs (PostgreSQL's SKIP
/// LOCKED), stays in each.
macro_rules! alert_statements {
    ($pool:ty, $sql:path) => {
        pub(crate) async fn alert_fire(
            pool: &$pool,
            reading: &AlertReading,
            notify: bool,
            at: OffsetDateTime,
        ) -> Result<Option<AlertRecord>, StoreError> {
            let sql = format!(
                "INSERT INTO alerts (key, rule, provider, status, episode, value, threshold, sample, \
                     fired_at, resolved_at, notify_pending, notify_after, notify_attempts, last_error, \
                     updated_at) \
                 VALUES ($1, $2, $3, 'firing', 1, $4, $5, $6, $7, NULL, $8, 0, 0, NULL, $9) \
                 ON CONFLICT (key) DO UPDATE SET status = 'firing', episode = alerts.episode + 1, \
                     value = excluded.value, threshold = excluded.threshold, sample = excluded.sample, \
                     fired_at = excluded.fired_at, resolved_at = NULL, \
                     notify_pending = excluded.notify_pending, notify_after = 0, notify_attempts = 0, \
                     last_error = NULL, updated_at = excluded.updated_at \
                 WHERE alerts.status = 'resolved' \
                 RETURNING {ALERT_COLUMNS}"
            );
            let row: Option<AlertRow> = sqlx::query_as(&$sql(&sql))
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
            pool: &$pool,
            reading: &AlertReading,
            notify: bool,
            at: OffsetDateTime,
        ) -> Result<Option<AlertRecord>, StoreError> {
            let sql = format!(
                "UPDATE alerts SET status = 'resolved', resolved_at = $1, value = $2, sample = $3, \
                     notify_pending = $4, notify_after = 0, notify_attempts = 0, last_error = NULL, \
                     updated_at = $5 \
                 WHERE key = $6 AND status = 'firing' RETURNING {ALERT_COLUMNS}"
            );
            let row: Option<AlertRow> = sqlx::query_as(&$sql(&sql))
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

        pub(crate) async fn all_alerts(pool: &$pool) -> Result<Vec<AlertRecord>, StoreError> {
            let sql = format!(
                "SELECT {ALERT_COLUMNS} FROM alerts ORDER BY status = 'firing' DESC, updated_at DESC, key"
            );
            alerts(sqlx::query_as(&$sql(&sql)).fetch_all(pool).await?)
        }

        pub(crate) async fn alert_notified(
            pool: &$pool,
            key: &str,
            episode: i64,
            status: AlertStatus,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(&$sql(
                "UPDATE alerts SET notify_pending = 0, last_error = NULL \
                 WHERE key = $1 AND episode = $2 AND status = $3",
            ))
            .bind(key)
            .bind(episode)
            .bind(status.as_str())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                // A newer transition is waiting: due now, not when this lease ends.
                sqlx::query(&$sql("UPDATE alerts SET notify_after = 0 WHERE key = $1"))
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        }

        pub(crate) async fn alert_notify_failed(
            pool: &$pool,
            key: &str,
            retry_at: OffsetDateTime,
            error: &str,
        ) -> Result<(), StoreError> {
            sqlx::query(&$sql(
                "UPDATE alerts SET notify_after = $1, last_error = $2 WHERE key = $3",
            ))
                .bind(to_millis(retry_at))
                .bind(error)
                .bind(key)
                .execute(pool)
                .await?;
            Ok(())
        }
    };
}
pub(crate) use alert_statements;
