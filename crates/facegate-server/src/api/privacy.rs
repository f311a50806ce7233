//! `/v1/verifications/...` routes about personal data: search by person (a keyed hash, never
//! the plaintext), the vendor media kept for a session, and redaction.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use facegate_types::{List, Verification};
use serde::{Deserialize, Serialize};

use super::verifications::load;
use super::{AppJson, Merchant};
use crate::app::AppState;
use crate::domain::IdNumber;
use crate::error::{AppError, AppResult};
use crate::redaction::{self, Outcome};
use crate::session::NewSession;
use crate::view;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/verifications/search", post(search))
        .route("/v1/verifications/{id}/media", get(media))
        .route("/v1/verifications/{id}/redact", post(redact))
}

/// `POST /v1/verifications/search`: in the body, so the ID number never lands in an access log.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    pub id_number: String,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[utoipa::path(
    post,
    path = "/v1/verifications/search",
    operation_id = "searchVerifications",
    tag = "verifications",
    request_body = SearchRequest,
    responses(
        (status = 200, description = "The person's sessions, newest first, masked", body = List<Verification>),
        (status = 400, description = "A field is invalid (`field` names it), or the body is not \
            JSON with Content-Type: application/json", body = facegate_types::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = facegate_types::ErrorBody),
        (status = 413, description = "The body is larger than max_body_bytes", body = facegate_types::ErrorBody),
        (status = 500, description = "facegate failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
    ),
    security(("api_key" = []))
)]
/// The sessions of one person, newest first, masked. Matched by subject digest under every
/// configured PII key, so sessions from before a key rotation are found too.
async fn search(
    State(state): State<AppState>,
    _merchant: Merchant,
    AppJson(request): AppJson<SearchRequest>,
) -> AppResult<Json<List<Verification>>> {
    let id_number = IdNumber::parse(&request.id_number)
        .map_err(|error| AppError::invalid("id_number", error.0))?;
    let limit = request.limit.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(AppError::invalid("limit", "must be 1 to 100"));
    }
    let digests = state.pii.subject_digests(id_number.expose());
    let ids = state
        .store
        .find_by_subject_digest(&digests, limit + 1)
        .await?;
    let has_more = ids.len() > limit as usize;
    let mut data = Vec::new();
    for id in ids.iter().take(limit as usize) {
        if let Some(record) = state.store.get(id).await? {
            data.push(view::verification(&record, None));
        }
    }
    Ok(Json(List {
        object: "list".into(),
        data,
        has_more,
    }))
}

/// One kept vendor image, decrypted for the merchant who asked.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MediaItem {
    pub id: String,
    pub object: &'static str,
    pub kind: String,
    pub content_type: String,
    pub created_at: String,
    /// Standard base64.
    pub data: String,
}

#[utoipa::path(
    get,
    path = "/v1/verifications/{id}/media",
    operation_id = "listVerificationMedia",
    tag = "verifications",
    params(("id" = String, Path, description = "The session id, `vs_...`")),
    responses(
        (status = 200, description = "The vendor images kept for the session (none unless media_retention_days > 0)", body = List<MediaItem>),
        (status = 400, description = "The id in the path is not valid UTF-8 (axum's plain-text rejection)", content_type = "text/plain"),
        (status = 401, description = "Missing or wrong API key", body = facegate_types::ErrorBody),
        (status = 404, description = "No such session", body = facegate_types::ErrorBody),
        (status = 500, description = "facegate failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
    ),
    security(("api_key" = []))
)]
/// The vendor images kept for a session, decrypted.
async fn media(
    State(state): State<AppState>,
    _merchant: Merchant,
    Path(id): Path<String>,
) -> AppResult<Json<List<MediaItem>>> {
    let record = load(&state, &id).await?;
    let mut data = Vec::new();
    for stored in state.store.media_for(&record.id).await? {
        let bytes = crate::media::open(&state, &stored)
            .map_err(|error| AppError::Internal(error.into()))?;
        data.push(MediaItem {
            object: "media",
            kind: stored.kind.clone(),
            content_type: stored.content_type.clone(),
            created_at: view::rfc3339(stored.created_at),
            data: base64::engine::general_purpose::STANDARD.encode(bytes),
            id: stored.id,
        });
    }
    Ok(Json(List {
        object: "list".into(),
        data,
        has_more: false,
    }))
}

#[utoipa::path(
    post,
    path = "/v1/verifications/{id}/redact",
    operation_id = "redactVerification",
    tag = "verifications",
    params(("id" = String, Path, description = "The session id, `vs_...`")),
    responses(
        (status = 200, description = "The session, redacted", body = Verification),
        (status = 400, description = "The id in the path is not valid UTF-8 (axum's plain-text rejection)", content_type = "text/plain"),
        (status = 401, description = "Missing or wrong API key", body = facegate_types::ErrorBody),
        (status = 404, description = "No such session", body = facegate_types::ErrorBody),
        (status = 409, description = "The session is not final yet", body = facegate_types::ErrorBody),
        (status = 500, description = "facegate failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
    ),
    security(("api_key" = []))
)]
/// Drops the session's personal data now (final sessions only; again is a no-op).
async fn redact(
    State(state): State<AppState>,
    _merchant: Merchant,
    Path(id): Path<String>,
) -> AppResult<Json<Verification>> {
    let record = load(&state, &id).await?;
    match redaction::redact(state.store.as_ref(), &record.id, crate::session::now()).await? {
        Outcome::Redacted(record) => Ok(Json(view::verification(&record, None))),
        Outcome::NotFinal(status) => Err(AppError::Conflict(format!(
            "the verification is {status}: only a final verification can be redacted"
        ))),
        Outcome::NotFound => Err(AppError::NotFound("no such verification")),
    }
}

/// The per-person daily cap (`subject_daily_cap`, off at 0): 429 with Retry-After when the
/// person already has that many sessions in the last 24 hours. Counted by subject digest.
pub async fn check_subject_cap(state: &AppState, new: &NewSession) -> AppResult<()> {
    let cap = state.settings.limits.subject_daily_cap;
    let Some(subject) = new.subject.as_ref().filter(|_| cap > 0) else {
        return Ok(());
    };
    const DAY: time::Duration = time::Duration::days(1);
    let now = crate::session::now();
    let digests = state.pii.subject_digests(subject.id_number.expose());
    if state
        .store
        .count_by_subject_digest(&digests, now - DAY)
        .await?
        < i64::from(cap)
    {
        return Ok(());
    }
    // The cap-th newest session leaves the window first.
    let ids = state.store.find_by_subject_digest(&digests, cap).await?;
    let oldest = match ids.last() {
        Some(id) => state.store.get(id).await?.map(|r| r.created_at),
        None => None,
    };
    let wait = oldest.map_or(DAY, |at| at + DAY - now);
    Err(AppError::RateLimited {
        retry_after_seconds: wait.whole_seconds().clamp(1, 86_400) as u64,
    })
}
