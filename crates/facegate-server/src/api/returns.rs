//! `GET /v1/return/{id}`: where the vendor sends the browser back. The result is confirmed
//! with the vendor here, server-side, before the browser goes on (303) to the merchant's
//! return_url with `verification_id` and `status`. Whatever the vendor appended to the query
//! (token, biz_token ...) is ignored: the path names the session.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::app::AppState;
use crate::domain::ReturnUrl;
use crate::error::AppError;
use crate::session::{self, Freshness};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/return/{id}", get(follow))
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><h1>{title}</h1><p>{message}</p></body></html>"
    );
    (status, Html(body)).into_response()
}

/// The vendor's redirect back: confirms the result, then 303 to the merchant's return_url.
#[utoipa::path(
    get,
    path = "/v1/return/{id}",
    operation_id = "followVendorReturn",
    tag = "vendors",
    params(("id" = String, Path, description = "The session id")),
    responses(
        (status = 303, description = "To the merchant's return_url, with verification_id and status"),
        (status = 400, description = "The id in the path is not valid UTF-8 (plain text)", content_type = "text/plain"),
        (status = 403, description = "The merchant's return_url is no longer on the allowlist (an \
            HTML page)", content_type = "text/html"),
        (status = 404, description = "No such session (an HTML page)", content_type = "text/html"),
        (status = 503, description = "The database failed; try again (an HTML page)", content_type = "text/html"),
    )
)]
async fn follow(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let record = match super::verifications::load(&state, &id).await {
        Ok(record) => record,
        Err(AppError::NotFound(_)) => {
            return page(
                StatusCode::NOT_FOUND,
                "Unknown verification",
                "This link does not belong to a verification on this server.",
            )
        }
        Err(error) => {
            tracing::error!(error = %error, "return: the session could not be read");
            return page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again",
                "This server could not look the verification up just now. Reload the page in a moment.",
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
        Err(_) => page(
            StatusCode::FORBIDDEN,
            "Return address not allowed",
            "The merchant's return address is no longer on this server's allowlist.",
        ),
    }
}
