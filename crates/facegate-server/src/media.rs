//! Vendor images and videos: not kept by default. With `media_retention_days` > 0 the images a
//! vendor's confirming answer carries are sealed like PII (AES-256-GCM, the associated data
//! binding each to its row), served to the merchant by `GET /v1/verifications/{id}/media`, and
//! deleted by the retention job (`workers/retention.rs`) after that many days.

use rand::distributions::{Alphanumeric, DistString};

use crate::app::AppState;
use crate::pii::PiiError;
use crate::providers::VendorMedia;
use crate::store::StoredMedia;

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

/// Seals the images a vendor's confirming answer carried, ready to be written with the final
/// status; none when keeping is off (the default), so they never reach the store.
pub fn seal(state: &AppState, verification_id: &str, items: Vec<VendorMedia>) -> Vec<StoredMedia> {
    if state.settings.retention.media_retention_days == 0 {
        return Vec::new();
    }
    let at = crate::session::now();
    items
        .into_iter()
        .map(|item| {
            let id = format!(
                "md_{}",
                Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
            );
            StoredMedia {
                sealed: state.pii.seal(&item.bytes, &aad(&id, verification_id)),
                content_type: content_type(&item.bytes).to_owned(),
                id,
                verification_id: verification_id.to_owned(),
                kind: item.kind,
                created_at: at,
            }
        })
        .collect()
}

/// The plaintext of a kept item.
pub fn open(state: &AppState, stored: &StoredMedia) -> Result<Vec<u8>, PiiError> {
    state
        .pii
        .open(&stored.sealed, &aad(&stored.id, &stored.verification_id))
}
