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
use crate::store::ListFilter;

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

/// The per-person daily cap (`subject_daily_cap`, off at 0): 429 with Retry-After when the
/// person already has that many sessions in the last 24 hours. Counted by subject digest.
pub async fn check_subject_cap(state: &AppState, new: &NewSession) -> AppResult<()> {
    let cap = state.settings.limits.subject_daily_cap;
    let Some(subject) = new.subject.as_ref().filter(|_| cap > 0) else {
        return Ok(());
    };
    let now = crate::session::now();
    let digests = state.core.pii.subject_digests(subject.id_number.expose());
    if state
        .core
        .store
        .count_by_subject_digest(&digests, now - DAY)
        .await?
        < i64::from(cap)
    {
        return Ok(());
    }
    // The cap-th newest session leaves the window first.
    let ids = state
        .core
        .store
        .find_by_subject_digest(&digests, cap)
        .await?;
    let oldest = match ids.last() {
        Some(id) => state.core.store.get(id).await?.map(|r| r.created_at),
        None => None,
    };
    let wait = oldest.map_or(DAY, |at| at + DAY - now);
    Err(AppError::RateLimited {
        retry_after_seconds: wait.whole_seconds().clamp(1, 86_400) as u64,
    })
}

/// At most `reference_daily_cap` sessions per merchant reference in 24 hours (0: no cap).
pub async fn check_reference_cap(state: &AppState, reference: &str) -> AppResult<()> {
    let cap = state.settings.limits.reference_daily_cap;
    if cap == 0 {
        return Ok(());
    }
    let since = crate::session::now() - DAY;
    let recent = state
        .core
        .store
        .list(&ListFilter {
            reference: Some(reference.to_owned()),
            status: None,
            after: None,
            limit: cap,
        })
        .await?;
    let within: Vec<_> = recent.iter().filter(|r| r.created_at > since).collect();
    if within.len() < cap as usize {
        return Ok(());
    }
    // The oldest of the last `cap` leaves the window first.
    let oldest = within.iter().map(|r| r.created_at).min().unwrap_or(since);
    let wait = (oldest + DAY - crate::session::now()).max(time::Duration::SECOND);
    Err(refused(Duration::from_secs(
        wait.whole_seconds().max(1) as u64
    )))
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
