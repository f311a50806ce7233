//! Resilience around every provider: bounded retries of the vendor queries (never of a
//! create, which may bill twice), and a circuit breaker per vendor.
//!
//! The breaker opens after `vendor_breaker_failures` consecutive failures (5xx, timeouts,
//! 429s, answers that cannot be read); while open, creates answer 503 `vendor_circuit_open`
//! with Retry-After and queries fail at once, so the reconciler stops calling a vendor that is
//! down (the sessions it skips are looked at again on its next pass). After
//! `vendor_breaker_open_ms` one probe call goes through (half-open): success closes the
//! breaker, failure opens it again. Vendor answers that say "no" (bad credentials, invalid
//! request, a conflict) are answers, not failures. The settings are
//! [`ResilienceSettings`](crate::config::ResilienceSettings).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use facegate_types::Provider;
use facegate_vendors::retry::{RetryPolicy, Transient};
use facegate_vendors::VendorError;

use super::{
    Callback, CallbackOutcome, CallbackRejected, DynAdapter, Evidence, Observation, Prepared,
    PreparedStart, ProviderError, Providers, StartRequest, Started,
};
use crate::config::ResilienceSettings;
use crate::domain::Subject;
use crate::store::SessionRecord;

/// Wraps every registered provider in [`Resilient`].
pub fn wrap_all(providers: &mut Providers, settings: &ResilienceSettings) {
    for adapter in providers.adapters.values_mut() {
        *adapter = Arc::new(Resilient::new(adapter.clone(), settings));
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { probing: bool },
}

/// A circuit breaker for one vendor.
#[derive(Debug)]
pub struct CircuitBreaker {
    threshold: u32,
    open_for: Duration,
    state: Mutex<State>,
    /// The `provider` label of the [`CIRCUIT_OPEN`] gauge; none: not published.
    label: Option<&'static str>,
}

/// Gauge, label `provider`: 1 while the vendor's breaker is open or probing, else 0.
pub const CIRCUIT_OPEN: &str = "facegate_vendor_circuit_open";

/// A refusal: the breaker is open; try again after the duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Open(pub Duration);

impl CircuitBreaker {
    /// Opens after `threshold` consecutive failures (0: never), for `open_for`.
    pub fn new(threshold: u32, open_for: Duration) -> Self {
        Self {
            threshold,
            open_for,
            state: Mutex::new(State::Closed { failures: 0 }),
            label: None,
        }
    }

    /// Publishes the state as the [`CIRCUIT_OPEN`] gauge with `provider` as its label, from
    /// now on (0 at once, so the series exists before the first opening).
    pub fn published_as(mut self, provider: &'static str) -> Self {
        self.label = Some(provider);
        self.publish(*self.lock());
        self
    }

    fn publish(&self, state: State) {
        if let Some(provider) = self.label {
            let open = !matches!(state, State::Closed { .. });
            metrics::gauge!(CIRCUIT_OPEN, "provider" => provider).set(f64::from(u8::from(open)));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `closed`, `open` or `half_open`.
    pub fn state(&self) -> &'static str {
        match *self.lock() {
            State::Closed { .. } => "closed",
            State::Open { .. } => "open",
            State::HalfOpen { .. } => "half_open",
        }
    }

    /// Whether a call may go to the vendor now. When it may, report its outcome on the permit.
    pub fn admit(&self) -> Result<Permit<'_>, Open> {
        let mut state = self.lock();
        match *state {
            State::Closed { .. } => Ok(Permit::new(self, false)),
            State::Open { until } => {
                let now = Instant::now();
                if now < until {
                    return Err(Open(until - now));
                }
                *state = State::HalfOpen { probing: true };
                Ok(Permit::new(self, true))
            }
            State::HalfOpen { probing: true } => Err(Open(Duration::from_secs(1))),
            State::HalfOpen { probing: false } => {
                *state = State::HalfOpen { probing: true };
                Ok(Permit::new(self, true))
            }
        }
    }

    fn record(&self, succeeded: bool) {
        let mut state = self.lock();
        let was_closed = matches!(*state, State::Closed { .. });
        *state = match (*state, succeeded) {
            (_, true) => State::Closed { failures: 0 },
            (State::Closed { failures }, false) => {
                let failures = failures.saturating_add(1);
                if self.threshold > 0 && failures >= self.threshold {
                    tracing::warn!(
                        failures,
                        open_ms = self.open_for.as_millis() as u64,
                        "vendor circuit breaker opened"
                    );
                    State::Open {
                        until: Instant::now() + self.open_for,
                    }
                } else {
                    State::Closed { failures }
                }
            }
            (State::HalfOpen { .. }, false) => {
                tracing::warn!("vendor circuit breaker probe failed; open again");
                State::Open {
                    until: Instant::now() + self.open_for,
                }
            }
            (open @ State::Open { .. }, false) => open,
        };
        // The gauge moves with the breaker, not with every call.
        if was_closed != matches!(*state, State::Closed { .. }) {
            self.publish(*state);
        }
    }
}

/// One admitted call. Dropped without an outcome (the request was abandoned), it frees the
/// half-open probe slot without judging the vendor.
#[derive(Debug)]
pub struct Permit<'a> {
    breaker: &'a CircuitBreaker,
    probe: bool,
    judged: bool,
}

impl<'a> Permit<'a> {
    fn new(breaker: &'a CircuitBreaker, probe: bool) -> Self {
        Self {
            breaker,
            probe,
            judged: false,
        }
    }

    /// Records whether the vendor answered (a "no" is an answer) or failed.
    pub fn record(mut self, succeeded: bool) {
        self.judged = true;
        self.breaker.record(succeeded);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if self.probe && !self.judged {
            let mut state = self.breaker.lock();
            if *state == (State::HalfOpen { probing: true }) {
                *state = State::HalfOpen { probing: false };
            }
        }
    }
}

/// Whether an error means the vendor is unwell (as opposed to an answer we did not like).
fn is_vendor_failure(error: &ProviderError) -> bool {
    matches!(
        error,
        ProviderError::Vendor(
            VendorError::Unavailable(_) | VendorError::RateLimited { .. } | VendorError::Decode(_)
        )
    )
}

impl Transient for ProviderError {
    fn is_transient(&self) -> bool {
        matches!(self, Self::Vendor(error) if error.is_retryable())
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Vendor(error) => error.retry_after(),
            _ => None,
        }
    }
}

/// A provider behind retries and a circuit breaker.
pub struct Resilient {
    inner: Arc<dyn DynAdapter>,
    breaker: CircuitBreaker,
    retry: RetryPolicy,
}

impl Resilient {
    pub fn new(inner: Arc<dyn DynAdapter>, settings: &ResilienceSettings) -> Self {
        let provider = inner.provider().as_str();
        Self {
            inner,
            breaker: CircuitBreaker::new(settings.breaker_failures, settings.breaker_open)
                .published_as(provider),
            retry: settings.retry_policy(),
        }
    }

    fn admit(&self) -> Result<Permit<'_>, ProviderError> {
        self.breaker
            .admit()
            .map_err(|Open(retry_after)| ProviderError::CircuitOpen {
                provider: self.inner.provider(),
                retry_after,
            })
    }

    fn judge<T>(permit: Permit<'_>, result: &Result<T, ProviderError>) {
        permit.record(!matches!(result, Err(error) if is_vendor_failure(error)));
    }
}

/// A start behind the breaker.
struct ResilientStart<'a> {
    resilient: &'a Resilient,
    inner: Prepared<'a>,
}

#[async_trait]
impl PreparedStart for ResilientStart<'_> {
    /// One attempt only: a create may bill, and a timed-out one may have reached the vendor.
    async fn start(self: Box<Self>) -> Result<Started, ProviderError> {
        let permit = self.resilient.admit()?;
        let result = self.inner.start().await;
        Resilient::judge(permit, &result);
        result
    }
}

#[async_trait]
impl DynAdapter for Resilient {
    fn provider(&self) -> Provider {
        self.inner.provider()
    }

    /// Preparing calls no vendor: the breaker is asked when the start is made.
    fn prepare<'a>(&'a self, request: &StartRequest<'_>) -> Result<Prepared<'a>, ProviderError> {
        let inner = self.inner.prepare(request)?;
        Ok(Box::new(ResilientStart {
            resilient: self,
            inner,
        }))
    }

    /// A query: retried while the vendor fails transiently and the breaker lets calls through.
    async fn observe(
        &self,
        session: &SessionRecord,
        subject: Option<&Subject>,
        evidence: Option<&Evidence>,
    ) -> Result<Observation, ProviderError> {
        self.retry
            .run(|| async {
                let permit = self.admit()?;
                let result = self.inner.observe(session, subject, evidence).await;
                Self::judge(permit, &result);
                result
            })
            .await
    }

    // Every method of the trait is delegated: a default here would silently hide the inner
    // provider's own (a wrapper that forgot one once lost its provider's behaviour).
    async fn callback(&self, callback: Callback<'_>) -> Result<CallbackOutcome, CallbackRejected> {
        self.inner.callback(callback).await
    }

    fn accepts_client_evidence(&self) -> bool {
        self.inner.accepts_client_evidence()
    }

    async fn forget(&self, session: &SessionRecord) -> Result<bool, ProviderError> {
        self.inner.forget(session).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN_FOR: Duration = Duration::from_millis(50);

    #[test]
    fn opens_after_consecutive_failures_only() {
        let breaker = CircuitBreaker::new(3, OPEN_FOR);
        breaker.admit().unwrap().record(false);
        breaker.admit().unwrap().record(false);
        // A success in between resets the count.
        breaker.admit().unwrap().record(true);
        breaker.admit().unwrap().record(false);
        breaker.admit().unwrap().record(false);
        assert_eq!(breaker.state(), "closed");
        breaker.admit().unwrap().record(false);
        assert_eq!(breaker.state(), "open");
        let Err(Open(wait)) = breaker.admit() else {
            panic!("an open breaker admitted a call");
        };
        assert!(wait <= OPEN_FOR);
    }

    #[test]
    fn half_open_lets_one_probe_through_and_closes_on_success() {
        let breaker = CircuitBreaker::new(1, OPEN_FOR);
        breaker.admit().unwrap().record(false);
        assert!(breaker.admit().is_err());
        std::thread::sleep(OPEN_FOR + Duration::from_millis(10));
        let probe = breaker.admit().expect("the probe");
        assert_eq!(breaker.state(), "half_open");
        assert!(breaker.admit().is_err(), "only one probe at a time");
        probe.record(true);
        assert_eq!(breaker.state(), "closed");
        assert!(breaker.admit().is_ok());
    }

    #[test]
    fn a_failed_probe_opens_it_again() {
        let breaker = CircuitBreaker::new(1, OPEN_FOR);
        breaker.admit().unwrap().record(false);
        std::thread::sleep(OPEN_FOR + Duration::from_millis(10));
        breaker.admit().unwrap().record(false);
        assert_eq!(breaker.state(), "open");
        assert!(breaker.admit().is_err());
    }

    #[test]
    fn an_abandoned_probe_frees_the_slot() {
        let breaker = CircuitBreaker::new(1, OPEN_FOR);
        breaker.admit().unwrap().record(false);
        std::thread::sleep(OPEN_FOR + Duration::from_millis(10));
        drop(breaker.admit().unwrap());
        assert!(breaker.admit().is_ok());
    }

    #[test]
    fn the_gauge_follows_the_breaker() {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let scrape = recorder.handle();
        let open = || {
            let text = scrape.render();
            let line = text
                .lines()
                .find(|line| {
                    line.starts_with("facegate_vendor_circuit_open{provider=\"oemcloud\"}")
                })
                .unwrap_or_else(|| panic!("no gauge in {text}"))
                .to_owned();
            line.rsplit(' ').next().unwrap().to_owned()
        };
        metrics::with_local_recorder(&recorder, || {
            let breaker = CircuitBreaker::new(1, OPEN_FOR).published_as("oemcloud");
            assert_eq!(open(), "0");
            breaker.admit().unwrap().record(false);
            assert_eq!(open(), "1");
            std::thread::sleep(OPEN_FOR + Duration::from_millis(10));
            let probe = breaker.admit().unwrap();
            assert_eq!(open(), "1", "probing is not closed yet");
            probe.record(true);
            assert_eq!(open(), "0");
        });
    }

    #[test]
    fn a_zero_threshold_never_opens() {
        let breaker = CircuitBreaker::new(0, OPEN_FOR);
        for _ in 0..100 {
            breaker.admit().unwrap().record(false);
        }
        assert_eq!(breaker.state(), "closed");
    }

    #[test]
    fn vendor_refusals_are_answers_not_failures() {
        let refusal = ProviderError::Vendor(VendorError::Unauthorized {
            code: "110".into(),
            message: "no".into(),
        });
        assert!(!is_vendor_failure(&refusal));
        assert!(!refusal.is_transient());
        let outage = ProviderError::Vendor(VendorError::Unavailable("500".into()));
        assert!(is_vendor_failure(&outage));
        assert!(outage.is_transient());
        let garbage = ProviderError::Vendor(VendorError::Decode("x".into()));
        assert!(is_vendor_failure(&garbage));
        assert!(
            !garbage.is_transient(),
            "an unreadable answer is not retried"
        );
    }
}
