//! What several of the server's integration tests share.
#![allow(dead_code)] // each test binary uses its part

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::Connection;
use url::Url;

/// A PostgreSQL database created for one test and dropped (best effort) after it.
pub struct FreshDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl FreshDatabase {
    /// Creates `<prefix>_<pid>_<serial>_<nanos>` on the server `admin_url` reaches.
    pub async fn create(admin_url: &str, prefix: &str) -> Self {
        static SERIAL: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "{prefix}_{}_{}_{nanos}",
            std::process::id(),
            SERIAL.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = sqlx::PgConnection::connect(admin_url).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.unwrap();
        let mut url = Url::parse(admin_url).unwrap();
        url.set_path(&format!("/{name}"));
        Self {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        }
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Inside the test's runtime nothing can block on a future: a thread with its own does.
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

/// The real `facegate serve` binary on a free loopback port, with the embedded vendor
/// simulators, a fresh data directory and its output in a log file beside (not in) that
/// directory. Killed when dropped.
pub struct Served {
    pub child: Child,
    pub base: String,
    pub log: PathBuf,
    pub data_dir: tempfile::TempDir,
}

impl Served {
    /// Starts it with `api_key` and `env` on top of the defaults, and waits for /healthz.
    pub async fn start(api_key: &str, env: &[(&str, &str)]) -> Self {
        let data_dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = data_dir.path().with_extension("log");
        // A file, not a pipe: a pipe nobody reads would block the server once it fills.
        let file = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_facegate"));
        command
            .arg("serve")
            .arg("--sandbox-vendors")
            .env("FACEGATE_ADDR", format!("127.0.0.1:{port}"))
            .env("FACEGATE_DATA_DIR", data_dir.path())
            .env("FACEGATE_API_KEYS", api_key)
            .env("FACEGATE_DEV", "true")
            .env("FACEGATE_CONFIG", data_dir.path().join("none.toml"));
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command
            .stdout(Stdio::from(file.try_clone().unwrap()))
            .stderr(Stdio::from(file))
            .spawn()
            .expect("the facegate binary starts");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for _ in 0..100 {
            if client.get(format!("{base}/healthz")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self {
            child,
            base,
            log,
            data_dir,
        }
    }

    /// Stops the server and returns everything it logged.
    pub fn stop(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.log).unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
