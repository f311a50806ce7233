//! The admin page and the alert rules, end to end: the admin key (off without one, refused when
//! wrong), the filters and statistics over sessions driven through the sandbox, masked subjects
//! only, and alerts posted once per episode to a receiver on loopback, then resolved.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use facegate_tests::{TestApp, API_KEY, ID_NUMBER, NAME};
use reqwest::StatusCode;
use serde_json::{json, Value};

const ADMIN_KEY: &str = "admin-key-for-tests-0123456789";
const ALERT_SECRET: &str = "alert-secret-for-tests";

async fn admin_app(extra: &[(&str, &str)]) -> TestApp {
    let mut pairs = vec![("admin_key", ADMIN_KEY)];
    pairs.extend_from_slice(extra);
    TestApp::spawn_with(&pairs).await
}

/// Creates a sandbox (or other) session, lets the sandbox user choose `outcome` (unless None:
/// left pending) and follows the return, so facegate confirms it. Returns the session id.
async fn drive(app: &TestApp, overrides: Value, outcome: Option<&str>) -> String {
    let session = app.create_session_with(overrides).await;
    let id = session["id"].as_str().unwrap().to_owned();
    if let Some(outcome) = outcome {
        let back = app.complete_sandbox_page(&session, outcome).await;
        app.follow_return(&back).await;
    }
    id
}

async fn get(
    app: &TestApp,
    path: &str,
    bearer: Option<&str>,
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut request = app.http.get(app.url(path));
    if let Some(key) = bearer {
        request = request.bearer_auth(key);
    }
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

async fn api(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let response = get(app, path, Some(ADMIN_KEY), None).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Logs in through the form; returns the `name=value` of the session cookie.
async fn log_in(app: &TestApp) -> String {
    let response = app
        .http
        .post(app.url("/admin/login"))
        .form(&[("key", ADMIN_KEY)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/admin");
    let set = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/admin"] {
        assert!(set.contains(attribute), "{attribute} missing: {set}");
    }
    set.split(';').next().unwrap().to_owned()
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn without_an_admin_key_the_admin_surface_does_not_exist() {
    let app = TestApp::spawn().await;
    for path in ["/admin", "/admin/login", "/admin/api/verifications"] {
        let response = get(&app, path, Some(API_KEY), None).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let response = app
        .http
        .post(app.url("/admin/login"))
        .form(&[("key", ADMIN_KEY)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_the_admin_key_opens_the_page_and_the_api() {
    let app = admin_app(&[]).await;

    // Not logged in: the page sends the browser to the login form; the API answers 401.
    let page = get(&app, "/admin", None, None).await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()["location"], "/admin/login");
    let form = get(&app, "/admin/login", None, None).await;
    assert_eq!(form.status(), StatusCode::OK);
    assert!(form.text().await.unwrap().contains("name=\"key\""));
    for bearer in [None, Some("wrong-admin-key-0123456789"), Some(API_KEY)] {
        let response = get(&app, "/admin/api/verifications", bearer, None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{bearer:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
    }
    // The admin key does not open the merchant API either.
    let merchant = get(&app, "/v1/verifications", Some(ADMIN_KEY), None).await;
    assert_eq!(merchant.status(), StatusCode::UNAUTHORIZED);

    // A wrong key on the form: 401 and the form again, no cookie.
    let wrong = app
        .http
        .post(app.url("/admin/login"))
        .form(&[("key", "wrong-admin-key-0123456789")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get("set-cookie").is_none());
    // zh-CN by default (the operator's language), the field's code unchanged in the form.
    assert!(wrong.text().await.unwrap().contains("管理密钥不正确"));
    let empty = app
        .http
        .post(app.url("/admin/login"))
        .form(&[("key", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);

    // The right key: a session cookie that opens the page and the API.
    let cookie = log_in(&app).await;
    let page = get(&app, "/admin", None, Some(&cookie)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"verifications\""));
    let (status, _) = api(&app, "/admin/api/verifications").await;
    assert_eq!(status, StatusCode::OK);
    let with_cookie = get(&app, "/admin/api/stats", None, Some(&cookie)).await;
    assert_eq!(with_cookie.status(), StatusCode::OK);
    // A forged cookie is no session.
    let forged = get(
        &app,
        "/admin",
        None,
        Some("facegate_admin=9999999999.forged"),
    )
    .await;
    assert_eq!(forged.status(), StatusCode::SEE_OTHER);

    // Logging out needs the page's CSRF token.
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the logout form carries a CSRF token")
        .to_owned();
    let refused = app
        .http
        .post(app.url("/admin/logout"))
        .header("cookie", &cookie)
        .form(&[("csrf", "0000")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let out = app
        .http
        .post(app.url("/admin/logout"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let cleared = out.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    // Not only cleared in this browser: a copy of the cookie (kept, stolen) is ended too.
    let replayed = get(&app, "/admin", None, Some(&cookie)).await;
    assert_eq!(replayed.status(), StatusCode::SEE_OTHER);
    assert_eq!(replayed.headers()["location"], "/admin/login");
    let replayed = get(&app, "/admin/api/stats", None, Some(&cookie)).await;
    assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED);
    // Another login is a new session, unaffected.
    let again = log_in(&app).await;
    assert_ne!(again, cookie);
    assert_eq!(
        get(&app, "/admin", None, Some(&again)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn filters_and_statistics_match_the_sessions_and_show_masked_subjects_only() {
    let app = admin_app(&[("sandbox_vendors", "true")]).await;
    let passed = drive(&app, json!({"reference": "order-a"}), Some("pass")).await;
    let not_same = drive(
        &app,
        json!({"reference": "order-b"}),
        Some("not_same_person"),
    )
    .await;
    let attack = drive(
        &app,
        json!({"reference": "order-b"}),
        Some("liveness_failed"),
    )
    .await;
    let pending = drive(&app, json!({"reference": "order-c"}), None).await;
    let faceid = drive(
        &app,
        json!({"reference": "order-d", "provider": "faceid_lite"}),
        None,
    )
    .await;

    let (status, all) = api(&app, "/admin/api/verifications").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["total"], 5);
    assert_eq!(
        ids(&all),
        [
            faceid.as_str(),
            pending.as_str(),
            attack.as_str(),
            not_same.as_str(),
            passed.as_str()
        ]
    );
    let row = &all["data"][2];
    assert_eq!(row["status"], "failed");
    assert_eq!(row["reason"], "liveness_failed");
    assert_eq!(row["subject_name"], "张*");
    assert_eq!(row["subject_id_number"], "110***********4514");
    assert_eq!(row["confirmed_by"], "sandbox");

    let (_, by_provider) = api(&app, "/admin/api/verifications?provider=faceid_lite").await;
    assert_eq!(ids(&by_provider), [faceid.as_str()]);
    let (_, failed) = api(&app, "/admin/api/verifications?status=failed").await;
    assert_eq!(ids(&failed), [attack.as_str(), not_same.as_str()]);
    let (_, by_reference) = api(
        &app,
        "/admin/api/verifications?reference=order-b&status=failed",
    )
    .await;
    assert_eq!(by_reference["total"], 2);
    // Days are the operator's: Asia/Shanghai (UTC+8, no daylight saving) by default.
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date();
    let yesterday = today.previous_day().unwrap();
    let (_, from_today) = api(&app, &format!("/admin/api/verifications?from={today}")).await;
    assert_eq!(from_today["total"], 5);
    let (_, until_yesterday) = api(&app, &format!("/admin/api/verifications?to={yesterday}")).await;
    assert_eq!(until_yesterday["total"], 0);
    let (_, third_page) = api(&app, "/admin/api/verifications?per_page=2&page=3").await;
    assert_eq!(ids(&third_page), [passed.as_str()]);
    assert_eq!(third_page["pages"], 3);

    for (query, field) in [
        ("provider=alipay", "provider"),
        ("status=done", "status"),
        ("from=27-11-2026", "from"),
        ("page=0", "page"),
    ] {
        let (status, body) = api(&app, &format!("/admin/api/verifications?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body["error"]["field"], field, "{query}");
    }

    let (status, stats) = api(&app, "/admin/api/stats").await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(stats["time_zone"], "Asia/Shanghai");
    let day = today.to_string();
    let rows = stats["data"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{stats}");
    let sandbox = rows.iter().find(|r| r["provider"] == "sandbox").unwrap();
    assert_eq!(sandbox["day"], day.as_str());
    assert_eq!(sandbox["total"], 4);
    assert_eq!(sandbox["by_status"]["verified"], 1);
    assert_eq!(sandbox["by_status"]["failed"], 2);
    assert_eq!(sandbox["by_status"]["pending"], 1);
    assert!((sandbox["pass_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(
        sandbox["failure_reasons"],
        json!({"liveness_failed": 1, "not_same_person": 1})
    );
    assert_eq!(sandbox["vendor_sessions"], 4);
    let lite = rows
        .iter()
        .find(|r| r["provider"] == "faceid_lite")
        .unwrap();
    assert_eq!(lite["total"], 1);
    assert_eq!(lite["pass_rate"], Value::Null);
    let (_, only_lite) = api(&app, "/admin/api/stats?provider=faceid_lite").await;
    assert_eq!(only_lite["data"].as_array().unwrap().len(), 1);

    // The page: the filter applied, the subject masked, the person's data nowhere.
    let cookie = log_in(&app).await;
    let page = get(
        &app,
        "/admin?status=failed&reference=order-b",
        None,
        Some(&cookie),
    )
    .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("data-id=\"{attack}\"")));
    assert!(html.contains(&format!("data-id=\"{not_same}\"")));
    assert!(!html.contains(&format!("data-id=\"{passed}\"")));
    assert!(html.contains("110***********4514") && html.contains("张*"));
    assert!(html.contains("liveness_failed"));
    let unfiltered = get(&app, "/admin", None, Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    let (_, api_all) = api(&app, "/admin/api/verifications").await;
    for shown in [&html, &unfiltered, &api_all.to_string(), &stats.to_string()] {
        assert!(!shown.contains(ID_NUMBER), "the ID number leaked");
        assert!(!shown.contains(NAME), "the name leaked");
    }
    let bad = get(&app, "/admin?from=tomorrow", None, Some(&cookie)).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad = bad.text().await.unwrap();
    assert!(bad.contains("data-field=\"from\""), "{bad}");
    assert!(bad.contains("from：请输入日期（YYYY-MM-DD）"), "{bad}");
    let bad = get(&app, "/admin?from=tomorrow&lang=en", None, Some(&cookie)).await;
    assert!(bad
        .text()
        .await
        .unwrap()
        .contains("from: enter a date (YYYY-MM-DD)"));
}

/// Fetches an admin page with the session cookie and, optionally, an Accept-Language.
async fn page_in(
    app: &TestApp,
    path: &str,
    cookie: &str,
    accept: Option<&str>,
) -> (HeaderMap, String) {
    let mut request = app.http.get(app.url(path)).header("cookie", cookie);
    if let Some(accept) = accept {
        request = request.header("accept-language", accept);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let headers = response.headers().clone();
    (headers, response.text().await.unwrap())
}

#[tokio::test]
async fn the_admin_page_is_zh_cn_by_default_and_en_on_request_with_times_in_the_operators_zone() {
    let app = admin_app(&[("sandbox_vendors", "true")]).await;
    let attack = drive(
        &app,
        json!({"reference": "order-l"}),
        Some("liveness_failed"),
    )
    .await;
    let cookie = log_in(&app).await;

    let (headers, zh) = page_in(&app, "/admin", &cookie, None).await;
    assert_eq!(headers["content-language"], "zh-CN");
    assert_eq!(headers["vary"], "Accept-Language");
    assert!(zh.contains("<html lang=\"zh-CN\">"));
    for words in [
        "facegate 管理后台",
        "核验记录",
        "告警",
        "按服务商和日期统计",
        "认证未通过",
        "商户业务号",
        "创建时间（Asia/Shanghai）",
    ] {
        assert!(zh.contains(words), "zh-CN page lacks {words}");
    }
    // Codes stay codes beside the words: the status attribute, the reason, the provider.
    assert!(zh.contains(&format!(
        "data-id=\"{attack}\" data-provider=\"sandbox\" data-status=\"failed\""
    )));
    assert!(zh.contains(">liveness_failed<") && zh.contains("活体检测未通过，请本人正对屏幕重试"));

    for (path, accept) in [
        ("/admin", Some("en-US,en;q=0.9")),
        ("/admin?lang=en", Some("zh-CN")),
        ("/admin?lang=en", None),
    ] {
        let (headers, en) = page_in(&app, path, &cookie, accept).await;
        assert_eq!(headers["content-language"], "en", "{path} {accept:?}");
        assert!(en.contains("<html lang=\"en\">"));
        for words in [
            "facegate admin",
            "Verifications",
            "Alerts",
            "Statistics per provider and day",
            "Created (Asia/Shanghai)",
        ] {
            assert!(
                en.contains(words),
                "{path} {accept:?}: the en page lacks {words}"
            );
        }
        assert!(
            !en.contains("核验记录"),
            "{path} {accept:?}: zh-CN on the en page"
        );
    }
    // A language chosen by ?lang= is carried on by the page's own links and forms.
    let (_, en) = page_in(&app, "/admin?lang=en&status=failed", &cookie, None).await;
    assert!(
        en.contains("name=\"lang\" value=\"en\""),
        "the filter form keeps lang"
    );
    assert!(en.contains("action=\"/admin/logout?lang=en\""));
    assert!(
        en.contains("href=\"/admin?status=failed&amp;page=1&amp;lang=zh-CN\""),
        "the switch keeps the filter"
    );
    for page in [&zh, &en] {
        assert!(
            !page.contains(facegate_i18n::MISSING),
            "a missing key on the page"
        );
    }

    // Times: the operator's zone, the UTC value kept in datetime and the title. Shanghai is
    // UTC+8 with no daylight saving; Hong Kong likewise, so take a zone that differs: UTC.
    let (_, api_page) = api(&app, "/admin/api/verifications").await;
    let created = api_page["data"][0]["created_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let at = time::OffsetDateTime::parse(&created, &time::format_description::well_known::Rfc3339)
        .unwrap();
    let local = at.to_offset(time::macros::offset!(+8));
    let shown = format!(
        "<time datetime=\"{created}\" title=\"UTC：{created}\">{:04}-{:02}-{:02} {:02}:{:02}:{:02}</time>",
        local.year(), u8::from(local.month()), local.day(), local.hour(), local.minute(), local.second()
    );
    assert!(zh.contains(&shown), "{shown} not on the page");

    let utc = admin_app(&[("sandbox_vendors", "true"), ("admin_time_zone", "UTC")]).await;
    drive(&utc, json!({"reference": "order-u"}), Some("pass")).await;
    let cookie = log_in(&utc).await;
    let (_, page) = page_in(&utc, "/admin?lang=en", &cookie, None).await;
    assert!(page.contains("Created (UTC)"));
    let (_, api_page) = api(&utc, "/admin/api/verifications").await;
    let created = api_page["data"][0]["created_at"].as_str().unwrap();
    let plain = created.trim_end_matches('Z').replace('T', " ");
    let plain = plain.split('.').next().unwrap();
    assert!(
        page.contains(&format!(">{plain}</time>")),
        "{plain} not on the UTC page"
    );
}

/// A webhook receiver on loopback that keeps what it is sent.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<(HeaderMap, String)>>>,
}

impl Receiver {
    async fn spawn() -> Self {
        let received: Arc<Mutex<Vec<(HeaderMap, String)>>> = Arc::default();
        let keep = received.clone();
        let router = axum::Router::new().route(
            "/alerts",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let keep = keep.clone();
                async move {
                    keep.lock().unwrap().push((headers, body));
                    StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/alerts", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self { url, received }
    }

    /// The alert events received so far (signature checked), as JSON.
    fn events(&self) -> Vec<Value> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|(headers, body)| {
                let signature = headers["facegate-signature"].to_str().unwrap();
                facegate_server::workers::webhooks::verify(
                    ALERT_SECRET.as_bytes(),
                    signature,
                    body.as_bytes(),
                    time::OffsetDateTime::now_utc(),
                    Duration::from_secs(300),
                )
                .expect("a valid signature");
                serde_json::from_str(body).unwrap()
            })
            .collect()
    }

    async fn wait_for(&self, count: usize) -> Vec<Value> {
        for _ in 0..100 {
            let events = self.events();
            if events.len() >= count {
                return events;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("fewer than {count} alerts arrived: {:?}", self.events());
    }
}

fn kinds(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|event| {
            format!(
                "{} {} #{}",
                event["type"].as_str().unwrap(),
                event["data"]["rule"].as_str().unwrap(),
                event["data"]["episode"]
            )
        })
        .collect()
}

#[tokio::test]
async fn a_failure_rate_alert_fires_once_per_episode_and_resolves() {
    let receiver = Receiver::spawn().await;
    let app = admin_app(&[
        ("alert_webhook_url", receiver.url.as_str()),
        ("alert_webhook_secret", ALERT_SECRET),
        ("alert_interval_ms", "100"),
        ("alert_failure_rate_threshold", "0.5"),
        ("alert_failure_rate_min_count", "2"),
        ("alert_failure_rate_window_seconds", "600"),
        ("alert_liveness_failures", "0"),
    ])
    .await;
    drive(&app, json!({}), Some("not_same_person")).await;
    // One failure is under the minimum count: nothing fires.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(receiver.events().is_empty());
    drive(&app, json!({}), Some("identity_mismatch")).await;
    let events = receiver.wait_for(1).await;
    assert_eq!(kinds(&events), ["alert.firing failure_rate #1"]);
    let firing = &events[0]["data"];
    assert_eq!(firing["provider"], "sandbox");
    assert_eq!(
        (firing["value"].as_f64(), firing["sample"].as_i64()),
        (Some(1.0), Some(2))
    );
    assert_eq!(events[0]["id"], "alert_failure_rate.sandbox_1_firing");

    // Many evaluations later it is still one notification, and the page shows it firing.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver.events().len(), 1);
    let (_, alerts) = api(&app, "/admin/api/alerts").await;
    assert_eq!(alerts["data"][0]["status"], "firing", "{alerts}");
    assert_eq!(alerts["data"][0]["notification"], "sent");
    let cookie = log_in(&app).await;
    let html = get(&app, "/admin", None, Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(html
        .contains("data-rule=\"failure_rate\" data-provider=\"sandbox\" data-status=\"firing\""));

    // Two passes bring the rate to 50%, not above the threshold: resolved, once.
    drive(&app, json!({}), Some("pass")).await;
    drive(&app, json!({}), Some("pass")).await;
    let events = receiver.wait_for(2).await;
    assert_eq!(
        kinds(&events),
        [
            "alert.firing failure_rate #1",
            "alert.resolved failure_rate #1"
        ]
    );
    assert!(events[1]["data"]["resolved_at"].is_string());

    // Failures again: a second episode, one notification.
    drive(&app, json!({}), Some("not_same_person")).await;
    let events = receiver.wait_for(3).await;
    assert_eq!(kinds(&events)[2], "alert.firing failure_rate #2");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.events().len(), 3);
}

#[tokio::test]
async fn a_liveness_attack_spike_fires_and_resolves_when_its_window_passes() {
    let receiver = Receiver::spawn().await;
    let app = admin_app(&[
        ("alert_webhook_url", receiver.url.as_str()),
        ("alert_webhook_secret", ALERT_SECRET),
        ("alert_interval_ms", "100"),
        ("alert_failure_rate_min_count", "0"),
        ("alert_liveness_failures", "2"),
        ("alert_liveness_window_seconds", "2"),
    ])
    .await;
    drive(&app, json!({}), Some("liveness_failed")).await;
    drive(&app, json!({}), Some("not_same_person")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.events().is_empty(), "one attack is not a spike");
    drive(&app, json!({}), Some("liveness_failed")).await;
    let events = receiver.wait_for(1).await;
    assert_eq!(kinds(&events), ["alert.firing liveness_attacks #1"]);
    assert_eq!(events[0]["data"]["value"], 2.0);
    // The attacks age out of the two-second window: resolved.
    let events = receiver.wait_for(2).await;
    assert_eq!(
        kinds(&events),
        [
            "alert.firing liveness_attacks #1",
            "alert.resolved liveness_attacks #1"
        ]
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.events().len(), 2);
}

#[tokio::test]
async fn replicas_on_one_database_fire_and_deliver_each_transition_once() {
    use facegate_server::store::{AlertReading, AlertStatus};
    // The app's own rules are off: only the three "replicas" below touch the alert.
    let app = admin_app(&[
        ("alert_failure_rate_min_count", "0"),
        ("alert_liveness_failures", "0"),
    ])
    .await;
    let (a, b, c) = (app.store().await, app.store().await, app.store().await);
    let reading = AlertReading {
        key: "failure_rate.sandbox".into(),
        rule: "failure_rate".into(),
        provider: facegate_types::Provider::Sandbox,
        value: 0.9,
        threshold: 0.5,
        sample: 10,
    };
    let now = time::OffsetDateTime::now_utc();
    let lease = now + time::Duration::seconds(60);
    let count = |results: [Option<_>; 3]| results.iter().flatten().count();

    let fired = tokio::join!(
        a.alert_fire(&reading, true, now),
        b.alert_fire(&reading, true, now),
        c.alert_fire(&reading, true, now)
    );
    assert_eq!(
        count([fired.0.unwrap(), fired.1.unwrap(), fired.2.unwrap()]),
        1
    );
    assert!(
        a.alert_fire(&reading, true, now).await.unwrap().is_none(),
        "already firing"
    );

    let claimed = tokio::join!(
        a.claim_alert_notifications(now, lease, 10),
        b.claim_alert_notifications(now, lease, 10),
        c.claim_alert_notifications(now, lease, 10)
    );
    let claimed: Vec<_> = [claimed.0.unwrap(), claimed.1.unwrap(), claimed.2.unwrap()]
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(claimed.len(), 1, "one replica sends the notification");
    assert_eq!(
        (claimed[0].episode, claimed[0].status),
        (1, AlertStatus::Firing)
    );
    a.alert_notified(&reading.key, 1, AlertStatus::Firing)
        .await
        .unwrap();
    assert!(b
        .claim_alert_notifications(now, lease, 10)
        .await
        .unwrap()
        .is_empty());

    let resolved = tokio::join!(
        a.alert_resolve(&reading, true, now),
        b.alert_resolve(&reading, true, now),
        c.alert_resolve(&reading, true, now)
    );
    assert_eq!(
        count([
            resolved.0.unwrap(),
            resolved.1.unwrap(),
            resolved.2.unwrap()
        ]),
        1
    );
    // A failed delivery is retried later, not sooner.
    let claimed = c.claim_alert_notifications(now, lease, 10).await.unwrap();
    assert_eq!(claimed[0].status, AlertStatus::Resolved);
    c.alert_notify_failed(&reading.key, lease, "the endpoint answered 500")
        .await
        .unwrap();
    assert!(a
        .claim_alert_notifications(now, lease, 10)
        .await
        .unwrap()
        .is_empty());
    let later = a
        .claim_alert_notifications(lease, lease + time::Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(
        later[0].last_error.as_deref(),
        Some("the endpoint answered 500")
    );
    let shown = a.alerts().await.unwrap();
    assert_eq!(shown.len(), 1);
    assert!(shown[0].notify_pending && shown[0].resolved_at.is_some());
}
