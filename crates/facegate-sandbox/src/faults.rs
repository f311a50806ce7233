//! Fault injection: the sandbox can be told to answer a share of vendor API calls badly, as
//! real vendors sometimes do, so facegate's retries, circuit breaker and reconciler can be
//! tested over real HTTP.
//!
//! - `POST /_faults` `{"rate": 0.2, "kinds": ["500", "429", "garbage", "timeout"], "seed": 7,
//!   "limit": null, "retry_after_seconds": 1, "timeout_ms": 15000, "prefixes": null}` turns
//!   faults on (answers the spec and the counters so far, reset);
//! - `GET /_faults` answers `{"spec": .. | null, "seen": n, "injected": {"500": n, ...}}`;
//! - `DELETE /_faults` turns them off (the counters stay readable).
//!
//! Only API calls are touched (paths under `prefixes`, by default every simulator's API
//! prefix); the user's pages and the admin endpoint never are. A fault is decided per call
//! with a seeded generator, so a run is repeatable for a given order of calls. `limit` stops
//! injecting after that many faults (a deterministic "the next N calls fail").

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::vendors;

/// One way to answer badly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FaultKind {
    /// 500 with a JSON error body.
    #[serde(rename = "500")]
    ServerError,
    /// 429 with `Retry-After`.
    #[serde(rename = "429")]
    RateLimited,
    /// 200 with a body that is not JSON.
    #[serde(rename = "garbage")]
    Garbage,
    /// No answer for `timeout_ms`, then a 504.
    #[serde(rename = "timeout")]
    Timeout,
}

impl FaultKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::ServerError => "500",
            Self::RateLimited => "429",
            Self::Garbage => "garbage",
            Self::Timeout => "timeout",
        }
    }
}

/// What `POST /_faults` takes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultSpec {
    /// The share of matching calls answered badly, 0 to 1.
    pub rate: f64,
    /// The kinds to choose from, evenly.
    pub kinds: Vec<FaultKind>,
    /// The generator's seed (a fixed default when absent).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Stop after this many faults.
    #[serde(default)]
    pub limit: Option<u64>,
    /// The Retry-After a 429 carries.
    #[serde(default = "default_retry_after")]
    pub retry_after_seconds: u64,
    /// How long a `timeout` fault holds the call.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Path prefixes faults apply to; every simulator's API when absent.
    #[serde(default)]
    pub prefixes: Option<Vec<String>>,
}

fn default_retry_after() -> u64 {
    1
}

fn default_timeout_ms() -> u64 {
    15_000
}

impl FaultSpec {
    /// `rate` of the calls, with the given kinds.
    pub fn new(rate: f64, kinds: &[FaultKind]) -> Self {
        Self {
            rate,
            kinds: kinds.to_vec(),
            seed: None,
            limit: None,
            retry_after_seconds: default_retry_after(),
            timeout_ms: default_timeout_ms(),
            prefixes: None,
        }
    }

    fn check(&self) -> Result<(), &'static str> {
        if !(0.0..=1.0).contains(&self.rate) {
            return Err("rate must be 0 to 1");
        }
        if self.kinds.is_empty() {
            return Err("kinds must name at least one of 500, 429, garbage, timeout");
        }
        if self.timeout_ms > 120_000 {
            return Err("timeout_ms must be at most 120000");
        }
        Ok(())
    }

    fn applies_to(&self, path: &str) -> bool {
        match &self.prefixes {
            Some(prefixes) => prefixes.iter().any(|prefix| path.starts_with(prefix)),
            None => api_prefixes().iter().any(|prefix| path.starts_with(prefix)),
        }
    }
}

/// Every simulated API (never a user's page).
fn api_prefixes() -> [&'static str; 8] {
    [
        "/api/",
        vendors::aliyun_cloudauth::API_PREFIX,
        vendors::baidu_h5::AIP_PREFIX,
        vendors::baidu_smartapp::PREFIX,
        vendors::faceid_lite::API_PREFIX,
        vendors::oemcloud::API_PREFIX,
        vendors::wechat_mini::API_PREFIX,
        vendors::tencent_faceid::API_PREFIX,
    ]
}

#[derive(Debug, Default)]
struct Counters {
    seen: u64,
    injected: BTreeMap<&'static str, u64>,
}

#[derive(Debug)]
struct Active {
    spec: FaultSpec,
    rng: StdRng,
    injected: u64,
}

/// The sandbox's fault switch, shared by the middleware and the admin endpoint.
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<(Option<Active>, Counters)>,
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, (Option<Active>, Counters)> {
        crate::lock(&self.state)
    }

    /// The fault (and its spec) to inject into a call to `path`, if any.
    fn decide(&self, path: &str) -> Option<(FaultKind, u64, u64)> {
        let mut guard = self.lock();
        let (active, counters) = &mut *guard;
        let active = active.as_mut()?;
        if !active.spec.applies_to(path) {
            return None;
        }
        counters.seen += 1;
        if active
            .spec
            .limit
            .is_some_and(|limit| active.injected >= limit)
        {
            return None;
        }
        if !active.rng.gen_bool(active.spec.rate) {
            return None;
        }
        let kind = active.spec.kinds[active.rng.gen_range(0..active.spec.kinds.len())];
        active.injected += 1;
        *counters.injected.entry(kind.as_str()).or_default() += 1;
        Some((
            kind,
            active.spec.retry_after_seconds,
            active.spec.timeout_ms,
        ))
    }

    fn report(&self) -> serde_json::Value {
        let guard = self.lock();
        let (active, counters) = &*guard;
        json!({
            "spec": active.as_ref().map(|active| &active.spec),
            "seen": counters.seen,
            "injected": counters.injected,
        })
    }
}

type Shared = Arc<Faults>;

/// Wraps `api` (the simulators) with the fault layer and adds `/_faults`.
pub fn wrap(api: Router) -> Router {
    let faults: Shared = Arc::default();
    let admin = Router::new()
        .route("/_faults", get(read).post(set).delete(clear))
        .with_state(faults.clone());
    api.layer(axum::middleware::from_fn_with_state(faults, inject))
        .merge(admin)
}

async fn inject(State(faults): State<Shared>, request: Request, next: Next) -> Response {
    let Some((kind, retry_after, timeout_ms)) = faults.decide(request.uri().path()) else {
        return next.run(request).await;
    };
    match kind {
        FaultKind::ServerError => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": {"code": "injected_fault", "message": "sandbox fault: 500"}})),
        )
            .into_response(),
        FaultKind::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, retry_after.to_string())],
            Json(json!({"error": {"code": "rate_limited", "message": "sandbox fault: 429"}})),
        )
            .into_response(),
        FaultKind::Garbage => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "<html>\u{0}not the documented JSON{",
        )
            .into_response(),
        FaultKind::Timeout => {
            tokio::time::sleep(Duration::from_millis(timeout_ms)).await;
            (
                StatusCode::GATEWAY_TIMEOUT,
                Json(json!({"error": {"code": "injected_fault", "message": "sandbox fault: timeout"}})),
            )
                .into_response()
        }
    }
}

async fn read(State(faults): State<Shared>) -> Json<serde_json::Value> {
    Json(faults.report())
}

async fn set(State(faults): State<Shared>, body: axum::body::Bytes) -> Response {
    let spec = match serde_json::from_slice::<FaultSpec>(&body) {
        Ok(spec) => spec,
        Err(error) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": {"code": "bad_fault_spec", "message": error.to_string()}})),
            )
                .into_response()
        }
    };
    if let Err(message) = spec.check() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"code": "bad_fault_spec", "message": message}})),
        )
            .into_response();
    }
    {
        let mut guard = faults.lock();
        let rng = StdRng::seed_from_u64(spec.seed.unwrap_or(0x5eed));
        *guard = (
            Some(Active {
                spec,
                rng,
                injected: 0,
            }),
            Counters::default(),
        );
    }
    Json(faults.report()).into_response()
}

async fn clear(State(faults): State<Shared>) -> Json<serde_json::Value> {
    faults.lock().0 = None;
    Json(faults.report())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    async fn status_of(router: Router, method: &str) -> StatusCode {
        let request = axum::http::Request::builder()
            .method(method)
            .uri("/_faults")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(r#"{"rate":1,"kinds":["500"]}"#))
            .unwrap();
        router.oneshot(request).await.unwrap().status()
    }

    #[tokio::test]
    async fn the_switch_exists_only_where_fault_injection_is_on() {
        let mut config = crate::SandboxConfig::new(url::Url::parse("http://127.0.0.1:1/").unwrap());
        assert_eq!(
            status_of(crate::router(config.clone()), "POST").await,
            StatusCode::OK
        );
        config.fault_injection = false;
        assert_eq!(
            status_of(crate::router(config), "POST").await,
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn specs_parse_from_the_documented_json() {
        let spec: FaultSpec = serde_json::from_str(
            r#"{"rate":0.2,"kinds":["500","429","garbage","timeout"],"seed":7}"#,
        )
        .unwrap();
        assert_eq!(spec.kinds.len(), 4);
        assert_eq!(spec.seed, Some(7));
        assert_eq!(spec.retry_after_seconds, 1);
        assert!(spec.check().is_ok());
        assert!(FaultSpec::new(1.5, &[FaultKind::Garbage]).check().is_err());
        assert!(FaultSpec::new(0.5, &[]).check().is_err());
    }

    #[test]
    fn pages_are_never_touched_and_the_rate_is_kept() {
        let faults = Faults::default();
        faults.lock().0 = Some(Active {
            spec: FaultSpec::new(0.25, &[FaultKind::ServerError]),
            rng: StdRng::seed_from_u64(1),
            injected: 0,
        });
        for _ in 0..100 {
            assert!(faults.decide("/h5/sbx_abc").is_none());
            assert!(faults.decide("/faceid/h5/lite/v1/do/x").is_none());
        }
        let hits = (0..4000)
            .filter(|_| faults.decide("/api/v1/sessions/x").is_some())
            .count();
        assert!((800..1200).contains(&hits), "{hits} of 4000 at 25%");
    }

    #[test]
    fn a_limit_makes_exactly_the_next_calls_fail() {
        let faults = Faults::default();
        let mut spec = FaultSpec::new(1.0, &[FaultKind::RateLimited]);
        spec.limit = Some(2);
        faults.lock().0 = Some(Active {
            spec,
            rng: StdRng::seed_from_u64(1),
            injected: 0,
        });
        let path = "/baidu/aip/oauth/2.0/token";
        assert!(faults.decide(path).is_some());
        assert!(faults.decide(path).is_some());
        assert!(faults.decide(path).is_none());
    }
}
