//! The admin surface: `/admin` (server-rendered pages) and `/admin/api` (JSON), behind
//! FACEGATE_ADMIN_KEY. Without a key none of it is routed, so every admin URL answers 404.
//! It only reads: sessions with masked subjects and outcomes, statistics per provider and day,
//! and the alerts that `workers/alerts.rs` keeps.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::{Extension, Json, Router};
use secrecy::ExposeSecret;
use serde_json::{json, Value};

use crate::api::AppQuery;
use crate::app::AppState;
use crate::error::{AppError, AppResult};

pub mod auth;
pub mod data;
pub mod pages;

use auth::{AdminAuth, AdminClient};
use data::FilterQuery;

/// The admin routes; without an admin key, every `/admin` URL answers 404 (also when the demo's
/// catch-all would otherwise serve its page there).
pub fn router(state: &AppState) -> Router<AppState> {
    let Some(key) = state.settings.access.admin_key.as_ref() else {
        return Router::new()
            .route("/admin", any(not_found))
            .route("/admin/{*path}", any(not_found));
    };
    let secure = state
        .settings
        .server
        .public_url
        .as_ref()
        .is_some_and(|url| url.scheme() == "https");
    let auth = AdminAuth::new(key.expose_secret(), secure);
    Router::new()
        .route("/admin", get(pages::dashboard))
        .route("/admin/login", get(pages::login_form).post(pages::login))
        .route("/admin/logout", post(pages::logout))
        .route("/admin/admin.css", get(pages::stylesheet))
        .route("/admin/api/verifications", get(verifications))
        .route("/admin/api/stats", get(stats))
        .route("/admin/api/alerts", get(alerts))
        .layer(Extension(auth))
        .layer(axum::middleware::map_response(security_headers))
}

async fn not_found() -> AppError {
    AppError::NotFound("no such resource")
}

/// No framing, no caching, no third-party anything: the page needs only itself.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; \
             base-uri 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// `GET /admin/api/verifications?provider=&status=&reference=&from=&to=&page=&per_page=`
async fn verifications(
    State(state): State<AppState>,
    _: AdminClient,
    AppQuery(query): AppQuery<FilterQuery>,
) -> AppResult<Json<data::VerificationPage>> {
    let filters = query.parse()?;
    Ok(Json(data::verifications(&state, &filters).await?))
}

/// `GET /admin/api/stats?provider=&from=&to=`: one row per provider and day of the operator's
/// zone (`admin_time_zone`, named in the answer's `time_zone`).
async fn stats(
    State(state): State<AppState>,
    _: AdminClient,
    AppQuery(query): AppQuery<FilterQuery>,
) -> AppResult<Json<data::Stats>> {
    let filters = query.parse()?;
    Ok(Json(data::stats(&state, &filters).await?))
}

/// `GET /admin/api/alerts`: every alert, firing first.
async fn alerts(State(state): State<AppState>, _: AdminClient) -> AppResult<Json<Value>> {
    Ok(Json(json!({"data": data::alerts(&state).await?})))
}
