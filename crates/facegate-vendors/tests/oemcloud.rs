//! The OEMCloud client against the real simulator over HTTP: all three faceauthMode values,
//! the page, the signed notify and the callback redirect, single use, expiry, every error code.

use std::time::{Duration, SystemTime};

use facegate_sandbox::vendors::oemcloud as sim;
use facegate_types::{ConfirmedBy, FailureReason, NextAction};
use facegate_vendors::oemcloud::{
    failure_of, reason, verify_signature, CallbackQuery, FaceAuthRequest, FaceauthMode, Notify,
    OemcloudClient, Surface,
};
use facegate_vendors::VendorError;
use secrecy::SecretString;
use url::Url;

mod common;

use common::World;

impl World {
    async fn start() -> Self {
        Self::spawn("/notify?session=vs_1&b=2", "ok").await
    }

    fn client_with(&self, appcode: &str) -> OemcloudClient {
        OemcloudClient::new(
            World::http(),
            self.sandbox.join(&sim::API_PREFIX[1..]).unwrap(),
            SecretString::from(appcode),
        )
    }

    fn client(&self) -> OemcloudClient {
        self.client_with(sim::APPCODE)
    }

    fn request(&self, mode: FaceauthMode) -> FaceAuthRequest {
        FaceAuthRequest {
            name: "张三".into(),
            id_no: "110101199003074514".into(),
            faceauth_mode: mode,
            callback_url: "https://merchant.example/back?a=1&b=中 文".into(),
            context_id: Some("vs_1".into()),
            notify_url: Some(self.notify_url.to_string()),
            repetition: None,
        }
    }

    async fn submit(&self, page: &str, outcome: &str) -> reqwest::Response {
        self.browser
            .post(page)
            .form(&[("outcome", outcome)])
            .send()
            .await
            .unwrap()
    }

    async fn next_notify(&self) -> (axum::http::HeaderMap, String, Vec<u8>) {
        let notify = self.notifies.next().await;
        (notify.headers, notify.query, notify.body)
    }
}

#[tokio::test]
async fn a_browser_user_passes_and_the_signed_notify_says_so() {
    let world = World::start().await;
    let data = world
        .client()
        .start_face_auth(&world.request(FaceauthMode::Tencent))
        .await
        .unwrap();
    assert!(data.face_token.is_none());
    assert!(data.expire.unwrap() > 0);
    let NextAction::Redirect { url: short } = data.next_action(Surface::Browser).unwrap() else {
        panic!("a browser is redirected")
    };
    // The short link leads to the long one.
    let hop = world.browser.get(&short).send().await.unwrap();
    assert!(hop.status().is_redirection());
    let long = hop.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(Some(long.as_str()), data.original_url.as_deref());
    assert_eq!(world.browser.get(&long).send().await.unwrap().status(), 200);

    let back = world.submit(&long, "pass").await;
    assert_eq!(back.status(), 303);
    let back = Url::parse(back.headers()["location"].to_str().unwrap()).unwrap();
    let callback = CallbackQuery::parse(back.query().unwrap()).unwrap();
    assert_eq!(callback.flow_id, data.flow_id);
    assert_eq!(callback.context_id.as_deref(), Some("vs_1"));
    assert!(callback.result().passed);
    assert!(back.query_pairs().any(|(k, v)| k == "b" && v == "中 文"));

    let (headers, query, body) = world.next_notify().await;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    verify_signature(
        &SecretString::from(sim::APP_SECRET),
        header("x-tsign-open-timestamp"),
        header("x-tsign-open-signature"),
        &query,
        &body,
        SystemTime::now(),
        Duration::from_secs(15 * 60),
    )
    .unwrap();
    assert!(verify_signature(
        &SecretString::from("another-secret"),
        header("x-tsign-open-timestamp"),
        header("x-tsign-open-signature"),
        &query,
        &body,
        SystemTime::now(),
        Duration::from_secs(15 * 60),
    )
    .is_err());
    let notify = Notify::parse(&body).unwrap();
    assert_eq!(notify.flow_id, data.flow_id);
    let result = notify.result();
    assert!(result.passed);
    assert_eq!(result.confirmed_by, ConfirmedBy::Notify);

    // Single use.
    assert_eq!(world.browser.get(&long).send().await.unwrap().status(), 410);
}

#[tokio::test]
async fn failures_web_views_and_wechat_face() {
    let world = World::start().await;
    let client = world.client();
    for (outcome, expected) in [
        ("not_same", FailureReason::NotSamePerson),
        ("liveness", FailureReason::LivenessFailed),
        ("cancel", FailureReason::UserCanceled),
    ] {
        let data = client
            .start_face_auth(&world.request(FaceauthMode::Zhimacredit))
            .await
            .unwrap();
        let NextAction::WebView { url, face_token } =
            data.next_action(Surface::MiniProgramWebView).unwrap()
        else {
            panic!()
        };
        assert!(face_token.is_none());
        let back = world.submit(&url, outcome).await;
        assert_eq!(back.status(), 303);
        let (_, _, body) = world.next_notify().await;
        let result = Notify::parse(&body).unwrap().result();
        assert!(!result.passed);
        assert_eq!(result.reason, Some(expected), "{outcome}");
    }

    let data = client
        .start_face_auth(&world.request(FaceauthMode::WeChatFace))
        .await
        .unwrap();
    let NextAction::WebView { url, face_token } =
        data.next_action(Surface::MiniProgramWebView).unwrap()
    else {
        panic!()
    };
    assert!(face_token.is_some());
    // WE_CHAT_FACE ignores callbackUrl and notifyUrl.
    let done = world.submit(&url, "pass").await;
    assert_eq!(done.status(), 200);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(world.notifies.is_empty());
}

#[tokio::test]
async fn links_expire() {
    let world = World::start().await;
    let data = world
        .client()
        .start_face_auth(&world.request(FaceauthMode::Tencent))
        .await
        .unwrap();
    world.clock.advance(Duration::from_secs(31 * 60));
    let long = data.original_url.unwrap();
    assert_eq!(world.browser.get(&long).send().await.unwrap().status(), 410);
    assert_eq!(world.submit(&long, "pass").await.status(), 410);
}

#[tokio::test]
async fn every_documented_error_code_is_mapped() {
    let world = World::start().await;
    let client = world.client();
    let expect_field = |result: Result<_, VendorError>, field: &str| match result {
        Err(VendorError::InvalidRequest {
            code,
            field: Some(got),
            ..
        }) => {
            assert_eq!(code, "30500101");
            assert_eq!(got, field);
        }
        other => panic!("{field}: {other:?}"),
    };
    let mut request = world.request(FaceauthMode::Tencent);
    request.name = "".into();
    expect_field(client.start_face_auth(&request).await, "name");
    let mut request = world.request(FaceauthMode::Tencent);
    request.id_no = "".into();
    expect_field(client.start_face_auth(&request).await, "idNo");
    let mut request = world.request(FaceauthMode::Tencent);
    request.id_no = "110101199003074515".into();
    expect_field(client.start_face_auth(&request).await, "idNo");
    let mut request = world.request(FaceauthMode::Tencent);
    request.callback_url = String::new();
    expect_field(client.start_face_auth(&request).await, "callbackUrl");

    let mut request = world.request(FaceauthMode::Tencent);
    request.name = "张 三".into();
    match client.start_face_auth(&request).await {
        Err(VendorError::InvalidRequest { code, .. }) => assert_eq!(code, "30500116"),
        other => panic!("{other:?}"),
    }
    let mut request = world.request(FaceauthMode::Tencent);
    request.id_no = "11010120200101001X".into();
    let underage = client.start_face_auth(&request).await.unwrap_err();
    assert_eq!(underage.vendor_code(), Some("30503059"));
    assert_eq!(
        failure_of(&underage).unwrap().reason,
        Some(FailureReason::Underage)
    );
    let balance = world
        .client_with(sim::APPCODE_NO_BALANCE)
        .start_face_auth(&world.request(FaceauthMode::Tencent))
        .await
        .unwrap_err();
    assert_eq!(balance.vendor_code(), Some("30503107"));
    assert_eq!(
        failure_of(&balance).unwrap().reason,
        Some(FailureReason::AccountError)
    );
    assert!(matches!(
        world
            .client_with("wrong")
            .start_face_auth(&world.request(FaceauthMode::Tencent))
            .await,
        Err(VendorError::Unauthorized { .. })
    ));

    // Bodies the typed client cannot produce: a missing or wrong faceauthMode, broken JSON,
    // and a reused nonce.
    let api = world
        .sandbox
        .join("oemcloud/api/v2/identity/auth/api/individual/face")
        .unwrap();
    let nonce = client.next_nonce().to_string();
    let raw = |body: &'static str, nonce: &str| {
        world
            .browser
            .post(api.clone())
            .header("authorization", format!("APPCODE {}", sim::APPCODE))
            .header("x-ca-nonce", nonce)
            .header("content-type", "application/json")
            .body(body)
    };
    let answer = |response: reqwest::Response| async move {
        let value: serde_json::Value = response.json().await.unwrap();
        (
            value["code"].as_i64().unwrap(),
            value["message"].as_str().unwrap().to_owned(),
        )
    };
    let (code, message) = answer(raw(r#"{"name":"a"}"#, &nonce).send().await.unwrap()).await;
    assert_eq!(code, 30500101);
    assert!(matches!(
        facegate_vendors::oemcloud::error(code, &message),
        VendorError::InvalidRequest { field: Some(f), .. } if f == "faceauthMode"
    ));
    let (code, message) = answer(
        raw(
            r#"{"faceauthMode":"FACE"}"#,
            &client.next_nonce().to_string(),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(code, 30500101);
    assert!(message.contains("人脸认证方式"));
    let (code, _) = answer(
        raw("{not json", &client.next_nonce().to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 30500000);
    assert_eq!(reason(code), FailureReason::VendorError);
    let replay = raw(r#"{"name":"a"}"#, &nonce).send().await.unwrap();
    assert_eq!(replay.status(), 400);
    assert_eq!(replay.headers()["x-ca-error-message"], "Nonce Used");
}
