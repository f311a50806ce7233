//! faceid_lite end to end on the simulator: get_biz_token -> the Lite page -> the notify and
//! the return -> get_result, for every documented result_code.

use facegate_tests::{query_param, TestApp};
use facegate_vendors::faceid_lite::RESULT_CODES;
use reqwest::StatusCode;
use serde_json::json;

async fn faceid_app() -> TestApp {
    TestApp::spawn_with(&[("sandbox_vendors", "true")]).await
}

#[tokio::test]
async fn every_documented_result_code_reaches_its_verdict() {
    let app = faceid_app().await;
    for (code, message, reason) in RESULT_CODES.iter().filter(|(code, _, _)| *code != "9000") {
        let session = app
            .create_session_with(
                json!({"provider": "faceid_lite", "options": {"security_level": 3}}),
            )
            .await;
        let id = session["id"].as_str().unwrap();
        let page = session["next_action"]["url"].as_str().unwrap();
        assert!(page.contains("/sandbox/faceid/h5/lite/v1/do/"), "{page}");
        let back = app
            .complete_sandbox_page(&session, &format!("{code}:{message}"))
            .await;
        assert!(
            query_param(&back, "biz_token").is_some(),
            "FaceID appends biz_token"
        );
        let landing = app.follow_return(&back).await;
        let confirmed = app.get_session(id).await;
        let result = &confirmed["result"];
        assert_eq!(
            result["vendor_code"], *code,
            "{code} {message}: {confirmed}"
        );
        assert_eq!(result["confirmed_by"], "vendor_query");
        match reason {
            None => {
                assert_eq!(confirmed["status"], "verified", "{confirmed}");
                // security_level 3 selects the 1e-5 threshold, kept beside the confidence.
                assert!(result["scores"]["threshold"].is_number(), "{result}");
                assert!(result["scores"]["similarity"].is_number(), "{result}");
            }
            Some(reason) => {
                assert_eq!(confirmed["status"], "failed", "{code} {message}");
                assert_eq!(result["reason"], reason.as_str(), "{code} {message}");
            }
        }
        assert_eq!(
            query_param(&landing, "status").unwrap(),
            confirmed["status"].as_str().unwrap()
        );
    }
}

#[tokio::test]
async fn a_user_who_has_not_started_stays_pending() {
    let app = faceid_app().await;
    let session = app
        .create_session_with(json!({"provider": "faceid_lite"}))
        .await;
    let id = session["id"].as_str().unwrap();
    // The user goes back without doing the face check: get_result answers 9000.
    let back = app.url(&format!("/v1/return/{id}"));
    let landing = app.follow_return(&back).await;
    assert_eq!(query_param(&landing, "status").as_deref(), Some("pending"));
    assert_eq!(app.get_session(id).await["status"], "pending");
}

#[tokio::test]
async fn ocr_and_reference_modes_reach_the_vendor_and_bad_options_name_their_field() {
    let app = faceid_app().await;
    let ocr = app
        .create_session_with(json!({"provider": "faceid_lite", "subject": null,
            "options": {"idcard_side": 1, "idcard_retry_time": 2}}))
        .await;
    assert_eq!(ocr["status"], "pending");
    // A 1x1 PNG.
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    let reference = app
        .create_session_with(json!({"provider": "faceid_lite", "reference_image": png,
            "options": {"uuid": "user-42"}}))
        .await;
    let back = app.complete_sandbox_page(&reference, "1000:SUCCESS").await;
    app.follow_return(&back).await;
    let id = reference["id"].as_str().unwrap();
    assert_eq!(app.get_session(id).await["status"], "verified");

    for (options, field) in [
        (json!({"security_level": 4}), "options.security_level"),
        (
            json!({"liveness_retry_count": 9}),
            "options.liveness_retry_count",
        ),
        (json!({"comparison": "reference"}), "reference_image"),
    ] {
        let (status, error) = app
            .try_create(
                json!({"provider": "faceid_lite", "return_url": "https://shop.example/r",
                "subject": {"name": "张三", "id_number": facegate_tests::ID_NUMBER},
                "options": options}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(error["error"]["field"], field, "{error}");
    }
}

#[tokio::test]
async fn the_notify_is_a_hint_that_confirms_with_get_result() {
    let app = faceid_app().await;
    let session = app
        .create_session_with(json!({"provider": "faceid_lite"}))
        .await;
    let id = session["id"].as_str().unwrap();
    app.complete_sandbox_page(&session, "4100:FAIL_LIVING_FACE_ATTACK")
        .await;
    // The browser never comes back: the notify (or the reconciler) confirms.
    let failed = app.wait_for_status(id, "failed").await;
    assert_eq!(failed["result"]["reason"], "liveness_failed");

    // A forged notify for an unknown token changes nothing and leaks nothing.
    let forged = app
        .http
        .post(app.url("/v1/callbacks/faceid_lite"))
        .form(&[(
            "data",
            r#"{"biz_token":"forged","error_code":"1000","error_msg":"SUCCESS"}"#,
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::OK);
    let garbage = app
        .http
        .post(app.url("/v1/callbacks/faceid_lite"))
        .body("nonsense")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::BAD_REQUEST);
}
