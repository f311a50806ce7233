//! The webhook outbox: events written with the change they report (see
//! [`SessionStore::apply`](super::SessionStore::apply)), leased for delivery, then delivered,
//! retried or given up.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::rows::{event, EventRow};
use super::{to_millis, Backend, PostgresStore, SqliteStore, StoreError};

/// One webhook event waiting in the outbox.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxEvent {
    pub id: String,
    pub verification_id: String,
    pub kind: String,
    pub created_at: OffsetDateTime,
    /// The masked session JSON at the time of the change.
    pub payload: String,
}

/// An event leased for delivery, with the attempts made so far (this one included).
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    pub event: OutboxEvent,
    pub attempts: i64,
}

/// The webhook outbox, as the delivery worker (and the tests) use it.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Leases up to `limit` undelivered events that are due and not leased by anyone else,
    /// counting the attempt; the lease ends at `lease_until`.
    async fn claim_events(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;
    /// The merchant acknowledged the event.
    async fn event_delivered(&self, id: &str, at: OffsetDateTime) -> Result<(), StoreError>;
    /// The attempt failed: try again at `retry_at`, or never (`None`: given up at `at`).
    async fn event_failed(
        &self,
        id: &str,
        at: OffsetDateTime,
        retry_at: Option<OffsetDateTime>,
        error: &str,
    ) -> Result<(), StoreError>;
    /// Events of one session, oldest first (tests and the admin view read them).
    async fn events_for(&self, verification_id: &str) -> Result<Vec<OutboxEvent>, StoreError>;
}

macro_rules! implement {
    ($store:ty) => {
        impl $store {
            /// Queues an event inside the transaction of the change it reports (a change, a
            /// redaction): due at once.
            pub(super) async fn insert_event(
                tx: &mut sqlx::Transaction<'_, <$store as Backend>::Database>,
                event: &OutboxEvent,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO events (id, verification_id, type, created_at, payload, \
                     next_attempt_at) VALUES ($1, $2, $3, $4, $5, $4)",
                )
                .bind(&event.id)
                .bind(&event.verification_id)
                .bind(&event.kind)
                .bind(to_millis(event.created_at))
                .bind(&event.payload)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }
        }

        #[async_trait]
        impl OutboxStore for $store {
            async fn claim_events(
                &self,
                now: OffsetDateTime,
                lease_until: OffsetDateTime,
                limit: u32,
            ) -> Result<Vec<Delivery>, StoreError> {
                let sql = format!(
                    "UPDATE events SET lease_until = $1, attempts = attempts + 1 \
                     WHERE id IN (SELECT id FROM events \
                       WHERE delivered_at IS NULL AND gave_up_at IS NULL \
                         AND next_attempt_at <= $2 AND COALESCE(lease_until, 0) <= $2 \
                       ORDER BY next_attempt_at LIMIT $3{skip_locked}) \
                     RETURNING id, verification_id, type, created_at, payload, attempts",
                    skip_locked = Self::SKIP_LOCKED,
                );
                let rows: Vec<(String, String, String, i64, String, i64)> = sqlx::query_as(&sql)
                    .bind(to_millis(lease_until))
                    .bind(to_millis(now))
                    .bind(i64::from(limit))
                    .fetch_all(self.writer())
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

            async fn event_delivered(
                &self,
                id: &str,
                at: OffsetDateTime,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "UPDATE events SET delivered_at = $1, lease_until = NULL, last_error = NULL \
                     WHERE id = $2",
                )
                .bind(to_millis(at))
                .bind(id)
                .execute(self.writer())
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
                        "UPDATE events SET next_attempt_at = $1, lease_until = NULL, \
                         last_error = $2 WHERE id = $3",
                    )
                    .bind(to_millis(retry_at)),
                    None => sqlx::query(
                        "UPDATE events SET gave_up_at = $1, lease_until = NULL, last_error = $2 \
                         WHERE id = $3",
                    )
                    .bind(to_millis(at)),
                };
                query.bind(error).bind(id).execute(self.writer()).await?;
                Ok(())
            }

            async fn events_for(
                &self,
                verification_id: &str,
            ) -> Result<Vec<OutboxEvent>, StoreError> {
                let rows: Vec<EventRow> = sqlx::query_as(
                    "SELECT id, verification_id, type, created_at, payload FROM events \
                     WHERE verification_id = $1 ORDER BY created_at, id",
                )
                .bind(verification_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map(event).collect()
            }
        }
    };
}

implement!(SqliteStore);
implement!(PostgresStore);
