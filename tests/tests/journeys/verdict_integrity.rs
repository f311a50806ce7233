//! Verdict integrity, from the field reports: nothing unauthenticated decides a verdict,
//! evidence counts only for the session it belongs to, a vendor handle names one session,
//! vendor refusals are typed for the merchant, and the merchant's return_url comes back byte
//! for byte. Each report's input is a test here, beside its kind across the providers.

use axum::routing::post;
use axum::{Json, Router};
use facegate_sandbox::vendors::{oemcloud as oemcloud_sim, wechat_mini as wechat_sim};
use facegate_tests::{location, TestApp, VendorDouble, ID_NUMBER, MERCHANT, NAME};
use facegate_vendors::oemcloud::sign;
use facegate_vendors::wechat_mini::push_signature;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn on_simulated_vendors() -> TestApp {
    TestApp::spawn_with(&[("sandbox_vendors", "true")]).await
}

/// The vendor handle the store keeps for a session (the merchant API never shows it).
async fn vendor_ref(app: &TestApp, id: &str) -> String {
    app.store()
        .await
        .get(id)
        .await
        .unwrap()
        .unwrap()
        .vendor_ref
        .expect("a started session")
}

fn now_ms() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    now.as_millis().to_string()
}

/// POSTs an e-sign notify, signed with `secret` when one is given.
async fn oemcloud_notify(app: &TestApp, body: Value, secret: Option<&str>) -> StatusCode {
    let body = body.to_string();
    let mut request = app
        .http
        .post(app.url("/v1/callbacks/oemcloud"))
        .header("content-type", "application/json");
    if let Some(secret) = secret {
        let timestamp = now_ms();
        request = request.header("X-Tsign-Open-TIMESTAMP", &timestamp).header(
            "X-Tsign-Open-SIGNATURE",
            sign(secret.as_bytes(), &timestamp, "", body.as_bytes()),
        );
    }
    request.body(body).send().await.unwrap().status()
}

#[tokio::test]
async fn oemcloud_without_its_callback_secret_does_not_start() {
    let Err(error) = facegate_server::Settings::from_pairs([
        ("oemcloud_appcode", "an-appcode"),
        ("api_keys", facegate_tests::API_KEY),
    ]) else {
        panic!("oemcloud without a callback secret is refused");
    };
    let message = error.to_string();
    assert!(
        message.contains("FACEGATE_OEMCLOUD_CALLBACK_SECRET"),
        "{message}"
    );
    // With the secret it starts.
    assert!(facegate_server::Settings::from_pairs([
        ("oemcloud_appcode", "an-appcode"),
        ("oemcloud_callback_secret", "e-sign-app-secret"),
        ("api_keys", facegate_tests::API_KEY),
    ])
    .is_ok());
}

#[tokio::test]
async fn an_unsigned_notify_for_a_real_flow_decides_nothing() {
    let app = on_simulated_vendors().await;
    let session = app
        .create_session_with(json!({"provider": "oemcloud"}))
        .await;
    let id = session["id"].as_str().unwrap();
    let flow_id = vendor_ref(&app, id).await;
    // The report's input: the session's own flowId, success, no signature headers.
    let unsigned = oemcloud_notify(&app, json!({"flowId": flow_id, "success": true}), None).await;
    assert_eq!(unsigned, StatusCode::BAD_REQUEST);
    // Signed with another secret, or stale: refused too.
    let wrong = oemcloud_notify(
        &app,
        json!({"flowId": flow_id, "success": true}),
        Some("not-the-app-secret"),
    )
    .await;
    assert_eq!(wrong, StatusCode::BAD_REQUEST);
    let body = json!({"flowId": flow_id, "success": true}).to_string();
    let stale = "1500000000000";
    let replayed = app
        .http
        .post(app.url("/v1/callbacks/oemcloud"))
        .header("X-Tsign-Open-TIMESTAMP", stale)
        .header(
            "X-Tsign-Open-SIGNATURE",
            sign(
                oemcloud_sim::APP_SECRET.as_bytes(),
                stale,
                "",
                body.as_bytes(),
            ),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
    // e-sign's GET probe is answered and decides nothing.
    let probe = app
        .http
        .get(app.url("/v1/callbacks/oemcloud"))
        .send()
        .await
        .unwrap();
    assert_eq!(probe.status(), StatusCode::OK);
    assert_eq!(app.get_session(id).await["status"], "pending");

    // A signed notify whose contextId names another session than its flowId's is refused.
    let other = app
        .create_session_with(json!({"provider": "oemcloud"}))
        .await;
    let crossed = oemcloud_notify(
        &app,
        json!({"flowId": flow_id, "contextId": other["id"], "success": true}),
        Some(oemcloud_sim::APP_SECRET),
    )
    .await;
    assert_eq!(crossed, StatusCode::BAD_REQUEST);
    assert_eq!(app.get_session(id).await["status"], "pending");
    assert_eq!(
        app.get_session(other["id"].as_str().unwrap()).await["status"],
        "pending"
    );

    // The signed notify of its own flow decides, marked as such.
    let signed = oemcloud_notify(
        &app,
        json!({"flowId": flow_id, "contextId": id, "success": true}),
        Some(oemcloud_sim::APP_SECRET),
    )
    .await;
    assert_eq!(signed, StatusCode::OK);
    let verified = app.get_session(id).await;
    assert_eq!(verified["status"], "verified");
    assert_eq!(verified["result"]["confirmed_by"], "notify");
}

#[tokio::test]
async fn the_notify_echoes_the_session_id_not_the_merchant_reference() {
    let app = on_simulated_vendors().await;
    let (a, b) = (
        app.create_session_with(json!({"provider": "oemcloud", "reference": "order-shared"}))
            .await,
        app.create_session_with(json!({"provider": "oemcloud", "reference": "order-shared"}))
            .await,
    );
    let back = app.complete_sandbox_page(&a, "pass").await;
    // e-sign's redirect carries the contextId facegate sent: the session id.
    let context = back
        .query_pairs()
        .find(|(key, _)| key == "contextId")
        .map(|(_, value)| value.into_owned());
    assert_eq!(context.as_deref(), a["id"].as_str());
    app.wait_for_status(a["id"].as_str().unwrap(), "verified")
        .await;
    assert_eq!(
        app.get_session(b["id"].as_str().unwrap()).await["status"],
        "pending"
    );
}

/// The mini-program's face check on the simulator; the page's verifyResult.
async fn wechat_face_check(app: &TestApp, session: &Value, push: bool) -> String {
    let mut url = app.url("/sandbox/wechat/sandbox/verify");
    url.query_pairs_mut().append_pair(
        "user_id_key",
        session["next_action"]["user_id_key"].as_str().unwrap(),
    );
    if push {
        url.query_pairs_mut()
            .append_pair("push_url", app.url("/v1/callbacks/wechat_mini").as_str());
    }
    let html = app
        .http
        .post(url)
        .form(&[("outcome", "pass")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html.find("<code id=\"verify_result\">").unwrap() + 25;
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
async fn a_verify_result_counts_only_for_its_own_session_and_only_once() {
    let app = on_simulated_vendors().await;
    let wechat = json!({"provider": "wechat_mini"});
    // Two sessions for the same person.
    let a = app.create_session_with(wechat.clone()).await;
    let b = app.create_session_with(wechat.clone()).await;
    let r = wechat_face_check(&app, &a, false).await;
    // The report's input: A's verify_result handed to B. getinfo names A's user_id_key.
    let (status, view) = hand_over(&app, &b, &r).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["status"], "failed");
    let b_read = app.get_session(b["id"].as_str().unwrap()).await;
    assert_eq!(b_read["result"]["reason"], "result_tampered");
    // A's own session still takes it.
    let (status, view) = hand_over(&app, &a, &r).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["status"], "verified");
    // Spent: any other session is refused before WeChat is asked, and stays as it was.
    let c = app.create_session_with(wechat).await;
    let (status, error) = hand_over(&app, &c, &r).await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert_eq!(
        app.get_session(c["id"].as_str().unwrap()).await["status"],
        "pending"
    );
}

/// A push as WeChat signs it, naming `out_seq_no`.
async fn signed_push(app: &TestApp, out_seq_no: &str, verify_result: &str) -> StatusCode {
    let (timestamp, nonce) = ("1700000000", "nonce-integrity");
    let signature = push_signature(wechat_sim::PUSH_TOKEN, timestamp, nonce);
    app.http
        .post(app.url(&format!(
            "/v1/callbacks/wechat_mini?signature={signature}&timestamp={timestamp}&nonce={nonce}"
        )))
        .body(
            json!({"ToUserName": "gh_sandbox", "FromUserName": "oSandbox", "CreateTime": 1700000000,
                "MsgType": "event", "Event": "face_identify",
                "out_seq_no": out_seq_no, "verify_result": verify_result})
            .to_string(),
        )
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_push_reaches_exactly_the_session_it_belongs_to() {
    let app = on_simulated_vendors().await;
    // The report's input: two open sessions sharing the merchant reference.
    let shared = json!({"provider": "wechat_mini", "reference": "order-shared"});
    let c = app.create_session_with(shared.clone()).await;
    let d = app.create_session_with(shared).await;
    let (c_id, d_id) = (c["id"].as_str().unwrap(), d["id"].as_str().unwrap());
    wechat_face_check(&app, &c, true).await;
    app.wait_for_status(c_id, "verified").await;
    assert_eq!(app.get_session(d_id).await["status"], "pending");

    // A signed push naming one session with another session's verify_result fails the named
    // session as tampered, and leaves the verify_result to its own session.
    let e = app
        .create_session_with(json!({"provider": "wechat_mini"}))
        .await;
    let f = app
        .create_session_with(json!({"provider": "wechat_mini"}))
        .await;
    let r = wechat_face_check(&app, &e, false).await;
    let f_id = f["id"].as_str().unwrap();
    assert_eq!(signed_push(&app, f_id, &r).await, StatusCode::OK);
    let f_read = app.wait_for_status(f_id, "failed").await;
    assert_eq!(f_read["result"]["reason"], "result_tampered");
    assert_eq!(hand_over(&app, &e, &r).await.1["status"], "verified");
    // A push naming the merchant reference, or nothing facegate sent, reaches no session.
    let g = app
        .create_session_with(json!({"provider": "wechat_mini", "reference": "order-g"}))
        .await;
    let r = wechat_face_check(&app, &g, false).await;
    assert_eq!(signed_push(&app, "order-g", &r).await, StatusCode::OK);
    assert_eq!(
        app.get_session(g["id"].as_str().unwrap()).await["status"],
        "pending"
    );
}

/// A FaceID Lite double whose get_biz_token answers `token` every time.
async fn faceid_handing_out(token: &'static str) -> VendorDouble {
    VendorDouble::spawn(Router::new().route(
        "/lite/v1/get_biz_token",
        post(move || async move {
            Json(json!({"request_id": "1700000000,ab12", "time_used": 9, "biz_token": token}))
        }),
    ))
    .await
}

async fn on_faceid_double(double: &VendorDouble) -> TestApp {
    TestApp::spawn_with(&[
        ("faceid_appcode", "double-appcode"),
        ("faceid_api_base", &double.url()),
        ("faceid_h5_base", &double.url()),
    ])
    .await
}

fn faceid_create() -> Value {
    json!({"provider": "faceid_lite", "reference": "order-1",
        "subject": {"name": NAME, "id_number": ID_NUMBER},
        "return_url": format!("{MERCHANT}/done")})
}

#[tokio::test]
async fn a_vendor_handle_another_session_holds_is_a_clear_502() {
    let double = faceid_handing_out("1700000000,same-biz-token").await;
    let app = on_faceid_double(&double).await;
    let (status, first) = app.try_create(faceid_create()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    // The report's input: the vendor hands the same biz_token out again.
    let (status, error) = app.try_create(faceid_create()).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{error}");
    assert_eq!(error["error"]["code"], "vendor_error");
    assert_eq!(error["error"]["field"], "provider");
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("another verification already holds"));
    // Nothing half-created: the first session alone, still pending.
    let (_, page) = app.list("limit=100").await;
    let ids: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![first["id"].as_str().unwrap()]);
    assert_eq!(
        app.get_session(first["id"].as_str().unwrap()).await["status"],
        "pending"
    );
}

#[tokio::test]
async fn a_malformed_vendor_handle_is_a_clear_502() {
    for token in ["", "   ", "biz\u{0}token", "biz\ntoken"] {
        let double = faceid_handing_out(Box::leak(token.to_owned().into_boxed_str())).await;
        let app = on_faceid_double(&double).await;
        let (status, error) = app.try_create(faceid_create()).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{token:?}: {error}");
        assert_eq!(error["error"]["code"], "vendor_error");
        let (_, page) = app.list("limit=10").await;
        assert!(page["data"].as_array().unwrap().is_empty(), "{token:?}");
    }
}

/// The create error body of one vendor answer.
async fn create_error(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let (status, error) = app.try_create(body).await;
    (status, error["error"].clone())
}

#[tokio::test]
async fn oemcloud_refusals_of_the_person_are_typed() {
    for (code, message, status, kind, field, reason) in [
        // The report's input: under 14 answered by e-sign.
        (
            30503059,
            "创建刷脸任务失败: 未满14周岁的用户无法使用本产品",
            StatusCode::UNPROCESSABLE_ENTITY,
            "subject_refused",
            Some("subject.id_number"),
            Some("underage"),
        ),
        (
            30500101,
            "参数错误: idNo格式错误",
            StatusCode::BAD_REQUEST,
            "invalid_request",
            Some("subject.id_number"),
            None,
        ),
        (
            30500116,
            "格式校验不通过, 请检查填入信息是否有多余空格",
            StatusCode::BAD_REQUEST,
            "invalid_request",
            None,
            None,
        ),
        // The merchant's balance: a vendor-side failure keeps 5xx.
        (
            30503107,
            "很抱歉, 订单余额不足",
            StatusCode::BAD_GATEWAY,
            "vendor_error",
            None,
            None,
        ),
    ] {
        let double = VendorDouble::spawn(Router::new().route(
            "/v2/identity/auth/api/individual/face",
            post(move || async move { Json(json!({"code": code, "message": message})) }),
        ))
        .await;
        let app = TestApp::spawn_with(&[
            ("oemcloud_appcode", "double-appcode"),
            ("oemcloud_callback_secret", "double-secret"),
            ("oemcloud_api_base", &double.url()),
        ])
        .await;
        let (got, error) = create_error(
            &app,
            json!({"provider": "oemcloud", "subject": {"name": NAME, "id_number": ID_NUMBER},
                "return_url": format!("{MERCHANT}/done")}),
        )
        .await;
        assert_eq!(got, status, "{code}: {error}");
        assert_eq!(error["code"], kind, "{code}");
        assert_eq!(error["field"].as_str(), field, "{code}");
        assert_eq!(error["reason"].as_str(), reason, "{code}");
        // The vendor's own code and message stay in the body.
        assert_eq!(error["vendor_code"], code.to_string());
        assert_eq!(error["vendor_message"], message);
    }
}

#[tokio::test]
async fn a_child_is_refused_before_any_vendor_call_with_the_same_type() {
    let app = on_simulated_vendors().await;
    let today = time::OffsetDateTime::now_utc().date();
    let birth = format!("{}0101", today.year() - 10);
    let body = format!("110101{birth}001");
    let sum: u32 = body
        .bytes()
        .zip([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
    let (status, error) = create_error(
        &app,
        json!({"provider": "oemcloud", "subject": {"name": NAME, "id_number": format!("{body}{check}")},
            "return_url": format!("{MERCHANT}/done")}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(error["code"], "subject_refused");
    assert_eq!(error["reason"], "underage");
    assert_eq!(error["field"], "subject.id_number");
    assert!(error.get("vendor_code").is_none(), "no vendor was asked");
}

#[tokio::test]
async fn faceid_wechat_and_baidu_refusals_are_typed() {
    // FaceID: BAD_ARGUMENTS / MISSING_ARGUMENTS name the vendor's key.
    let faceid = VendorDouble::spawn(Router::new().route(
        "/lite/v1/get_biz_token",
        post(|| async {
            (
                StatusCode::BAD_REQUEST,
                Json(json!({"request_id": "1700000000,ab12", "time_used": 3,
                    "error": "BAD_ARGUMENTS:idcard_number"})),
            )
        }),
    ))
    .await;
    let app = on_faceid_double(&faceid).await;
    let (status, error) = create_error(&app, faceid_create()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["field"], "subject.id_number");
    assert_eq!(error["vendor_code"], "BAD_ARGUMENTS");
    drop(app);

    // WeChat: getuseridkey 84001 refuses the identity.
    let wechat = VendorDouble::spawn(
        Router::new()
            .route(
                "/cgi-bin/stable_token",
                post(|| async {
                    Json(json!({"access_token": "ACCESS_TOKEN", "expires_in": 7200}))
                }),
            )
            .route(
                "/cityservice/face/identify/getuseridkey",
                post(|| async { Json(json!({"errcode": 84001, "errmsg": "非法identity_id"})) }),
            ),
    )
    .await;
    let app = TestApp::spawn_with(&[
        ("wechat_appid", "wx-double"),
        ("wechat_appsecret", "double-secret"),
        ("wechat_api_base", &wechat.url()),
    ])
    .await;
    let (status, error) = create_error(
        &app,
        json!({"provider": "wechat_mini", "subject": {"name": NAME, "id_number": ID_NUMBER},
            "return_url": format!("{MERCHANT}/done")}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(error["code"], "subject_refused");
    assert_eq!(error["reason"], "identity_mismatch");
    assert_eq!(error["field"], "subject.id_number");
    assert_eq!(error["vendor_code"], "84001");
    drop(app);

    // Baidu: idcard/submit answers a verification code about the identity, or a parameter
    // error naming id_no.
    for (code, message, status, field, reason) in [
        (
            222351,
            "身份证号与姓名不匹配或该身份证号不存在",
            StatusCode::UNPROCESSABLE_ENTITY,
            "subject.id_number",
            Some("identity_mismatch"),
        ),
        (
            222002,
            "param[id_no] format error",
            StatusCode::BAD_REQUEST,
            "subject.id_number",
            None,
        ),
    ] {
        let baidu = VendorDouble::spawn(
            Router::new()
                .route(
                    "/oauth/2.0/token",
                    post(|| async {
                        Json(json!({"access_token": "24.double", "expires_in": 2592000}))
                    }),
                )
                .route(
                    "/rpc/2.0/brain/solution/faceprint/verifyToken/generate",
                    post(|| async {
                        Json(
                            json!({"success": true, "result": {"verify_token": "vt-double"},
                            "log_id": "1"}),
                        )
                    }),
                )
                .route(
                    "/rpc/2.0/brain/solution/faceprint/idcard/submit",
                    post(move || async move {
                        Json(
                            json!({"success": false, "error_code": code, "error_msg": message,
                            "log_id": "2"}),
                        )
                    }),
                ),
        )
        .await;
        let app = TestApp::spawn_with(&[
            ("baidu_api_key", "double-key"),
            ("baidu_secret_key", "double-secret"),
            ("baidu_plan_id", "1234"),
            ("baidu_aip_base", &baidu.url()),
            ("baidu_h5_base", &baidu.url()),
        ])
        .await;
        let (got, error) = create_error(
            &app,
            json!({"provider": "baidu_h5", "subject": {"name": NAME, "id_number": ID_NUMBER},
                "return_url": format!("{MERCHANT}/done")}),
        )
        .await;
        assert_eq!(got, status, "{code}: {error}");
        assert_eq!(error["field"], field, "{code}");
        assert_eq!(error["reason"].as_str(), reason, "{code}");
        assert_eq!(error["vendor_code"], code.to_string());
    }
}

#[tokio::test]
async fn every_providers_return_keeps_the_merchant_query_byte_for_byte() {
    let app = on_simulated_vendors().await;
    for query in [
        // The report's input.
        "note=a%20b&sig=x%2By",
        "q=a+b&lower=%2b%3d&zh=%E4%B8%AD%E6%96%87",
        "flag&empty=&&next=%2Fpay%3Fa%3D1%26b%3D2",
    ] {
        for (provider, pass) in [
            ("sandbox", "pass"),
            ("baidu_h5", "pass"),
            ("faceid_lite", "1000:SUCCESS"),
            ("oemcloud", "pass"),
        ] {
            let session = app
                .create_session_with(json!({"provider": provider,
                    "return_url": format!("{MERCHANT}/done?{query}")}))
                .await;
            let back = app.complete_sandbox_page(&session, pass).await;
            let response = app.http.get(back).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            let landing = response
                .headers()
                .get(http::header::LOCATION)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let id = session["id"].as_str().unwrap();
            let expected = format!("{MERCHANT}/done?{query}&verification_id={id}&status=");
            assert!(landing.starts_with(&expected), "{provider}: {landing}");
            let status = &landing[expected.len()..];
            assert!(
                ["pending", "processing", "verified"].contains(&status),
                "{provider}: {landing}"
            );
            // Parsed, the merchant's parameters are what it wrote.
            assert_eq!(location(&response).path(), "/done");
        }
    }
}
