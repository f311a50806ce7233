//! Token fetches are retried (bounded, with backoff) when the vendor fails transiently, and a
//! 429's Retry-After is honoured: against the real simulators, with the sandbox's fault
//! injection (`POST /_faults`) making exactly the next calls fail.

use std::time::{Duration, Instant};

use facegate_sandbox::vendors::{baidu_h5 as baidu, wechat_mini as wechat};
use facegate_vendors::baidu_h5::{BaiduH5Client, Credentials};
use facegate_vendors::wechat_mini::WechatMiniClient;
use facegate_vendors::VendorError;
use secrecy::SecretString;
use serde_json::{json, Value};

struct Sandbox {
    running: facegate_sandbox::Running,
    http: reqwest::Client,
}

impl Sandbox {
    async fn spawn() -> Self {
        Self {
            running: facegate_sandbox::spawn_on_loopback().await.unwrap(),
            http: facegate_vendors::http::client(Default::default()).unwrap(),
        }
    }

    async fn faults(&self, spec: Value) {
        let response = self
            .http
            .post(self.running.url("_faults"))
            .json(&spec)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }

    async fn fault_report(&self) -> Value {
        self.http
            .get(self.running.url("_faults"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    fn baidu(&self) -> BaiduH5Client {
        BaiduH5Client::new(
            self.http.clone(),
            self.running.url(baidu::AIP_PREFIX),
            self.running.url(baidu::H5_PREFIX),
            Credentials {
                api_key: baidu::API_KEY.to_owned(),
                secret_key: SecretString::from(baidu::SECRET_KEY),
            },
            baidu::PLAN_ID,
        )
    }

    fn wechat(&self) -> WechatMiniClient {
        WechatMiniClient::new(
            self.http.clone(),
            self.running.url(wechat::API_PREFIX),
            wechat::APPID,
            SecretString::from(wechat::APP_SECRET),
        )
    }
}

#[tokio::test]
async fn a_baidu_token_fetch_survives_two_server_errors() {
    let sandbox = Sandbox::spawn().await;
    sandbox
        .faults(
            json!({"rate": 1.0, "kinds": ["500"], "limit": 2, "prefixes": ["/baidu/aip/oauth/"]}),
        )
        .await;
    sandbox
        .baidu()
        .access_token()
        .await
        .expect("the third try succeeds");
    let report = sandbox.fault_report().await;
    assert_eq!(report["injected"]["500"], 2);
    assert_eq!(
        report["seen"], 3,
        "exactly one attempt after the two failures"
    );
}

#[tokio::test]
async fn a_token_fetch_gives_up_after_the_bounded_retries() {
    let sandbox = Sandbox::spawn().await;
    sandbox
        .faults(json!({"rate": 1.0, "kinds": ["500"], "prefixes": ["/baidu/aip/oauth/"]}))
        .await;
    let error = sandbox.baidu().access_token().await.unwrap_err();
    assert!(matches!(error, VendorError::Unavailable(_)), "{error:?}");
    assert_eq!(
        sandbox.fault_report().await["seen"],
        3,
        "1 attempt + 2 retries"
    );
}

#[tokio::test]
async fn a_wechat_token_fetch_waits_out_a_429s_retry_after() {
    let sandbox = Sandbox::spawn().await;
    sandbox
        .faults(
            json!({"rate": 1.0, "kinds": ["429"], "limit": 1, "retry_after_seconds": 1,
                        "prefixes": ["/wechat/api/cgi-bin/"]}),
        )
        .await;
    let started = Instant::now();
    sandbox
        .wechat()
        .access_token()
        .await
        .expect("the retry succeeds");
    // The planned backoff is 100-200 ms: only the Retry-After explains a second's wait.
    assert!(started.elapsed() >= Duration::from_secs(1));
    let report = sandbox.fault_report().await;
    assert_eq!(report["injected"]["429"], 1);
    assert_eq!(report["seen"], 2);
}
