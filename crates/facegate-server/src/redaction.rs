//! Redaction, Stripe-style: a final session's personal data is dropped for good. The subject's
//! ciphertexts become empty, its masked forms read `[redacted]`, its digest is removed, kept
//! media are deleted, the stored webhook payloads lose the subject, `redacted_at` is set and a
//! `verification.redacted` event is written, all in one transaction. The merchant asks for it
//! (`POST /v1/verifications/{id}/redact`) or the retention job does it after `retention_days`.

use facegate_types::VerificationStatus;
use rand::distributions::{Alphanumeric, DistString};
use time::OffsetDateTime;

use crate::providers::Providers;
use crate::store::{OutboxEvent, Redaction, SessionRecord, Store, StoreError};
use crate::view;

/// What the masked name and ID number read once redacted.
pub const MARKER: &str = "[redacted]";

/// What became of a redaction request.
#[derive(Debug)]
pub enum Outcome {
    /// Redacted now (or earlier: redaction is idempotent); the session as it is now.
    Redacted(Box<SessionRecord>),
    /// Only final sessions are redacted.
    NotFinal(VerificationStatus),
    NotFound,
}

/// The session as it reads once redacted.
fn redacted(record: &SessionRecord, at: OffsetDateTime) -> SessionRecord {
    let mut next = record.clone();
    if let Some(subject) = next.subject.as_mut() {
        subject.name = Vec::new();
        subject.id_number = Vec::new();
        subject.name_masked = MARKER.to_owned();
        subject.id_number_masked = MARKER.to_owned();
    }
    next.vendor_state = None;
    next.redacted_at = Some(at);
    next.updated_at = at;
    next.version += 1;
    next
}

/// A stored webhook payload (a session view) without the subject.
fn scrub(payload: &str, at: OffsetDateTime) -> String {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(payload) else {
        // Not ours to read: keep nothing of it.
        return "{}".to_owned();
    };
    if let Some(subject) = value.get_mut("subject").filter(|s| !s.is_null()) {
        *subject = serde_json::json!({"name": MARKER, "id_number": MARKER});
    }
    value["redacted_at"] = serde_json::Value::from(view::rfc3339(at));
    value.to_string()
}

/// Redacts one session if it is final. Retries once if the session changed meanwhile.
pub async fn redact(
    store: &dyn Store,
    id: &str,
    at: OffsetDateTime,
) -> Result<Outcome, StoreError> {
    for _ in 0..3 {
        let Some(record) = store.get(id).await? else {
            return Ok(Outcome::NotFound);
        };
        if record.redacted_at.is_some() {
            return Ok(Outcome::Redacted(Box::new(record)));
        }
        if !record.status.is_final() {
            return Ok(Outcome::NotFinal(record.status));
        }
        let next = redacted(&record, at);
        let rewritten_events = store
            .events_for(id)
            .await?
            .into_iter()
            .map(|event| (event.id, scrub(&event.payload, at)))
            .collect();
        let event = OutboxEvent {
            id: format!(
                "evt_{}",
                Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
            ),
            verification_id: record.id.clone(),
            kind: "verification.redacted".into(),
            created_at: at,
            payload: serde_json::to_string(&view::verification(&next, None)).unwrap_or_default(),
        };
        let redaction = Redaction {
            verification_id: record.id.clone(),
            at,
            marker: MARKER.into(),
            rewritten_events,
            event,
        };
        if store.redact(&redaction).await? {
            tracing::info!(verification_id = %record.id, "verification redacted");
            return Ok(Outcome::Redacted(Box::new(next)));
        }
    }
    Err(StoreError::Corrupt(
        "the session kept changing while it was redacted".into(),
    ))
}

/// Asks the session's vendor to delete its own copy, where the vendor documents a deletion
/// call (`ProviderAdapter::forget`). Best effort, after facegate's own redaction: a failure is
/// logged (the vendor's retention then applies), never undone.
pub async fn forget_at_vendor(providers: &Providers, record: &SessionRecord) {
    let Some(adapter) = providers.get(record.provider) else {
        return;
    };
    match adapter.forget(record).await {
        Ok(true) => {
            tracing::info!(verification_id = %record.id, provider = %record.provider, "vendor copy deleted")
        }
        Ok(false) => {}
        Err(error) => tracing::warn!(
            verification_id = %record.id,
            provider = %record.provider,
            error = %error,
            "the vendor's copy could not be deleted"
        ),
    }
}
