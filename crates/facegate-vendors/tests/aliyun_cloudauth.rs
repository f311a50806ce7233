//! The Cloudauth client against the real simulator over HTTP: the V3 signature both ways,
//! InitFaceVerify, the page, DescribeFaceVerify before and after, every SubCode, the device
//! risk tags, single use, expiry, DeleteFaceVerifyResult and the error shapes.

use std::time::Duration;

use facegate_sandbox::vendors::aliyun_cloudauth as sim;
use facegate_vendors::aliyun_cloudauth::{
    callback_token, sub_code, AliyunCloudauthClient, CertifyState, InitFaceVerifyRequest,
};
use facegate_vendors::VendorError;
use secrecy::SecretString;
use url::Url;

mod common;

use common::World;

const META_INFO: &str = r#"{"apdidToken":"","appName":"sandbox","appVersion":"1","bioMetaInfo":"5.1.0:2097152,0","deviceType":"h5","osVersion":"iOS 17.4","zimVer":"1.0.0"}"#;

impl World {
    async fn start() -> Self {
        Self::spawn("/callback", "ok").await
    }

    fn client_with(&self, id: &str, secret: &str, scene: u64) -> AliyunCloudauthClient {
        AliyunCloudauthClient::new(
            World::http(),
            self.sandbox.join(&sim::API_PREFIX[1..]).unwrap(),
            id.to_owned(),
            SecretString::from(secret),
            scene,
        )
    }

    fn client(&self) -> AliyunCloudauthClient {
        self.client_with(sim::ACCESS_KEY_ID, sim::ACCESS_KEY_SECRET, sim::SCENE_ID)
    }

    fn request(&self) -> InitFaceVerifyRequest {
        InitFaceVerifyRequest {
            scene_id: sim::SCENE_ID,
            outer_order_no: "vsAbc123".into(),
            cert_name: "张三".into(),
            cert_no: "110101199003074514".into(),
            return_url: Url::parse("https://merchant.example/return?x=a b").unwrap(),
            callback_url: self.notify_url.clone(),
            callback_token: callback_token(sim::ACCESS_KEY_SECRET, "vs_1"),
            meta_info: META_INFO.into(),
        }
    }

    /// The sandbox user submits `outcome` on the CertifyUrl; the redirect target.
    async fn finish(&self, certify_url: &str, outcome: &str) -> Url {
        let shown = self.browser.get(certify_url).send().await.unwrap();
        assert_eq!(shown.status(), 200);
        assert!(shown.text().await.unwrap().contains(outcome));
        let submitted = self
            .browser
            .post(certify_url)
            .form(&[("outcome", outcome)])
            .send()
            .await
            .unwrap();
        assert_eq!(submitted.status(), 303);
        Url::parse(submitted.headers()["location"].to_str().unwrap()).unwrap()
    }
}

#[tokio::test]
async fn a_signed_certification_runs_from_init_to_verdict() {
    let world = World::start().await;
    let client = world.client();
    let started = client.init_face_verify(&world.request()).await.unwrap();
    assert_eq!(started.certify_id.len(), 32);
    let url = started.certify_url.unwrap();
    assert_eq!(
        client
            .describe_face_verify(&started.certify_id)
            .await
            .unwrap()
            .state(),
        CertifyState::Pending
    );
    let back = world.finish(&url, "T:200:ROOT,VPN,HOOK").await;
    assert_eq!(back.host_str(), Some("merchant.example"));
    assert!(back.query().unwrap().contains(&started.certify_id));
    let CertifyState::Final {
        result,
        device_risk,
    } = client
        .describe_face_verify(&started.certify_id)
        .await
        .unwrap()
        .state()
    else {
        panic!("not final");
    };
    assert!(result.passed);
    assert_eq!(device_risk, ["ROOT", "VPN", "HOOK"]);
    assert!(result.scores.similarity.is_some());
    // Single use.
    assert_eq!(world.browser.get(&url).send().await.unwrap().status(), 410);
    // Deleting Alibaba's copy: Y once, then the certification is unknown.
    assert!(client
        .delete_face_verify_result(&started.certify_id)
        .await
        .unwrap());
    assert!(!client
        .delete_face_verify_result(&started.certify_id)
        .await
        .unwrap());
    assert!(matches!(
        client.describe_face_verify(&started.certify_id).await,
        Err(VendorError::InvalidRequest { code, .. }) if code == "401"
    ));
}

#[tokio::test]
async fn every_sub_code_comes_back_as_its_reason() {
    let world = World::start().await;
    let client = world.client();
    for (passed, code, _) in sim::OUTCOMES {
        let started = client.init_face_verify(&world.request()).await.unwrap();
        world
            .finish(&started.certify_url.unwrap(), &format!("{passed}:{code}"))
            .await;
        let CertifyState::Final {
            result,
            device_risk,
        } = client
            .describe_face_verify(&started.certify_id)
            .await
            .unwrap()
            .state()
        else {
            panic!("{code} not final");
        };
        assert_eq!(result.passed, *passed == "T", "{code}");
        assert_eq!(
            result.reason,
            if *passed == "T" {
                None
            } else {
                sub_code(code).0
            }
        );
        assert_eq!(result.vendor_code.as_deref(), Some(*code));
        assert!(device_risk.is_empty());
    }
}

#[tokio::test]
async fn a_bad_signature_gets_the_gateways_own_refusal() {
    let world = World::start().await;
    let wrong_secret = world.client_with(sim::ACCESS_KEY_ID, "not-the-secret", sim::SCENE_ID);
    assert!(matches!(
        wrong_secret.init_face_verify(&world.request()).await,
        Err(VendorError::Unauthorized { code, .. }) if code == "SignatureDoesNotMatch"
    ));
    assert!(wrong_secret.probe().await.is_err());
    let unknown_key = world.client_with("nobody", sim::ACCESS_KEY_SECRET, sim::SCENE_ID);
    assert!(matches!(
        unknown_key.describe_face_verify("x").await,
        Err(VendorError::Unauthorized { code, .. }) if code == "InvalidAccessKeyId.NotFound"
    ));
    // The raw shape: HTTP 400 {RequestId, HostId, Code, Message, Recommend}.
    let raw = reqwest::Client::new()
        .post(world.sandbox.join(&sim::API_PREFIX[1..]).unwrap())
        .header("authorization", format!(
            "ACS3-HMAC-SHA256 Credential={},SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=00",
            sim::ACCESS_KEY_ID
        ))
        .header("x-acs-action", "DescribeFaceVerify")
        .header("x-acs-version", sim::VERSION)
        .header("x-acs-date", "2030-01-01T00:00:00Z")
        .header("x-acs-signature-nonce", "n1")
        .header("x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let body: serde_json::Value = raw.json().await.unwrap();
    assert_eq!(body["Code"], "SignatureDoesNotMatch");
    for key in ["RequestId", "HostId", "Message", "Recommend"] {
        assert!(body[key].is_string(), "{key}");
    }
    // Good credentials pass the probe.
    world.client().probe().await.unwrap();
}

#[tokio::test]
async fn product_errors_and_expiry() {
    let world = World::start().await;
    let other_scene = world.client_with(sim::ACCESS_KEY_ID, sim::ACCESS_KEY_SECRET, 42);
    let mut request = world.request();
    request.scene_id = 42;
    assert!(matches!(
        other_scene.init_face_verify(&request).await,
        Err(VendorError::InvalidRequest { code, field: Some(f), .. }) if code == "404" && f == "SceneId"
    ));
    let client = world.client();
    let mut bad_id = world.request();
    bad_id.cert_no = "110101199003074515".into();
    assert!(matches!(
        client.init_face_verify(&bad_id).await,
        Err(VendorError::InvalidRequest { code, .. }) if code == "401"
    ));
    let started = client.init_face_verify(&world.request()).await.unwrap();
    world.clock.advance(Duration::from_secs(31 * 60));
    let url = started.certify_url.unwrap();
    assert_eq!(world.browser.get(&url).send().await.unwrap().status(), 410);
    // Abandoned and expired: still no verdict, and no callback ever.
    assert_eq!(
        client
            .describe_face_verify(&started.certify_id)
            .await
            .unwrap()
            .state(),
        CertifyState::Pending
    );
    assert!(world.notifies.is_empty());
}
