//! wechat_mini end to end on the simulator: getuseridkey -> the mini-program's face check (a
//! sandbox page) -> verify_result handed over by the front end or pushed by WeChat -> getinfo
//! with identify_ret and both MD5s checked against the session's subject.

use facegate_sandbox::vendors::wechat_mini::PUSH_TOKEN;
use facegate_tests::TestApp;
use facegate_vendors::wechat_mini::push_signature;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn wechat_app() -> TestApp {
    TestApp::spawn_with(&[("sandbox_vendors", "true")]).await
}

/// The mini-program's face check on the simulator; returns the page's verifyResult.
async fn face_check(app: &TestApp, user_id_key: &str, outcome: &str, push: bool) -> String {
    let mut url = app.url("/sandbox/wechat/sandbox/verify");
    url.query_pairs_mut()
        .append_pair("user_id_key", user_id_key);
    if push {
        url.query_pairs_mut()
            .append_pair("push_url", app.url("/v1/callbacks/wechat_mini").as_str());
    }
    let page = app.http.get(url.clone()).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let done = app
        .http
        .post(url)
        .form(&[("outcome", outcome)])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let html = done.text().await.unwrap();
    let start = html
        .find("<code id=\"verify_result\">")
        .expect("a verifyResult")
        + 25;
    let end = start + html[start..].find("</code>").unwrap();
    html[start..end].to_owned()
}

async fn hand_over(app: &TestApp, session: &Value, verify_result: &str) -> (StatusCode, Value) {
    let id = session["id"].as_str().unwrap();
    let response = app
        .http
        .post(app.url(&format!("/v1/client/verifications/{id}/wechat_result")))
        .json(&json!({"client_secret": session["client_secret"], "verify_result": verify_result}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_handed_over_verify_result_is_confirmed_with_getinfo() {
    let app = wechat_app().await;
    let cases = [
        ("pass", "verified", None),
        ("identify_failed", "failed", Some("not_same_person")),
        ("tampered", "failed", Some("result_tampered")),
        ("84001", "failed", None),
        ("84002", "failed", None),
        ("84003", "failed", None),
    ];
    for (outcome, status, reason) in cases {
        let session = app
            .create_session_with(json!({"provider": "wechat_mini"}))
            .await;
        assert_eq!(session["next_action"]["type"], "wechat_mini_program");
        let key = session["next_action"]["user_id_key"].as_str().unwrap();
        let verify_result = face_check(&app, key, outcome, false).await;
        let (code, client_view) = hand_over(&app, &session, &verify_result).await;
        assert_eq!(code, StatusCode::OK, "{client_view}");
        assert_eq!(client_view["status"], status, "{outcome}: {client_view}");
        let confirmed = app.get_session(session["id"].as_str().unwrap()).await;
        assert_eq!(confirmed["result"]["confirmed_by"], "vendor_query");
        if let Some(reason) = reason {
            assert_eq!(confirmed["result"]["reason"], reason, "{outcome}");
        }
        if outcome.starts_with("84") {
            assert_eq!(confirmed["result"]["vendor_code"], outcome);
        }
    }
}

#[tokio::test]
async fn a_forged_verify_result_is_not_believed() {
    let app = wechat_app().await;
    let session = app
        .create_session_with(json!({"provider": "wechat_mini"}))
        .await;
    let (code, view) = hand_over(&app, &session, "forged-by-the-browser").await;
    assert_eq!(code, StatusCode::OK);
    assert_ne!(view["status"], "verified");
    // A verify_result of another person's passing check fails on the MD5s.
    let other = app
        .create_session_with(json!({"provider": "wechat_mini",
            "subject": {"name": "李四", "id_number": "11010519491231002X"}}))
        .await;
    let theirs = face_check(
        &app,
        other["next_action"]["user_id_key"].as_str().unwrap(),
        "pass",
        false,
    )
    .await;
    let mine = app
        .create_session_with(json!({"provider": "wechat_mini"}))
        .await;
    let (_, view) = hand_over(&app, &mine, &theirs).await;
    assert_eq!(view["status"], "failed");
    assert_eq!(view["result"]["reason"], "result_tampered");
    // Other providers take no verify_result; a wrong secret is not found.
    let sandbox = app.create_session().await;
    assert_eq!(hand_over(&app, &sandbox, "x").await.0, StatusCode::CONFLICT);
    let mut wrong = mine.clone();
    wrong["client_secret"] = json!("nope");
    assert_eq!(hand_over(&app, &wrong, "x").await.0, StatusCode::NOT_FOUND);
    // getuseridkey needs the subject.
    let (status, error) = app
        .try_create(json!({"provider": "wechat_mini", "return_url": "https://shop.example/r"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["field"], "subject");
}

#[tokio::test]
async fn the_push_confirms_without_the_front_end() {
    let app = wechat_app().await;
    let session = app
        .create_session_with(json!({"provider": "wechat_mini", "reference": "order-push-1"}))
        .await;
    let key = session["next_action"]["user_id_key"].as_str().unwrap();
    face_check(&app, key, "pass", true).await;
    let verified = app
        .wait_for_status(session["id"].as_str().unwrap(), "verified")
        .await;
    assert_eq!(verified["result"]["confirmed_by"], "vendor_query");
}

#[tokio::test]
async fn the_push_url_check_echoes_only_with_a_valid_signature() {
    let app = wechat_app().await;
    let signature = push_signature(PUSH_TOKEN, "1700000000", "nonce-1");
    let good = app
        .http
        .get(app.url(&format!(
            "/v1/callbacks/wechat_mini?signature={signature}&timestamp=1700000000&nonce=nonce-1&echostr=hello-wechat"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), StatusCode::OK);
    assert_eq!(good.text().await.unwrap(), "hello-wechat");
    let bad = app
        .http
        .get(app.url(
            "/v1/callbacks/wechat_mini?signature=0000&timestamp=1700000000&nonce=nonce-1&echostr=x",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let unsigned_push = app
        .http
        .post(app.url("/v1/callbacks/wechat_mini"))
        .body(r#"{"MsgType":"event","Event":"face_identify","out_seq_no":"order-1","verify_result":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned_push.status(), StatusCode::BAD_REQUEST);
}
