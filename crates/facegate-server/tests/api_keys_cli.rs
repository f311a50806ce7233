//! Merchant API keys kept in the database, end to end: the real `facegate keys` binary against a
//! data directory, and a server on the same database that honours (and forgets) what it made.

use std::path::Path;
use std::process::Command;

use facegate_server::{Application, Settings};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

const PII_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/// Runs `facegate <args>` on `data_dir` with no other configuration; (success, stdout, stderr).
fn facegate(data_dir: &Path, args: &[&str]) -> (bool, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_facegate"));
    for (name, _) in std::env::vars() {
        if name.starts_with("FACEGATE_") {
            command.env_remove(name);
        }
    }
    let output = command
        .args(args)
        .env("FACEGATE_CONFIG", data_dir.join("absent.toml"))
        .env("FACEGATE_DATA_DIR", data_dir)
        .env("FACEGATE_PII_KEY", PII_KEY)
        .env("FACEGATE_DEV", "false")
        .env("FACEGATE_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the facegate binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn created_key(stdout: &str) -> (String, String) {
    let key = stdout
        .split_whitespace()
        .find(|word| word.starts_with("fg_live_"))
        .expect("create prints the key")
        .to_owned();
    let id = stdout
        .split_whitespace()
        .find(|word| word.starts_with("key_"))
        .expect("create names the id")
        .trim_end_matches('.')
        .to_owned();
    (id, key)
}

/// The tab-separated columns of `keys list` for one key.
fn key_line(listed: &str, id: &str) -> Vec<String> {
    let line = listed
        .lines()
        .find(|line| line.starts_with(id))
        .unwrap_or_else(|| panic!("{id} is listed: {listed}"));
    line.split('\t').map(str::to_owned).collect()
}

/// Every byte under the data directory (the database, its WAL, anything else).
fn data_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| (path.display().to_string(), std::fs::read(&path).unwrap()))
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

async fn serve(data_dir: &Path) -> (String, CancellationToken) {
    let data_dir = data_dir.display().to_string();
    let settings = Settings::from_pairs([
        ("addr", "127.0.0.1:0"),
        ("data_dir", data_dir.as_str()),
        ("pii_key", PII_KEY),
        ("dev", "false"),
        ("return_url_allowlist", "https://shop.example"),
    ])
    .unwrap();
    let app = Application::build(settings)
        .await
        .expect("the server starts");
    let base = format!("http://{}", app.local_addr());
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move { app.run(stop).await.unwrap() });
    (base, shutdown)
}

async fn create_session(http: &reqwest::Client, base: &str, key: &str) -> reqwest::StatusCode {
    http.post(format!("{base}/v1/verifications"))
        .bearer_auth(key)
        .json(&json!({
            "provider": "sandbox",
            "subject": {"name": "张三", "id_number": "110101199003074514"},
            "return_url": "https://shop.example/done",
        }))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn keys_are_created_listed_used_and_revoked_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();

    // Without any key, a production server refuses to start.
    let (ok, _, stderr) = facegate(dir.path(), &["serve"]);
    assert!(!ok && stderr.contains("keys create"), "{stderr}");

    let (ok, stdout, stderr) = facegate(dir.path(), &["keys", "create", "--label", "shop backend"]);
    assert!(ok, "{stderr}");
    let (id, key) = created_key(&stdout);
    let (ok, stdout, _) = facegate(dir.path(), &["keys", "create"]);
    assert!(ok);
    let (other_id, other_key) = created_key(&stdout);
    assert_ne!(id, other_id);

    let (ok, listed, _) = facegate(dir.path(), &["keys", "list"]);
    assert!(ok);
    assert!(
        listed.contains(&id) && listed.contains(&other_id),
        "{listed}"
    );
    assert!(listed.contains("shop backend"), "{listed}");
    assert!(
        !listed.contains("fg_live_"),
        "list never shows a key: {listed}"
    );

    let (base, shutdown) = serve(dir.path()).await;
    let http = reqwest::Client::new();
    assert_eq!(create_session(&http, &base, &key).await, 200);
    assert_eq!(create_session(&http, &base, &other_key).await, 200);
    // A key of the right shape with a wrong secret, and a made-up id, are refused alike.
    let forged = format!("{}{}", &key[..key.len() - 4], "AAAA");
    assert_eq!(create_session(&http, &base, &forged).await, 401);
    let unknown = format!("fg_live_{}_{}", "0".repeat(16), "A".repeat(32));
    assert_eq!(create_session(&http, &base, &unknown).await, 401);

    let (_, listed, _) = facegate(dir.path(), &["keys", "list"]);
    let columns = key_line(&listed, &id);
    assert_eq!(columns[1], "shop backend");
    assert_ne!(columns[3], "-", "last used is recorded: {listed}");
    assert_eq!(columns[4], "-", "not revoked: {listed}");

    // Revoked by the CLI while the server runs: 401 at once; the other key still works.
    let (ok, stdout, stderr) = facegate(dir.path(), &["keys", "revoke", &id]);
    assert!(ok && stdout.contains(&id), "{stdout}{stderr}");
    let refused = http
        .get(format!("{base}/v1/verifications"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    assert_eq!(create_session(&http, &base, &key).await, 401);
    assert_eq!(create_session(&http, &base, &other_key).await, 200);

    let (ok, _, stderr) = facegate(dir.path(), &["keys", "revoke", &id]);
    assert!(!ok && stderr.contains("already revoked"), "{stderr}");
    let (ok, _, stderr) = facegate(dir.path(), &["keys", "revoke", "key_0000000000000000"]);
    assert!(!ok && stderr.contains("no key"), "{stderr}");
    let (_, listed, _) = facegate(dir.path(), &["keys", "list"]);
    assert_ne!(
        key_line(&listed, &id)[4],
        "-",
        "revoked shows a date: {listed}"
    );
    shutdown.cancel();

    // Neither key, nor its secret part, is anywhere under the data directory.
    for (path, bytes) in data_bytes(dir.path()) {
        for secret in [&key, &other_key] {
            let secret_part = secret.rsplit('_').next().unwrap();
            assert!(!contains(&bytes, secret.as_bytes()), "{path} holds a key");
            assert!(
                !contains(&bytes, secret_part.as_bytes()),
                "{path} holds a secret"
            );
        }
    }
}
