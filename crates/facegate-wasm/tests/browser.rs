//! The helper in a real browser (headless Chromium): the device check gathers real facts, the
//! URLs it builds are read back by the browser's own URL parser, messages and errors cross the
//! JavaScript boundary as documented, and `qrCodeSvg` checks its options before it loads the QR
//! module and says so when that module cannot be loaded; the QR module's drawing (the
//! facegate-qr crate) is an SVG document the browser renders (loaded from the package, the
//! module is tested in tests/e2e).
#![cfg(target_arch = "wasm32")]

use facegate_wasm::*;
use js_sys::{Array, Function, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Awaits a promise the helper returned.
async fn settle(promise: js_sys::Promise) -> Result<JsValue, JsValue> {
    wasm_bindgen_futures::JsFuture::from(promise).await
}

fn object(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

/// The error of a call that must fail (the typed results have no Debug).
fn failure<T>(result: Result<T, JsValue>) -> JsValue {
    match result {
        Ok(_) => panic!("the call succeeded"),
        Err(error) => error,
    }
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |value, key| {
        Reflect::get(&value, &key.into()).unwrap_or(JsValue::UNDEFINED)
    })
}

fn text(value: &JsValue, path: &str) -> String {
    get(value, path)
        .as_string()
        .unwrap_or_else(|| panic!("{path} is not a string"))
}

/// Runs `body` as JavaScript with `arg` bound, for what Rust cannot reach directly.
fn js(args: &str, body: &str) -> Function {
    Function::new_with_args(args, body)
}

#[wasm_bindgen_test]
async fn the_device_check_reports_this_browser() {
    // The fake camera (webdriver.json) shows its label once the page has used it.
    let open = js(
        "",
        "return navigator.mediaDevices.getUserMedia({video: true}).then(s => { s.getTracks().forEach(t => t.stop()); return true; })",
    );
    let opened = JsFuture::from(
        open.call0(&JsValue::NULL)
            .unwrap()
            .unchecked_into::<js_sys::Promise>(),
    )
    .await;
    assert!(opened.is_ok(), "the fake camera could not be opened");

    let report = settle(check_device(None, None)).await.expect("checkDevice");
    assert_eq!(text(&report, "container"), "desktop_browser");
    assert_eq!(get(&report, "mobile"), JsValue::FALSE);
    assert_eq!(
        get(&report, "secureContext"),
        JsValue::TRUE,
        "the test page is on loopback"
    );
    assert_eq!(text(&report, "os.name"), "linux");
    assert_eq!(get(&report, "camera.mediaDevices"), JsValue::TRUE);
    assert_eq!(get(&report, "camera.getUserMedia"), JsValue::TRUE);
    assert!(get(&report, "camera.cameras").as_f64().unwrap_or(0.0) >= 1.0);
    assert_eq!(text(&report, "camera.frontCamera"), "yes");
    assert_eq!(text(&report, "camera.permission"), "granted");
    let flows: Array = get(&report, "flows").unchecked_into();
    assert_eq!(flows.length(), 4);
    let h5 = flows.get(0);
    assert_eq!(text(&h5, "flow"), "h5_redirect");
    assert_eq!(
        get(&h5, "supported"),
        JsValue::TRUE,
        "{:?}",
        JSON::stringify(&h5)
    );
    assert_eq!(text(&report, "recommended.flow"), "h5_redirect");
    assert_eq!(text(&report, "recommended.provider"), "sandbox");

    let only_wechat: JsValue = Array::of1(&"wechat_mini".into()).into();
    let report = settle(check_device(Some(only_wechat.unchecked_into()), None))
        .await
        .unwrap();
    assert!(
        get(&report, "recommended").is_null(),
        "WeChat's flow needs a mini-program"
    );
}

#[wasm_bindgen_test]
fn analyze_device_takes_partial_facts_and_rejects_bad_providers() {
    let facts = object(
        r#"{"userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AlipayClient/10.3.70.6000 MiniProgram", "secureContext": true}"#,
    );
    let report: JsValue = analyze_device(facts.clone().unchecked_into(), None, None)
        .unwrap()
        .into();
    assert_eq!(text(&report, "container"), "alipay_mini_program");
    assert_eq!(text(&report, "os.version"), "17.1");
    assert_eq!(text(&report, "recommended.provider"), "oemcloud");
    assert_eq!(text(&report, "recommended.flow"), "web_view");
    let bad: JsValue = Array::of1(&"tencent".into()).into();
    let error = failure(analyze_device(
        facts.unchecked_into(),
        Some(bad.unchecked_into()),
        None,
    ));
    assert_eq!(text(&error, "code"), "invalid_argument");
    assert_eq!(text(&error, "field"), "enabledProviders");
}

#[wasm_bindgen_test]
fn baidu_urls_read_back_through_the_browsers_url_parser() {
    let success = "https://shop.example/done?order=1&名=张三#frag";
    let link = Object::new();
    Reflect::set(&link, &"token".into(), &"tok en&=#".into()).unwrap();
    Reflect::set(&link, &"successUrl".into(), &success.into()).unwrap();
    Reflect::set(
        &link,
        &"failedUrl".into(),
        &"https://shop.example/failed?x=a+b&y=中".into(),
    )
    .unwrap();
    let url = baidu_h5_url(link.unchecked_into()).expect("baiduH5Url");
    let parsed = web_sys_url(&url);
    assert_eq!(text(&parsed, "origin"), "https://brain.baidu.com");
    assert_eq!(text(&parsed, "pathname"), "/face/print/");
    assert_eq!(
        text(&parsed, "hash"),
        "",
        "the return URL's fragment must stay inside its parameter"
    );
    let params = get(&parsed, "searchParams");
    let read = |name: &str| {
        js("p, n", "return p.get(n)")
            .call2(&JsValue::NULL, &params, &name.into())
            .unwrap()
            .as_string()
            .unwrap()
    };
    assert_eq!(read("token"), "tok en&=#");
    assert_eq!(read("successUrl"), success);
    assert_eq!(read("failedUrl"), "https://shop.example/failed?x=a+b&y=中");
}

fn web_sys_url(url: &str) -> JsValue {
    js("u", "return new URL(u)")
        .call1(&JsValue::NULL, &url.into())
        .expect("a URL the browser accepts")
}

#[wasm_bindgen_test]
fn faceid_and_oemcloud_urls_and_next_actions() {
    let url = faceid_lite_url("1462257147,34fb21937e47ae719f11cbc719615687".into(), None).unwrap();
    assert_eq!(
        text(&web_sys_url(&url), "pathname"),
        "/lite/v1/do/1462257147,34fb21937e47ae719f11cbc719615687"
    );
    let links = object(
        r#"{"authUrl": "https://smlt.tsign.cn/I7vLahiqTMqT", "originalUrl": "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx1"}"#,
    );
    let short = oemcloud_url(
        links.clone().unchecked_into(),
        JsValue::from("mobile_browser").unchecked_into(),
    )
    .unwrap();
    assert_eq!(short, "https://smlt.tsign.cn/I7vLahiqTMqT");
    let long = oemcloud_url(
        links.clone().unchecked_into(),
        JsValue::from("alipay_mini_program").unchecked_into(),
    )
    .unwrap();
    assert!(long.starts_with("https://open.weixin.qq.com/"));
    let error =
        oemcloud_url(links.unchecked_into(), JsValue::from("tv").unchecked_into()).unwrap_err();
    assert_eq!(text(&error, "field"), "container");

    let redirect =
        object(r#"{"type": "redirect", "url": "http://127.0.0.1:8080/sandbox/h5/sbx_1"}"#);
    assert_eq!(
        next_action_url(redirect.unchecked_into()).unwrap(),
        "http://127.0.0.1:8080/sandbox/h5/sbx_1"
    );
    let wechat = object(r#"{"type": "wechat_mini_program", "user_id_key": "k"}"#);
    let error = next_action_url(wechat.unchecked_into()).unwrap_err();
    assert_eq!(text(&error, "code"), "not_a_redirect");
}

#[wasm_bindgen_test]
fn errors_are_js_errors_with_a_stable_code() {
    let link = object(
        r#"{"token": "t", "successUrl": "javascript:alert(1)", "failedUrl": "https://a.example/"}"#,
    );
    let error = baidu_h5_url(link.unchecked_into()).unwrap_err();
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(text(&error, "name"), "FacegateError");
    assert_eq!(text(&error, "code"), "invalid_argument");
    assert_eq!(text(&error, "field"), "successUrl");
    let missing = baidu_h5_url(object(r#"{"token": "t"}"#).unchecked_into()).unwrap_err();
    assert_eq!(text(&missing, "field"), "successUrl");
    let landing = failure(parse_return_url(
        "https://shop.example/return?status=verified".into(),
    ));
    assert_eq!(text(&landing, "code"), "invalid_return_url");
}

#[wasm_bindgen_test]
fn landing_urls_parse_into_camel_case_params() {
    let href = "https://shop.example/return?verification_id=vs_9&status=failed&biz_token=a,b";
    let params: JsValue = parse_return_url(href.into()).unwrap().into();
    assert_eq!(text(&params, "verificationId"), "vs_9");
    assert_eq!(text(&params, "status"), "failed");
}

#[wasm_bindgen_test]
fn web_view_messages_and_callbacks_cross_the_boundary() {
    let event = object(
        r#"{"detail": {"type": "IDENTITY_ALI_FACE_AWAKE", "token": "2F80", "url": "https://x.example/", "authFlowId": 186229}}"#,
    );
    let message: JsValue = parse_web_view_message(event, None).into();
    assert_eq!(text(&message, "action"), "start_alipay_verify");
    assert_eq!(text(&message, "certifyId"), "2F80");
    assert_eq!(text(&message, "authFlowId"), "186229");
    let done: JsValue =
        parse_web_view_message(object(r#"{"detail": {"type": "RN_DONE"}}"#), None).into();
    assert_eq!(text(&done, "action"), "finished");
    assert!(get(&done, "authFlowId").is_null());
    for odd in [
        JsValue::from(42),
        JsValue::NULL,
        object(r#"{"type": "WILL_DONE"}"#),
    ] {
        let ignored: JsValue = parse_web_view_message(odd, None).into();
        assert_eq!(text(&ignored, "action"), "ignored");
        assert!(!text(&ignored, "reason").is_empty());
        assert!(!text(&ignored, "message").is_empty());
    }

    let support: JsValue = wechat_face_support(
        Some(object(r#"{"errCode": 10001, "errMsg": "fail"}"#).unchecked_into()),
        None,
    )
    .into();
    assert_eq!(get(&support, "supported"), JsValue::FALSE);
    assert_eq!(text(&support, "reason"), "no_front_camera");
    let outcome: JsValue = wechat_verify_outcome(
        Some(object(r#"{"errCode": 0, "verifyResult": "XXIz"}"#).unchecked_into()),
        None,
    )
    .into();
    assert_eq!(text(&outcome, "action"), "submit");
    assert_eq!(text(&outcome, "verifyResult"), "XXIz");
    let alipay: JsValue =
        alipay_verify_outcome(Some(object(r#"{"resultStatus": "6001"}"#).unchecked_into())).into();
    assert_eq!(text(&alipay, "action"), "canceled");
}

/// A JS value as JSON, for comparisons that ignore key order.
fn json(value: &JsValue) -> serde_json::Value {
    let text = JSON::stringify(value).expect("JSON-safe").as_string();
    serde_json::from_str(&text.unwrap_or_else(|| "null".into())).expect("JSON")
}

#[wasm_bindgen_test]
fn every_web_view_case_of_the_shared_table_answers_as_expected() {
    // The plain-JS adapter runs the same table (tests/e2e/package.test.mjs).
    // The tables' texts are in the default locale, whatever this browser's languages.
    set_locale(Some(JsValue::from("zh-CN").unchecked_into()));
    let table = object(include_str!("../../../tests/cases/web_view_messages.json"));
    let cases: Array = get(&table, "cases").unchecked_into();
    assert!(cases.length() > 40, "the table lost its cases");
    let mut failures = Vec::new();
    for case in cases.iter() {
        let answer: JsValue = parse_web_view_message(get(&case, "input"), None).into();
        let (answer, expected) = (json(&answer), json(&get(&case, "expected")));
        if answer != expected {
            let name = text(&case, "name");
            failures.push(format!(
                "{name}:\n  expected {expected}\n  answered {answer}"
            ));
        }
    }
    set_locale(None);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Runs every case of a shared table through `answer`; lists the cases answered otherwise.
fn run_table(table: &str, answer: impl Fn(&JsValue) -> JsValue) {
    // The tables' texts are in the default locale, whatever this browser's languages.
    set_locale(Some(JsValue::from("zh-CN").unchecked_into()));
    let table = object(table);
    let cases: Array = get(&table, "cases").unchecked_into();
    assert!(cases.length() > 15, "the table lost its cases");
    let mut failures = Vec::new();
    for case in cases.iter() {
        let (answer, expected) = (json(&answer(&case)), json(&get(&case, "expected")));
        if answer != expected {
            let name = text(&case, "name");
            failures.push(format!(
                "{name}:\n  expected {expected}\n  answered {answer}"
            ));
        }
    }
    set_locale(None);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A case's `input` as the optional callback argument the exported functions take.
fn argument<T: JsCast>(case: &JsValue) -> Option<T> {
    optional(case, "input")
}

/// A case's field `name`, absent when null or undefined.
fn optional<T: JsCast>(case: &JsValue, name: &str) -> Option<T> {
    let value = get(case, name);
    (!value.is_null() && !value.is_undefined()).then(|| value.unchecked_into())
}

#[wasm_bindgen_test]
fn every_device_support_and_verify_outcome_case_answers_as_expected() {
    // The plain-JS adapter runs the same tables (tests/e2e/package.test.mjs).
    run_table(
        include_str!("../../../tests/cases/device_support.json"),
        |case| wechat_face_support(argument(case), optional(case, "context")).into(),
    );
    run_table(
        include_str!("../../../tests/cases/verify_outcomes.json"),
        |case| match text(case, "function").as_str() {
            "wechatVerifyOutcome" => wechat_verify_outcome(argument(case), None).into(),
            "wechatFacialVerifyOutcome" => wechat_facial_verify_outcome(argument(case)).into(),
            "alipayVerifyOutcome" => alipay_verify_outcome(argument(case)).into(),
            other => panic!("no function {other}"),
        },
    );
}

#[wasm_bindgen_test]
fn hostile_web_view_events_are_ignored_or_read_without_throwing() {
    let make = |body: &str| js("", body).call0(&JsValue::NULL).unwrap();
    let action = |event: JsValue| {
        let answer: JsValue = parse_web_view_message(event, None).into();
        text(&answer, "action")
    };
    assert_eq!(
        action(make("const a = {}; a.detail = a; return a;")),
        "ignored"
    );
    assert_eq!(
        action(make(
            "return new Proxy({}, { get() { throw new Error('trap'); } });"
        )),
        "ignored"
    );
    assert_eq!(
        action(make(
            "return { detail: { data: [{ type: 'RN_DONE' }, { get type() { throw new Error('getter'); } }] } };"
        )),
        "finished"
    );
    assert_eq!(
        action(make(
            "const a = []; a[4294967294] = { type: 'RN_DONE' }; return { detail: { data: a } };"
        )),
        "finished",
        "a sparse list is read from its last elements only"
    );
    assert_eq!(
        action(make(
            "return new Proxy([], { get() { throw new Error('trap'); } });"
        )),
        "ignored"
    );
    assert_eq!(action(JsValue::UNDEFINED), "ignored");
    assert_eq!(action(make("return () => 'RN_DONE';")), "ignored");
}

#[wasm_bindgen_test]
fn the_qr_code_is_an_svg_document_the_browser_renders() {
    let svg =
        facegate_qr::svg("http://127.0.0.1:8080/sandbox/h5/sbx_1", 4, "#000", "#fff").unwrap();
    let parse = js(
        "s",
        "const d = new DOMParser().parseFromString(s, 'image/svg+xml'); \
         if (d.querySelector('parsererror')) return null; \
         const host = document.createElement('div'); host.innerHTML = s; document.body.appendChild(host); \
         const box = host.querySelector('svg').getBoundingClientRect(); host.remove(); \
         return [d.documentElement.namespaceURI, d.querySelectorAll('path').length, box.width > 0];",
    );
    let result: Array = parse
        .call1(&JsValue::NULL, &svg.into())
        .unwrap()
        .unchecked_into();
    assert_eq!(
        result.get(0).as_string().as_deref(),
        Some("http://www.w3.org/2000/svg")
    );
    assert_eq!(result.get(1).as_f64(), Some(1.0));
    assert_eq!(
        result.get(2),
        JsValue::TRUE,
        "the SVG has a size in the page"
    );
}

#[wasm_bindgen_test]
async fn qr_code_svg_reads_its_options_first_and_names_a_module_it_cannot_load() {
    // A wrong option rejects at once, in the call's language, without loading anything.
    let options = object(r#"{"border": "4", "locale": "en"}"#);
    let error = failure(settle(qr_code_svg("x".into(), Some(options.unchecked_into()))).await);
    assert_eq!(text(&error, "code"), "invalid_argument");
    assert_eq!(text(&error, "field"), "options");
    assert!(text(&error, "detail").contains("border"));
    // The test runner serves no facegate_qr.js beside the helper: the load fails, is said as
    // such (the browser's words in detail), and is not remembered (the second call tries again).
    for _ in 0..2 {
        let options = object(r#"{"locale": "zh-CN"}"#);
        let error = failure(settle(qr_code_svg("x".into(), Some(options.unchecked_into()))).await);
        assert_eq!(text(&error, "name"), "FacegateError");
        assert_eq!(text(&error, "code"), "qr_unavailable");
        assert_eq!(
            text(&error, "message"),
            "二维码组件加载失败，请检查网络后重试"
        );
        assert!(!text(&error, "detail").is_empty());
    }
}

#[wasm_bindgen_test]
async fn an_unreachable_server_is_a_network_error() {
    let options = object(r#"{"baseUrl": "http://127.0.0.1:9"}"#);
    let client = FacegateClient::new(Some(options.unchecked_into())).unwrap();
    let error = failure(settle(client.retrieve("vs_1".into(), "secret".into())).await);
    assert_eq!(text(&error, "code"), "network_error");
    assert!(!text(&error, "message").contains("secret"));
    let bad = FacegateClient::new(Some(object(r#"{"baseUrl": "ftp://x"}"#).unchecked_into()));
    assert!(bad.is_err());
    // An http URL the browser cannot parse: refused when the request is built, said without
    // the URL (the browser's own words repeat it, client secret included).
    let options = object(r#"{"baseUrl": "http://[", "locale": "en"}"#);
    let client = FacegateClient::new(Some(options.unchecked_into())).unwrap();
    let error = failure(settle(client.retrieve("vs_1".into(), "cs_secret".into())).await);
    assert_eq!(text(&error, "code"), "network_error");
    assert!(text(&error, "detail").contains("baseUrl"));
    for property in ["message", "detail"] {
        assert!(!text(&error, property).contains("cs_secret"));
    }
}

#[wasm_bindgen_test]
fn version_matches_the_crate() {
    assert_eq!(version(), env!("CARGO_PKG_VERSION"));
}

/// Sets what `navigator.languages` and `navigator.language` answer for this page (`None`:
/// the browser's own again).
fn browser_languages(languages: Option<&[&str]>) {
    let list: Array = languages
        .unwrap_or_default()
        .iter()
        .map(|tag| JsValue::from(*tag))
        .collect();
    let body =
        "if (list === null) { delete navigator.languages; delete navigator.language; return; } \
        Object.defineProperty(navigator, 'languages', { get: () => list, configurable: true }); \
        Object.defineProperty(navigator, 'language', { get: () => list[0], configurable: true });";
    let list = if languages.is_some() {
        list.into()
    } else {
        JsValue::NULL
    };
    js("list", body).call1(&JsValue::NULL, &list).unwrap();
}

/// The device check's issue messages for the H5 flow and the WeChat mini-program flow, and the
/// recommendation's, in order.
async fn device_messages(options: Option<&str>) -> Vec<String> {
    let options = options.map(|json| object(json).unchecked_into());
    let report = settle(check_device(None, options))
        .await
        .expect("checkDevice");
    let flows: Array = get(&report, "flows").unchecked_into();
    let wechat = flows.get(1);
    assert_eq!(text(&wechat, "flow"), "wechat_mini_program");
    let issue: Array = get(&wechat, "issues").unchecked_into();
    assert_eq!(text(&issue.get(0), "code"), "not_in_wechat_mini_program");
    vec![
        text(&issue.get(0), "message"),
        text(&report, "recommended.reason"),
        text(&report, "recommended.message"),
    ]
}

#[wasm_bindgen_test]
async fn the_device_check_speaks_zh_cn_by_default_and_en_when_asked() {
    let zh = [
        "微信人脸核身仅能在微信小程序内发起，请在小程序中打开",
        "camera_available",
        "当前浏览器可以使用摄像头",
    ];
    let en = [
        "WeChat's face verification can only start inside a WeChat mini-program. Open this page there.",
        "camera_available",
        "This browser can open the camera.",
    ];
    // A browser whose languages the helper does not speak: zh-CN, the default.
    browser_languages(Some(&["fr-FR", "de"]));
    assert_eq!(device_messages(None).await, zh);
    assert_eq!(device_messages(Some(r#"{"locale": "en"}"#)).await, en);
    assert_eq!(current_locale(), "zh-CN");
    // No option: the browser's languages, the first the helper speaks.
    browser_languages(Some(&["fr-FR", "en-GB", "zh-CN"]));
    assert_eq!(device_messages(None).await, en);
    assert_eq!(device_messages(Some(r#"{"locale": "zh-CN"}"#)).await, zh);
    browser_languages(Some(&["zh-TW"]));
    assert_eq!(device_messages(Some(r#"{"locale": "fr"}"#)).await, zh);
    // The page's choice comes before the browser's; the call's before both.
    set_locale(Some(JsValue::from("en").unchecked_into()));
    assert_eq!(device_messages(None).await, en);
    assert_eq!(device_messages(Some(r#"{"locale": "zh-CN"}"#)).await, zh);
    set_locale(None);
    assert_eq!(device_messages(None).await, zh);
    browser_languages(None);
}

#[wasm_bindgen_test]
fn errors_speak_the_callers_locale() {
    let link =
        object(r#"{"token": "t", "successUrl": "ftp://x", "failedUrl": "https://a.example/"}"#);
    set_locale(Some(JsValue::from("zh-CN").unchecked_into()));
    let error = baidu_h5_url(link.clone().unchecked_into()).unwrap_err();
    assert_eq!(text(&error, "message"), "`successUrl`：须为 http(s) 地址");
    assert_eq!(text(&error, "field"), "successUrl");
    set_locale(Some(JsValue::from("en").unchecked_into()));
    let error = baidu_h5_url(link.unchecked_into()).unwrap_err();
    assert_eq!(
        text(&error, "message"),
        "successUrl: must be an http(s) URL"
    );
    assert_eq!(text(&error, "code"), "invalid_argument");
    set_locale(None);
    let explained = explain_failure(
        JsValue::from("capture_failed").unchecked_into(),
        Some(JsValue::from("zh-CN").unchecked_into()),
    )
    .unwrap();
    assert_eq!(explained, "光线不足或画面不清晰，请在明亮处重试");
    let label = status_label(
        JsValue::from("verified").unchecked_into(),
        Some(JsValue::from("en").unchecked_into()),
    )
    .unwrap();
    assert_eq!(label, "verified");
}
