//! Vendor callbacks are hints: a forged notify for a live session, a replayed one for a final
//! session and an oversized body change nothing. The verdict only ever comes from the vendor's
//! own query (FaceID Lite's get_result here), and each final state has one event.

use std::time::Duration;

use facegate_tests::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn faceid_app() -> TestApp {
    TestApp::spawn_with(&[("sandbox_vendors", "true")]).await
}

fn biz_token(session: &Value) -> String {
    let page = session["next_action"]["url"].as_str().unwrap();
    let token = page.rsplit('/').next().unwrap().to_owned();
    assert!(token.len() >= 16 && !token.contains(['?', '#']), "{page}");
    token
}

/// A pending FaceID Lite session: its JSON, id and biz_token.
async fn faceid_session(app: &TestApp) -> (Value, String, String) {
    let session = app
        .create_session_with(json!({"provider": "faceid_lite"}))
        .await;
    let id = session["id"].as_str().unwrap().to_owned();
    let token = biz_token(&session);
    (session, id, token)
}

async fn notify(app: &TestApp, biz_token: &str, code: u32, message: &str) -> StatusCode {
    let data = json!({"biz_token": biz_token, "result_code": code, "result_message": message,
        "error_code": code.to_string(), "error_msg": message});
    app.http
        .post(app.url("/v1/callbacks/faceid_lite"))
        .form(&[("data", data.to_string())])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_forged_pass_for_a_live_session_is_not_believed() {
    let app = faceid_app().await;
    let (session, id, token) = faceid_session(&app).await;
    let id = id.as_str();

    // The attacker knows the biz_token (it is in the page URL) and claims a pass.
    assert_eq!(notify(&app, &token, 1000, "SUCCESS").await, StatusCode::OK);
    // The notify makes facegate ask get_result, and the reconciler asks too: give both time.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let still = app.get_session(id).await;
    assert_eq!(still["status"], "pending", "{still}");
    assert!(still["result"].is_null(), "{still}");
    assert!(app.state_events(id).await.is_empty());

    // The real outcome still decides.
    app.complete_sandbox_page(&session, "4100:FAIL_LIVING_FACE_ATTACK")
        .await;
    let failed = app.wait_for_status(id, "failed").await;
    assert_eq!(failed["result"]["reason"], "liveness_failed");
}

#[tokio::test]
async fn a_replayed_or_contrary_notify_after_the_verdict_changes_nothing() {
    let app = faceid_app().await;
    let (session, id, token) = faceid_session(&app).await;
    let id = id.as_str();
    app.complete_sandbox_page(&session, "1000:SUCCESS").await;
    let verified = app.wait_for_status(id, "verified").await;
    let events = app.state_events(id).await;
    assert_eq!(events.len(), 1, "one event for the final state");

    for (code, message) in [
        (1000, "SUCCESS"),
        (4100, "FAIL_LIVING_FACE_ATTACK"),
        (1000, "SUCCESS"),
    ] {
        assert_eq!(notify(&app, &token, code, message).await, StatusCode::OK);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = app.get_session(id).await;
    assert_eq!(after, verified, "a final session never changes");
    let again = app.state_events(id).await;
    assert_eq!(
        again.iter().map(|e| &e.id).collect::<Vec<_>>(),
        events.iter().map(|e| &e.id).collect::<Vec<_>>(),
        "no second event"
    );
}

#[tokio::test]
async fn an_oversized_callback_body_is_refused_before_it_is_read() {
    let app = faceid_app().await;
    let (_, id, token) = faceid_session(&app).await;
    let id = id.as_str();
    let padding = "x".repeat(facegate_server::api::callbacks::MAX_CALLBACK_BYTES + 1);
    let data = json!({"biz_token": token, "result_code": 1000, "pad": padding});
    let status = app
        .http
        .post(app.url("/v1/callbacks/faceid_lite"))
        .form(&[("data", data.to_string())])
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.get_session(id).await["status"], "pending");
}
