//! `/v1/verifications`: the merchant's server and its sessions, one module per action (the
//! URL's last segment): create, list, search, read, cancel, media, redact, and the vendors'
//! own queries about a session (`{id}/baidu_h5/{query}`). Every route is registered here.

use axum::routing::{get, post};
use axum::Router;

use crate::app::AppState;
use crate::domain::VerificationId;
use crate::error::{AppError, AppResult};
use crate::store::SessionRecord;

pub mod cancel;
pub mod create;
pub mod list;
pub mod media;
pub mod read;
pub mod redact;
pub mod search;
pub mod vendor_queries;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/verifications", post(create::create).get(list::list))
        .route("/v1/verifications/search", post(search::search))
        .route("/v1/verifications/{id}", get(read::read))
        .route("/v1/verifications/{id}/cancel", post(cancel::cancel))
        .route("/v1/verifications/{id}/media", get(media::media))
        .route("/v1/verifications/{id}/redact", post(redact::redact))
        .route(
            "/v1/verifications/{id}/baidu_h5/{query}",
            get(vendor_queries::baidu_h5_query),
        )
}

/// Loads a session by the id in the path; a malformed id is simply not found.
pub async fn load(state: &AppState, id: &str) -> AppResult<SessionRecord> {
    let id = VerificationId::parse(id).map_err(|_| AppError::NotFound("no such verification"))?;
    state
        .core
        .store
        .get(id.as_str())
        .await?
        .ok_or(AppError::NotFound("no such verification"))
}
