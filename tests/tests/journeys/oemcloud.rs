//! oemcloud end to end on the simulator: the face call -> the e-sign page -> the signed notify
//! (the only server-side signal: results say `confirmed_by: notify`) and the return, which
//! brings the user back but decides nothing.

use facegate_tests::{query_param, TestApp};
use reqwest::StatusCode;
use serde_json::json;

async fn oemcloud_app() -> TestApp {
    TestApp::spawn_with(&[("sandbox_vendors", "true")]).await
}

#[tokio::test]
async fn every_page_outcome_arrives_by_the_signed_notify() {
    let app = oemcloud_app().await;
    for (outcome, status, reason) in [
        ("pass", "verified", None),
        ("not_same", "failed", Some("not_same_person")),
        ("liveness", "failed", Some("liveness_failed")),
        ("cancel", "failed", Some("user_canceled")),
    ] {
        let session = app
            .create_session_with(json!({"provider": "oemcloud"}))
            .await;
        let id = session["id"].as_str().unwrap();
        assert_eq!(session["next_action"]["type"], "redirect");
        let back = app.complete_sandbox_page(&session, outcome).await;
        assert_eq!(back.path(), format!("/v1/return/{id}"));
        let confirmed = app.wait_for_status(id, status).await;
        let landing = app.follow_return(&back).await;
        assert_eq!(query_param(&landing, "status").as_deref(), Some(status));
        assert_eq!(confirmed["result"]["confirmed_by"], "notify", "{outcome}");
        if let Some(reason) = reason {
            assert_eq!(confirmed["result"]["reason"], reason, "{outcome}");
        }
    }
}

#[tokio::test]
async fn the_browser_return_alone_decides_nothing() {
    let app = oemcloud_app().await;
    let session = app
        .create_session_with(json!({"provider": "oemcloud"}))
        .await;
    let id = session["id"].as_str().unwrap();
    // A forged return claiming success, with no notify behind it.
    let forged = app.url(&format!(
        "/v1/return/{id}?flowId=x&contextId=order-1&passed=true"
    ));
    let landing = app.follow_return(&forged).await;
    assert_eq!(query_param(&landing, "status").as_deref(), Some("pending"));
    // An unsigned notify is refused.
    let unsigned = app
        .http
        .post(app.url("/v1/callbacks/oemcloud"))
        .json(&json!({"flowId": "x", "success": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.get_session(id).await["status"], "pending");
}

#[tokio::test]
async fn web_views_get_the_long_link_and_wechat_face_its_token() {
    let app = oemcloud_app().await;
    let alipay = app
        .create_session_with(json!({"provider": "oemcloud",
            "options": {"faceauth_mode": "ZHIMACREDIT", "web_view": true}}))
        .await;
    assert_eq!(alipay["next_action"]["type"], "web_view");
    let wechat = app
        .create_session_with(json!({"provider": "oemcloud",
            "options": {"faceauth_mode": "WE_CHAT_FACE"}}))
        .await;
    assert_eq!(wechat["next_action"]["type"], "web_view");
    assert!(wechat["next_action"]["face_token"].is_string());
}

#[tokio::test]
async fn children_and_bad_modes_are_refused_before_a_vendor_call() {
    let app = oemcloud_app().await;
    // Born 2020-01-01, check digit per GB 11643.
    let body = "11010120200101001";
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(weights)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
    let child = format!("{body}{check}");
    for (overrides, status, field) in [
        // The person, not the input: a typed refusal with its reason (issue 11).
        (
            json!({"subject": {"name": "张小", "id_number": child}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "subject.id_number",
        ),
        (
            json!({"options": {"faceauth_mode": "FACE"}}),
            StatusCode::BAD_REQUEST,
            "options.faceauth_mode",
        ),
        (json!({"subject": null}), StatusCode::BAD_REQUEST, "subject"),
    ] {
        let mut body = json!({"provider": "oemcloud", "return_url": "https://shop.example/r",
            "subject": {"name": "张三", "id_number": facegate_tests::ID_NUMBER}});
        for (key, value) in overrides.as_object().unwrap() {
            body[key] = value.clone();
        }
        let (got, error) = app.try_create(body).await;
        assert_eq!(got, status, "{error}");
        assert_eq!(error["error"]["field"], field, "{error}");
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            assert_eq!(error["error"]["reason"], "underage", "{error}");
        }
    }
}
