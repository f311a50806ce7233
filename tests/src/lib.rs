//! The test harness for facegate's journeys: the real server (in-process, bound to
//! 127.0.0.1:0 with a temporary data directory and a real SQLite file, or a fresh database on
//! the PostgreSQL server that FACEGATE_TEST_DATABASE_URL names) and the real sandbox on
//! its own loopback port, talking over HTTP. Helper names follow the user's story.

use std::net::SocketAddr;
use std::time::Duration;

use facegate_server::{Application, Settings};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;
use url::Url;

pub const API_KEY: &str = "test-key-0123456789abcdef";
pub const MERCHANT: &str = "https://shop.example";
/// A real, valid mainland ID number (check digit per GB 11643) used throughout the tests.
pub const ID_NUMBER: &str = "110101199003074514";
pub const NAME: &str = "张三";

/// A sandbox on its own port: it outlives server restarts, as a vendor would.
pub type Sandbox = facegate_sandbox::Running;

/// One facegate server, its data directory and a client that does not follow redirects.
pub struct TestApp {
    pub base: Url,
    pub http: reqwest::Client,
    pub sandbox: Sandbox,
    pub data_dir: tempfile::TempDir,
    pairs: Vec<(String, String)>,
    addr: SocketAddr,
    shutdown: CancellationToken,
    server: tokio::task::JoinHandle<()>,
    /// Dropped after the server is told to stop (fields drop after `Drop::drop`).
    _database: Option<TestDatabase>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Spawns with extra settings (`("sandbox_ttl_seconds", "1")`, ...).
    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        let sandbox = facegate_sandbox::spawn_on_loopback().await.unwrap();
        Self::spawn_on(sandbox, extra).await
    }

    /// Spawns with every vendor configured as an operator would configure the real ones (base
    /// URLs and credentials), pointed at this app's own sandbox, which takes fault injection
    /// (`/_faults`); `sandbox_vendors` points them at the embedded sandbox, which does not.
    pub async fn spawn_with_vendors_on_sandbox(extra: &[(&str, &str)]) -> Self {
        use facegate_sandbox::vendors::{
            aliyun_cloudauth, baidu_h5, baidu_smartapp, faceid_lite, oemcloud, tencent_faceid,
            wechat_mini,
        };
        let sandbox = facegate_sandbox::spawn_on_loopback().await.unwrap();
        let base = |prefix: &str| sandbox.url(prefix).to_string();
        let vendors = [
            ("baidu_api_key", baidu_h5::API_KEY.to_owned()),
            ("baidu_secret_key", baidu_h5::SECRET_KEY.to_owned()),
            ("baidu_plan_id", baidu_h5::PLAN_ID.to_owned()),
            ("baidu_aip_base", base(baidu_h5::AIP_PREFIX)),
            ("baidu_h5_base", base(baidu_h5::H5_PREFIX)),
            ("baidu_openapi_base", base(baidu_smartapp::PREFIX)),
            ("faceid_appcode", faceid_lite::APPCODE.to_owned()),
            ("faceid_api_base", base(faceid_lite::API_PREFIX)),
            ("faceid_h5_base", base(faceid_lite::H5_PREFIX)),
            ("wechat_appid", wechat_mini::APPID.to_owned()),
            ("wechat_appsecret", wechat_mini::APP_SECRET.to_owned()),
            ("wechat_push_token", wechat_mini::PUSH_TOKEN.to_owned()),
            ("wechat_api_base", base(wechat_mini::API_PREFIX)),
            ("oemcloud_appcode", oemcloud::APPCODE.to_owned()),
            ("oemcloud_api_base", base(oemcloud::API_PREFIX)),
            ("oemcloud_callback_secret", oemcloud::APP_SECRET.to_owned()),
            ("tencent_secret_id", tencent_faceid::SECRET_ID.to_owned()),
            ("tencent_secret_key", tencent_faceid::SECRET_KEY.to_owned()),
            ("tencent_rule_id", tencent_faceid::RULE_ID.to_owned()),
            ("tencent_api_base", base(tencent_faceid::API_PREFIX)),
            (
                "aliyun_access_key_id",
                aliyun_cloudauth::ACCESS_KEY_ID.to_owned(),
            ),
            (
                "aliyun_access_key_secret",
                aliyun_cloudauth::ACCESS_KEY_SECRET.to_owned(),
            ),
            ("aliyun_scene_id", aliyun_cloudauth::SCENE_ID.to_string()),
            ("aliyun_api_base", base(aliyun_cloudauth::API_PREFIX)),
        ];
        let mut pairs: Vec<(&str, &str)> = vendors.iter().map(|(k, v)| (*k, v.as_str())).collect();
        pairs.extend_from_slice(extra);
        Self::spawn_on(sandbox, &pairs).await
    }

    async fn spawn_on(sandbox: Sandbox, extra: &[(&str, &str)]) -> Self {
        let data_dir = tempfile::tempdir().unwrap();
        let mut pairs: Vec<(String, String)> = vec![
            ("api_keys".into(), API_KEY.into()),
            ("return_url_allowlist".into(), MERCHANT.into()),
            ("sandbox_api_base".into(), sandbox.base.to_string()),
            ("data_dir".into(), data_dir.path().display().to_string()),
            ("reconcile_interval_ms".into(), "200".into()),
            ("refresh_interval_ms".into(), "0".into()),
            // The journeys create dozens of sessions for one reference; rate_limits.rs tests
            // the cap itself.
            ("reference_daily_cap".into(), "0".into()),
        ];
        // facegate's PII key: generated per test, as an operator would configure it.
        pairs.push((
            "pii_key".into(),
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into(),
        ));
        // PostgreSQL when FACEGATE_TEST_DATABASE_URL names a server: a fresh database per app,
        // kept across restarts; otherwise SQLite in the data directory.
        let database = match std::env::var("FACEGATE_TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let database = TestDatabase::create(&admin_url).await;
                pairs.push(("database_url".into(), database.url.clone()));
                Some(database)
            }
            _ => None,
        };
        for (key, value) in extra {
            pairs.retain(|(k, _)| k != key);
            pairs.push(((*key).into(), (*value).into()));
        }
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let (addr, shutdown, server) = start(&pairs, addr).await;
        Self {
            base: Url::parse(&format!("http://{addr}/")).unwrap(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            sandbox,
            data_dir,
            pairs,
            addr,
            shutdown,
            server,
            _database: database,
        }
    }

    /// Stops the server and starts it again on the same port and data directory.
    pub async fn restart(&mut self) {
        self.shutdown.cancel();
        (&mut self.server).await.unwrap();
        let (addr, shutdown, server) = start(&self.pairs, self.addr).await;
        assert_eq!(addr, self.addr);
        self.shutdown = shutdown;
        self.server = server;
    }

    pub fn url(&self, path: &str) -> Url {
        self.base.join(path.trim_start_matches('/')).unwrap()
    }

    /// POST /v1/verifications with the merchant key; the raw status and body.
    pub async fn try_create(&self, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url("/v1/verifications"))
            .bearer_auth(API_KEY)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A sandbox session for 张三 that returns to the merchant; panics unless created.
    pub async fn create_session(&self) -> Value {
        self.create_session_with(json!({})).await
    }

    /// Like `create_session`, with fields of `overrides` replacing the defaults.
    pub async fn create_session_with(&self, overrides: Value) -> Value {
        let mut body = json!({
            "provider": "sandbox",
            "reference": "order-1",
            "subject": {"name": NAME, "id_number": ID_NUMBER},
            "return_url": format!("{MERCHANT}/done?order=1"),
        });
        if let (Some(body), Some(overrides)) = (body.as_object_mut(), overrides.as_object()) {
            for (key, value) in overrides {
                body.insert(key.clone(), value.clone());
            }
        }
        let (status, session) = self.try_create(body).await;
        assert_eq!(status, StatusCode::OK, "create failed: {session}");
        session
    }

    /// GET /v1/verifications/{id} with the merchant key.
    pub async fn get_session(&self, id: &str) -> Value {
        let response = self
            .http
            .get(self.url(&format!("/v1/verifications/{id}")))
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// GET /v1/verifications?{query}: reads the store, asks no vendor.
    pub async fn list(&self, query: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .get(self.url(&format!("/v1/verifications?{query}")))
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    /// The sandbox user submits `outcome` on the page; returns where the page redirects.
    pub async fn complete_sandbox_page(&self, session: &Value, outcome: &str) -> Url {
        let mut page =
            Url::parse(session["next_action"]["url"].as_str().expect("a page URL")).unwrap();
        let mut shown = self.http.get(page.clone()).send().await.unwrap();
        // A short link redirects to the page itself (e-sign's authUrl does).
        for _ in 0..3 {
            if !shown.status().is_redirection() {
                break;
            }
            page = location(&shown);
            shown = self.http.get(page.clone()).send().await.unwrap();
        }
        assert_eq!(shown.status(), StatusCode::OK);
        let html = shown.text().await.unwrap();
        assert!(
            html.contains(&format!("value=\"{outcome}\"")),
            "{outcome} is not offered"
        );
        // Every vendor's page: zh-CN by default, en when the browser asks, no missing text.
        assert!(html.contains("<html lang=\"zh-CN\">"), "{html}");
        assert!(!html.contains(facegate_i18n::MISSING), "{html}");
        let english = self
            .http
            .get(page.clone())
            .header(reqwest::header::ACCEPT_LANGUAGE, "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(english.contains("<html lang=\"en\">"), "{english}");
        assert!(!english.contains(facegate_i18n::MISSING), "{english}");
        assert!(english.contains(&format!("value=\"{outcome}\"")));
        let submitted = self
            .http
            .post(page.clone())
            .form(&[("outcome", outcome)])
            .send()
            .await
            .unwrap();
        assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
        location(&submitted)
    }

    /// The browser follows facegate's return URL; returns the merchant landing URL.
    pub async fn follow_return(&self, return_url: &Url) -> Url {
        let response = self.http.get(return_url.clone()).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        location(&response)
    }

    /// Polls the list endpoint (which asks no vendor) until the session is `status`.
    pub async fn wait_for_status(&self, id: &str, status: &str) -> Value {
        for _ in 0..100 {
            let (_, page) = self.list("limit=100").await;
            if let Some(session) = page["data"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == id && s["status"] == status)
            {
                return session.clone();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{id} never became {status}");
    }

    /// Every line the data directory holds, for leak checks.
    pub fn data_files(&self) -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![self.data_dir.path().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    out.push((path.clone(), std::fs::read(&path).unwrap()));
                }
            }
        }
        out
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A database of one TestApp's own on the PostgreSQL server of FACEGATE_TEST_DATABASE_URL, so
/// tests run in parallel without sharing rows. Dropped (best effort) with the TestApp.
struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    async fn create(admin_url: &str) -> Self {
        use sqlx::Connection;
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.subsec_nanos())
            .unwrap_or(0);
        let serial = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("fg_test_{}_{serial}_{nanos}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .expect("FACEGATE_TEST_DATABASE_URL answers (run scripts/postgres.sh)");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("CREATE DATABASE for the test");
        let _ = admin.close().await;
        let mut url = Url::parse(admin_url).expect("FACEGATE_TEST_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        Self {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        use sqlx::Connection;
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which cannot block on its own futures: a thread
        // with a runtime of its own does the DROP. FORCE ends the stopped server's connections.
        let dropping = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await;
                    let _ = admin.close().await;
                }
            });
        });
        let _ = dropping.join();
    }
}

async fn start(
    pairs: &[(String, String)],
    addr: SocketAddr,
) -> (SocketAddr, CancellationToken, tokio::task::JoinHandle<()>) {
    let mut pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let addr_text = addr.to_string();
    pairs.push(("addr", &addr_text));
    let settings = Settings::from_pairs(pairs).expect("test settings");
    let app = Application::build(settings)
        .await
        .expect("the server starts");
    let addr = app.local_addr();
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    let server = tokio::spawn(async move {
        app.run(stop).await.expect("the server runs");
    });
    (addr, shutdown, server)
}

/// The Location header of a redirect, as a URL.
pub fn location(response: &reqwest::Response) -> Url {
    let value = response
        .headers()
        .get(http::header::LOCATION)
        .expect("a Location header")
        .to_str()
        .unwrap();
    Url::parse(value).unwrap()
}

/// The value of one query parameter.
pub fn query_param(url: &Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

impl TestApp {
    /// The app's database URL: its PostgreSQL database, or the SQLite file in its data dir.
    pub fn database_url(&self) -> String {
        self.pairs
            .iter()
            .find(|(k, _)| k == "database_url")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| {
                format!(
                    "sqlite://{}",
                    self.data_dir.path().join("facegate.db").display()
                )
            })
    }

    /// The app's database, opened directly (as another replica or a job would).
    pub async fn store(&self) -> std::sync::Arc<dyn facegate_server::store::Store> {
        facegate_server::store::connect(&self.database_url())
            .await
            .unwrap()
    }

    /// The outbox events recorded for a session, read from the store directly.
    pub async fn state_events(&self, id: &str) -> Vec<facegate_server::store::OutboxEvent> {
        self.store().await.events_for(id).await.unwrap()
    }
}

/// A vendor double: a router of documented vendor answers on a loopback port of its own, for
/// answers the simulator never gives (a handle issued twice, a code the sandbox reaches only
/// after facegate's own checks). Stops when dropped.
pub struct VendorDouble {
    /// Where it serves (`http://127.0.0.1:<port>/`).
    pub base: Url,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl VendorDouble {
    pub async fn spawn(router: axum::Router) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Self {
            base,
            stop: Some(stop),
        }
    }

    /// The double's URL as a setting value.
    pub fn url(&self) -> String {
        self.base.to_string()
    }
}

impl Drop for VendorDouble {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
