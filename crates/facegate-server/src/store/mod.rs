//! The store: one narrow trait, one module per database. Handlers and workers see only the
//! trait; the URL's scheme picks the implementation at start-up.

use std::sync::Arc;

use async_trait::async_trait;
use facegate_types::{NextAction, Provider, VerificationResult, VerificationStatus};
use time::OffsetDateTime;

mod admin;
mod ops;
mod postgres;
mod rows;
mod security;
mod sqlite;

pub use admin::{AdminFilter, AlertReading, AlertRecord, AlertStatus, DailyCount, OutcomeCount};
pub use ops::OpsCounts;

pub use postgres::PostgresStore;
pub use security::{Redaction, SecurityStore, StoredApiKey, StoredMedia};
pub use sqlite::SqliteStore;

/// A stored session, as the database holds it (never serialised to clients: see `view.rs`).
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRecord {
    pub id: String,
    pub provider: Provider,
    pub status: VerificationStatus,
    pub reference: Option<String>,
    pub client_secret_hash: Vec<u8>,
    /// The client secret encrypted like PII, for idempotent replays of the create.
    pub client_secret_sealed: Vec<u8>,
    pub subject: Option<SealedSubject>,
    pub return_url: String,
    /// The vendor's handle on the session (token, biz_token, flowId ...), once started.
    pub vendor_ref: Option<String>,
    pub next_action: Option<NextAction>,
    pub result: Option<VerificationResult>,
    /// Whatever else the provider keeps between calls.
    pub vendor_state: Option<serde_json::Value>,
    pub api_key_id: Option<String>,
    pub idempotency_key: Option<String>,
    /// Bumped by every update; updates name the version they read (optimistic concurrency).
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub completed_at: Option<OffsetDateTime>,
    pub last_checked_at: Option<OffsetDateTime>,
    /// When the personal data was dropped (see `redaction.rs`); then the subject's masked
    /// forms read `[redacted]` and its ciphertexts are empty.
    pub redacted_at: Option<OffsetDateTime>,
}

/// A subject's keyed hash (HMAC of the normalised ID number) and the id of the key that made
/// it: what `POST /v1/verifications/search` and the per-person cap match, never the plaintext.
#[derive(Clone, PartialEq, Eq)]
pub struct SubjectDigest {
    pub key_id: String,
    pub digest: Vec<u8>,
}

impl std::fmt::Debug for SubjectDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubjectDigest")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// The subject encrypted (see `pii.rs`), with the masked forms kept for output.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedSubject {
    pub name: Vec<u8>,
    pub id_number: Vec<u8>,
    pub name_masked: String,
    pub id_number_masked: String,
}

impl std::fmt::Debug for SealedSubject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedSubject")
            .field("name", &self.name_masked)
            .field("id_number", &self.id_number_masked)
            .finish()
    }
}

/// The vendor accepted the session: what the front end does next.
#[derive(Clone, Debug)]
pub struct Start {
    pub vendor_ref: String,
    pub next_action: NextAction,
    pub expires_at: OffsetDateTime,
    pub vendor_state: Option<serde_json::Value>,
}

/// A status change, applied only if the row is still at `expected_version`.
#[derive(Clone, Debug)]
pub struct Change {
    pub id: String,
    pub expected_version: i64,
    pub status: VerificationStatus,
    pub result: Option<VerificationResult>,
    pub next_action: Option<NextAction>,
    pub completed_at: Option<OffsetDateTime>,
    pub at: OffsetDateTime,
    /// The webhook event the change produces, written in the same transaction.
    pub event: Option<OutboxEvent>,
    /// Vendor images kept with a final result (sealed), written in the same transaction.
    pub media: Vec<StoredMedia>,
}

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

/// List filters; the page is newest first, after the `starting_after` session.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub reference: Option<String>,
    pub status: Option<VerificationStatus>,
    /// (created_at, id) of the session the page starts after.
    pub after: Option<(OffsetDateTime, String)>,
    pub limit: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique key is taken (the idempotency key, the vendor's handle).
    #[error("duplicate {0}")]
    Duplicate(&'static str),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a stored row is malformed: {0}")]
    Corrupt(String),
    #[error("unsupported database URL (use sqlite:// or postgres://)")]
    UnsupportedUrl,
}

/// What every database implementation provides.
#[async_trait]
pub trait Store: SecurityStore + Send + Sync + 'static {
    /// Inserts a new session with its subject's lookup digest (in the same row write: a
    /// session anyone can see is searchable); `Duplicate("idempotency_key")` if that key is used.
    async fn insert(
        &self,
        record: &SessionRecord,
        digest: Option<&SubjectDigest>,
    ) -> Result<(), StoreError>;
    async fn get(&self, id: &str) -> Result<Option<SessionRecord>, StoreError>;
    async fn find_by_idempotency_key(
        &self,
        api_key_id: &str,
        key: &str,
    ) -> Result<Option<SessionRecord>, StoreError>;
    async fn find_by_vendor_ref(
        &self,
        provider: Provider,
        vendor_ref: &str,
    ) -> Result<Option<SessionRecord>, StoreError>;
    /// Up to `filter.limit` sessions, newest first.
    async fn list(&self, filter: &ListFilter) -> Result<Vec<SessionRecord>, StoreError>;
    /// Records the vendor's acceptance; false if the row moved on meanwhile.
    async fn record_start(
        &self,
        id: &str,
        expected_version: i64,
        start: &Start,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;
    /// Removes a session the vendor never accepted (the create failed; nothing was shown).
    async fn delete_unstarted(&self, id: &str) -> Result<(), StoreError>;
    /// Applies a change if the row is at its expected version; false if it is not.
    async fn apply(&self, change: &Change) -> Result<bool, StoreError>;
    /// Notes that the vendor was asked at `at`, without a status change.
    async fn touch_checked(&self, id: &str, at: OffsetDateTime) -> Result<(), StoreError>;
    /// Non-final sessions that are past their expiry, or were not checked since `stale_before`
    /// and were created before it: the reconciler's work, oldest check first.
    async fn due_for_reconcile(
        &self,
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<SessionRecord>, StoreError>;
    /// The reconciler's claim: like [`Store::due_for_reconcile`], but each session returned is
    /// marked checked at `now` in the same statement, so another replica's reconciler passes
    /// over it; a session past expiry is claimed again only if its last check is older than
    /// `recheck_before` (a replica died mid-check, or the vendor did not answer).
    async fn claim_for_reconcile(
        &self,
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
        recheck_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<SessionRecord>, StoreError>;
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
    /// A vendor access token (encrypted) and its expiry.
    async fn vendor_token(
        &self,
        key: &str,
    ) -> Result<Option<(Vec<u8>, OffsetDateTime)>, StoreError>;
    /// Stores or replaces a vendor access token.
    async fn put_vendor_token(
        &self,
        key: &str,
        sealed: &[u8],
        expires_at: OffsetDateTime,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Takes the right to fetch the vendor token `key` until `until`, for `holder` (one replica's
    /// token cache): true if nobody holds it, or the last holder's lease ran out by `now`.
    async fn claim_token_refresh(
        &self,
        key: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool, StoreError>;
    /// Gives the right back (the new token is stored); a no-op if `holder` does not hold it.
    async fn release_token_refresh(&self, key: &str, holder: &str) -> Result<(), StoreError>;
    /// Events of one session, oldest first (tests and the admin view read them).
    async fn events_for(&self, verification_id: &str) -> Result<Vec<OutboxEvent>, StoreError>;
    async fn ping(&self) -> Result<(), StoreError>;
    /// Operational counts for `/metrics` (see `ops.rs`); `stale_after` is the reconciler's.
    async fn ops_counts(&self, stale_after: time::Duration) -> Result<OpsCounts, StoreError>;

    // The admin page and the alert rules (store/admin.rs has the types).

    /// One page of sessions matching `filter`, newest first, and how many match in all.
    async fn admin_page(
        &self,
        filter: &AdminFilter,
    ) -> Result<(Vec<SessionRecord>, i64), StoreError>;
    /// Sessions created in [from, before), counted by provider, UTC day, status and reason.
    async fn daily_counts(
        &self,
        from: OffsetDateTime,
        before: OffsetDateTime,
    ) -> Result<Vec<DailyCount>, StoreError>;
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
}

/// Opens the store the URL names and brings its schema up to date.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl)
    }
}

/// The `vendor_tokens` row that holds the refresh lease of the token `key`: the holder's id
/// in the token column, the lease's end in expires_at (no migration: a second row per token).
pub(crate) fn refresh_lease_key(key: &str) -> String {
    format!("refresh-lease:{key}")
}

pub(crate) fn to_millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub(crate) fn from_millis(millis: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .map_err(|_| StoreError::Corrupt(format!("timestamp {millis}")))
}
