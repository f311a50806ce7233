//! Sessions: the `verifications` rows, their versioned updates (a final change writes its
//! webhook event and kept media in the same transaction) and the reconciler's work.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use facegate_types::{NextAction, Provider, VerificationResult, VerificationStatus};
use sqlx::QueryBuilder;
use time::OffsetDateTime;

use super::group::{Committer, Write, GROUP_COMMITS, GROUP_COMMIT_WRITES};
use super::rows::{is_unique_violation, records, to_json, SessionRow, COLUMNS};
use super::{to_millis, Backend, OutboxEvent, PostgresStore, SqliteStore, StoreError, StoredMedia};

/// How a batch of writes ended (see `group.rs`).
enum Batch {
    /// Committed; the ids whose vendor answer was recorded (the others moved on meanwhile),
    /// and the new rows a cap refused (not written).
    Committed(HashSet<String>, HashMap<String, CapReached>),
    /// A statement failed and the transaction was rolled back: nothing of it was written, so
    /// each write may run again on its own.
    RolledBack(sqlx::Error),
    /// The commit itself failed: whether it happened is unknown, so nothing is retried and
    /// every write answers the error (none is acknowledged).
    Unknown(sqlx::Error),
}

/// The insert's statement, without its values.
fn insert_head() -> String {
    format!("INSERT INTO verifications ({COLUMNS}, subject_digest_key, subject_digest) ")
}

/// The answer a failed insert gives.
fn insert_error(error: sqlx::Error) -> StoreError {
    if is_unique_violation(&error) {
        StoreError::Duplicate("idempotency_key")
    } else {
        error.into()
    }
}

/// The answer a failed `record_start` gives.
fn start_error(error: sqlx::Error) -> StoreError {
    if is_unique_violation(&error) {
        StoreError::Duplicate("vendor_ref")
    } else {
        error.into()
    }
}

/// An error for each of several waiting writes (sqlx errors are not `Clone`).
fn shared(error: &sqlx::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(format!("group commit: {error}")))
}

/// A stored session, as the database holds it (never serialised to clients: see `view/`).
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

/// List filters; the page is newest first, after the `starting_after` session.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub reference: Option<String>,
    pub status: Option<VerificationStatus>,
    /// (created_at, id) of the session the page starts after.
    pub after: Option<(OffsetDateTime, String)>,
    pub limit: u32,
}

/// The daily caps a new session must fit under (`reference_daily_cap`, `subject_daily_cap`):
/// sessions created after `since` count.
#[derive(Clone, Debug)]
pub struct Caps {
    pub since: OffsetDateTime,
    /// At most this many sessions with the new row's `reference`.
    pub reference: Option<u32>,
    /// At most this many sessions whose subject digest is one of these (the person's digest
    /// under each digest key, old ones included).
    pub subject: Option<(Vec<Vec<u8>>, u32)>,
}

impl Caps {
    /// No cap applies.
    pub fn none(since: OffsetDateTime) -> Self {
        Self {
            since,
            reference: None,
            subject: None,
        }
    }
}

/// Which cap refused a new session, and the `created_at` of the counted session that leaves
/// the window first (the cap-th newest): a retry can succeed once it is older than the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapReached {
    Reference { oldest: OffsetDateTime },
    Subject { oldest: OffsetDateTime },
}

/// A 64-bit key for PostgreSQL's advisory locks from what a cap counts by: the first 8 bytes of
/// SHA-256 over `kind`, a zero byte and `value` (the same on every replica).
fn lock_key(kind: &str, value: &[u8]) -> i64 {
    use sha2::Digest;
    let mut hash = sha2::Sha256::new();
    hash.update(kind.as_bytes());
    hash.update([0]);
    hash.update(value);
    let digest = hash.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// What a cap counts by: a merchant reference, or a person (their digests under every key).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum CapKey {
    Reference(String),
    Subject(Vec<Vec<u8>>),
}

impl CapKey {
    /// The advisory-lock keys that guard it (one per digest for a person).
    fn lock_keys(&self) -> Vec<i64> {
        match self {
            CapKey::Reference(reference) => vec![lock_key("reference", reference.as_bytes())],
            CapKey::Subject(digests) => digests
                .iter()
                .map(|digest| lock_key("subject", digest))
                .collect(),
        }
    }

    fn reached(&self, oldest_millis: i64) -> CapReached {
        let oldest =
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(oldest_millis) * 1_000_000)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        match self {
            CapKey::Reference(_) => CapReached::Reference { oldest },
            CapKey::Subject(_) => CapReached::Subject { oldest },
        }
    }
}

/// The caps that apply to `record`, each with its limit: the reference cap only when it has a
/// reference, the person's only with their digests.
fn cap_keys(record: &SessionRecord, caps: &Caps) -> Vec<(CapKey, u32)> {
    let mut keys = Vec::new();
    if let (Some(cap), Some(reference)) = (caps.reference, record.reference.as_ref()) {
        keys.push((CapKey::Reference(reference.clone()), cap));
    }
    if let Some((digests, cap)) = caps.subject.as_ref().filter(|(d, _)| !d.is_empty()) {
        keys.push((CapKey::Subject(digests.clone()), *cap));
    }
    keys
}

/// Rows admitted earlier in the same transaction, by what they count against (`created_at`,
/// unix milliseconds): not in the table yet, so counted here.
type Tally = HashMap<CapKey, Vec<i64>>;

/// Sessions: created, looked up, started, changed, and found for the reconciler.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Inserts a new session with its subject's lookup digest (in the same row write: a
    /// session anyone can see is searchable); `Duplicate("idempotency_key")` if that key is used.
    async fn insert(
        &self,
        record: &SessionRecord,
        digest: Option<&SubjectDigest>,
    ) -> Result<(), StoreError>;
    /// Inserts like [`SessionStore::insert`] unless one of `caps` is reached (then nothing is
    /// written): the counts and the insert are one transaction that holds the caps' keys
    /// (SQLite: the one writer connection; PostgreSQL: a transaction-scoped advisory lock per
    /// capped reference and digest), so concurrent creations on any replica cannot overshoot a
    /// cap. Without a cap, the same as `insert` (grouped with other writes).
    async fn insert_capped(
        &self,
        record: &SessionRecord,
        digest: Option<&SubjectDigest>,
        caps: &Caps,
    ) -> Result<Option<CapReached>, StoreError>;
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
    /// Records the vendor's acceptance; false if the row moved on meanwhile;
    /// `Duplicate("vendor_ref")` if another session holds that handle.
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
    /// The reconciler's claim: like [`SessionStore::due_for_reconcile`], but each session
    /// returned is marked checked at `now` in the same statement, so another replica's
    /// reconciler passes over it; a session past expiry is claimed again only if its last
    /// check is older than `recheck_before` (a replica died mid-check, or the vendor did not
    /// answer).
    async fn claim_for_reconcile(
        &self,
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
        recheck_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<SessionRecord>, StoreError>;
}

macro_rules! implement {
    ($store:ty, $db:ty) => {
        impl Committer for sqlx::Pool<$db> {
            async fn commit(&self, batch: Vec<Write>) {
                if batch.len() > 1 {
                    match <$store>::commit_together(self, &batch).await {
                        Batch::Committed(recorded, refused) => {
                            metrics::counter!(GROUP_COMMITS).increment(1);
                            metrics::counter!(GROUP_COMMIT_WRITES).increment(batch.len() as u64);
                            for write in batch {
                                match write {
                                    Write::Insert { record, done, .. } => {
                                        let _ = done.send(Ok(refused.get(&record.id).copied()));
                                    }
                                    Write::Start { id, done, .. } => {
                                        let _ = done.send(Ok(recorded.contains(&id)));
                                    }
                                }
                            }
                            return;
                        }
                        Batch::Unknown(error) => {
                            tracing::error!(%error, writes = batch.len(), "a group commit failed");
                            for write in batch {
                                match write {
                                    Write::Insert { done, .. } => {
                                        let _ = done.send(Err(shared(&error)));
                                    }
                                    Write::Start { done, .. } => {
                                        let _ = done.send(Err(shared(&error)));
                                    }
                                }
                            }
                            return;
                        }
                        Batch::RolledBack(error) => {
                            tracing::debug!(
                                %error,
                                writes = batch.len(),
                                "a group commit was refused as a whole; its writes run one by one"
                            );
                        }
                    }
                }
                for write in batch {
                    match write {
                        Write::Insert {
                            record,
                            digest,
                            caps,
                            done,
                        } => {
                            let _ = done.send(match caps {
                                Some(caps) => {
                                    <$store>::insert_capped_alone(
                                        self,
                                        &record,
                                        digest.as_ref(),
                                        &caps,
                                    )
                                    .await
                                }
                                None => <$store>::insert_one(self, &record, digest.as_ref())
                                    .await
                                    .map(|()| None),
                            });
                        }
                        Write::Start {
                            id,
                            expected_version,
                            start,
                            at,
                            done,
                        } => {
                            let _ = done.send(
                                <$store>::record_start_one(self, &id, expected_version, &start, at)
                                    .await,
                            );
                        }
                    }
                }
            }
        }

        impl $store {
            /// One session's row, in a statement of its own.
            async fn insert_one(
                pool: &sqlx::Pool<$db>,
                r: &SessionRecord,
                digest: Option<&SubjectDigest>,
            ) -> Result<(), StoreError> {
                Self::insert_query([(r, digest)])
                    .build()
                    .execute(pool)
                    .await
                    .map(|_| ())
                    .map_err(insert_error)
            }

            /// A capped row alone (a batch of one, or a batch replayed write by write): the
            /// caps' locks, the counts and the insert in one transaction.
            async fn insert_capped_alone(
                pool: &sqlx::Pool<$db>,
                r: &SessionRecord,
                digest: Option<&SubjectDigest>,
                caps: &Caps,
            ) -> Result<Option<CapReached>, StoreError> {
                let keys: Vec<CapKey> = cap_keys(r, caps).into_iter().map(|(k, _)| k).collect();
                let mut tx = pool.begin().await?;
                Self::take_cap_locks(&mut tx, &keys).await?;
                if let Some(reached) = Self::admit(&mut tx, r, caps, &mut Tally::new()).await? {
                    return Ok(Some(reached));
                }
                Self::insert_query([(r, digest)])
                    .build()
                    .execute(&mut *tx)
                    .await
                    .map_err(insert_error)?;
                tx.commit().await?;
                Ok(None)
            }

            /// Takes the caps' locks, where the database needs them (PostgreSQL), in one order
            /// on every replica so that two transactions never wait for each other.
            async fn take_cap_locks(
                conn: &mut <$db as sqlx::Database>::Connection,
                keys: &[CapKey],
            ) -> Result<(), sqlx::Error> {
                if let Some(lock) = <$store as Backend>::CAP_LOCK {
                    let mut all: Vec<i64> = keys.iter().flat_map(CapKey::lock_keys).collect();
                    all.sort_unstable();
                    all.dedup();
                    for key in all {
                        sqlx::query(lock).bind(key).execute(&mut *conn).await?;
                    }
                }
                Ok(())
            }

            /// Whether `r` fits under its caps, counting the table and the rows admitted before
            /// it in this transaction (`tally`); if it fits, it is tallied.
            async fn admit(
                conn: &mut <$db as sqlx::Database>::Connection,
                r: &SessionRecord,
                caps: &Caps,
                tally: &mut Tally,
            ) -> Result<Option<CapReached>, sqlx::Error> {
                let keys = cap_keys(r, caps);
                let since = to_millis(caps.since);
                for (key, cap) in &keys {
                    let cap = i64::from((*cap).max(1));
                    let mut earlier = tally.get(key).cloned().unwrap_or_default();
                    // The batch's rows are the newest: the cap-th newest may be one of them.
                    if earlier.len() as i64 >= cap {
                        earlier.sort_unstable_by(|a, b| b.cmp(a));
                        return Ok(Some(key.reached(earlier[(cap - 1) as usize])));
                    }
                    let offset = cap - 1 - earlier.len() as i64;
                    let oldest: Option<(i64,)> = match key {
                        CapKey::Reference(reference) => {
                            sqlx::query_as(
                                "SELECT created_at FROM verifications WHERE reference = $1 \
                                 AND created_at > $2 ORDER BY created_at DESC LIMIT 1 OFFSET $3",
                            )
                            .bind(reference)
                            .bind(since)
                            .bind(offset)
                            .fetch_optional(&mut *conn)
                            .await?
                        }
                        CapKey::Subject(digests) => {
                            let mut query = Self::by_subject_digest("created_at", digests);
                            query
                                .push(" AND created_at > ")
                                .push_bind(since)
                                .push(" ORDER BY created_at DESC LIMIT 1 OFFSET ")
                                .push_bind(offset);
                            query.build_query_as().fetch_optional(&mut *conn).await?
                        }
                    };
                    if let Some((oldest,)) = oldest {
                        return Ok(Some(key.reached(oldest)));
                    }
                }
                for (key, _) in keys {
                    tally.entry(key).or_default().push(to_millis(r.created_at));
                }
                Ok(None)
            }

            /// The `INSERT` of sessions' rows (one, or a batch's), their values bound.
            fn insert_query<'a>(
                rows: impl IntoIterator<Item = (&'a SessionRecord, Option<&'a SubjectDigest>)>,
            ) -> QueryBuilder<'a, $db> {
                let mut query = QueryBuilder::<$db>::new(insert_head());
                query.push_values(rows, |mut row, (r, digest)| {
                    let subject = r.subject.as_ref();
                    row.push_bind(&r.id)
                        .push_bind(r.provider.as_str())
                        .push_bind(r.status.as_str())
                        .push_bind(&r.reference)
                        .push_bind(&r.client_secret_hash)
                        .push_bind(&r.client_secret_sealed)
                        .push_bind(subject.map(|s| &s.name))
                        .push_bind(subject.map(|s| &s.id_number))
                        .push_bind(subject.map(|s| &s.name_masked))
                        .push_bind(subject.map(|s| &s.id_number_masked))
                        .push_bind(&r.return_url)
                        .push_bind(&r.vendor_ref)
                        .push_bind(to_json(r.next_action.as_ref()))
                        .push_bind(to_json(r.result.as_ref()))
                        .push_bind(to_json(r.vendor_state.as_ref()))
                        .push_bind(&r.api_key_id)
                        .push_bind(&r.idempotency_key)
                        .push_bind(r.version)
                        .push_bind(to_millis(r.created_at))
                        .push_bind(to_millis(r.updated_at))
                        .push_bind(to_millis(r.expires_at))
                        .push_bind(r.completed_at.map(to_millis))
                        .push_bind(r.last_checked_at.map(to_millis))
                        .push_bind(r.redacted_at.map(to_millis))
                        .push_bind(digest.map(|d| &d.key_id))
                        .push_bind(digest.map(|d| &d.digest));
                });
                query
            }

            /// One vendor answer, in a statement of its own.
            async fn record_start_one(
                pool: &sqlx::Pool<$db>,
                id: &str,
                expected_version: i64,
                start: &Start,
                at: OffsetDateTime,
            ) -> Result<bool, StoreError> {
                sqlx::query(
                    "UPDATE verifications SET vendor_ref = $1, next_action = $2, \
                     expires_at = $3, vendor_state = $4, version = version + 1, \
                     updated_at = $5 \
                     WHERE id = $6 AND version = $7",
                )
                .bind(&start.vendor_ref)
                .bind(to_json(Some(&start.next_action)))
                .bind(to_millis(start.expires_at))
                .bind(to_json(start.vendor_state.as_ref()))
                .bind(to_millis(at))
                .bind(id)
                .bind(expected_version)
                .execute(pool)
                .await
                .map(|done| done.rows_affected() == 1)
                .map_err(start_error)
            }

            /// Every write of `batch` in one transaction: the new rows in one multi-row
            /// `INSERT`, the vendor answers in one `UPDATE ... FROM` that returns the rows it
            /// changed (a row no longer at its expected version is left alone, as alone).
            async fn commit_together(pool: &sqlx::Pool<$db>, batch: &[Write]) -> Batch {
                let mut rows = Vec::new();
                let mut capped = Vec::new();
                let mut starts = Vec::new();
                for write in batch {
                    match write {
                        Write::Insert {
                            record,
                            digest,
                            caps: Some(caps),
                            ..
                        } => capped.push((record, digest, caps)),
                        Write::Insert { record, digest, .. } => rows.push((record, digest)),
                        Write::Start {
                            id,
                            expected_version,
                            start,
                            at,
                            ..
                        } => starts.push((id, *expected_version, start, *at)),
                    }
                }
                // Two answers for one row in one statement would be applied in no set order.
                let distinct: HashSet<&String> = starts.iter().map(|s| s.0).collect();
                if distinct.len() != starts.len() {
                    return Batch::RolledBack(sqlx::Error::Protocol(
                        "two vendor answers for one session in one batch".into(),
                    ));
                }
                let mut tx = match pool.begin().await {
                    Ok(tx) => tx,
                    Err(error) => return Batch::RolledBack(error),
                };
                let mut recorded = HashSet::new();
                let mut refused = HashMap::new();
                let written: Result<(), sqlx::Error> = async {
                    // Capped rows in the batch's order, counted under their caps' locks; those
                    // admitted join the insert, the others are answered CapReached.
                    if !capped.is_empty() {
                        let keys: Vec<CapKey> = capped
                            .iter()
                            .flat_map(|(r, _, caps)| cap_keys(r, caps).into_iter().map(|(k, _)| k))
                            .collect();
                        <$store>::take_cap_locks(&mut tx, &keys).await?;
                        let mut tally = Tally::new();
                        for (r, digest, caps) in &capped {
                            match <$store>::admit(&mut tx, r, caps, &mut tally).await? {
                                Some(reached) => {
                                    refused.insert(r.id.clone(), reached);
                                }
                                None => rows.push((*r, *digest)),
                            }
                        }
                    }
                    if !rows.is_empty() {
                        <$store>::insert_query(
                            rows.iter().map(|&(r, digest)| (r.as_ref(), digest.as_ref())),
                        )
                        .build()
                        .execute(&mut *tx)
                        .await?;
                    }
                    if !starts.is_empty() {
                        let mut query = QueryBuilder::<$db>::new(
                            "UPDATE verifications SET vendor_ref = v.v_vendor_ref, \
                             next_action = v.v_next_action, expires_at = v.v_expires_at, \
                             vendor_state = v.v_vendor_state, version = version + 1, \
                             updated_at = v.v_updated_at FROM (",
                        );
                        for (index, (id, expected_version, start, at)) in starts.iter().enumerate()
                        {
                            if index > 0 {
                                query.push(" UNION ALL ");
                            }
                            query.push("SELECT ");
                            query.push_bind(id.as_str()).push(" AS v_id, ");
                            query.push_bind(*expected_version).push(" AS v_version, ");
                            query
                                .push_bind(start.vendor_ref.as_str())
                                .push(" AS v_vendor_ref, ");
                            query
                                .push_bind(to_json(Some(&start.next_action)))
                                .push(" AS v_next_action, ");
                            query
                                .push_bind(to_millis(start.expires_at))
                                .push(" AS v_expires_at, ");
                            query
                                .push_bind(to_json(start.vendor_state.as_ref()))
                                .push(" AS v_vendor_state, ");
                            query.push_bind(to_millis(*at)).push(" AS v_updated_at");
                        }
                        query.push(") AS v WHERE id = v.v_id AND version = v.v_version RETURNING id");
                        let changed: Vec<(String,)> =
                            query.build_query_as().fetch_all(&mut *tx).await?;
                        recorded.extend(changed.into_iter().map(|(id,)| id));
                    }
                    Ok(())
                }
                .await;
                if let Err(error) = written {
                    let _ = tx.rollback().await;
                    return Batch::RolledBack(error);
                }
                match tx.commit().await {
                    Ok(()) => Batch::Committed(recorded, refused),
                    Err(error) => Batch::Unknown(error),
                }
            }
        }

        #[async_trait]
        impl SessionStore for $store {
            async fn insert(
                &self,
                r: &SessionRecord,
                digest: Option<&SubjectDigest>,
            ) -> Result<(), StoreError> {
                self.group.insert(r, digest, None).await.map(|_| ())
            }

            async fn insert_capped(
                &self,
                r: &SessionRecord,
                digest: Option<&SubjectDigest>,
                caps: &Caps,
            ) -> Result<Option<CapReached>, StoreError> {
                let caps = (!cap_keys(r, caps).is_empty()).then_some(caps);
                self.group.insert(r, digest, caps).await
            }

            async fn get(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
                let sql = format!("SELECT {COLUMNS} FROM verifications WHERE id = $1");
                let row: Option<SessionRow> = sqlx::query_as(&sql)
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?;
                row.map(SessionRecord::try_from).transpose()
            }

            async fn find_by_idempotency_key(
                &self,
                api_key_id: &str,
                key: &str,
            ) -> Result<Option<SessionRecord>, StoreError> {
                let sql = format!(
                    "SELECT {COLUMNS} FROM verifications \
                     WHERE api_key_id = $1 AND idempotency_key = $2"
                );
                let row: Option<SessionRow> = sqlx::query_as(&sql)
                    .bind(api_key_id)
                    .bind(key)
                    .fetch_optional(self.reader())
                    .await?;
                row.map(SessionRecord::try_from).transpose()
            }

            async fn find_by_vendor_ref(
                &self,
                provider: Provider,
                vendor_ref: &str,
            ) -> Result<Option<SessionRecord>, StoreError> {
                let sql = format!(
                    "SELECT {COLUMNS} FROM verifications \
                     WHERE provider = $1 AND vendor_ref = $2"
                );
                let row: Option<SessionRow> = sqlx::query_as(&sql)
                    .bind(provider.as_str())
                    .bind(vendor_ref)
                    .fetch_optional(self.reader())
                    .await?;
                row.map(SessionRecord::try_from).transpose()
            }

            async fn list(&self, filter: &ListFilter) -> Result<Vec<SessionRecord>, StoreError> {
                let mut query =
                    QueryBuilder::new(format!("SELECT {COLUMNS} FROM verifications WHERE TRUE"));
                if let Some(reference) = &filter.reference {
                    query.push(" AND reference = ").push_bind(reference);
                }
                if let Some(status) = filter.status {
                    query.push(" AND status = ").push_bind(status.as_str());
                }
                if let Some((created_at, id)) = &filter.after {
                    query.push(" AND (created_at, id) < (");
                    query.push_bind(to_millis(*created_at)).push(", ");
                    query.push_bind(id).push(")");
                }
                query.push(" ORDER BY created_at DESC, id DESC LIMIT ");
                query.push_bind(i64::from(filter.limit));
                let rows = query
                    .build_query_as::<SessionRow>()
                    .fetch_all(self.reader())
                    .await?;
                records(rows)
            }

            async fn record_start(
                &self,
                id: &str,
                expected_version: i64,
                start: &Start,
                at: OffsetDateTime,
            ) -> Result<bool, StoreError> {
                self.group.record_start(id, expected_version, start, at).await
            }

            async fn delete_unstarted(&self, id: &str) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM verifications WHERE id = $1 AND vendor_ref IS NULL")
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn apply(&self, change: &Change) -> Result<bool, StoreError> {
                let mut tx = self.writer().begin().await?;
                let done = sqlx::query(
                    "UPDATE verifications SET status = $1, result = $2, next_action = $3, \
                     completed_at = $4, version = version + 1, updated_at = $5, \
                     last_checked_at = $5 \
                     WHERE id = $6 AND version = $7",
                )
                .bind(change.status.as_str())
                .bind(to_json(change.result.as_ref()))
                .bind(to_json(change.next_action.as_ref()))
                .bind(change.completed_at.map(to_millis))
                .bind(to_millis(change.at))
                .bind(&change.id)
                .bind(change.expected_version)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                if let Some(event) = &change.event {
                    Self::insert_event(&mut tx, event).await?;
                }
                // Kept media in the same transaction: a session that reads final has them.
                for item in &change.media {
                    sqlx::query(
                        "INSERT INTO media (id, verification_id, kind, content_type, sealed, \
                         created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&item.id)
                    .bind(&item.verification_id)
                    .bind(&item.kind)
                    .bind(&item.content_type)
                    .bind(&item.sealed)
                    .bind(to_millis(item.created_at))
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn touch_checked(&self, id: &str, at: OffsetDateTime) -> Result<(), StoreError> {
                sqlx::query("UPDATE verifications SET last_checked_at = $1 WHERE id = $2")
                    .bind(to_millis(at))
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn due_for_reconcile(
                &self,
                now: OffsetDateTime,
                stale_before: OffsetDateTime,
                limit: u32,
            ) -> Result<Vec<SessionRecord>, StoreError> {
                let sql = format!(
                    "SELECT {COLUMNS} FROM verifications \
                     WHERE status IN ('pending', 'processing') \
                       AND (expires_at <= $1 \
                            OR (created_at < $2 AND COALESCE(last_checked_at, 0) < $2)) \
                     ORDER BY COALESCE(last_checked_at, 0) LIMIT $3"
                );
                let rows: Vec<SessionRow> = sqlx::query_as(&sql)
                    .bind(to_millis(now))
                    .bind(to_millis(stale_before))
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await?;
                records(rows)
            }

            async fn claim_for_reconcile(
                &self,
                now: OffsetDateTime,
                stale_before: OffsetDateTime,
                recheck_before: OffsetDateTime,
                limit: u32,
            ) -> Result<Vec<SessionRecord>, StoreError> {
                let sql = format!(
                    "UPDATE verifications SET last_checked_at = $1 \
                     WHERE id IN (SELECT id FROM verifications \
                       WHERE status IN ('pending', 'processing') \
                         AND ((expires_at <= $1 AND COALESCE(last_checked_at, 0) < $2) \
                              OR (created_at < $3 AND COALESCE(last_checked_at, 0) < $3)) \
                       ORDER BY COALESCE(last_checked_at, 0) LIMIT $4{skip_locked}) \
                     RETURNING {COLUMNS}",
                    skip_locked = Self::SKIP_LOCKED,
                );
                let rows: Vec<SessionRow> = sqlx::query_as(&sql)
                    .bind(to_millis(now))
                    .bind(to_millis(recheck_before))
                    .bind(to_millis(stale_before))
                    .bind(i64::from(limit))
                    .fetch_all(self.writer())
                    .await?;
                records(rows)
            }
        }
    };
}

implement!(SqliteStore, sqlx::Sqlite);
implement!(PostgresStore, sqlx::Postgres);
