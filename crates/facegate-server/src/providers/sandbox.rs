//! The `sandbox` provider over facegate-sandbox's HTTP API (`facegate_vendors::sandbox`).

use async_trait::async_trait;
use facegate_types::{
    ConfirmedBy, FailureReason, NextAction, Provider, Scores, VerificationResult,
};
use facegate_vendors::sandbox::{CreateSession, SandboxClient, SessionState};
use facegate_vendors::VendorError;
use time::OffsetDateTime;

use axum::response::IntoResponse;
use facegate_vendors::sandbox::Notify;

use super::{
    Callback, CallbackOutcome, CallbackRejected, Evidence, Observation, ProviderAdapter,
    ProviderError, SessionKey, StartRequest, Started,
};
use crate::domain::Subject;
use crate::store::SessionRecord;

pub struct SandboxProvider {
    client: SandboxClient,
    default_ttl_seconds: u32,
}

impl SandboxProvider {
    /// `default_ttl`: the lifetime of a session whose options name none (whole seconds).
    pub fn new(client: SandboxClient, default_ttl: std::time::Duration) -> Self {
        Self {
            client,
            default_ttl_seconds: u32::try_from(default_ttl.as_secs()).unwrap_or(u32::MAX),
        }
    }
}

#[async_trait]
impl ProviderAdapter for SandboxProvider {
    /// The sandbox's own create request; `ttl_seconds` is its only option.
    type Start = CreateSession;

    fn provider(&self) -> Provider {
        Provider::Sandbox
    }

    fn prepare(&self, request: &StartRequest<'_>) -> Result<CreateSession, ProviderError> {
        let ttl = request
            .options
            .ttl_seconds
            .unwrap_or(self.default_ttl_seconds);
        if !(1..=86_400).contains(&ttl) {
            return Err(ProviderError::Invalid {
                field: "options.ttl_seconds".into(),
                message: "must be 1 to 86400".into(),
            });
        }
        Ok(CreateSession {
            reference: request.reference.map(str::to_owned),
            return_url: request.return_url.to_string(),
            notify_url: Some(request.notify_url.to_string()),
            ttl_seconds: Some(ttl),
        })
    }

    async fn start(&self, request: CreateSession) -> Result<Started, ProviderError> {
        let created = self.client.create_session(&request).await?;
        let expires_at = OffsetDateTime::from_unix_timestamp(created.expires_at)
            .map_err(|_| VendorError::Decode("expires_at is not a unix time".into()))?;
        Ok(Started {
            vendor_ref: created.token,
            next_action: NextAction::Redirect {
                url: created.page_url,
            },
            expires_at,
            vendor_state: None,
        })
    }

    async fn callback(&self, callback: Callback<'_>) -> Result<CallbackOutcome, CallbackRejected> {
        let notify: Notify = serde_json::from_slice(callback.body)
            .map_err(|_| CallbackRejected("the notify body must be {\"token\": ...}".into()))?;
        Ok(CallbackOutcome::about(
            SessionKey::VendorRef(notify.token),
            axum::Json(serde_json::json!({"received": true})).into_response(),
        ))
    }

    async fn observe(
        &self,
        session: &SessionRecord,
        _subject: Option<&Subject>,
        _evidence: Option<&Evidence>,
    ) -> Result<Observation, ProviderError> {
        let Some(token) = session.vendor_ref.as_deref() else {
            return Ok(Observation::Pending);
        };
        let answer = self.client.session(token).await?;
        Ok(match answer.state {
            SessionState::Pending => Observation::Pending,
            SessionState::Expired => Observation::Expired,
            SessionState::Completed => {
                let outcome = answer
                    .outcome
                    .ok_or_else(|| VendorError::Decode("completed without an outcome".into()))?;
                let reason = match outcome.as_str() {
                    "pass" => None,
                    other => Some(other.parse::<FailureReason>().map_err(|_| {
                        VendorError::Decode(format!("unknown sandbox outcome `{other}`"))
                    })?),
                };
                Observation::confirmed(VerificationResult {
                    passed: reason.is_none(),
                    reason,
                    scores: Scores {
                        similarity: answer.similarity,
                        liveness: answer.liveness,
                        threshold: answer.threshold,
                    },
                    vendor_code: Some(outcome.clone()),
                    vendor_message: Some(match reason {
                        None => "sandbox: passed".to_owned(),
                        Some(reason) => format!("sandbox: {reason}"),
                    }),
                    confirmed_by: ConfirmedBy::Sandbox,
                    risk_signals: Vec::new(),
                })
            }
        })
    }
}
