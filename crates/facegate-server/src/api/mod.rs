//! The HTTP API, one module per resource (the URL's first segment after `/v1`; inside it, one
//! per action), each owning its `router()`, merged once in [`router`]; and the extractors
//! they share: JSON and query bodies that fail with the common error body, and the merchant's
//! API key.
//!
//! | URL | module |
//! | --- | --- |
//! | `/v1/verifications/...` | `verifications::{create, list, search, read, cancel, media, redact, vendor_queries}` |
//! | `/v1/baidu_smartapp/...` | `baidu_smartapp` |
//! | `/v1/client/verifications/...` | `client` |
//! | `/v1/callbacks/{provider}` | `callbacks` |
//! | `/v1/return/{id}` | `returns` |
//! | `/healthz`, `/readyz` | `ops` |
//! | `/metrics` | `metrics` |
//! | `/openapi.json` | `openapi` |
//! | `/demo/...`, `/` (development) | `demo` |
//! | `/admin/...` | `admin` |

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::Router;
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::error::AppError;

pub mod admin;
pub mod baidu_smartapp;
pub mod callbacks;
pub mod client;
pub mod demo;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod returns;
pub mod vendor_extras;
pub mod verifications;

/// Every route of the server but the embedded sandbox's, each registered once, in its module.
pub fn router(state: &AppState) -> Router<AppState> {
    let mut router = Router::new()
        .merge(verifications::router())
        .merge(baidu_smartapp::router())
        .merge(client::router())
        .merge(callbacks::router())
        .merge(returns::router())
        .merge(ops::router())
        .merge(metrics::router())
        .merge(openapi::router());
    if state.settings.demo_enabled() {
        router = router.merge(demo::router(state));
    }
    router.merge(admin::router(state))
}

/// A JSON body whose errors name the field at fault.
pub struct AppJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for AppJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/json"));
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge(state.settings.server.max_body_bytes)
                } else {
                    AppError::InvalidRequest {
                        field: None,
                        message: "the request body could not be read".into(),
                    }
                }
            })?;
        if !is_json {
            return Err(AppError::InvalidRequest {
                field: None,
                message: "the body must be JSON with Content-Type: application/json".into(),
            });
        }
        parse_json(&bytes).map(AppJson)
    }
}

/// Parses JSON, naming the field at fault (serde_path_to_error) without echoing its value.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err() {
            return AppError::InvalidRequest {
                field: None,
                message: "the body is not valid JSON".into(),
            };
        }
        let path = error.path().to_string();
        let inner = error.into_inner();
        AppError::InvalidRequest {
            message: describe_serde_error(&inner.to_string()),
            field: (path != ".").then_some(path),
        }
    })
}

/// serde's messages are good ("unknown variant `x`, expected one of ...", "missing field
/// `return_url`") but some quote the rejected value, which may be a name or an ID number:
/// keep the message's shape, drop the quoted value.
fn describe_serde_error(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    if message.starts_with("invalid type") || message.starts_with("invalid value") {
        if let Some((_, expected)) = message.split_once(", expected ") {
            return format!("invalid value, expected {expected}");
        }
    }
    if message.starts_with("expected value") {
        return "invalid value, expected a string".into();
    }
    message.to_owned()
}

/// A query string whose errors name the parameter at fault.
pub struct AppQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for AppQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(AppQuery)
            .map_err(|error| {
                let path = error.path().to_string();
                AppError::InvalidRequest {
                    message: describe_serde_error(&error.into_inner().to_string()),
                    field: (path != ".").then_some(path),
                }
            })
    }
}

/// The merchant's API key, checked; holds the key's id (never the key).
pub struct Merchant {
    pub key_id: String,
}

impl FromRequestParts<AppState> for Merchant {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or(AppError::Unauthorized(
                "send the API key as `Authorization: Bearer <key>`",
            ))?;
        let presented = presented.trim();
        if let Some(key_id) = state.api_keys.verify(presented) {
            return Ok(Merchant { key_id });
        }
        // Keys made by `facegate keys create`, read from the database on every request.
        crate::keys::verify(state.core.store.as_ref(), presented, crate::session::now())
            .await?
            .map(|key_id| Merchant { key_id })
            .ok_or(AppError::Unauthorized("the API key is not valid"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Body {
        subject: Subject,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Subject {
        id_number: String,
    }

    #[test]
    fn json_errors_name_the_field_and_hide_the_value() {
        let error =
            parse_json::<Body>(br#"{"subject": {"id_number": 110101199003074514}}"#).unwrap_err();
        let AppError::InvalidRequest { field, message } = error else {
            panic!("not an invalid request");
        };
        assert_eq!(field.as_deref(), Some("subject.id_number"));
        assert!(!message.contains("110101"), "{message}");
        let error = parse_json::<Body>(b"{not json").unwrap_err();
        assert!(error.to_string().contains("not valid JSON"));
    }
}
