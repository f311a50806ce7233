//! Webhook delivery: events leave the outbox at least once, signed, with exponential backoff
//! and jitter. Each event keeps its id across attempts, so merchants de-duplicate by it.
//!
//! `Facegate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.

use std::time::Duration;

use hmac::{Hmac, Mac};
use rand::Rng;
use secrecy::ExposeSecret;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use crate::app::AppState;
use crate::session;
use crate::store::Delivery;

/// Events claimed per round.
const BATCH: u32 = 32;
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// The `Facegate-Signature` value for `body` sent at unix time `timestamp`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac(secret, timestamp, body))
    )
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Why a signature was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Facegate-Signature header is malformed")]
    Malformed,
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    #[error("no v1 signature matches")]
    Mismatch,
}

/// What a merchant's server does with a delivery: checks the header against the raw body, in
/// constant time, and refuses timestamps further than `tolerance` from `now`.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: OffsetDateTime,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => {
                candidates.push(hex::decode(value).map_err(|_| SignatureError::Malformed)?)
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let age = (now.unix_timestamp() - timestamp).unsigned_abs();
    if age > tolerance.as_secs() {
        return Err(SignatureError::Stale);
    }
    let expected = mac(secret, timestamp, body);
    if candidates
        .iter()
        .any(|candidate| bool::from(candidate.as_slice().ct_eq(&expected)))
    {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The body of one event: `{"id", "type", "created", "data"}`, data being the masked session.
pub fn body(delivery: &Delivery) -> String {
    let event = &delivery.event;
    format!(
        r#"{{"id":{},"type":{},"created":{},"data":{}}}"#,
        serde_json::Value::from(event.id.as_str()),
        serde_json::Value::from(event.kind.as_str()),
        event.created_at.unix_timestamp(),
        event.payload
    )
}

/// The wait before attempt `attempts + 1`: 2^attempts seconds, capped, times a jitter in
/// [0.5, 1.0) so that many failed events do not come back in step.
pub fn backoff(attempts: i64) -> Duration {
    let exponent = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    let base = Duration::from_secs(1u64 << exponent).min(MAX_BACKOFF);
    base.mul_f64(rand::thread_rng().gen_range(0.5..1.0))
}

pub async fn run(state: AppState, shutdown: CancellationToken) {
    let webhooks = &state.settings.webhooks;
    let (Some(url), Some(secret)) = (webhooks.url.clone(), webhooks.secret.clone()) else {
        return;
    };
    let Some(client) = super::outbound_client("webhooks") else {
        return;
    };
    let interval = webhooks.interval.max(Duration::from_millis(50));
    // How long a claimed event is ours before another replica may take it.
    let lease = time::Duration::try_from(webhooks.lease).unwrap_or(time::Duration::MAX);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(interval) => {}
        }
        let now = session::now();
        let claimed = match state.core.store.claim_events(now, now + lease, BATCH).await {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::error!(error = %error, "webhooks: claiming events failed");
                continue;
            }
        };
        for delivery in claimed {
            deliver(
                &state,
                &client,
                &url,
                secret.expose_secret().as_bytes(),
                delivery,
            )
            .await;
        }
    }
}

async fn deliver(
    state: &AppState,
    client: &reqwest::Client,
    url: &url::Url,
    secret: &[u8],
    delivery: Delivery,
) {
    let body = body(&delivery);
    let now = session::now();
    let outcome = client
        .post(url.clone())
        .header("content-type", "application/json")
        .header(
            "Facegate-Signature",
            signature(secret, now.unix_timestamp(), body.as_bytes()),
        )
        .header("Facegate-Event-Id", &delivery.event.id)
        .body(body)
        .send()
        .await;
    let error = match outcome {
        Ok(response) if response.status().is_success() => None,
        Ok(response) => Some(format!("the endpoint answered {}", response.status())),
        Err(error) if error.is_timeout() => Some("timed out".to_owned()),
        Err(_) => Some("the endpoint could not be reached".to_owned()),
    };
    let id = &delivery.event.id;
    let result = match &error {
        None => {
            tracing::info!(event_id = %id, kind = %delivery.event.kind, "webhook delivered");
            state.core.store.event_delivered(id, session::now()).await
        }
        Some(error) => {
            let give_up = delivery.attempts >= i64::from(state.settings.webhooks.max_attempts);
            let retry_at = (!give_up).then(|| session::now() + backoff(delivery.attempts));
            tracing::warn!(event_id = %id, attempts = delivery.attempts, give_up, error = %error, "webhook delivery failed");
            state
                .core
                .store
                .event_failed(id, session::now(), retry_at, error)
                .await
        }
    };
    if let Err(error) = result {
        // The lease runs out and the event is delivered again: at least once.
        tracing::error!(event_id = %id, error = %error, "webhooks: recording the attempt failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_an_independent_hmac() {
        // python3 -c 'import hmac,hashlib; print(hmac.new(b"whsec_test",
        //   b"1700000000.{\"a\":1}", hashlib.sha256).hexdigest())'
        assert_eq!(
            signature(b"whsec_test", 1_700_000_000, br#"{"a":1}"#),
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }

    #[test]
    fn verification_accepts_fresh_valid_signatures_only() {
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_100).unwrap();
        let header = signature(b"secret", 1_700_000_000, b"body");
        let tolerance = Duration::from_secs(300);
        assert_eq!(verify(b"secret", &header, b"body", now, tolerance), Ok(()));
        assert_eq!(
            verify(b"other", &header, b"body", now, tolerance),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"secret", &header, b"body!", now, tolerance),
            Err(SignatureError::Mismatch)
        );
        let late = now + time::Duration::seconds(600);
        assert_eq!(
            verify(b"secret", &header, b"body", late, tolerance),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(b"secret", "v1=zz", b"body", now, tolerance),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(b"secret", "t=1", b"body", now, tolerance),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        for attempts in 0..30 {
            let wait = backoff(attempts);
            let base = Duration::from_secs(1u64 << attempts.clamp(0, 20)).min(MAX_BACKOFF);
            assert!(wait >= base / 2 && wait < base, "{attempts}: {wait:?}");
        }
    }
}
