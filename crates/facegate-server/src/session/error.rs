//! Why the session core did not do what it was asked. No HTTP here: `error.rs` maps each
//! variant to the API's answer once (the status each answers is in its doc).

use facegate_types::{Provider, VerificationStatus};

use crate::providers::ProviderError;
use crate::store::StoreError;

/// The session core's failures.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// 400 `provider_unavailable`: the provider is not configured on this server.
    #[error("the provider `{0}` is not configured on this server")]
    ProviderUnavailable(Provider),
    /// 409: a create with the same Idempotency-Key has reserved its session and is waiting
    /// for its vendor.
    #[error("a create with this Idempotency-Key is still in progress; retry shortly")]
    IdempotencyInProgress,
    /// 409: the create that held the Idempotency-Key failed while this one waited for it.
    #[error("a create with this Idempotency-Key failed meanwhile; retry it")]
    IdempotencyFailed,
    /// 409: a vendor token (WeChat's verify_result) another session spent.
    #[error(
        "this evidence was already handed over for another verification; it decides one session only"
    )]
    EvidenceSpent,
    /// 409: the session is final; nothing changes it again.
    #[error("the verification is already {0}")]
    AlreadyFinal(VerificationStatus),
    /// 409: a cancel once the user finished (`processing`).
    #[error(
        "a {0} verification cannot be canceled: the user finished and the result is being confirmed"
    )]
    NotCancelable(VerificationStatus),
    /// 502: the vendor's session handle is empty, over 1024 bytes or holds control
    /// characters; the session was not created.
    #[error(
        "{provider} answered a session handle that {problem}; the verification was not created"
    )]
    MalformedVendorHandle {
        provider: Provider,
        problem: &'static str,
    },
    /// 502: the vendor answered a handle another session holds; the session was not created.
    #[error(
        "{0} answered a session handle that another verification already holds; \
         the verification was not created (retrying makes a new vendor call)"
    )]
    VendorHandleTaken(Provider),
    /// 429 with Retry-After: a daily cap (per merchant reference, per person) is reached;
    /// nothing was written and no vendor was called.
    #[error("a daily cap is reached")]
    CapReached(crate::store::CapReached),
    /// 404: the session went away while it was being changed.
    #[error("no such verification")]
    NotFound,
    /// 400, 422, 502 to 504: the provider refused the request or the person, or the vendor
    /// failed (see `ProviderError`).
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// 500: the database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// 500: facegate's own failure (a ciphertext that does not open, a session that kept
    /// changing under concurrent updates).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<crate::pii::PiiError> for SessionError {
    fn from(error: crate::pii::PiiError) -> Self {
        Self::Internal(error.into())
    }
}
