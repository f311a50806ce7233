//! The helper's one error type. Each variant has a stable `code` that JavaScript callers can
//! switch on, and a message in the caller's locale from the catalogue (`messages.rs`); messages
//! never carry a client secret, a name or an ID number.

use facegate_types::{ApiError, Locale};

/// What is wrong with an argument: the catalogue's text says it in each locale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Not an `http://` or `https://` URL with a host.
    HttpUrl,
    /// Empty, or only white space.
    Empty,
    /// Not a CSS colour (letters, digits, `#(),.%` and spaces, at most 40).
    CssColour,
    /// OEMCloud's links: neither `authUrl` nor `originalUrl`.
    NoLink,
    /// A next action's `type` facegate does not know.
    ActionType,
    /// A field this kind of next action needs is missing.
    Required,
    /// `confirmReturn` without a client secret, in a tab that did not start the verification.
    ClientSecretUnknown,
    /// `followNextAction` with no session id.
    SessionId,
    /// `followNextAction` with a session that is no longer pending.
    NoNextAction,
    /// The value does not have the documented type or shape (the parser's words are the
    /// error's `detail`).
    WrongShape,
}

impl Problem {
    /// Every problem, in the catalogue's order.
    pub const ALL: &'static [Problem] = &[
        Problem::HttpUrl,
        Problem::Empty,
        Problem::CssColour,
        Problem::NoLink,
        Problem::ActionType,
        Problem::Required,
        Problem::ClientSecretUnknown,
        Problem::SessionId,
        Problem::NoNextAction,
        Problem::WrongShape,
    ];

    /// The problem's name in the message catalogue (tests/cases/messages.json).
    pub const fn code(self) -> &'static str {
        match self {
            Problem::HttpUrl => "http_url",
            Problem::Empty => "empty",
            Problem::CssColour => "css_colour",
            Problem::NoLink => "no_link",
            Problem::ActionType => "action_type",
            Problem::Required => "required",
            Problem::ClientSecretUnknown => "client_secret_unknown",
            Problem::SessionId => "session_id",
            Problem::NoNextAction => "no_next_action",
            Problem::WrongShape => "wrong_shape",
        }
    }
}

/// Why a URL is not one facegate's return flow produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReturnUrlProblem {
    NoVerificationId,
    BadVerificationId,
    NoStatus,
    BadStatus,
}

impl ReturnUrlProblem {
    /// Every problem, in the catalogue's order.
    pub const ALL: &'static [ReturnUrlProblem] = &[
        ReturnUrlProblem::NoVerificationId,
        ReturnUrlProblem::BadVerificationId,
        ReturnUrlProblem::NoStatus,
        ReturnUrlProblem::BadStatus,
    ];

    /// The problem's name in the message catalogue (tests/cases/messages.json).
    pub const fn code(self) -> &'static str {
        match self {
            ReturnUrlProblem::NoVerificationId => "no_verification_id",
            ReturnUrlProblem::BadVerificationId => "bad_verification_id",
            ReturnUrlProblem::NoStatus => "no_status",
            ReturnUrlProblem::BadStatus => "bad_status",
        }
    }
}

/// Everything the helper can fail with.
#[derive(Debug)]
pub enum HelperError {
    /// An argument is missing or malformed; `field` names it.
    InvalidArgument {
        field: &'static str,
        problem: Problem,
        /// A parser's own words (English), for developers' logs.
        detail: Option<String>,
    },
    /// The URL the browser landed on is not one facegate's return flow produced.
    InvalidReturnUrl(ReturnUrlProblem),
    /// The next action cannot be followed by navigating the browser; the value is its type.
    NotARedirect(&'static str),
    /// The facegate server answered with its error body; the code and message are the server's.
    Api(ApiError),
    /// The facegate server could not be reached; the value is the browser's words, or for a
    /// request the browser refused to build, a pointer to `baseUrl` (the browser's words would
    /// repeat the URL and its client secret).
    Network(String),
    /// The server or a vendor script answered something else than documented; the value says
    /// what, in English, for developers' logs.
    UnexpectedResponse(String),
    /// Waiting for a final status took longer than allowed (ms).
    Timeout(u32),
    /// The caller aborted the call through its AbortSignal.
    Aborted,
    /// The text does not fit in a QR code (at most 2,331 bytes at the medium level).
    QrTooLong,
    /// The QR code module (`facegate_qr_bg.wasm`, loaded by the first `qrCodeSvg`) could not be
    /// loaded; the value is the browser's words.
    QrUnavailable(String),
    /// The API (named) needs a browser window, and there is none.
    NoBrowser(&'static str),
    /// A vendor's page script the API reads is not loaded; the value is the script's URL.
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
            Self::QrUnavailable(_) => "qr_unavailable",
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

    /// The message in `locale`: the catalogue's text with its one dynamic part filled in (a
    /// field's code, an API's name, a script's URL, a timeout in ms); the server's own message
    /// for `Api`.
    pub fn message(&self, locale: Locale) -> String {
        crate::messages::error_message(self, locale)
    }

    /// Technical words beside the message, untranslated (a parser's or the browser's), where
    /// there are some: JavaScript sees them as `error.detail`.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Self::InvalidArgument { detail, .. } => detail.as_deref(),
            Self::Network(detail)
            | Self::UnexpectedResponse(detail)
            | Self::QrUnavailable(detail) => Some(detail),
            _ => None,
        }
    }

    pub(crate) fn invalid(field: &'static str, problem: Problem) -> Self {
        Self::InvalidArgument {
            field,
            problem,
            detail: None,
        }
    }

    pub(crate) fn wrong_shape(field: &'static str, detail: String) -> Self {
        Self::InvalidArgument {
            field,
            problem: Problem::WrongShape,
            detail: Some(detail),
        }
    }
}

/// The English message, for Rust callers and logs.
impl std::fmt::Display for HelperError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Locale::En))
    }
}

impl std::error::Error for HelperError {}

#[cfg(test)]
mod tests {
    use super::*;
    use facegate_types::ErrorCode;

    #[test]
    fn api_errors_keep_the_servers_code_field_and_message() {
        let error = HelperError::Api(ApiError::new(
            ErrorCode::NotFound,
            "no verification matches",
            None,
        ));
        assert_eq!(error.code(), "not_found");
        assert_eq!(error.field(), None);
        assert_eq!(error.message(Locale::ZhCn), "no verification matches");
        let invalid = HelperError::invalid("successUrl", Problem::HttpUrl);
        assert_eq!(invalid.code(), "invalid_argument");
        assert_eq!(invalid.field(), Some("successUrl"));
        assert_eq!(invalid.to_string(), "successUrl: must be an http(s) URL");
        assert_eq!(
            invalid.message(Locale::ZhCn),
            "`successUrl`：须为 http(s) 地址"
        );
        assert_eq!(invalid.detail(), None);
        let shape = HelperError::wrong_shape("facts", "invalid type: number".into());
        assert_eq!(shape.detail(), Some("invalid type: number"));
    }
}
