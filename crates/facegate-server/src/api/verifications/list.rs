//! `GET /v1/verifications`: the merchant's server lists its sessions, newest first.

use axum::extract::State;
use axum::Json;
use facegate_types::{List, ListVerificationsQuery, Verification};

use super::load;
use crate::api::{AppQuery, Merchant};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::store::ListFilter;
use crate::view;

/// Lists sessions, newest first.
#[utoipa::path(
    get,
    path = "/v1/verifications",
    operation_id = "listVerifications",
    tag = "verifications",
    params(ListVerificationsQuery),
    responses(
        (status = 200, description = "A page of sessions", body = List<Verification>),
        (status = 400, description = "A query parameter is invalid, repeated or unknown (`field` \
            names it)", body = facegate_types::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = facegate_types::ErrorBody),
        (status = 500, description = "facegate failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    _merchant: Merchant,
    AppQuery(query): AppQuery<ListVerificationsQuery>,
) -> AppResult<Json<List<Verification>>> {
    let limit = query.limit.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(AppError::invalid("limit", "must be 1 to 100"));
    }
    let after = match query.starting_after.as_deref() {
        None => None,
        Some(id) => {
            let record = load(&state, id).await.map_err(|_| {
                AppError::invalid("starting_after", "is not the id of a verification")
            })?;
            Some((record.created_at, record.id))
        }
    };
    let mut records = state
        .core
        .store
        .list(&ListFilter {
            reference: query.reference,
            status: query.status,
            after,
            limit: limit + 1,
        })
        .await?;
    let has_more = records.len() > limit as usize;
    records.truncate(limit as usize);
    Ok(Json(List {
        object: "list".into(),
        data: records
            .iter()
            .map(|r| view::verification(r, None))
            .collect(),
        has_more,
    }))
}
