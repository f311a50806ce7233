//! wechat_verify end to end on the simulator: getverifyid -> the mini-program's
//! `wx.requestFacialVerify` (a sandbox page where the user picks the verify_ret) -> the front
//! end's `complete` -> queryverifyinfo with the session's own verify_id, out_seq_no, openid and
//! cert_hash. The verdict is WeChat's verify_ret only.

use facegate_sandbox::vendors::{wechat_mini, wechat_verify as sim};
use facegate_tests::{TestApp, ID_NUMBER, NAME};
use facegate_vendors::wechat_verify::{
    self, QueryVerifyInfoRequest, WechatMiniClient, WechatVerifyClient, CERT_TYPE_ID_CARD,
};
use facegate_vendors::VendorError;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{json, Value};

const OPENID: &str = "oRRn15NUibBxxxxxxxxx";

async fn wechat_app() -> TestApp {
    TestApp::spawn_with(&[("sandbox_vendors", "true")]).await
}

async fn create(app: &TestApp) -> Value {
    let session = app
        .create_session_with(json!({"provider": "wechat_verify", "options": {"openid": OPENID}}))
        .await;
    assert_eq!(session["next_action"]["type"], "wechat_verify", "{session}");
    assert!(session["next_action"]["verify_id"].as_str().is_some());
    session
}

fn verify_id(session: &Value) -> &str {
    session["next_action"]["verify_id"].as_str().unwrap()
}

/// The simulated `wx.requestFacialVerify`, run by the WeChat user `openid`: the page's status
/// after the user picked `verify_ret` (or after the page refused them).
async fn face_check(app: &TestApp, session: &Value, openid: &str, verify_ret: i64) -> StatusCode {
    let mut url = app.url(&format!("/sandbox{}/check", sim::PAGE_PREFIX));
    url.query_pairs_mut()
        .append_pair("verify_id", verify_id(session))
        .append_pair("openid", openid);
    let page = app.http.get(url.clone()).send().await.unwrap();
    if page.status() != StatusCode::OK {
        return page.status();
    }
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("value=\"{verify_ret}\"")),
        "{verify_ret} not offered"
    );
    let done = app
        .http
        .post(url)
        .form(&[("outcome", verify_ret.to_string())])
        .send()
        .await
        .unwrap();
    let status = done.status();
    if status == StatusCode::OK {
        let html = done.text().await.unwrap();
        let expected = if verify_ret == 10000 { 0 } else { verify_ret };
        assert!(
            html.contains(&format!("errCode&quot;:{expected}")),
            "{html}"
        );
    }
    status
}

/// `POST /v1/client/verifications/{id}/complete` with the session's client_secret.
async fn complete(app: &TestApp, session: &Value) -> (StatusCode, Value) {
    let id = session["id"].as_str().unwrap();
    let response = app
        .http
        .post(app.url(&format!("/v1/client/verifications/{id}/complete")))
        .json(&json!({"client_secret": session["client_secret"]}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_passed_check_is_verified_by_queryverifyinfo() {
    let app = wechat_app().await;
    let session = create(&app).await;
    assert_eq!(session["status"], "pending");
    assert_eq!(
        face_check(&app, &session, OPENID, 10000).await,
        StatusCode::OK
    );
    let (code, view) = complete(&app, &session).await;
    assert_eq!(code, StatusCode::OK, "{view}");
    assert_eq!(view["status"], "verified", "{view}");
    assert!(view.get("subject").is_none() && view.get("reference").is_none());
    let confirmed = app.get_session(session["id"].as_str().unwrap()).await;
    assert_eq!(confirmed["status"], "verified");
    assert_eq!(confirmed["result"]["confirmed_by"], "vendor_query");
    assert_eq!(confirmed["result"]["vendor_code"], "10000");
    assert_eq!(confirmed["provider"], "wechat_verify");
    // The verify_id ran its one check.
    assert_eq!(
        face_check(&app, &session, OPENID, 10000).await,
        StatusCode::GONE
    );
}

#[tokio::test]
async fn every_failure_family_ends_with_its_reason_and_code() {
    let app = wechat_app().await;
    let cases = [
        (90002, "user_canceled"),
        (90024, "user_canceled"),
        (90001, "capture_failed"),
        (90010, "capture_failed"),
        (90017, "capture_failed"),
        (10003, "identity_mismatch"),
        (10004, "not_same_person"),
        (10002, "liveness_failed"),
        (10006, "account_error"),
        (90018, "vendor_error"),
        (10001, "vendor_error"),
    ];
    for (verify_ret, reason) in cases {
        let session = create(&app).await;
        assert_eq!(
            face_check(&app, &session, OPENID, verify_ret).await,
            StatusCode::OK
        );
        let (_, view) = complete(&app, &session).await;
        assert_eq!(view["status"], "failed", "{verify_ret}: {view}");
        assert_eq!(view["result"]["reason"], reason, "{verify_ret}");
        assert_eq!(view["result"]["vendor_code"], verify_ret.to_string());
        assert_eq!(view["result"]["confirmed_by"], "vendor_query");
        let text = sim::VERIFY_RETS
            .iter()
            .find(|(code, _)| *code == verify_ret)
            .unwrap()
            .1;
        assert_eq!(view["result"]["vendor_message"], text);
    }
}

#[test]
fn the_simulator_and_the_client_know_the_same_codes() {
    assert_eq!(
        sim::VERIFY_RETS.len(),
        wechat_verify::VERIFY_RET_CODES.len()
    );
    for (code, text) in sim::VERIFY_RETS {
        let known = wechat_verify::VERIFY_RET_CODES
            .iter()
            .find(|(known, _, _)| known == code)
            .unwrap_or_else(|| panic!("{code} unknown to the client"));
        assert_eq!(known.1, *text, "{code}");
    }
}

#[tokio::test]
async fn a_check_still_running_leaves_the_session_open() {
    let app = wechat_app().await;
    let session = create(&app).await;
    assert_eq!(
        face_check(&app, &session, OPENID, 10005).await,
        StatusCode::OK
    );
    let (_, view) = complete(&app, &session).await;
    assert_eq!(view["status"], "pending", "{view}");
    // The verify_id is not spent: the check then finishes.
    assert_eq!(
        face_check(&app, &session, OPENID, 10000).await,
        StatusCode::OK
    );
    let (_, view) = complete(&app, &session).await;
    assert_eq!(view["status"], "verified");
}

#[tokio::test]
async fn a_forged_complete_before_the_vendor_finished_changes_nothing() {
    let app = wechat_app().await;
    let session = create(&app).await;
    // The front end claims the user finished; WeChat answers 10300 (not finished).
    let (code, view) = complete(&app, &session).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(view["status"], "pending", "{view}");
    assert_eq!(view["result"], Value::Null);
    let read = app.get_session(session["id"].as_str().unwrap()).await;
    assert_eq!(read["status"], "pending");
    // A wrong secret is not found; another provider's session is not completed this way.
    let mut wrong = session.clone();
    wrong["client_secret"] = json!("nope");
    assert_eq!(complete(&app, &wrong).await.0, StatusCode::NOT_FOUND);
    let sandbox = app.create_session().await;
    assert_eq!(complete(&app, &sandbox).await.0, StatusCode::CONFLICT);
    // The session still ends on WeChat's word.
    assert_eq!(
        face_check(&app, &session, OPENID, 90004).await,
        StatusCode::OK
    );
    let (_, view) = complete(&app, &session).await;
    assert_eq!(view["status"], "failed");
    assert_eq!(view["result"]["reason"], "user_canceled");
}

#[tokio::test]
async fn an_unused_verify_id_expires_with_its_session() {
    let app = wechat_app().await;
    let settings = app
        .http
        .post(app.url(&format!("/sandbox{}/settings", sim::PAGE_PREFIX)))
        .json(&json!({"expires_in": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(settings.status(), StatusCode::NO_CONTENT);
    let session = create(&app).await;
    let id = session["id"].as_str().unwrap();
    let created = time::OffsetDateTime::parse(
        session["created_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let expires = time::OffsetDateTime::parse(
        session["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(
        (expires - created).whole_seconds() <= 2,
        "expires_at follows expires_in"
    );
    let expired = app.wait_for_status(id, "expired").await;
    assert_eq!(expired["result"], Value::Null);
    // The phone can no longer start the check.
    assert_eq!(
        face_check(&app, &session, OPENID, 10000).await,
        StatusCode::GONE
    );
}

#[tokio::test]
async fn another_wechat_user_cannot_run_the_check() {
    let app = wechat_app().await;
    let session = create(&app).await;
    assert_eq!(
        face_check(&app, &session, "oSomeoneElse000000000", 10000).await,
        StatusCode::FORBIDDEN
    );
    let (_, view) = complete(&app, &session).await;
    assert_eq!(view["status"], "pending");
    // The openid is required, and checked before any vendor call.
    for (options, field) in [
        (json!({}), "options.openid"),
        (json!({"openid": "has space"}), "options.openid"),
        (json!({"openid": ""}), "options.openid"),
    ] {
        let (status, error) = app
            .try_create(json!({
                "provider": "wechat_verify",
                "subject": {"name": NAME, "id_number": ID_NUMBER},
                "return_url": "https://shop.example/r",
                "options": options,
            }))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(error["error"]["field"], field);
    }
    let (status, error) = app
        .try_create(
            json!({"provider": "wechat_verify", "return_url": "https://shop.example/r",
            "options": {"openid": OPENID}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["field"], "subject");
}

/// The simulator's queryverifyinfo checks every field against getverifyid's: the openid, and
/// the cert_hash of the certificate it was given, in WeChat's errcode shape.
#[tokio::test]
async fn the_simulator_refuses_a_wrong_cert_hash_or_openid() {
    let app = wechat_app().await;
    let session = create(&app).await;
    assert_eq!(
        face_check(&app, &session, OPENID, 10000).await,
        StatusCode::OK
    );
    let wechat = WechatMiniClient::new(
        reqwest::Client::new(),
        app.url(&format!("/sandbox{}", wechat_mini::API_PREFIX)),
        wechat_mini::APPID,
        SecretString::from(wechat_mini::APP_SECRET),
    );
    let client = WechatVerifyClient::new(wechat);
    let query = |cert_hash: String, openid: &str| QueryVerifyInfoRequest {
        verify_id: verify_id(&session).to_owned(),
        out_seq_no: session["id"].as_str().unwrap().to_owned(),
        cert_hash,
        openid: openid.to_owned(),
    };
    let right = wechat_verify::cert_hash(CERT_TYPE_ID_CARD, NAME, ID_NUMBER);
    let other_person = wechat_verify::cert_hash(CERT_TYPE_ID_CARD, "李四", ID_NUMBER);
    let refused = client
        .query_verify_info(&query(other_person, OPENID))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, VendorError::InvalidRequest { code, .. } if code == "40097"),
        "{refused:?}"
    );
    let refused = client
        .query_verify_info(&query(right.clone(), "oSomeoneElse000000000"))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, VendorError::Api { code, .. } if code == "40003"),
        "{refused:?}"
    );
    let mut other_seq = query(right.clone(), OPENID);
    other_seq.out_seq_no = "vs_another".into();
    assert!(client.query_verify_info(&other_seq).await.is_err());
    // With what facegate sends, the answer is the check's; and facegate agrees.
    let answer = client
        .query_verify_info(&query(right, OPENID))
        .await
        .unwrap();
    assert_eq!(answer.verify_ret, Some(10000));
    let (_, view) = complete(&app, &session).await;
    assert_eq!(view["status"], "verified");
}

/// WeChat forgets a check after a while (the simulator: [`sim::RETENTION`]) and then refuses
/// the query itself: a session past its verify_id's life still ends, expired and unconfirmed,
/// instead of staying pending; the stale access token on the way is refreshed once.
#[tokio::test]
async fn a_verify_id_wechat_forgot_expires_unconfirmed() {
    let app = TestApp::spawn_with_vendors_on_sandbox(&[]).await;
    let settings = app
        .http
        .post(app.sandbox.url(&format!("{}/settings", sim::PAGE_PREFIX)))
        .json(&json!({"expires_in": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(settings.status(), StatusCode::NO_CONTENT);
    let session = create(&app).await;
    app.sandbox
        .clock
        .advance(sim::RETENTION + std::time::Duration::from_secs(60));
    let expired = app
        .wait_for_status(session["id"].as_str().unwrap(), "expired")
        .await;
    assert_eq!(expired["result"], Value::Null);
}
