//! The WeChat mini-program client against the real simulator over HTTP: tokens (stable and
//! classic, refresh on 40001 / 42001), getuseridkey, the simulated mini-program check, the
//! push with its signature, getinfo and the verdict for every documented outcome.

use std::sync::Arc;
use std::time::Duration;

use facegate_sandbox::vendors::wechat_mini as sim;
use facegate_types::FailureReason;
use facegate_vendors::wechat_mini::{
    verdict, Expected, GetUserIdKeyRequest, MemoryTokenCache, PushMessage, PushQuery, TokenCache,
    TokenSource, WechatMiniClient,
};
use facegate_vendors::VendorError;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

mod common;

use common::World;

const NAME: &str = "张三";
const ID_NUMBER: &str = "11010519491231002x";

impl World {
    async fn start() -> Self {
        Self::spawn("/push", "success").await
    }

    fn client_with(&self, secret: &str) -> WechatMiniClient {
        WechatMiniClient::new(
            World::http(),
            self.sandbox.join(&sim::API_PREFIX[1..]).unwrap(),
            sim::APPID,
            SecretString::from(secret),
        )
    }

    fn client(&self) -> WechatMiniClient {
        self.client_with(sim::APP_SECRET)
    }

    fn request(out_seq_no: Option<&str>) -> GetUserIdKeyRequest {
        GetUserIdKeyRequest {
            name: NAME.into(),
            id_card_number: ID_NUMBER.into(),
            out_seq_no: out_seq_no.map(str::to_owned),
        }
    }

    fn page(&self, user_id_key: &str, return_url: Option<&str>) -> Url {
        let mut page = self
            .sandbox
            .join(&format!("{}/verify", &sim::PAGE_PREFIX[1..]))
            .unwrap();
        page.query_pairs_mut()
            .append_pair("user_id_key", user_id_key);
        if let Some(return_url) = return_url {
            page.query_pairs_mut().append_pair("return_url", return_url);
        }
        page.query_pairs_mut()
            .append_pair("push_url", self.notify_url.as_str());
        page
    }

    /// The simulated mini-program check; returns the redirect's query.
    async fn check(&self, user_id_key: &str, outcome: &str) -> Vec<(String, String)> {
        let page = self.page(user_id_key, Some("https://merchant.example/mp?a=1&b=中 文"));
        assert_eq!(
            self.browser
                .get(page.clone())
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        let response = self
            .browser
            .post(page)
            .form(&[("outcome", outcome)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{outcome}");
        let location = Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
        location.query_pairs().into_owned().collect()
    }

    async fn next_push(&self) -> (PushQuery, PushMessage) {
        let push = self.notifies.next().await;
        let query: PushQuery = serde_urlencoded_query(&push.query);
        (query, PushMessage::parse(&push.body).unwrap())
    }
}

fn serde_urlencoded_query(query: &str) -> PushQuery {
    let pairs: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
    PushQuery {
        signature: pairs.get("signature").cloned().unwrap_or_default(),
        timestamp: pairs.get("timestamp").cloned().unwrap_or_default(),
        nonce: pairs.get("nonce").cloned().unwrap_or_default(),
        echostr: None,
        openid: pairs.get("openid").cloned(),
    }
}

fn value<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn a_user_passes_and_the_push_and_getinfo_agree() {
    let world = World::start().await;
    let client = world.client();
    let key = client
        .get_user_id_key(&World::request(Some("vs_order_1")))
        .await
        .unwrap();
    assert_eq!(key.expires_in, 3600);

    let query = world.check(key.user_id_key.expose(), "pass").await;
    assert_eq!(value(&query, "a"), Some("1"));
    assert_eq!(value(&query, "b"), Some("中 文"));
    let verify_result = value(&query, "verify_result").unwrap().to_owned();

    let (push_query, push) = world.next_push().await;
    push_query.verify(sim::PUSH_TOKEN).unwrap();
    assert!(push_query.verify("another-token").is_err());
    assert!(push.is_face_identify());
    assert_eq!(push.out_seq_no.as_deref(), Some("vs_order_1"));
    assert_eq!(push.verify_result.as_ref().unwrap().expose(), verify_result);

    let info = client.get_info(&verify_result).await.unwrap();
    assert_eq!(info.user_id_key.as_ref(), Some(&key.user_id_key));
    let own = expected(key.user_id_key.expose(), NAME);
    let result = verdict(&info, &own);
    assert!(result.passed, "{result:?}");
    // The same answer for someone else is a forgery.
    assert_eq!(
        verdict(&info, &expected(key.user_id_key.expose(), "李四")).reason,
        Some(FailureReason::ResultTampered)
    );
    // So is the same answer for another session of the same person.
    let other = client
        .get_user_id_key(&World::request(Some("vs_order_2")))
        .await
        .unwrap();
    assert_eq!(
        verdict(&info, &expected(other.user_id_key.expose(), NAME)).reason,
        Some(FailureReason::ResultTampered)
    );

    // Single use: the key cannot start a second check.
    let again = world
        .browser
        .get(world.page(key.user_id_key.expose(), None))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 410);
}

#[tokio::test]
async fn every_outcome_reaches_its_verdict() {
    let world = World::start().await;
    let client = world.client();
    for (outcome, reason) in [
        ("identify_failed", FailureReason::NotSamePerson),
        ("tampered", FailureReason::ResultTampered),
        ("84001", FailureReason::ResultTampered),
        ("84002", FailureReason::CaptureFailed),
        ("84003", FailureReason::VendorError),
    ] {
        let key = client.get_user_id_key(&World::request(None)).await.unwrap();
        let query = world.check(key.user_id_key.expose(), outcome).await;
        let info = client
            .get_info(value(&query, "verify_result").unwrap())
            .await
            .unwrap();
        let result = verdict(&info, &expected(key.user_id_key.expose(), NAME));
        assert!(!result.passed, "{outcome}");
        assert_eq!(result.reason, Some(reason), "{outcome}");
        if outcome.starts_with("840") {
            assert_eq!(result.vendor_code.as_deref(), Some(outcome));
        }
    }
    // No out_seq_no, no push.
    assert!(world.notifies.is_empty());

    // A device without face support ends on the phone: an errCode, no verify_result, and the
    // key stays usable.
    let key = client.get_user_id_key(&World::request(None)).await.unwrap();
    for code in ["10001", "10002", "10003"] {
        let query = world.check(key.user_id_key.expose(), code).await;
        assert_eq!(value(&query, "err_code"), Some(code));
        assert!(value(&query, "verify_result").is_none());
    }

    // A verify_result WeChat never issued.
    let forged = client.get_info("forged-verify-result").await.unwrap();
    assert_eq!(
        verdict(&forged, &expected(key.user_id_key.expose(), NAME)).reason,
        Some(FailureReason::ResultTampered)
    );
}

#[tokio::test]
async fn without_a_return_url_the_page_shows_the_verify_result() {
    let world = World::start().await;
    let client = world.client();
    let key = client.get_user_id_key(&World::request(None)).await.unwrap();
    let shown = world
        .browser
        .post(world.page(key.user_id_key.expose(), None))
        .form(&[("outcome", "pass")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = shown.find("<code id=\"verify_result\">").unwrap() + 25;
    let verify_result = &shown[start..start + shown[start..].find('<').unwrap()];
    let info = client.get_info(verify_result).await.unwrap();
    assert!(verdict(&info, &expected(key.user_id_key.expose(), NAME)).passed);
}

#[tokio::test]
async fn keys_and_user_info_expire() {
    let world = World::start().await;
    let client = world.client();
    let stale_key = client.get_user_id_key(&World::request(None)).await.unwrap();
    let key = client.get_user_id_key(&World::request(None)).await.unwrap();
    let query = world.check(key.user_id_key.expose(), "pass").await;
    let verify_result = value(&query, "verify_result").unwrap().to_owned();

    world.clock.advance(Duration::from_secs(3601));
    let page = world
        .browser
        .get(world.page(stale_key.user_id_key.expose(), None))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 410);

    // A day later getinfo answers 84002; the access token expired meanwhile too (42001), which
    // the client refreshes on its own.
    world.clock.advance(Duration::from_secs(24 * 60 * 60));
    let info = client.get_info(&verify_result).await.unwrap();
    assert_eq!(info.errcode, 84002);
    assert_eq!(
        verdict(&info, &expected(key.user_id_key.expose(), NAME)).reason,
        Some(FailureReason::CaptureFailed)
    );
}

#[tokio::test]
async fn stable_tokens_are_shared_and_refreshed_once_when_stale() {
    let world = World::start().await;
    let cache_a = Arc::new(MemoryTokenCache::default());
    let cache_b = Arc::new(MemoryTokenCache::default());
    let a = world.client().with_token_cache(cache_a.clone());
    let b = world.client().with_token_cache(cache_b.clone());
    let token_a = a.access_token().await.unwrap();
    let token_b = b.access_token().await.unwrap();
    assert_eq!(
        token_a.value.expose_secret(),
        token_b.value.expose_secret(),
        "stable_token hands every replica the same token"
    );

    // A forced refresh elsewhere: b's cached token works for the overlap, then is stale.
    let forced = a.stable_token(true).await.unwrap();
    assert_ne!(forced.access_token.expose(), token_b.value.expose_secret());
    world.clock.advance(Duration::from_secs(5 * 60 + 1));
    b.get_user_id_key(&World::request(None)).await.unwrap();
    let refreshed = cache_b.get(sim::APPID).await.unwrap();
    assert_eq!(
        refreshed.value.expose_secret(),
        forced.access_token.expose()
    );
}

#[tokio::test]
async fn classic_tokens_invalidate_each_other_and_the_client_recovers() {
    let world = World::start().await;
    let cache = Arc::new(MemoryTokenCache::default());
    let a = world
        .client()
        .with_token_cache(cache.clone())
        .with_token_source(TokenSource::Classic);
    let b = world.client().with_token_source(TokenSource::Classic);
    let first = a.access_token().await.unwrap();
    b.access_token().await.unwrap();
    // Within the overlap the replaced token still works.
    a.get_user_id_key(&World::request(None)).await.unwrap();
    world.clock.advance(Duration::from_secs(5 * 60 + 1));
    // Now it answers 40001: a refreshes once and retries once.
    a.get_user_id_key(&World::request(None)).await.unwrap();
    let second = cache.get(sim::APPID).await.unwrap();
    assert_ne!(second.value.expose_secret(), first.value.expose_secret());
}

#[tokio::test]
async fn documented_errors_are_mapped() {
    let world = World::start().await;
    match world
        .client_with("wrong")
        .get_user_id_key(&World::request(None))
        .await
    {
        Err(VendorError::Unauthorized { code, .. }) => assert_eq!(code, "40125"),
        other => panic!("{other:?}"),
    }
    let client = world.client();
    let bad_id = GetUserIdKeyRequest {
        name: NAME.into(),
        id_card_number: "110101199003074515".into(),
        out_seq_no: None,
    };
    match client.get_user_id_key(&bad_id).await {
        Err(VendorError::InvalidRequest { code, .. }) => assert_eq!(code, "40097"),
        other => panic!("{other:?}"),
    }
    // A cached token WeChat never issued gets 40001: the client refreshes once and retries.
    let cache = Arc::new(MemoryTokenCache::default());
    cache
        .put(
            sim::APPID,
            facegate_vendors::wechat_mini::AccessToken {
                value: SecretString::from("never-issued"),
                expires_at: std::time::SystemTime::now() + Duration::from_secs(7200),
            },
        )
        .await;
    let recovering = world.client().with_token_cache(cache.clone());
    recovering
        .get_user_id_key(&World::request(None))
        .await
        .unwrap();
    assert_ne!(
        cache.get(sim::APPID).await.unwrap().value.expose_secret(),
        "never-issued"
    );
}

/// What a getinfo answer must match for the session whose getuseridkey issued `user_id_key`.
fn expected<'a>(user_id_key: &'a str, name: &'a str) -> Expected<'a> {
    Expected {
        user_id_key,
        name,
        id_number: ID_NUMBER,
    }
}
