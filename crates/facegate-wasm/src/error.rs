//! The helper's one error type. Each variant has a stable `code` that JavaScript callers can
//! switch on; messages never carry a client secret, a name or an ID number.

use facegate_types::ApiError;

/// Everything the helper can fail with.
#[derive(Debug, thiserror::Error)]
pub enum HelperError {
    /// An argument is missing or malformed; `field` names it.
    #[error("{field}: {message}")]
    InvalidArgument {
        field: &'static str,
        message: String,
    },
    /// The URL the browser landed on is not one facegate's return flow produced.
    #[error("not a facegate return URL: {0}")]
    InvalidReturnUrl(&'static str),
    /// The next action cannot be followed by navigating the browser.
    #[error("a {0} next action is not followed by navigating the page")]
    NotARedirect(&'static str),
    /// The facegate server answered with its error body; the code is the server's own.
    #[error("{0}")]
    Api(ApiError),
    /// The facegate server could not be reached.
    #[error("the facegate server could not be reached: {0}")]
    Network(String),
    /// The facegate server answered something that is not the documented JSON.
    #[error("unexpected response from the facegate server: {0}")]
    UnexpectedResponse(String),
    /// Waiting for a final status took longer than allowed.
    #[error("no final status within {0} ms")]
    Timeout(u32),
    /// The caller aborted the call through its AbortSignal.
    #[error("aborted")]
    Aborted,
    /// The text does not fit in a QR code (at most 2,331 bytes at the medium level).
    #[error("the text is too long for a QR code")]
    QrTooLong,
    /// The API needs a browser (a window), and there is none.
    #[error("{0} needs a browser window")]
    NoBrowser(&'static str),
    /// A vendor's page script the API reads is not loaded; the value is the script's URL.
    #[error("the vendor's page script is not loaded: add <script src=\"{0}\"> before calling")]
    MissingScript(&'static str),
}

impl HelperError {
    /// The stable code JavaScript sees as `error.code`.
    pub fn code(&self) -> &str {
        match self {
            Self::InvalidArgument { .. } => "invalid_argument",
            Self::InvalidReturnUrl(_) => "invalid_return_url",
            Self::NotARedirect(_) => "not_a_redirect",
            Self::Api(error) => error.code.as_str(),
            Self::Network(_) => "network_error",
            Self::UnexpectedResponse(_) => "unexpected_response",
            Self::Timeout(_) => "timeout",
            Self::Aborted => "aborted",
            Self::QrTooLong => "qr_too_long",
            Self::NoBrowser(_) => "no_browser",
            Self::MissingScript(_) => "missing_script",
        }
    }

    /// The request field at fault, where one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::InvalidArgument { field, .. } => Some(field),
            Self::Api(error) => error.field.as_deref(),
            _ => None,
        }
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::InvalidArgument {
            field,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use facegate_types::ErrorCode;

    #[test]
    fn api_errors_keep_the_servers_code_and_field() {
        let error = HelperError::Api(ApiError::new(
            ErrorCode::NotFound,
            "no verification matches",
            None,
        ));
        assert_eq!(error.code(), "not_found");
        assert_eq!(error.field(), None);
        let invalid = HelperError::invalid("successUrl", "must be an http(s) URL");
        assert_eq!(invalid.code(), "invalid_argument");
        assert_eq!(invalid.field(), Some("successUrl"));
        assert_eq!(invalid.to_string(), "successUrl: must be an http(s) URL");
    }
}
