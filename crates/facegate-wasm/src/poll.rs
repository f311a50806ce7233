//! The waiting schedule for a final status: bounded, backing off, never hammering the server.

use crate::error::HelperError;
use crate::miniprogram::Posted;
use crate::read::Strict;

/// How `waitForResult` polls.
#[derive(Clone, Debug)]
pub struct PollOptions {
    /// The first wait, in ms.
    pub interval_ms: u32,
    /// The longest wait between two reads, in ms.
    pub max_interval_ms: u32,
    /// Give up after this long, in ms.
    pub timeout_ms: u32,
}

impl Default for PollOptions {
    fn default() -> Self {
        Self {
            interval_ms: 1_000,
            max_interval_ms: 5_000,
            timeout_ms: 600_000,
        }
    }
}

impl PollOptions {
    /// Reads `waitForResult`'s and `confirmReturn`'s `options` (`intervalMs`, `maxIntervalMs`,
    /// `timeoutMs`: whole numbers of ms) strictly; absent or `null`: the defaults.
    pub fn read<V: Posted>(value: Option<&V>) -> Result<Self, HelperError> {
        let defaults = Self::default();
        let Some(options) = Strict::optional(value, "options")? else {
            return Ok(defaults);
        };
        Ok(Self {
            interval_ms: options
                .integer("intervalMs", u32::MAX)?
                .unwrap_or(defaults.interval_ms),
            max_interval_ms: options
                .integer("maxIntervalMs", u32::MAX)?
                .unwrap_or(defaults.max_interval_ms),
            timeout_ms: options
                .integer("timeoutMs", u32::MAX)?
                .unwrap_or(defaults.timeout_ms),
        })
    }

    /// The waits before each further read: growing by half each time up to the maximum, and
    /// ending when their sum would pass the timeout (the last one is cut to fit).
    pub fn delays(&self) -> impl Iterator<Item = u32> {
        let max = self.max_interval_ms.max(1);
        let mut next = self.interval_ms.clamp(1, max);
        let mut left = self.timeout_ms;
        std::iter::from_fn(move || {
            if left == 0 {
                return None;
            }
            let delay = next.min(left);
            left -= delay;
            next = next.saturating_add(next / 2).min(max);
            Some(delay)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_to_the_cap_and_stop_at_the_timeout() {
        let options = PollOptions {
            interval_ms: 1_000,
            max_interval_ms: 3_000,
            timeout_ms: 10_000,
        };
        let delays: Vec<u32> = options.delays().collect();
        assert_eq!(delays, [1_000, 1_500, 2_250, 3_000, 2_250]);
        assert_eq!(delays.iter().sum::<u32>(), 10_000);
    }

    #[test]
    fn degenerate_options_still_terminate() {
        let zero = PollOptions {
            interval_ms: 0,
            max_interval_ms: 0,
            timeout_ms: 5,
        };
        assert_eq!(zero.delays().collect::<Vec<_>>(), [1, 1, 1, 1, 1]);
        let none = PollOptions {
            timeout_ms: 0,
            ..PollOptions::default()
        };
        assert_eq!(none.delays().count(), 0);
        assert!(PollOptions::default().delays().count() < 200);
    }
}
