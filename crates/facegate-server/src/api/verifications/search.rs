//! `POST /v1/verifications/search`: the sessions of one person, found by a keyed hash of the
//! ID number (never the plaintext), which travels in the body so no access log holds it.

use axum::extract::State;
use axum::Json;
use facegate_types::{List, Verification};
use serde::Deserialize;

use crate::api::{AppJson, Merchant};
use crate::app::AppState;
use crate::domain::IdNumber;
use crate::error::{AppError, AppResult};
use crate::view;

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
pub async fn search(
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
    let digests = state.core.pii.subject_digests(id_number.expose());
    let ids = state
        .core
        .store
        .find_by_subject_digest(&digests, limit + 1)
        .await?;
    let has_more = ids.len() > limit as usize;
    let mut data = Vec::new();
    for id in ids.iter().take(limit as usize) {
        if let Some(record) = state.core.store.get(id).await? {
            data.push(view::verification(&record, None));
        }
    }
    Ok(Json(List {
        object: "list".into(),
        data,
        has_more,
    }))
}
