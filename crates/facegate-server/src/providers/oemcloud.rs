//! `oemcloud`: e-sign OEMCloud personal face real-name auth (seed 002) over
//! `facegate_vendors::oemcloud`.
//!
//! The seed documents no result query: the notify is the only server-side signal, so its
//! result is kept with `confirmed_by: notify`, and only from a notify whose signature checks
//! out with e-sign's secret. The secret is therefore required: without it the provider is not
//! built (`FACEGATE_OEMCLOUD_CALLBACK_SECRET`, see config/vendors.rs), since the flowId an unsigned
//! notify needs reaches the browser in e-sign's redirect. The browser's return to
//! callbackUrl carries `passed=...` too, but a browser can forge that: it only brings the user
//! back, it decides nothing. contextId is the session id, and a notify whose contextId names
//! another session than its flowId's is refused.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use axum::response::IntoResponse;
use facegate_types::{FailureReason, Provider};
use facegate_vendors::oemcloud::{
    self, FaceAuthRequest, FaceauthMode, Notify, OemcloudClient, Surface,
};
use facegate_vendors::wire::Pii;
use secrecy::SecretString;

use super::{
    Callback, CallbackOutcome, CallbackRejected, Evidence, Observation, ProviderAdapter,
    ProviderError, SessionKey, StartRequest, Started,
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
    callback_secret: SecretString,
}

impl OemcloudProvider {
    pub fn new(client: OemcloudClient, callback_secret: SecretString) -> Self {
        Self {
            client,
            callback_secret,
        }
    }
}

/// e-sign's start, parsed: the face auth request, and where its page opens.
pub struct OemcloudStart {
    request: FaceAuthRequest,
    surface: Surface,
}

/// Whole years between the birth date and `today`, China's date (UTC+8), as e-sign counts.
fn age(subject: &Subject, today: time::Date) -> i32 {
    let (year, month, day) = subject.id_number.birth_date();
    let mut age = today.year() - year;
    if (u8::from(today.month()), today.day()) < (month, day) {
        age -= 1;
    }
    age
}

/// e-sign's parameter names, as the create request calls them.
fn request_field(vendor_key: &str) -> &'static str {
    match vendor_key {
        "name" => "subject.name",
        "idNo" => "subject.id_number",
        "faceauthMode" => "options.faceauth_mode",
        _ => "subject",
    }
}

#[async_trait]
impl ProviderAdapter for OemcloudProvider {
    type Start = OemcloudStart;

    fn provider(&self) -> Provider {
        Provider::Oemcloud
    }

    /// The subject (refused under 14 before a call is spent) and the mode into e-sign's types.
    fn prepare(&self, request: &StartRequest<'_>) -> Result<OemcloudStart, ProviderError> {
        let subject =
            request.required_subject("oemcloud needs the subject's name and ID number")?;
        let china_today = crate::session::now()
            .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC))
            .date();
        if age(subject, china_today) < MINIMUM_AGE {
            return Err(ProviderError::Refused {
                field: "subject.id_number".into(),
                reason: FailureReason::Underage,
                message: "oemcloud refuses people under 14 (its code 30503059); facegate checked \
                          before spending a call"
                    .into(),
            });
        }
        let mode = match request.options.faceauth_mode.as_deref() {
            None | Some("TENCENT") => FaceauthMode::Tencent,
            Some("ZHIMACREDIT") => FaceauthMode::Zhimacredit,
            Some("WE_CHAT_FACE") => FaceauthMode::WeChatFace,
            Some(_) => {
                return Err(ProviderError::invalid(
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
        Ok(OemcloudStart {
            request: FaceAuthRequest {
                name: Pii::new(subject.name.expose()),
                id_no: Pii::new(subject.id_number.expose()),
                faceauth_mode: mode,
                callback_url: request.return_url.to_string(),
                // The session id, never the merchant's reference: what the notify echoes must
                // name one session.
                context_id: Some(request.verification_id.to_owned()),
                notify_url: Some(request.notify_url.to_string()),
                repetition: None,
            },
            surface,
        })
    }

    async fn start(&self, start: OemcloudStart) -> Result<Started, ProviderError> {
        let OemcloudStart { request, surface } = start;
        let mode = request.faceauth_mode;
        let answer = self
            .client
            .start_face_auth(&request)
            .await
            .map_err(|error| ProviderError::vendor_with_fields(error, request_field))?;
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
        evidence: Option<&Evidence>,
    ) -> Result<Observation, ProviderError> {
        // Only a notify whose signature `callback` checked carries a result.
        Ok(match evidence {
            Some(Evidence::SignedNotify(result)) => Observation::confirmed(result.clone()),
            _ => Observation::Pending,
        })
    }

    async fn callback(&self, callback: Callback<'_>) -> Result<CallbackOutcome, CallbackRejected> {
        // e-sign probes the notify URL with a GET when the user opens the face page
        // (VENDORS.md): it says nothing about any session.
        if callback.method == axum::http::Method::GET {
            return Ok(CallbackOutcome::about_nothing(ACK.into_response()));
        }
        let header = |name: &str| {
            callback
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
        };
        oemcloud::verify_signature(
            &self.callback_secret,
            header("x-tsign-open-timestamp"),
            header("x-tsign-open-signature"),
            callback.query,
            callback.body,
            SystemTime::now(),
            NOTIFY_MAX_AGE,
        )
        .map_err(|error| CallbackRejected(error.to_string()))?;
        let notify =
            Notify::parse(callback.body).map_err(|error| CallbackRejected(error.to_string()))?;
        Ok(CallbackOutcome {
            session: Some(SessionKey::VendorRef(notify.flow_id.clone())),
            stated_session: notify.context_id.clone(),
            evidence: Some(Evidence::SignedNotify(notify.result())),
            reply: ACK.into_response(),
        })
    }
}

/// The acknowledgement e-sign's open platform expects.
const ACK: axum::Json<Ack> = axum::Json(Ack {
    code: 0,
    msg: "success",
});

#[derive(serde::Serialize)]
struct Ack {
    code: i64,
    msg: &'static str,
}
