//! `GET /v1/verifications/{id}/media`: the vendor images kept for a session, decrypted (none
//! unless `media_retention_days` > 0; see `media.rs`).

use axum::extract::{Path, State};
use axum::Json;
use facegate_types::List;

use super::load;
use crate::api::Merchant;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::view::{self, MediaItem};

#[utoipa::path(
    get,
    path = "/v1/verifications/{id}/media",
    operation_id = "listVerificationMedia",
    tag = "verifications",
    params(("id" = String, Path, description = "The session id, `vs_...`")),
    responses(
        (status = 200, description = "The vendor images kept for the session (none unless media_retention_days > 0)", body = List<MediaItem>),
        (status = 400, description = "The id in the path is not valid UTF-8", body = facegate_types::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = facegate_types::ErrorBody),
        (status = 404, description = "No such session", body = facegate_types::ErrorBody),
        (status = 500, description = "facegate failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
    ),
    security(("api_key" = []))
)]
/// The vendor images kept for a session, decrypted.
pub async fn media(
    State(state): State<AppState>,
    _merchant: Merchant,
    Path(id): Path<String>,
) -> AppResult<Json<List<MediaItem>>> {
    let record = load(&state, &id).await?;
    let mut data = Vec::new();
    for stored in state.core.store.media_for(&record.id).await? {
        let bytes = crate::media::open(&state.core.pii, &stored)
            .map_err(|error| AppError::Internal(error.into()))?;
        data.push(view::media_item(stored, &bytes));
    }
    Ok(Json(List {
        object: "list".into(),
        data,
        has_more: false,
    }))
}
