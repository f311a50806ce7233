//! Group commit of a creation's two writes (the row reserved before the vendor call, the
//! vendor's answer after it). Handlers queue their write and wait; one writer task per store
//! takes whatever is queued (up to [`MAX_BATCH`]) and commits it in one transaction: one
//! multi-row `INSERT` for the new rows, one `UPDATE ... FROM` for the vendor answers. Each
//! waiting handler hears back only after that `COMMIT` returned, so an acknowledged session is
//! as durable as before (`synchronous = NORMAL` in WAL mode on SQLite: a commit is in the WAL
//! file when it returns and survives the process being killed; PostgreSQL's own commit rules),
//! while the thread hand-offs, pool hand-offs and commits are paid once per batch, not twice
//! per creation.
//!
//! A batch that fails as a whole (a duplicate Idempotency-Key, a vendor handle another session
//! holds, a busy database) is rolled back and its writes run again one at a time, each with its
//! own answer: the unique indexes decide exactly as they did without batching, on one replica
//! or several. Under light load a batch holds one write, which runs alone, as before.

use std::sync::Arc;

use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot, Semaphore};

use super::{CapReached, Caps, SessionRecord, Start, StoreError, SubjectDigest};

/// Counter: transactions that committed more than one write together.
pub const GROUP_COMMITS: &str = "facegate_store_group_commits_total";
/// Counter: the writes those transactions held (over [`GROUP_COMMITS`]: the mean batch).
pub const GROUP_COMMIT_WRITES: &str = "facegate_store_group_commit_writes_total";

/// The most writes one transaction takes (26 bound values per row: far below SQLite's and
/// PostgreSQL's limits on bound parameters).
pub(super) const MAX_BATCH: usize = 64;

/// How many writes may wait for the writer task before a handler waits to queue its own.
const QUEUE: usize = 4096;

/// One queued write and where its answer goes.
pub(super) enum Write {
    /// [`super::SessionStore::insert`], or [`super::SessionStore::insert_capped`] when
    /// `caps` is set (counted in the batch's transaction, under the caps' locks).
    Insert {
        record: Box<SessionRecord>,
        digest: Option<SubjectDigest>,
        caps: Option<Box<Caps>>,
        done: oneshot::Sender<Result<Option<CapReached>, StoreError>>,
    },
    /// [`super::SessionStore::record_start`].
    Start {
        id: String,
        expected_version: i64,
        start: Box<Start>,
        at: OffsetDateTime,
        done: oneshot::Sender<Result<bool, StoreError>>,
    },
}

/// The handlers' end of the queue.
pub(super) struct GroupCommit {
    queue: mpsc::Sender<Write>,
}

/// What the writer task does with a batch: the store commits it, answering every write.
pub(super) trait Committer: Clone + Send + Sync + 'static {
    fn commit(&self, batch: Vec<Write>) -> impl std::future::Future<Output = ()> + Send;
}

impl GroupCommit {
    /// Starts the writer task, with at most `in_flight` batches committing at once (1 on
    /// SQLite, which has one writer; a few on PostgreSQL, whose commits wait for its WAL flush
    /// and overlap). It ends when the last handle to the queue is dropped.
    pub(super) fn start(committer: impl Committer, in_flight: usize) -> Self {
        let (queue, mut waiting) = mpsc::channel::<Write>(QUEUE);
        let slots = Arc::new(Semaphore::new(in_flight.max(1)));
        tokio::spawn(async move {
            loop {
                // A free slot first: meanwhile the queue fills, and the next batch is larger.
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    return;
                };
                let mut batch = Vec::with_capacity(MAX_BATCH);
                if waiting.recv_many(&mut batch, MAX_BATCH).await == 0 {
                    return;
                }
                let committer = committer.clone();
                tokio::spawn(async move {
                    committer.commit(batch).await;
                    drop(slot);
                });
            }
        });
        Self { queue }
    }

    /// Queues a new row; with `caps`, refused (nothing written) when a cap is reached.
    pub(super) async fn insert(
        &self,
        record: &SessionRecord,
        digest: Option<&SubjectDigest>,
        caps: Option<&Caps>,
    ) -> Result<Option<CapReached>, StoreError> {
        let (done, answer) = oneshot::channel();
        self.send(Write::Insert {
            record: Box::new(record.clone()),
            digest: digest.cloned(),
            caps: caps.cloned().map(Box::new),
            done,
        })
        .await?;
        answer.await.map_err(|_| stopped())?
    }

    pub(super) async fn record_start(
        &self,
        id: &str,
        expected_version: i64,
        start: &Start,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (done, answer) = oneshot::channel();
        self.send(Write::Start {
            id: id.to_owned(),
            expected_version,
            start: Box::new(start.clone()),
            at,
            done,
        })
        .await?;
        answer.await.map_err(|_| stopped())?
    }

    async fn send(&self, write: Write) -> Result<(), StoreError> {
        self.queue.send(write).await.map_err(|_| stopped())
    }
}

/// The writer task is gone (the runtime is shutting down): nothing was acknowledged.
fn stopped() -> StoreError {
    StoreError::Database(sqlx::Error::WorkerCrashed)
}
