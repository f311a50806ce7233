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
use crate::session::{self, Freshness, SessionContext};
use crate::store::{SessionRecord, StoreError};

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
            is not valid UTF-8", body = facegate_types::ErrorBody),
        (status = 404, description = "No such provider here", body = facegate_types::ErrorBody),
        (status = 413, description = "The body is larger than a callback can be (64 KiB)", body = facegate_types::ErrorBody),
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
        .and_then(|provider| state.core.providers.get(provider).cloned());
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
        let record = match find_open(&state.core, adapter.provider(), &key).await {
            Ok(record) => record,
            Err(error) => {
                tracing::error!(provider = %adapter.provider(), error = %error, "callback: store lookup failed");
                return outcome.reply;
            }
        };
        if let Some(record) = record {
            // Evidence that names another session than the one its key finds is refused.
            if let Some(stated) = outcome
                .stated_session
                .as_deref()
                .filter(|stated| VerificationId::parse(stated).is_ok())
            {
                if stated != record.id {
                    tracing::warn!(
                        provider = %adapter.provider(),
                        verification_id = %record.id,
                        "callback refused: it names another session than its vendor handle's"
                    );
                    return AppError::InvalidRequest {
                        field: None,
                        message: "the callback names another session than its vendor handle's"
                            .into(),
                    }
                    .into_response();
                }
            }
            let id = record.id.clone();
            if let Err(error) = session::observe(
                &state.core,
                record,
                Freshness::Now,
                outcome.evidence.as_ref(),
            )
            .await
            {
                tracing::error!(verification_id = %id, error = %error, "callback: refresh failed");
            }
        }
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
            is not valid UTF-8", body = facegate_types::ErrorBody),
        (status = 404, description = "No such provider here", body = facegate_types::ErrorBody),
        (status = 413, description = "A body larger than a callback can be (64 KiB)", body = facegate_types::ErrorBody),
    )
)]
#[allow(dead_code)]
fn check_callback_url() {}

/// The open session a callback's key names, if there is one: by the vendor's handle, or by the
/// session id facegate sent the vendor (only a session of this provider).
async fn find_open(
    core: &SessionContext,
    provider: Provider,
    key: &SessionKey,
) -> Result<Option<SessionRecord>, StoreError> {
    let record = match key {
        SessionKey::VendorRef(vendor_ref) => {
            core.store.find_by_vendor_ref(provider, vendor_ref).await?
        }
        SessionKey::Session(id) => match VerificationId::parse(id) {
            Ok(id) => core
                .store
                .get(id.as_str())
                .await?
                .filter(|record| record.provider == provider),
            Err(_) => None,
        },
    };
    Ok(record.filter(|record| !record.status.is_final()))
}
