//! The one error type every vendor client returns, so callers match on what happened, not who.

use std::time::Duration;

/// What went wrong talking to a vendor.
#[derive(Debug, thiserror::Error)]
pub enum VendorError {
    /// The vendor refused our credentials (API key, APPCODE, app secret, access token).
    #[error("the vendor rejected the credentials ({code}): {message}")]
    Unauthorized { code: String, message: String },
    /// The vendor asked us to slow down.
    #[error("the vendor is rate limiting ({code})")]
    RateLimited {
        code: String,
        retry_after: Option<Duration>,
    },
    /// The vendor says our request is invalid; `field` names the request field where it says.
    #[error("the vendor rejected the request ({code}): {message}")]
    InvalidRequest {
        code: String,
        message: String,
        field: Option<String>,
    },
    /// The vendor refuses the person the request names: a documented code about who is being
    /// verified (OEMCloud 30503059 under 14, an identity WeChat or Baidu does not accept).
    /// Not a fault of facegate's or the vendor's: the same request will be refused again.
    /// `field` is the vendor's name of the request field at fault, where it says.
    #[error("the vendor refused the person ({code}): {message}")]
    Refused {
        code: String,
        message: String,
        reason: facegate_types::FailureReason,
        field: Option<String>,
    },
    /// The vendor refuses because of the state of something (a one-time call made twice).
    #[error("the vendor refused in this state ({code}): {message}")]
    Conflict { code: String, message: String },
    /// Any other documented error answer; `log_id` is the vendor's trace id, where it has one.
    #[error("the vendor answered error {code}: {message}")]
    Api {
        code: String,
        message: String,
        log_id: Option<String>,
    },
    /// The vendor answered 5xx or could not be reached, or did not answer in time.
    #[error("the vendor is unavailable: {0}")]
    Unavailable(String),
    /// The vendor answered something its documents do not describe.
    #[error("the vendor's answer could not be understood: {0}")]
    Decode(String),
}

impl VendorError {
    /// [`Self::InvalidRequest`].
    pub(crate) fn invalid(
        code: impl Into<String>,
        message: impl Into<String>,
        field: Option<String>,
    ) -> Self {
        Self::InvalidRequest {
            code: code.into(),
            message: message.into(),
            field,
        }
    }

    /// [`Self::Api`].
    pub(crate) fn api(
        code: impl Into<String>,
        message: impl Into<String>,
        log_id: Option<String>,
    ) -> Self {
        Self::Api {
            code: code.into(),
            message: message.into(),
            log_id,
        }
    }

    /// Whether repeating the same call later may succeed (and the call is safe to repeat).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Unavailable(_))
    }

    /// The vendor's own error code, where it gave one.
    pub fn vendor_code(&self) -> Option<&str> {
        match self {
            Self::Unauthorized { code, .. }
            | Self::RateLimited { code, .. }
            | Self::InvalidRequest { code, .. }
            | Self::Refused { code, .. }
            | Self::Conflict { code, .. }
            | Self::Api { code, .. } => Some(code),
            Self::Unavailable(_) | Self::Decode(_) => None,
        }
    }

    /// The vendor's own message, where it gave one with a code.
    pub fn vendor_message(&self) -> Option<&str> {
        match self {
            Self::Unauthorized { message, .. }
            | Self::InvalidRequest { message, .. }
            | Self::Refused { message, .. }
            | Self::Conflict { message, .. }
            | Self::Api { message, .. } => Some(message),
            Self::RateLimited { .. } | Self::Unavailable(_) | Self::Decode(_) => None,
        }
    }
}

impl From<reqwest::Error> for VendorError {
    fn from(error: reqwest::Error) -> Self {
        // reqwest's Display may carry the URL, and vendor URLs carry access tokens: say only
        // what kind of failure it was.
        let kind = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "connection failed"
        } else if error.is_decode() {
            return Self::Decode("the body is not the documented JSON".into());
        } else if error.is_body() {
            "the body could not be read"
        } else {
            "request failed"
        };
        Self::Unavailable(kind.into())
    }
}
