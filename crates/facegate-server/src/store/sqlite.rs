//! SQLite: the embedded default. WAL mode, one file, created if missing; one writer and
//! read-only readers. The statements are the capability modules'; here only how it connects
//! and the words of its dialect.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

use super::group::GroupCommit;
use super::{Backend, StoreError};

/// The store on one SQLite file (or in memory), opened by [`SqliteStore::connect`].
pub struct SqliteStore {
    /// The one connection that writes. SQLite has one writer at a time; with several pooled
    /// writers they met in SQLite's busy handler, which sleeps 1 to 50 ms between tries (the
    /// bound BENCHMARKS.md found). One connection queues writers in process, in order, instead.
    writer: SqlitePool,
    /// Read-only connections: WAL lets them read beside the writer without waiting.
    reader: SqlitePool,
    /// A creation's writes, committed in batches on the writer (see `group.rs`).
    pub(super) group: GroupCommit,
}

/// Readers beside the one writer.
const READERS: u32 = 4;

impl SqliteStore {
    /// How facegate opens `url`: WAL, `synchronous = NORMAL`, foreign keys, a 5 s busy
    /// timeout. Public so that facegate-bench's bare durable reference pays exactly what
    /// facegate pays for durability.
    ///
    /// # Errors
    /// `url` is not an SQLite URL sqlx can read.
    pub fn connect_options(url: &str) -> Result<SqliteConnectOptions, sqlx::Error> {
        Ok(SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL loses nothing when the process dies; only an OS crash can
            // drop the last commits.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Still needed: other processes (`facegate keys`, a second server by mistake) may
            // write the same file.
            .busy_timeout(Duration::from_secs(5)))
    }

    /// Opens (creating it if missing) the database `sqlite://<path>` or `sqlite::memory:`
    /// names and runs the migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = Self::connect_options(url)?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        // An in-memory database lives in its connections: readers of their own would see
        // another (empty) one, so there the writer reads too.
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let reader = if in_memory {
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(READERS)
                .connect_with(options.read_only(true).create_if_missing(false))
                .await?
        };
        let group = GroupCommit::start(writer.clone(), 1);
        Ok(Self {
            writer,
            reader,
            group,
        })
    }
}

impl Backend for SqliteStore {
    type Database = Sqlite;

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    // One writer at a time: a claim is one statement, which no other claim interleaves with.
    const SKIP_LOCKED: &'static str = "";
    // SQLite's scalar min() / max() of several arguments.
    const LEAST: &'static str = "min";
    const GREATEST: &'static str = "max";
    const RESULT_REASON: &'static str = "json_extract(result, '$.reason')";
    const CAP_LOCK: Option<&'static str> = None;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{from_millis, VendorTokenStore};

    async fn round_trip(store: &SqliteStore) {
        let at = from_millis(1_700_000_000_000).unwrap();
        store
            .put_vendor_token("k", b"sealed", at, at)
            .await
            .unwrap();
        assert_eq!(
            store.vendor_token("k").await.unwrap(),
            Some((b"sealed".to_vec(), at))
        );
    }

    #[tokio::test]
    async fn the_readers_see_the_writers_commits_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("f.db").display());
        let store = SqliteStore::connect(&url).await.unwrap();
        round_trip(&store).await;
        let refused = sqlx::query("DELETE FROM vendor_tokens")
            .execute(store.reader())
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("readonly"), "{refused}");
    }

    #[tokio::test]
    async fn an_in_memory_database_reads_what_it_wrote() {
        let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
        round_trip(&store).await;
    }
}
