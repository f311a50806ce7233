//! Bad input gets a 4xx with `{"error":{"code","message","field"}}` and changes nothing.

use facegate_tests::{TestApp, API_KEY, ID_NUMBER, MERCHANT, NAME};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn session_count(app: &TestApp) -> usize {
    let (status, page) = app.list("limit=100").await;
    assert_eq!(status, StatusCode::OK);
    page["data"].as_array().unwrap().len()
}

fn valid() -> Value {
    json!({
        "provider": "sandbox",
        "subject": {"name": NAME, "id_number": ID_NUMBER},
        "return_url": format!("{MERCHANT}/done"),
    })
}

fn with(field: &str, value: Value) -> Value {
    let mut body = valid();
    match field.split_once('.') {
        Some((outer, inner)) => body[outer][inner] = value,
        None => body[field] = value,
    }
    body
}

#[tokio::test]
async fn each_bad_field_is_named_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with("provider", json!("baidu")),
            "provider",
            "unknown variant",
        ),
        (with("provider", json!(7)), "provider", "expected"),
        (
            with("return_url", json!("ftp://shop.example/x")),
            "return_url",
            "http",
        ),
        (
            with("return_url", json!("https://evil.example/x")),
            "return_url",
            "allowlist",
        ),
        (
            with("return_url", json!("//evil.example/x")),
            "return_url",
            "absolute",
        ),
        (
            with("return_url", json!("javascript:alert(1)")),
            "return_url",
            "http",
        ),
        (
            with("return_url", json!("https://shop.example.evil.com/")),
            "return_url",
            "allowlist",
        ),
        (
            with("subject.id_number", json!("110101199003074515")),
            "subject.id_number",
            "check digit",
        ),
        (
            with("subject.id_number", json!("12345")),
            "subject.id_number",
            "18",
        ),
        (with("subject.name", json!("X")), "subject.name", "2 to 30"),
        (with("reference", json!("订单 1")), "reference", "letters"),
        (
            with("reference_image", json!("not base64!")),
            "reference_image",
            "base64",
        ),
        (
            with("reference_image", json!("aGVsbG8=")),
            "reference_image",
            "JPEG or PNG",
        ),
        (
            with("options", json!({"ttl_seconds": 0})),
            "options.ttl_seconds",
            "1 to 86400",
        ),
        (
            with("options", json!({"colour": "red"})),
            "options.colour",
            "unknown field",
        ),
        (with("surprise", json!(1)), "surprise", "unknown field"),
        (
            json!({"provider": "sandbox"}),
            "",
            "missing field `return_url`",
        ),
    ];
    for (body, field, needle) in cases {
        let (status, error) = app.try_create(body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} -> {error}");
        assert_eq!(error["error"]["code"], "invalid_request", "{error}");
        let named = error["error"]["field"].as_str().unwrap_or_default();
        assert_eq!(named, field, "{body} -> {error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
        assert!(
            !message.contains("1101011990"),
            "the ID number leaked: {message}"
        );
    }
    assert_eq!(session_count(&app).await, 0);
}

#[tokio::test]
async fn malformed_bodies_and_bad_credentials_are_refused() {
    let app = TestApp::spawn_with(&[("max_body_bytes", "4096")]).await;
    let post = |body: Vec<u8>, content_type: &'static str, key: Option<&'static str>| {
        let app = &app;
        async move {
            let mut request = app
                .http
                .post(app.url("/v1/verifications"))
                .header("content-type", content_type)
                .body(body);
            if let Some(key) = key {
                request = request.bearer_auth(key);
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let body = serde_json::to_vec(&valid()).unwrap();

    let (status, error) = post(
        b"{\"provider\": ".to_vec(),
        "application/json",
        Some(API_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["message"], "the body is not valid JSON");

    let (status, error) = post(body.clone(), "text/plain", Some(API_KEY)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Content-Type"));

    let mut huge = valid();
    huge["reference_image"] = json!("A".repeat(8192));
    let (status, error) = post(
        serde_json::to_vec(&huge).unwrap(),
        "application/json",
        Some(API_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error["error"]["code"], "payload_too_large");

    let (status, error) = post(body.clone(), "application/json", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error["error"]["code"], "unauthorized");
    let (status, _) = post(
        body.clone(),
        "application/json",
        Some("wrong-key-wrong-key"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    for path in [
        "/v1/verifications",
        "/v1/verifications/vs_000000000000000000000000",
    ] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(session_count(&app).await, 0);
}

#[tokio::test]
async fn unknown_sessions_and_bad_list_queries_are_clear_errors() {
    let app = TestApp::spawn().await;
    for id in ["vs_000000000000000000000000", "../../etc/passwd", "vs_"] {
        let response = app
            .http
            .get(app.url(&format!("/v1/verifications/{id}")))
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{id}");
    }
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("status=done", "status"),
        (
            "starting_after=vs_000000000000000000000000",
            "starting_after",
        ),
        ("colour=red", ""),
    ] {
        let (status, error) = app.list(query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(error["error"]["code"], "invalid_request");
        if !field.is_empty() {
            assert_eq!(error["error"]["field"], field, "{query}: {error}");
        }
    }
    // The unknown-session page an end user lands on: zh-CN unless asked otherwise.
    for (path, accept, lang, words) in [
        ("", None, "zh-CN", "未找到该认证"),
        ("", Some("en-GB,en;q=0.8"), "en", "Unknown verification"),
        ("?lang=en", Some("zh-CN"), "en", "Unknown verification"),
        (
            "?lang=zh-CN",
            Some("en"),
            "zh-CN",
            "请返回商户页面重新发起认证",
        ),
    ] {
        let mut request = app
            .http
            .get(app.url(&format!("/v1/return/vs_000000000000000000000000{path}")));
        if let Some(accept) = accept {
            request = request.header("accept-language", accept);
        }
        let unknown_return = request.send().await.unwrap();
        assert_eq!(unknown_return.status(), StatusCode::NOT_FOUND);
        assert_eq!(unknown_return.headers()["content-language"], lang);
        let page = unknown_return.text().await.unwrap();
        assert!(page.contains(&format!("<html lang=\"{lang}\">")), "{page}");
        assert!(page.contains(words), "{path} {accept:?}: {page}");
        assert!(
            page.contains("PingFang SC"),
            "a font stack that renders Chinese"
        );
        assert!(!page.contains(facegate_i18n::MISSING));
    }
}

#[tokio::test]
async fn a_provider_turned_off_is_unavailable() {
    let app = TestApp::spawn_with(&[("sandbox", "false")]).await;
    let (status, error) = app.try_create(valid()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["code"], "provider_unavailable");
    assert_eq!(error["error"]["field"], "provider");
    assert_eq!(session_count(&app).await, 0);
}

/// What axum refuses before a handler runs (a path that is not UTF-8, a body over a route's
/// limit, a method a route does not take) still answers the JSON error body.
#[tokio::test]
async fn rejections_before_any_handler_answer_the_json_error_body() {
    let app = TestApp::spawn().await;
    let not_utf8 = app
        .http
        .get(app.url("/v1/verifications/%FF%FE"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(not_utf8.status(), StatusCode::BAD_REQUEST);
    let body: Value = not_utf8.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_request", "{body}");

    let oversized = app
        .http
        .post(app.url("/v1/callbacks/sandbox"))
        .body(vec![b'x'; 70 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(oversized.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = oversized.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large", "{body}");

    let wrong_method = app
        .http
        .delete(app.url("/v1/verifications"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = wrong_method.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_request", "{body}");
    assert_eq!(session_count(&app).await, 0);
}
