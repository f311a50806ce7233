//! aliyun_cloudauth end to end on the simulator: InitFaceVerify (signed, with the page's
//! MetaInfo) -> the CertifyUrl page -> Alibaba's callback (checked against its CallbackToken)
//! and the return, which only trigger DescribeFaceVerify, the one source of the verdict.

use std::time::Duration;

use facegate_sandbox::vendors::aliyun_cloudauth as sim;
use facegate_tests::{query_param, TestApp};
use facegate_vendors::aliyun_cloudauth::callback_token;
use reqwest::StatusCode;
use serde_json::{json, Value};

const META_INFO: &str = r#"{"apdidToken":"","appName":"https://shop.example","appVersion":"1.0.0","bioMetaInfo":"5.1.0:2097152,0","deviceType":"h5","osVersion":"iOS 17.4","zimVer":"1.0.0"}"#;

async fn aliyun_app() -> TestApp {
    TestApp::spawn_with_vendors_on_sandbox(&[]).await
}

async fn create(app: &TestApp) -> Value {
    app.create_session_with(json!({
        "provider": "aliyun_cloudauth",
        "options": {"meta_info": META_INFO},
    }))
    .await
}

/// The CertifyId in the CertifyUrl (`.../certify/{CertifyId}`).
fn certify_id(session: &Value) -> String {
    let url = session["next_action"]["url"].as_str().unwrap();
    url.rsplit('/').next().unwrap().to_owned()
}

/// Moves the session past its `expires_at` as 31 minutes would (the CertifyUrl lives 30), in
/// the store and at the simulator.
async fn thirty_one_minutes_pass(app: &TestApp, id: &str) {
    use sqlx::Connection;
    app.sandbox.clock.advance(Duration::from_secs(31 * 60));
    let past =
        (time::OffsetDateTime::now_utc() - time::Duration::seconds(1)).unix_timestamp() * 1000;
    let url = app.database_url();
    let sql = "UPDATE verifications SET expires_at = $1 WHERE id = $2";
    if url.starts_with("sqlite:") {
        let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query(sql)
            .bind(past)
            .bind(id)
            .execute(&mut connection)
            .await
            .unwrap();
    } else {
        let mut connection = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query(sql)
            .bind(past)
            .bind(id)
            .execute(&mut connection)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_pass_and_every_failure_family_come_from_describe_face_verify() {
    let app = aliyun_app().await;
    for (outcome, status, reason) in [
        ("T:200:ROOT,VPN,HOOK", "verified", None),
        ("F:201", "failed", Some("identity_mismatch")),
        ("F:204", "failed", Some("not_same_person")),
        ("F:205", "failed", Some("liveness_failed")),
        ("F:206", "failed", Some("account_error")),
        ("F:209", "failed", Some("vendor_error")),
    ] {
        let session = create(&app).await;
        let id = session["id"].as_str().unwrap();
        assert_eq!(session["next_action"]["type"], "redirect");
        let back = app.complete_sandbox_page(&session, outcome).await;
        assert_eq!(back.path(), format!("/v1/return/{id}"));
        let landing = app.follow_return(&back).await;
        assert_eq!(query_param(&landing, "status").as_deref(), Some(status));
        let confirmed = app.get_session(id).await;
        let result = &confirmed["result"];
        assert_eq!(confirmed["status"], status, "{outcome}: {confirmed}");
        assert_eq!(result["confirmed_by"], "vendor_query");
        let code = outcome.split(':').nth(1).unwrap();
        assert_eq!(result["vendor_code"], code, "{outcome}");
        assert!(result["vendor_message"].is_string(), "{result}");
        match reason {
            None => {
                assert_eq!(result["reason"], Value::Null);
                assert_eq!(result["risk_signals"], json!(["ROOT", "VPN", "HOOK"]));
                assert!(result["scores"]["similarity"].is_number(), "{result}");
            }
            Some(reason) => {
                assert_eq!(result["reason"], reason, "{outcome}");
                assert_eq!(result.get("risk_signals"), None, "{result}");
            }
        }
    }
}

#[tokio::test]
async fn the_callback_alone_confirms_and_a_forged_token_changes_nothing() {
    let app = aliyun_app().await;
    // The user finishes but never comes back: Alibaba's callback triggers the query.
    let session = create(&app).await;
    let id = session["id"].as_str().unwrap();
    app.complete_sandbox_page(&session, "F:205").await;
    let failed = app.wait_for_status(id, "failed").await;
    assert_eq!(failed["result"]["reason"], "liveness_failed");

    let open = create(&app).await;
    let open_id = open["id"].as_str().unwrap();
    let open_certify = certify_id(&open);
    let callback = |query: String| {
        let url = app.url(&format!("/v1/callbacks/aliyun_cloudauth?{query}"));
        let http = app.http.clone();
        async move { http.get(url).send().await.unwrap() }
    };
    // A wrong token, a missing one, and another session's own token: refused, nothing changes.
    let forged = [
        format!(
            "session={open_id}&certifyId={open_certify}&passed=T&subcode=200&callbackToken=forged"
        ),
        format!("session={open_id}&certifyId={open_certify}&passed=T&subcode=200"),
        format!(
            "session={open_id}&certifyId={open_certify}&passed=T&subcode=200&callbackToken={}",
            callback_token(sim::ACCESS_KEY_SECRET, id).expose()
        ),
    ];
    for query in forged {
        let answer = callback(query).await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    }
    // A good token of one session naming another session's CertifyId: refused.
    let other = create(&app).await;
    let crossed = callback(format!(
        "session={open_id}&certifyId={}&passed=T&subcode=200&callbackToken={}",
        certify_id(&other),
        callback_token(sim::ACCESS_KEY_SECRET, open_id).expose()
    ))
    .await;
    assert_eq!(crossed.status(), StatusCode::BAD_REQUEST);
    // Even a genuine callback decides nothing by itself: the user has not finished.
    let genuine = callback(format!(
        "session={open_id}&certifyId={open_certify}&passed=T&subcode=200&callbackToken={}",
        callback_token(sim::ACCESS_KEY_SECRET, open_id).expose()
    ))
    .await;
    assert_eq!(genuine.status(), StatusCode::OK);
    assert_eq!(app.get_session(open_id).await["status"], "pending");
    assert_eq!(
        app.get_session(other["id"].as_str().unwrap()).await["status"],
        "pending"
    );
}

#[tokio::test]
async fn forged_return_parameters_decide_nothing() {
    let app = aliyun_app().await;
    let session = create(&app).await;
    let id = session["id"].as_str().unwrap();
    // The browser comes back claiming a pass without doing anything.
    let forged = app.url(&format!(
        "/v1/return/{id}?certifyId={}&passed=T&subcode=200",
        certify_id(&session)
    ));
    let landing = app.follow_return(&forged).await;
    assert_eq!(query_param(&landing, "status").as_deref(), Some("pending"));
    assert_eq!(app.get_session(id).await["status"], "pending");
    // It fails at Alibaba and comes back claiming a pass: still failed.
    let back = app.complete_sandbox_page(&session, "F:204").await;
    let mut lying = back.clone();
    lying
        .query_pairs_mut()
        .append_pair("passed", "T")
        .append_pair("subcode", "200");
    let landing = app.follow_return(&lying).await;
    assert_eq!(query_param(&landing, "status").as_deref(), Some("failed"));
    assert_eq!(
        app.get_session(id).await["result"]["reason"],
        "not_same_person"
    );
}

#[tokio::test]
async fn an_unopened_session_expires_with_its_certify_url() {
    let app = aliyun_app().await;
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
    assert_eq!((expires - created).whole_minutes(), 30);
    thirty_one_minutes_pass(&app, id).await;
    let expired = app.wait_for_status(id, "expired").await;
    assert_eq!(expired["result"], Value::Null);
    let page = app
        .http
        .get(session["next_action"]["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::GONE);
}

#[tokio::test]
async fn an_abandoned_session_is_reconciled_without_any_callback() {
    let app = aliyun_app().await;
    // One user opens the page and leaves; Alibaba never calls back about it.
    let abandoned = create(&app).await;
    let abandoned_id = abandoned["id"].as_str().unwrap();
    let page = app
        .http
        .get(abandoned["next_action"]["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    // Another finishes, and neither its callback nor its browser is needed: the reconciler
    // pulls open sessions.
    let finished = create(&app).await;
    let finished_id = finished["id"].as_str().unwrap();
    app.complete_sandbox_page(&finished, "T:200").await;
    app.wait_for_status(finished_id, "verified").await;
    assert_eq!(app.get_session(abandoned_id).await["status"], "pending");
    thirty_one_minutes_pass(&app, abandoned_id).await;
    let expired = app.wait_for_status(abandoned_id, "expired").await;
    assert_eq!(expired["result"], Value::Null);
}

#[tokio::test]
async fn meta_info_is_required_and_the_subject_too() {
    let app = aliyun_app().await;
    let base = json!({"provider": "aliyun_cloudauth", "return_url": "https://shop.example/r",
        "subject": {"name": "张三", "id_number": facegate_tests::ID_NUMBER}});
    for (options, field) in [
        (json!({}), "options.meta_info"),
        (json!({"meta_info": "not json"}), "options.meta_info"),
        (json!({"meta_info": "{}"}), "options.meta_info"),
    ] {
        let mut body = base.clone();
        body["options"] = options;
        let (status, error) = app.try_create(body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(error["error"]["field"], field, "{error}");
    }
    let mut no_subject = base.clone();
    no_subject["subject"] = Value::Null;
    no_subject["options"] = json!({"meta_info": META_INFO});
    let (status, error) = app.try_create(no_subject).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["error"]["field"], "subject", "{error}");
}

#[tokio::test]
async fn a_bad_signature_is_refused_by_the_simulator_in_alibabas_shape() {
    let app =
        TestApp::spawn_with_vendors_on_sandbox(&[("aliyun_access_key_secret", "not-the-secret")])
            .await;
    let (status, error) = app
        .try_create(
            json!({"provider": "aliyun_cloudauth", "return_url": "https://shop.example/r",
            "subject": {"name": "张三", "id_number": facegate_tests::ID_NUMBER},
            "options": {"meta_info": META_INFO}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{error}");
    assert_eq!(
        error["error"]["vendor_code"], "SignatureDoesNotMatch",
        "{error}"
    );
}

#[tokio::test]
async fn redaction_also_deletes_alibabas_copy() {
    use facegate_vendors::aliyun_cloudauth::{AliyunCloudauthClient, CertifyState};
    let app = aliyun_app().await;
    let session = create(&app).await;
    let id = session["id"].as_str().unwrap();
    let certify = certify_id(&session);
    let back = app.complete_sandbox_page(&session, "T:200").await;
    app.follow_return(&back).await;
    assert_eq!(app.get_session(id).await["status"], "verified");
    // Alibaba holds the result until facegate asks it to delete it.
    let alibaba = AliyunCloudauthClient::new(
        reqwest::Client::new(),
        app.sandbox.url(sim::API_PREFIX),
        sim::ACCESS_KEY_ID.to_owned(),
        sim::ACCESS_KEY_SECRET.to_owned().into(),
        sim::SCENE_ID,
    );
    assert!(matches!(
        alibaba
            .describe_face_verify(&certify)
            .await
            .unwrap()
            .state(),
        CertifyState::Final { .. }
    ));
    let redacted = app
        .http
        .post(app.url(&format!("/v1/verifications/{id}/redact")))
        .bearer_auth(facegate_tests::API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(redacted.status(), StatusCode::OK);
    assert!(matches!(
        alibaba.describe_face_verify(&certify).await,
        Err(facegate_vendors::VendorError::InvalidRequest { code, .. }) if code == "401"
    ));
}

#[tokio::test]
async fn the_demo_passes_the_pages_meta_info_and_the_sandbox_serves_a_stand_in_script() {
    let app = TestApp::spawn_with(&[("sandbox_vendors", "true"), ("dev", "true")]).await;
    let script = app
        .http
        .get(app.url("/sandbox/aliyun/h5/jsvm_all.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert!(script.text().await.unwrap().contains("getMetaInfo"));
    let started = app
        .http
        .post(app.url("/demo/api/start"))
        .json(&json!({"provider": "aliyun_cloudauth", "name": "张三",
            "id_number": facegate_tests::ID_NUMBER, "meta_info": META_INFO}))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), StatusCode::OK);
    let session: Value = started.json().await.unwrap();
    assert!(session["next_action"]["url"]
        .as_str()
        .unwrap()
        .contains("/sandbox/aliyun/h5/certify/"));
    let back = app.complete_sandbox_page(&session, "T:200").await;
    app.follow_return(&back).await;
    assert_eq!(
        app.get_session(session["id"].as_str().unwrap()).await["status"],
        "verified"
    );
}
