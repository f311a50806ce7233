//! `GET /v1/return/{id}`: where the vendor sends the browser back. The result is confirmed
//! with the vendor here, server-side, before the browser goes on (303) to the merchant's
//! return_url with `verification_id` and `status`. Whatever the vendor appended to the query
//! (token, biz_token ...) is ignored: the path names the session. Its own pages (an unknown
//! session, a retry, a refused return address) are in zh-CN unless `?lang=` or
//! `Accept-Language` asks for en.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::app::AppState;
use crate::domain::ReturnUrl;
use crate::error::AppError;
use crate::i18n::{notice_page, RequestLocale};
use crate::session::{self, Freshness};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/return/{id}", get(follow))
}

/// The vendor's redirect back: confirms the result, then 303 to the merchant's return_url.
#[utoipa::path(
    get,
    path = "/v1/return/{id}",
    operation_id = "followVendorReturn",
    tag = "vendors",
    params(
        ("id" = String, Path, description = "The session id"),
        ("lang" = Option<String>, Query, description = "The language of this server's own pages: `zh-CN` (the default) or `en`; without it, `Accept-Language` decides"),
    ),
    responses(
        (status = 303, description = "To the merchant's return_url, with verification_id and status"),
        (status = 400, description = "The id in the path is not valid UTF-8 (plain text)", content_type = "text/plain"),
        (status = 403, description = "The merchant's return_url is no longer on the allowlist (an \
            HTML page)", content_type = "text/html"),
        (status = 404, description = "No such session (an HTML page)", content_type = "text/html"),
        (status = 503, description = "The database failed; try again (an HTML page)", content_type = "text/html"),
    )
)]
async fn follow(
    State(state): State<AppState>,
    RequestLocale(locale): RequestLocale,
    Path(id): Path<String>,
) -> Response {
    let record = match super::verifications::load(&state, &id).await {
        Ok(record) => record,
        Err(AppError::NotFound(_)) => {
            return notice_page(
                locale,
                StatusCode::NOT_FOUND,
                "return-unknown-title",
                "return-unknown-message",
            )
        }
        Err(error) => {
            tracing::error!(error = %error, "return: the session could not be read");
            return notice_page(
                locale,
                StatusCode::SERVICE_UNAVAILABLE,
                "return-unavailable-title",
                "return-unavailable-message",
            );
        }
    };
    let record = match session::refresh(&state.core, record.clone(), Freshness::Now).await {
        Ok(record) => record,
        Err(error) => {
            // The merchant still gets the browser back; its server reads the status itself.
            tracing::error!(verification_id = %record.id, error = %error, "return: refresh failed");
            record
        }
    };
    // Checked again against today's allowlist: an origin removed since the create is refused.
    match ReturnUrl::parse(&record.return_url, &state.return_policy) {
        Ok(url) => {
            Redirect::to(url.landing(&record.id, record.status.as_str()).as_str()).into_response()
        }
        Err(_) => notice_page(
            locale,
            StatusCode::FORBIDDEN,
            "return-forbidden-title",
            "return-forbidden-message",
        ),
    }
}
