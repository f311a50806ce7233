//! Operations' view of a running server: the Prometheus recorder behind `/metrics` (the
//! `metrics` facade, so facegate-vendors records its calls without knowing who collects them),
//! the gauges refreshed from the store at each scrape, and the request id carried from each
//! HTTP request to the vendor calls it makes.

use std::sync::OnceLock;

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use facegate_types::{Provider, VerificationStatus};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use time::OffsetDateTime;

use crate::store::OpsCounts;

/// Gauge, labels `provider`, `status`: stored sessions (every pair, zeros included).
pub const SESSIONS: &str = "facegate_sessions";
/// Gauge: webhook events neither delivered nor given up.
pub const WEBHOOK_BACKLOG: &str = "facegate_webhook_backlog";
/// Gauge: webhook events given up after the last attempt.
pub const WEBHOOK_GIVEN_UP: &str = "facegate_webhook_given_up";
/// Gauge, seconds: how long the oldest open session has been due for the reconciler (0 when
/// none is overdue).
pub const RECONCILER_LAG: &str = "facegate_reconciler_lag_seconds";
/// Counter, labels `method`, `status`: HTTP responses served.
pub const HTTP_RESPONSES: &str = "facegate_http_responses_total";

/// Histogram buckets, seconds: loopback vendors answer in milliseconds, real ones in
/// hundreds, and the client gives up at 10 s.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The request id header, set (or kept) on every request and answer.
pub const REQUEST_ID: &str = "x-request-id";

static PROMETHEUS: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process-wide Prometheus recorder, installed on first use. `None` when another recorder
/// was installed first (an embedding application's own): `/metrics` then answers 503.
pub fn prometheus() -> Option<&'static PrometheusHandle> {
    PROMETHEUS
        .get_or_init(|| {
            let builder = PrometheusBuilder::new().set_buckets(BUCKETS).ok()?;
            match builder.install_recorder() {
                Ok(handle) => {
                    describe();
                    Some(handle)
                }
                Err(error) => {
                    tracing::warn!(error = %error, "metrics: a recorder is already installed");
                    None
                }
            }
        })
        .as_ref()
}

fn describe() {
    use facegate_vendors::http::metric;
    metrics::describe_gauge!(SESSIONS, "Stored sessions by provider and status");
    metrics::describe_gauge!(WEBHOOK_BACKLOG, "Webhook events waiting for delivery");
    metrics::describe_gauge!(WEBHOOK_GIVEN_UP, "Webhook events given up");
    metrics::describe_gauge!(
        RECONCILER_LAG,
        metrics::Unit::Seconds,
        "How long the oldest open session has been due for a vendor check"
    );
    metrics::describe_counter!(HTTP_RESPONSES, "HTTP responses by method and status");
    metrics::describe_counter!(
        crate::store::GROUP_COMMITS,
        "Store transactions that committed several creation writes together"
    );
    metrics::describe_counter!(
        crate::store::GROUP_COMMIT_WRITES,
        "Creation writes committed in those transactions"
    );
    metrics::describe_histogram!(
        metric::CALL_DURATION,
        metrics::Unit::Seconds,
        "Vendor HTTP call latency by vendor and call"
    );
    metrics::describe_counter!(
        metric::CALL_ERRORS,
        "Vendor HTTP calls without a 2xx answer, by vendor, call and kind"
    );
    metrics::describe_counter!(
        crate::providers::instrumented::VENDOR_ERRORS,
        "Vendor refusals (in any answer) by vendor, operation and kind"
    );
    metrics::describe_gauge!(
        crate::providers::resilience::CIRCUIT_OPEN,
        "1 while a provider's circuit breaker is open or probing, else 0"
    );
    metrics::describe_counter!(
        metric::CHARGES,
        "Charges the vendor reports (Baidu result/getall), by vendor and charge"
    );
}

/// Sets the store-derived gauges from one snapshot taken at `now`.
pub fn set_store_gauges(counts: &OpsCounts, now: OffsetDateTime) {
    for provider in Provider::ALL {
        for status in VerificationStatus::ALL {
            let count = counts
                .sessions
                .iter()
                .find(|(p, s, _)| p == provider && s == status)
                .map_or(0, |(_, _, count)| *count);
            metrics::gauge!(SESSIONS, "provider" => provider.as_str(), "status" => status.as_str())
                .set(count as f64);
        }
    }
    metrics::gauge!(WEBHOOK_BACKLOG).set(counts.webhook_backlog as f64);
    metrics::gauge!(WEBHOOK_GIVEN_UP).set(counts.webhook_given_up as f64);
    let lag = counts
        .oldest_due_at
        .map_or(0.0, |due| (now - due).as_seconds_f64().max(0.0));
    metrics::gauge!(RECONCILER_LAG).set(lag);
}

/// A client's X-Request-Id is kept when it is sane (1 to 64 characters of letters, digits,
/// `-`, `_`, `.`, `:`); anything else is dropped, and a fresh id is made for the request.
pub fn is_sane_request_id(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    (1..=64).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Outermost: drops an X-Request-Id that is not sane, so the next layer generates one.
pub async fn drop_insane_request_id(mut request: Request, next: Next) -> Response {
    if let Some(value) = request.headers().get(REQUEST_ID) {
        if !is_sane_request_id(value) {
            request.headers_mut().remove(REQUEST_ID);
        }
    }
    next.run(request).await
}

/// Runs the request with its id in scope, so every vendor call it makes sends and logs it;
/// counts the response.
pub async fn scope_request_id(request: Request, next: Next) -> Response {
    let method: &'static str = match *request.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        _ => "other",
    };
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let response = match id {
        Some(id) => facegate_vendors::http::with_request_id(id, next.run(request)).await,
        None => next.run(request).await,
    };
    record_response(method, response.status());
    response
}

fn record_response(method: &'static str, status: StatusCode) {
    metrics::counter!(HTTP_RESPONSES, "method" => method, "status" => status.as_str().to_owned())
        .increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_request_ids_are_kept() {
        for good in ["abc", "0f8fad5b-d9cb-469f-a165-70867728950e", "req.1:2_3"] {
            assert!(
                is_sane_request_id(&HeaderValue::from_static(good)),
                "{good}"
            );
        }
        let long = "a".repeat(65);
        for bad in ["", "a b", "x\"y", "<script>", long.as_str()] {
            assert!(
                !is_sane_request_id(&HeaderValue::from_str(bad).unwrap()),
                "{bad}"
            );
        }
    }
}
