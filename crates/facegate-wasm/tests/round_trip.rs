//! The helper against a real facegate server with the sandbox vendor, in headless Chromium.
//! scripts/wasm-test.sh starts the server, creates three sessions and passes them in at build
//! time: `FACEGATE_TEST_URL` and `FACEGATE_TEST_{PASS,FAIL,PENDING}` = "<id> <client_secret>".
#![cfg(target_arch = "wasm32")]

use facegate_wasm::FacegateClient;
use js_sys::{Function, Promise, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Awaits a promise the helper returned.
async fn settle(promise: js_sys::Promise) -> Result<JsValue, JsValue> {
    wasm_bindgen_futures::JsFuture::from(promise).await
}

fn server() -> &'static str {
    env!(
        "FACEGATE_TEST_URL",
        "run scripts/wasm-test.sh: it starts the server these tests need"
    )
}

/// (id, client_secret) of a session the script created.
fn session(value: &'static str) -> (String, String) {
    let (id, secret) = value.split_once(' ').expect("\"<id> <client_secret>\"");
    (id.to_owned(), secret.to_owned())
}

fn client() -> FacegateClient {
    let options = JSON::parse(&format!(r#"{{"baseUrl": "{}"}}"#, server())).unwrap();
    FacegateClient::new(Some(options.unchecked_into())).unwrap()
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |value, key| {
        Reflect::get(&value, &key.into()).unwrap_or(JsValue::UNDEFINED)
    })
}

fn text(value: &JsValue, path: &str) -> String {
    get(value, path)
        .as_string()
        .unwrap_or_else(|| panic!("{path} is not a string in {:?}", JSON::stringify(value)))
}

fn failure<T>(result: Result<T, JsValue>) -> JsValue {
    match result {
        Ok(_) => panic!("the call succeeded"),
        Err(error) => error,
    }
}

fn wait_options(json: &str) -> facegate_wasm::WaitOptionsJs {
    JSON::parse(json).unwrap().unchecked_into()
}

/// The sandbox user submits an outcome on the vendor page: its own form, posted into an iframe
/// that follows the return flow (sandbox -> facegate's /v1/return -> the return_url).
async fn choose_on_sandbox_page(page_url: &str, outcome: &str) {
    let submit = Function::new_with_args(
        "url, outcome",
        "return new Promise((resolve, reject) => { \
           const frame = document.createElement('iframe'); frame.name = 'sandbox-' + Math.random(); \
           document.body.appendChild(frame); \
           const form = document.createElement('form'); form.method = 'post'; form.action = url; \
           form.target = frame.name; \
           const input = document.createElement('input'); input.name = 'outcome'; input.value = outcome; \
           form.appendChild(input); document.body.appendChild(form); form.submit(); \
           const timer = setTimeout(() => reject(new Error('the page did not load in 10 s')), 10000); \
           frame.addEventListener('load', () => { clearTimeout(timer); frame.remove(); form.remove(); resolve(); }); })",
    );
    let promise: Promise = submit
        .call2(&JsValue::NULL, &page_url.into(), &outcome.into())
        .unwrap()
        .unchecked_into();
    if let Err(error) = JsFuture::from(promise).await {
        panic!("the sandbox page did not take the form: {error:?}");
    }
}

#[wasm_bindgen_test]
async fn a_pending_session_shows_its_next_action_and_no_personal_data() {
    let (id, secret) = session(env!("FACEGATE_TEST_PENDING"));
    let session = settle(client().retrieve(id.clone(), secret.clone()))
        .await
        .unwrap();
    assert_eq!(text(&session, "id"), id);
    assert_eq!(text(&session, "object"), "verification");
    assert_eq!(text(&session, "provider"), "sandbox");
    assert_eq!(text(&session, "status"), "pending");
    assert_eq!(text(&session, "next_action.type"), "redirect");
    assert!(text(&session, "next_action.url").starts_with(server()));
    assert!(get(&session, "result").is_null());
    for private in ["subject", "reference", "client_secret"] {
        assert!(
            get(&session, private).is_undefined(),
            "{private} must not reach the browser"
        );
    }
}

#[wasm_bindgen_test]
async fn a_wrong_client_secret_is_the_servers_not_found() {
    let (id, _) = session(env!("FACEGATE_TEST_PENDING"));
    let error = failure(settle(client().retrieve(id, "not-the-secret".into())).await);
    assert_eq!(text(&error, "name"), "FacegateError");
    assert_eq!(text(&error, "code"), "not_found");
    assert!(!text(&error, "message").contains("not-the-secret"));
}

#[wasm_bindgen_test]
async fn a_sandbox_session_takes_no_wechat_verify_result() {
    let (id, secret) = session(env!("FACEGATE_TEST_PENDING"));
    let error = failure(settle(client().submit_wechat_result(id, secret, "XXIz".into())).await);
    assert_eq!(text(&error, "code"), "conflict");
}

#[wasm_bindgen_test]
async fn waiting_stops_at_the_timeout_and_on_abort() {
    let (id, secret) = session(env!("FACEGATE_TEST_PENDING"));
    let options = wait_options(r#"{"intervalMs": 50, "timeoutMs": 300}"#);
    let error =
        failure(settle(client().wait_for_result(id.clone(), secret.clone(), Some(options))).await);
    assert_eq!(text(&error, "code"), "timeout");

    let with_abort = Function::new_with_args(
        "",
        "const c = new AbortController(); setTimeout(() => c.abort(), 200); \
         return {intervalMs: 5000, timeoutMs: 60000, signal: c.signal};",
    );
    let options: JsValue = with_abort.call0(&JsValue::NULL).unwrap();
    let started = js_sys::Date::now();
    let error =
        failure(settle(client().wait_for_result(id, secret, Some(options.unchecked_into()))).await);
    assert_eq!(text(&error, "code"), "aborted");
    assert!(
        js_sys::Date::now() - started < 4000.0,
        "the abort cut the wait short"
    );
}

#[wasm_bindgen_test]
async fn a_pass_on_the_vendor_page_is_confirmed_as_verified() {
    let (id, secret) = session(env!("FACEGATE_TEST_PASS"));
    let pending = settle(client().retrieve(id.clone(), secret.clone()))
        .await
        .unwrap();
    choose_on_sandbox_page(&text(&pending, "next_action.url"), "pass").await;
    let options = wait_options(r#"{"intervalMs": 100, "timeoutMs": 15000}"#);
    let session = settle(client().wait_for_result(id, secret, Some(options)))
        .await
        .unwrap();
    assert_eq!(text(&session, "status"), "verified");
    assert_eq!(get(&session, "result.passed"), JsValue::TRUE);
    assert!(get(&session, "result.reason").is_null());
    assert_eq!(text(&session, "result.confirmed_by"), "sandbox");
    assert!(get(&session, "next_action").is_null());
}

#[wasm_bindgen_test]
async fn a_failure_on_the_vendor_page_comes_back_with_its_reason() {
    let (id, secret) = session(env!("FACEGATE_TEST_FAIL"));
    let pending = settle(client().retrieve(id.clone(), secret.clone()))
        .await
        .unwrap();
    choose_on_sandbox_page(&text(&pending, "next_action.url"), "liveness_failed").await;
    let options = wait_options(r#"{"intervalMs": 100, "timeoutMs": 15000}"#);
    let session = settle(client().wait_for_result(id, secret, Some(options)))
        .await
        .unwrap();
    assert_eq!(text(&session, "status"), "failed");
    assert_eq!(get(&session, "result.passed"), JsValue::FALSE);
    assert_eq!(text(&session, "result.reason"), "liveness_failed");
}

#[wasm_bindgen_test]
async fn a_client_with_a_locale_talks_to_the_server_and_fails_in_its_language() {
    let (id, secret) = session(env!("FACEGATE_TEST_PENDING"));
    for (locale, timeout) in [
        ("zh-CN", "等待 200 毫秒仍未得到认证结果，请稍后重试"),
        (
            "en",
            "No final status within 200 ms. Please try again later.",
        ),
    ] {
        let options = JSON::parse(&format!(
            r#"{{"baseUrl": "{}", "locale": "{locale}"}}"#,
            server()
        ))
        .unwrap();
        let client = FacegateClient::new(Some(options.unchecked_into())).unwrap();
        // Its Accept-Language keeps the cross-origin request simple: no preflight refuses it.
        let pending = settle(client.retrieve(id.clone(), secret.clone()))
            .await
            .unwrap();
        assert_eq!(text(&pending, "status"), "pending");
        let options = wait_options(r#"{"intervalMs": 50, "timeoutMs": 200}"#);
        let error = failure(
            settle(client.wait_for_result(id.clone(), secret.clone(), Some(options))).await,
        );
        assert_eq!(text(&error, "code"), "timeout");
        assert_eq!(text(&error, "message"), timeout);
    }
}
