//! Providers: each adapts one vendor client (facegate-vendors) to the session API.
//!
//! An adapter parses a create request into its vendor's typed start (`prepare`, no I/O), makes
//! the start's one vendor call, and, later, observes what the vendor says about the session.
//! It decides nothing about status: the session core (`session/`) turns observations into
//! transitions.
//! `registry.rs` builds every vendor's client from its settings group, and the providers over
//! them (docs/adding-a-vendor.md).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use facegate_types::{NextAction, Provider, ProviderOptions, VerificationResult};
use facegate_vendors::VendorError;
use time::OffsetDateTime;
use url::Url;

use crate::domain::Subject;
use crate::store::SessionRecord;

pub mod aliyun_cloudauth;
pub mod baidu_h5;
pub mod faceid_lite;
pub mod instrumented;
pub mod oemcloud;
pub mod registry;
pub mod resilience;
pub mod sandbox;
pub mod tencent_faceid;
pub mod tokens;
pub mod wechat_mini;
pub mod wechat_verify;

/// What an adapter gets to prepare a session's start at its vendor.
#[derive(Debug)]
pub struct StartRequest<'a> {
    pub verification_id: &'a str,
    pub reference: Option<&'a str>,
    pub subject: Option<&'a Subject>,
    pub reference_image: Option<&'a [u8]>,
    pub reference_image_2: Option<&'a [u8]>,
    pub options: &'a ProviderOptions,
    /// facegate's `/v1/return/{id}`: where the vendor sends the browser back.
    pub return_url: Url,
    /// facegate's `/v1/callbacks/{provider}`: where the vendor posts its notify.
    pub notify_url: Url,
}

impl<'a> StartRequest<'a> {
    /// The subject, for a provider that cannot start without one: else 400 naming `subject`,
    /// with `why` (which vendor call needs it) as the message.
    pub fn required_subject(&self, why: &str) -> Result<&'a Subject, ProviderError> {
        self.subject
            .ok_or_else(|| ProviderError::invalid("subject", why))
    }
}

/// The vendor accepted: its handle, the front end's next step, and when the vendor's token ends.
#[derive(Debug)]
pub struct Started {
    pub vendor_ref: String,
    pub next_action: NextAction,
    pub expires_at: OffsetDateTime,
    pub vendor_state: Option<serde_json::Value>,
}

/// One image (or video) a vendor returned with its result.
#[derive(Clone, PartialEq)]
pub struct VendorMedia {
    /// The vendor's name for it (`image_best`, `idcard_frontside`, ...).
    pub kind: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for VendorMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VendorMedia")
            .field("kind", &self.kind)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// What the vendor says about a session now.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// The user has not finished.
    Pending,
    /// The user finished; the vendor has no result yet.
    Processing,
    /// The vendor's confirmed result, with the images the same answer carried (FaceID's
    /// get_result): kept, sealed, in the transaction that makes the session final, only when
    /// `media_retention_days` > 0 (see `media.rs`); dropped otherwise.
    Final {
        result: VerificationResult,
        media: Vec<VendorMedia>,
    },
    /// The vendor's token ran out before a result.
    Expired,
}

impl Observation {
    /// A confirmed result that came without images.
    pub fn confirmed(result: VerificationResult) -> Self {
        Self::Final {
            result,
            media: Vec::new(),
        }
    }
}

/// A vendor's request to `/v1/callbacks/{provider}`, as received.
#[derive(Debug)]
pub struct Callback<'a> {
    pub method: &'a axum::http::Method,
    pub headers: &'a axum::http::HeaderMap,
    /// The raw query string (signatures may cover it).
    pub query: &'a str,
    pub body: &'a [u8],
}

/// Which session a callback is about: a value facegate handed the vendor that names exactly
/// one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionKey {
    /// The vendor's handle (token, biz_token, flowId): unique per provider in the store.
    VendorRef(String),
    /// facegate's session id, which facegate sends where a vendor echoes an id of ours
    /// (WeChat's out_seq_no). Never the merchant's reference, which many sessions may share.
    Session(String),
}

/// What a callback or the front end hands over beside a session's name.
#[derive(Clone, PartialEq)]
pub enum Evidence {
    /// A one-time token the vendor issued for one check (WeChat's verify_result): worth
    /// nothing until the vendor confirms it server-side for this very session, and spent once
    /// (`session::observe` refuses it for any other session).
    VendorToken(String),
    /// The result a notify carried, whose signature facegate checked (OEMCloud documents no
    /// result query): kept with `confirmed_by: notify`.
    SignedNotify(VerificationResult),
}

impl std::fmt::Debug for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::VendorToken(_) => f.write_str("VendorToken(..)"),
            Self::SignedNotify(result) => f.debug_tuple("SignedNotify").field(result).finish(),
        }
    }
}

/// What a callback says, and what the vendor expects back.
#[derive(Debug)]
pub struct CallbackOutcome {
    /// The session it is about; `None` for callbacks that name none (a URL check, a probe).
    pub session: Option<SessionKey>,
    /// A session id the callback states besides its key (OEMCloud's contextId): when it is a
    /// session id at all, it must be the session the key finds, or the callback is refused.
    pub stated_session: Option<String>,
    /// Evidence for `observe` that only the callback carries.
    pub evidence: Option<Evidence>,
    /// The answer the vendor expects (its documented acknowledgement).
    pub reply: axum::response::Response,
}

impl CallbackOutcome {
    /// A callback about the session `key` names, acknowledged with `reply`.
    pub fn about(key: SessionKey, reply: axum::response::Response) -> Self {
        Self {
            session: Some(key),
            stated_session: None,
            evidence: None,
            reply,
        }
    }

    /// A callback about no session (a URL check), acknowledged with `reply`.
    pub fn about_nothing(reply: axum::response::Response) -> Self {
        Self {
            session: None,
            stated_session: None,
            evidence: None,
            reply,
        }
    }
}

/// Why a callback was refused (bad signature, malformed body): the vendor gets a 4xx.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CallbackRejected(pub String);

/// Why an adapter could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The create request does not suit this provider (`field` names what is wrong).
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// The person is refused before any vendor call, by a rule the vendor documents (facegate
    /// checks it first so that no billable call is spent on a certain refusal).
    #[error("{message}")]
    Refused {
        field: String,
        reason: facegate_types::FailureReason,
        message: String,
    },
    /// The vendor's own error; an adapter renames a refused field to the create request's
    /// path (`subject.id_number`) with [`ProviderError::vendor_with_fields`].
    #[error(transparent)]
    Vendor(#[from] VendorError),
    /// The vendor's circuit breaker is open (`resilience`): no call was made.
    #[error("{provider} is failing; facegate is not calling it for now")]
    CircuitOpen {
        provider: Provider,
        retry_after: std::time::Duration,
    },
}

impl ProviderError {
    /// A create request the provider refuses before any vendor call: 400 naming `field` (the
    /// create request's path, e.g. `options.meta_info`).
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// A vendor error whose field (the vendor's parameter name: `idNo`, `idcard_number`) is
    /// renamed to the create request's path by `request_field`; the vendor's code and message
    /// stay as they are.
    pub fn vendor_with_fields(
        error: VendorError,
        request_field: impl Fn(&str) -> &'static str,
    ) -> Self {
        let rename = |field: Option<String>| field.map(|field| request_field(&field).to_owned());
        Self::Vendor(match error {
            VendorError::InvalidRequest {
                code,
                message,
                field,
            } => VendorError::InvalidRequest {
                code,
                message,
                field: rename(field),
            },
            VendorError::Refused {
                code,
                message,
                reason,
                field,
            } => VendorError::Refused {
                code,
                message,
                reason,
                field: rename(field),
            },
            other => other,
        })
    }
}

/// One vendor behind the session API: what each adapter implements. The server holds
/// adapters as [`DynAdapter`]s (every `ProviderAdapter` is one), so the decorators
/// (`instrumented`, `resilience`) and the session core need not know the vendor's types.
#[async_trait]
pub trait ProviderAdapter: Send + Sync + 'static {
    /// The vendor's start, parsed from the create request: its own typed request, options
    /// included. Made by [`prepare`](Self::prepare), spent by [`start`](Self::start).
    type Start: Send + Sync + 'static;

    fn provider(&self) -> Provider;

    /// Parses the create request into the vendor's typed start: the provider's options into
    /// the vendor's own types, and the subject or images the vendor needs. No I/O; it runs
    /// before the session's row is reserved, so a refusal (`Invalid` naming the field,
    /// `Refused` for a person the vendor's documents refuse) writes nothing.
    fn prepare(&self, request: &StartRequest<'_>) -> Result<Self::Start, ProviderError>;

    /// Starts the session at the vendor: exactly one billable vendor call per session.
    async fn start(&self, start: Self::Start) -> Result<Started, ProviderError>;

    /// Asks the vendor about a started session. `subject` is the decrypted subject, for
    /// vendors whose answers must be matched against it; `evidence` is what a callback or the
    /// front end handed over: a vendor token is never believed without the vendor's
    /// confirmation that it is this session's; a signed notify only where the vendor has no
    /// query, marked `confirmed_by: notify`. An adapter ignores evidence of a kind it does
    /// not take.
    async fn observe(
        &self,
        session: &SessionRecord,
        subject: Option<&Subject>,
        evidence: Option<&Evidence>,
    ) -> Result<Observation, ProviderError>;

    /// Parses a vendor callback. The default: this provider has none.
    async fn callback(&self, callback: Callback<'_>) -> Result<CallbackOutcome, CallbackRejected> {
        let _ = callback;
        Err(CallbackRejected("this provider takes no callbacks".into()))
    }

    /// Whether the front end may hand a vendor token over (`wechat_result`): only where the
    /// vendor confirms it server-side.
    fn accepts_client_evidence(&self) -> bool {
        false
    }

    /// Deletes the vendor's own copy of a redacted session (its pictures, its result), where
    /// the vendor documents a deletion call (aliyun_cloudauth: DeleteFaceVerifyResult).
    /// `Ok(true)` when the vendor says it deleted it; the default: the vendor offers none.
    async fn forget(&self, session: &SessionRecord) -> Result<bool, ProviderError> {
        let _ = session;
        Ok(false)
    }
}

/// A vendor's start, prepared ([`ProviderAdapter::prepare`]) and not yet made.
#[async_trait]
pub trait PreparedStart: Send {
    /// Makes the one billable vendor call.
    async fn start(self: Box<Self>) -> Result<Started, ProviderError>;
}

/// A prepared start that borrows its adapter.
pub type Prepared<'a> = Box<dyn PreparedStart + 'a>;

/// A provider as the server holds it ([`Providers`]): a [`ProviderAdapter`] with its start
/// type hidden behind [`PreparedStart`], or a decorator around one. Every method of the
/// adapter is here: a decorator delegates each of them.
#[async_trait]
pub trait DynAdapter: Send + Sync + 'static {
    fn provider(&self) -> Provider;

    /// [`ProviderAdapter::prepare`], the start boxed.
    fn prepare<'a>(&'a self, request: &StartRequest<'_>) -> Result<Prepared<'a>, ProviderError>;

    /// [`ProviderAdapter::observe`].
    async fn observe(
        &self,
        session: &SessionRecord,
        subject: Option<&Subject>,
        evidence: Option<&Evidence>,
    ) -> Result<Observation, ProviderError>;

    /// [`ProviderAdapter::callback`].
    async fn callback(&self, callback: Callback<'_>) -> Result<CallbackOutcome, CallbackRejected>;

    /// [`ProviderAdapter::accepts_client_evidence`].
    fn accepts_client_evidence(&self) -> bool;

    /// [`ProviderAdapter::forget`].
    async fn forget(&self, session: &SessionRecord) -> Result<bool, ProviderError>;
}

/// An adapter's typed start with the adapter that makes it.
struct TypedStart<'a, A: ProviderAdapter> {
    adapter: &'a A,
    start: A::Start,
}

#[async_trait]
impl<A: ProviderAdapter> PreparedStart for TypedStart<'_, A> {
    async fn start(self: Box<Self>) -> Result<Started, ProviderError> {
        let TypedStart { adapter, start } = *self;
        adapter.start(start).await
    }
}

#[async_trait]
impl<A: ProviderAdapter> DynAdapter for A {
    fn provider(&self) -> Provider {
        ProviderAdapter::provider(self)
    }

    fn prepare<'a>(&'a self, request: &StartRequest<'_>) -> Result<Prepared<'a>, ProviderError> {
        let start = ProviderAdapter::prepare(self, request)?;
        Ok(Box::new(TypedStart {
            adapter: self,
            start,
        }))
    }

    async fn observe(
        &self,
        session: &SessionRecord,
        subject: Option<&Subject>,
        evidence: Option<&Evidence>,
    ) -> Result<Observation, ProviderError> {
        ProviderAdapter::observe(self, session, subject, evidence).await
    }

    async fn callback(&self, callback: Callback<'_>) -> Result<CallbackOutcome, CallbackRejected> {
        ProviderAdapter::callback(self, callback).await
    }

    fn accepts_client_evidence(&self) -> bool {
        ProviderAdapter::accepts_client_evidence(self)
    }

    async fn forget(&self, session: &SessionRecord) -> Result<bool, ProviderError> {
        ProviderAdapter::forget(self, session).await
    }
}

/// The longest session lifetime a vendor's answer may set (the documented ones are 1 to 2
/// hours; a day is generous, and keeps a garbled `expires_in` from overflowing a date).
pub const MAX_VENDOR_LIFETIME_SECONDS: i64 = 24 * 60 * 60;

/// Now plus a vendor's `expires_in` seconds, held to 1 s .. [`MAX_VENDOR_LIFETIME_SECONDS`].
pub fn expires_after(seconds: i64) -> OffsetDateTime {
    crate::session::now() + time::Duration::seconds(seconds.clamp(1, MAX_VENDOR_LIFETIME_SECONDS))
}

/// The providers this server runs, by name.
#[derive(Clone, Default)]
pub struct Providers {
    adapters: HashMap<Provider, Arc<dyn DynAdapter>>,
}

impl Providers {
    pub fn register(&mut self, adapter: Arc<dyn DynAdapter>) {
        let adapter: Arc<dyn DynAdapter> = Arc::new(instrumented::Instrumented(adapter));
        self.adapters.insert(adapter.provider(), adapter);
    }

    pub fn get(&self, provider: Provider) -> Option<&Arc<dyn DynAdapter>> {
        self.adapters.get(&provider)
    }

    pub fn enabled(&self) -> impl Iterator<Item = Provider> + '_ {
        self.adapters.keys().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_lifetimes_are_held_to_a_sane_range() {
        let now = crate::session::now();
        for (seconds, at_most) in [(i64::MAX, 86_400), (i64::MIN, 1), (0, 1), (3600, 3600)] {
            let at = expires_after(seconds);
            assert!(at > now, "{seconds}");
            assert!(
                at - now <= time::Duration::seconds(at_most + 1),
                "{seconds}"
            );
        }
    }
}
