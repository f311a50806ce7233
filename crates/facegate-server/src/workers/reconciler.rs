//! The reconciler: asks the vendors about sessions nobody else is asking about (a lost notify,
//! a closed tab), and expires the ones whose vendor token ran out. Bounded per round. Replicas
//! split the work: each round claims its sessions in the store (marked checked in the same
//! statement), so no two replicas ask a vendor about one session at once.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::app::AppState;
use crate::session::{self, Freshness, SessionContext};

/// Sessions looked at per round.
const BATCH: u32 = 100;
/// A session past expiry that a replica claimed this recently is left to that replica. Vendor
/// queries answer in well under a second; one stuck longer (up to the client's 10 s timeout)
/// may be asked again by another replica: a second result query, never a billable call.
const RECHECK_AFTER: time::Duration = time::Duration::seconds(5);

/// How long a session may go unchecked before the reconciler asks about it
/// (`reconcile_stale_after_ms`).
pub fn stale_after(settings: &crate::config::Settings) -> time::Duration {
    time::Duration::try_from(settings.polling.reconcile_stale_after).unwrap_or(time::Duration::MAX)
}

pub async fn run(state: AppState, shutdown: CancellationToken) {
    let polling = &state.settings.polling;
    let interval = polling.reconcile_interval.max(Duration::from_millis(100));
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(interval) => {}
        }
        // Housekeeping that shares this loop's pace: rate-limit keys back at full allowance.
        state.limits.forget_idle();
        match round(&state.core, stale_after(&state.settings)).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(sessions = count, "reconciler: round done"),
            Err(error) => tracing::error!(error = %error, "reconciler: round failed"),
        }
    }
}

/// `reconcile-` and 16 random letters and digits: a sane request id (see `telemetry`).
fn check_id() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    format!(
        "reconcile-{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), 16)
    )
}

/// One pass over the sessions due (unchecked for `stale_after`, or past expiry); returns how
/// many were looked at.
pub async fn round(core: &SessionContext, stale_after: time::Duration) -> anyhow::Result<usize> {
    let now = core.clock.now();
    let due = core
        .store
        .claim_for_reconcile(now, now - stale_after, now - RECHECK_AFTER, BATCH)
        .await?;
    let count = due.len();
    for record in due {
        let id = record.id.clone();
        // No request to take an id from: each check gets its own, sent and logged with its
        // vendor calls like a request's.
        let check = session::refresh(core, record, Freshness::Now);
        if let Err(error) = facegate_vendors::http::with_request_id(check_id(), check).await {
            tracing::warn!(verification_id = %id, error = %error, "reconciler: refresh failed");
        }
    }
    Ok(count)
}
