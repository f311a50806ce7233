//! `POST /v1/verifications/{id}/redact`: drops a final session's personal data now.

use axum::extract::{Path, State};
use axum::Json;
use facegate_types::Verification;

use super::load;
use crate::api::Merchant;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::redaction::{self, Outcome};
use crate::view;

#[utoipa::path(
    post,
    path = "/v1/verifications/{id}/redact",
    operation_id = "redactVerification",
    tag = "verifications",
    params(("id" = String, Path, description = "The session id, `vs_...`")),
    responses(
        (status = 200, description = "The session, redacted", body = Verification),
        (status = 400, description = "The id in the path is not valid UTF-8", body = facegate_types::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = facegate_types::ErrorBody),
        (status = 404, description = "No such session", body = facegate_types::ErrorBody),
        (status = 409, description = "The session is not final yet", body = facegate_types::ErrorBody),
        (status = 500, description = "facegate failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
    ),
    security(("api_key" = []))
)]
/// Drops the session's personal data now (final sessions only; again is a no-op).
pub async fn redact(
    State(state): State<AppState>,
    _merchant: Merchant,
    Path(id): Path<String>,
) -> AppResult<Json<Verification>> {
    let record = load(&state, &id).await?;
    match redaction::redact(state.core.store.as_ref(), &record.id, crate::session::now()).await? {
        Outcome::Redacted(record) => {
            redaction::forget_at_vendor(&state.core.providers, &record).await;
            Ok(Json(view::verification(&record, None)))
        }
        Outcome::NotFinal(status) => Err(AppError::Conflict(format!(
            "the verification is {status}: only a final verification can be redacted"
        ))),
        Outcome::NotFound => Err(AppError::NotFound("no such verification")),
    }
}
