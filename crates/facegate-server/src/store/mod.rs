//! The store: one trait per capability, gathered in [`Store`]; one module per database.
//! Handlers and workers see only the traits; the URL's scheme picks the database at start-up.
//!
//! Each capability module (`sessions`, `outbox`, `tokens`, `keys`, `privacy`, `admin`) holds
//! its trait, its statements and, through its `implement!` macro, the one implementation that
//! both databases run: every statement is written once, with `$n` placeholders, which sqlx
//! binds on SQLite as on PostgreSQL. `rows.rs` reads every table's rows. A database module
//! (`sqlite`, `postgres`) holds only what is its own: how it connects, and the few words of
//! its dialect ([`Backend`]); its schema is in `migrations/<database>/`.

use std::sync::Arc;

use time::OffsetDateTime;

mod admin;
mod group;
mod keys;
mod ops;
mod outbox;
mod postgres;
mod privacy;
mod rows;
mod sessions;
mod sqlite;
mod tokens;

pub use admin::{
    AdminFilter, AdminStore, AlertReading, AlertRecord, AlertStatus, CreatedCount, OutcomeCount,
    QUARTER_HOUR_SECONDS,
};
pub use group::{GROUP_COMMITS, GROUP_COMMIT_WRITES};
pub use keys::{KeyStore, StoredApiKey};
pub use ops::OpsCounts;
pub use outbox::{Delivery, OutboxEvent, OutboxStore};
pub use postgres::PostgresStore;
pub use privacy::{PrivacyStore, Redaction, StoredMedia};
pub use sessions::{
    CapReached, Caps, Change, ListFilter, SealedSubject, SessionRecord, SessionStore, Start,
    SubjectDigest,
};
pub use sqlite::SqliteStore;
pub use tokens::VendorTokenStore;

/// Why a store call failed.
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

/// What every database implementation provides: each capability. Any type with them all is a
/// `Store`, and `Arc<dyn Store>` reaches every method of every capability.
pub trait Store:
    SessionStore + OutboxStore + VendorTokenStore + KeyStore + PrivacyStore + AdminStore + 'static
{
}

impl<T> Store for T where
    T: SessionStore
        + OutboxStore
        + VendorTokenStore
        + KeyStore
        + PrivacyStore
        + AdminStore
        + 'static
{
}

/// What a database module gives the shared statements: its pools, and the words of SQL its
/// dialect spells its own way (spliced into statements written once).
trait Backend {
    type Database: sqlx::Database;

    /// Where statements that write run.
    fn writer(&self) -> &sqlx::Pool<Self::Database>;
    /// Where statements that only read run.
    fn reader(&self) -> &sqlx::Pool<Self::Database>;

    /// Ends the subquery that picks the rows a claim leases (events, alerts, reconciler work),
    /// so that two replicas claiming at once never lease the same row.
    const SKIP_LOCKED: &'static str;
    /// The smaller of two values (a scalar function, not the aggregate).
    const LEAST: &'static str;
    /// The larger of two values.
    const GREATEST: &'static str;
    /// `result.reason` (the stored result is JSON text), or NULL.
    const RESULT_REASON: &'static str;
    /// Takes a transaction-scoped lock on a 64-bit key (`$1`), where concurrent writers need
    /// one (PostgreSQL: several replicas); `None` where the one writer connection already
    /// serialises every write transaction (SQLite).
    const CAP_LOCK: Option<&'static str>;
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

pub(crate) fn to_millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub(crate) fn from_millis(millis: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .map_err(|_| StoreError::Corrupt(format!("timestamp {millis}")))
}
