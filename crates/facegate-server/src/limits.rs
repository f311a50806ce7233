//! Limits on session creation, since each one can cost money at the vendor: per API key and
//! per client IP (in memory, per replica: GCRA from `governor`), and per merchant reference
//! and per person per day (from the database, so they hold across replicas).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::session::NewSession;
use crate::store::{CapReached, Caps};

const DAY: time::Duration = time::Duration::days(1);

pub struct CreationLimits {
    per_key: Option<DefaultKeyedRateLimiter<String>>,
    per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Built once: a governor clock reads the CPU's features when made (3% of a creation's
    /// time when made per request, in the bench's profile).
    clock: DefaultClock,
}

fn limiter<K: std::hash::Hash + Eq + Clone>(per_minute: u32) -> Option<DefaultKeyedRateLimiter<K>> {
    NonZeroU32::new(per_minute).map(|rate| RateLimiter::keyed(Quota::per_minute(rate)))
}

fn refused(wait: Duration) -> AppError {
    AppError::RateLimited {
        retry_after_seconds: wait.as_secs().max(1),
    }
}

impl CreationLimits {
    /// Rates per minute; 0 turns a limit off.
    pub fn new(per_key_per_minute: u32, per_ip_per_minute: u32) -> Self {
        Self {
            per_key: limiter(per_key_per_minute),
            per_ip: limiter(per_ip_per_minute),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one creation attempt for this key and address; 429 with Retry-After when over.
    pub fn check(&self, key_id: &str, ip: IpAddr) -> AppResult<()> {
        let wait =
            |not_until: governor::NotUntil<_>| refused(not_until.wait_time_from(self.clock.now()));
        if let Some(limiter) = &self.per_ip {
            limiter.check_key(&ip).map_err(wait)?;
        }
        if let Some(limiter) = &self.per_key {
            limiter.check_key(&key_id.to_owned()).map_err(wait)?;
        }
        Ok(())
    }

    /// Forgets keys and addresses that are back to a full allowance (bounds the memory).
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.per_key {
            limiter.retain_recent();
        }
        if let Some(limiter) = &self.per_ip {
            limiter.retain_recent();
        }
    }
}

/// The daily caps a new session must fit under: at most `reference_daily_cap` sessions per
/// merchant reference and `subject_daily_cap` per person (by subject digest, under every digest
/// key) in the last 24 hours; 0 turns a cap off. `None` when no cap applies to this session.
/// The store counts and inserts in one transaction holding the caps' keys
/// ([`crate::store::SessionStore::insert_capped`]), so they hold under concurrent creations on
/// every replica.
pub fn caps(state: &AppState, new: &NewSession) -> Option<Caps> {
    let limits = &state.settings.limits;
    let reference = (limits.reference_daily_cap > 0 && new.reference.is_some())
        .then_some(limits.reference_daily_cap);
    let subject = new
        .subject
        .as_ref()
        .filter(|_| limits.subject_daily_cap > 0)
        .map(|subject| {
            (
                state.core.pii.subject_digests(subject.id_number.expose()),
                limits.subject_daily_cap,
            )
        });
    (reference.is_some() || subject.is_some()).then(|| Caps {
        since: crate::session::now() - DAY,
        reference,
        subject,
    })
}

/// A cap reached: 429 with Retry-After, the seconds until the counted session that leaves the
/// window first does (at least 1, at most a day).
pub fn cap_refusal(reached: &CapReached) -> AppError {
    let (CapReached::Reference { oldest } | CapReached::Subject { oldest }) = reached;
    let wait = *oldest + DAY - crate::session::now();
    AppError::RateLimited {
        retry_after_seconds: wait.whole_seconds().clamp(1, 86_400) as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_per_key_and_per_address() {
        let limits = CreationLimits::new(2, 3);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(limits.check("key_a", a).is_ok());
        assert!(limits.check("key_a", a).is_ok());
        let Err(AppError::RateLimited {
            retry_after_seconds,
        }) = limits.check("key_a", b)
        else {
            panic!("the third creation of key_a is refused");
        };
        assert!((1..=60).contains(&retry_after_seconds));
        assert!(limits.check("key_b", a).is_ok());
        assert!(
            limits.check("key_c", a).is_err(),
            "address a is over 3 a minute"
        );
        assert!(CreationLimits::new(0, 0).check("key", a).is_ok());
    }
}
