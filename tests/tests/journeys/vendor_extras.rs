//! The vendors' extras for the merchant, on the simulator: Baidu H5's queries after a session's
//! flow, and Baidu smart-program's legal-person QR code and fee exemption with the program's
//! own access token.

use facegate_sandbox::vendors::baidu_smartapp::{ACCESS_TOKEN, PAGE_HEADER, PREFIX};
use facegate_tests::{TestApp, API_KEY};
use reqwest::StatusCode;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use url::Url;

async fn vendors_app() -> TestApp {
    TestApp::spawn_with(&[("sandbox_vendors", "true")]).await
}

/// GET one baidu_h5 query of a session, as the merchant.
async fn baidu_h5_query(app: &TestApp, id: &str, query: &str) -> (StatusCode, Value) {
    let response = app
        .http
        .get(app.url(&format!("/v1/verifications/{id}/baidu_h5/{query}")))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A baidu_h5 session the sandbox user finished with `outcome`, its return followed.
async fn finished_baidu_h5_session(app: &TestApp, outcome: &str) -> String {
    let session = app
        .create_session_with(json!({"provider": "baidu_h5"}))
        .await;
    let back = app.complete_sandbox_page(&session, outcome).await;
    app.follow_return(&back).await;
    session["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_passed_baidu_h5_session_answers_every_extra_query() {
    let app = vendors_app().await;
    let id = finished_baidu_h5_session(&app, "pass").await;
    assert_eq!(app.get_session(&id).await["status"], "verified");

    let (status, simple) = baidu_h5_query(&app, &id, "simple").await;
    assert_eq!(status, StatusCode::OK, "{simple}");
    let image = simple["image"].as_str().unwrap();
    assert!(
        image.contains("/baidu/h5/solution/faceprint/image/query?verify_token="),
        "{image}"
    );

    let (status, detail) = baidu_h5_query(&app, &id, "detail").await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["answered"], true);
    assert!(detail["verify_result"]["score"].as_f64().unwrap() > 90.0);
    assert!(detail["verify_result"]["liveness_score"].as_f64().unwrap() > 0.9);
    // The subject was given (idcard/submit): Baidu echoes it masked, and has no OCR.
    assert_eq!(detail["idcard_confirm"]["name"], "张*");
    assert!(detail.get("idcard_ocr_result").is_none());

    let (status, stat) = baidu_h5_query(&app, &id, "stat").await;
    assert_eq!(status, StatusCode::OK, "{stat}");
    assert_eq!(
        stat["interfaces"]["Verify_FIN"],
        json!([{"error_code": "0", "count": 1}])
    );
    assert_eq!(
        stat["interfaces"]["verify"],
        json!([{"error_code": "0", "count": 1}])
    );

    let (status, media) = baidu_h5_query(&app, &id, "media").await;
    assert_eq!(status, StatusCode::OK, "{media}");
    assert_eq!(media["process_video"].as_array().unwrap().len(), 1);
    assert_eq!(media["images"].as_array().unwrap().len(), 4);
    assert!(media["process_video"][0]
        .as_str()
        .unwrap()
        .ends_with("process.mp4"));

    let (status, all) = baidu_h5_query(&app, &id, "getall").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["verify_count"], 1);
    assert_eq!(all["verify_charge_count"], 1);
    let attempt = &all["verify_result"][0];
    assert_eq!(attempt["is_verify_passed"], true);
    assert_eq!(attempt["code"], "0");
    assert_eq!(attempt["charge_type"], "verify");
    assert_eq!(attempt["verify_detail"]["threshold"], 80.0);
}

#[tokio::test]
async fn a_failed_baidu_h5_session_answers_its_code_and_refuses_the_face_image() {
    let app = vendors_app().await;
    let id = finished_baidu_h5_session(&app, "222351").await;
    assert_eq!(app.get_session(&id).await["status"], "failed");

    let (status, detail) = baidu_h5_query(&app, &id, "detail").await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["answered"], false);
    assert_eq!(detail["vendor_code"], "222351");
    assert_eq!(
        detail["vendor_message"],
        "身份证号与姓名不匹配或该身份证号不存在"
    );

    // No face image for a failed verification: the attempt's code, as a conflict.
    let (status, error) = baidu_h5_query(&app, &id, "simple").await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert_eq!(error["error"]["code"], "conflict");
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("222351"));

    let (status, all) = baidu_h5_query(&app, &id, "getall").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["verify_result"][0]["is_verify_passed"], false);
    assert_eq!(all["verify_result"][0]["code"], "222351");
    assert_eq!(all["verify_charge_count"], 0);

    let (status, stat) = baidu_h5_query(&app, &id, "stat").await;
    assert_eq!(status, StatusCode::OK, "{stat}");
    assert_eq!(
        stat["interfaces"]["Verify_FIN"],
        json!([{"error_code": "222351", "count": 1}])
    );
}

#[tokio::test]
async fn the_openapi_limit_is_the_vendors_error_with_its_code() {
    let app = vendors_app().await;
    let id = finished_baidu_h5_session(&app, "openapi_limit").await;
    let (status, error) = baidu_h5_query(&app, &id, "getall").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{error}");
    assert_eq!(error["error"]["code"], "vendor_error");
    assert!(error["error"]["message"].as_str().unwrap().contains("18"));
    // stat and media are not behind the limit (seed 001, 常见问题 2).
    let (status, _) = baidu_h5_query(&app, &id, "stat").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn baidu_h5_queries_need_a_finished_baidu_h5_session_and_the_api_key() {
    let app = vendors_app().await;
    // Unknown session, unknown query.
    let (status, _) = baidu_h5_query(&app, "vs_doesnotexist", "simple").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let started = app
        .create_session_with(json!({"provider": "baidu_h5"}))
        .await;
    let id = started["id"].as_str().unwrap();
    let (status, error) = baidu_h5_query(&app, id, "everything").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{error}");

    // The user has not finished: Baidu's Token无效或者已过期 is a conflict, not a bad request.
    let (status, error) = baidu_h5_query(&app, id, "getall").await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Token无效或者已过期"));
    let (status, _) = baidu_h5_query(&app, id, "detail").await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Another provider's session.
    let other = app.create_session().await;
    let (status, error) = baidu_h5_query(&app, other["id"].as_str().unwrap(), "simple").await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not baidu_h5"));

    // The merchant's key is required.
    let response = app
        .http
        .get(app.url(&format!("/v1/verifications/{id}/baidu_h5/simple")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

/// POST a smartapp call with `body`, as the merchant.
async fn smartapp(app: &TestApp, call: &str, body: Value) -> (StatusCode, Value) {
    let response = app
        .http
        .post(app.url(&format!("/v1/baidu_smartapp/{call}")))
        .bearer_auth(API_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The legal person scans the program's QR code and picks `status` on the sandbox page. The
/// page is named by the simulator's header, which facegate does not pass on, so the "phone"
/// asks the simulator itself.
async fn legal_person_scans(app: &TestApp, access_token: &str, status: &str) {
    let mut faceauthen = app.url(&format!(
        "/sandbox{PREFIX}/rest/2.0/smartapp/auth/faceauthen"
    ));
    faceauthen
        .query_pairs_mut()
        .append_pair("access_token", access_token);
    let answer = app.http.get(faceauthen).send().await.unwrap();
    let page = Url::parse(
        answer
            .headers()
            .get(PAGE_HEADER)
            .expect("the sandbox names the page")
            .to_str()
            .unwrap(),
    )
    .unwrap();
    let submitted = app
        .http
        .post(page)
        .form(&[("outcome", status)])
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), StatusCode::OK);
}

#[tokio::test]
async fn faceauthen_gives_the_qr_code_and_follows_the_legal_persons_status() {
    let app = vendors_app().await;
    let token = format!("{ACCESS_TOKEN}-faceauthen");
    let (status, qr) = smartapp(&app, "faceauthen", json!({"access_token": token})).await;
    assert_eq!(status, StatusCode::OK, "{qr}");
    assert!(qr["qrcode"]
        .as_str()
        .unwrap()
        .starts_with("data:image/png;base64,iVBORw0KGgo"));
    assert_eq!(qr["legal_face_status"], "initialized");
    let expires_at = OffsetDateTime::parse(qr["expires_at"].as_str().unwrap(), &Rfc3339).unwrap();
    assert!(expires_at > OffsetDateTime::now_utc());

    for (picked, reported) in [("6", "in_progress"), ("4", "rejected")] {
        legal_person_scans(&app, &token, picked).await;
        let (status, qr) = smartapp(&app, "faceauthen", json!({"access_token": token})).await;
        assert_eq!(status, StatusCode::OK, "{qr}");
        assert_eq!(qr["legal_face_status"], reported);
    }
    let other = format!("{ACCESS_TOKEN}-passes");
    smartapp(&app, "faceauthen", json!({"access_token": other})).await;
    legal_person_scans(&app, &other, "2").await;
    let (_, qr) = smartapp(&app, "faceauthen", json!({"access_token": other})).await;
    assert_eq!(qr["legal_face_status"], "passed");
}

#[tokio::test]
async fn a_wrong_or_missing_access_token_is_the_merchants_bad_request() {
    let app = vendors_app().await;
    for call in ["faceauthen", "setexempt"] {
        let (status, error) = smartapp(&app, call, json!({"access_token": "not-a-token"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(error["error"]["field"], "access_token");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains("110"), "{message}");
        assert!(!message.contains("not-a-token"), "{message}");
        for body in [json!({}), json!({"access_token": ""})] {
            let (status, error) = smartapp(&app, call, body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
            assert_eq!(error["error"]["field"], "access_token");
        }
    }
    let response = app
        .http
        .post(app.url("/v1/baidu_smartapp/faceauthen"))
        .json(&json!({"access_token": ACCESS_TOKEN}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn setexempt_once_after_the_legal_person_passed_then_a_conflict() {
    let app = vendors_app().await;
    let token = format!("{ACCESS_TOKEN}-exempt");
    let body = json!({"access_token": token});
    // Before the legal person passed, Baidu refuses (the sandbox's message passes through).
    smartapp(&app, "faceauthen", body.clone()).await;
    let (status, error) = smartapp(&app, "setexempt", body.clone()).await;
    assert!(status.is_server_error(), "{status} {error}");
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("法人人脸识别未完成"));

    legal_person_scans(&app, &token, "2").await;
    let (status, exemption) = smartapp(&app, "setexempt", body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{exemption}");
    // Dates as Baidu writes them (`2019-5-30`), passed through.
    for field in ["add_time", "push_time", "overdue_time"] {
        let date = exemption[field].as_str().unwrap();
        let parts: Vec<u32> = date.split('-').map(|p| p.parse().unwrap()).collect();
        assert!(parts.len() == 3 && parts[0] >= 2024, "{field}: {date}");
    }
    assert_eq!(exemption["add_time"], exemption["push_time"]);
    assert_ne!(exemption["add_time"], exemption["overdue_time"]);

    let (status, error) = smartapp(&app, "setexempt", body).await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert_eq!(error["error"]["code"], "conflict");
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("不可重复开通"));
}
