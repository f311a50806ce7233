//! The session core: the one state machine ([`transition`], [`apply`]) and the operations that
//! drive it ([`create`], [`observe`] / [`refresh`], [`cancel`]), over a narrow
//! [`SessionContext`]. It knows nothing of HTTP: it fails with [`SessionError`], which
//! `error.rs` maps to the API's answers once. Handlers, callbacks and workers all come here.

use time::OffsetDateTime;

mod context;
mod create;
mod error;
mod machine;
mod observe;
#[cfg(test)]
mod tests;

pub use context::{Clock, SessionContext, Urls};
pub use create::{create, NewSession};
pub use error::SessionError;
pub use machine::{apply, cancel, transition, Applied, Event, Refusal};
pub use observe::{observe, open_subject, refresh, Freshness};

/// Now, to the millisecond: the precision the store keeps, so a session reads back as created.
pub(crate) fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(now)
}
