//! The sandbox's pages through its router: zh-CN by default, en with `Accept-Language: en` or
//! `?lang=en`, the language switch and the outcome form keeping the query, no missing key.

use facegate_i18n::MISSING;
use facegate_sandbox::{router, SandboxConfig};
use http::{header, Method, Request, StatusCode};
use tower::ServiceExt;
use url::Url;

struct Shown {
    status: StatusCode,
    content_language: Option<String>,
    location: Option<String>,
    html: String,
}

async fn send(
    app: &axum::Router,
    method: Method,
    uri: &str,
    accept_language: Option<&str>,
    form: Option<&str>,
) -> Shown {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(language) = accept_language {
        request = request.header(header::ACCEPT_LANGUAGE, language);
    }
    let body = match form {
        Some(form) => {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            axum::body::Body::from(form.to_owned())
        }
        None => axum::body::Body::empty(),
    };
    let response = app
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let header_text = |name: header::HeaderName| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    let content_language = header_text(header::CONTENT_LANGUAGE);
    let location = header_text(header::LOCATION);
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Shown {
        status,
        content_language,
        location,
        html: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

async fn get(app: &axum::Router, uri: &str, accept_language: Option<&str>) -> Shown {
    send(app, Method::GET, uri, accept_language, None).await
}

/// Asserts a page is whole and in `tag`: `<html lang>`, Content-Language, no missing key, and a
/// language switch to the other locale.
fn assert_in(shown: &Shown, tag: &str) {
    let other = if tag == "en" { "zh-CN" } else { "en" };
    assert!(
        shown.html.contains(&format!("<html lang=\"{tag}\">")),
        "{}",
        shown.html
    );
    assert_eq!(shown.content_language.as_deref(), Some(tag));
    assert!(!shown.html.contains(MISSING), "{}", shown.html);
    assert!(
        shown.html.contains(&format!("hreflang=\"{other}\"")),
        "{}",
        shown.html
    );
    assert!(
        shown.html.contains(&format!("lang={other}\"")),
        "{}",
        shown.html
    );
}

fn app() -> (axum::Router, facegate_sandbox::Clock) {
    let config = SandboxConfig::new(Url::parse("http://127.0.0.1:9/").unwrap());
    let clock = config.clock.clone();
    (router(config), clock)
}

/// A session of the sandbox's own provider; returns its page's path.
async fn session(app: &axum::Router) -> String {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/sessions")
        .header(header::AUTHORIZATION, "Bearer sandbox")
        .header(header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(
            r#"{"return_url": "http://127.0.0.1:9/back", "ttl_seconds": 600}"#,
        ))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let created: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let page = Url::parse(created["page_url"].as_str().unwrap()).unwrap();
    page.path().to_owned()
}

#[tokio::test]
async fn the_outcome_page_is_zh_cn_by_default_and_en_when_asked() {
    let (app, _) = app();
    let page = session(&app).await;

    let zh = get(&app, &page, None).await;
    assert_eq!(zh.status, StatusCode::OK);
    assert_in(&zh, "zh-CN");
    for text in [
        "人脸核身",
        "沙箱（模拟服务商）",
        "认证通过",
        "模拟结果",
        "提交",
        "PingFang SC",
        "Noto Sans CJK SC",
    ] {
        assert!(zh.html.contains(text), "{text} in {}", zh.html);
    }
    // The radios' values are the machine-readable outcomes, in every locale.
    assert!(zh.html.contains("value=\"pass\""));
    assert!(zh.html.contains("value=\"liveness_failed\""));
    assert!(zh.html.contains("action=\"?lang=zh-CN\""), "{}", zh.html);
    assert_eq!(
        get(&app, &page, Some("fr, zh;q=0.5"))
            .await
            .content_language
            .as_deref(),
        Some("zh-CN")
    );

    let by_header = get(&app, &page, Some("en-US,en;q=0.9")).await;
    assert_in(&by_header, "en");
    assert!(by_header.html.contains("Pass: the face matches"));
    assert!(by_header.html.contains("<legend>Outcome</legend>"));

    let by_query = get(&app, &format!("{page}?lang=en"), Some("zh-CN")).await;
    assert_in(&by_query, "en");
    assert!(by_query.html.contains("Face verification"));
    assert!(by_query.html.contains("value=\"pass\""));
    assert!(by_query.html.contains("href=\"?lang=zh-CN\""));
}

#[tokio::test]
async fn the_switch_and_the_form_keep_the_other_query_parameters() {
    let (app, _) = app();
    let page = session(&app).await;
    let shown = get(&app, &format!("{page}?from=demo&lang=en&x=a+b"), None).await;
    assert_in(&shown, "en");
    assert!(
        shown
            .html
            .contains("href=\"?from=demo&amp;x=a+b&amp;lang=zh-CN\""),
        "{}",
        shown.html
    );
    assert!(
        shown
            .html
            .contains("action=\"?from=demo&amp;x=a+b&amp;lang=en\""),
        "{}",
        shown.html
    );
}

#[tokio::test]
async fn the_pages_after_a_post_keep_the_chosen_language() {
    let (app, clock) = app();
    let page = session(&app).await;
    // The form posts to its own URL with `lang`: a bad choice answers in that language.
    let bad = send(
        &app,
        Method::POST,
        &format!("{page}?lang=en"),
        None,
        Some("outcome=nonsense"),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_in(&bad, "en");
    assert!(bad.html.contains("Choose one of the listed outcomes."));
    let bad = send(&app, Method::POST, &page, None, Some("outcome=")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_in(&bad, "zh-CN");
    assert!(bad.html.contains("请从列出的结果中选择一项"));

    let done = send(
        &app,
        Method::POST,
        &format!("{page}?lang=en"),
        None,
        Some("outcome=pass"),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(done
        .location
        .unwrap()
        .starts_with("http://127.0.0.1:9/back?token="));

    let used = get(&app, &page, None).await;
    assert_eq!(used.status, StatusCode::GONE);
    assert_in(&used, "zh-CN");
    assert!(used.html.contains("链接已使用"));
    let used = get(&app, &format!("{page}?lang=en"), None).await;
    assert_in(&used, "en");
    assert!(used.html.contains("Link already used"));

    let expiring = session(&app).await;
    clock.advance(std::time::Duration::from_secs(601));
    let expired = get(&app, &expiring, None).await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert_in(&expired, "zh-CN");
    assert!(expired.html.contains("链接已过期"));
    let expired = get(&app, &expiring, Some("en")).await;
    assert!(expired.html.contains("Link expired"));
}

/// Every simulator's page for a handle it never issued, and for a choice it does not offer.
#[tokio::test]
async fn every_vendor_page_says_why_a_handle_is_unusable_in_both_locales() {
    let (app, _) = app();
    let back = "successUrl=http%3A%2F%2Fa.test%2F&failedUrl=http%3A%2F%2Fa.test%2F";
    let pages = [
        ("/h5/nope".to_owned(), StatusCode::NOT_FOUND, "链接无效"),
        (
            "/aliyun/h5/certify/nope".to_owned(),
            StatusCode::NOT_FOUND,
            "认证链接无效",
        ),
        (
            format!("/baidu/h5/face/print/?token=nope&{back}"),
            StatusCode::NOT_FOUND,
            "Token无效或者已过期",
        ),
        (
            "/baidu/h5/face/print/?token=nope".to_owned(),
            StatusCode::BAD_REQUEST,
            "http(s) 地址",
        ),
        (
            "/baidu/openapi/sandbox/legal_face/nope".to_owned(),
            StatusCode::NOT_FOUND,
            "二维码无效",
        ),
        (
            "/faceid/h5/lite/v1/do/nope".to_owned(),
            StatusCode::NOT_FOUND,
            "无效请求，或当前请求已过期",
        ),
        (
            "/oemcloud/h5/s/nope".to_owned(),
            StatusCode::NOT_FOUND,
            "链接不存在",
        ),
        (
            "/oemcloud/h5/auth/nope".to_owned(),
            StatusCode::NOT_FOUND,
            "认证流程不存在",
        ),
        (
            "/tencent/faceid/h5/auth?token=nope".to_owned(),
            StatusCode::NOT_FOUND,
            "非法BizToken",
        ),
        (
            "/wechat/sandbox/verify?user_id_key=nope".to_owned(),
            StatusCode::NOT_FOUND,
            "user_id_key",
        ),
        (
            "/wechat/verify/check?verify_id=nope".to_owned(),
            StatusCode::NOT_FOUND,
            "verify_id",
        ),
    ];
    for (uri, status, zh_text) in pages {
        let zh = get(&app, &uri, None).await;
        assert_eq!(zh.status, status, "{uri}");
        assert_in(&zh, "zh-CN");
        assert!(zh.html.contains(zh_text), "{uri}: {}", zh.html);
        assert!(zh.html.contains("沙箱（模拟服务商）"), "{uri}");

        let en = get(&app, &uri, Some("en")).await;
        assert_eq!(en.status, status, "{uri}");
        assert_in(&en, "en");
        assert!(en.html.contains("Sandbox (simulated vendor)"), "{uri}");

        let separator = if uri.contains('?') { '&' } else { '?' };
        let by_query = get(&app, &format!("{uri}{separator}lang=en"), None).await;
        assert_in(&by_query, "en");

        if uri.starts_with("/oemcloud/h5/s/") {
            continue; // a short link only redirects
        }
        let bad = send(&app, Method::POST, &uri, None, Some("outcome=nonsense")).await;
        assert!(bad.status.is_client_error(), "{uri}: {}", bad.status);
        assert_in(&bad, "zh-CN");
    }
}
