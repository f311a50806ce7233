//! Alert rules, evaluated per provider every `alert_interval_ms`:
//! - `failure_rate`: failed / (verified + failed) of the sessions completed within the window is
//!   above the threshold, with at least the minimum count decided;
//! - `liveness_attacks`: at least N `liveness_failed` results (the normalised reason for a
//!   presentation attack) completed within the window.
//!
//! An alert fires once per episode and resolves when its rule no longer holds: each transition
//! is one conditional write in the shared store, so with several replicas one of them wins it,
//! and one notification is queued. Notifications are POSTed to the alert webhook, signed like
//! the merchant webhooks when a secret is set, and retried with backoff until delivered.

use std::time::Duration;

use facegate_types::{FailureReason, Provider, VerificationStatus};
use secrecy::ExposeSecret;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::app::AppState;
use crate::config::AlertSettings;
use crate::session;
use crate::store::{AlertReading, AlertRecord, OutcomeCount};
use crate::view::rfc3339;
use crate::workers::webhooks;

pub const FAILURE_RATE: &str = "failure_rate";
pub const LIVENESS_ATTACKS: &str = "liveness_attacks";
/// How long a claimed notification is ours before another replica may send it.
const LEASE: time::Duration = time::Duration::seconds(60);
const BATCH: u32 = 16;

pub async fn run(state: AppState, shutdown: CancellationToken) {
    let rules = &state.settings.alerts;
    if rules.failure_rate_min_count == 0 && rules.liveness_failures == 0 {
        return;
    }
    let Some(client) = super::outbound_client("alerts") else {
        return;
    };
    let interval = rules.interval.max(Duration::from_millis(100));
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(interval) => {}
        }
        if let Err(error) = evaluate(&state).await {
            tracing::error!(error = %error, "alerts: evaluation failed");
        }
        if let Err(error) = notify(&state, &client).await {
            tracing::error!(error = %error, "alerts: notification failed");
        }
    }
}

/// What each rule measures for each provider, and whether it breaches.
pub fn readings(
    rules: &AlertSettings,
    failure_window: &[OutcomeCount],
    liveness_window: &[OutcomeCount],
) -> Vec<(AlertReading, bool)> {
    let mut readings = Vec::new();
    for &provider in Provider::ALL {
        let sum = |counts: &[OutcomeCount], keep: &dyn Fn(&OutcomeCount) -> bool| -> i64 {
            counts
                .iter()
                .filter(|count| count.provider == provider && keep(count))
                .map(|count| count.count)
                .sum()
        };
        if rules.failure_rate_min_count > 0 {
            let verified = sum(failure_window, &|c| {
                c.status == VerificationStatus::Verified
            });
            let failed = sum(failure_window, &|c| c.status == VerificationStatus::Failed);
            let decided = verified + failed;
            let rate = if decided > 0 {
                failed as f64 / decided as f64
            } else {
                0.0
            };
            let breach = decided >= i64::from(rules.failure_rate_min_count)
                && rate > rules.failure_rate_threshold;
            readings.push((
                reading(
                    FAILURE_RATE,
                    provider,
                    rate,
                    rules.failure_rate_threshold,
                    decided,
                ),
                breach,
            ));
        }
        if rules.liveness_failures > 0 {
            let attacks = sum(liveness_window, &|c| {
                c.status == VerificationStatus::Failed
                    && c.reason.as_deref() == Some(FailureReason::LivenessFailed.as_str())
            });
            let threshold = i64::from(rules.liveness_failures);
            readings.push((
                reading(
                    LIVENESS_ATTACKS,
                    provider,
                    attacks as f64,
                    threshold as f64,
                    attacks,
                ),
                attacks >= threshold,
            ));
        }
    }
    readings
}

fn reading(
    rule: &str,
    provider: Provider,
    value: f64,
    threshold: f64,
    sample: i64,
) -> AlertReading {
    AlertReading {
        key: format!("{rule}.{provider}"),
        rule: rule.to_owned(),
        provider,
        value,
        threshold,
        sample,
    }
}

/// One evaluation of every rule; fires and resolves what changed.
pub async fn evaluate(state: &AppState) -> anyhow::Result<()> {
    let rules = &state.settings.alerts;
    let now = session::now();
    let window = |length: Duration| now - length;
    let failure_window = if rules.failure_rate_min_count > 0 {
        state
            .core
            .store
            .outcome_counts(window(rules.failure_rate_window))
            .await?
    } else {
        Vec::new()
    };
    let liveness_window = if rules.liveness_failures > 0 {
        state
            .core
            .store
            .outcome_counts(window(rules.liveness_window))
            .await?
    } else {
        Vec::new()
    };
    let notify = rules.webhook_url.is_some();
    for (reading, breach) in readings(rules, &failure_window, &liveness_window) {
        if breach {
            if let Some(alert) = state.core.store.alert_fire(&reading, notify, now).await? {
                tracing::warn!(alert = %alert.key, episode = alert.episode, value = alert.value, sample = alert.sample, "alert firing");
            }
        } else if let Some(alert) = state
            .core
            .store
            .alert_resolve(&reading, notify, now)
            .await?
        {
            tracing::info!(alert = %alert.key, episode = alert.episode, "alert resolved");
        }
    }
    Ok(())
}

/// The JSON posted for an alert's last transition. The id names the transition, so a
/// receiver that sees it twice (at least once delivery) can tell.
pub fn body(alert: &AlertRecord, rules: &AlertSettings, now: time::OffsetDateTime) -> String {
    let window = if alert.rule == FAILURE_RATE {
        rules.failure_rate_window
    } else {
        rules.liveness_window
    };
    json!({
        "id": format!("alert_{}_{}_{}", alert.key, alert.episode, alert.status.as_str()),
        "type": format!("alert.{}", alert.status.as_str()),
        "created": now.unix_timestamp(),
        "data": {
            "rule": alert.rule,
            "provider": alert.provider,
            "status": alert.status.as_str(),
            "episode": alert.episode,
            "value": alert.value,
            "threshold": alert.threshold,
            "sample": alert.sample,
            "window_seconds": window.as_secs(),
            "fired_at": rfc3339(alert.fired_at),
            "resolved_at": alert.resolved_at.map(rfc3339),
        }
    })
    .to_string()
}

/// Sends the transitions not yet delivered.
pub async fn notify(state: &AppState, client: &reqwest::Client) -> anyhow::Result<()> {
    let rules = &state.settings.alerts;
    let Some(url) = &rules.webhook_url else {
        return Ok(());
    };
    let now = session::now();
    let claimed = state
        .core
        .store
        .claim_alert_notifications(now, now + LEASE, BATCH)
        .await?;
    for alert in claimed {
        let body = body(&alert, rules, now);
        let mut request = client
            .post(url.clone())
            .header("content-type", "application/json")
            .header(
                "Facegate-Event-Id",
                format!(
                    "alert_{}_{}_{}",
                    alert.key,
                    alert.episode,
                    alert.status.as_str()
                ),
            );
        if let Some(secret) = &rules.webhook_secret {
            request = request.header(
                "Facegate-Signature",
                webhooks::signature(
                    secret.expose_secret().as_bytes(),
                    now.unix_timestamp(),
                    body.as_bytes(),
                ),
            );
        }
        let error = match request.body(body).send().await {
            Ok(response) if response.status().is_success() => None,
            Ok(response) => Some(format!("the endpoint answered {}", response.status())),
            Err(error) if error.is_timeout() => Some("timed out".to_owned()),
            Err(_) => Some("the endpoint could not be reached".to_owned()),
        };
        match error {
            None => {
                tracing::info!(alert = %alert.key, status = alert.status.as_str(), "alert delivered");
                state
                    .core
                    .store
                    .alert_notified(&alert.key, alert.episode, alert.status)
                    .await?;
            }
            Some(error) => {
                tracing::warn!(alert = %alert.key, attempts = alert.notify_attempts, error = %error, "alert delivery failed");
                let retry_at = session::now() + webhooks::backoff(alert.notify_attempts);
                state
                    .core
                    .store
                    .alert_notify_failed(&alert.key, retry_at, &error)
                    .await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn count(
        provider: Provider,
        status: VerificationStatus,
        reason: Option<&str>,
        n: i64,
    ) -> OutcomeCount {
        OutcomeCount {
            provider,
            status,
            reason: reason.map(str::to_owned),
            count: n,
        }
    }

    fn breaches(readings: &[(AlertReading, bool)]) -> Vec<String> {
        readings
            .iter()
            .filter(|(_, breach)| *breach)
            .map(|(reading, _)| reading.key.clone())
            .collect()
    }

    #[test]
    fn rules_breach_per_provider_only_above_their_thresholds() {
        let settings = Settings::from_pairs([
            ("alert_failure_rate_threshold", "0.5"),
            ("alert_failure_rate_min_count", "4"),
            ("alert_liveness_failures", "2"),
        ])
        .unwrap();
        let rules = &settings.alerts;
        let live = |n| {
            count(
                Provider::Sandbox,
                VerificationStatus::Failed,
                Some("liveness_failed"),
                n,
            )
        };
        // Two of four failed: 50% is not above 50%.
        let window = [
            count(Provider::Sandbox, VerificationStatus::Verified, None, 2),
            live(2),
            count(
                Provider::FaceidLite,
                VerificationStatus::Failed,
                Some("not_same_person"),
                3,
            ),
        ];
        assert_eq!(
            breaches(&readings(rules, &window, &window)),
            ["liveness_attacks.sandbox"]
        );
        // Three of four: above; faceid_lite's three failures are under the minimum count.
        let window = [
            count(Provider::Sandbox, VerificationStatus::Verified, None, 1),
            live(3),
            count(
                Provider::FaceidLite,
                VerificationStatus::Failed,
                Some("not_same_person"),
                3,
            ),
            count(Provider::FaceidLite, VerificationStatus::Expired, None, 9),
        ];
        assert_eq!(
            breaches(&readings(rules, &window, &[])),
            ["failure_rate.sandbox"]
        );
        let off = Settings::from_pairs([
            ("alert_failure_rate_min_count", "0"),
            ("alert_liveness_failures", "0"),
        ])
        .unwrap();
        assert!(readings(&off.alerts, &window, &window).is_empty());
    }
}
