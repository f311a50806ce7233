//! `/v1/callbacks/{provider}`: the vendors' notifies and pushes. A callback is only a hint: it
//! names a session, and facegate asks the vendor before anything changes. Unknown or final
//! sessions get the same answer as open ones, so a callback reveals nothing and repeats do
//! nothing.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use facegate_types::Provider;

use crate::app::AppState;
use crate::domain::VerificationId;
use crate::error::AppError;
use crate::providers::{Callback, SessionKey};
use crate::session::{self, Freshness};
use crate::store::{ListFilter, SessionRecord};

/// Vendor callbacks are small; a larger body is not a callback.
pub const MAX_CALLBACK_BYTES: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/v1/callbacks/{provider}",
        any(callback).layer(axum::extract::DefaultBodyLimit::max(MAX_CALLBACK_BYTES)),
    )
}

/// A vendor's notify: a hint only; facegate asks the vendor before it changes a session.
/// Answers what each vendor documents. Also answers the URL check (GET, documented apart).
#[utoipa::path(
    post,
    path = "/v1/callbacks/{provider}",
    operation_id = "receiveVendorCallback",
    tag = "vendors",
    params(("provider" = facegate_types::Provider, Path, description = "The vendor")),
    responses(
        (status = 200, description = "The vendor's documented acknowledgement"),
        (status = 400, description = "Refused: bad signature or malformed body; or the provider \
            is not valid UTF-8 (axum's plain-text rejection)", content(
            (facegate_types::ErrorBody = "application/json"),
            (String = "text/plain"),
        )),
        (status = 404, description = "No such provider here", body = facegate_types::ErrorBody),
        (status = 413, description = "The body is larger than a callback can be (64 KiB)", content_type = "text/plain"),
    )
)]
async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let adapter = provider
        .parse::<Provider>()
        .ok()
        .and_then(|provider| state.providers.get(provider).cloned());
    let Some(adapter) = adapter else {
        return AppError::NotFound("no such callback").into_response();
    };
    let outcome = adapter
        .callback(Callback {
            method: &method,
            headers: &headers,
            query: uri.query().unwrap_or_default(),
            body: &body,
        })
        .await;
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(rejected) => {
            tracing::warn!(provider = %adapter.provider(), reason = %rejected, "callback refused");
            return AppError::InvalidRequest {
                field: None,
                message: rejected.0,
            }
            .into_response();
        }
    };
    if let Some(key) = outcome.session {
        hint(
            &state,
            adapter.provider(),
            &key,
            outcome.evidence.as_deref(),
        )
        .await;
    }
    outcome.reply
}

/// A vendor's URL check: WeChat's message-push handshake (signature, timestamp, nonce and
/// `echostr` in the query; the answer is `echostr`). The notify's handler answers it; this
/// function only documents it, because each method is an operation of its own in OpenAPI.
#[utoipa::path(
    get,
    path = "/v1/callbacks/{provider}",
    operation_id = "checkVendorCallbackUrl",
    tag = "vendors",
    params(("provider" = facegate_types::Provider, Path, description = "The vendor")),
    responses(
        (status = 200, description = "The vendor's documented answer (WeChat: the echostr)"),
        (status = 400, description = "Refused: bad signature or malformed query; or the provider \
            is not valid UTF-8 (axum's plain-text rejection)", content(
            (facegate_types::ErrorBody = "application/json"),
            (String = "text/plain"),
        )),
        (status = 404, description = "No such provider here", body = facegate_types::ErrorBody),
        (status = 413, description = "A body larger than a callback can be (64 KiB)", content_type = "text/plain"),
    )
)]
#[allow(dead_code)]
fn check_callback_url() {}

/// Confirms with the vendor the session a callback names, if there is one and it is open.
pub async fn hint(state: &AppState, provider: Provider, key: &SessionKey, evidence: Option<&str>) {
    let record = match find_open(state, provider, key).await {
        Ok(Some(record)) => record,
        Ok(None) => return,
        Err(error) => {
            tracing::error!(provider = %provider, error = %error, "callback: store lookup failed");
            return;
        }
    };
    let id = record.id.clone();
    if let Err(error) = session::observe(state, record, Freshness::Now, evidence).await {
        tracing::error!(verification_id = %id, error = %error, "callback: refresh failed");
    }
}

async fn find_open(
    state: &AppState,
    provider: Provider,
    key: &SessionKey,
) -> Result<Option<SessionRecord>, AppError> {
    let record = match key {
        SessionKey::VendorRef(vendor_ref) => {
            state.store.find_by_vendor_ref(provider, vendor_ref).await?
        }
        // Without a merchant reference, facegate sent its own session id in its place.
        SessionKey::Reference(reference) if VerificationId::parse(reference).is_ok() => state
            .store
            .get(reference)
            .await?
            .filter(|record| record.provider == provider && record.reference.is_none()),
        SessionKey::Reference(reference) => state
            .store
            .list(&ListFilter {
                reference: Some(reference.clone()),
                status: None,
                after: None,
                limit: 20,
            })
            .await?
            .into_iter()
            .find(|record| record.provider == provider && !record.status.is_final()),
    };
    Ok(record.filter(|record| !record.status.is_final()))
}
