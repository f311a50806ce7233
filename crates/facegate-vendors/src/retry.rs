//! Bounded retries for vendor calls that are safe to repeat: token fetches and result queries,
//! never a create that may bill twice. Exponential backoff with jitter (backon), on 429 and
//! 5xx/timeouts only ([`VendorError::is_retryable`]); a 429's Retry-After (read once, in
//! [`crate::http::exchange`]) is honoured when it is within [`RetryPolicy::max_retry_after`],
//! and ends the retries when it is longer.

use std::future::Future;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};

use crate::VendorError;

/// How a safe-to-repeat call is retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0: no retry).
    pub max_retries: usize,
    /// The first wait; each next one doubles, with jitter.
    pub min_delay: Duration,
    /// The longest wait between two attempts.
    pub max_delay: Duration,
    /// The longest Retry-After waited for; a vendor asking for more ends the retries.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub const NONE: Self = Self {
        max_retries: 0,
        min_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
        max_retry_after: Duration::ZERO,
    };

    /// Runs `call` until it succeeds, fails with an error that is not retryable, or the
    /// retries run out. `call` must be safe to repeat: a query, a token fetch.
    pub async fn run<T, E, F, Fut>(&self, call: F) -> Result<T, E>
    where
        E: Transient,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if self.max_retries == 0 {
            let mut call = call;
            return call().await;
        }
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries)
            .with_jitter();
        let max_retry_after = self.max_retry_after;
        call.retry(backoff)
            .when(E::is_transient)
            .adjust(move |error, planned| adjust(error, planned, max_retry_after))
            .notify(|error, wait| {
                tracing::info!(error = %error, wait_ms = wait.as_millis() as u64, "vendor call failed; retrying");
            })
            .await
    }
}

/// The wait before the next attempt: the vendor's Retry-After where it gave one (if not longer
/// than `max_retry_after`, else no retry), the planned backoff otherwise.
fn adjust<E: Transient>(
    error: &E,
    planned: Option<Duration>,
    max_retry_after: Duration,
) -> Option<Duration> {
    let planned = planned?;
    match error.retry_after() {
        Some(wait) if wait > max_retry_after => None,
        Some(wait) => Some(wait),
        None => Some(planned),
    }
}

/// An error that says whether repeating the call may succeed, and when.
pub trait Transient: std::fmt::Display {
    /// Whether the same call may succeed later (429, 5xx, a timeout).
    fn is_transient(&self) -> bool;
    /// How long the vendor asked us to wait (a 429's Retry-After).
    fn retry_after(&self) -> Option<Duration>;
}

impl Transient for VendorError {
    fn is_transient(&self) -> bool {
        self.is_retryable()
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    fn policy(max_retries: usize) -> RetryPolicy {
        RetryPolicy {
            max_retries,
            min_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(40),
            max_retry_after: Duration::from_secs(2),
        }
    }

    fn unavailable() -> VendorError {
        VendorError::Unavailable("answered 500".into())
    }

    #[tokio::test]
    async fn transient_failures_are_retried_until_success() {
        let calls = AtomicUsize::new(0);
        let answer = policy(3)
            .run(|| async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 | 1 => Err(unavailable()),
                    _ => Ok("token"),
                }
            })
            .await
            .unwrap();
        assert_eq!(answer, "token");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn retries_are_bounded() {
        let calls = AtomicUsize::new(0);
        let error = policy(2)
            .run(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<(), _>(unavailable())
            })
            .await
            .unwrap_err();
        assert!(matches!(error, VendorError::Unavailable(_)));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            3,
            "one attempt and two retries"
        );
    }

    #[tokio::test]
    async fn answers_that_will_not_change_are_not_retried() {
        for error in [
            VendorError::Unauthorized {
                code: "110".into(),
                message: "bad token".into(),
            },
            VendorError::invalid("216100", "bad", None),
            VendorError::Decode("garbage".into()),
        ] {
            let calls = AtomicUsize::new(0);
            let text = error.to_string();
            let mut error = Some(error);
            let got = policy(5)
                .run(|| {
                    calls.fetch_add(1, Ordering::SeqCst);
                    let error = error.take();
                    async move { Err::<(), _>(error.unwrap_or_else(unavailable)) }
                })
                .await
                .unwrap_err();
            assert_eq!(got.to_string(), text);
            assert_eq!(calls.load(Ordering::SeqCst), 1, "{text}");
        }
    }

    #[tokio::test]
    async fn a_short_retry_after_is_waited_for() {
        let calls = AtomicUsize::new(0);
        let started = Instant::now();
        policy(1)
            .run(|| async {
                if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    Err(VendorError::RateLimited {
                        code: "429".into(),
                        retry_after: Some(Duration::from_secs(1)),
                    })
                } else {
                    Ok(())
                }
            })
            .await
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // The planned backoff is at most 40 ms: only Retry-After explains a wait of a second.
        assert!(started.elapsed() >= Duration::from_secs(1));
    }

    #[tokio::test]
    async fn a_long_retry_after_ends_the_retries() {
        let calls = AtomicUsize::new(0);
        let started = Instant::now();
        let error = policy(3)
            .run(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<(), _>(VendorError::RateLimited {
                    code: "429".into(),
                    retry_after: Some(Duration::from_secs(60)),
                })
            })
            .await
            .unwrap_err();
        assert!(matches!(error, VendorError::RateLimited { .. }));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}
