//! The retention job: deletes kept vendor media older than `media_retention_days` (all of it
//! when keeping is off) and redacts final sessions older than `retention_days`. Bounded per
//! round; [`sweep`] takes the clock so tests can run it at any date.

use std::time::Duration;

use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use crate::app::AppState;
use crate::redaction;
use crate::store::{Store, StoreError};

/// Sessions redacted per round at most.
const BATCH: u32 = 500;

/// The retention settings.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// 0: no media are kept (any found are deleted).
    pub media_retention_days: u32,
    /// 0: the job redacts nothing.
    pub retention_days: u32,
}

impl Policy {
    pub fn from_settings(settings: &crate::Settings) -> Self {
        Self {
            media_retention_days: settings.retention.media_retention_days,
            retention_days: settings.retention.retention_days,
        }
    }
}

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub media_deleted: u64,
    pub redacted: usize,
}

pub async fn run(state: AppState, shutdown: CancellationToken) {
    let retention = &state.settings.retention;
    let interval = retention.interval.max(Duration::from_millis(100));
    let policy = Policy::from_settings(&state.settings);
    loop {
        let swept = sweep_with_vendors(
            state.core.store.as_ref(),
            Some(&state.core.providers),
            policy,
            crate::session::now(),
        );
        match swept.await {
            Ok(swept) if swept == Swept::default() => {}
            Ok(swept) => tracing::info!(
                media_deleted = swept.media_deleted,
                redacted = swept.redacted,
                "retention: round done"
            ),
            Err(error) => tracing::error!(error = %error, "retention: round failed"),
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

/// One round at `now`.
pub async fn sweep(
    store: &dyn Store,
    policy: Policy,
    now: OffsetDateTime,
) -> Result<Swept, StoreError> {
    sweep_with_vendors(store, None, policy, now).await
}

/// [`sweep`], also asking each redacted session's vendor to delete its copy where it can
/// (`redaction::forget_at_vendor`).
pub async fn sweep_with_vendors(
    store: &dyn Store,
    providers: Option<&crate::providers::Providers>,
    policy: Policy,
    now: OffsetDateTime,
) -> Result<Swept, StoreError> {
    let media_cutoff = now - time::Duration::days(policy.media_retention_days.into());
    let media_deleted = store.delete_media_before(media_cutoff).await?;
    let mut redacted = 0;
    if policy.retention_days > 0 {
        let before = now - time::Duration::days(policy.retention_days.into());
        for id in store.due_for_redaction(before, BATCH).await? {
            if let redaction::Outcome::Redacted(record) = redaction::redact(store, &id, now).await?
            {
                redacted += 1;
                if let Some(providers) = providers {
                    redaction::forget_at_vendor(providers, &record).await;
                }
            }
        }
    }
    Ok(Swept {
        media_deleted,
        redacted,
    })
}
