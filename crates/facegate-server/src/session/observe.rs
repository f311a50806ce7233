//! Bringing a session up to date with its vendor: reads, the return, notifies, the front end's
//! hand-over and the reconciler all ask through [`observe`]. Evidence a vendor issued for one
//! check is spent on one session only.

use super::machine::{apply, apply_with_media, Event};
use super::{SessionContext, SessionError};
use crate::domain::{IdNumber, PersonName, Subject};
use crate::providers::{Evidence, Observation};
use crate::store::SessionRecord;

/// How eager a refresh is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    /// Ask the vendor now (the return page, a notify, the reconciler).
    Now,
    /// Ask only if the last check is older than the refresh interval (reads, polling).
    Recent,
}

/// The decrypted subject of a stored session, for the vendor calls that need it; `None` when
/// it has none or it was redacted.
pub fn open_subject(
    context: &SessionContext,
    record: &SessionRecord,
) -> Result<Option<Subject>, SessionError> {
    let Some(sealed) = record
        .subject
        .as_ref()
        .filter(|_| record.redacted_at.is_none())
    else {
        return Ok(None);
    };
    let name = context.pii.decrypt(&sealed.name, &record.id)?;
    let id_number = context.pii.decrypt(&sealed.id_number, &record.id)?;
    let parse_error =
        |_| SessionError::Internal(anyhow::anyhow!("a stored subject no longer parses"));
    Ok(Some(Subject {
        name: PersonName::parse(&name).map_err(parse_error)?,
        id_number: IdNumber::parse(&id_number).map_err(parse_error)?,
    }))
}

/// Brings a non-final session up to date with its vendor. A vendor failure leaves the
/// session as it was (and is logged); the reconciler tries again later.
pub async fn refresh(
    context: &SessionContext,
    record: SessionRecord,
    freshness: Freshness,
) -> Result<SessionRecord, SessionError> {
    observe(context, record, freshness, None).await
}

/// Like [`refresh`], with evidence a callback or the front end handed over. A vendor token
/// that another session spent is refused (`EvidenceSpent`) before the vendor is asked; one the
/// vendor confirms as this session's is spent on it, so a verify_result decides at most one
/// session.
pub async fn observe(
    context: &SessionContext,
    record: SessionRecord,
    freshness: Freshness,
    evidence: Option<&Evidence>,
) -> Result<SessionRecord, SessionError> {
    if record.status.is_final() {
        return Ok(record);
    }
    let store = &context.store;
    // A vendor token decides at most one session: one another session spent is refused
    // before the vendor is asked (and the session stays as it is).
    let token_digest = match evidence {
        Some(Evidence::VendorToken(token)) => Some(crate::domain::secret_hash(token)),
        _ => None,
    };
    if let Some(digest) = &token_digest {
        let owner = store.evidence_owner(record.provider, digest).await?;
        if owner.is_some_and(|owner| owner != record.id) {
            return Err(SessionError::EvidenceSpent);
        }
    }
    let at = context.clock.now();
    let past_expiry = at >= record.expires_at;
    if freshness == Freshness::Recent
        && !past_expiry
        && record
            .last_checked_at
            .is_some_and(|checked| at - checked < context.refresh_interval)
    {
        return Ok(record);
    }
    if record.vendor_ref.is_none() {
        // The vendor never accepted it (a crash mid-create): it can only run out.
        return if past_expiry {
            Ok(apply(context, record, Event::Expired).await?.into_record())
        } else {
            Ok(record)
        };
    }
    let Some(adapter) = context.providers.get(record.provider).cloned() else {
        return Ok(record);
    };
    let subject = open_subject(context, &record)?;
    let observation = adapter.observe(&record, subject.as_ref(), evidence).await;
    let event = match observation {
        Ok(Observation::Pending) if past_expiry => Event::Expired,
        Ok(Observation::Pending) => {
            store.touch_checked(&record.id, at).await?;
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
                    && !store
                        .spend_evidence(record.provider, digest, &record.id, at)
                        .await?
                {
                    return Err(SessionError::EvidenceSpent);
                }
            }
            return Ok(
                apply_with_media(context, record, Event::Confirmed(result), media)
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
            store.touch_checked(&record.id, at).await?;
            return Ok(record);
        }
    };
    Ok(apply(context, record, event).await?.into_record())
}
