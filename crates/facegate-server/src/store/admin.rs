//! What operators ask of the store: the admin page's filtered pages of sessions and counts by
//! provider, day, status and reason, the alert rules' shared state, and `/metrics`' counts.

use async_trait::async_trait;
use facegate_types::{Provider, VerificationStatus};
use sqlx::QueryBuilder;
use time::OffsetDateTime;

use super::ops::{self, OpsCounts};
use super::rows::{
    alerts, provider, records, status, AlertRow, SessionRow, ALERT_COLUMNS, COLUMNS,
};
use super::{
    from_millis, to_millis, Backend, PostgresStore, SessionRecord, SqliteStore, StoreError,
};

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

/// The length of [`CreatedCount::quarter`]'s buckets, in seconds: every time zone's offset from
/// UTC in use today is a whole number of quarter hours, so the buckets fold into the days of
/// any zone exactly.
pub const QUARTER_HOUR_SECONDS: i64 = 900;

/// How many sessions of one provider, created in one quarter hour, ended in one status and
/// reason. The admin page folds the quarters into the operator's days.
#[derive(Clone, Debug, PartialEq)]
pub struct CreatedCount {
    pub provider: Provider,
    /// The quarter hour `created_at` falls in: unix seconds / [`QUARTER_HOUR_SECONDS`].
    pub quarter: i64,
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

/// The admin page, the alert rules and the operational counts.
#[async_trait]
pub trait AdminStore: Send + Sync {
    /// One page of sessions matching `filter`, newest first, and how many match in all.
    async fn admin_page(
        &self,
        filter: &AdminFilter,
    ) -> Result<(Vec<SessionRecord>, i64), StoreError>;
    /// Sessions created in [from, before), counted by provider, UTC day, status and reason.
    async fn created_counts(
        &self,
        from: OffsetDateTime,
        before: OffsetDateTime,
    ) -> Result<Vec<CreatedCount>, StoreError>;
    /// Sessions completed at or after `since`, counted by provider, status and reason.
    async fn outcome_counts(&self, since: OffsetDateTime) -> Result<Vec<OutcomeCount>, StoreError>;
    /// Starts an episode unless the alert is already firing; the new state if it started.
    async fn alert_fire(
        &self,
        reading: &AlertReading,
        notify: bool,
        at: OffsetDateTime,
    ) -> Result<Option<AlertRecord>, StoreError>;
    /// Ends the episode if the alert is firing; the new state if it ended.
    async fn alert_resolve(
        &self,
        reading: &AlertReading,
        notify: bool,
        at: OffsetDateTime,
    ) -> Result<Option<AlertRecord>, StoreError>;
    /// Every alert, firing first, then the most recently changed.
    async fn alerts(&self) -> Result<Vec<AlertRecord>, StoreError>;
    /// Leases alerts whose last transition is undelivered and due, until `lease_until`.
    async fn claim_alert_notifications(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<AlertRecord>, StoreError>;
    /// The transition (`episode`, `status`) was delivered; a newer one stays pending.
    async fn alert_notified(
        &self,
        key: &str,
        episode: i64,
        status: AlertStatus,
    ) -> Result<(), StoreError>;
    /// Delivery failed: try again at `retry_at`.
    async fn alert_notify_failed(
        &self,
        key: &str,
        retry_at: OffsetDateTime,
        error: &str,
    ) -> Result<(), StoreError>;
    /// Operational counts for `/metrics` (see `ops.rs`); `stale_after` is the reconciler's.
    async fn ops_counts(&self, stale_after: time::Duration) -> Result<OpsCounts, StoreError>;
    /// The database answers (the readiness probe).
    async fn ping(&self) -> Result<(), StoreError>;
}

macro_rules! implement {
    ($store:ty) => {
        impl $store {
            /// `SELECT <what> FROM verifications WHERE <filter>`, the filter's values bound.
            fn admin_filtered<'a>(
                what: &str,
                filter: &'a AdminFilter,
            ) -> QueryBuilder<'a, <$store as Backend>::Database> {
                let mut query =
                    QueryBuilder::new(format!("SELECT {what} FROM verifications WHERE TRUE"));
                if let Some(provider) = filter.provider {
                    query.push(" AND provider = ").push_bind(provider.as_str());
                }
                if let Some(status) = filter.status {
                    query.push(" AND status = ").push_bind(status.as_str());
                }
                if let Some(reference) = &filter.reference {
                    query.push(" AND reference = ").push_bind(reference);
                }
                if let Some(from) = filter.created_from {
                    query.push(" AND created_at >= ").push_bind(to_millis(from));
                }
                if let Some(before) = filter.created_before {
                    query
                        .push(" AND created_at < ")
                        .push_bind(to_millis(before));
                }
                query
            }
        }

        #[async_trait]
        impl AdminStore for $store {
            async fn admin_page(
                &self,
                filter: &AdminFilter,
            ) -> Result<(Vec<SessionRecord>, i64), StoreError> {
                let mut page = Self::admin_filtered(COLUMNS, filter);
                page.push(" ORDER BY created_at DESC, id DESC LIMIT ");
                page.push_bind(i64::from(filter.limit)).push(" OFFSET ");
                page.push_bind(i64::from(filter.offset));
                let rows = page
                    .build_query_as::<SessionRow>()
                    .fetch_all(self.reader())
                    .await?;
                let (total,) = Self::admin_filtered("COUNT(*)", filter)
                    .build_query_as::<(i64,)>()
                    .fetch_one(self.reader())
                    .await?;
                Ok((records(rows)?, total))
            }

            async fn created_counts(
                &self,
                from: OffsetDateTime,
                before: OffsetDateTime,
            ) -> Result<Vec<CreatedCount>, StoreError> {
                // created_at is unix milliseconds; integer division in both dialects.
                let sql = format!(
                    "SELECT provider, created_at / {millis} AS quarter, status, {reason} AS reason, \
                            vendor_ref IS NOT NULL AS started, COUNT(*) \
                     FROM verifications WHERE created_at >= $1 AND created_at < $2 \
                     GROUP BY 1, 2, 3, 4, 5 ORDER BY 2 DESC, 1, 3, 4",
                    millis = QUARTER_HOUR_SECONDS * 1000,
                    reason = Self::RESULT_REASON,
                );
                let rows: Vec<(String, i64, String, Option<String>, bool, i64)> =
                    sqlx::query_as(&sql)
                        .bind(to_millis(from))
                        .bind(to_millis(before))
                        .fetch_all(self.reader())
                        .await?;
                rows.into_iter()
                    .map(|(p, quarter, s, reason, vendor_started, count)| {
                        Ok(CreatedCount {
                            provider: provider(&p)?,
                            quarter,
                            status: status(&s)?,
                            reason,
                            vendor_started,
                            count,
                        })
                    })
                    .collect()
            }

            async fn outcome_counts(
                &self,
                since: OffsetDateTime,
            ) -> Result<Vec<OutcomeCount>, StoreError> {
                let sql = format!(
                    "SELECT provider, status, {reason} AS reason, COUNT(*) \
                     FROM verifications WHERE completed_at >= $1 GROUP BY 1, 2, 3",
                    reason = Self::RESULT_REASON,
                );
                let rows: Vec<(String, String, Option<String>, i64)> = sqlx::query_as(&sql)
                    .bind(to_millis(since))
                    .fetch_all(self.reader())
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

            async fn alert_fire(
                &self,
                reading: &AlertReading,
                notify: bool,
                at: OffsetDateTime,
            ) -> Result<Option<AlertRecord>, StoreError> {
                let sql = format!(
                    "INSERT INTO alerts (key, rule, provider, status, episode, value, \
                         threshold, sample, fired_at, resolved_at, notify_pending, \
                         notify_after, notify_attempts, last_error, updated_at) \
                     VALUES ($1, $2, $3, 'firing', 1, $4, $5, $6, $7, NULL, $8, 0, 0, NULL, \
                         $7) \
                     ON CONFLICT (key) DO UPDATE SET status = 'firing', \
                         episode = alerts.episode + 1, value = excluded.value, \
                         threshold = excluded.threshold, sample = excluded.sample, \
                         fired_at = excluded.fired_at, resolved_at = NULL, \
                         notify_pending = excluded.notify_pending, notify_after = 0, \
                         notify_attempts = 0, last_error = NULL, \
                         updated_at = excluded.updated_at \
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
                    .fetch_optional(self.writer())
                    .await?;
                row.map(AlertRecord::try_from).transpose()
            }

            async fn alert_resolve(
                &self,
                reading: &AlertReading,
                notify: bool,
                at: OffsetDateTime,
            ) -> Result<Option<AlertRecord>, StoreError> {
                let sql = format!(
                    "UPDATE alerts SET status = 'resolved', resolved_at = $1, value = $2, \
                         sample = $3, notify_pending = $4, notify_after = 0, \
                         notify_attempts = 0, last_error = NULL, updated_at = $1 \
                     WHERE key = $5 AND status = 'firing' RETURNING {ALERT_COLUMNS}"
                );
                let row: Option<AlertRow> = sqlx::query_as(&sql)
                    .bind(to_millis(at))
                    .bind(reading.value)
                    .bind(reading.sample)
                    .bind(i64::from(notify))
                    .bind(&reading.key)
                    .fetch_optional(self.writer())
                    .await?;
                row.map(AlertRecord::try_from).transpose()
            }

            async fn alerts(&self) -> Result<Vec<AlertRecord>, StoreError> {
                let sql = format!(
                    "SELECT {ALERT_COLUMNS} FROM alerts \
                     ORDER BY status = 'firing' DESC, updated_at DESC, key"
                );
                alerts(sqlx::query_as(&sql).fetch_all(self.reader()).await?)
            }

            async fn claim_alert_notifications(
                &self,
                now: OffsetDateTime,
                lease_until: OffsetDateTime,
                limit: u32,
            ) -> Result<Vec<AlertRecord>, StoreError> {
                let sql = format!(
                    "UPDATE alerts \
                     SET notify_after = $1, notify_attempts = notify_attempts + 1 \
                     WHERE key IN (SELECT key FROM alerts \
                        WHERE notify_pending = 1 AND notify_after <= $2 \
                        ORDER BY updated_at LIMIT $3{skip_locked}) \
                     RETURNING {ALERT_COLUMNS}",
                    skip_locked = Self::SKIP_LOCKED,
                );
                alerts(
                    sqlx::query_as(&sql)
                        .bind(to_millis(lease_until))
                        .bind(to_millis(now))
                        .bind(i64::from(limit))
                        .fetch_all(self.writer())
                        .await?,
                )
            }

            async fn alert_notified(
                &self,
                key: &str,
                episode: i64,
                status: AlertStatus,
            ) -> Result<(), StoreError> {
                let mut tx = self.writer().begin().await?;
                let done = sqlx::query(
                    "UPDATE alerts SET notify_pending = 0, last_error = NULL \
                     WHERE key = $1 AND episode = $2 AND status = $3",
                )
                .bind(key)
                .bind(episode)
                .bind(status.as_str())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    // A newer transition is waiting: due now, not when this lease ends.
                    sqlx::query("UPDATE alerts SET notify_after = 0 WHERE key = $1")
                        .bind(key)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn alert_notify_failed(
                &self,
                key: &str,
                retry_at: OffsetDateTime,
                error: &str,
            ) -> Result<(), StoreError> {
                sqlx::query("UPDATE alerts SET notify_after = $1, last_error = $2 WHERE key = $3")
                    .bind(to_millis(retry_at))
                    .bind(error)
                    .bind(key)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn ops_counts(
                &self,
                stale_after: time::Duration,
            ) -> Result<OpsCounts, StoreError> {
                let sessions: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT provider, status, COUNT(*) FROM verifications \
                     GROUP BY provider, status",
                )
                .fetch_all(self.reader())
                .await?;
                let (webhook_backlog, webhook_given_up): (i64, i64) = sqlx::query_as(
                    "SELECT \
                       COUNT(*) FILTER (WHERE delivered_at IS NULL AND gave_up_at IS NULL), \
                       COUNT(*) FILTER (WHERE gave_up_at IS NOT NULL) \
                     FROM events",
                )
                .fetch_one(self.reader())
                .await?;
                let sql = format!(
                    "SELECT MIN({least}(expires_at, \
                         {greatest}(created_at, COALESCE(last_checked_at, 0)) + $1)) \
                     FROM verifications WHERE status IN ('pending', 'processing')",
                    least = Self::LEAST,
                    greatest = Self::GREATEST,
                );
                let (oldest_due_at,): (Option<i64>,) = sqlx::query_as(&sql)
                    .bind(i64::try_from(stale_after.whole_milliseconds()).unwrap_or(i64::MAX))
                    .fetch_one(self.reader())
                    .await?;
                Ok(OpsCounts {
                    sessions: sessions
                        .iter()
                        .filter_map(|(provider, status, count)| {
                            ops::session_count(provider, status, *count)
                        })
                        .collect(),
                    webhook_backlog,
                    webhook_given_up,
                    oldest_due_at: oldest_due_at.map(from_millis).transpose()?,
                })
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(self.reader()).await?;
                Ok(())
            }
        }
    };
}

implement!(SqliteStore);
implement!(PostgresStore);
