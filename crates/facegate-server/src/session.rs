//! The session's life: the one state machine, and the operations that drive it (create,
//! refresh from the vendor, cancel). Handlers, callbacks and workers all come through here,
//! and every status change goes through [`transition`] and [`apply`].

use std::time::Duration;

use facegate_types::{Provider, ProviderOptions, VerificationResult, VerificationStatus};
use rand::distributions::{Alphanumeric, DistString};
use time::OffsetDateTime;

use crate::app::AppState;
use crate::domain::{
    ClientSecret, IdNumber, PersonName, Reference, ReturnUrl, Subject, VerificationId,
};
use crate::error::{AppError, AppResult};
use crate::providers::{Evidence, Observation, StartRequest, VendorMedia};
use crate::store::{
    Change, OutboxEvent, SealedSubject, SessionRecord, Start, StoreError, SubjectDigest,
};
use crate::view;

/// What happened to a session.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The vendor says the user finished; its result is not confirmed yet.
    UserFinished,
    /// The vendor's confirmed result.
    Confirmed(VerificationResult),
    /// The vendor's token ran out without a result.
    Expired,
    /// The merchant canceled.
    Canceled,
}

/// Why an event does not change a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The session is final; nothing changes it again.
    AlreadyFinal(VerificationStatus),
    /// The event does not apply in this status.
    NotAllowed {
        from: VerificationStatus,
        event: &'static str,
    },
}

impl Event {
    fn name(&self) -> &'static str {
        match self {
            Self::UserFinished => "user_finished",
            Self::Confirmed(_) => "confirmed",
            Self::Expired => "expired",
            Self::Canceled => "canceled",
        }
    }
}

/// The state machine: the status an event leads to from `from`, or why it does not apply.
pub fn transition(from: VerificationStatus, event: &Event) -> Result<VerificationStatus, Refusal> {
    use VerificationStatus::*;
    if from.is_final() {
        return Err(Refusal::AlreadyFinal(from));
    }
    match (from, event) {
        (Pending | Processing, Event::UserFinished) => Ok(Processing),
        (Pending | Processing, Event::Confirmed(result)) => {
            Ok(if result.passed { Verified } else { Failed })
        }
        (Pending | Processing, Event::Expired) => Ok(Expired),
        (Pending, Event::Canceled) => Ok(Canceled),
        (from, event) => Err(Refusal::NotAllowed {
            from,
            event: event.name(),
        }),
    }
}

/// The result of [`apply`].
#[derive(Debug)]
pub enum Applied {
    /// The session moved (or already was where the event leads); here it is now.
    Changed(SessionRecord),
    /// The event was refused; the session as it is.
    Refused(SessionRecord, Refusal),
}

impl Applied {
    pub fn into_record(self) -> SessionRecord {
        match self {
            Self::Changed(record) | Self::Refused(record, _) => record,
        }
    }
}

/// Now, to the millisecond: the precision the store keeps, so a session reads back as created.
pub(crate) fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(now)
}

fn random_id(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
    )
}

/// Applies `event` to the session, retrying on concurrent updates. A final status writes its
/// webhook event to the outbox in the same transaction.
pub async fn apply(state: &AppState, record: SessionRecord, event: Event) -> AppResult<Applied> {
    apply_with_media(state, record, event, Vec::new()).await
}

/// [`apply`], keeping the images the vendor's confirming answer carried (sealed, in the same
/// transaction as the final status) when the merchant turned keeping on.
async fn apply_with_media(
    state: &AppState,
    record: SessionRecord,
    event: Event,
    media: Vec<VendorMedia>,
) -> AppResult<Applied> {
    let mut record = record;
    let media = match &event {
        Event::Confirmed(_) => crate::media::seal(state, &record.id, media),
        _ => Vec::new(),
    };
    for _ in 0..5 {
        let to = match transition(record.status, &event) {
            Ok(to) => to,
            Err(refusal) => return Ok(Applied::Refused(record, refusal)),
        };
        if to == record.status {
            return Ok(Applied::Changed(record));
        }
        let at = now();
        let mut next = record.clone();
        next.status = to;
        next.version += 1;
        next.updated_at = at;
        next.last_checked_at = Some(at);
        if let Event::Confirmed(result) = &event {
            next.result = Some(result.clone());
        }
        if to.is_final() {
            next.completed_at = Some(at);
            next.next_action = None;
        }
        let outbox = to.is_final().then(|| {
            let payload =
                serde_json::to_string(&view::verification(&next, None)).unwrap_or_default();
            OutboxEvent {
                id: random_id("evt"),
                verification_id: next.id.clone(),
                kind: format!("verification.{to}"),
                created_at: at,
                payload,
            }
        });
        let change = Change {
            id: record.id.clone(),
            expected_version: record.version,
            status: to,
            result: next.result.clone(),
            next_action: next.next_action.clone(),
            completed_at: next.completed_at,
            at,
            event: outbox,
            media: if to.is_final() {
                media.clone()
            } else {
                Vec::new()
            },
        };
        if state.store.apply(&change).await? {
            tracing::info!(
                verification_id = %next.id,
                provider = %next.provider,
                from = %record.status,
                to = %to,
                "verification status changed"
            );
            return Ok(Applied::Changed(next));
        }
        // Someone else moved the session first: read it again and re-decide.
        record = state
            .store
            .get(&record.id)
            .await?
            .ok_or(AppError::NotFound("no such verification"))?;
    }
    Err(AppError::Internal(anyhow::anyhow!(
        "the session kept changing under concurrent updates"
    )))
}

/// A validated create request.
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
}

/// How long a session may wait for its vendor's first answer before the reconciler gives up.
const START_WINDOW: Duration = Duration::from_secs(120);

/// Creates a session: reserves its row, makes the one vendor call, records what the vendor
/// said. Returns the session and its client secret.
pub async fn create(state: &AppState, new: NewSession) -> AppResult<(SessionRecord, String)> {
    let Some(adapter) = state.providers.get(new.provider).cloned() else {
        return Err(AppError::ProviderUnavailable(format!(
            "the provider `{}` is not configured on this server",
            new.provider
        )));
    };
    if let (Some(api_key_id), Some(key)) = (&new.api_key_id, &new.idempotency_key) {
        if let Some(existing) = state.store.find_by_idempotency_key(api_key_id, key).await? {
            return replay(state, existing);
        }
    }
    let id = VerificationId::generate();
    let secret = ClientSecret::generate(&id);
    let at = now();
    let subject = new.subject.as_ref().map(|subject| SealedSubject {
        name: state.pii.encrypt(subject.name.expose(), id.as_str()),
        id_number: state.pii.encrypt(subject.id_number.expose(), id.as_str()),
        name_masked: subject.name.masked(),
        id_number_masked: subject.id_number.masked(),
    });
    let mut record = SessionRecord {
        id: id.as_str().to_owned(),
        provider: new.provider,
        status: VerificationStatus::Pending,
        reference: new.reference.as_ref().map(|r| r.as_str().to_owned()),
        client_secret_hash: secret.hash(),
        client_secret_sealed: state.pii.encrypt(secret.expose(), id.as_str()),
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
        let (key_id, digest) = state.pii.subject_digest(subject.id_number.expose());
        SubjectDigest { key_id, digest }
    });
    match state.store.insert(&record, digest.as_ref()).await {
        Ok(()) => {}
        Err(StoreError::Duplicate(_)) => {
            // A concurrent request with the same Idempotency-Key won the race.
            let (Some(api_key_id), Some(key)) = (&new.api_key_id, &new.idempotency_key) else {
                return Err(AppError::Internal(anyhow::anyhow!("duplicate session id")));
            };
            let existing = state
                .store
                .find_by_idempotency_key(api_key_id, key)
                .await?
                // The winner's vendor call failed and its row went away in between.
                .ok_or_else(|| {
                    AppError::Conflict(
                        "a create with this Idempotency-Key failed meanwhile; retry it".into(),
                    )
                })?;
            return replay(state, existing);
        }
        Err(error) => return Err(error.into()),
    }
    let started = adapter
        .start(StartRequest {
            verification_id: id.as_str(),
            reference: record.reference.as_deref(),
            subject: new.subject.as_ref(),
            reference_image: new.reference_image.as_deref(),
            reference_image_2: new.reference_image_2.as_deref(),
            options: &new.options,
            return_url: state.urls.return_url(id.as_str()),
            notify_url: state.urls.callback_url(new.provider),
        })
        .await;
    let started = match started {
        Ok(started) => started,
        Err(error) => {
            // Nothing was shown to anyone: the create did not happen.
            state.store.delete_unstarted(id.as_str()).await?;
            return Err(error.into());
        }
    };
    if let Err(problem) = check_vendor_ref(&started.vendor_ref) {
        state.store.delete_unstarted(id.as_str()).await?;
        return Err(AppError::VendorAnomaly(format!(
            "{} answered a session handle that {problem}; the verification was not created",
            new.provider
        )));
    }
    let start = Start {
        vendor_ref: started.vendor_ref,
        next_action: started.next_action,
        expires_at: started.expires_at,
        vendor_state: started.vendor_state,
    };
    let at = now();
    match state
        .store
        .record_start(&record.id, record.version, &start, at)
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            return Err(AppError::Internal(anyhow::anyhow!(
                "the session changed while its vendor call was under way"
            )))
        }
        Err(StoreError::Duplicate(_)) => {
            // The vendor handed out a handle another session holds: its callbacks and queries
            // could not tell the two apart. The older session keeps it; this one never existed.
            state.store.delete_unstarted(id.as_str()).await?;
            tracing::warn!(
                provider = %new.provider,
                "the vendor answered a session handle another verification already holds"
            );
            return Err(AppError::VendorAnomaly(format!(
                "{} answered a session handle that another verification already holds; \
                 the verification was not created (retrying makes a new vendor call)",
                new.provider
            )));
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
fn replay(state: &AppState, existing: SessionRecord) -> AppResult<(SessionRecord, String)> {
    if existing.vendor_ref.is_none() && !existing.status.is_final() {
        return Err(AppError::Conflict(
            "a create with this Idempotency-Key is still in progress; retry shortly".into(),
        ));
    }
    let secret = state
        .pii
        .decrypt(&existing.client_secret_sealed, &existing.id)
        .map_err(|error| AppError::Internal(error.into()))?;
    Ok((existing, secret))
}

/// The decrypted subject of a stored session, for the vendor calls that need it.
pub fn open_subject(state: &AppState, record: &SessionRecord) -> AppResult<Option<Subject>> {
    let Some(sealed) = record
        .subject
        .as_ref()
        .filter(|_| record.redacted_at.is_none())
    else {
        return Ok(None);
    };
    let name = state
        .pii
        .decrypt(&sealed.name, &record.id)
        .map_err(|error| AppError::Internal(error.into()))?;
    let id_number = state
        .pii
        .decrypt(&sealed.id_number, &record.id)
        .map_err(|error| AppError::Internal(error.into()))?;
    let parse_error = |_| AppError::Internal(anyhow::anyhow!("a stored subject no longer parses"));
    Ok(Some(Subject {
        name: PersonName::parse(&name).map_err(parse_error)?,
        id_number: IdNumber::parse(&id_number).map_err(parse_error)?,
    }))
}

/// How eager a refresh is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    /// Ask the vendor now (the return page, a notify, the reconciler).
    Now,
    /// Ask only if the last check is older than the refresh interval (reads, polling).
    Recent,
}

/// Brings a non-final session up to date with its vendor. A vendor failure leaves the
/// session as it was (and is logged); the reconciler tries again later.
pub async fn refresh(
    state: &AppState,
    record: SessionRecord,
    freshness: Freshness,
) -> AppResult<SessionRecord> {
    observe(state, record, freshness, None).await
}

fn evidence_spent() -> AppError {
    AppError::Conflict(
        "this evidence was already handed over for another verification; it decides one session only"
            .into(),
    )
}

/// Like [`refresh`], with evidence a callback or the front end handed over. A vendor token
/// that another session spent is refused (409) before the vendor is asked; one the vendor
/// confirms as this session's is spent on it, so a verify_result decides at most one session.
pub async fn observe(
    state: &AppState,
    record: SessionRecord,
    freshness: Freshness,
    evidence: Option<&Evidence>,
) -> AppResult<SessionRecord> {
    if record.status.is_final() {
        return Ok(record);
    }
    // A vendor token decides at most one session: one another session spent is refused
    // before the vendor is asked (and the session stays as it is).
    let token_digest = match evidence {
        Some(Evidence::VendorToken(token)) => Some(crate::domain::secret_hash(token)),
        _ => None,
    };
    if let Some(digest) = &token_digest {
        let owner = state.store.evidence_owner(record.provider, digest).await?;
        if owner.is_some_and(|owner| owner != record.id) {
            return Err(evidence_spent());
        }
    }
    let at = now();
    let past_expiry = at >= record.expires_at;
    if freshness == Freshness::Recent && !past_expiry {
        let interval = time::Duration::try_from(state.settings.polling.refresh_interval)
            .unwrap_or(time::Duration::MAX);
        if record
            .last_checked_at
            .is_some_and(|checked| at - checked < interval)
        {
            return Ok(record);
        }
    }
    if record.vendor_ref.is_none() {
        // The vendor never accepted it (a crash mid-create): it can only run out.
        return if past_expiry {
            Ok(apply(state, record, Event::Expired).await?.into_record())
        } else {
            Ok(record)
        };
    }
    let Some(adapter) = state.providers.get(record.provider).cloned() else {
        return Ok(record);
    };
    let subject = open_subject(state, &record)?;
    let observation = adapter.observe(&record, subject.as_ref(), evidence).await;
    let event = match observation {
        Ok(Observation::Pending) if past_expiry => Event::Expired,
        Ok(Observation::Pending) => {
            state.store.touch_checked(&record.id, at).await?;
            return Ok(SessionRecord {
                last_checked_at: Some(at),
                ..record
            });
        }
        Ok(Observation::Processing) => Event::UserFinished,
        Ok(Observation::Final { result, media }) => {
            // Spent only once the vendor confirmed it is this session's (a token refused as
            // another session's stays usable by its own session).
            if let Some(digest) = &token_digest {
                let own = result.reason != Some(facegate_types::FailureReason::ResultTampered);
                if own
                    && !state
                        .store
                        .spend_evidence(record.provider, digest, &record.id, at)
                        .await?
                {
                    return Err(evidence_spent());
                }
            }
            return Ok(
                apply_with_media(state, record, Event::Confirmed(result), media)
                    .await?
                    .into_record(),
            );
        }
        Ok(Observation::Expired) => Event::Expired,
        Err(error) => {
            tracing::warn!(
                verification_id = %record.id,
                provider = %record.provider,
                error = %error,
                "could not ask the vendor about a session; will retry"
            );
            state.store.touch_checked(&record.id, at).await?;
            return Ok(record);
        }
    };
    Ok(apply(state, record, event).await?.into_record())
}

/// Cancels a pending session; 409 if it is past that.
pub async fn cancel(state: &AppState, record: SessionRecord) -> AppResult<SessionRecord> {
    match apply(state, record, Event::Canceled).await? {
        Applied::Changed(record) => Ok(record),
        Applied::Refused(_, Refusal::AlreadyFinal(status)) => Err(AppError::Conflict(format!(
            "the verification is already {status}"
        ))),
        Applied::Refused(_, Refusal::NotAllowed { from, .. }) => Err(AppError::Conflict(format!(
            "a {from} verification cannot be canceled: the user finished and the result is being confirmed"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use facegate_types::{ConfirmedBy, FailureReason, Scores};
    use VerificationStatus::*;

    fn result(passed: bool) -> VerificationResult {
        VerificationResult {
            passed,
            reason: (!passed).then_some(FailureReason::NotSamePerson),
            scores: Scores::default(),
            vendor_code: None,
            vendor_message: None,
            confirmed_by: ConfirmedBy::VendorQuery,
        }
    }

    #[test]
    fn the_documented_flow_is_allowed() {
        assert_eq!(transition(Pending, &Event::UserFinished), Ok(Processing));
        assert_eq!(
            transition(Processing, &Event::Confirmed(result(true))),
            Ok(Verified)
        );
        assert_eq!(
            transition(Pending, &Event::Confirmed(result(false))),
            Ok(Failed)
        );
        assert_eq!(transition(Pending, &Event::Expired), Ok(Expired));
        assert_eq!(transition(Pending, &Event::Canceled), Ok(Canceled));
    }

    #[test]
    fn final_statuses_never_change() {
        for from in [Verified, Failed, Expired, Canceled] {
            for event in [
                Event::UserFinished,
                Event::Confirmed(result(true)),
                Event::Expired,
                Event::Canceled,
            ] {
                assert_eq!(transition(from, &event), Err(Refusal::AlreadyFinal(from)));
            }
        }
    }

    #[test]
    fn a_finished_user_cannot_be_canceled() {
        assert!(matches!(
            transition(Processing, &Event::Canceled),
            Err(Refusal::NotAllowed {
                from: Processing,
                ..
            })
        ));
    }
}
