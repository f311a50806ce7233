//! The error body every facegate endpoint answers with: `{"error":{"code","message","field"}}`.

use serde::{Deserialize, Serialize};

use crate::FailureReason;

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
        /// 422: the vendor refused the person the request names (`reason` says why, e.g.
        /// `underage` or `identity_mismatch`; `field` names the field at fault). Retrying the
        /// same request will not help, and nothing was created.
        SubjectRefused => "subject_refused",
        /// 502: the vendor answered with an error, or with something facegate cannot accept
        /// (a handle another session already holds).
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
    /// Why the vendor refused the person (`subject_refused`), or what a vendor error means
    /// for the account (`account_error`). Absent on errors that are not the vendor's word.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<FailureReason>,
    /// The vendor's own error code, where the vendor answered one (`30503059`,
    /// `BAD_ARGUMENTS`, `84001` ...), kept as the vendor wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_code: Option<String>,
    /// The vendor's own error message, beside its code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_message: Option<String>,
}

impl ApiError {
    /// An error with only a code, a message and the field at fault.
    pub fn new(code: ErrorCode, message: impl Into<String>, field: Option<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field,
            reason: None,
            vendor_code: None,
            vendor_message: None,
        }
    }
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
