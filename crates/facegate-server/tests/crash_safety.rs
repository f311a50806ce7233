//! Crash safety of the real binary: `facegate serve` on SQLite, with a webhook receiver and
//! the sandbox vendor on their own ports, runs a load of creations, sandbox completions
//! (whose notifies reach facegate) and webhook deliveries; the test SIGKILLs it mid-load,
//! starts it again on the same data directory and port, and then shows:
//!
//! - every session acknowledged to a client (200 to its create) is present and reaches the
//!   final state its sandbox user chose (notifies lost while the server was down are made
//!   good by the reconciler);
//! - every final state produced exactly one webhook event id: the receiver may see an id more
//!   than once (at least once), but never two ids for one session, and the outbox holds one.
//!
//! The group-commit case runs the same story with many more clients, so that creations' writes
//! are committed several to a transaction (the store's group commit; `/metrics` shows it before
//! the kill): a batch open when the process dies holds no acknowledged session.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::routing::post;
use serde_json::{json, Value};
use tokio::process::{Child, Command};

const BINARY: &str = env!("CARGO_BIN_EXE_facegate");
const API_KEY: &str = "crash-test-key-0123456789";
const MERCHANT: &str = "https://shop.example";
const WORKERS: usize = 12;
/// Clients of the group-commit case: enough that writes queue behind each commit.
const GROUP_WORKERS: usize = 64;

/// What the webhook receiver saw: (event id, verification id, event type), in order.
type Seen = Arc<Mutex<Vec<(String, String, String)>>>;

async fn spawn_receiver(seen: Seen) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/hooks",
        post(move |body: String| {
            let seen = seen.clone();
            async move {
                let event: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                seen.lock().unwrap().push((
                    event["id"].as_str().unwrap_or_default().to_owned(),
                    event["data"]["id"].as_str().unwrap_or_default().to_owned(),
                    event["type"].as_str().unwrap_or_default().to_owned(),
                ));
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_server(port: u16, data_dir: &Path, sandbox: &url::Url, webhook_url: &str) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(data_dir.join("server.log"))
        .unwrap();
    let mut command = Command::new(BINARY);
    command
        .arg("serve")
        .current_dir(data_dir)
        .env("FACEGATE_CONFIG", data_dir.join("absent.toml"))
        .env("FACEGATE_ADDR", format!("127.0.0.1:{port}"))
        .env("FACEGATE_DATA_DIR", data_dir.join("data"))
        .env("FACEGATE_DEV", "false")
        .env("FACEGATE_API_KEYS", API_KEY)
        .env("FACEGATE_RETURN_URL_ALLOWLIST", MERCHANT)
        .env("FACEGATE_SANDBOX_API_BASE", sandbox.as_str())
        .env(
            "FACEGATE_PII_KEY",
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        )
        .env("FACEGATE_WEBHOOK_URL", webhook_url)
        .env("FACEGATE_WEBHOOK_SECRET", "whsec_crash_test")
        .env("FACEGATE_WEBHOOK_INTERVAL_MS", "50")
        // Events claimed by the killed process are claimed again once their lease runs out.
        .env("FACEGATE_WEBHOOK_LEASE_MS", "2000")
        .env("FACEGATE_RECONCILE_INTERVAL_MS", "150")
        .env("FACEGATE_RECONCILE_STALE_AFTER_MS", "1000")
        .env("FACEGATE_REFRESH_INTERVAL_MS", "0")
        .env("FACEGATE_CREATE_PER_MINUTE_PER_KEY", "0")
        .env("FACEGATE_CREATE_PER_MINUTE_PER_IP", "0")
        .env("FACEGATE_REFERENCE_DAILY_CAP", "0")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .kill_on_drop(true);
    let child = command.spawn().expect("the facegate binary starts");
    let http = reqwest::Client::new();
    let health = format!("http://127.0.0.1:{port}/healthz");
    for _ in 0..200 {
        if let Ok(response) = http.get(&health).send().await {
            if response.status().is_success() {
                return child;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "facegate did not become healthy: {}",
        std::fs::read_to_string(data_dir.join("server.log")).unwrap_or_default()
    );
}

fn outcome(index: usize) -> &'static str {
    if index % 3 == 0 {
        "not_same_person"
    } else {
        "pass"
    }
}

fn final_status(outcome: &str) -> &'static str {
    if outcome == "pass" {
        "verified"
    } else {
        "failed"
    }
}

/// A sandbox session's state as the test knows it.
#[derive(Clone, Debug)]
struct Acknowledged {
    page_url: String,
    outcome: &'static str,
    completed: bool,
}

struct Load {
    http: reqwest::Client,
    base: String,
    acknowledged: Mutex<HashMap<String, Acknowledged>>,
    next: std::sync::atomic::AtomicUsize,
    stop: std::sync::atomic::AtomicBool,
}

/// The sandbox user submits `outcome` on the page; true if the sandbox took it.
async fn submit_page(http: &reqwest::Client, page_url: &str, outcome: &str) -> Option<String> {
    let response = http
        .post(page_url)
        .form(&[("outcome", outcome)])
        .send()
        .await
        .ok()?;
    if response.status() != reqwest::StatusCode::SEE_OTHER {
        return None;
    }
    response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

async fn worker(load: Arc<Load>) {
    use std::sync::atomic::Ordering;
    while !load.stop.load(Ordering::SeqCst) {
        let index = load.next.fetch_add(1, Ordering::SeqCst);
        let created = load
            .http
            .post(format!("{}/v1/verifications", load.base))
            .bearer_auth(API_KEY)
            .header("Idempotency-Key", format!("crash-{index}"))
            .json(&json!({
                "provider": "sandbox",
                "reference": format!("order-{index}"),
                "subject": {"name": "张三", "id_number": "110101199003074514"},
                "return_url": format!("{MERCHANT}/done"),
            }))
            .send()
            .await;
        let Ok(response) = created else {
            // The server is down: wait for the test to notice.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        if response.status() != reqwest::StatusCode::OK {
            continue;
        }
        let Ok(session) = response.json::<Value>().await else {
            continue;
        };
        // The 200 and its body arrived: this session is acknowledged.
        let id = session["id"].as_str().unwrap().to_owned();
        let page_url = session["next_action"]["url"].as_str().unwrap().to_owned();
        let outcome = outcome(index);
        load.acknowledged.lock().unwrap().insert(
            id.clone(),
            Acknowledged {
                page_url: page_url.clone(),
                outcome,
                completed: false,
            },
        );
        // A tenth of the users wander off before finishing; they finish after the restart.
        if index % 10 == 7 {
            continue;
        }
        if let Some(back) = submit_page(&load.http, &page_url, outcome).await {
            if let Some(entry) = load.acknowledged.lock().unwrap().get_mut(&id) {
                entry.completed = true;
            }
            if index % 2 == 0 {
                let _ = load.http.get(back).send().await;
            }
        }
    }
}

async fn list_all(http: &reqwest::Client, base: &str) -> HashMap<String, Value> {
    let mut sessions = HashMap::new();
    let mut after: Option<String> = None;
    loop {
        let mut url = format!("{base}/v1/verifications?limit=100");
        if let Some(id) = &after {
            url.push_str(&format!("&starting_after={id}"));
        }
        let page: Value = http
            .get(&url)
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let data = page["data"].as_array().unwrap();
        for session in data {
            sessions.insert(session["id"].as_str().unwrap().to_owned(), session.clone());
        }
        if page["has_more"] != true || data.is_empty() {
            return sessions;
        }
        after = data
            .last()
            .and_then(|s| s["id"].as_str())
            .map(str::to_owned);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkill_mid_load_loses_no_acknowledged_session_and_no_event() {
    sigkill_mid_load(WORKERS, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkill_amid_group_commits_loses_no_acknowledged_session_and_no_event() {
    sigkill_mid_load(GROUP_WORKERS, true).await;
}

/// Reads one counter from `/metrics` (0 when absent).
async fn counter(http: &reqwest::Client, base: &str, name: &str) -> f64 {
    let text = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0.0)
}

/// The story of the module comment with `clients` creating at once; with `group_commits`, it
/// also shows that writes were committed several to a transaction before the kill.
async fn sigkill_mid_load(clients: usize, group_commits: bool) {
    use std::sync::atomic::Ordering;
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = facegate_sandbox::spawn_on_loopback().await.unwrap();
    let seen: Seen = Arc::default();
    let webhook_url = spawn_receiver(seen.clone()).await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start_server(port, dir.path(), &sandbox.base, &webhook_url).await;

    let load = Arc::new(Load {
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
        base: base.clone(),
        acknowledged: Mutex::default(),
        next: Default::default(),
        stop: Default::default(),
    });
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..clients {
        workers.spawn(worker(load.clone()));
    }
    // Mid-load: sessions are being created and completed, and webhooks are flowing.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let acknowledged = load.acknowledged.lock().unwrap().len();
        let delivered = seen.lock().unwrap().len();
        if acknowledged >= 150 && delivered >= 30 {
            break;
        }
        assert!(Instant::now() < deadline, "the load never got going");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if group_commits {
        let commits = counter(&load.http, &base, "facegate_store_group_commits_total").await;
        let writes = counter(
            &load.http,
            &base,
            "facegate_store_group_commit_writes_total",
        )
        .await;
        assert!(
            commits >= 1.0 && writes >= 2.0 * commits,
            "no creation writes were committed together: {commits} group commits, {writes} writes"
        );
        eprintln!("group commits before the kill: {commits}, holding {writes} writes");
    }
    server.start_kill().expect("SIGKILL");
    server.wait().await.unwrap();
    let acknowledged_at_kill = load.acknowledged.lock().unwrap().len();
    let delivered_at_kill = seen.lock().unwrap().len();
    // The workers run on against the dead server for a moment (their notifies are lost).
    tokio::time::sleep(Duration::from_millis(300)).await;
    load.stop.store(true, Ordering::SeqCst);
    while workers.join_next().await.is_some() {}

    let _server = start_server(port, dir.path(), &sandbox.base, &webhook_url).await;
    let acknowledged = load.acknowledged.lock().unwrap().clone();
    // The users who had not finished finish now.
    for entry in acknowledged.values().filter(|entry| !entry.completed) {
        assert!(
            submit_page(&load.http, &entry.page_url, entry.outcome)
                .await
                .is_some(),
            "an acknowledged session's page is gone"
        );
    }

    // Every acknowledged session is present and reaches its true final state.
    let deadline = Instant::now() + Duration::from_secs(30);
    let stored = loop {
        let stored = list_all(&load.http, &base).await;
        let open = acknowledged
            .keys()
            .filter(|id| {
                stored
                    .get(*id)
                    .is_none_or(|s| s["status"] == "pending" || s["status"] == "processing")
            })
            .count();
        if open == 0 {
            break stored;
        }
        assert!(
            Instant::now() < deadline,
            "{open} acknowledged sessions not final 30 s after the restart"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    for (id, entry) in &acknowledged {
        let session = stored.get(id).expect("an acknowledged session is present");
        assert_eq!(session["status"], final_status(entry.outcome), "{id}");
    }

    // Every final state produced one event id, delivered at least once.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let delivered: HashSet<String> = seen
            .lock()
            .unwrap()
            .iter()
            .map(|(_, id, _)| id.clone())
            .collect();
        let missing = acknowledged
            .keys()
            .filter(|id| !delivered.contains(*id))
            .count();
        if missing == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{missing} final sessions have no webhook 20 s after the restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let seen = seen.lock().unwrap().clone();
    let mut ids_by_session: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (event_id, verification_id, kind) in &seen {
        assert!(!event_id.is_empty() && !verification_id.is_empty());
        ids_by_session
            .entry(verification_id)
            .or_default()
            .insert(event_id);
        if let Some(session) = stored.get(verification_id) {
            assert_eq!(
                kind,
                &format!("verification.{}", session["status"].as_str().unwrap())
            );
        }
    }
    for (verification_id, event_ids) in &ids_by_session {
        assert_eq!(
            event_ids.len(),
            1,
            "{verification_id} produced several event ids: {event_ids:?}"
        );
    }
    let store = facegate_server::store::connect(&format!(
        "sqlite://{}",
        dir.path().join("data").join("facegate.db").display()
    ))
    .await
    .unwrap();
    for id in acknowledged.keys() {
        let events = store.events_for(id).await.unwrap();
        assert_eq!(events.len(), 1, "{id}: {} outbox events", events.len());
    }
    let duplicates = seen.len() - ids_by_session.values().map(HashSet::len).sum::<usize>();
    eprintln!(
        "crash safety: {} acknowledged ({acknowledged_at_kill} at the kill, {delivered_at_kill} \
         webhooks by then), {} deliveries, {duplicates} duplicate deliveries, {:?}",
        acknowledged.len(),
        seen.len(),
        started.elapsed()
    );
}
