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
    /// 502/503/504: the vendor failed.
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

    fn parts(&self) -> (StatusCode, ErrorCode, String, Option<String>) {
        match self {
            Self::InvalidRequest { field, message } => (
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidRequest,
                message.clone(),
                field.clone(),
            ),
            Self::Unauthorized(message) => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                (*message).to_owned(),
                None,
            ),
            Self::NotFound(message) => (
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                (*message).to_owned(),
                None,
            ),
            Self::Conflict(message) => (
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                message.clone(),
                None,
            ),
            Self::PayloadTooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                self.to_string(),
                None,
            ),
            Self::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                self.to_string(),
                None,
            ),
            Self::ProviderUnavailable(message) => (
                StatusCode::BAD_REQUEST,
                ErrorCode::ProviderUnavailable,
                message.clone(),
                Some("provider".to_owned()),
            ),
            Self::VendorCircuitOpen { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::VendorCircuitOpen,
                self.to_string(),
                Some("provider".to_owned()),
            ),
            Self::Vendor(error) => vendor_parts(error),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "facegate failed to handle the request; the server log has the details".to_owned(),
                None,
            ),
        }
    }
}

fn vendor_parts(error: &VendorError) -> (StatusCode, ErrorCode, String, Option<String>) {
    match error {
        VendorError::InvalidRequest { field, .. } => (
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidRequest,
            error.to_string(),
            field.clone(),
        ),
        VendorError::Conflict { .. } => (
            StatusCode::CONFLICT,
            ErrorCode::Conflict,
            error.to_string(),
            None,
        ),
        VendorError::RateLimited { .. } => (
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::VendorUnavailable,
            error.to_string(),
            None,
        ),
        VendorError::Unavailable(_) => (
            StatusCode::GATEWAY_TIMEOUT,
            ErrorCode::VendorUnavailable,
            error.to_string(),
            None,
        ),
        VendorError::Unauthorized { .. } | VendorError::Api { .. } | VendorError::Decode(_) => (
            StatusCode::BAD_GATEWAY,
            ErrorCode::VendorError,
            error.to_string(),
            None,
        ),
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        Self::Internal(anyhow::Error::new(error))
    }
}

/// The internal error behind a 500, left in the response for the logging middleware.
#[derive(Clone, Debug)]
pub struct InternalError(pub Arc<anyhow::Error>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message, field) = self.parts();
        let body = ErrorBody {
            error: ApiError {
                code,
                message,
                field,
            },
        };
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
