//! The baidu_h5 client against the real simulator over HTTP: the access token (cache, refresh
//! before expiry, one refresh and retry on a stale token), every call, the user's page with
//! each documented outcome, single use, and the expiries.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use facegate_sandbox::vendors::baidu_h5 as sim;
use facegate_sandbox::Clock;
use facegate_types::{ConfirmedBy, FailureReason};
use facegate_vendors::baidu_h5::{
    AccessToken, BaiduH5Client, CertificateType, Control, Credentials, IdCardSubmitRequest,
    MatchImage, MemoryTokenCache, TokenCache,
};
use facegate_vendors::wire::Pii;
use facegate_vendors::VendorError;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

mod common;

struct Sandbox {
    _running: facegate_sandbox::Running,
    root: Url,
    clock: Clock,
    http: reqwest::Client,
}

impl Sandbox {
    async fn spawn() -> Self {
        let running = common::sandbox().await;
        let root = running.base.clone();
        let clock = running.clock.clone();
        Self {
            _running: running,
            root,
            clock,
            http: facegate_vendors::http::client(Default::default()).unwrap(),
        }
    }

    fn base(&self, prefix: &str) -> Url {
        self.root.join(prefix.trim_start_matches('/')).unwrap()
    }

    fn client_with(&self, api_key: &str, secret_key: &str) -> BaiduH5Client {
        BaiduH5Client::new(
            self.http.clone(),
            self.base(sim::AIP_PREFIX),
            self.base(sim::H5_PREFIX),
            Credentials {
                api_key: api_key.to_owned(),
                secret_key: SecretString::from(secret_key.to_owned()),
            },
            sim::PLAN_ID,
        )
    }

    fn client(&self) -> BaiduH5Client {
        self.client_with(sim::API_KEY, sim::SECRET_KEY)
    }

    /// Opens the user's page and picks `outcome`; returns the status and Location.
    async fn choose(&self, page: &Url, outcome: &str) -> (u16, Option<String>) {
        let response = self
            .http
            .post(page.clone())
            .form(&[("outcome", outcome)])
            .send()
            .await
            .unwrap();
        let location = response
            .headers()
            .get("location")
            .map(|value| value.to_str().unwrap().to_owned());
        (response.status().as_u16(), location)
    }

    async fn page_status(&self, page: &Url) -> u16 {
        self.http
            .get(page.clone())
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

fn success_url() -> Url {
    Url::parse("https://shop.example.com/v1/return/vs_1?a=1&b=两 个#frag").unwrap()
}

fn failed_url() -> Url {
    Url::parse("https://shop.example.com/v1/return/vs_1?failed=1&c=x y").unwrap()
}

fn subject(verify_token: &Pii) -> IdCardSubmitRequest {
    IdCardSubmitRequest {
        verify_token: verify_token.clone(),
        id_name: Pii::new("张三"),
        id_no: Pii::new("110101199003074514"),
        certificate_type: CertificateType::MainlandIdCard,
    }
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

#[tokio::test]
async fn wrong_credentials_are_unauthorized() {
    let sandbox = Sandbox::spawn().await;
    for (key, secret, description) in [
        ("someone-else", sim::SECRET_KEY, "unknown client id"),
        (sim::API_KEY, "wrong", "Client authentication failed"),
    ] {
        match sandbox
            .client_with(key, secret)
            .generate_verify_token()
            .await
        {
            Err(VendorError::Unauthorized { code, message }) => {
                assert_eq!(code, "invalid_client");
                assert_eq!(message, description);
            }
            other => panic!("expected unauthorized, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_user_passes_and_every_query_answers() {
    let sandbox = Sandbox::spawn().await;
    let client = sandbox.client();
    let token = client.generate_verify_token().await.unwrap();
    client.submit_id_card(&subject(&token)).await.unwrap();

    let page = client.page_url(&token, &success_url(), &failed_url());
    assert_eq!(page.path(), "/baidu/h5/face/print/");
    // Before the user finishes, there is no result.
    assert_eq!(client.confirm(&token).await.unwrap(), None);

    assert_eq!(sandbox.page_status(&page).await, 200);
    let (status, location) = sandbox.choose(&page, "pass").await;
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some(success_url().as_str()));
    // Single use: the page and the pre-flow calls refuse the token now.
    assert_eq!(sandbox.page_status(&page).await, 410);
    assert_eq!(sandbox.choose(&page, "pass").await.0, 410);
    match client.submit_id_card(&subject(&token)).await {
        Err(VendorError::InvalidRequest { field, message, .. }) => {
            assert_eq!(field.as_deref(), Some("verify_token"));
            assert_eq!(message, sim::VERIFY_TOKEN_INVALID_MESSAGE);
        }
        other => panic!("expected the verify_token error, got {other:?}"),
    }

    let result = client.confirm(&token).await.unwrap().unwrap();
    assert!(result.passed);
    assert_eq!(result.reason, None);
    assert_eq!(result.scores.similarity, Some(93.7835));
    assert_eq!(result.scores.liveness, Some(0.9672966));
    assert_eq!(result.scores.threshold, Some(sim::THRESHOLD));
    assert_eq!(result.vendor_code.as_deref(), Some("0"));
    assert_eq!(result.confirmed_by, ConfirmedBy::VendorQuery);

    let detail = client.result_detail(&token).await.unwrap();
    let facegate_vendors::baidu_h5::DetailOutcome::Answered { result, .. } = detail else {
        panic!("expected a detail answer");
    };
    let confirm = result.idcard_confirm.unwrap();
    assert_eq!(confirm.name.unwrap().expose(), "张*");
    assert_eq!(
        confirm.idcard_number.unwrap().expose(),
        "110***********4514"
    );
    assert!(
        result.idcard_ocr_result.is_none(),
        "no OCR after idcard/submit"
    );

    let simple = client.result_simple(&token).await.unwrap();
    assert!(simple.image.expose().contains("verify_token="));
    let stat = client.result_stat(&token).await.unwrap();
    assert_eq!(stat.verify[0].error_code, "0");
    assert_eq!(stat.video_liveness[0].count, 1, "a count sent as a string");
    let media = client.result_media(&token).await.unwrap();
    assert_eq!(media.process_video.unwrap().len(), 1);
    assert_eq!(media.images.unwrap().len(), 4);
    let all = client.result_getall(&token).await.unwrap();
    assert_eq!(all.verify_count, Some(1));
    assert_eq!(all.verify_charge_count, Some(1));
    let attempt = all.latest_attempt().unwrap();
    assert!(attempt.is_verify_passed);
    assert_eq!(attempt.charge_type.as_deref(), Some("verify"));

    // Media is kept one day, results three.
    sandbox.clock.advance(sim::MEDIA_WINDOW);
    let media = client.result_media(&token).await.unwrap();
    assert_eq!(media.process_video, Some(vec![]));
    assert!(client.confirm(&token).await.unwrap().unwrap().passed);
    sandbox.clock.advance(sim::QUERY_WINDOW - sim::MEDIA_WINDOW);
    assert_eq!(client.confirm(&token).await.unwrap(), None);
    assert!(matches!(
        client.result_getall(&token).await,
        Err(VendorError::InvalidRequest { .. })
    ));
}

#[tokio::test]
async fn every_documented_failure_reaches_the_failed_url_and_maps() {
    let sandbox = Sandbox::spawn().await;
    let client = sandbox.client();
    let expected = [
        ("222351", FailureReason::IdentityMismatch),
        ("222354", FailureReason::IdentityMismatch),
        ("222360", FailureReason::IdentityMismatch),
        ("222350", FailureReason::VendorError),
        ("222355", FailureReason::VendorError),
        ("low_score", FailureReason::NotSamePerson),
        ("223120", FailureReason::LivenessFailed),
        ("222356", FailureReason::CaptureFailed),
        ("222202", FailureReason::CaptureFailed),
        ("223113", FailureReason::CaptureFailed),
        ("223114", FailureReason::CaptureFailed),
        ("223115", FailureReason::CaptureFailed),
        ("223116", FailureReason::CaptureFailed),
    ];
    let failing: Vec<&str> = sim::OUTCOMES
        .iter()
        .filter(|o| o.code != "0" && !o.code.is_empty())
        .map(|o| o.value)
        .collect();
    assert_eq!(
        failing,
        expected.iter().map(|(v, _)| *v).collect::<Vec<_>>(),
        "every failing outcome of the page is tested"
    );
    for (value, reason) in expected {
        let token = client.generate_verify_token().await.unwrap();
        let page = client.page_url(&token, &success_url(), &failed_url());
        let (status, location) = sandbox.choose(&page, value).await;
        assert_eq!(status, 303, "{value}");
        assert_eq!(location.as_deref(), Some(failed_url().as_str()), "{value}");
        let result = client.confirm(&token).await.unwrap().unwrap();
        let outcome = sim::OUTCOMES.iter().find(|o| o.value == value).unwrap();
        assert!(!result.passed, "{value}");
        assert_eq!(result.reason, Some(reason), "{value}");
        assert_eq!(result.vendor_code.as_deref(), Some(outcome.code), "{value}");
        assert_eq!(result.vendor_message.as_deref(), Some(outcome.message));
        if value == "low_score" {
            assert_eq!(result.scores.threshold, Some(sim::THRESHOLD));
            assert!(result.scores.similarity.unwrap() < sim::THRESHOLD);
        }
        // The token was used by the failed verification.
        assert_eq!(sandbox.page_status(&page).await, 410);
    }
}

#[tokio::test]
async fn leaving_and_the_openapi_limit() {
    let sandbox = Sandbox::spawn().await;
    let client = sandbox.client();

    let token = client.generate_verify_token().await.unwrap();
    let page = client.page_url(&token, &success_url(), &failed_url());
    let (status, location) = sandbox.choose(&page, "leave").await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some(failed_url().as_str()))
    );
    assert_eq!(client.confirm(&token).await.unwrap(), None);
    assert_eq!(
        sandbox.page_status(&page).await,
        200,
        "not verified, still usable"
    );

    let limited = client.generate_verify_token().await.unwrap();
    let page = client.page_url(&limited, &success_url(), &failed_url());
    assert_eq!(sandbox.choose(&page, "openapi_limit").await.0, 303);
    match client.confirm(&limited).await {
        Err(VendorError::Api {
            code,
            message,
            log_id,
        }) => {
            assert_eq!(code, "18");
            assert_eq!(message, "Open api qps request limit reached");
            assert!(log_id.is_some());
        }
        other => panic!("expected code 18, got {other:?}"),
    }
    assert!(client.result_stat(&limited).await.is_ok());
}

#[tokio::test]
async fn verify_tokens_expire_after_two_hours() {
    let sandbox = Sandbox::spawn().await;
    let client = sandbox.client();
    let token = client.generate_verify_token().await.unwrap();
    let page = client.page_url(&token, &success_url(), &failed_url());
    sandbox.clock.advance(sim::VERIFY_TOKEN_TTL);
    assert_eq!(sandbox.page_status(&page).await, 410);
    assert_eq!(sandbox.choose(&page, "pass").await.0, 410);
    assert!(matches!(
        client.submit_id_card(&subject(&token)).await,
        Err(VendorError::InvalidRequest { field: Some(f), .. }) if f == "verify_token"
    ));
    assert_eq!(client.confirm(&token).await.unwrap(), None);
}

#[tokio::test]
async fn the_access_token_is_cached_refreshed_early_and_once_when_stale() {
    let sandbox = Sandbox::spawn().await;
    let cache = Arc::new(MemoryTokenCache::default());
    let client = sandbox.client().with_token_cache(cache.clone());

    let first = client.access_token().await.unwrap();
    assert_eq!(
        client.access_token().await.unwrap().expose_secret(),
        first.expose_secret(),
        "cached"
    );
    let cached = cache.get(sim::API_KEY).await.unwrap();
    let lifetime = cached.expires_at.duration_since(SystemTime::now()).unwrap();
    assert!(lifetime > Duration::from_secs(29 * 24 * 3600));

    // Within the refresh margin: replaced before use.
    cache
        .put(
            sim::API_KEY,
            AccessToken {
                value: first.clone(),
                expires_at: SystemTime::now() + Duration::from_secs(3600),
            },
        )
        .await;
    let early = client.access_token().await.unwrap();
    assert_ne!(early.expose_secret(), first.expose_secret());

    // The old token stays valid at Baidu.
    cache
        .put(
            sim::API_KEY,
            AccessToken {
                value: first.clone(),
                expires_at: SystemTime::now() + Duration::from_secs(10 * 24 * 3600),
            },
        )
        .await;
    client.generate_verify_token().await.unwrap();
    let still = cache.get(sim::API_KEY).await.unwrap();
    assert_eq!(still.value.expose_secret(), first.expose_secret());

    // 30 days on, Baidu answers 111: one refresh, one retry, and the call succeeds.
    sandbox.clock.advance(sim::ACCESS_TOKEN_TTL);
    let token = client.generate_verify_token().await.unwrap();
    assert!(!token.expose().is_empty());
    let refreshed = cache.get(sim::API_KEY).await.unwrap();
    assert_ne!(refreshed.value.expose_secret(), first.expose_secret());

    // A token Baidu never issued (110) is replaced the same way.
    cache
        .put(
            sim::API_KEY,
            AccessToken {
                value: SecretString::from("24.forged".to_owned()),
                expires_at: SystemTime::now() + Duration::from_secs(10 * 24 * 3600),
            },
        )
        .await;
    client.generate_verify_token().await.unwrap();
    assert_ne!(
        cache.get(sim::API_KEY).await.unwrap().value.expose_secret(),
        "24.forged"
    );
}

#[tokio::test]
async fn both_certificate_types_and_the_parameter_errors() {
    let sandbox = Sandbox::spawn().await;
    let client = sandbox.client();
    let token = client.generate_verify_token().await.unwrap();
    let permit = IdCardSubmitRequest {
        verify_token: token.clone(),
        id_name: Pii::new("陈大文"),
        id_no: Pii::new("810000199001011234"),
        certificate_type: CertificateType::HkMacaoTaiwanResidencePermit,
    };
    client.submit_id_card(&permit).await.unwrap();

    let mainland_number_as_permit = IdCardSubmitRequest {
        id_no: Pii::new("110101199003074514"),
        ..permit.clone()
    };
    match client.submit_id_card(&mainland_number_as_permit).await {
        Err(VendorError::InvalidRequest { code, field, .. }) => {
            assert_eq!(code, "222002");
            assert_eq!(field.as_deref(), Some("id_no"));
        }
        other => panic!("expected a parameter error, got {other:?}"),
    }
    let no_name = IdCardSubmitRequest {
        id_name: Pii::new(""),
        ..subject(&token)
    };
    assert!(matches!(
        client.submit_id_card(&no_name).await,
        Err(VendorError::InvalidRequest { code, field: Some(f), .. }) if code == "222001" && f == "id_name"
    ));
}

#[tokio::test]
async fn the_reference_image_upload_and_its_limits() {
    let sandbox = Sandbox::spawn().await;
    let client = sandbox.client();
    let token = client.generate_verify_token().await.unwrap();
    let image = MatchImage::from_bytes(&png(640, 480)).unwrap();
    client
        .upload_match_image(&token, &image, Some(Control::Low), Some(Control::Normal))
        .await
        .unwrap();
    // The client refuses what Baidu would refuse, before any call.
    assert!(MatchImage::from_bytes(&png(2000, 1000)).is_err());

    // And the simulator refuses it too, with Baidu's codes, when something sends it anyway.
    let access = client.access_token().await.unwrap();
    let mut url = sandbox.base(&format!(
        "{}/rpc/2.0/brain/solution/faceprint/uploadMatchImage",
        sim::AIP_PREFIX
    ));
    url.query_pairs_mut()
        .append_pair("access_token", access.expose_secret());
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    for (body, code) in [
        (
            serde_json::json!({"verify_token": token.expose(), "image": b64(&png(2000, 1000))}),
            216202,
        ),
        (
            serde_json::json!({"verify_token": token.expose(), "image": b64(b"GIF89a....")}),
            216201,
        ),
        (
            serde_json::json!({"verify_token": token.expose(), "image": "%%%"}),
            222002,
        ),
        (
            serde_json::json!({"verify_token": token.expose(), "image": b64(&png(4, 4)),
            "quality_control": "MAX"}),
            222019,
        ),
        (
            serde_json::json!({"verify_token": token.expose(), "image": b64(&png(4, 4)),
            "liveness_control": 1}),
            222020,
        ),
        (
            serde_json::json!({"verify_token": "unknown", "image": b64(&png(4, 4))}),
            sim::VERIFY_TOKEN_INVALID_CODE,
        ),
    ] {
        let answer: serde_json::Value = sandbox
            .http
            .post(url.clone())
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer["success"], false);
        assert_eq!(answer["error_code"], code, "{answer}");
    }
}
