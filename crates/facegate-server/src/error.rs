//! The one error type of the HTTP API, mapped once to `{"error":{"code","message","field"}}`.
//!
//! `into_response` does not log: it puts the internal error into the response's extensions,
//! and the logging middleware in `app.rs` writes it out (axum's error-handling example).

use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use facegate_types::{ApiError, ErrorBody, ErrorCode};
use facegate_vendors::VendorError;

use crate::providers::ProviderError;
use crate::session::SessionError;
use crate::store::StoreError;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: a field is invalid (`field` is its dotted path).
    #[error("{message}")]
    InvalidRequest {
        field: Option<String>,
        message: String,
    },
    /// 422: the person is refused before any vendor call, by a rule the vendor documents
    /// (OEMCloud refuses people under 14: `underage`).
    #[error("{message}")]
    SubjectRefused {
        field: Option<String>,
        reason: facegate_types::FailureReason,
        message: String,
    },
    /// 401: missing or wrong credentials.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 404: no such resource (or not visible with these credentials).
    #[error("{0}")]
    NotFound(&'static str),
    /// 409: the session's state forbids the action.
    #[error("{0}")]
    Conflict(String),
    /// 413: the body is over the limit.
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 429: too many requests; retry after the given seconds.
    #[error("too many requests")]
    RateLimited { retry_after_seconds: u64 },
    /// 400: the provider is not configured here.
    #[error("{0}")]
    ProviderUnavailable(String),
    /// 503: the vendor's circuit breaker is open; no call was made. Retry after the seconds.
    #[error("the provider {provider} is failing and facegate has stopped calling it for now; retry after {retry_after_seconds} s")]
    VendorCircuitOpen {
        provider: facegate_types::Provider,
        retry_after_seconds: u64,
    },
    /// 502: the vendor answered something facegate cannot accept as it is (a session handle
    /// that another session already holds, a malformed handle); nothing was created.
    #[error("{0}")]
    VendorAnomaly(String),
    /// 400/422 (the vendor refused the request or the person), 502/503/504 (the vendor
    /// failed): see `vendor_parts`.
    #[error(transparent)]
    Vendor(#[from] VendorError),
    /// 500: our own failure; logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::InvalidRequest {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    /// The status and the error object this error answers with.
    fn parts(&self) -> (StatusCode, ApiError) {
        let plain = |status, code, message: String, field: Option<&str>| {
            (
                status,
                ApiError::new(code, message, field.map(str::to_owned)),
            )
        };
        match self {
            Self::InvalidRequest { field, message } => plain(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidRequest,
                message.clone(),
                field.as_deref(),
            ),
            Self::SubjectRefused {
                field,
                reason,
                message,
            } => {
                let mut error =
                    ApiError::new(ErrorCode::SubjectRefused, message.clone(), field.clone());
                error.reason = Some(*reason);
                (StatusCode::UNPROCESSABLE_ENTITY, error)
            }
            Self::Unauthorized(message) => plain(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                (*message).to_owned(),
                None,
            ),
            Self::NotFound(message) => plain(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                (*message).to_owned(),
                None,
            ),
            Self::Conflict(message) => plain(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                message.clone(),
                None,
            ),
            Self::PayloadTooLarge(_) => plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                self.to_string(),
                None,
            ),
            Self::RateLimited { .. } => plain(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                self.to_string(),
                None,
            ),
            Self::ProviderUnavailable(message) => plain(
                StatusCode::BAD_REQUEST,
                ErrorCode::ProviderUnavailable,
                message.clone(),
                Some("provider"),
            ),
            Self::VendorCircuitOpen { .. } => plain(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::VendorCircuitOpen,
                self.to_string(),
                Some("provider"),
            ),
            Self::VendorAnomaly(message) => plain(
                StatusCode::BAD_GATEWAY,
                ErrorCode::VendorError,
                message.clone(),
                Some("provider"),
            ),
            Self::Vendor(error) => vendor_parts(error),
            Self::Internal(_) => plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "facegate failed to handle the request; the server log has the details".to_owned(),
                None,
            ),
        }
    }
}

/// A vendor's error: 4xx where the vendor refused the request or the person (fix the input;
/// retrying as is will not help), 5xx where the vendor failed. The vendor's own code and
/// message are kept beside facegate's.
fn vendor_parts(error: &VendorError) -> (StatusCode, ApiError) {
    let (status, code, field, reason) = match error {
        VendorError::InvalidRequest { field, .. } => (
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidRequest,
            field.clone(),
            None,
        ),
        VendorError::Refused { field, reason, .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::SubjectRefused,
            field.clone(),
            Some(*reason),
        ),
        VendorError::Conflict { .. } => (StatusCode::CONFLICT, ErrorCode::Conflict, None, None),
        VendorError::RateLimited { .. } => (
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::VendorUnavailable,
            None,
            None,
        ),
        VendorError::Unavailable(_) => (
            StatusCode::GATEWAY_TIMEOUT,
            ErrorCode::VendorUnavailable,
            None,
            None,
        ),
        VendorError::Unauthorized { .. } | VendorError::Api { .. } | VendorError::Decode(_) => {
            (StatusCode::BAD_GATEWAY, ErrorCode::VendorError, None, None)
        }
    };
    let mut body = ApiError::new(code, error.to_string(), field);
    body.reason = reason;
    body.vendor_code = error.vendor_code().map(str::to_owned);
    body.vendor_message = error.vendor_message().map(str::to_owned);
    (status, body)
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        Self::Internal(anyhow::Error::new(error))
    }
}

impl From<ProviderError> for AppError {
    fn from(error: ProviderError) -> Self {
        match error {
            ProviderError::Invalid { field, message } => Self::InvalidRequest {
                field: Some(field),
                message,
            },
            ProviderError::Refused {
                field,
                reason,
                message,
            } => Self::SubjectRefused {
                field: Some(field),
                reason,
                message,
            },
            ProviderError::Vendor(error) => Self::Vendor(error),
            ProviderError::CircuitOpen {
                provider,
                retry_after,
            } => Self::VendorCircuitOpen {
                provider,
                retry_after_seconds: retry_after.as_secs_f64().ceil().max(1.0) as u64,
            },
        }
    }
}

/// The session core's failures, as the API answers them (each variant's doc names its status).
impl From<SessionError> for AppError {
    fn from(error: SessionError) -> Self {
        match error {
            SessionError::ProviderUnavailable(_) => Self::ProviderUnavailable(error.to_string()),
            SessionError::IdempotencyInProgress
            | SessionError::IdempotencyFailed
            | SessionError::EvidenceSpent
            | SessionError::AlreadyFinal(_)
            | SessionError::NotCancelable(_) => Self::Conflict(error.to_string()),
            SessionError::MalformedVendorHandle { .. } | SessionError::VendorHandleTaken(_) => {
                Self::VendorAnomaly(error.to_string())
            }
            SessionError::NotFound => Self::NotFound("no such verification"),
            SessionError::CapReached(reached) => crate::limits::cap_refusal(&reached),
            SessionError::Provider(error) => error.into(),
            SessionError::Store(error) => error.into(),
            SessionError::Internal(error) => Self::Internal(error),
        }
    }
}

/// The internal error behind a 500, left in the response for the logging middleware.
#[derive(Clone, Debug)]
pub struct InternalError(pub Arc<anyhow::Error>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, error) = self.parts();
        let body = ErrorBody { error };
        let mut response = (status, Json(body)).into_response();
        match self {
            Self::RateLimited {
                retry_after_seconds,
            }
            | Self::VendorCircuitOpen {
                retry_after_seconds,
                ..
            } => {
                if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
            }
            Self::Internal(error) => {
                response
                    .extensions_mut()
                    .insert(InternalError(Arc::new(error)));
            }
            Self::Vendor(error) => {
                response
                    .extensions_mut()
                    .insert(InternalError(Arc::new(anyhow::Error::new(error))));
            }
            _ => {}
        }
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// The API's errors are always the JSON error body: a rejection axum answers itself before a
/// handler runs (a path segment that is not UTF-8, a body over a route's limit, a method the
/// route does not take) comes as plain text or empty, and is rewritten here, its status kept.
/// Pages for browsers (`/v1/return/...`) and everything outside `/v1/` are left alone.
pub async fn json_rejections(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path();
    let api = path.starts_with("/v1/") && !path.starts_with("/v1/return/");
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_none_or(|value| value.starts_with("text/plain"));
    if !api || !plain || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    // axum's rejection texts are short; anything longer is cut.
    let text = axum::body::to_bytes(body, 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let code = match status {
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::CONFLICT => ErrorCode::Conflict,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        status if status.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::InvalidRequest,
    };
    let message = match text.trim() {
        "" => status
            .canonical_reason()
            .unwrap_or("the request was refused")
            .to_owned(),
        text => text.to_owned(),
    };
    let mut rewritten = (
        status,
        Json(ErrorBody {
            error: ApiError::new(code, message, None),
        }),
    )
        .into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rewritten.headers_mut().insert(name.clone(), value.clone());
        }
    }
    *rewritten.extensions_mut() = parts.extensions;
    rewritten
}
