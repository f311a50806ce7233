//! `/v1/client/verifications`: what the front end may do with a session's client_secret.
//! No PII, no reference; a wrong secret and an unknown id answer the same.

use axum::extract::{Path, State};
use axum::http::{header, Method};
use axum::routing::{get, post};
use axum::{Json, Router};
use facegate_types::{
    ClientVerification, CompleteVerificationRequest, Provider, WechatResultRequest,
};
use serde::Deserialize;
use tower_http::cors::{Any, CorsLayer};

use super::{AppJson, AppQuery};
use crate::app::AppState;
use crate::domain::{ClientSecret, VerificationId};
use crate::error::{AppError, AppResult};
use crate::providers::Evidence;
use crate::session::{self, Freshness};
use crate::store::SessionRecord;
use crate::view;

/// The client routes, open to any origin (the front end runs on the merchant's): GET and
/// POST with a JSON body.
pub fn router() -> Router<AppState> {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE]);
    Router::new()
        .route("/v1/client/verifications/{id}", get(read))
        .route(
            "/v1/client/verifications/{id}/wechat_result",
            post(wechat_result),
        )
        .route("/v1/client/verifications/{id}/complete", post(complete))
        .layer(cors)
}

const NO_MATCH: &str = "no verification matches this id and client_secret";

/// The session if `secret` is its client secret; the same error for every kind of miss.
async fn authorize(state: &AppState, id: &str, secret: &str) -> AppResult<SessionRecord> {
    let record = match VerificationId::parse(id) {
        Ok(id) => state.core.store.get(id.as_str()).await?,
        Err(_) => None,
    };
    match record {
        Some(record) if ClientSecret::matches(secret, &record.client_secret_hash) => Ok(record),
        _ => {
            // Spend the same hashing work on a miss as on a hit.
            let _ = ClientSecret::matches(secret, &[0u8; 32]);
            Err(AppError::NotFound(NO_MATCH))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretQuery {
    client_secret: Option<String>,
}

/// The session as the front end sees it: status and next_action, no PII.
#[utoipa::path(
    get,
    path = "/v1/client/verifications/{id}",
    operation_id = "getClientVerification",
    tag = "client",
    params(
        ("id" = String, Path, description = "The session id"),
        ("client_secret" = String, Query, description = "The session's client_secret"),
    ),
    responses(
        (status = 200, description = "The session, without PII", body = ClientVerification),
        (status = 400, description = "The query string has an unknown, repeated or malformed \
            parameter (`field` names it); or the id is not valid UTF-8", body = facegate_types::ErrorBody),
        (status = 401, description = "No client_secret", body = facegate_types::ErrorBody),
        (status = 404, description = "No session matches this id and client_secret", body = facegate_types::ErrorBody),
        (status = 500, description = "facegate failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
    )
)]
async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppQuery(query): AppQuery<SecretQuery>,
) -> AppResult<Json<ClientVerification>> {
    let secret = query.client_secret.ok_or(AppError::Unauthorized(
        "the client_secret query parameter is required",
    ))?;
    let record = authorize(&state, &id, &secret).await?;
    let record = session::refresh(&state.core, record, Freshness::Recent).await?;
    Ok(Json(view::client_verification(&record)))
}

/// Hands over the mini-program's verifyResult; facegate confirms it with WeChat (getinfo).
#[utoipa::path(
    post,
    path = "/v1/client/verifications/{id}/wechat_result",
    operation_id = "submitWechatResult",
    tag = "client",
    params(("id" = String, Path, description = "The session id")),
    request_body = WechatResultRequest,
    responses(
        (status = 200, description = "The session after WeChat's answer", body = ClientVerification),
        (status = 400, description = "A field is invalid (`field` names it), or the body is not \
            JSON with Content-Type: application/json; or the id is not valid UTF-8", body = facegate_types::ErrorBody),
        (status = 404, description = "No session matches this id and client_secret", body = facegate_types::ErrorBody),
        (status = 409, description = "Not a wechat_mini session, or the verify_result was already spent on another verification (a verify_result decides one session)", body = facegate_types::ErrorBody),
        (status = 413, description = "The body is larger than max_body_bytes", body = facegate_types::ErrorBody),
        (status = 500, description = "facegate failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
    )
)]
async fn wechat_result(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(request): AppJson<WechatResultRequest>,
) -> AppResult<Json<ClientVerification>> {
    let record = authorize(&state, &id, &request.client_secret).await?;
    let accepts = state
        .core
        .providers
        .get(record.provider)
        .is_some_and(|adapter| adapter.accepts_client_evidence());
    if record.provider != Provider::WechatMini || !accepts {
        return Err(AppError::Conflict(format!(
            "this is a {} verification; only wechat_mini sessions take a verify_result",
            record.provider
        )));
    }
    if request.verify_result.is_empty() || request.verify_result.len() > 4096 {
        return Err(AppError::invalid(
            "verify_result",
            "must be 1 to 4096 characters",
        ));
    }
    // The adapter confirms verify_result with the vendor (getinfo, identify_ret, both MD5s)
    // before anything is believed.
    let evidence = Evidence::VendorToken(request.verify_result);
    let record = session::observe(&state.core, record, Freshness::Now, Some(&evidence)).await?;
    Ok(Json(view::client_verification(&record)))
}

/// The front end says the user finished the vendor's check (`wx.requestFacialVerify` returned):
/// facegate asks the vendor now (queryverifyinfo) and answers the session as it then stands.
/// The claim itself decides nothing: a session the vendor has not finished stays pending.
#[utoipa::path(
    post,
    path = "/v1/client/verifications/{id}/complete",
    operation_id = "completeClientVerification",
    tag = "client",
    params(("id" = String, Path, description = "The session id")),
    request_body = CompleteVerificationRequest,
    responses(
        (status = 200, description = "The session after the vendor's answer (still pending \
            while the vendor has no result)", body = ClientVerification),
        (status = 400, description = "A field is invalid (`field` names it), or the body is not \
            JSON with Content-Type: application/json; or the id is not valid UTF-8", body = facegate_types::ErrorBody),
        (status = 404, description = "No session matches this id and client_secret", body = facegate_types::ErrorBody),
        (status = 409, description = "Not a wechat_verify session (other providers learn the end of the check from their vendor)", body = facegate_types::ErrorBody),
        (status = 413, description = "The body is larger than max_body_bytes", body = facegate_types::ErrorBody),
        (status = 500, description = "facegate failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
    )
)]
async fn complete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(request): AppJson<CompleteVerificationRequest>,
) -> AppResult<Json<ClientVerification>> {
    let record = authorize(&state, &id, &request.client_secret).await?;
    if record.provider != Provider::WechatVerify {
        return Err(AppError::Conflict(format!(
            "this is a {} verification; only wechat_verify sessions are completed by the front end",
            record.provider
        )));
    }
    let record = session::refresh(&state.core, record, Freshness::Now).await?;
    Ok(Json(view::client_verification(&record)))
}
