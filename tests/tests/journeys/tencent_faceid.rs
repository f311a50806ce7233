//! tencent_faceid end to end on the simulator: DetectAuth (signed) -> the H5 page -> the return
//! -> GetDetectInfoEnhanced (signed), for every documented ErrCode; expiry, abandonment, forged
//! return parameters and a refused signature.

use std::time::Duration;

use facegate_sandbox::vendors::tencent_faceid as sim;
use facegate_tests::{query_param, TestApp};
use facegate_vendors::tencent_faceid::ERR_CODES;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Every vendor on this test's own sandbox, whose clock the test moves.
async fn tencent_app(extra: &[(&str, &str)]) -> TestApp {
    TestApp::spawn_with_vendors_on_sandbox(extra).await
}

async fn create(app: &TestApp) -> Value {
    app.create_session_with(json!({"provider": "tencent_faceid"}))
        .await
}

#[tokio::test]
async fn every_documented_err_code_reaches_its_verdict() {
    let app = tencent_app(&[]).await;
    for (code, message, reason) in ERR_CODES {
        let session = create(&app).await;
        let id = session["id"].as_str().unwrap();
        assert_eq!(session["status"], "pending");
        let page = session["next_action"]["url"].as_str().unwrap();
        assert!(page.contains("/tencent/faceid/h5/auth?token="), "{page}");
        let back = app.complete_sandbox_page(&session, &code.to_string()).await;
        assert_eq!(
            back.path(),
            format!("/v1/return/{id}"),
            "RedirectUrl is facegate's"
        );
        assert!(
            query_param(&back, "token").is_some(),
            "Tencent appends token"
        );
        let landing = app.follow_return(&back).await;
        let confirmed = app.get_session(id).await;
        let result = &confirmed["result"];
        assert_eq!(result["vendor_code"], code.to_string(), "{confirmed}");
        assert_eq!(result["vendor_message"], *message, "{confirmed}");
        assert_eq!(result["confirmed_by"], "vendor_query");
        match reason {
            None => {
                assert_eq!(confirmed["status"], "verified", "{confirmed}");
                assert_eq!(result["scores"]["similarity"], 89.37, "{result}");
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
async fn failure_families_each_have_their_reason() {
    let app = tencent_app(&[]).await;
    for (code, reason) in [
        (2016, "not_same_person"),
        (2006, "identity_mismatch"),
        (1002, "liveness_failed"),
        (1201, "capture_failed"),
        (1001, "vendor_error"),
    ] {
        let session = create(&app).await;
        let id = session["id"].as_str().unwrap();
        let back = app.complete_sandbox_page(&session, &code.to_string()).await;
        app.follow_return(&back).await;
        let failed = app.get_session(id).await;
        assert_eq!(failed["status"], "failed", "{failed}");
        assert_eq!(failed["result"]["reason"], reason, "{code}");
    }
}

#[tokio::test]
async fn a_user_who_comes_back_too_late_expires() {
    let app = tencent_app(&[]).await;
    let session = create(&app).await;
    let id = session["id"].as_str().unwrap();
    // The BizToken lives 7,200 s: past it, the page refuses and the query says BizTokenExpired.
    app.sandbox.clock.advance(Duration::from_secs(7_201));
    let page = app
        .http
        .get(session["next_action"]["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::GONE);
    let landing = app
        .follow_return(&app.url(&format!("/v1/return/{id}")))
        .await;
    assert_eq!(query_param(&landing, "status").as_deref(), Some("expired"));
    let expired = app.get_session(id).await;
    assert_eq!(expired["status"], "expired");
    assert_eq!(expired["result"], Value::Null);
}

#[tokio::test]
async fn the_reconciler_settles_abandoned_and_unreturned_flows() {
    let app = tencent_app(&[("reconcile_stale_after_ms", "100")]).await;
    // One user finishes but never comes back: the reconciler fetches the result at once
    // (Tencent keeps it 3 days only).
    let finished = create(&app).await;
    app.complete_sandbox_page(&finished, "0").await;
    let verified = app
        .wait_for_status(finished["id"].as_str().unwrap(), "verified")
        .await;
    assert_eq!(verified["result"]["vendor_code"], "0");
    // Another opens nothing and leaves: still pending while the BizToken lives, then expired.
    let abandoned = create(&app).await;
    let id = abandoned["id"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, page) = app.list("limit=100").await;
    let pending = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|session| session["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(pending["status"], "pending");
    app.sandbox.clock.advance(Duration::from_secs(7_201));
    let expired = app.wait_for_status(id, "expired").await;
    assert_eq!(expired["result"], Value::Null);
}

#[tokio::test]
async fn the_return_parameters_decide_nothing() {
    let app = tencent_app(&[]).await;
    // Two sessions: one user passes, the other fails.
    let passed = create(&app).await;
    let back = app.complete_sandbox_page(&passed, "0").await;
    let passed_token = query_param(&back, "token").unwrap();
    let failed = create(&app).await;
    let failed_id = failed["id"].as_str().unwrap();
    app.complete_sandbox_page(&failed, "2016").await;
    // The failing user comes back with the passing user's token and a claimed pass.
    let mut forged = app.url(&format!("/v1/return/{failed_id}"));
    forged
        .query_pairs_mut()
        .append_pair("token", &passed_token)
        .append_pair("ErrCode", "0")
        .append_pair("status", "verified");
    let landing = app.follow_return(&forged).await;
    assert_eq!(query_param(&landing, "status").as_deref(), Some("failed"));
    let session = app.get_session(failed_id).await;
    assert_eq!(session["status"], "failed");
    assert_eq!(session["result"]["vendor_code"], "2016");
    // A pending session stays pending whatever its return URL says.
    let pending = create(&app).await;
    let pending_id = pending["id"].as_str().unwrap();
    let mut forged = app.url(&format!("/v1/return/{pending_id}"));
    forged
        .query_pairs_mut()
        .append_pair("token", &passed_token)
        .append_pair("ErrCode", "0");
    let landing = app.follow_return(&forged).await;
    assert_eq!(query_param(&landing, "status").as_deref(), Some("pending"));
    assert_eq!(app.get_session(pending_id).await["status"], "pending");
}

#[tokio::test]
async fn a_bad_signature_is_refused_in_tencents_own_shape() {
    // facegate signing with the wrong SecretKey: the simulator refuses DetectAuth, and the
    // create fails without a session.
    let app = tencent_app(&[("tencent_secret_key", "not-the-secret-key")]).await;
    let (status, error) = app
        .try_create(json!({"provider": "tencent_faceid", "reference": "order-1",
            "subject": {"name": facegate_tests::NAME, "id_number": facegate_tests::ID_NUMBER},
            "return_url": format!("{}/done", facegate_tests::MERCHANT)}))
        .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{error}");
    assert_eq!(
        error["error"]["vendor_code"],
        "AuthFailure.SignatureFailure"
    );
    let (_, page) = app.list("limit=100").await;
    assert!(
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|session| session["status"] != "pending"),
        "{page}"
    );

    // The simulator's answer itself: HTTP 200, Response.Error.Code and a RequestId.
    let answer: Value = app
        .http
        .post(app.sandbox.url(sim::API_PREFIX))
        .header("content-type", "application/json; charset=utf-8")
        .header("x-tc-action", "DetectAuth")
        .header("x-tc-version", sim::VERSION)
        .header(
            "x-tc-timestamp",
            time::OffsetDateTime::now_utc().unix_timestamp().to_string(),
        )
        .header(
            "authorization",
            format!(
                "TC3-HMAC-SHA256 Credential={}/2019-02-25/faceid/tc3_request, SignedHeaders=content-type;host, Signature={}",
                sim::SECRET_ID,
                "0".repeat(64)
            ),
        )
        .body(r#"{"RuleId":"1"}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer["Response"]["Error"]["Code"], "AuthFailure.SignatureFailure",
        "{answer}"
    );
    assert!(answer["Response"]["RequestId"]
        .as_str()
        .is_some_and(|id| !id.is_empty()));
}

#[tokio::test]
async fn a_create_without_a_subject_names_the_field() {
    let app = tencent_app(&[]).await;
    let (status, error) = app
        .try_create(json!({"provider": "tencent_faceid", "subject": null,
            "return_url": format!("{}/done", facegate_tests::MERCHANT)}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["error"]["field"], "subject", "{error}");
}
