//! Three `facegate serve` processes (the real binary) on one fresh PostgreSQL database and one
//! sandbox, as a merchant runs them behind a load balancer. The story, in one test:
//!
//! (a) vendor access tokens are fetched once, not once per replica: the sandbox counts Baidu's
//!     OAuth grants and WeChat's stable_token calls while every replica starts Baidu and WeChat
//!     sessions at the same moment;
//! (b) each webhook event is delivered by one replica at a time: a receiver records which
//!     replica posted which event when, and no two attempts of one event overlap;
//! (c) the reconcilers split their work without asking the vendor twice: the vendor's notify and
//!     the browser's return are lost (the public URL points nowhere), so only the reconcilers
//!     can finish the sessions, and the sandbox counts one result query per session;
//! (d) a replica SIGKILLed while it delivers loses nothing: the events it had leased are
//!     delivered by the others once the lease runs out, and its sessions still become final.
//!
//! Skipped, saying so, only when no PostgreSQL answers (FACEGATE_TEST_DATABASE_URL, else
//! 127.0.0.1:5432 with trust auth; see scripts/postgres.sh).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use facegate_sandbox::counters::{grants, Snapshot};
use facegate_sandbox::vendors::{baidu_h5 as sim_baidu, wechat_mini as sim_wechat};
use serde_json::{json, Value};
use sqlx::Connection;
use url::Url;

mod common;
use common::FreshDatabase;

const API_KEY: &str = "replica-test-key-0123456789";
const MERCHANT: &str = "https://shop.example";
const NAME: &str = "张三";
const ID_NUMBER: &str = "110101199003074514";
const PII_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
const WEBHOOK_SECRET: &str = "whsec_replicas";
/// Short, so that a dead replica's events come back within the test.
const LEASE: Duration = Duration::from_millis(2500);
const STALE_AFTER_MS: &str = "3000";
const REPLICAS: usize = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_share_tokens_split_work_and_survive_a_kill() {
    let Some(admin_url) = postgres().await else {
        eprintln!(
            "skipped replicas_share_tokens_split_work_and_survive_a_kill: no PostgreSQL answers \
             (set FACEGATE_TEST_DATABASE_URL, see scripts/postgres.sh)"
        );
        return;
    };
    let started = Instant::now();
    let database = FreshDatabase::create(&admin_url, "fg_replicas").await;
    let sandbox = facegate_sandbox::spawn_on_loopback().await.unwrap();
    let receiver = Receiver::spawn(started).await;
    let mut replicas = Vec::new();
    for index in 0..REPLICAS {
        replicas.push(Replica::spawn(index, &database.url, &sandbox.base, &receiver).await);
    }
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let counters = || async {
        http.get(sandbox.url("_counters?sessions=true"))
            .send()
            .await
            .unwrap()
            .json::<Snapshot>()
            .await
            .unwrap()
    };

    // (a) Every replica starts Baidu and WeChat sessions at once, with no token stored yet.
    let mut creating = tokio::task::JoinSet::new();
    for replica in &replicas {
        for provider in ["baidu_h5", "wechat_mini"] {
            for n in 0..3 {
                let (http, base) = (http.clone(), replica.base.clone());
                let reference = format!("tokens-{}-{provider}-{n}", replica.name);
                creating.spawn(async move { create(&http, &base, provider, &reference).await });
            }
        }
    }
    while let Some(created) = creating.join_next().await {
        assert_eq!(created.unwrap()["status"], "pending");
    }
    let after_tokens = counters().await;
    assert_eq!(
        after_tokens.grants(grants::BAIDU_OAUTH),
        1,
        "Baidu tokens fetched: {after_tokens:?}"
    );
    assert_eq!(
        after_tokens.grants(grants::WECHAT_STABLE_TOKEN),
        1,
        "WeChat stable tokens fetched: {after_tokens:?}"
    );
    assert_eq!(after_tokens.grants(grants::WECHAT_TOKEN), 0);

    // (c) Sessions on every replica, finished at the vendor at once; nobody tells facegate.
    let phase_c = create_and_finish(&http, &replicas, "phase-c", 60).await;
    wait_until_final(&http, &replicas[1].base, "phase-c", phase_c.len()).await;
    let queried = counters().await;
    for session in &phase_c {
        assert_eq!(
            queried.result_queries.get(&session.token).copied(),
            Some(1),
            "{} was asked about {:?} times",
            session.id,
            queried.result_queries.get(&session.token)
        );
    }
    let statuses = statuses(&http, &replicas[1].base, "phase-c").await;
    for session in &phase_c {
        assert_eq!(statuses[&session.id], session.expected, "{}", session.id);
    }

    // (b) Their 60 events, each delivered once, by one replica at a time.
    receiver
        .wait_for_delivered(phase_c.len(), Duration::from_secs(15))
        .await;

    // (d) Replica r0 stalls in a delivery (its receiver never answers), holding its lease;
    // more sessions finish until it has claimed some; then it is killed mid-flight.
    receiver.stall.store(true, Ordering::SeqCst);
    let mut phase_d = Vec::new();
    let stall_deadline = Instant::now() + Duration::from_secs(20);
    while receiver.stalled_count() == 0 {
        assert!(
            Instant::now() < stall_deadline,
            "replica r0 never claimed an event"
        );
        let batch = phase_d.len() / 6;
        phase_d.extend(create_and_finish(&http, &replicas, &format!("phase-d-{batch}"), 6).await);
        let wait = Instant::now() + Duration::from_secs(4);
        while receiver.stalled_count() == 0 && Instant::now() < wait {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    // Sessions r0 created and that were still pending when it died.
    let mut orphans = Vec::new();
    for n in 0..5 {
        let session = create(&http, &replicas[0].base, "sandbox", &format!("orphan-{n}")).await;
        orphans.push(session);
    }
    let killed_at = started.elapsed();
    replicas[0].kill();
    for (n, session) in orphans.iter().enumerate() {
        let outcome = if n % 2 == 0 {
            "pass"
        } else {
            "not_same_person"
        };
        finish(&http, session, outcome).await;
    }
    let survivors = &replicas[1..];
    for batch in 0..phase_d.len() / 6 {
        wait_until_final(&http, &survivors[0].base, &format!("phase-d-{batch}"), 6).await;
    }
    for n in 0..orphans.len() {
        wait_until_final(&http, &survivors[1].base, &format!("orphan-{n}"), 1).await;
    }
    let expected_events = phase_c.len() + phase_d.len() + orphans.len();
    receiver
        .wait_for_delivered(expected_events, Duration::from_secs(20))
        .await;

    // Every delivery attempt, checked event by event.
    let attempts = receiver.attempts();
    let mut by_event: BTreeMap<&str, Vec<&Attempt>> = BTreeMap::new();
    for attempt in &attempts {
        assert!(
            attempt.signature_ok,
            "bad signature from {}",
            attempt.replica
        );
        by_event.entry(&attempt.event_id).or_default().push(attempt);
    }
    assert_eq!(by_event.len(), expected_events);
    let mut redelivered_after_kill = 0;
    let mut per_replica: BTreeMap<&str, usize> = BTreeMap::new();
    for (event, mut tries) in by_event {
        tries.sort_by_key(|attempt| attempt.start);
        let answered: Vec<_> = tries.iter().filter(|a| a.answered.is_some()).collect();
        assert_eq!(
            answered.len(),
            1,
            "{event} delivered {} times",
            answered.len()
        );
        *per_replica.entry(&answered[0].replica).or_default() += 1;
        for pair in tries.windows(2) {
            let (first, next) = (pair[0], pair[1]);
            // An attempt ends when answered, or, for the killed replica, when it died.
            let first_end = first.answered.unwrap_or(killed_at);
            let lease_ran_out = next.start >= first.start + LEASE - Duration::from_millis(100);
            assert!(
                next.start >= first_end || lease_ran_out,
                "{event}: {} started at {:?} while {}'s attempt from {:?} was in flight",
                next.replica,
                next.start,
                first.replica,
                first.start
            );
            if first.replica == "r0" && first.answered.is_none() {
                assert!(
                    lease_ran_out,
                    "{event} taken over before r0's lease ran out"
                );
                redelivered_after_kill += 1;
            }
        }
    }
    assert!(
        redelivered_after_kill >= 1,
        "no event r0 held was delivered by another replica"
    );
    eprintln!(
        "replicas: {expected_events} events, delivered by {per_replica:?}; {redelivered_after_kill} \
         taken over from the killed replica; {} result queries; {:?} in all",
        counters().await.result_queries_total,
        started.elapsed()
    );
    // Still one token of each, after every replica's reconciler used them.
    let at_end = counters().await;
    assert_eq!(at_end.grants(grants::BAIDU_OAUTH), 1);
    assert_eq!(at_end.grants(grants::WECHAT_STABLE_TOKEN), 1);
    for replica in &mut replicas {
        replica.stop().await;
    }
}

/// The admin URL of a PostgreSQL server that answers, if any.
async fn postgres() -> Option<String> {
    let candidates = match std::env::var("FACEGATE_TEST_DATABASE_URL") {
        Ok(url) => vec![url],
        Err(_) => vec![
            "postgres://postgres@127.0.0.1:5432/postgres".to_owned(),
            "postgres://root@127.0.0.1:5432/postgres".to_owned(),
        ],
    };
    for url in candidates {
        let attempt =
            tokio::time::timeout(Duration::from_secs(3), sqlx::PgConnection::connect(&url)).await;
        if let Ok(Ok(connection)) = attempt {
            let _ = connection.close().await;
            return Some(url);
        }
    }
    None
}

/// One `facegate serve` process.
struct Replica {
    name: String,
    base: Url,
    child: std::process::Child,
    _data_dir: tempfile::TempDir,
}

impl Replica {
    async fn spawn(index: usize, database_url: &str, sandbox: &Url, receiver: &Receiver) -> Self {
        let name = format!("r{index}");
        let data_dir = tempfile::tempdir().unwrap();
        let join = |prefix: &str| {
            sandbox
                .join(&format!("{}/", prefix.trim_start_matches('/')))
                .unwrap()
                .to_string()
        };
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_facegate"));
        command
            .arg("serve")
            .current_dir(data_dir.path())
            .env("FACEGATE_CONFIG", data_dir.path().join("none.toml"))
            .env("FACEGATE_ADDR", "127.0.0.1:0")
            // Nothing listens there: vendor notifies and browser returns are lost.
            .env("FACEGATE_PUBLIC_URL", "http://127.0.0.1:9/")
            .env("FACEGATE_DATABASE_URL", database_url)
            .env("FACEGATE_DATA_DIR", data_dir.path())
            .env("FACEGATE_DEV", "false")
            .env("FACEGATE_API_KEYS", API_KEY)
            .env("FACEGATE_PII_KEY", PII_KEY)
            .env("FACEGATE_RETURN_URL_ALLOWLIST", MERCHANT)
            .env("FACEGATE_SANDBOX", "true")
            .env("FACEGATE_SANDBOX_API_BASE", sandbox.as_str())
            .env("FACEGATE_BAIDU_API_KEY", sim_baidu::API_KEY)
            .env("FACEGATE_BAIDU_SECRET_KEY", sim_baidu::SECRET_KEY)
            .env("FACEGATE_BAIDU_PLAN_ID", sim_baidu::PLAN_ID)
            .env("FACEGATE_BAIDU_AIP_BASE", join(sim_baidu::AIP_PREFIX))
            .env("FACEGATE_BAIDU_H5_BASE", join(sim_baidu::H5_PREFIX))
            .env("FACEGATE_WECHAT_APPID", sim_wechat::APPID)
            .env("FACEGATE_WECHAT_APPSECRET", sim_wechat::APP_SECRET)
            .env("FACEGATE_WECHAT_API_BASE", join(sim_wechat::API_PREFIX))
            .env(
                "FACEGATE_WEBHOOK_URL",
                format!("{}hook/{name}", receiver.base),
            )
            .env("FACEGATE_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .env("FACEGATE_WEBHOOK_LEASE_MS", LEASE.as_millis().to_string())
            // r0 looks for events most often, so it is the one that ends up holding some.
            .env(
                "FACEGATE_WEBHOOK_INTERVAL_MS",
                if index == 0 { "30" } else { "200" },
            )
            .env("FACEGATE_RECONCILE_INTERVAL_MS", "200")
            .env("FACEGATE_RECONCILE_STALE_AFTER_MS", STALE_AFTER_MS)
            .env("FACEGATE_CREATE_PER_MINUTE_PER_KEY", "0")
            .env("FACEGATE_CREATE_PER_MINUTE_PER_IP", "0")
            .env("FACEGATE_REFERENCE_DAILY_CAP", "0")
            .env("RUST_LOG", "warn,facegate_server::providers::tokens=info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().expect("the facegate binary starts");
        let stdout = child.stdout.take().unwrap();
        let (found, listening) = tokio::sync::oneshot::channel::<Url>();
        // Reads the banner, then keeps reading so that the pipe never fills and blocks it.
        std::thread::spawn(move || {
            use std::io::BufRead;
            let mut found = Some(found);
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.strip_prefix("facegate listening on ") {
                    let address = rest.split_whitespace().next().unwrap_or_default();
                    if let (Some(found), Ok(url)) =
                        (found.take(), Url::parse(&format!("{address}/")))
                    {
                        let _ = found.send(url);
                    }
                }
            }
        });
        let base = tokio::time::timeout(Duration::from_secs(30), listening)
            .await
            .unwrap_or_else(|_| panic!("{name} did not start listening within 30 s"))
            .unwrap_or_else(|_| panic!("{name} exited before listening"));
        Self {
            name,
            base,
            child,
            _data_dir: data_dir,
        }
    }

    /// SIGKILL: no graceful shutdown, leases left as they are.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, the graceful shutdown; SIGKILL if it takes over 10 s.
    async fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = std::process::Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        // A failed assertion must not leave servers running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A session as the test tracks it.
struct Tracked {
    id: String,
    /// The sandbox's token, the key of its query counts.
    token: String,
    expected: &'static str,
}

async fn create(http: &reqwest::Client, base: &Url, provider: &str, reference: &str) -> Value {
    let response = http
        .post(base.join("v1/verifications").unwrap())
        .bearer_auth(API_KEY)
        .json(&json!({
            "provider": provider,
            "reference": reference,
            "subject": {"name": NAME, "id_number": ID_NUMBER},
            "return_url": format!("{MERCHANT}/done"),
        }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "create on {base}: {body}");
    body
}

/// The user picks `outcome` on the sandbox page; the redirect back is not followed.
async fn finish(http: &reqwest::Client, session: &Value, outcome: &str) -> String {
    let page = Url::parse(session["next_action"]["url"].as_str().unwrap()).unwrap();
    let token = page
        .path_segments()
        .unwrap()
        .next_back()
        .unwrap()
        .to_owned();
    let submitted = http
        .post(page)
        .form(&[("outcome", outcome)])
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    token
}

/// `count` sandbox sessions, one reference, created round-robin on `replicas` and finished.
async fn create_and_finish(
    http: &reqwest::Client,
    replicas: &[Replica],
    reference: &str,
    count: usize,
) -> Vec<Tracked> {
    let mut tasks = tokio::task::JoinSet::new();
    let targets: Vec<Url> = replicas.iter().map(|r| r.base.clone()).collect();
    for n in 0..count {
        let (http, base, reference) = (
            http.clone(),
            targets[n % targets.len()].clone(),
            reference.to_owned(),
        );
        tasks.spawn(async move {
            let session = create(&http, &base, "sandbox", &reference).await;
            let (outcome, expected) = if n % 5 == 4 {
                ("liveness_failed", "failed")
            } else {
                ("pass", "verified")
            };
            let token = finish(&http, &session, outcome).await;
            Tracked {
                id: session["id"].as_str().unwrap().to_owned(),
                token,
                expected,
            }
        });
    }
    let mut tracked = Vec::new();
    while let Some(done) = tasks.join_next().await {
        tracked.push(done.unwrap());
    }
    tracked
}

/// Statuses by id of the sessions with `reference`, from the list (which asks no vendor).
async fn statuses(http: &reqwest::Client, base: &Url, reference: &str) -> BTreeMap<String, String> {
    let mut url = base.join("v1/verifications").unwrap();
    url.query_pairs_mut()
        .append_pair("reference", reference)
        .append_pair("limit", "100");
    let page: Value = http
        .get(url)
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_owned(),
                s["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn wait_until_final(http: &reqwest::Client, base: &Url, reference: &str, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = statuses(http, base, reference).await;
        let done = now
            .values()
            .filter(|s| matches!(s.as_str(), "verified" | "failed"))
            .count();
        if now.len() == count && done == count {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{reference}: {done} of {count} final after 20 s: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One POST the receiver got.
#[derive(Clone, Debug)]
struct Attempt {
    event_id: String,
    replica: String,
    /// Since the test started.
    start: Duration,
    /// When it was answered 2xx; `None` while stalled.
    answered: Option<Duration>,
    signature_ok: bool,
}

/// The merchant's webhook endpoint: `/hook/{replica}`; answers after 20 ms, or never (while
/// `stall` is set, for r0).
struct Receiver {
    base: Url,
    stall: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Attempt>>>,
}

#[derive(Clone)]
struct ReceiverState {
    started: Instant,
    stall: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Attempt>>>,
}

impl Receiver {
    async fn spawn(started: Instant) -> Self {
        let stall = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let state = ReceiverState {
            started,
            stall: stall.clone(),
            log: log.clone(),
        };
        let app = Router::new()
            .route("/hook/{replica}", post(receive))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, stall, log }
    }

    fn attempts(&self) -> Vec<Attempt> {
        self.log.lock().unwrap().clone()
    }

    /// r0's deliveries left unanswered.
    fn stalled_count(&self) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.replica == "r0" && a.answered.is_none())
            .count()
    }

    async fn wait_for_delivered(&self, events: usize, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let delivered: BTreeSet<String> = self
                .attempts()
                .into_iter()
                .filter(|a| a.answered.is_some())
                .map(|a| a.event_id)
                .collect();
            if delivered.len() >= events {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {events} events delivered",
                delivered.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn receive(
    State(state): State<ReceiverState>,
    Path(replica): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let start = state.started.elapsed();
    let signature_ok = headers
        .get("facegate-signature")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|header| {
            facegate_server::workers::webhooks::verify(
                WEBHOOK_SECRET.as_bytes(),
                header,
                &body,
                time::OffsetDateTime::now_utc(),
                Duration::from_secs(300),
            )
            .is_ok()
        });
    let event_id = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["id"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let index = {
        let mut log = state.log.lock().unwrap();
        log.push(Attempt {
            event_id,
            replica: replica.clone(),
            start,
            answered: None,
            signature_ok,
        });
        log.len() - 1
    };
    if replica == "r0" && state.stall.load(Ordering::SeqCst) {
        // Never answered: r0 is killed while it waits.
        std::future::pending::<()>().await;
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    state.log.lock().unwrap()[index].answered = Some(state.started.elapsed());
    StatusCode::NO_CONTENT
}
