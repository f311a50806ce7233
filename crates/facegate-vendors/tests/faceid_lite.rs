//! The FaceID Lite client against the real simulator over HTTP: every call, the page, the
//! notify, single use, expiry, and every documented result and error.

use std::time::Duration;

use facegate_sandbox::vendors::faceid_lite as sim;
use facegate_types::FailureReason;
use facegate_vendors::faceid_lite::{
    error_from, reason, Comparison, ErrorAnswer, FaceidLiteClient, GetBizTokenRequest, IdcardSide,
    Notify, ReferenceImage, ResultState, SecurityLevel, RESULT_CODES,
};
use facegate_vendors::VendorError;
use secrecy::SecretString;
use url::Url;

mod common;

use common::World;

const NAME: &str = "张三";
const ID_NUMBER: &str = "110101199003074514";

impl World {
    async fn start() -> Self {
        Self::spawn("/notify", "ok").await
    }

    fn client_with(&self, appcode: &str) -> FaceidLiteClient {
        FaceidLiteClient::new(
            World::http(),
            self.sandbox.join(&sim::API_PREFIX[1..]).unwrap(),
            self.sandbox.join(&sim::H5_PREFIX[1..]).unwrap(),
            SecretString::from(appcode),
        )
    }

    fn client(&self) -> FaceidLiteClient {
        self.client_with(sim::APPCODE)
    }

    fn request(&self) -> GetBizTokenRequest {
        let mut request = GetBizTokenRequest::authority(
            Url::parse("https://merchant.example/return?order=1&x=a b#frag").unwrap(),
            self.notify_url.clone(),
            NAME,
            ID_NUMBER,
        );
        request.biz_no = Some("order-1".into());
        request.security_level = Some(SecurityLevel::Regular);
        request
    }

    /// The sandbox user opens the Lite URL and submits `outcome`; returns the redirect target.
    async fn finish(&self, client: &FaceidLiteClient, biz_token: &str, outcome: &str) -> Url {
        let page = client.page_url(biz_token).unwrap();
        let shown = self.browser.get(page.clone()).send().await.unwrap();
        assert_eq!(shown.status(), 200);
        assert!(shown.text().await.unwrap().contains(outcome));
        let submitted = self
            .browser
            .post(page)
            .form(&[("outcome", outcome)])
            .send()
            .await
            .unwrap();
        assert_eq!(submitted.status(), 303);
        let location = submitted.headers()["location"].to_str().unwrap();
        Url::parse(location).unwrap()
    }

    async fn next_notify(&self) -> Notify {
        Notify::from_form(&self.notifies.next().await.body).unwrap()
    }
}

#[tokio::test]
async fn a_user_passes_and_the_result_is_confirmed_by_query() {
    let world = World::start().await;
    let client = world.client();
    let token = client.get_biz_token(&world.request()).await.unwrap();
    let biz_token = token.biz_token.expose().to_owned();
    assert!(!token.request_id.is_empty());

    let pending = client.get_result(&biz_token).await.unwrap();
    assert_eq!(pending.result_code, "9000");
    assert_eq!(pending.state(SecurityLevel::Regular), ResultState::Pending);

    let back = world.finish(&client, &biz_token, "1000:SUCCESS").await;
    assert_eq!(back.path(), "/return");
    let query: Vec<(String, String)> = back.query_pairs().into_owned().collect();
    assert!(query.contains(&("order".into(), "1".into())));
    assert!(query.contains(&("biz_token".into(), biz_token.clone())));

    let notify = world.next_notify().await;
    assert_eq!(notify.biz_token.expose(), biz_token);
    assert_eq!(notify.error_code.as_deref(), Some("1000"));

    let answer = client.get_result(&biz_token).await.unwrap();
    assert_eq!(answer.biz_no.as_deref(), Some("order-1"));
    assert!(answer.images.as_ref().unwrap().image_best.is_some());
    let ResultState::Final(result) = answer.state(SecurityLevel::Regular) else {
        panic!("a finished flow is final")
    };
    assert!(result.passed);
    assert_eq!(result.scores.similarity, Some(86.4735));
    assert_eq!(result.scores.threshold, Some(69.31534));
    let ResultState::Final(strict) = answer.state(SecurityLevel::Strict) else {
        panic!()
    };
    assert_eq!(strict.scores.threshold, Some(74.39926));

    // Single use: the Lite URL is dead once submitted.
    let again = world
        .browser
        .get(client.page_url(&biz_token).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 410);
}

#[tokio::test]
async fn every_documented_result_code_comes_back_mapped() {
    let world = World::start().await;
    let client = world.client();
    for (code, message, _) in RESULT_CODES.iter().filter(|(code, _, _)| *code != "9000") {
        let token = client.get_biz_token(&world.request()).await.unwrap();
        let biz_token = token.biz_token.expose();
        world
            .finish(&client, biz_token, &format!("{code}:{message}"))
            .await;
        let answer = client.get_result(biz_token).await.unwrap();
        assert_eq!(&answer.result_code, code);
        assert_eq!(&answer.result_message, message);
        let ResultState::Final(result) = answer.state(SecurityLevel::Regular) else {
            panic!("{code} is final")
        };
        assert_eq!(result.passed, *code == "1000", "{code} {message}");
        assert_eq!(result.reason, reason(code), "{code} {message}");
        assert_eq!(result.vendor_code.as_deref(), Some(*code));
        if *code == "2000" {
            assert_eq!(result.reason, Some(FailureReason::NotSamePerson));
            assert_eq!(result.scores.similarity, Some(31.2));
        }
    }
}

#[tokio::test]
async fn reference_photos_go_as_multipart_and_ocr_returns_the_card() {
    let world = World::start().await;
    let client = world.client();
    let mut request = world.request();
    request.comparison = Comparison::Reference {
        uuid: "user-42".into(),
        image_ref1: ReferenceImage::new(vec![0xff, 0xd8, 0xff, 0xe0, b'\r', b'\n']),
        image_ref2: Some(ReferenceImage::new(vec![0xff, 0xd8])),
    };
    let token = client.get_biz_token(&request).await.unwrap();
    world
        .finish(&client, token.biz_token.expose(), "1000:SUCCESS")
        .await;
    let answer = client.get_result(token.biz_token.expose()).await.unwrap();
    let verification = answer.verification.clone().unwrap();
    assert!(verification.idcard.is_none());
    assert_eq!(verification.ref1.unwrap().confidence, 86.4735);
    assert!(verification.ref2.is_some());

    request.comparison = Comparison::AuthorityOcr {
        idcard_threshold: Some(0.8),
        idcard_retry_time: Some(2),
        idcard_side: Some(IdcardSide::Both),
    };
    let token = client.get_biz_token(&request).await.unwrap();
    world
        .finish(&client, token.biz_token.expose(), "1000:SUCCESS")
        .await;
    let answer = client.get_result(token.biz_token.expose()).await.unwrap();
    let card = answer.idcard_result.unwrap();
    assert_eq!(card.name.unwrap().expose(), "张三");
    assert!(answer.verification.unwrap().idcard.is_some());
}

#[tokio::test]
async fn a_biz_token_expires_after_an_hour() {
    let world = World::start().await;
    let client = world.client();
    let token = client.get_biz_token(&world.request()).await.unwrap();
    world.clock.advance(Duration::from_secs(60 * 60 + 1));
    let page = world
        .browser
        .get(client.page_url(token.biz_token.expose()).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 410);
    let posted = world
        .browser
        .post(client.page_url(token.biz_token.expose()).unwrap())
        .form(&[("outcome", "1000:SUCCESS")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 410);
    let answer = client.get_result(token.biz_token.expose()).await.unwrap();
    assert_eq!(answer.state(SecurityLevel::Regular), ResultState::Pending);
}

#[tokio::test]
async fn documented_http_errors_are_mapped() {
    let world = World::start().await;

    match world
        .client_with("wrong")
        .get_biz_token(&world.request())
        .await
    {
        Err(VendorError::Unauthorized { code, .. }) => assert_eq!(code, "AUTHORIZATION_ERROR"),
        other => panic!("{other:?}"),
    }
    match world
        .client_with(sim::APPCODE_BALANCE_NOT_ENOUGH)
        .get_biz_token(&world.request())
        .await
    {
        Err(VendorError::Unauthorized { message, .. }) => assert_eq!(message, "BALANCE_NOT_ENOUGH"),
        other => panic!("{other:?}"),
    }

    let client = world.client();
    let mut request = world.request();
    request.biz_no = Some(sim::BIZ_NO_CONCURRENCY_LIMIT.into());
    match client.get_biz_token(&request).await {
        Err(error @ VendorError::RateLimited { .. }) => {
            assert_eq!(error.vendor_code(), Some("CONCURRENCY_LIMIT_EXCEEDED"));
            assert!(error.is_retryable());
        }
        other => panic!("{other:?}"),
    }
    request.biz_no = Some(sim::BIZ_NO_INTERNAL_ERROR.into());
    assert!(matches!(
        client.get_biz_token(&request).await,
        Err(VendorError::Unavailable(_))
    ));

    // The vendor, not the client, checks the ID number's check digit.
    request.biz_no = None;
    request.comparison = Comparison::Authority {
        idcard_name: NAME.into(),
        idcard_number: "110101199003074515".into(),
    };
    match client.get_biz_token(&request).await {
        Err(VendorError::InvalidRequest { code, field, .. }) => {
            assert_eq!(code, "BAD_ARGUMENTS");
            assert_eq!(field.as_deref(), Some("idcard_number"));
        }
        other => panic!("{other:?}"),
    }
    match client.get_result("1,unknown").await {
        Err(VendorError::InvalidRequest { code, field, .. }) => {
            assert_eq!(code, "BAD_ARGUMENTS");
            assert_eq!(field.as_deref(), Some("biz_token"));
        }
        other => panic!("{other:?}"),
    }
    match client.get_result("").await {
        Err(VendorError::InvalidRequest { code, field, .. }) => {
            assert_eq!(code, "MISSING_ARGUMENTS");
            assert_eq!(field.as_deref(), Some("biz_token"));
        }
        other => panic!("{other:?}"),
    }

    // What the client never sends (it checks first) still gets the vendor's answer.
    let api = world
        .sandbox
        .join("faceid/api/lite/v1/get_biz_token")
        .unwrap();
    let raw = |form: Vec<(&'static str, String)>| {
        world
            .browser
            .post(api.clone())
            .header("authorization", format!("APPCODE {}", sim::APPCODE))
            .form(&form)
    };
    let mapped = |response: reqwest::Response| async move {
        let status = response.status();
        let headers = response.headers().clone();
        let answer = response.json::<ErrorAnswer>().await.ok();
        error_from(status, &headers, answer)
    };
    let missing_return = raw(vec![("notify_url", "https://m.example/n".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(missing_return.status(), 400);
    match mapped(missing_return).await {
        VendorError::InvalidRequest { code, field, .. } => {
            assert_eq!(code, "MISSING_ARGUMENTS");
            assert_eq!(field.as_deref(), Some("return_url"));
        }
        other => panic!("{other:?}"),
    }
    let mut fields = world.request().form_fields().unwrap();
    fields.retain(|(key, _)| *key != "security_level");
    fields.push(("security_level", "4".into()));
    match mapped(raw(fields).send().await.unwrap()).await {
        VendorError::InvalidRequest { field, .. } => {
            assert_eq!(field.as_deref(), Some("security_level"))
        }
        other => panic!("{other:?}"),
    }
    let huge = raw(vec![("biz_no", "x".repeat(sim::MAX_REQUEST_BYTES + 1))])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    assert!(matches!(
        mapped(huge).await,
        VendorError::InvalidRequest { code, .. } if code == "REQUEST_ENTITY_TOO_LARGE"
    ));
}
