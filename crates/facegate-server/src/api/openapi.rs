//! `/openapi.json`: the whole HTTP API as OpenAPI 3.1, generated from the handlers'
//! `#[utoipa::path]` annotations and the facegate-types schemas (their `openapi` feature).

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::OpenApi;

use crate::app::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "facegate",
        description = "Face real-name verification behind one API; every verdict confirmed \
                       with the vendor server-side. Errors are always \
                       `{\"error\": {\"code\", \"message\", \"field\"}}`."
    ),
    paths(
        super::verifications::create::create,
        super::verifications::list::list,
        super::verifications::read::read,
        super::verifications::cancel::cancel,
        super::verifications::search::search,
        super::verifications::media::media,
        super::verifications::redact::redact,
        super::client::read,
        super::client::wechat_result,
        super::client::complete,
        super::callbacks::callback,
        super::callbacks::check_callback_url,
        super::returns::follow,
        super::verifications::vendor_queries::baidu_h5_query,
        super::baidu_smartapp::faceauthen,
        super::baidu_smartapp::setexempt,
        super::ops::healthz,
        super::ops::readyz,
        super::metrics::scrape,
        openapi_json,
    ),
    components(schemas(
        facegate_types::Verification,
        facegate_types::ClientVerification,
        facegate_types::ErrorBody,
        facegate_types::ApiError,
        facegate_types::ErrorCode,
        facegate_types::FailureReason,
        facegate_types::ConfirmedBy,
        facegate_types::VerificationStatus,
        facegate_types::Provider,
    )),
    modifiers(&SecuritySchemes),
    tags(
        (name = "verifications", description = "The merchant's server (Bearer API key)"),
        (name = "client", description = "The front end, with the session's client_secret"),
        (name = "vendors", description = "Where the vendors call and redirect"),
        (name = "vendor extras", description = "Vendor-specific calls beside the session API"),
        (name = "operations", description = "Health, readiness, metrics, this document"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "metrics_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", operation_id = "getOpenApiDocument", tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
