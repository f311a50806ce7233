//! Providers: each adapts one vendor client (facegate-vendors) to the session API.
//!
//! An adapter starts a session at its vendor and, later, observes what the vendor says about
//! it. It decides nothing about status: `session.rs` turns observations into transitions.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use facegate_types::{NextAction, Provider, ProviderOptions, VerificationResult};
use facegate_vendors::VendorError;
use time::OffsetDateTime;
use url::Url;

use crate::domain::Subject;
use crate::store::SessionRecord;

pub mod sandbox;

/// What an adapter gets to start a session at its vendor.
#[derive(Debug)]
pub struct StartRequest<'a> {
    pub verification_id: &'a str,
    pub reference: Option<&'a str>,
    pub subject: Option<&'a Subject>,
    pub reference_image: Option<&'a [u8]>,
    pub options: &'a ProviderOptions,
    /// facegate's `/v1/return/{id}`: where the vendor sends the browser back.
    pub return_url: Url,
    /// facegate's `/v1/callbacks/{provider}`: where the vendor posts its notify.
    pub notify_url: Url,
}

/// The vendor accepted: its handle, the front end's next step, and when the vendor's token ends.
#[derive(Debug)]
pub struct Started {
    pub vendor_ref: String,
    pub next_action: NextAction,
    pub expires_at: OffsetDateTime,
    pub vendor_state: Option<serde_json::Value>,
}

/// What the vendor says about a session now.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// The user has not finished.
    Pending,
    /// The user finished; the vendor has no result yet.
    Processing,
    /// The vendor's confirmed result.
    Final(VerificationResult),
    /// The vendor's token ran out before a result.
    Expired,
}

/// Why an adapter could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The create request does not suit this provider (`field` names what is wrong).
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error(transparent)]
    Vendor(#[from] VendorError),
}

impl From<ProviderError> for crate::error::AppError {
    fn from(error: ProviderError) -> Self {
        match error {
            ProviderError::Invalid { field, message } => Self::InvalidRequest {
                field: Some(field),
                message,
            },
            ProviderError::Vendor(error) => Self::Vendor(error),
        }
    }
}

/// One vendor behind the session API.
#[async_trait]
pub trait ProviderAdapter: Send + Sync + 'static {
    fn provider(&self) -> Provider;

    /// Starts the session at the vendor: exactly one billable vendor call per session.
    async fn start(&self, request: StartRequest<'_>) -> Result<Started, ProviderError>;

    /// Asks the vendor about a started session. `subject` is the decrypted subject, for
    /// vendors whose answers must be matched against it.
    async fn observe(
        &self,
        session: &SessionRecord,
        subject: Option<&Subject>,
    ) -> Result<Observation, ProviderError>;
}

/// The providers this server runs, by name.
#[derive(Clone, Default)]
pub struct Providers {
    adapters: HashMap<Provider, Arc<dyn ProviderAdapter>>,
}

impl Providers {
    pub fn register(&mut self, adapter: Arc<dyn ProviderAdapter>) {
        self.adapters.insert(adapter.provider(), adapter);
    }

    pub fn get(&self, provider: Provider) -> Option<&Arc<dyn ProviderAdapter>> {
        self.adapters.get(&provider)
    }

    pub fn enabled(&self) -> impl Iterator<Item = Provider> + '_ {
        self.adapters.keys().copied()
    }
}
