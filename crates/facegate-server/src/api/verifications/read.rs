//! `GET /v1/verifications/{id}`: the merchant's server reads a session.

use axum::extract::{Path, State};
use axum::Json;
use facegate_types::Verification;

use super::load;
use crate::api::Merchant;
use crate::app::AppState;
use crate::error::AppResult;
use crate::session::{self, Freshness};
use crate::view;

/// Reads a session; refreshes it from the vendor while it is not final.
#[utoipa::path(
    get,
    path = "/v1/verifications/{id}",
    operation_id = "getVerification",
    tag = "verifications",
    params(("id" = String, Path, description = "The session id, `vs_...`")),
    responses(
        (status = 200, description = "The session", body = Verification),
        (status = 400, description = "The id in the path is not valid UTF-8", body = facegate_types::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = facegate_types::ErrorBody),
        (status = 404, description = "No such session", body = facegate_types::ErrorBody),
        (status = 500, description = "facegate failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn read(
    State(state): State<AppState>,
    _merchant: Merchant,
    Path(id): Path<String>,
) -> AppResult<Json<Verification>> {
    let record = load(&state, &id).await?;
    let record = session::refresh(&state.core, record, Freshness::Recent).await?;
    Ok(Json(view::verification(&record, None)))
}
