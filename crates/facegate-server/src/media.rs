//! Vendor images and videos: not kept by default. With `media_retention_days` > 0 the images a
//! vendor returns about a final session are sealed like PII (AES-256-GCM, the associated data
//! binding each to its row), served to the merchant by `GET /v1/verifications/{id}/media`, and
//! deleted by the retention job (`workers/retention.rs`) after that many days.

use rand::distributions::{Alphanumeric, DistString};

use crate::app::AppState;
use crate::pii::PiiError;
use crate::store::{SessionRecord, StoredMedia};

/// The associated data of a media row: its id and its session's.
pub fn aad(media_id: &str, verification_id: &str) -> String {
    format!("{media_id}/{verification_id}")
}

/// The type by magic bytes (vendors send bare base64 without one).
pub fn content_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.len() > 12 && &bytes[4..8] == b"ftyp" {
        "video/mp4"
    } else {
        "application/octet-stream"
    }
}

/// Asks the session's vendor for its images and keeps them, sealed, when keeping is on.
/// Best effort: a failure is logged and the session is unaffected.
pub async fn keep(state: &AppState, record: &SessionRecord) {
    if state.settings.media_retention_days == 0 || record.result.is_none() {
        return;
    }
    let Some(adapter) = state.providers.get(record.provider).cloned() else {
        return;
    };
    let items = match adapter.media(record).await {
        Ok(items) => items,
        Err(error) => {
            tracing::warn!(verification_id = %record.id, error = %error, "media: the vendor did not answer; nothing kept");
            return;
        }
    };
    let at = crate::session::now();
    for item in items {
        let id = format!(
            "md_{}",
            Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
        );
        let stored = StoredMedia {
            sealed: state.pii.seal(&item.bytes, &aad(&id, &record.id)),
            content_type: content_type(&item.bytes).to_owned(),
            id,
            verification_id: record.id.clone(),
            kind: item.kind,
            created_at: at,
        };
        if let Err(error) = state.store.insert_media(&stored).await {
            tracing::warn!(verification_id = %record.id, error = %error, "media: could not keep an image");
        }
    }
}

/// The plaintext of a kept item.
pub fn open(state: &AppState, stored: &StoredMedia) -> Result<Vec<u8>, PiiError> {
    state
        .pii
        .open(&stored.sealed, &aad(&stored.id, &stored.verification_id))
}
