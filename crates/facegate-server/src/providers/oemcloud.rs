//! `oemcloud`: e-sign OEMCloud personal face real-name auth (seed 002) over
//! `facegate_vendors::oemcloud`.
//!
//! The seed documents no result query: the notify is the only server-side signal, so its
//! result is kept with `confirmed_by: notify` (and its signature checked where the deployment
//! has e-sign's secret). The browser's return to callbackUrl carries `passed=...` too, but a
//! browser can forge that: it only brings the user back, it decides nothing.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use axum::response::IntoResponse;
use facegate_types::{Provider, VerificationResult};
use facegate_vendors::oemcloud::{
    self, FaceAuthRequest, FaceauthMode, Notify, OemcloudClient, Surface,
};
use facegate_vendors::wire::Pii;
use facegate_vendors::VendorError;
use secrecy::SecretString;

use super::{
    Callback, CallbackOutcome, CallbackRejected, Observation, ProviderAdapter, ProviderError,
    SessionKey, StartRequest, Started,
};
use crate::domain::Subject;
use crate::store::SessionRecord;

/// The vendor refuses people under 14 (30503059): refused here before a call is spent.
pub const MINIMUM_AGE: i32 = 14;
/// A signed notify older than this is refused.
const NOTIFY_MAX_AGE: Duration = Duration::from_secs(15 * 60);
/// When the answer gives no `expire`.
const DEFAULT_LIFETIME: time::Duration = time::Duration::minutes(30);

pub struct OemcloudProvider {
    client: OemcloudClient,
    callback_secret: Option<SecretString>,
}

impl OemcloudProvider {
    pub fn new(client: OemcloudClient, callback_secret: Option<SecretString>) -> Self {
        Self {
            client,
            callback_secret,
        }
    }
}

fn invalid(field: &str, message: impl Into<String>) -> ProviderError {
    ProviderError::Invalid {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// Whole years between the birth date and today.
fn age(subject: &Subject, today: time::Date) -> i32 {
    let (year, month, day) = subject.id_number.birth_date();
    let mut age = today.year() - year;
    if (u8::from(today.month()), today.day()) < (month, day) {
        age -= 1;
    }
    age
}

#[async_trait]
impl ProviderAdapter for OemcloudProvider {
    fn provider(&self) -> Provider {
        Provider::Oemcloud
    }

    async fn start(&self, request: StartRequest<'_>) -> Result<Started, ProviderError> {
        let subject = request
            .subject
            .ok_or_else(|| invalid("subject", "oemcloud needs the subject's name and ID number"))?;
        if age(subject, crate::session::now().date()) < MINIMUM_AGE {
            return Err(invalid(
                "subject.id_number",
                "oemcloud refuses people under 14 (its code 30503059)",
            ));
        }
        let mode = match request.options.faceauth_mode.as_deref() {
            None | Some("TENCENT") => FaceauthMode::Tencent,
            Some("ZHIMACREDIT") => FaceauthMode::Zhimacredit,
            Some("WE_CHAT_FACE") => FaceauthMode::WeChatFace,
            Some(_) => {
                return Err(invalid(
                    "options.faceauth_mode",
                    "must be TENCENT, ZHIMACREDIT or WE_CHAT_FACE",
                ))
            }
        };
        let surface = if request.options.web_view == Some(true) || mode == FaceauthMode::WeChatFace
        {
            Surface::MiniProgramWebView
        } else {
            Surface::Browser
        };
        let answer = self
            .client
            .start_face_auth(&FaceAuthRequest {
                name: Pii::new(subject.name.expose()),
                id_no: Pii::new(subject.id_number.expose()),
                faceauth_mode: mode,
                callback_url: request.return_url.to_string(),
                context_id: Some(
                    request
                        .reference
                        .unwrap_or(request.verification_id)
                        .to_owned(),
                ),
                notify_url: Some(request.notify_url.to_string()),
                repetition: None,
            })
            .await
            .map_err(|error| match error {
                VendorError::InvalidRequest { field, message, .. } => {
                    let field = match field.as_deref() {
                        Some("name") => "subject.name",
                        Some("idNo") => "subject.id_number",
                        Some("faceauthMode") => "options.faceauth_mode",
                        _ => "subject",
                    };
                    invalid(field, message)
                }
                other => other.into(),
            })?;
        let next_action = answer.next_action(surface)?;
        let expires_at = answer
            .expire
            .and_then(|ms| {
                time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
            })
            .unwrap_or_else(|| crate::session::now() + DEFAULT_LIFETIME);
        Ok(Started {
            vendor_ref: answer.flow_id,
            next_action,
            expires_at,
            vendor_state: Some(serde_json::json!({"faceauth_mode": mode.as_str()})),
        })
    }

    async fn observe(
        &self,
        _session: &SessionRecord,
        _subject: Option<&Subject>,
        evidence: Option<&str>,
    ) -> Result<Observation, ProviderError> {
        // Evidence comes only from our own callback handler below (a parsed, checked notify).
        Ok(
            match evidence.and_then(|text| serde_json::from_str::<VerificationResult>(text).ok()) {
                Some(result) => Observation::confirmed(result),
                None => Observation::Pending,
            },
        )
    }

    async fn callback(&self, callback: Callback<'_>) -> Result<CallbackOutcome, CallbackRejected> {
        if let Some(secret) = &self.callback_secret {
            let header = |name: &str| {
                callback
                    .headers
                    .get(name)
                    .and_then(|value| value.to_str().ok())
            };
            oemcloud::verify_signature(
                secret,
                header("x-tsign-open-timestamp"),
                header("x-tsign-open-signature"),
                callback.query,
                callback.body,
                SystemTime::now(),
                NOTIFY_MAX_AGE,
            )
            .map_err(|error| CallbackRejected(error.to_string()))?;
        }
        let notify =
            Notify::parse(callback.body).map_err(|error| CallbackRejected(error.to_string()))?;
        let evidence = serde_json::to_string(&notify.result()).ok();
        Ok(CallbackOutcome {
            session: Some(SessionKey::VendorRef(notify.flow_id)),
            evidence,
            reply: axum::Json(serde_json::json!({"code": 0, "msg": "success"})).into_response(),
        })
    }
}
