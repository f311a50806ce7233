//! Vendor calls under failure, over real HTTP with the sandbox's fault injection: a create is
//! never retried (it may bill), a result query is retried with backoff and waits out a 429's
//! Retry-After, and a vendor that keeps failing opens its circuit breaker: creates answer 503
//! `vendor_circuit_open` without calling it, the reconciler stops calling it, and one probe
//! after the open period closes it again.

use std::time::{Duration, Instant};

use facegate_tests::{TestApp, API_KEY};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn set_faults(app: &TestApp, spec: Value) {
    let response = app
        .http
        .post(app.sandbox.url("_faults"))
        .json(&spec)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

async fn clear_faults(app: &TestApp) {
    let response = app
        .http
        .delete(app.sandbox.url("_faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

async fn fault_report(app: &TestApp) -> Value {
    app.http
        .get(app.sandbox.url("_faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn create_body() -> Value {
    json!({
        "provider": "sandbox",
        "reference": "order-1",
        "return_url": "https://shop.example/done",
    })
}

#[tokio::test]
async fn a_create_that_fails_at_the_vendor_is_not_retried() {
    let app = TestApp::spawn().await;
    set_faults(
        &app,
        json!({"rate": 1.0, "kinds": ["500"], "limit": 1, "prefixes": ["/api/v1/sessions"]}),
    )
    .await;
    let (status, body) = app.try_create(create_body()).await;
    assert!(status.is_server_error(), "{status} {body}");
    assert_eq!(body["error"]["code"], "vendor_unavailable");
    let report = fault_report(&app).await;
    assert_eq!(report["seen"], 1, "one vendor call, no retry: {report}");
    // Nothing half-made is left behind, and the next create goes through.
    let (_, page) = app.list("limit=10").await;
    assert_eq!(page["data"].as_array().unwrap().len(), 0);
    let (status, _) = app.try_create(create_body()).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_result_query_is_retried_and_honours_retry_after() {
    let app = TestApp::spawn().await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap();
    // Only the result queries (GET /api/v1/sessions/{token}) fail, twice, with 429.
    set_faults(
        &app,
        json!({"rate": 1.0, "kinds": ["429"], "limit": 2, "retry_after_seconds": 1,
               "prefixes": ["/api/v1/sessions/"]}),
    )
    .await;
    let started = Instant::now();
    // The sandbox notifies facegate, which asks the vendor: 429, 429, then the result.
    app.complete_sandbox_page(&session, "pass").await;
    app.wait_for_status(id, "verified").await;
    // The planned backoff alone is well under a second: the two Retry-Afters made it 2 s.
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "{:?}",
        started.elapsed()
    );
    let report = fault_report(&app).await;
    assert_eq!(report["injected"]["429"], 2, "{report}");
    assert_eq!(report["seen"], 3, "two refusals and one answer: {report}");
}

#[tokio::test]
async fn a_failing_vendor_opens_the_breaker_then_a_probe_closes_it() {
    let app = TestApp::spawn_with(&[
        ("vendor_retries", "0"),
        ("vendor_breaker_failures", "3"),
        ("vendor_breaker_open_ms", "3000"),
        ("reconcile_interval_ms", "100"),
        ("reconcile_stale_after_ms", "100"),
    ])
    .await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap().to_owned();
    // The vendor's result queries start failing: the reconciler's checks fail three times.
    set_faults(
        &app,
        json!({"rate": 1.0, "kinds": ["500"], "prefixes": ["/api/v1/sessions/"]}),
    )
    .await;
    let mut seen = 0;
    for _ in 0..50 {
        seen = fault_report(&app).await["seen"].as_u64().unwrap();
        if seen >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen, 3);

    // Open: a create is refused at once, with a clear code and Retry-After, and no call.
    let response = app
        .http
        .post(app.url("/v1/verifications"))
        .bearer_auth(API_KEY)
        .json(&create_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3).contains(&retry_after), "{retry_after}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "vendor_circuit_open");
    assert_eq!(body["error"]["field"], "provider");
    // And the reconciler, polling every 100 ms, leaves the vendor alone while it is open.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let report = fault_report(&app).await;
    assert_eq!(report["seen"], 3, "calls made while open: {report}");

    // The vendor recovers; after the open period one probe goes through and closes it.
    clear_faults(&app).await;
    app.complete_sandbox_page(&session, "pass").await;
    tokio::time::sleep(Duration::from_millis(2200)).await;
    app.wait_for_status(&id, "verified").await;
    let (status, body) = app.try_create(create_body()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
