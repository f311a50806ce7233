//! `/metrics` after a few journeys: every value read back matches what happened. Its own test
//! binary (not a module of `journeys`), so the process-wide recorder holds this app's calls only.

use std::collections::HashMap;
use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::post;
use facegate_sandbox::vendors::faceid_lite::BIZ_NO_INTERNAL_ERROR;
use facegate_tests::{TestApp, API_KEY};
use serde_json::json;

const METRICS_KEY: &str = "metrics-key-0123456789";

/// A webhook receiver that always fails, so every final status stays in the backlog.
async fn failing_receiver() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let app =
        axum::Router::new().route("/hooks", post(|| async { StatusCode::SERVICE_UNAVAILABLE }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// Prometheus text -> (name{labels sorted}) -> value. Checks every sample line's shape.
fn parse(text: &str) -> HashMap<String, f64> {
    let mut samples = HashMap::new();
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("`series value`");
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("a number: {line}"));
        let key = match series.split_once('{') {
            None => series.to_owned(),
            Some((name, labels)) => {
                let labels = labels.strip_suffix('}').expect("labels close");
                let mut pairs: Vec<&str> = labels.split(',').filter(|p| !p.is_empty()).collect();
                for pair in &pairs {
                    let (_, quoted) = pair.split_once('=').expect("label=value");
                    assert!(quoted.starts_with('"') && quoted.ends_with('"'), "{line}");
                }
                pairs.sort_unstable();
                format!("{name}{{{}}}", pairs.join(","))
            }
        };
        samples.insert(key, value);
    }
    samples
}

fn value(samples: &HashMap<String, f64>, key: &str) -> f64 {
    *samples
        .get(key)
        .unwrap_or_else(|| panic!("{key} is not in the scrape"))
}

#[tokio::test]
async fn the_scrape_counts_sessions_backlog_lag_vendor_calls_errors_and_charges() {
    let hooks = failing_receiver().await;
    let app = TestApp::spawn_with(&[
        ("sandbox_vendors", "true"),
        ("webhook_url", hooks.as_str()),
        ("webhook_secret", "whsec_metrics"),
        ("metrics_key", METRICS_KEY),
        // The reconciler stays away, so the overdue session below stays overdue.
        ("reconcile_interval_ms", "3600000"),
    ])
    .await;

    // sandbox: two passes, one failure, one canceled, one left to expire unseen.
    for outcome in ["pass", "pass", "not_same_person"] {
        let session = app.create_session().await;
        let back = app.complete_sandbox_page(&session, outcome).await;
        app.follow_return(&back).await;
    }
    let canceled = app.create_session().await;
    let response = app
        .http
        .post(app.url(&format!(
            "/v1/verifications/{}/cancel",
            canceled["id"].as_str().unwrap()
        )))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let overdue = app
        .create_session_with(json!({"options": {"ttl_seconds": 1}}))
        .await;
    assert_eq!(overdue["status"], "pending");

    // baidu_h5: one pass; getall reports its charges.
    let baidu = app
        .create_session_with(json!({"provider": "baidu_h5"}))
        .await;
    let back = app.complete_sandbox_page(&baidu, "pass").await;
    app.follow_return(&back).await;
    let baidu_id = baidu["id"].as_str().unwrap();
    assert_eq!(app.get_session(baidu_id).await["status"], "verified");

    // faceid_lite: the vendor answers 500 to get_biz_token; nothing is stored.
    let (status, _) = app
        .try_create(
            json!({"provider": "faceid_lite", "reference": BIZ_NO_INTERNAL_ERROR,
            "subject": {"name": facegate_tests::NAME, "id_number": facegate_tests::ID_NUMBER},
            "return_url": format!("{}/done", facegate_tests::MERCHANT)}),
        )
        .await;
    assert!(status.is_server_error(), "{status}");

    // baidu_h5 again: Baidu answers result/detail with error 18 (paid interfaces not opened)
    // inside a 200: the session stays pending, the refusal is counted.
    let limited = app
        .create_session_with(json!({"provider": "baidu_h5"}))
        .await;
    let back = app.complete_sandbox_page(&limited, "openapi_limit").await;
    app.follow_return(&back).await;

    // The overdue session has been due for at least a second.
    tokio::time::sleep(Duration::from_millis(2200)).await;

    let unauthorized = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = unauthorized.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");

    // The charges the merchant can read from Baidu itself (getall) for that session.
    let getall: serde_json::Value = app
        .http
        .get(app.url(&format!("/v1/verifications/{baidu_id}/baidu_h5/getall")))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let response = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth(METRICS_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    let samples = parse(&text);

    let sessions = |provider: &str, status: &str| {
        value(
            &samples,
            &format!("facegate_sessions{{provider=\"{provider}\",status=\"{status}\"}}"),
        )
    };
    assert_eq!(sessions("sandbox", "verified"), 2.0, "{text}");
    assert_eq!(sessions("sandbox", "failed"), 1.0);
    assert_eq!(sessions("sandbox", "canceled"), 1.0);
    assert_eq!(sessions("sandbox", "pending"), 1.0);
    assert_eq!(sessions("sandbox", "expired"), 0.0);
    assert_eq!(sessions("baidu_h5", "verified"), 1.0);
    assert_eq!(sessions("baidu_h5", "pending"), 1.0);
    assert_eq!(sessions("faceid_lite", "pending"), 0.0);
    assert_eq!(sessions("wechat_mini", "verified"), 0.0);

    // Five final statuses, none delivered (the receiver always fails), none given up yet.
    assert_eq!(value(&samples, "facegate_webhook_backlog"), 5.0);
    assert_eq!(value(&samples, "facegate_webhook_given_up"), 0.0);
    // Every breaker is published, closed here: the series exists before any opening.
    for provider in [
        "sandbox",
        "baidu_h5",
        "faceid_lite",
        "oemcloud",
        "wechat_mini",
    ] {
        let key = format!("facegate_vendor_circuit_open{{provider=\"{provider}\"}}");
        assert_eq!(value(&samples, &key), 0.0, "{key}");
    }

    let lag = value(&samples, "facegate_reconciler_lag_seconds");
    assert!((1.0..30.0).contains(&lag), "lag {lag}");

    // Vendor calls: one sandbox create per sandbox session; Baidu's token, generate, submit.
    let calls = |vendor: &str, call: &str| {
        value(
            &samples,
            &format!(
                "facegate_vendor_call_duration_seconds_count{{call=\"{call}\",vendor=\"{vendor}\"}}"
            ),
        )
    };
    assert_eq!(calls("sandbox", "create_session"), 5.0);
    assert_eq!(calls("baidu_h5", "token"), 1.0);
    assert_eq!(calls("baidu_h5", "verifyToken/generate"), 2.0);
    assert_eq!(calls("baidu_h5", "idcard/submit"), 2.0);
    assert!(calls("baidu_h5", "result/detail") >= 1.0);
    // The histogram has buckets, and its +Inf bucket is its count.
    assert_eq!(
        value(
            &samples,
            "facegate_vendor_call_duration_seconds_bucket{call=\"create_session\",le=\"+Inf\",vendor=\"sandbox\"}"
        ),
        5.0
    );

    // The failed faceid_lite create: every get_biz_token call was a 5xx.
    let biz_token_calls = calls("faceid_lite", "get_biz_token");
    assert!(biz_token_calls >= 1.0);
    assert_eq!(
        value(
            &samples,
            "facegate_vendor_call_errors_total{call=\"get_biz_token\",kind=\"http_5xx\",vendor=\"faceid_lite\"}"
        ),
        biz_token_calls
    );
    assert!(!samples
        .keys()
        .any(|key| key.starts_with("facegate_vendor_call_errors_total")
            && key.contains("vendor=\"sandbox\"")));

    // Refusals the vendors reported: the faceid_lite 500 at start, Baidu's 18 on observe
    // (in a 200 answer, so no HTTP error for it).
    assert_eq!(
        value(
            &samples,
            "facegate_vendor_errors_total{kind=\"unavailable\",operation=\"start\",vendor=\"faceid_lite\"}"
        ),
        1.0
    );
    let baidu_observe_errors: f64 = samples
        .iter()
        .filter(|(key, _)| {
            key.starts_with("facegate_vendor_errors_total{")
                && key.contains("operation=\"observe\"")
                && key.contains("vendor=\"baidu_h5\"")
        })
        .map(|(_, value)| value)
        .sum();
    assert!(baidu_observe_errors >= 1.0, "{text}");
    assert!(!samples
        .keys()
        .any(|key| key.starts_with("facegate_vendor_call_errors_total")
            && key.contains("vendor=\"baidu_h5\"")));

    // Charges: what getall says for the one Baidu session, counted once at confirmation.
    for (charge, field) in [
        ("verify", "verify_charge_count"),
        ("ocr", "ocr_charge_count"),
        ("match", "match_charge_count"),
    ] {
        let reported = getall[field].as_f64().unwrap();
        let key =
            format!("facegate_vendor_charges_total{{charge=\"{charge}\",vendor=\"baidu_h5\"}}");
        assert_eq!(
            samples.get(&key).copied().unwrap_or(0.0),
            reported,
            "{charge}: {getall}"
        );
    }
    assert_eq!(getall["verify_charge_count"], 1, "{getall}");
}
