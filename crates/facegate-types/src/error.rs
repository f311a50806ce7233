//! The error body every facegate endpoint answers with: `{"error":{"code","message","field"}}`.

use serde::{Deserialize, Serialize};

wire_enum! {
    /// A stable, machine-readable error code.
    ErrorCode {
        /// 400: the request is malformed or a field is invalid (`field` names it).
        InvalidRequest => "invalid_request",
        /// 401: missing or wrong API key or client_secret.
        Unauthorized => "unauthorized",
        /// 404: no such session (or not yours).
        NotFound => "not_found",
        /// 409: the session's state forbids this (e.g. cancel after verified).
        Conflict => "conflict",
        /// 413: the body is larger than the limit.
        PayloadTooLarge => "payload_too_large",
        /// 429: slow down; see Retry-After.
        RateLimited => "rate_limited",
        /// 400: the provider is not configured on this server, or turned off.
        ProviderUnavailable => "provider_unavailable",
        /// 502: the vendor answered with an error.
        VendorError => "vendor_error",
        /// 503/504: the vendor could not be reached in time.
        VendorUnavailable => "vendor_unavailable",
        /// 503: the vendor kept failing, so facegate stopped calling it for a while (its
        /// circuit breaker is open); see Retry-After. Nothing was sent to the vendor.
        VendorCircuitOpen => "vendor_circuit_open",
        /// 500: facegate itself failed; details are in its logs, never here.
        Internal => "internal",
    }
}

/// The inner error object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// The request field at fault, dotted (`subject.id_number`), if one is.
    pub field: Option<String>,
}

/// The whole error body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ApiError,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} ({}): {}", self.code, field, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for ApiError {}
