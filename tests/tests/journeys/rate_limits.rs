//! Creation costs money at the vendor: per key / per address rates and a per-reference daily
//! cap answer 429 with Retry-After, and a refused create stores nothing.

use facegate_tests::TestApp;
use reqwest::StatusCode;
use serde_json::json;

async fn create(app: &TestApp, reference: &str) -> reqwest::Response {
    app.http
        .post(app.url("/v1/verifications"))
        .bearer_auth(facegate_tests::API_KEY)
        .json(&json!({"provider": "sandbox", "reference": reference,
            "return_url": "https://shop.example/r"}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn creations_over_the_per_key_rate_are_refused_with_retry_after() {
    let app = TestApp::spawn_with(&[("create_per_minute_per_key", "3")]).await;
    for n in 0..3 {
        assert_eq!(
            create(&app, &format!("order-{n}")).await.status(),
            StatusCode::OK
        );
    }
    let refused = create(&app, "order-9").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    let (_, page) = app.list("limit=100").await;
    assert_eq!(page["data"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn one_reference_gets_at_most_the_daily_cap() {
    let app = TestApp::spawn_with(&[("reference_daily_cap", "2")]).await;
    assert_eq!(create(&app, "order-1").await.status(), StatusCode::OK);
    assert_eq!(create(&app, "order-1").await.status(), StatusCode::OK);
    let refused = create(&app, "order-1").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        retry_after > 23 * 3600 && retry_after <= 24 * 3600,
        "{retry_after}"
    );
    assert_eq!(create(&app, "order-2").await.status(), StatusCode::OK);
}

/// Twenty creations for one reference and one person at once: exactly the cap get through,
/// the rest are 429 and stored nothing (the caps are counted in the insert's transaction, not
/// read before it; on PostgreSQL under an advisory lock per reference and per person).
#[tokio::test]
async fn concurrent_creations_cannot_overshoot_the_caps() {
    for (cap_key, body) in [
        (
            "reference_daily_cap",
            json!({"provider": "sandbox", "reference": "order-race",
                "return_url": "https://shop.example/r"}),
        ),
        (
            "subject_daily_cap",
            json!({"provider": "sandbox",
                "subject": {"name": facegate_tests::NAME, "id_number": facegate_tests::ID_NUMBER},
                "return_url": "https://shop.example/r"}),
        ),
    ] {
        let app = TestApp::spawn_with(&[(cap_key, "3")]).await;
        let handles: Vec<_> = (0..20)
            .map(|_| {
                let request = app
                    .http
                    .post(app.url("/v1/verifications"))
                    .bearer_auth(facegate_tests::API_KEY)
                    .json(&body);
                tokio::spawn(async move { request.send().await.unwrap().status() })
            })
            .collect();
        let mut statuses = Vec::new();
        for handle in handles {
            statuses.push(handle.await.unwrap());
        }
        let created = statuses.iter().filter(|s| **s == StatusCode::OK).count();
        let refused = statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!((created, refused), (3, 17), "{cap_key}: {statuses:?}");
        let (_, page) = app.list("limit=100").await;
        assert_eq!(page["data"].as_array().unwrap().len(), 3, "{cap_key}");
    }
}
