//! The sandbox vendor: facegate-sandbox's own protocol, shaped like the real vendors' (a token,
//! a hosted page, a one-time result behind a server-side query, a notify that is only a hint).
//!
//! - `POST {base}/api/v1/sessions` `{reference, return_url, notify_url, ttl_seconds}` with
//!   `Authorization: Bearer <key>` -> `{token, page_url, expires_at}` (unix seconds).
//! - `GET {base}/api/v1/sessions/{token}` -> `{token, state, outcome, similarity, liveness,
//!   threshold, completed_at}`; state is `pending`, `completed` or `expired`.
//! - The user's page is `page_url`; submitting it 303s to `return_url`, and the sandbox then
//!   POSTs `{token}` to `notify_url`.
//! - Errors: `{"error": {"code", "message"}}` with 400, 401, 404 or 5xx.
//!
//! One small module rather than a vendor directory: the protocol is facegate-sandbox's own
//! (`crates/facegate-sandbox/src/generic.rs`), with two calls, no codes table and no seed.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::http::{self, Reply};
use crate::VendorError;

/// The vendor label of this module's calls (logs and metrics).
const VENDOR: &str = "sandbox";

/// `POST /api/v1/sessions`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CreateSession {
    pub reference: Option<String>,
    pub return_url: String,
    pub notify_url: Option<String>,
    pub ttl_seconds: Option<u32>,
}

/// The answer to a create.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CreatedSession {
    pub token: String,
    pub page_url: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Where the sandbox user is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    Pending,
    Completed,
    Expired,
}

/// `GET /api/v1/sessions/{token}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionResult {
    pub token: String,
    pub state: SessionState,
    /// `pass`, or one of facegate's failure reasons, once completed.
    pub outcome: Option<String>,
    pub similarity: Option<f64>,
    pub liveness: Option<f64>,
    pub threshold: Option<f64>,
    pub completed_at: Option<i64>,
}

/// The notify body the sandbox POSTs (JSON) when a user completes a page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Notify {
    pub token: String,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}

/// A client of one sandbox.
#[derive(Clone, Debug)]
pub struct SandboxClient {
    http: reqwest::Client,
    base: Url,
    api_key: String,
}

impl SandboxClient {
    /// `base` is the sandbox's root (`http://127.0.0.1:8080/sandbox/`).
    pub fn new(http: reqwest::Client, base: Url, api_key: impl Into<String>) -> Self {
        let mut base = base;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Self {
            http,
            base,
            api_key: api_key.into(),
        }
    }

    fn url(&self, path: &str) -> Result<Url, VendorError> {
        self.base
            .join(path)
            .map_err(|_| VendorError::Decode(format!("bad sandbox path {path}")))
    }

    /// Opens a session for one user.
    pub async fn create_session(
        &self,
        request: &CreateSession,
    ) -> Result<CreatedSession, VendorError> {
        let request = self
            .http
            .post(self.url("api/v1/sessions")?)
            .bearer_auth(&self.api_key)
            .json(request);
        http::exchange(VENDOR, "create_session", request, error_body)
            .await?
            .json()
    }

    /// Asks for the session's state and, once completed, its outcome.
    pub async fn session(&self, token: &str) -> Result<SessionResult, VendorError> {
        let mut url = self.url("api/v1/sessions/")?;
        url.path_segments_mut()
            .map_err(|_| VendorError::Decode("sandbox base cannot take a path".into()))?
            .pop_if_empty()
            .push(token);
        let request = self.http.get(url).bearer_auth(&self.api_key);
        http::exchange(VENDOR, "session", request, error_body)
            .await?
            .json()
    }
}

/// The sandbox's error shape (for [`http::exchange`]): `{"error": {"code", "message"}}` with
/// a 4xx status.
fn error_body(reply: &Reply) -> Option<VendorError> {
    if reply.status.is_success() {
        return None;
    }
    let ErrorEnvelope {
        error: ErrorDetail { code, message },
    } = reply.json().ok()?;
    Some(match reply.status.as_u16() {
        401 => VendorError::Unauthorized { code, message },
        400 => VendorError::invalid(code, message, None),
        _ => VendorError::api(code, message, None),
    })
}
