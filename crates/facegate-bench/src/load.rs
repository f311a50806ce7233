//! Load generation: a closed loop (N clients, each sending its next request when the last one
//! is answered: the most a server does) and an open loop (requests at a fixed rate, on schedule
//! whatever the server does, latency counted from the scheduled moment so that a stalled server
//! cannot hide its queue: no coordinated omission).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// One request: given its sequence number, answers whether it succeeded.
pub type Request = Arc<dyn Fn(u64) -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

/// What a run measured.
#[derive(Clone, Debug)]
pub struct Stats {
    pub ok: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Microseconds.
    pub latency: Histogram<u64>,
}

impl Stats {
    pub fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    /// The `q` quantile (0..1) in milliseconds.
    pub fn ms(&self, q: f64) -> f64 {
        self.latency.value_at_quantile(q) as f64 / 1000.0
    }

    pub fn max_ms(&self) -> f64 {
        self.latency.max() as f64 / 1000.0
    }
}

fn histogram() -> Histogram<u64> {
    // 1 us .. 60 s, 3 significant digits.
    Histogram::new_with_bounds(1, 60_000_000, 3).unwrap_or_else(|_| unreachable!())
}

fn record(histogram: &mut Histogram<u64>, latency: Duration) {
    let micros = u64::try_from(latency.as_micros())
        .unwrap_or(u64::MAX)
        .clamp(1, 60_000_000);
    let _ = histogram.record(micros);
}

/// `concurrency` clients for `duration`, sequence numbers from `first`.
pub async fn closed_loop(
    request: Request,
    concurrency: usize,
    duration: Duration,
    first: u64,
) -> Stats {
    let next = Arc::new(AtomicU64::new(first));
    let started = Instant::now();
    let deadline = started + duration;
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (request, next) = (request.clone(), next.clone());
        clients.spawn(async move {
            let mut latency = histogram();
            let (mut ok, mut errors) = (0u64, 0u64);
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let sent = Instant::now();
                if request(n).await {
                    ok += 1;
                    record(&mut latency, sent.elapsed());
                } else {
                    errors += 1;
                }
            }
            (ok, errors, latency)
        });
    }
    let mut stats = Stats {
        ok: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latency: histogram(),
    };
    while let Some(Ok((ok, errors, latency))) = clients.join_next().await {
        stats.ok += ok;
        stats.errors += errors;
        let _ = stats.latency.add(latency);
    }
    stats.elapsed = started.elapsed();
    stats
}

/// `rate` requests per second for `duration`, each on its own schedule.
pub async fn open_loop(request: Request, rate: u32, duration: Duration, first: u64) -> Stats {
    let total = (f64::from(rate) * duration.as_secs_f64()).round() as u64;
    let period = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let mut stats = Stats {
        ok: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latency: histogram(),
    };
    let started = tokio::time::Instant::now();
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..total {
        let scheduled = started + period.mul_f64(i as f64);
        tokio::time::sleep_until(scheduled).await;
        let request = request.clone();
        requests.spawn(async move {
            let ok = request(first + i).await;
            (ok, scheduled.elapsed())
        });
        // Reap what finished, so that the set stays small.
        while let Some(done) = requests.try_join_next() {
            if let Ok((ok, latency)) = done {
                tally(&mut stats, ok, latency);
            }
        }
    }
    while let Some(done) = requests.join_next().await {
        if let Ok((ok, latency)) = done {
            tally(&mut stats, ok, latency);
        }
    }
    stats.elapsed = started.elapsed();
    stats
}

fn tally(stats: &mut Stats, ok: bool, latency: Duration) {
    if ok {
        stats.ok += 1;
        record(&mut stats.latency, latency);
    } else {
        stats.errors += 1;
    }
}
