//! The one state machine: [`transition`] decides, [`apply`] writes the change (and, for a final
//! status, its webhook event in the same transaction). Every status change goes through here.

use facegate_types::{VerificationResult, VerificationStatus};
use rand::distributions::{Alphanumeric, DistString};

use super::{SessionContext, SessionError};
use crate::providers::VendorMedia;
use crate::store::{Change, OutboxEvent, SessionRecord};
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

fn random_id(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
    )
}

/// Applies `event` to the session, retrying on concurrent updates. A final status writes its
/// webhook event to the outbox in the same transaction.
pub async fn apply(
    context: &SessionContext,
    record: SessionRecord,
    event: Event,
) -> Result<Applied, SessionError> {
    apply_with_media(context, record, event, Vec::new()).await
}

/// [`apply`], keeping the images the vendor's confirming answer carried (sealed, in the same
/// transaction as the final status) when the merchant turned keeping on.
pub(super) async fn apply_with_media(
    context: &SessionContext,
    record: SessionRecord,
    event: Event,
    media: Vec<VendorMedia>,
) -> Result<Applied, SessionError> {
    let mut record = record;
    let media = match &event {
        Event::Confirmed(_) if context.keep_media => {
            crate::media::seal(&context.pii, &record.id, media, context.clock.now())
        }
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
        let at = context.clock.now();
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
        if context.store.apply(&change).await? {
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
        record = context
            .store
            .get(&record.id)
            .await?
            .ok_or(SessionError::NotFound)?;
    }
    Err(SessionError::Internal(anyhow::anyhow!(
        "the session kept changing under concurrent updates"
    )))
}

/// Cancels a pending session; refused once it is past that (`AlreadyFinal`, `NotCancelable`).
pub async fn cancel(
    context: &SessionContext,
    record: SessionRecord,
) -> Result<SessionRecord, SessionError> {
    match apply(context, record, Event::Canceled).await? {
        Applied::Changed(record) => Ok(record),
        Applied::Refused(_, Refusal::AlreadyFinal(status)) => {
            Err(SessionError::AlreadyFinal(status))
        }
        Applied::Refused(_, Refusal::NotAllowed { from, .. }) => {
            Err(SessionError::NotCancelable(from))
        }
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
            risk_signals: Vec::new(),
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
