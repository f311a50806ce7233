//! The PostgreSQL store against a real server (FACEGATE_TEST_DATABASE_URL, see
//! scripts/postgres.sh), each test on a fresh database of its own. The behaviour scenarios run on
//! SQLite too, so both implementations of `Store` are held to the same answers.

use std::sync::Arc;

use facegate_server::store::{
    self, Change, ListFilter, OutboxEvent, SealedSubject, SessionRecord, Start, Store, StoreError,
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
    }
}

/// A session that reached a final state, with its outbox event.
async fn finished(store: &dyn Store, id: &str, at: OffsetDateTime) {
    store.insert(&record(id, at), None).await.unwrap();
    let change = Change {
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
    };
    assert!(store.apply(&change).await.unwrap());
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

/// The reconciler sees open sessions past expiry or not checked since `stale_before`, oldest
/// check first, never final ones.
async fn reconcile_work(store: &dyn Store) {
    let at = t0();
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
    finished(store, "ver_final", at).await;

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
