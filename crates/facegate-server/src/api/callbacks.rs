//! `POST /v1/callbacks/{provider}`: the vendors' notifies. A notify is only a hint: it names a
//! session, and facegate asks the vendor before anything changes. Unknown or final sessions get
//! the same answer as known ones, so a notify reveals nothing and repeats do nothing.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use facegate_types::Provider;
use facegate_vendors::sandbox::Notify;
use serde_json::json;

use crate::app::AppState;
use crate::error::AppError;
use crate::session::{self, Freshness};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/callbacks/{provider}", post(notify))
}

async fn notify(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(provider) = provider.parse::<Provider>() else {
        return AppError::NotFound("no such callback").into_response();
    };
    if state.providers.get(provider).is_none() {
        return AppError::NotFound("no such callback").into_response();
    }
    match provider {
        Provider::Sandbox => sandbox_notify(&state, &body).await,
        _ => AppError::NotFound("no such callback").into_response(),
    }
}

async fn sandbox_notify(state: &AppState, body: &[u8]) -> Response {
    let Ok(notify) = serde_json::from_slice::<Notify>(body) else {
        return AppError::invalid("token", "the notify body must be {\"token\": ...}")
            .into_response();
    };
    hint(state, Provider::Sandbox, &notify.token).await;
    (StatusCode::OK, Json(json!({"received": true}))).into_response()
}

/// Confirms with the vendor the session a notify names, if there is one and it is open.
pub async fn hint(state: &AppState, provider: Provider, vendor_ref: &str) {
    let record = match state.store.find_by_vendor_ref(provider, vendor_ref).await {
        Ok(Some(record)) if !record.status.is_final() => record,
        Ok(_) => return,
        Err(error) => {
            tracing::error!(provider = %provider, error = %error, "notify: store lookup failed");
            return;
        }
    };
    let id = record.id.clone();
    if let Err(error) = session::refresh(state, record, Freshness::Now).await {
        tracing::error!(verification_id = %id, error = %error, "notify: refresh failed");
    }
}
