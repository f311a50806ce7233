//! The PostgreSQL store against a real server (FACEGATE_TEST_DATABASE_URL, see
//! scripts/postgres.sh), each test on a fresh database of its own. The behaviour scenarios run on
//! SQLite too, so both implementations of `Store` are held to the same answers: one scenario or
//! more per capability (sessions, outbox, vendor tokens, keys and limits, privacy, admin).

use std::sync::Arc;

use facegate_server::store::{
    self, AdminFilter, AlertReading, AlertRecord, AlertStatus, Change, CreatedCount, ListFilter,
    OpsCounts, OutboxEvent, OutcomeCount, Redaction, SealedSubject, SessionRecord, Start, Store,
    StoreError, StoredApiKey, StoredMedia, SubjectDigest,
};
use facegate_types::{
    ConfirmedBy, FailureReason, NextAction, Provider, Scores, VerificationResult,
    VerificationStatus,
};
use sqlx::Connection;
use time::{Duration, OffsetDateTime};

mod common;
use common::FreshDatabase;

/// A fresh database on the server FACEGATE_TEST_DATABASE_URL names; None, with a notice, when
/// no server is configured.
async fn fresh_database(test: &str) -> Option<FreshDatabase> {
    let Ok(admin_url) = std::env::var("FACEGATE_TEST_DATABASE_URL") else {
        eprintln!("skipped {test}: FACEGATE_TEST_DATABASE_URL is not set (scripts/postgres.sh)");
        return None;
    };
    Some(FreshDatabase::create(&admin_url, "fg_store").await)
}

/// An SQLite store in a temporary directory, for the parity runs.
async fn sqlite() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("facegate.db").display());
    let store = store::connect(&url).await.unwrap();
    (dir, store)
}

/// A fixed instant with whole milliseconds, as the stores keep them.
fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap() + Duration::milliseconds(123)
}

fn record(id: &str, created_at: OffsetDateTime) -> SessionRecord {
    SessionRecord {
        id: id.to_owned(),
        provider: Provider::Sandbox,
        status: VerificationStatus::Pending,
        reference: Some("order-1".into()),
        client_secret_hash: vec![0, 1, 2, 255],
        client_secret_sealed: vec![9; 40],
        subject: Some(SealedSubject {
            name: vec![1; 28],
            id_number: vec![2; 34],
            name_masked: "张*".into(),
            id_number_masked: "110***********4514".into(),
        }),
        return_url: "https://shop.example/done?order=1".into(),
        vendor_ref: None,
        next_action: None,
        result: None,
        vendor_state: None,
        api_key_id: Some("key-1".into()),
        idempotency_key: None,
        version: 0,
        created_at,
        updated_at: created_at,
        expires_at: created_at + Duration::minutes(10),
        completed_at: None,
        last_checked_at: None,
        redacted_at: None,
    }
}

fn failed_result() -> VerificationResult {
    VerificationResult {
        passed: false,
        reason: Some(FailureReason::NotSamePerson),
        scores: Scores {
            similarity: Some(41.5),
            liveness: Some(0.99),
            threshold: Some(80.0),
        },
        vendor_code: Some("222351".into()),
        vendor_message: Some("不是同一人".into()),
        confirmed_by: ConfirmedBy::VendorQuery,
        risk_signals: Vec::new(),
    }
}

/// The change that makes a fresh session `id` final (failed) at `at`, with its outbox event.
fn failing(id: &str, at: OffsetDateTime) -> Change {
    Change {
        id: id.to_owned(),
        expected_version: 0,
        status: VerificationStatus::Failed,
        result: Some(failed_result()),
        next_action: None,
        completed_at: Some(at),
        at,
        event: Some(OutboxEvent {
            id: format!("evt_{id}"),
            verification_id: id.to_owned(),
            kind: "verification.failed".into(),
            created_at: at,
            payload: format!("{{\"id\":\"{id}\"}}"),
        }),
        media: Vec::new(),
    }
}

/// A session that reached a final state, with its outbox event.
async fn finished(store: &dyn Store, id: &str, at: OffsetDateTime) {
    store.insert(&record(id, at), None).await.unwrap();
    assert!(store.apply(&failing(id, at)).await.unwrap());
}

/// Every column survives the round trip; lookups by idempotency key and vendor handle; the
/// version guards updates; an event is written with its change and only then.
async fn round_trip(store: &dyn Store) {
    let at = t0();
    let mut first = record("ver_a", at);
    first.idempotency_key = Some("idem-1".into());
    first.vendor_state = Some(serde_json::json!({"nonce": "abc", "n": 3}));
    store.insert(&first, None).await.unwrap();
    assert_eq!(store.get("ver_a").await.unwrap(), Some(first.clone()));
    assert_eq!(store.get("ver_missing").await.unwrap(), None);
    assert_eq!(
        store
            .find_by_idempotency_key("key-1", "idem-1")
            .await
            .unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        store
            .find_by_idempotency_key("key-2", "idem-1")
            .await
            .unwrap(),
        None
    );

    let start = Start {
        vendor_ref: "tok-1".into(),
        next_action: NextAction::Redirect {
            url: "https://vendor.example/page?token=tok-1".into(),
        },
        expires_at: at + Duration::minutes(30),
        vendor_state: Some(serde_json::json!({"lite": true})),
    };
    assert!(store
        .record_start("ver_a", 0, &start, at + Duration::seconds(1))
        .await
        .unwrap());
    // The row moved to version 1: a writer still holding version 0 loses.
    assert!(!store
        .record_start("ver_a", 0, &start, at + Duration::seconds(1))
        .await
        .unwrap());
    let started = store
        .find_by_vendor_ref(Provider::Sandbox, "tok-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(started.version, 1);
    assert_eq!(started.next_action, Some(start.next_action.clone()));
    assert_eq!(started.expires_at, start.expires_at);
    assert_eq!(started.vendor_state, start.vendor_state);
    assert_eq!(started.updated_at, at + Duration::seconds(1));
    assert_eq!(
        store
            .find_by_vendor_ref(Provider::BaiduH5, "tok-1")
            .await
            .unwrap(),
        None
    );

    let done_at = at + Duration::seconds(5);
    let mut change = Change {
        id: "ver_a".into(),
        expected_version: 0,
        status: VerificationStatus::Failed,
        result: Some(failed_result()),
        next_action: None,
        completed_at: Some(done_at),
        at: done_at,
        event: Some(OutboxEvent {
            id: "evt_a".into(),
            verification_id: "ver_a".into(),
            kind: "verification.failed".into(),
            created_at: done_at,
            payload: "{\"id\":\"ver_a\"}".into(),
        }),
        media: Vec::new(),
    };
    assert!(!store.apply(&change).await.unwrap());
    assert!(store.events_for("ver_a").await.unwrap().is_empty());
    change.expected_version = 1;
    assert!(store.apply(&change).await.unwrap());
    let done = store.get("ver_a").await.unwrap().unwrap();
    assert_eq!(done.status, VerificationStatus::Failed);
    assert_eq!(done.result, Some(failed_result()));
    assert_eq!(done.next_action, None);
    assert_eq!(done.completed_at, Some(done_at));
    assert_eq!(done.last_checked_at, Some(done_at));
    assert_eq!(done.version, 2);
    assert_eq!(
        store.events_for("ver_a").await.unwrap(),
        vec![change.event.clone().unwrap()]
    );

    store
        .touch_checked("ver_a", done_at + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(
        store.get("ver_a").await.unwrap().unwrap().last_checked_at,
        Some(done_at + Duration::seconds(1))
    );

    // A session the vendor never accepted can go; a started one stays.
    store.insert(&record("ver_b", at), None).await.unwrap();
    store.delete_unstarted("ver_b").await.unwrap();
    store.delete_unstarted("ver_a").await.unwrap();
    assert_eq!(store.get("ver_b").await.unwrap(), None);
    assert!(store.get("ver_a").await.unwrap().is_some());
    store.ping().await.unwrap();
}

/// Unique keys answer `Duplicate` with the key's name, as on SQLite.
async fn duplicates(store: &dyn Store) {
    let at = t0();
    let mut first = record("ver_1", at);
    first.idempotency_key = Some("same".into());
    store.insert(&first, None).await.unwrap();
    let mut second = record("ver_2", at);
    second.idempotency_key = Some("same".into());
    assert!(matches!(
        store.insert(&second, None).await,
        Err(StoreError::Duplicate("idempotency_key"))
    ));
    // The same key under another API key is another session.
    second.api_key_id = Some("key-2".into());
    store.insert(&second, None).await.unwrap();

    let start = |vendor_ref: &str| Start {
        vendor_ref: vendor_ref.into(),
        next_action: NextAction::WechatMiniProgram {
            user_id_key: "uik".into(),
        },
        expires_at: at + Duration::minutes(5),
        vendor_state: None,
    };
    assert!(store
        .record_start("ver_1", 0, &start("handle"), at)
        .await
        .unwrap());
    assert!(matches!(
        store.record_start("ver_2", 0, &start("handle"), at).await,
        Err(StoreError::Duplicate("vendor_ref"))
    ));
    assert_eq!(store.get("ver_2").await.unwrap().unwrap().vendor_ref, None);
}

fn ids(records: &[SessionRecord]) -> Vec<&str> {
    records.iter().map(|r| r.id.as_str()).collect()
}

/// Newest first, ties on created_at broken by id compared bytewise; filters; pages.
async fn listing(store: &dyn Store) {
    let at = t0();
    // Mixed case: a collation-aware order would interleave these differently from SQLite.
    for (id, offset, reference) in [
        ("ver_B", 0, "r1"),
        ("ver_a", 0, "r1"),
        ("ver_C", 0, "r2"),
        ("ver_d", 1, "r1"),
        ("ver_e", 2, "r2"),
    ] {
        let mut r = record(id, at + Duration::seconds(offset));
        r.reference = Some(reference.into());
        store.insert(&r, None).await.unwrap();
    }
    let cancel = Change {
        id: "ver_d".into(),
        expected_version: 0,
        status: VerificationStatus::Canceled,
        result: None,
        next_action: None,
        completed_at: Some(at),
        at,
        event: None,
        media: Vec::new(),
    };
    assert!(store.apply(&cancel).await.unwrap());

    let all = store
        .list(&ListFilter {
            limit: 10,
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&all), ["ver_e", "ver_d", "ver_a", "ver_C", "ver_B"]);

    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list(&ListFilter {
                after: after.clone(),
                limit: 2,
                ..ListFilter::default()
            })
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some((last.created_at, last.id.clone()));
        pages.push(ids(&page).join(","));
    }
    assert_eq!(pages, ["ver_e,ver_d", "ver_a,ver_C", "ver_B"]);

    let r1 = store
        .list(&ListFilter {
            reference: Some("r1".into()),
            limit: 10,
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&r1), ["ver_d", "ver_a", "ver_B"]);
    let pending_r1_after_a = store
        .list(&ListFilter {
            reference: Some("r1".into()),
            status: Some(VerificationStatus::Pending),
            after: Some((at, "ver_a".into())),
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(ids(&pending_r1_after_a), ["ver_B"]);
}

/// Sessions created at `at`: past expiry but checked at +59 s, checked at +5 s, never checked,
/// checked at +50 s, and final; and one created at +40 s.
async fn reconciler_backlog(store: &dyn Store, at: OffsetDateTime) {
    let mut expired = record("ver_expired", at);
    expired.expires_at = at + Duration::seconds(10);
    expired.last_checked_at = Some(at + Duration::seconds(59));
    store.insert(&expired, None).await.unwrap();
    let mut stale = record("ver_stale", at);
    stale.last_checked_at = Some(at + Duration::seconds(5));
    store.insert(&stale, None).await.unwrap();
    store.insert(&record("ver_never", at), None).await.unwrap();
    let mut fresh = record("ver_fresh", at);
    fresh.last_checked_at = Some(at + Duration::seconds(50));
    store.insert(&fresh, None).await.unwrap();
    store
        .insert(&record("ver_young", at + Duration::seconds(40)), None)
        .await
        .unwrap();
    finished(store, "ver_final", at).await;
}

/// The reconciler sees open sessions past expiry or not checked since `stale_before`, oldest
/// check first, never final ones.
async fn reconcile_work(store: &dyn Store) {
    let at = t0();
    reconciler_backlog(store, at).await;

    let now = at + Duration::seconds(60);
    let stale_before = at + Duration::seconds(30);
    let due = store
        .due_for_reconcile(now, stale_before, 10)
        .await
        .unwrap();
    assert_eq!(ids(&due), ["ver_never", "ver_stale", "ver_expired"]);
    let first = store.due_for_reconcile(now, stale_before, 1).await.unwrap();
    assert_eq!(ids(&first), ["ver_never"]);
}

/// The reconciler's claim: what is due, marked checked in the same statement, so a second
/// claim (another replica) passes over it; an expired session is claimed again only after
/// `recheck_before` has passed its last check.
async fn reconcile_claims(store: &dyn Store) {
    let at = t0();
    reconciler_backlog(store, at).await;

    let now = at + Duration::seconds(60);
    let stale_before = at + Duration::seconds(30);
    let recheck_before = now - Duration::seconds(5);
    let claimed_records = store
        .claim_for_reconcile(now, stale_before, recheck_before, 10)
        .await
        .unwrap();
    let mut claimed = ids(&claimed_records);
    claimed.sort();
    // ver_expired was checked a second ago: its checker is still at it.
    assert_eq!(claimed, ["ver_never", "ver_stale"]);
    let record_now = store.get("ver_never").await.unwrap().unwrap();
    assert_eq!(record_now.last_checked_at, Some(now));
    assert!(store
        .claim_for_reconcile(now, stale_before, recheck_before, 10)
        .await
        .unwrap()
        .is_empty());
    let later = now + Duration::seconds(6);
    let again = store
        .claim_for_reconcile(later, stale_before, later - Duration::seconds(5), 10)
        .await
        .unwrap();
    assert_eq!(ids(&again), ["ver_expired"]);
}

/// One refresh lease per token: taken once, refused while it runs, taken over when it ran out,
/// given back by its holder only.
async fn token_refresh_leases(store: &dyn Store) {
    let at = t0();
    let until = at + Duration::seconds(10);
    assert!(store
        .claim_token_refresh("wechat:app", "a", at, until)
        .await
        .unwrap());
    assert!(!store
        .claim_token_refresh("wechat:app", "b", at, until)
        .await
        .unwrap());
    assert!(store
        .claim_token_refresh("baidu:app", "b", at, until)
        .await
        .unwrap());
    // The lease row is not a token.
    assert_eq!(store.vendor_token("wechat:app").await.unwrap(), None);
    store
        .release_token_refresh("wechat:app", "b")
        .await
        .unwrap();
    assert!(!store
        .claim_token_refresh("wechat:app", "b", at + Duration::seconds(1), until)
        .await
        .unwrap());
    store
        .release_token_refresh("wechat:app", "a")
        .await
        .unwrap();
    assert!(store
        .claim_token_refresh("wechat:app", "b", at + Duration::seconds(1), until)
        .await
        .unwrap());
    let expired = until + Duration::seconds(1);
    assert!(store
        .claim_token_refresh("baidu:app", "c", expired, expired + Duration::seconds(10))
        .await
        .unwrap());
}

/// Claims lease events; leases run out; failures reschedule or give up; deliveries end it.
async fn outbox(store: &dyn Store) {
    let at = t0();
    finished(store, "ver_1", at).await;
    finished(store, "ver_2", at + Duration::seconds(1)).await;
    let lease = |now: OffsetDateTime| now + Duration::seconds(30);

    let claimed = store.claim_events(at, lease(at), 10).await.unwrap();
    assert_eq!(claimed.len(), 1, "ver_2's event is not due yet");
    assert_eq!(claimed[0].event.id, "evt_ver_1");
    assert_eq!(claimed[0].attempts, 1);
    assert_eq!(claimed[0].event.payload, "{\"id\":\"ver_1\"}");
    assert_eq!(claimed[0].event.created_at, at);

    let now = at + Duration::seconds(2);
    let claimed = store.claim_events(now, lease(now), 10).await.unwrap();
    let claimed_ids: Vec<_> = claimed.iter().map(|d| d.event.id.as_str()).collect();
    assert_eq!(claimed_ids, ["evt_ver_2"], "evt_ver_1 is still leased");

    // The lease of evt_ver_1 runs out (its replica died): claimable again, second attempt.
    let later = at + Duration::seconds(31);
    let again = store.claim_events(later, lease(later), 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].event.id, "evt_ver_1");
    assert_eq!(again[0].attempts, 2);

    store
        .event_failed(
            "evt_ver_1",
            later,
            Some(later + Duration::seconds(60)),
            "HTTP 500",
        )
        .await
        .unwrap();
    store.event_delivered("evt_ver_2", later).await.unwrap();
    let much_later = later + Duration::seconds(40);
    assert!(store
        .claim_events(much_later, lease(much_later), 10)
        .await
        .unwrap()
        .is_empty());
    let retry = later + Duration::seconds(60);
    let third = store.claim_events(retry, lease(retry), 10).await.unwrap();
    assert_eq!(third.len(), 1);
    assert_eq!(third[0].attempts, 3);
    store
        .event_failed("evt_ver_1", retry, None, "gave up")
        .await
        .unwrap();
    let end = retry + Duration::hours(1);
    assert!(store
        .claim_events(end, lease(end), 10)
        .await
        .unwrap()
        .is_empty());
}

/// Upserts replace the token and its expiry.
async fn vendor_tokens(store: &dyn Store) {
    let at = t0();
    assert_eq!(store.vendor_token("baidu:app").await.unwrap(), None);
    store
        .put_vendor_token("baidu:app", &[1, 2, 3], at + Duration::days(30), at)
        .await
        .unwrap();
    store
        .put_vendor_token("baidu:app", &[4, 5], at + Duration::days(29), at)
        .await
        .unwrap();
    assert_eq!(
        store.vendor_token("baidu:app").await.unwrap(),
        Some((vec![4, 5], at + Duration::days(29)))
    );
}

/// API keys oldest first, revoked once; subject digests newest first and counted after a
/// moment; evidence spent by one session only.
async fn keys_and_limits(store: &dyn Store) {
    let at = t0();
    let key = |id: &str, created_at| StoredApiKey {
        id: id.to_owned(),
        label: Some("shop".into()),
        key_hash: vec![7; 32],
        created_at,
        last_used_at: None,
        revoked_at: None,
    };
    let second = at + Duration::seconds(1);
    store.insert_api_key(&key("key_b", second)).await.unwrap();
    store.insert_api_key(&key("key_a", second)).await.unwrap();
    store.insert_api_key(&key("key_c", at)).await.unwrap();
    let listed: Vec<_> = store.list_api_keys().await.unwrap();
    let listed: Vec<_> = listed.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(listed, ["key_c", "key_a", "key_b"]);
    store
        .touch_api_key("key_a", at + Duration::seconds(2))
        .await
        .unwrap();
    assert!(store
        .revoke_api_key("key_a", at + Duration::seconds(3))
        .await
        .unwrap());
    assert!(!store
        .revoke_api_key("key_a", at + Duration::seconds(4))
        .await
        .unwrap());
    assert!(!store.revoke_api_key("key_missing", at).await.unwrap());
    assert_eq!(
        store.api_key("key_a").await.unwrap(),
        Some(StoredApiKey {
            last_used_at: Some(at + Duration::seconds(2)),
            revoked_at: Some(at + Duration::seconds(3)),
            ..key("key_a", second)
        })
    );
    assert_eq!(store.api_key("key_missing").await.unwrap(), None);

    let digest = |byte: u8| SubjectDigest {
        key_id: "k1".into(),
        digest: vec![byte; 32],
    };
    for (id, offset, subject) in [
        ("ver_1", 0, Some(digest(1))),
        ("ver_2", 1, Some(digest(2))),
        ("ver_3", 2, Some(digest(1))),
        ("ver_4", 3, None),
    ] {
        let record = record(id, at + Duration::seconds(offset));
        store.insert(&record, subject.as_ref()).await.unwrap();
    }
    let both = [vec![1; 32], vec![2; 32]];
    let found = store.find_by_subject_digest(&both, 10).await.unwrap();
    assert_eq!(found, ["ver_3", "ver_2", "ver_1"]);
    let newest = store.find_by_subject_digest(&both[..1], 1).await.unwrap();
    assert_eq!(newest, ["ver_3"]);
    assert!(store
        .find_by_subject_digest(&[], 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.count_by_subject_digest(&both, at).await.unwrap(), 2);
    assert_eq!(
        store.count_by_subject_digest(&both[1..], at).await.unwrap(),
        1
    );
    assert_eq!(store.count_by_subject_digest(&[], at).await.unwrap(), 0);

    let wechat = Provider::WechatMini;
    assert_eq!(store.evidence_owner(wechat, b"proof").await.unwrap(), None);
    assert!(store
        .spend_evidence(wechat, b"proof", "ver_1", at)
        .await
        .unwrap());
    // Spent by this session before: still its own; another session is refused.
    assert!(store
        .spend_evidence(wechat, b"proof", "ver_1", at)
        .await
        .unwrap());
    assert!(!store
        .spend_evidence(wechat, b"proof", "ver_2", at)
        .await
        .unwrap());
    assert_eq!(
        store.evidence_owner(wechat, b"proof").await.unwrap(),
        Some("ver_1".into())
    );
    assert!(store
        .spend_evidence(Provider::Sandbox, b"proof", "ver_2", at)
        .await
        .unwrap());
}

/// Ended admin sessions are kept until their cookie expires (moved from the SQLite module's
/// unit tests: now on both databases).
async fn admin_logouts(store: &dyn Store) {
    let t0 = t0();
    let hour = Duration::hours(1);
    store.end_admin_session(b"a", t0 + hour, t0).await.unwrap();
    // Twice is fine (two tabs logging out).
    store.end_admin_session(b"a", t0 + hour, t0).await.unwrap();
    assert!(store.admin_session_ended(b"a").await.unwrap());
    assert!(!store.admin_session_ended(b"b").await.unwrap());
    // Past its expiry the record goes (the cookie is dead by itself then).
    store
        .end_admin_session(b"b", t0 + 3 * hour, t0 + 2 * hour)
        .await
        .unwrap();
    assert!(!store.admin_session_ended(b"a").await.unwrap());
    assert!(store.admin_session_ended(b"b").await.unwrap());
}

fn image(id: &str, verification_id: &str, created_at: OffsetDateTime) -> StoredMedia {
    StoredMedia {
        id: id.to_owned(),
        verification_id: verification_id.to_owned(),
        kind: "image_best".into(),
        content_type: "image/jpeg".into(),
        sealed: vec![3; 64],
        created_at,
    }
}

/// Media kept with a final change, oldest first, deleted by age; a redaction empties the
/// subject, drops the digest, vendor state and media, rewrites the events and adds its own,
/// once, and only on a final session.
async fn privacy(store: &dyn Store) {
    let at = t0();
    let later = at + Duration::seconds(1);
    let mut kept = record("ver_p", at);
    kept.vendor_state = Some(serde_json::json!({"nonce": 1}));
    let digest = SubjectDigest {
        key_id: "k1".into(),
        digest: vec![1; 32],
    };
    store.insert(&kept, Some(&digest)).await.unwrap();
    store.insert(&record("ver_open", at), None).await.unwrap();
    let change = Change {
        media: vec![image("med_2", "ver_p", later), image("med_1", "ver_p", at)],
        ..failing("ver_p", at)
    };
    assert!(store.apply(&change).await.unwrap());
    assert_eq!(
        store.media_for("ver_p").await.unwrap(),
        [image("med_1", "ver_p", at), image("med_2", "ver_p", later)]
    );
    assert_eq!(store.due_for_redaction(at, 10).await.unwrap(), ["ver_p"]);
    assert!(store
        .due_for_redaction(at - Duration::seconds(1), 10)
        .await
        .unwrap()
        .is_empty());

    let redacted_at = at + Duration::seconds(10);
    let redaction = |id: &str| Redaction {
        verification_id: id.to_owned(),
        at: redacted_at,
        marker: "[redacted]".into(),
        rewritten_events: vec![("evt_ver_p".into(), "{\"subject\":null}".into())],
        event: OutboxEvent {
            id: format!("evt_{id}_redacted"),
            verification_id: id.to_owned(),
            kind: "verification.redacted".into(),
            created_at: redacted_at,
            payload: "{}".into(),
        },
    };
    assert!(!store.redact(&redaction("ver_open")).await.unwrap());
    assert!(store.redact(&redaction("ver_p")).await.unwrap());
    assert!(!store.redact(&redaction("ver_p")).await.unwrap());
    let redacted = store.get("ver_p").await.unwrap().unwrap();
    assert_eq!(
        redacted.subject,
        Some(SealedSubject {
            name: Vec::new(),
            id_number: Vec::new(),
            name_masked: "[redacted]".into(),
            id_number_masked: "[redacted]".into(),
        })
    );
    assert_eq!(redacted.vendor_state, None);
    assert_eq!(redacted.redacted_at, Some(redacted_at));
    assert_eq!(redacted.updated_at, redacted_at);
    assert_eq!(redacted.version, 2);
    assert!(store.media_for("ver_p").await.unwrap().is_empty());
    let found = store.find_by_subject_digest(&[vec![1; 32]], 10).await;
    assert!(found.unwrap().is_empty());
    let events: Vec<_> = store.events_for("ver_p").await.unwrap();
    let events: Vec<_> = events
        .iter()
        .map(|e| (e.id.as_str(), e.payload.as_str()))
        .collect();
    assert_eq!(
        events,
        [
            ("evt_ver_p", "{\"subject\":null}"),
            ("evt_ver_p_redacted", "{}")
        ]
    );
    assert!(store
        .due_for_redaction(at + Duration::hours(1), 10)
        .await
        .unwrap()
        .is_empty());

    let mut aged = record("ver_m", at);
    aged.subject = None;
    store.insert(&aged, None).await.unwrap();
    let finish = Change {
        event: None,
        media: vec![
            image("med_old", "ver_m", at),
            image("med_new", "ver_m", later),
        ],
        ..failing("ver_m", at)
    };
    assert!(store.apply(&finish).await.unwrap());
    assert_eq!(store.delete_media_before(at).await.unwrap(), 1);
    assert_eq!(
        store.media_for("ver_m").await.unwrap(),
        [image("med_new", "ver_m", later)]
    );
}

/// The admin page's filters and totals; counts by day and by outcome; `/metrics`' counts.
async fn admin_counts(store: &dyn Store) {
    let at = t0();
    store.insert(&record("ver_1", at), None).await.unwrap();
    finished(store, "ver_2", at + Duration::seconds(1)).await;
    let mut baidu = record("ver_3", at + Duration::seconds(2));
    baidu.provider = Provider::BaiduH5;
    store.insert(&baidu, None).await.unwrap();
    let start = Start {
        vendor_ref: "tok-3".into(),
        next_action: NextAction::Redirect {
            url: "https://vendor.example/page?token=tok-3".into(),
        },
        expires_at: at + Duration::minutes(30),
        vendor_state: None,
    };
    assert!(store.record_start("ver_3", 0, &start, at).await.unwrap());
    let next_day = at + Duration::days(1);
    let mut tomorrow = record("ver_4", next_day);
    tomorrow.reference = Some("order-2".into());
    store.insert(&tomorrow, None).await.unwrap();

    let page = |filter: AdminFilter| async move {
        let (records, total) = store.admin_page(&filter).await.unwrap();
        let ids: Vec<_> = records.into_iter().map(|r| r.id).collect();
        (ids, total)
    };
    let all = AdminFilter {
        limit: 10,
        ..AdminFilter::default()
    };
    assert_eq!(
        page(all.clone()).await,
        (
            vec![
                "ver_4".into(),
                "ver_3".into(),
                "ver_2".into(),
                "ver_1".into()
            ],
            4
        )
    );
    let second_sandbox = AdminFilter {
        provider: Some(Provider::Sandbox),
        limit: 1,
        offset: 1,
        ..all.clone()
    };
    assert_eq!(page(second_sandbox).await, (vec!["ver_2".into()], 3));
    let failed = AdminFilter {
        status: Some(VerificationStatus::Failed),
        ..all.clone()
    };
    assert_eq!(page(failed).await, (vec!["ver_2".into()], 1));
    let window = AdminFilter {
        created_from: Some(at + Duration::seconds(1)),
        created_before: Some(next_day),
        ..all.clone()
    };
    assert_eq!(
        page(window).await,
        (vec!["ver_3".into(), "ver_2".into()], 2)
    );
    let order_2 = AdminFilter {
        reference: Some("order-2".into()),
        ..all
    };
    assert_eq!(page(order_2).await, (vec!["ver_4".into()], 1));

    let count =
        |provider, day: OffsetDateTime, status, reason: Option<&str>, started| CreatedCount {
            provider,
            quarter: day.unix_timestamp() / store::QUARTER_HOUR_SECONDS,
            status,
            reason: reason.map(str::to_owned),
            vendor_started: started,
            count: 1,
        };
    use VerificationStatus::{Failed, Pending};
    assert_eq!(
        store
            .created_counts(at, at + Duration::days(2))
            .await
            .unwrap(),
        [
            count(Provider::Sandbox, next_day, Pending, None, false),
            count(Provider::BaiduH5, at, Pending, None, true),
            count(
                Provider::Sandbox,
                at,
                Failed,
                Some("not_same_person"),
                false
            ),
            count(Provider::Sandbox, at, Pending, None, false),
        ]
    );
    assert_eq!(
        store.outcome_counts(at).await.unwrap(),
        [OutcomeCount {
            provider: Provider::Sandbox,
            status: Failed,
            reason: Some("not_same_person".into()),
            count: 1,
        }]
    );
    assert!(store
        .outcome_counts(at + Duration::seconds(2))
        .await
        .unwrap()
        .is_empty());

    let ops = |mut counts: OpsCounts| {
        counts
            .sessions
            .sort_by_key(|(p, s, _)| (p.as_str(), s.as_str()));
        counts
    };
    let expected = |webhook_backlog, webhook_given_up| OpsCounts {
        sessions: vec![
            (Provider::BaiduH5, Pending, 1),
            (Provider::Sandbox, Failed, 1),
            (Provider::Sandbox, Pending, 2),
        ],
        webhook_backlog,
        webhook_given_up,
        oldest_due_at: Some(at + Duration::seconds(60)),
    };
    let stale_after = Duration::seconds(60);
    let counts = store.ops_counts(stale_after).await.unwrap();
    assert_eq!(ops(counts), expected(1, 0));
    store
        .event_failed("evt_ver_2", at, None, "gave up")
        .await
        .unwrap();
    let counts = store.ops_counts(stale_after).await.unwrap();
    assert_eq!(ops(counts), expected(0, 1));
}

/// An alert fires once per episode and resolves once; each transition is leased for delivery,
/// delivered, retried, or superseded by a newer one; firing alerts list first.
async fn alerts(store: &dyn Store) {
    let at = t0();
    let s = Duration::seconds;
    let reading = |provider: Provider, value, sample| AlertReading {
        key: format!("failure_rate.{provider}"),
        rule: "failure_rate".into(),
        provider,
        value,
        threshold: 0.2,
        sample,
    };
    let sandbox = reading(Provider::Sandbox, 0.5, 10);
    let fired = AlertRecord {
        key: sandbox.key.clone(),
        rule: "failure_rate".into(),
        provider: Provider::Sandbox,
        status: AlertStatus::Firing,
        episode: 1,
        value: 0.5,
        threshold: 0.2,
        sample: 10,
        fired_at: at,
        resolved_at: None,
        notify_pending: true,
        notify_attempts: 0,
        last_error: None,
        updated_at: at,
    };
    assert_eq!(
        store.alert_fire(&sandbox, true, at).await.unwrap(),
        Some(fired.clone())
    );
    assert_eq!(
        store.alert_fire(&sandbox, true, at + s(1)).await.unwrap(),
        None
    );
    assert_eq!(store.alerts().await.unwrap(), std::slice::from_ref(&fired));

    let claim = |now: OffsetDateTime| async move {
        store
            .claim_alert_notifications(now, now + s(30), 10)
            .await
            .unwrap()
    };
    let leased = AlertRecord {
        notify_attempts: 1,
        ..fired.clone()
    };
    assert_eq!(claim(at).await, [leased]);
    assert!(claim(at + s(1)).await.is_empty(), "still leased");
    store
        .alert_notified(&sandbox.key, 1, AlertStatus::Firing)
        .await
        .unwrap();
    assert!(claim(at + s(31)).await.is_empty(), "delivered");

    let calmer = reading(Provider::Sandbox, 0.1, 20);
    let resolved = AlertRecord {
        status: AlertStatus::Resolved,
        value: 0.1,
        sample: 20,
        resolved_at: Some(at + s(60)),
        notify_pending: true,
        notify_attempts: 0,
        updated_at: at + s(60),
        ..fired.clone()
    };
    assert_eq!(
        store
            .alert_resolve(&calmer, true, at + s(60))
            .await
            .unwrap(),
        Some(resolved.clone())
    );
    assert_eq!(
        store
            .alert_resolve(&calmer, true, at + s(61))
            .await
            .unwrap(),
        None
    );
    // A late acknowledgement of the firing: the resolution stays pending, due at once.
    store
        .alert_notified(&sandbox.key, 1, AlertStatus::Firing)
        .await
        .unwrap();
    let first_try = AlertRecord {
        notify_attempts: 1,
        ..resolved.clone()
    };
    assert_eq!(claim(at + s(61)).await, [first_try]);
    store
        .alert_notify_failed(&sandbox.key, at + s(120), "HTTP 500")
        .await
        .unwrap();
    assert!(claim(at + s(100)).await.is_empty(), "retried later");
    let second_try = AlertRecord {
        notify_attempts: 2,
        last_error: Some("HTTP 500".into()),
        ..resolved
    };
    assert_eq!(claim(at + s(120)).await, [second_try]);

    let again = store
        .alert_fire(&sandbox, false, at + s(200))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.episode, again.status), (2, AlertStatus::Firing));
    assert_eq!((again.resolved_at, again.last_error), (None, None));
    assert!(!again.notify_pending);
    let baidu = reading(Provider::BaiduH5, 0.9, 5);
    store.alert_fire(&baidu, false, at + s(300)).await.unwrap();
    let keys =
        |alerts: Vec<AlertRecord>| -> Vec<String> { alerts.into_iter().map(|a| a.key).collect() };
    let (baidu_key, sandbox_key) = (baidu.key.clone(), sandbox.key.clone());
    assert_eq!(
        keys(store.alerts().await.unwrap()),
        [baidu_key.clone(), sandbox_key.clone()]
    );
    store
        .alert_resolve(&calmer, false, at + s(400))
        .await
        .unwrap();
    assert_eq!(
        keys(store.alerts().await.unwrap()),
        [baidu_key, sandbox_key],
        "firing first, then the most recently changed"
    );
}

/// Runs one scenario on a fresh PostgreSQL database and on SQLite.
macro_rules! on_both_stores {
    ($($test:ident => $scenario:ident,)+) => {$(
        #[tokio::test]
        async fn $test() {
            let (_dir, lite) = sqlite().await;
            $scenario(lite.as_ref()).await;
            let Some(db) = fresh_database(stringify!($test)).await else { return };
            let pg = store::connect(&db.url).await.unwrap();
            $scenario(pg.as_ref()).await;
        }
    )+};
}

on_both_stores! {
    round_trip_on_both => round_trip,
    duplicates_on_both => duplicates,
    listing_on_both => listing,
    reconcile_work_on_both => reconcile_work,
    reconcile_claims_on_both => reconcile_claims,
    token_refresh_leases_on_both => token_refresh_leases,
    outbox_on_both => outbox,
    vendor_tokens_on_both => vendor_tokens,
    keys_and_limits_on_both => keys_and_limits,
    ended_admin_sessions_are_kept_until_their_cookie_expires_on_both => admin_logouts,
    privacy_on_both => privacy,
    admin_counts_on_both => admin_counts,
    alerts_on_both => alerts,
}

/// Three replicas migrate one empty database at once (sqlx's advisory lock), then again as
/// no-ops; `postgresql://` picks the same store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_migrate_one_database_together() {
    let Some(db) = fresh_database("replicas_migrate_one_database_together").await else {
        return;
    };
    let connects = (0..3).map(|_| {
        let url = db.url.clone();
        tokio::spawn(async move { store::connect(&url).await.map(|_| ()) })
    });
    for connect in connects.collect::<Vec<_>>() {
        connect.await.unwrap().unwrap();
    }
    let alias = db.url.replacen("postgres://", "postgresql://", 1);
    let again = store::connect(&alias).await.unwrap();
    again.insert(&record("ver_x", t0()), None).await.unwrap();
    let mut admin = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let (migrations,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut admin)
            .await
            .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .count();
    assert_eq!(migrations, i64::try_from(files).unwrap());
    admin.close().await.unwrap();
}

/// Two replicas (two pools) claiming the same backlog at the same time: every event leased
/// exactly once, none left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claims_lease_each_event_once() {
    let Some(db) = fresh_database("concurrent_claims_lease_each_event_once").await else {
        return;
    };
    let first = store::connect(&db.url).await.unwrap();
    let second = store::connect(&db.url).await.unwrap();
    let at = t0();
    for n in 0..200 {
        finished(first.as_ref(), &format!("ver_{n:03}"), at).await;
    }
    let now = at + Duration::seconds(1);
    let claimer = |store: Arc<dyn Store>| {
        tokio::spawn(async move {
            let mut leased = Vec::new();
            loop {
                let batch = store
                    .claim_events(now, now + Duration::seconds(30), 7)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return leased;
                }
                leased.extend(batch.into_iter().map(|d| (d.event.id, d.attempts)));
            }
        })
    };
    let (a, b) = (claimer(first.clone()), claimer(second));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    assert!(
        a.iter().chain(&b).all(|(_, attempts)| *attempts == 1),
        "an event was leased twice"
    );
    let mut all: Vec<_> = a.iter().chain(&b).map(|(id, _)| id.clone()).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 200);
    assert_eq!(a.len() + b.len(), 200);
}

/// Two replicas (two pools) creating for one reference and one person at the same moment:
/// each cap admits exactly its number, whichever replica asks, and the refusal names the
/// counted session that leaves the window first.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn caps_hold_across_replicas_under_concurrent_creations() {
    let Some(db) = fresh_database("caps_hold_across_replicas_under_concurrent_creations").await
    else {
        return;
    };
    let replicas = [
        store::connect(&db.url).await.unwrap(),
        store::connect(&db.url).await.unwrap(),
    ];
    let at = t0();
    // Each round's rows carry its own person's digest, so the rounds do not count each other.
    for (name, person, caps) in [
        (
            "reference",
            5u8,
            store::Caps {
                since: at - Duration::days(1),
                reference: Some(3),
                subject: None,
            },
        ),
        (
            "subject",
            7u8,
            store::Caps {
                since: at - Duration::days(1),
                reference: None,
                subject: Some((vec![vec![7; 32], vec![8; 32]], 3)),
            },
        ),
    ] {
        let digest = SubjectDigest {
            key_id: "k1".into(),
            digest: vec![person; 32],
        };
        let tasks: Vec<_> = (0..24)
            .map(|n| {
                let store = replicas[n % 2].clone();
                let caps = caps.clone();
                let digest = digest.clone();
                let mut row = record(
                    &format!("{name}_{n:02}"),
                    at + Duration::milliseconds(n as i64),
                );
                row.reference = Some(format!("order-{name}"));
                tokio::spawn(async move { store.insert_capped(&row, Some(&digest), &caps).await })
            })
            .collect();
        let mut admitted = 0;
        for task in tasks {
            match task.await.unwrap().unwrap() {
                None => admitted += 1,
                Some(
                    store::CapReached::Reference { oldest } | store::CapReached::Subject { oldest },
                ) => {
                    assert!(
                        oldest >= at && oldest < at + Duration::seconds(1),
                        "{name}: {oldest}"
                    );
                }
            }
        }
        assert_eq!(admitted, 3, "{name}: the cap admits exactly 3");
    }
}

/// Creations' writes sent at once are committed several to a transaction (the store's group
/// commit); within a batch, a repeated Idempotency-Key, a vendor handle another session holds
/// and a row that moved on answer exactly as they do alone, and the other writes still land.
async fn group_commits(store: Arc<dyn Store>) {
    let at = t0();
    let mut inserting = tokio::task::JoinSet::new();
    for n in 0..150usize {
        let store = store.clone();
        let mut r = record(&format!("ver_g{n:03}"), at);
        // Sessions 0 and 1, 10 and 11, ... share an Idempotency-Key.
        let key = if n % 10 == 1 { n - 1 } else { n };
        r.idempotency_key = Some(format!("group-{key}"));
        inserting.spawn(async move { (n, store.insert(&r, None).await) });
    }
    let mut inserted = std::collections::BTreeMap::new();
    while let Some(done) = inserting.join_next().await {
        let (n, outcome) = done.unwrap();
        inserted.insert(n, outcome);
    }
    let mut created = Vec::new();
    for n in 0..150usize {
        let id = format!("ver_g{n:03}");
        if n % 10 == 0 {
            let pair = [&inserted[&n], &inserted[&(n + 1)]];
            let won = pair.iter().filter(|o| o.is_ok()).count();
            let lost = pair
                .iter()
                .filter(|o| matches!(o, Err(StoreError::Duplicate("idempotency_key"))))
                .count();
            assert_eq!((won, lost), (1, 1), "key group-{n}: {pair:?}");
        } else if n % 10 != 1 {
            assert!(inserted[&n].is_ok(), "{id}: {:?}", inserted[&n]);
        }
        let stored = store.get(&id).await.unwrap();
        assert_eq!(stored.is_some(), inserted[&n].is_ok(), "{id}");
        if stored.is_some() {
            created.push(id);
        }
    }
    assert_eq!(created.len(), 135);

    let start = |vendor_ref: String| Start {
        vendor_ref,
        next_action: NextAction::Redirect {
            url: "https://vendor.example/page".into(),
        },
        expires_at: at + Duration::minutes(5),
        vendor_state: Some(serde_json::json!({"n": 1})),
    };
    let mut starting = tokio::task::JoinSet::new();
    for (index, id) in created.iter().enumerate() {
        let store = store.clone();
        let id = id.clone();
        // The first two ask for one handle; the third names a version the row is not at.
        let handle = if index < 2 {
            "shared".to_owned()
        } else {
            format!("handle-{index}")
        };
        let expected = if index == 2 { 5 } else { 0 };
        let start = start(handle);
        starting.spawn(async move {
            let outcome = store.record_start(&id, expected, &start, at).await;
            (index, outcome)
        });
    }
    let mut recorded = std::collections::BTreeMap::new();
    while let Some(done) = starting.join_next().await {
        let (index, outcome) = done.unwrap();
        recorded.insert(index, outcome);
    }
    let shared: Vec<_> = [&recorded[&0], &recorded[&1]].into_iter().collect();
    assert_eq!(
        shared.iter().filter(|o| matches!(o, Ok(true))).count(),
        1,
        "{shared:?}"
    );
    assert_eq!(
        shared
            .iter()
            .filter(|o| matches!(o, Err(StoreError::Duplicate("vendor_ref"))))
            .count(),
        1,
        "{shared:?}"
    );
    assert!(matches!(recorded[&2], Ok(false)), "{:?}", recorded[&2]);
    for (index, id) in created.iter().enumerate() {
        let row = store.get(id).await.unwrap().unwrap();
        let took = matches!(recorded[&index], Ok(true));
        if index >= 3 {
            assert!(took, "{id}: {:?}", recorded[&index]);
            assert_eq!(
                row.vendor_ref.as_deref(),
                Some(format!("handle-{index}").as_str())
            );
            assert_eq!(row.vendor_state, Some(serde_json::json!({"n": 1})));
            assert_eq!(row.expires_at, at + Duration::minutes(5));
        }
        assert_eq!(row.version, i64::from(took), "{id}");
        assert_eq!(row.vendor_ref.is_some(), took, "{id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_commits_answer_each_write_as_alone_on_both() {
    let (_dir, lite) = sqlite().await;
    group_commits(lite).await;
    let Some(db) = fresh_database("group_commits_answer_each_write_as_alone_on_both").await else {
        return;
    };
    group_commits(store::connect(&db.url).await.unwrap()).await;
}
