//! `POST /v1/verifications`: the merchant's server creates a session. The request is parsed
//! here, field by field; the session core does the rest.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use base64::Engine;
use facegate_types::{CreateVerificationRequest, Verification};

use crate::api::{AppJson, Merchant};
use crate::app::AppState;
use crate::domain::{IdNumber, PersonName, Reference, ReturnUrl, Subject};
use crate::error::{AppError, AppResult};
use crate::session::{self, NewSession};
use crate::view;

/// The largest reference image, decoded (Baidu's documented limit).
const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;

/// Checks a create request field by field; the first bad field is the error.
pub fn validate(
    state: &AppState,
    request: CreateVerificationRequest,
    api_key_id: Option<String>,
    idempotency_key: Option<String>,
) -> AppResult<NewSession> {
    let reference = request
        .reference
        .as_deref()
        .map(Reference::parse)
        .transpose()
        .map_err(|error| AppError::invalid("reference", error.0))?;
    let subject = match request.subject {
        None => None,
        Some(subject) => Some(Subject {
            name: PersonName::parse(&subject.name)
                .map_err(|error| AppError::invalid("subject.name", error.0))?,
            id_number: IdNumber::parse(&subject.id_number)
                .map_err(|error| AppError::invalid("subject.id_number", error.0))?,
        }),
    };
    let return_url = ReturnUrl::parse(&request.return_url, &state.return_policy)
        .map_err(|error| AppError::invalid("return_url", error.0))?;
    let reference_image = request
        .reference_image
        .as_deref()
        .map(|image| decode_image("reference_image", image))
        .transpose()?;
    let options = request.options.unwrap_or_default();
    let reference_image_2 = options
        .reference_image_2
        .as_deref()
        .map(|image| decode_image("options.reference_image_2", image))
        .transpose()?;
    Ok(NewSession {
        provider: request.provider,
        reference,
        subject,
        return_url,
        reference_image,
        reference_image_2,
        options,
        api_key_id,
        idempotency_key,
        caps: None,
    })
}

fn decode_image(field: &str, encoded: &str) -> AppResult<Vec<u8>> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| AppError::invalid(field, "must be standard base64"))?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(AppError::invalid(
            field,
            "must be at most 10 MB once decoded",
        ));
    }
    let is_jpeg = bytes.starts_with(&[0xFF, 0xD8, 0xFF]);
    let is_png = bytes.starts_with(b"\x89PNG\r\n\x1a\n");
    if !is_jpeg && !is_png {
        return Err(AppError::invalid(field, "must be a JPEG or PNG image"));
    }
    Ok(bytes)
}

fn idempotency_key(headers: &HeaderMap) -> AppResult<Option<String>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .ok()
        .filter(|value| {
            (1..=255).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic())
        })
        .ok_or_else(|| {
            AppError::invalid(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            )
        })?;
    Ok(Some(value.to_owned()))
}

/// Creates a verification session: one billable vendor call.
#[utoipa::path(
    post,
    path = "/v1/verifications",
    operation_id = "createVerification",
    tag = "verifications",
    request_body = CreateVerificationRequest,
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Makes retries safe: the same key answers the same session")),
    responses(
        (status = 200, description = "The new session, with its client_secret", body = Verification),
        (status = 400, description = "A field is invalid (`field` names it), the body is not JSON \
            with Content-Type: application/json, the Idempotency-Key is malformed, or the provider \
            is not configured here (`provider_unavailable`)", body = facegate_types::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = facegate_types::ErrorBody),
        (status = 409, description = "A create with this Idempotency-Key is still in progress, or \
            the vendor refused a duplicate", body = facegate_types::ErrorBody),
        (status = 413, description = "The body is larger than max_body_bytes", body = facegate_types::ErrorBody),
        (status = 422, description = "The vendor refuses the person (`subject_refused`: `reason` \
            says why, e.g. `underage` or `identity_mismatch`; `field` names the field; the vendor's \
            `vendor_code` and `vendor_message` where it answered); nothing was created, and the \
            same request will be refused again", body = facegate_types::ErrorBody),
        (status = 429, description = "Too many creations (per API key, per address, per reference \
            or per person); see Retry-After", body = facegate_types::ErrorBody),
        (status = 500, description = "facegate failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
        (status = 502, description = "The vendor answered with an error, or with something \
            facegate cannot accept (a session handle another session holds, a malformed one); \
            nothing was created", body = facegate_types::ErrorBody),
        (status = 503, description = "The vendor is rate limiting facegate, or facegate stopped \
            calling it for now (`vendor_circuit_open`, with Retry-After)", body = facegate_types::ErrorBody),
        (status = 504, description = "The vendor did not answer in time, could not be reached, or \
            failed (5xx)", body = facegate_types::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    merchant: Merchant,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    AppJson(request): AppJson<CreateVerificationRequest>,
) -> AppResult<impl IntoResponse> {
    state.limits.check(&merchant.key_id, peer.ip())?;
    let key = idempotency_key(&headers)?;
    let mut new = validate(&state, request, Some(merchant.key_id), key)?;
    // The daily caps are counted in the insert's own transaction (no read before it).
    new.caps = crate::limits::caps(&state, &new);
    let (record, secret) = session::create(&state.core, new).await?;
    Ok((
        StatusCode::OK,
        Json(view::verification(&record, Some(&secret))),
    ))
}
