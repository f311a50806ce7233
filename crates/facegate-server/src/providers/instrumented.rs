//! Counts what the vendors refuse, per provider and operation, into
//! [`VENDOR_ERRORS`]: the errors a vendor reports inside a 200 answer (Baidu's error_code,
//! WeChat's errcode, e-sign's code) as well as the HTTP ones. Wraps every registered adapter.

use std::sync::Arc;

use async_trait::async_trait;
use facegate_types::Provider;
use facegate_vendors::VendorError;

use super::{
    Callback, CallbackOutcome, CallbackRejected, DynAdapter, Evidence, Observation, Prepared,
    PreparedStart, ProviderError, StartRequest, Started,
};
use crate::domain::Subject;
use crate::store::SessionRecord;

/// Counter, labels `vendor`, `operation` (`start`, `observe`), `kind` (`unauthorized`,
/// `rate_limited`, `invalid_request`, `conflict`, `api`, `unavailable`, `decode`).
pub const VENDOR_ERRORS: &str = "facegate_vendor_errors_total";

pub struct Instrumented(pub Arc<dyn DynAdapter>);

fn kind(error: &VendorError) -> &'static str {
    match error {
        VendorError::Unauthorized { .. } => "unauthorized",
        VendorError::RateLimited { .. } => "rate_limited",
        VendorError::InvalidRequest { .. } => "invalid_request",
        VendorError::Refused { .. } => "refused",
        VendorError::Conflict { .. } => "conflict",
        VendorError::Api { .. } => "api",
        VendorError::Unavailable(_) => "unavailable",
        VendorError::Decode(_) => "decode",
    }
}

impl Instrumented {
    fn count<T>(
        &self,
        operation: &'static str,
        result: Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        if let Err(ProviderError::Vendor(error)) = &result {
            metrics::counter!(
                VENDOR_ERRORS,
                "vendor" => self.0.provider().as_str(),
                "operation" => operation,
                "kind" => kind(error)
            )
            .increment(1);
        }
        result
    }
}

/// A start whose vendor errors count under `start`.
struct InstrumentedStart<'a> {
    instrumented: &'a Instrumented,
    inner: Prepared<'a>,
}

#[async_trait]
impl PreparedStart for InstrumentedStart<'_> {
    async fn start(self: Box<Self>) -> Result<Started, ProviderError> {
        let result = self.inner.start().await;
        self.instrumented.count("start", result)
    }
}

#[async_trait]
impl DynAdapter for Instrumented {
    fn provider(&self) -> Provider {
        self.0.provider()
    }

    /// Counted under `start` too: a vendor's own checks made before sending (FaceID's
    /// arguments) are its refusals, wherever they run.
    fn prepare<'a>(&'a self, request: &StartRequest<'_>) -> Result<Prepared<'a>, ProviderError> {
        let inner = self.count("start", self.0.prepare(request))?;
        Ok(Box::new(InstrumentedStart {
            instrumented: self,
            inner,
        }))
    }

    async fn observe(
        &self,
        session: &SessionRecord,
        subject: Option<&Subject>,
        evidence: Option<&Evidence>,
    ) -> Result<Observation, ProviderError> {
        let result = self.0.observe(session, subject, evidence).await;
        self.count("observe", result)
    }

    async fn callback(&self, callback: Callback<'_>) -> Result<CallbackOutcome, CallbackRejected> {
        self.0.callback(callback).await
    }

    fn accepts_client_evidence(&self) -> bool {
        self.0.accepts_client_evidence()
    }

    async fn forget(&self, session: &SessionRecord) -> Result<bool, ProviderError> {
        self.0.forget(session).await
    }
}
