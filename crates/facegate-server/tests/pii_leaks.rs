//! The personal data of a verification never leaks: whole flows on every H5 vendor (on the
//! embedded simulator; the mini-program vendors have their own journeys) with a known name and ID number, then every log line the real binary
//! wrote at debug level, every HTTP response the merchant and the browser saw, and every file
//! in the data directory are searched for them in plain text; with the text log format and
//! with JSON (`FACEGATE_LOG_FORMAT=json`).

use std::time::Duration;

use serde_json::{json, Value};

mod common;
use common::Served;

const API_KEY: &str = "leak-test-key-0123456789";
/// Rare enough that a match cannot be a coincidence; valid per GB 11643.
const ID_NUMBER: &str = "11010519491231002X";
const NAME: &str = "欧阳娜娜";
/// The simulator's FaceID best frame, as bytes and as the vendor's base64.
const MEDIA_PLAIN: &str = "sandbox best";
const MEDIA_BASE64: &str = "c2FuZGJveCBiZXN0";

async fn start(log_format: &str) -> Served {
    Served::start(
        API_KEY,
        &[
            ("FACEGATE_RECONCILE_INTERVAL_MS", "200"),
            // Vendor images kept (sealed): they must not reach a log line or a file in the clear.
            ("FACEGATE_MEDIA_RETENTION_DAYS", "7"),
            ("RUST_LOG", "debug"),
            ("FACEGATE_LOG_FORMAT", log_format),
        ],
    )
    .await
}

/// Every body a response carried, kept for the search.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    async fn keep(&mut self, response: reqwest::Response) -> (reqwest::StatusCode, String) {
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        let text = response.text().await.unwrap_or_default();
        self.0.push(text.clone());
        if let Some(location) = location {
            self.0.push(location.clone());
            return (status, location);
        }
        (status, text)
    }
}

#[tokio::test]
async fn no_name_or_id_number_leaves_the_store_in_plain_text() {
    leaks_nothing("text").await;
}

#[tokio::test]
async fn no_name_or_id_number_leaves_the_store_in_json_logs_either() {
    leaks_nothing("json").await;
}

async fn leaks_nothing(log_format: &str) {
    let server = start(log_format).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut seen = Seen::default();
    let subject = json!({"name": NAME, "id_number": ID_NUMBER});
    let mut faceid_session = None;
    // Alibaba's page script's answer for an H5 device (options.meta_info).
    let aliyun = json!({"meta_info": r#"{"apdidToken":"","appName":"https://shop.example","appVersion":"1.0.0","bioMetaInfo":"5.1.0:2097152,0","deviceType":"h5","osVersion":"iOS 17.4","zimVer":"1.0.0"}"#});
    let providers = [
        ("sandbox", "pass", None),
        ("sandbox", "not_same_person", None),
        ("faceid_lite", "1000:SUCCESS", None),
        ("baidu_h5", "pass", None),
        ("oemcloud", "pass", None),
        ("tencent_faceid", "0", None),
        ("aliyun_cloudauth", "T:200", Some(aliyun)),
    ];
    let created = providers.len();
    for (provider, outcome, options) in providers {
        let mut create = json!({"provider": provider, "subject": subject,
            "return_url": "http://localhost:3000/done"});
        if let Some(options) = options {
            create["options"] = options;
        }
        let (status, body) = seen
            .keep(
                http.post(format!("{}/v1/verifications", server.base))
                    .bearer_auth(API_KEY)
                    .json(&create)
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
        assert_eq!(status, 200, "{provider}: {body}");
        let session: Value = serde_json::from_str(&body).unwrap();
        let id = session["id"].as_str().unwrap().to_owned();
        if provider == "faceid_lite" {
            faceid_session = Some(id.clone());
        }
        let mut page = session["next_action"]["url"].as_str().unwrap().to_owned();
        let (mut status, mut shown) = seen.keep(http.get(&page).send().await.unwrap()).await;
        while status.is_redirection() {
            page = shown.clone();
            (status, shown) = seen.keep(http.get(&page).send().await.unwrap()).await;
        }
        let (_, back) = seen
            .keep(
                http.post(&page)
                    .form(&[("outcome", outcome)])
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        seen.keep(http.get(&back).send().await.unwrap()).await;
        seen.keep(
            http.get(format!("{}/v1/verifications/{id}", server.base))
                .bearer_auth(API_KEY)
                .send()
                .await
                .unwrap(),
        )
        .await;
    }
    // A bad create: the error names the field, never its value.
    seen.keep(
        http.post(format!("{}/v1/verifications", server.base))
            .bearer_auth(API_KEY)
            .json(
                &json!({"provider": "sandbox", "return_url": "http://localhost:3000/",
                "subject": {"name": NAME, "id_number": "11010519491231002Y"}}),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    seen.keep(
        http.get(format!("{}/v1/verifications?limit=100", server.base))
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap(),
    )
    .await;

    // The person's sessions, found by keyed hash; the kept images; then redaction.
    let (status, found) = seen
        .keep(
            http.post(format!("{}/v1/verifications/search", server.base))
                .bearer_auth(API_KEY)
                .json(&json!({"id_number": ID_NUMBER}))
                .send()
                .await
                .unwrap(),
        )
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(
        serde_json::from_str::<Value>(&found).unwrap()["data"]
            .as_array()
            .unwrap()
            .len(),
        created,
        "every created session of the person"
    );
    let faceid_session = faceid_session.unwrap();
    let media = http
        .get(format!(
            "{}/v1/verifications/{faceid_session}/media",
            server.base
        ))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Served to the merchant who asked (and only there): FaceID's best frame, in base64.
    assert!(media.contains(MEDIA_BASE64), "{media}");
    let (status, redacted) = seen
        .keep(
            http.post(format!(
                "{}/v1/verifications/{faceid_session}/redact",
                server.base
            ))
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap(),
        )
        .await;
    assert_eq!(status, 200, "{redacted}");

    let mut server = server;
    let logs = server.stop();
    assert!(
        logs.lines().count() > 50,
        "the server logged at debug level:\n{logs}"
    );
    assert!(logs.contains("verification status changed"));
    if log_format == "json" {
        for line in logs.lines().filter(|line| line.starts_with('{')) {
            let parsed: Value = serde_json::from_str(line).expect("a JSON log line");
            assert!(parsed["timestamp"].is_string() && parsed["level"].is_string());
        }
        assert!(logs.lines().filter(|line| line.starts_with('{')).count() > 50);
    }

    for needle in [MEDIA_PLAIN, MEDIA_BASE64] {
        assert!(!logs.contains(needle), "a log line holds a vendor image");
    }
    let needles: [&str; 3] = [ID_NUMBER, NAME, "110105194912"];
    for needle in needles {
        assert!(!logs.contains(needle), "a log line holds {needle}");
        for body in &seen.0 {
            assert!(!body.contains(needle), "a response holds {needle}: {body}");
        }
    }
    let mut files = 0;
    for entry in walk(server.data_dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        files += 1;
        for needle in needles.iter().chain(&[MEDIA_PLAIN, MEDIA_BASE64]) {
            let found = bytes
                .windows(needle.len())
                .any(|window| window == needle.as_bytes());
            assert!(!found, "{} holds {needle} in plain text", entry.display());
        }
    }
    assert!(files >= 2, "the database and the key files were searched");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
