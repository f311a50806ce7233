//! The `sandbox` provider: facegate's own simulated vendor (protocol in
//! `facegate_vendors::sandbox`). A token per session, valid for its TTL and used once; a page
//! where the user chooses `pass` or a failure reason; a result behind a server-side query; a
//! notify that carries only the token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use facegate_types::FailureReason;
use rand::distributions::{Alphanumeric, DistString};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;
use url::Url;

use crate::page::{self, Page};
use crate::{http_url, SandboxConfig};

/// Results stay queryable this long after creation, as Baidu's do (3 days).
const RETENTION: Duration = Duration::from_secs(3 * 24 * 60 * 60);
const MAX_TTL_SECONDS: u32 = 24 * 60 * 60;
const SWEEP_EVERY: time::Duration = time::Duration::minutes(1);

#[derive(Clone, Debug)]
struct Session {
    return_url: Url,
    notify_url: Option<Url>,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    outcome: Option<Outcome>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    Pass,
    Fail(FailureReason),
}

impl Outcome {
    fn parse(value: &str) -> Option<Self> {
        if value == "pass" {
            return Some(Self::Pass);
        }
        value.parse().ok().map(Self::Fail)
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail(reason) => reason.as_str(),
        }
    }

    /// Fixed, plausible scores, so tests can assert them.
    fn scores(self) -> (Option<f64>, Option<f64>) {
        match self {
            Self::Pass => (Some(86.47), Some(0.97)),
            Self::Fail(FailureReason::NotSamePerson) => (Some(31.2), Some(0.95)),
            Self::Fail(FailureReason::LivenessFailed) => (Some(80.1), Some(0.12)),
            Self::Fail(_) => (None, None),
        }
    }

    /// The catalogue key of the outcome's label on the page.
    fn label(self) -> &'static str {
        match self {
            Self::Pass => "generic-pass",
            Self::Fail(reason) => match reason {
                FailureReason::NotSamePerson => "generic-not-same-person",
                FailureReason::IdentityMismatch => "generic-identity-mismatch",
                FailureReason::IdDocumentUnreadable => "generic-id-document-unreadable",
                FailureReason::IdDocumentFake => "generic-id-document-fake",
                FailureReason::LivenessFailed => "generic-liveness-failed",
                FailureReason::CaptureFailed => "generic-capture-failed",
                FailureReason::UserCanceled => "generic-user-canceled",
                FailureReason::Underage => "generic-underage",
                FailureReason::ResultTampered => "generic-result-tampered",
                FailureReason::AccountError => "generic-account-error",
                FailureReason::VendorError => "generic-vendor-error",
            },
        }
    }
}

#[derive(Debug)]
struct Sandbox {
    config: Arc<SandboxConfig>,
    sessions: Mutex<HashMap<String, Session>>,
    /// When sessions past retention were last dropped: a sweep scans them all, so it runs at
    /// most once a minute, not on every create (it made creation quadratic under load).
    last_sweep: Mutex<Option<OffsetDateTime>>,
    notifier: reqwest::Client,
}

type Shared = Arc<Sandbox>;

/// The sandbox provider's API and pages.
pub fn router(config: Arc<SandboxConfig>) -> Router {
    let notifier = crate::notifier();
    let state = Arc::new(Sandbox {
        config,
        sessions: Mutex::new(HashMap::new()),
        last_sweep: Mutex::new(None),
        notifier,
    });
    Router::new()
        .route("/api/v1/sessions", post(create))
        .route("/api/v1/sessions/{token}", get(read))
        .route("/h5/{token}", get(show_page).post(submit_page))
        .with_state(state)
}

impl Sandbox {
    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        crate::lock(&self.sessions)
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

fn authorized(state: &Sandbox, headers: &HeaderMap) -> Result<(), Response> {
    let expected = format!("Bearer {}", state.config.api_key);
    match headers.get(header::AUTHORIZATION) {
        Some(value) if value.as_bytes() == expected.as_bytes() => Ok(()),
        _ => Err(error(
            StatusCode::UNAUTHORIZED,
            "invalid_key",
            "missing or wrong sandbox key",
        )),
    }
}

#[derive(Deserialize)]
struct CreateBody {
    reference: Option<String>,
    return_url: Option<String>,
    notify_url: Option<String>,
    ttl_seconds: Option<u32>,
}

async fn create(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(response) = authorized(&state, &headers) {
        return response;
    }
    let Ok(body) = serde_json::from_slice::<CreateBody>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_json",
            "the body is not the documented JSON",
        );
    };
    let Some(return_url) = body.return_url.as_deref().and_then(http_url) else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_return_url",
            "return_url must be an http(s) URL",
        );
    };
    let notify_url = match body.notify_url.as_deref() {
        None => None,
        Some(value) => match http_url(value) {
            Some(url) => Some(url),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "bad_notify_url",
                    "notify_url must be an http(s) URL",
                )
            }
        },
    };
    if body
        .reference
        .as_ref()
        .is_some_and(|reference| reference.len() > 128)
    {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_reference",
            "reference is at most 128 bytes",
        );
    }
    let ttl = match body.ttl_seconds {
        None => state.config.default_ttl,
        Some(seconds @ 1..=MAX_TTL_SECONDS) => Duration::from_secs(seconds.into()),
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad_ttl",
                "ttl_seconds must be 1 to 86400",
            )
        }
    };
    let now = state.config.clock.now();
    let expires_at = now + ttl;
    let token = format!(
        "sbx_{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), 32)
    );
    {
        let sweep = {
            let mut last = crate::lock(&state.last_sweep);
            let due = last.is_none_or(|at| now - at >= SWEEP_EVERY);
            if due {
                *last = Some(now);
            }
            due
        };
        let mut sessions = state.sessions();
        if sweep {
            sessions.retain(|_, session| now - session.created_at < RETENTION);
        }
        sessions.insert(
            token.clone(),
            Session {
                return_url,
                notify_url,
                created_at: now,
                expires_at,
                outcome: None,
            },
        );
    }
    let page_url = state.config.public_url(&format!("h5/{token}"));
    Json(json!({
        "token": token,
        "page_url": page_url.as_str(),
        "expires_at": expires_at.unix_timestamp(),
    }))
    .into_response()
}

async fn read(
    State(state): State<Shared>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(response) = authorized(&state, &headers) {
        return response;
    }
    state.config.counters.result_queried(&token);
    let Some(session) = state.sessions().get(&token).cloned() else {
        return error(
            StatusCode::NOT_FOUND,
            "unknown_token",
            "no session has this token",
        );
    };
    let now = state.config.clock.now();
    let (state_name, outcome) = match session.outcome {
        Some(outcome) => ("completed", Some(outcome)),
        None if now >= session.expires_at => ("expired", None),
        None => ("pending", None),
    };
    let (similarity, liveness) = outcome.map(Outcome::scores).unwrap_or((None, None));
    Json(json!({
        "token": token,
        "state": state_name,
        "outcome": outcome.map(Outcome::as_str),
        "similarity": similarity,
        "liveness": liveness,
        "threshold": outcome.map(|_| 74.4),
        "completed_at": outcome.map(|_| now.unix_timestamp()),
    }))
    .into_response()
}

/// The session behind `token` if its page may still be used, or the page that says why not.
fn usable(state: &Sandbox, page: &Page, token: &str) -> Result<Session, Response> {
    let Some(session) = state.sessions().get(token).cloned() else {
        return Err(page.gone(
            StatusCode::NOT_FOUND,
            "page-unknown-title",
            "generic-unknown",
        ));
    };
    if session.outcome.is_some() {
        return Err(page.gone(StatusCode::GONE, "page-used-title", "generic-used"));
    }
    if state.config.clock.now() >= session.expires_at {
        return Err(page.gone(StatusCode::GONE, "page-expired-title", "generic-expired"));
    }
    Ok(session)
}

fn all_outcomes() -> impl Iterator<Item = Outcome> {
    std::iter::once(Outcome::Pass).chain(FailureReason::ALL.iter().copied().map(Outcome::Fail))
}

async fn show_page(State(state): State<Shared>, page: Page, Path(token): Path<String>) -> Response {
    if let Err(response) = usable(&state, &page, &token) {
        return response;
    }
    let outcomes: Vec<(&str, String)> = all_outcomes()
        .map(|o| (o.as_str(), page.text(o.label())))
        .collect();
    page.outcome_form("generic-title", ("generic-intro", &[]), &outcomes)
}

async fn submit_page(
    State(state): State<Shared>,
    page: Page,
    Path(token): Path<String>,
    Form(form): Form<page::OutcomeChoice>,
) -> Response {
    let Some(outcome) = form.outcome.as_deref().and_then(Outcome::parse) else {
        return page.unknown_outcome();
    };
    let session = {
        let mut sessions = state.sessions();
        // Checked and marked under one lock: two racing submissions cannot both use the token.
        match sessions.get_mut(&token) {
            Some(session)
                if session.outcome.is_none() && state.config.clock.now() < session.expires_at =>
            {
                session.outcome = Some(outcome);
                Some(session.clone())
            }
            _ => None,
        }
    };
    let Some(session) = session else {
        return match usable(&state, &page, &token) {
            Err(response) => response,
            Ok(_) => page.conflict(),
        };
    };
    if let Some(notify_url) = session.notify_url.clone() {
        let client = state.notifier.clone();
        let token = token.clone();
        // Like the real vendors, a notify is tried once and may be lost; facegate must not
        // depend on it.
        tokio::spawn(async move {
            let _ = client
                .post(notify_url)
                .json(&json!({"token": token}))
                .send()
                .await;
        });
    }
    let mut return_url = session.return_url;
    return_url.query_pairs_mut().append_pair("token", &token);
    Redirect::to(return_url.as_str()).into_response()
}
