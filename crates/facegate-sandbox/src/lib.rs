//! facegate-sandbox: the vendors, simulated on loopback over real HTTP.
//!
//! facegate talks to the sandbox exactly as to a vendor: through a base URL setting. The
//! sandbox's own provider (`sandbox`, see [`generic`]) and every simulated vendor (see
//! [`vendors`]) issue expiring, single-use tokens and host the page where a sandbox user picks
//! an outcome; a plain HTML form, so it works without JavaScript and in any test browser.

// Helpers here return a ready `Response` as their error, as axum handlers do; boxing it would
// only add noise on a path that runs once per request.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use url::Url;

pub mod clock;
pub mod counters;
pub mod faults;
pub mod generic;
mod page;
pub mod vendors;

pub use clock::Clock;
pub use counters::Counters;

/// How a sandbox is set up.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// The base URL browsers use to reach this sandbox's pages (`http://127.0.0.1:8080/sandbox/`).
    pub public_base: Url,
    /// The bearer key the sandbox provider's API expects.
    pub api_key: String,
    /// Token lifetime when the caller names none (Baidu's verify_token lives 2 hours).
    pub default_ttl: Duration,
    /// The time source; tests move it forward to expire tokens.
    pub clock: Clock,
    /// Token grants and result queries, counted (`GET /_counters`).
    pub counters: Counters,
    /// Serves `/_faults` (fault injection, see [`faults`]): on for a sandbox of its own, off
    /// where a server embeds the sandbox for anyone to reach.
    pub fault_injection: bool,
}

impl SandboxConfig {
    /// A sandbox reached at `public_base`, with the default key `sandbox` and a 2-hour TTL.
    pub fn new(public_base: Url) -> Self {
        let mut public_base = public_base;
        if !public_base.path().ends_with('/') {
            let path = format!("{}/", public_base.path());
            public_base.set_path(&path);
        }
        Self {
            public_base,
            api_key: "sandbox".to_owned(),
            default_ttl: Duration::from_secs(2 * 60 * 60),
            clock: Clock::system(),
            counters: Counters::default(),
            fault_injection: true,
        }
    }

    /// The public URL of `path` under this sandbox.
    pub fn public_url(&self, path: &str) -> Url {
        // `path` is always one of ours and relative, so joining cannot fail.
        self.public_base
            .join(path.trim_start_matches('/'))
            .unwrap_or_else(|_| self.public_base.clone())
    }
}

/// The whole sandbox as a router, to be served at the root of its own listener or nested
/// under a prefix (facegate nests it at `/sandbox`).
/// The client every simulator posts its notifies and pushes with: 5 s per request, like a vendor
/// that gives up on a slow merchant.
pub(crate) fn notifier() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap_or_default()
}

/// A mainland ID number as the vendors check it: 18 characters, the GB 11643 check digit right
/// (`X` in either case).
pub(crate) fn valid_id_number(value: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let bytes = value.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    bytes[17].to_ascii_uppercase() == CHECK[(sum % 11) as usize]
}

/// A merchant URL the simulators call back or send the user to: absolute http(s) only.
pub(crate) fn http_url(value: &str) -> Option<Url> {
    Url::parse(value)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
}

/// Inserts into one of a simulator's maps of things it issued, kept to `retention` (by `at`)
/// and to `max` entries: expired entries go first, then the oldest while the map is full.
pub(crate) fn insert_bounded<V>(
    map: &mut std::collections::HashMap<String, V>,
    (retention, max): (Duration, usize),
    now: time::OffsetDateTime,
    at: impl Fn(&V) -> time::OffsetDateTime,
    key: String,
    value: V,
) {
    map.retain(|_, entry| now - at(entry) < retention);
    while map.len() >= max.max(1) {
        let Some(oldest) = map
            .iter()
            .min_by_key(|(_, entry)| at(entry))
            .map(|(k, _)| k.clone())
        else {
            break;
        };
        map.remove(&oldest);
    }
    map.insert(key, value);
}

/// A simulator's state, locked; a panic in another request does not poison the simulator.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub fn router(config: SandboxConfig) -> Router {
    let config = Arc::new(config);
    let simulators = Router::new()
        .merge(counters::router(config.counters.clone()))
        .merge(generic::router(config.clone()))
        .merge(vendors::router(&config));
    if config.fault_injection {
        faults::wrap(simulators)
    } else {
        simulators
    }
}

/// A sandbox serving on a loopback port of its own (tests and local tools); stops when dropped.
pub struct Running {
    /// Where it serves (`http://127.0.0.1:<port>/`), also its public base.
    pub base: Url,
    /// Its clock: advance it to expire tokens.
    pub clock: Clock,
    /// What it was asked, counted.
    pub counters: Counters,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Running {
    /// The URL of `path` (with or without a leading slash) under this sandbox.
    pub fn url(&self, path: &str) -> Url {
        self.base
            .join(path.trim_start_matches('/'))
            .unwrap_or_else(|_| self.base.clone())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts a sandbox on 127.0.0.1 with an ephemeral port and the default configuration.
pub async fn spawn_on_loopback() -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = Url::parse(&format!("http://{}/", listener.local_addr()?))
        .map_err(|error| std::io::Error::other(error.to_string()))?;
    let config = SandboxConfig::new(base.clone());
    let clock = config.clock.clone();
    let counters = config.counters.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, config, async move {
        let _ = stopped.await;
    }));
    Ok(Running {
        base,
        clock,
        counters,
        stop: Some(stop),
    })
}

/// Serves the sandbox on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: SandboxConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(config))
        .with_graceful_shutdown(shutdown)
        .await
}
