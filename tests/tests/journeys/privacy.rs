//! Personal data over its whole life: found by person through a keyed hash (never the
//! plaintext), vendor images kept only when asked and then sealed and deleted on time, and
//! sessions redacted by the merchant or by the retention job, in the view and in webhooks.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode as AxumStatus;
use axum::routing::post;
use base64::Engine;
use facegate_server::workers::retention::{sweep, Policy};
use facegate_tests::{TestApp, API_KEY, ID_NUMBER, NAME};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A second valid ID number (the GB 11643 check digit computed here).
fn other_id_number() -> String {
    let body = "32010219850612123";
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

async fn post_json(app: &TestApp, path: &str, body: Value) -> (StatusCode, String) {
    let response = app
        .http
        .post(app.url(path))
        .bearer_auth(API_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn post_empty(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let response = app
        .http
        .post(app.url(path))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

async fn media(app: &TestApp, id: &str) -> Vec<Value> {
    let response = app
        .http
        .get(app.url(&format!("/v1/verifications/{id}/media")))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["data"].as_array().unwrap().clone()
}

/// A sandbox session taken to `outcome` and confirmed through the return.
async fn finished_session(app: &TestApp, overrides: Value, outcome: &str) -> String {
    let session = app.create_session_with(overrides).await;
    let back = app.complete_sandbox_page(&session, outcome).await;
    app.follow_return(&back).await;
    session["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_merchant_finds_a_persons_sessions_by_id_number_masked() {
    let app = TestApp::spawn().await;
    let first = app.create_session().await;
    let second = app.create_session().await;
    let other = other_id_number();
    let stranger = app
        .create_session_with(json!({"subject": {"name": "李四", "id_number": other}}))
        .await;

    // Spaces around it normalise as the create does.
    let (status, text) = post_json(
        &app,
        "/v1/verifications/search",
        json!({"id_number": format!(" {ID_NUMBER} ")}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(!text.contains(ID_NUMBER), "the answer is masked: {text}");
    let found: Value = serde_json::from_str(&text).unwrap();
    let ids: Vec<&str> = found["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            second["id"].as_str().unwrap(),
            first["id"].as_str().unwrap()
        ]
    );
    assert_eq!(
        found["data"][0]["subject"]["id_number"],
        "110***********4514"
    );

    let (_, text) = post_json(
        &app,
        "/v1/verifications/search",
        json!({"id_number": other}),
    )
    .await;
    let found: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(found["data"][0]["id"], stranger["id"]);
    assert_eq!(found["data"].as_array().unwrap().len(), 1);

    let (_, text) = post_json(
        &app,
        "/v1/verifications/search",
        json!({"id_number": ID_NUMBER, "limit": 1}),
    )
    .await;
    let found: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    assert_eq!(found["has_more"], true);

    // Bad input names its field; the key is required.
    let (status, text) = post_json(
        &app,
        "/v1/verifications/search",
        json!({"id_number": "110101199003074515"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["error"]["field"], "id_number");
    assert!(!text.contains("110101199003074515"), "{text}");
    let (status, text) = post_json(&app, "/v1/verifications/search", json!({"name": NAME})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    let anonymous = app
        .http
        .post(app.url("/v1/verifications/search"))
        .json(&json!({"id_number": ID_NUMBER}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // The lookup column holds a keyed hash: no plaintext ID number under the data directory.
    for (path, bytes) in app.data_files() {
        assert!(
            !contains(&bytes, ID_NUMBER.as_bytes()),
            "{}",
            path.display()
        );
        assert!(!contains(&bytes, other.as_bytes()), "{}", path.display());
    }
}

#[tokio::test]
async fn the_per_person_daily_cap_refuses_with_retry_after() {
    let app = TestApp::spawn_with(&[("subject_daily_cap", "2")]).await;
    app.create_session_with(json!({"reference": "a"})).await;
    app.create_session_with(json!({"reference": "b"})).await;
    let response = app
        .http
        .post(app.url("/v1/verifications"))
        .bearer_auth(API_KEY)
        .json(&json!({
            "provider": "sandbox", "reference": "c",
            "subject": {"name": NAME, "id_number": ID_NUMBER},
            "return_url": "https://shop.example/done",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((86_000..=86_400).contains(&retry_after), "{retry_after}");
    // Another person is not affected.
    app.create_session_with(json!({"subject": {"name": "李四", "id_number": other_id_number()}}))
        .await;
}

#[tokio::test]
async fn vendor_images_are_not_kept_by_default() {
    let app = TestApp::spawn_with(&[("sandbox_vendors", "true")]).await;
    let id = finished_session(&app, json!({"provider": "faceid_lite"}), "1000:SUCCESS").await;
    assert_eq!(app.get_session(&id).await["status"], "verified");
    assert!(media(&app, &id).await.is_empty());
    assert!(app.store().await.media_for(&id).await.unwrap().is_empty());
    // The sandbox's best frame reads "sandbox best" (c2FuZGJveCBiZXN0 in base64).
    for (path, bytes) in app.data_files() {
        assert!(!contains(&bytes, b"sandbox best"), "{}", path.display());
        assert!(!contains(&bytes, b"c2FuZGJveCBiZXN0"), "{}", path.display());
    }
}

#[tokio::test]
async fn kept_images_are_sealed_served_and_deleted_after_their_retention() {
    let app =
        TestApp::spawn_with(&[("sandbox_vendors", "true"), ("media_retention_days", "7")]).await;
    let id = finished_session(&app, json!({"provider": "faceid_lite"}), "1000:SUCCESS").await;
    let items = media(&app, &id).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["kind"], "image_best");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(items[0]["data"].as_str().unwrap())
        .unwrap();
    assert_eq!(bytes, b"sandbox best");

    // At rest: sealed, not the bytes and not the vendor's base64.
    let store = app.store().await;
    let stored = store.media_for(&id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].sealed.starts_with(b"fg1"));
    for (path, bytes) in app.data_files() {
        assert!(!contains(&bytes, b"sandbox best"), "{}", path.display());
        assert!(!contains(&bytes, b"c2FuZGJveCBiZXN0"), "{}", path.display());
    }

    // The retention job, run at chosen dates: kept for 7 days, then gone.
    let policy = Policy {
        media_retention_days: 7,
        retention_days: 0,
    };
    let now = time::OffsetDateTime::now_utc();
    let swept = sweep(store.as_ref(), policy, now + time::Duration::days(6))
        .await
        .unwrap();
    assert_eq!(swept.media_deleted, 0);
    assert_eq!(media(&app, &id).await.len(), 1);
    let swept = sweep(store.as_ref(), policy, now + time::Duration::days(8))
        .await
        .unwrap();
    assert_eq!(swept.media_deleted, 1);
    assert!(media(&app, &id).await.is_empty());
    // The session itself is untouched by media retention.
    assert_eq!(app.get_session(&id).await["status"], "verified");
}

#[derive(Clone, Default)]
struct Receiver {
    bodies: Arc<Mutex<Vec<Value>>>,
}

async fn spawn_receiver(receiver: Receiver) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/hooks",
        post(move |body: String| {
            let receiver = receiver.clone();
            async move {
                receiver
                    .bodies
                    .lock()
                    .unwrap()
                    .push(serde_json::from_str(&body).unwrap());
                AxumStatus::OK
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn wait_for_event(receiver: &Receiver, kind: &str) -> Value {
    for _ in 0..100 {
        if let Some(event) = receiver
            .bodies
            .lock()
            .unwrap()
            .iter()
            .find(|event| event["type"] == kind)
        {
            return event.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {kind} event was delivered");
}

#[tokio::test]
async fn the_merchant_redacts_a_final_session_now() {
    let receiver = Receiver::default();
    let url = spawn_receiver(receiver.clone()).await;
    let app = TestApp::spawn_with(&[
        ("sandbox_vendors", "true"),
        ("media_retention_days", "7"),
        ("webhook_url", url.as_str()),
        ("webhook_secret", "whsec_privacy_journey"),
        ("webhook_interval_ms", "50"),
    ])
    .await;

    // A pending session cannot be redacted: 409 naming its status, nothing changes.
    let pending = app.create_session().await;
    let pending_id = pending["id"].as_str().unwrap();
    let (status, body) = post_empty(&app, &format!("/v1/verifications/{pending_id}/redact")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("pending"),
        "{body}"
    );
    let unchanged = app.get_session(pending_id).await;
    assert_eq!(unchanged["subject"]["name"], "张*");
    assert!(unchanged.get("redacted_at").is_none());

    let id = finished_session(&app, json!({"provider": "faceid_lite"}), "1000:SUCCESS").await;
    let verified = wait_for_event(&receiver, "verification.verified").await;
    assert_eq!(
        verified["data"]["subject"]["id_number"],
        "110***********4514"
    );
    assert_eq!(media(&app, &id).await.len(), 1);

    let (status, redacted) = post_empty(&app, &format!("/v1/verifications/{id}/redact")).await;
    assert_eq!(status, StatusCode::OK, "{redacted}");
    assert_eq!(redacted["status"], "verified", "the verdict stays");
    assert_eq!(redacted["subject"]["name"], "[redacted]");
    assert_eq!(redacted["subject"]["id_number"], "[redacted]");
    assert!(redacted["redacted_at"].is_string());

    // The view, the media, the search, the webhooks: the personal data is gone everywhere.
    let view = app.get_session(&id).await;
    assert_eq!(view["subject"], redacted["subject"]);
    assert_eq!(view["redacted_at"], redacted["redacted_at"]);
    assert!(media(&app, &id).await.is_empty());
    let (_, text) = post_json(
        &app,
        "/v1/verifications/search",
        json!({"id_number": ID_NUMBER}),
    )
    .await;
    let found: Value = serde_json::from_str(&text).unwrap();
    assert!(found["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|session| session["id"] != id.as_str()));
    let event = wait_for_event(&receiver, "verification.redacted").await;
    assert_eq!(event["data"]["id"], id.as_str());
    assert_eq!(event["data"]["subject"]["name"], "[redacted]");
    assert_eq!(event["data"]["redacted_at"], redacted["redacted_at"]);
    for stored in app.state_events(&id).await {
        assert!(!stored.payload.contains("张*"), "{}", stored.payload);
        assert!(!stored.payload.contains("110***"), "{}", stored.payload);
    }

    // Again is a no-op with the same answer; an unknown id is 404.
    let (status, again) = post_empty(&app, &format!("/v1/verifications/{id}/redact")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["redacted_at"], redacted["redacted_at"]);
    assert_eq!(
        app.state_events(&id).await.len(),
        2,
        "one verified, one redacted"
    );
    let (status, _) = post_empty(&app, "/v1/verifications/vs_nope/redact").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_retention_job_redacts_final_sessions_past_retention_only() {
    let app = TestApp::spawn().await;
    let done = finished_session(&app, json!({}), "pass").await;
    let pending = app.create_session().await;
    let pending_id = pending["id"].as_str().unwrap();
    let store = app.store().await;
    let policy = Policy {
        media_retention_days: 0,
        retention_days: 30,
    };
    let now = time::OffsetDateTime::now_utc();

    let swept = sweep(store.as_ref(), policy, now + time::Duration::days(29))
        .await
        .unwrap();
    assert_eq!(swept.redacted, 0);
    assert_eq!(app.get_session(&done).await["subject"]["name"], "张*");

    let swept = sweep(store.as_ref(), policy, now + time::Duration::days(31))
        .await
        .unwrap();
    assert_eq!(swept.redacted, 1, "the final one only");
    let view = app.get_session(&done).await;
    assert_eq!(view["status"], "verified");
    assert_eq!(view["subject"]["id_number"], "[redacted]");
    assert!(view["redacted_at"].is_string());
    let record = store.get(&done).await.unwrap().unwrap();
    let subject = record.subject.unwrap();
    assert!(
        subject.name.is_empty() && subject.id_number.is_empty(),
        "ciphertexts dropped"
    );
    let kinds: Vec<String> = app
        .state_events(&done)
        .await
        .into_iter()
        .map(|event| event.kind)
        .collect();
    assert!(
        kinds.contains(&"verification.redacted".to_owned()),
        "{kinds:?}"
    );

    // The pending one keeps its data (it is not final), and the job is idempotent.
    assert_eq!(app.get_session(pending_id).await["subject"]["name"], "张*");
    let swept = sweep(store.as_ref(), policy, now + time::Duration::days(31))
        .await
        .unwrap();
    assert_eq!(swept.redacted, 0);

    // retention_days 0: the job never redacts.
    let off = Policy {
        media_retention_days: 0,
        retention_days: 0,
    };
    let other = finished_session(&app, json!({}), "pass").await;
    sweep(store.as_ref(), off, now + time::Duration::days(3650))
        .await
        .unwrap();
    assert_eq!(app.get_session(&other).await["subject"]["name"], "张*");
}
