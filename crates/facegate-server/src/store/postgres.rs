//! PostgreSQL: for several replicas on one database. Same tables, indexes and migrations as
//! SQLite (times in unix milliseconds, blobs as BYTEA); claims use row locks so replicas never
//! lease the same row. The statements are the capability modules'; here only how it connects
//! and the words of its dialect.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};

use super::group::GroupCommit;
use super::{Backend, StoreError};

/// The store on a PostgreSQL database, opened by [`PostgresStore::connect`].
pub struct PostgresStore {
    pool: PgPool,
    /// A creation's writes, committed in batches (see `group.rs`).
    pub(super) group: GroupCommit,
}

/// Batches of creation writes committing at once. One, as on SQLite: measured against four
/// (crates/facegate-bench/analysis.md), one gave larger batches, more creations per second and
/// about half the CPU in PostgreSQL per creation, for a few milliseconds more at the median
/// under light load (each write waits for the batch ahead of it).
const COMMITTING: usize = 1;

impl PostgresStore {
    /// facegate's pool: 8 connections, a 10 s acquire timeout. Public so that
    /// facegate-bench's bare durable reference pools as facegate does.
    pub fn pool_options() -> PgPoolOptions {
        PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
    }

    /// Connects to `postgres://` / `postgresql://` and runs the migrations. Replicas starting
    /// together are safe: sqlx holds an advisory lock while it migrates.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?.application_name("facegate");
        let pool = Self::pool_options().connect_with(options).await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let group = GroupCommit::start(pool.clone(), COMMITTING);
        Ok(Self { pool, group })
    }
}

impl Backend for PostgresStore {
    type Database = Postgres;

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    /// The same pool: PostgreSQL has no single writer.
    fn reader(&self) -> &PgPool {
        &self.pool
    }

    // A replica claiming at the same moment passes over the rows this claim has locked,
    // instead of waiting for them and leasing them a second time.
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";
    const LEAST: &'static str = "LEAST";
    const GREATEST: &'static str = "GREATEST";
    const RESULT_REASON: &'static str = "(result::jsonb ->> 'reason')";
    const CAP_LOCK: Option<&'static str> = Some("SELECT pg_advisory_xact_lock($1)");
}
