//! Nothing lost under vendor faults: a load of sandbox sessions runs through facegate while
//! the sandbox answers a fifth of its API calls with a 500, a 429 (Retry-After), a garbage
//! body or a timeout; then the faults stop, and every session that facegate acknowledged
//! (200 to the create) must end in its true final state: the outcome the sandbox user chose
//! (verified, or failed with that reason), or expired for the sessions nobody finished.
//!
//! Size: `FAULT_SESSIONS` sessions (default 2000, 25-40 s in a debug build on 2 busy cores);
//! `FAULT_SESSIONS=5000 cargo test -p facegate-tests --test fault_injection` for a longer run.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use facegate_tests::{query_param, TestApp, API_KEY, MERCHANT};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

const CONCURRENCY: usize = 24;

/// What the sandbox user does with session `index`, and so the session's true final state.
#[derive(Clone, Copy, Debug)]
enum Truth {
    /// Chooses this outcome on the page (`pass` or a failure reason).
    Completes(&'static str),
    /// Never opens the page; the 2-second token runs out.
    Abandons,
}

fn truth(index: usize) -> Truth {
    match index % 20 {
        0 => Truth::Abandons,
        i if i % 3 == 0 => Truth::Completes("not_same_person"),
        i if i % 7 == 0 => Truth::Completes("liveness_failed"),
        _ => Truth::Completes("pass"),
    }
}

fn expected(truth: Truth) -> (&'static str, Option<&'static str>) {
    match truth {
        Truth::Abandons => ("expired", None),
        Truth::Completes("pass") => ("verified", None),
        Truth::Completes(reason) => ("failed", Some(reason)),
    }
}

/// One sandbox user's journey; the session id if facegate acknowledged the create.
async fn journey(app: &TestApp, index: usize) -> Option<String> {
    let truth = truth(index);
    let mut body = json!({
        "provider": "sandbox",
        "reference": format!("order-{index}"),
        "return_url": format!("{MERCHANT}/done"),
    });
    if matches!(truth, Truth::Abandons) {
        body["options"] = json!({"ttl_seconds": 2});
    }
    let response = app
        .http
        .post(app.url("/v1/verifications"))
        .bearer_auth(API_KEY)
        .json(&body)
        .send()
        .await
        .ok()?;
    let status = response.status();
    let session: Value = response.json().await.ok()?;
    if status != StatusCode::OK {
        // A vendor fault or an open breaker: the merchant was told, nothing was acknowledged.
        assert!(
            status.is_server_error(),
            "a create failed with {status}: {session}"
        );
        return None;
    }
    let id = session["id"].as_str()?.to_owned();
    if let Truth::Completes(outcome) = truth {
        let back = app.complete_sandbox_page(&session, outcome).await;
        assert!(query_param(&back, "token").is_some());
        // Half the browsers come back through facegate's return URL (which asks the vendor,
        // and may meet a fault); the others close the tab, leaving the notify and reconciler.
        if index % 2 == 0 {
            let landed = app.http.get(back).send().await.unwrap();
            assert_eq!(landed.status(), StatusCode::SEE_OTHER);
        }
    }
    Some(id)
}

/// Every session facegate holds, by id, read page by page from the list endpoint.
async fn all_sessions(app: &TestApp) -> HashMap<String, Value> {
    let mut sessions = HashMap::new();
    let mut after: Option<String> = None;
    loop {
        let query = match &after {
            Some(id) => format!("limit=100&starting_after={id}"),
            None => "limit=100".to_owned(),
        };
        let (status, page) = app.list(&query).await;
        assert_eq!(status, StatusCode::OK);
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

async fn open_count(app: &TestApp) -> usize {
    let mut open = 0;
    for status in ["pending", "processing"] {
        let (_, page) = app.list(&format!("status={status}&limit=100")).await;
        open += page["data"].as_array().unwrap().len();
    }
    open
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_session_reaches_its_true_state_despite_vendor_faults() {
    let sessions: usize = std::env::var("FAULT_SESSIONS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(2000);
    let app = Arc::new(
        TestApp::spawn_with(&[
            ("create_per_minute_per_key", "0"),
            ("create_per_minute_per_ip", "0"),
            ("vendor_timeout_ms", "400"),
            ("vendor_retry_min_delay_ms", "20"),
            ("vendor_max_retry_after_ms", "1500"),
            // A fifth of the calls fail: runs of failures happen; a short open period keeps
            // the breaker in the loop without stalling the run.
            ("vendor_breaker_failures", "8"),
            ("vendor_breaker_open_ms", "300"),
            ("reconcile_interval_ms", "150"),
            ("reconcile_stale_after_ms", "1500"),
        ])
        .await,
    );
    let response = app
        .http
        .post(app.sandbox.url("_faults"))
        .json(
            &json!({"rate": 0.2, "kinds": ["500", "429", "garbage", "timeout"],
                      "seed": 20261127, "retry_after_seconds": 1, "timeout_ms": 800}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let started = Instant::now();
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..sessions {
        let permit = permits.clone().acquire_owned().await.unwrap();
        let app = app.clone();
        tasks.spawn(async move {
            let acknowledged = journey(&app, index).await;
            drop(permit);
            acknowledged.map(|id| (id, truth(index)))
        });
    }
    let mut acknowledged = HashMap::new();
    while let Some(joined) = tasks.join_next().await {
        if let Some((id, truth)) = joined.unwrap() {
            acknowledged.insert(id, truth);
        }
    }
    let load_time = started.elapsed();

    let report: Value = app
        .http
        .delete(app.sandbox.url("_faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let injected: u64 = report["injected"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    // The faults really happened, of every kind, and most creates still went through.
    for kind in ["500", "429", "garbage", "timeout"] {
        assert!(
            report["injected"][kind].as_u64().unwrap_or(0) > 0,
            "{report}"
        );
    }
    assert!(
        acknowledged.len() > sessions / 2,
        "{} of {sessions} acknowledged",
        acknowledged.len()
    );

    // Faults off: the reconciler (and nothing else: the list endpoint asks no vendor)
    // brings every open session to its final state.
    let deadline = Instant::now() + Duration::from_secs(25);
    while open_count(&app).await > 0 {
        assert!(
            Instant::now() < deadline,
            "sessions still open 25 s after the faults stopped"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let stored = all_sessions(&app).await;
    let mut wrong = Vec::new();
    for (id, truth) in &acknowledged {
        let Some(session) = stored.get(id) else {
            wrong.push(format!("{id}: acknowledged but missing"));
            continue;
        };
        let (status, reason) = expected(*truth);
        if session["status"] != status || session["result"]["reason"].as_str() != reason {
            wrong.push(format!(
                "{id}: expected {status} {reason:?}, is {} {}",
                session["status"], session["result"]["reason"]
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong: {:#?}",
        wrong.len(),
        &wrong[..wrong.len().min(20)]
    );
    // Nothing that was not acknowledged lingers as a session either.
    assert_eq!(stored.len(), acknowledged.len());
    eprintln!(
        "fault injection: {sessions} sessions, {} acknowledged, {injected} faults injected \
         ({report}), load {load_time:?}, all final after {:?}",
        acknowledged.len(),
        started.elapsed()
    );
}
