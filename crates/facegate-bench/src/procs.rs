//! The processes under test: the vendor simulator, the bare reference server, facegate replicas;
//! each a real binary next to this one (target/release), each on its own loopback port.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use url::Url;

pub const API_KEY: &str = "bench-key-0123456789abcdef";
pub const PII_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
pub const MERCHANT: &str = "https://shop.example";

/// A binary built beside this one.
pub fn sibling(name: &str) -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe().context("locating facegate-bench")?;
    let path = me
        .parent()
        .map(|dir| dir.join(name))
        .context("facegate-bench has no directory")?;
    if !path.exists() {
        bail!(
            "{} is missing: build it first (scripts/bench.sh builds every binary)",
            path.display()
        );
    }
    Ok(path)
}

/// A free loopback port (bound, read, released: the child binds it next).
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A child process, killed when dropped.
pub struct Process {
    pub base: Url,
    child: Child,
}

impl Process {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident and peak resident memory (VmRSS, VmHWM) in KiB, from /proc.
    pub fn memory_kib(&self) -> anyhow::Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse::<u64>().ok())
                .unwrap_or(0)
        };
        Ok((field("VmRSS:"), field("VmHWM:")))
    }

    /// SIGTERM, then SIGKILL after 10 s.
    pub fn stop(mut self) {
        let _ = Command::new("kill").arg(self.pid().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Spawns `command` (listening on `port`) and waits until `probe` answers 2xx.
async fn start(
    name: &str,
    mut command: Command,
    port: u16,
    probe: &str,
) -> anyhow::Result<Process> {
    let child = command
        .stdin(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {name}"))?;
    let base = Url::parse(&format!("http://127.0.0.1:{port}/"))?;
    let mut process = Process { base, child };
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(status)) = process.child.try_wait() {
            bail!("{name} exited at start ({status})");
        }
        if let Ok(answer) = http.get(process.base.join(probe)?).send().await {
            if answer.status().is_success() {
                return Ok(process);
            }
        }
        if Instant::now() > deadline {
            let _ = process.child.kill();
            bail!("{name} did not answer {probe} within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn log_file(dir: &Path, name: &str) -> anyhow::Result<Stdio> {
    Ok(Stdio::from(std::fs::File::create(
        dir.join(format!("{name}.log")),
    )?))
}

/// The vendor simulator (`facegate-sandbox`), the loopback vendor double.
pub async fn sandbox(dir: &Path) -> anyhow::Result<Process> {
    let port = free_port()?;
    let mut command = Command::new(sibling("facegate-sandbox")?);
    command
        .env("FACEGATE_SANDBOX_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(log_file(dir, "sandbox")?)
        .stderr(log_file(dir, "sandbox.err")?);
    start("sandbox", command, port, "_counters").await
}

/// The bare reference: an axum endpoint answering from memory (`facegate-bench reference`).
pub async fn reference(dir: &Path) -> anyhow::Result<Process> {
    let port = free_port()?;
    let mut command = Command::new(std::env::current_exe()?);
    command
        .arg("reference-server")
        .arg("--addr")
        .arg(format!("127.0.0.1:{port}"))
        .stdout(log_file(dir, "reference")?)
        .stderr(log_file(dir, "reference.err")?);
    start("reference", command, port, "healthz").await
}

/// The bare durable reference (`facegate-bench durable-server`, crates/facegate-bench/src/
/// durable.rs) on `database_url`, calling the vendor double at `sandbox`.
pub async fn durable(
    dir: &Path,
    name: &str,
    database_url: &str,
    sandbox: &Url,
) -> anyhow::Result<Process> {
    let port = free_port()?;
    let mut command = Command::new(std::env::current_exe()?);
    command
        .arg("durable-server")
        .arg("--addr")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--database")
        .arg(database_url)
        .arg("--sandbox")
        .arg(sandbox.as_str())
        .stdout(log_file(dir, name)?)
        .stderr(log_file(dir, &format!("{name}.err"))?);
    start(name, command, port, "healthz").await
}

/// `taskset`, if installed.
pub fn taskset() -> Option<PathBuf> {
    ["/usr/bin/taskset", "/bin/taskset"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
}

/// The cores this process may run on (at least 1).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// One `facegate serve` (the binary at `binary`) on `database_url`, its sandbox provider
/// pointed at `sandbox`, with the production defaults except: no rate limits (the load is the
/// point) and logs to a file. With `core`, pinned to that core by `taskset`. With `limits`,
/// the limits are checked as in production but never bind: the rates per key and per address
/// at a billion a minute, the per-reference cap at its default (each reference is new).
#[allow(clippy::too_many_arguments)]
pub async fn facegate(
    dir: &Path,
    binary: &Path,
    name: &str,
    database_url: &str,
    sandbox: &Url,
    core: Option<usize>,
    limits: bool,
) -> anyhow::Result<Process> {
    let port = free_port()?;
    let data_dir = dir.join(name);
    std::fs::create_dir_all(&data_dir)?;
    let mut command = match (core, taskset()) {
        (Some(core), Some(taskset)) => {
            let mut command = Command::new(taskset);
            command.arg("-c").arg(core.to_string()).arg(binary);
            command
        }
        _ => Command::new(binary),
    };
    if limits {
        command
            .env("FACEGATE_CREATE_PER_MINUTE_PER_KEY", "1000000000")
            .env("FACEGATE_CREATE_PER_MINUTE_PER_IP", "1000000000");
    } else {
        command
            .env("FACEGATE_CREATE_PER_MINUTE_PER_KEY", "0")
            .env("FACEGATE_CREATE_PER_MINUTE_PER_IP", "0")
            .env("FACEGATE_REFERENCE_DAILY_CAP", "0");
    }
    command
        .arg("serve")
        .current_dir(&data_dir)
        .env("FACEGATE_CONFIG", data_dir.join("none.toml"))
        .env("FACEGATE_ADDR", format!("127.0.0.1:{port}"))
        .env("FACEGATE_DATABASE_URL", database_url)
        .env("FACEGATE_DATA_DIR", &data_dir)
        .env("FACEGATE_DEV", "false")
        .env("FACEGATE_API_KEYS", API_KEY)
        .env("FACEGATE_PII_KEY", PII_KEY)
        .env("FACEGATE_RETURN_URL_ALLOWLIST", MERCHANT)
        .env("FACEGATE_SANDBOX", "true")
        .env("FACEGATE_SANDBOX_API_BASE", sandbox.as_str())
        .stdout(log_file(dir, name)?)
        .stderr(log_file(dir, &format!("{name}.err"))?);
    start(name, command, port, "readyz").await
}
