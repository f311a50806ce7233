//! `POST /v1/verifications/{id}/cancel`: the merchant's server cancels a pending session.

use axum::extract::{Path, State};
use axum::Json;
use facegate_types::Verification;

use super::load;
use crate::api::Merchant;
use crate::app::AppState;
use crate::error::AppResult;
use crate::session;
use crate::view;

/// Cancels a pending session.
#[utoipa::path(
    post,
    path = "/v1/verifications/{id}/cancel",
    operation_id = "cancelVerification",
    tag = "verifications",
    params(("id" = String, Path, description = "The session id")),
    request_body(content = Option<facegate_types::CancelVerificationRequest>, description = "Optional, empty"),
    responses(
        (status = 200, description = "The canceled session", body = Verification),
        (status = 400, description = "The id in the path is not valid UTF-8", body = facegate_types::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = facegate_types::ErrorBody),
        (status = 404, description = "No such session", body = facegate_types::ErrorBody),
        (status = 409, description = "The session is no longer pending", body = facegate_types::ErrorBody),
        (status = 500, description = "facegate failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn cancel(
    State(state): State<AppState>,
    _merchant: Merchant,
    Path(id): Path<String>,
) -> AppResult<Json<Verification>> {
    let record = load(&state, &id).await?;
    let record = session::cancel(&state.core, record).await?;
    Ok(Json(view::verification(&record, None)))
}
