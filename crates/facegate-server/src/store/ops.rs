//! What `/metrics` reads from the store: sessions by provider and status, the webhook backlog
//! and how far behind the reconciler is. Each is one aggregate query, cheap at scrape time.

use facegate_types::{Provider, VerificationStatus};
use time::OffsetDateTime;

/// One snapshot of the operational counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OpsCounts {
    /// Sessions per (provider, status); pairs with no session are absent.
    pub sessions: Vec<(Provider, VerificationStatus, i64)>,
    /// Webhook events neither delivered nor given up.
    pub webhook_backlog: i64,
    /// Webhook events given up after the last attempt.
    pub webhook_given_up: i64,
    /// The earliest moment an open (pending or processing) session became, or becomes, due
    /// for the reconciler: its expiry, or its last check (or creation) plus the stale age.
    pub oldest_due_at: Option<OffsetDateTime>,
}

/// Parses a (provider, status, count) row; rows naming an unknown provider or status are
/// skipped (a newer replica may know more of them).
pub(crate) fn session_count(
    provider: &str,
    status: &str,
    count: i64,
) -> Option<(Provider, VerificationStatus, i64)> {
    Some((provider.parse().ok()?, status.parse().ok()?, count))
}
