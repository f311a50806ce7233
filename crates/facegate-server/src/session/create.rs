//! Creating a session: the provider parses the request into its vendor's typed start first
//! (a bad option writes nothing), then the row is reserved, the one vendor call made, and
//! what the vendor said recorded.

use std::time::Duration;

use facegate_types::{Provider, ProviderOptions, VerificationStatus};

use super::{SessionContext, SessionError};
use crate::domain::{ClientSecret, Reference, ReturnUrl, Subject, VerificationId};
use crate::providers::StartRequest;
use crate::store::{Caps, SealedSubject, SessionRecord, Start, StoreError, SubjectDigest};

/// A create request, parsed (`api/verifications/create.rs`); the provider's options are
/// still the wire's, for the provider to parse into its own.
pub struct NewSession {
    pub provider: Provider,
    pub reference: Option<Reference>,
    pub subject: Option<Subject>,
    pub return_url: ReturnUrl,
    pub reference_image: Option<Vec<u8>>,
    pub reference_image_2: Option<Vec<u8>>,
    pub options: ProviderOptions,
    pub api_key_id: Option<String>,
    pub idempotency_key: Option<String>,
    /// The daily caps the new row must fit under, checked in the insert's own transaction
    /// (`limits::caps`); `None`: no cap.
    pub caps: Option<Caps>,
}

/// How long a session may wait for its vendor's first answer before the reconciler gives up.
const START_WINDOW: Duration = Duration::from_secs(120);

/// Creates a session: the provider prepares its vendor's start (options parsed, nothing
/// written yet), the row is reserved, the one vendor call made, and what the vendor said
/// recorded. Returns the session and its client secret. A repeat of an Idempotency-Key answers
/// the first session (found by the insert's unique index, not by a read before it).
pub async fn create(
    context: &SessionContext,
    new: NewSession,
) -> Result<(SessionRecord, String), SessionError> {
    let Some(adapter) = context.providers.get(new.provider).cloned() else {
        return Err(SessionError::ProviderUnavailable(new.provider));
    };
    // An Idempotency-Key is not looked up first: the insert's unique index finds a repeat (on
    // any replica), and only then is the first session read. A first create pays no read.
    let id = VerificationId::generate();
    let reference = new.reference.as_ref().map(|r| r.as_str().to_owned());
    let prepared = adapter.prepare(&StartRequest {
        verification_id: id.as_str(),
        reference: reference.as_deref(),
        subject: new.subject.as_ref(),
        reference_image: new.reference_image.as_deref(),
        reference_image_2: new.reference_image_2.as_deref(),
        options: &new.options,
        return_url: context.urls.return_url(id.as_str()),
        notify_url: context.urls.callback_url(new.provider),
    })?;
    let secret = ClientSecret::generate(&id);
    let at = context.clock.now();
    let subject = new.subject.as_ref().map(|subject| SealedSubject {
        name: context.pii.encrypt(subject.name.expose(), id.as_str()),
        id_number: context.pii.encrypt(subject.id_number.expose(), id.as_str()),
        name_masked: subject.name.masked(),
        id_number_masked: subject.id_number.masked(),
    });
    let mut record = SessionRecord {
        id: id.as_str().to_owned(),
        provider: new.provider,
        status: VerificationStatus::Pending,
        reference,
        client_secret_hash: secret.hash(),
        client_secret_sealed: context.pii.encrypt(secret.expose(), id.as_str()),
        subject,
        return_url: new.return_url.url().to_string(),
        vendor_ref: None,
        next_action: None,
        result: None,
        vendor_state: None,
        api_key_id: new.api_key_id.clone(),
        idempotency_key: new.idempotency_key.clone(),
        version: 0,
        created_at: at,
        updated_at: at,
        expires_at: at + START_WINDOW,
        completed_at: None,
        last_checked_at: None,
        redacted_at: None,
    };
    // The digest goes in with the row: a session anyone sees can be searched for.
    let digest = new.subject.as_ref().map(|subject| {
        let (key_id, digest) = context.pii.subject_digest(subject.id_number.expose());
        SubjectDigest { key_id, digest }
    });
    let inserted = match &new.caps {
        Some(caps) => match context
            .store
            .insert_capped(&record, digest.as_ref(), caps)
            .await
        {
            Ok(Some(reached)) => return Err(SessionError::CapReached(reached)),
            Ok(None) => Ok(()),
            Err(error) => Err(error),
        },
        None => context.store.insert(&record, digest.as_ref()).await,
    };
    match inserted {
        Ok(()) => {}
        Err(StoreError::Duplicate(_)) => {
            // A repeat of the Idempotency-Key: the first request (finished, or concurrent and
            // ahead) holds the row.
            let (Some(api_key_id), Some(key)) = (&new.api_key_id, &new.idempotency_key) else {
                return Err(SessionError::Internal(anyhow::anyhow!(
                    "duplicate session id"
                )));
            };
            let existing = context
                .store
                .find_by_idempotency_key(api_key_id, key)
                .await?
                // The winner's vendor call failed and its row went away in between.
                .ok_or(SessionError::IdempotencyFailed)?;
            return replay(context, existing);
        }
        Err(error) => return Err(error.into()),
    }
    let started = match prepared.start().await {
        Ok(started) => started,
        Err(error) => {
            // Nothing was shown to anyone: the create did not happen.
            context.store.delete_unstarted(id.as_str()).await?;
            return Err(error.into());
        }
    };
    if let Err(problem) = check_vendor_ref(&started.vendor_ref) {
        context.store.delete_unstarted(id.as_str()).await?;
        return Err(SessionError::MalformedVendorHandle {
            provider: new.provider,
            problem,
        });
    }
    let start = Start {
        vendor_ref: started.vendor_ref,
        next_action: started.next_action,
        expires_at: started.expires_at,
        vendor_state: started.vendor_state,
    };
    let at = context.clock.now();
    match context
        .store
        .record_start(&record.id, record.version, &start, at)
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            return Err(SessionError::Internal(anyhow::anyhow!(
                "the session changed while its vendor call was under way"
            )))
        }
        Err(StoreError::Duplicate(_)) => {
            // The vendor handed out a handle another session holds: its callbacks and queries
            // could not tell the two apart. The older session keeps it; this one never existed.
            context.store.delete_unstarted(id.as_str()).await?;
            tracing::warn!(
                provider = %new.provider,
                "the vendor answered a session handle another verification already holds"
            );
            return Err(SessionError::VendorHandleTaken(new.provider));
        }
        Err(error) => return Err(error.into()),
    }
    record.vendor_ref = Some(start.vendor_ref);
    record.next_action = Some(start.next_action);
    record.expires_at = start.expires_at;
    record.vendor_state = start.vendor_state;
    record.version += 1;
    record.updated_at = at;
    tracing::info!(verification_id = %record.id, provider = %record.provider, "verification created");
    Ok((record, secret.expose().to_owned()))
}

/// The longest vendor handle facegate keeps (the documented ones are at most a few hundred
/// characters: FaceID's biz_token, WeChat's user_id_key).
const MAX_VENDOR_REF_BYTES: usize = 1024;

/// Why a vendor's session handle cannot name a session: it is empty, too long, or holds
/// control characters (PostgreSQL's text refuses NUL, and a log or a URL should not carry
/// the rest).
fn check_vendor_ref(vendor_ref: &str) -> Result<(), &'static str> {
    if vendor_ref.trim().is_empty() {
        Err("is empty")
    } else if vendor_ref.len() > MAX_VENDOR_REF_BYTES {
        Err("is over 1024 bytes")
    } else if vendor_ref.chars().any(char::is_control) {
        Err("holds control characters")
    } else {
        Ok(())
    }
}

/// The answer to a create repeated with the same Idempotency-Key: the same session.
fn replay(
    context: &SessionContext,
    existing: SessionRecord,
) -> Result<(SessionRecord, String), SessionError> {
    if existing.vendor_ref.is_none() && !existing.status.is_final() {
        return Err(SessionError::IdempotencyInProgress);
    }
    let secret = context
        .pii
        .decrypt(&existing.client_secret_sealed, &existing.id)?;
    Ok((existing, secret))
}
