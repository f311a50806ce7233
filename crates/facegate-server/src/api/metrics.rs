//! `/metrics`: Prometheus text. The store's gauges are read at each scrape; vendor call
//! latencies, errors and charges are recorded as they happen (see `telemetry.rs`).

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::{session, telemetry, workers};

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(scrape))
}

/// The Prometheus exposition format, version 0.0.4.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Prometheus metrics (text exposition format 0.0.4).
#[utoipa::path(get, path = "/metrics", operation_id = "getMetrics", tag = "operations", responses(
    (status = 200, description = "Prometheus text", content_type = "text/plain"),
    (status = 401, description = "metrics_key is set and was not sent", body = facegate_types::ErrorBody),
    (status = 500, description = "The database failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
    (status = 503, description = "Another metrics recorder is installed in this process", content_type = "text/plain"),
), security((), ("metrics_key" = [])))]
async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    if let Some(key) = &state.settings.access.metrics_key {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !bool::from(presented.as_bytes().ct_eq(key.expose_secret().as_bytes())) {
            return Err(AppError::Unauthorized(
                "send the metrics key as `Authorization: Bearer <key>`",
            ));
        }
    }
    let Some(prometheus) = telemetry::prometheus() else {
        return Ok((
            StatusCode::SERVICE_UNAVAILABLE,
            "another metrics recorder is installed in this process\n",
        )
            .into_response());
    };
    let counts = state
        .core
        .store
        .ops_counts(workers::reconciler::stale_after(&state.settings))
        .await?;
    telemetry::set_store_gauges(&counts, session::now());
    prometheus.run_upkeep();
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], prometheus.render()).into_response())
}
