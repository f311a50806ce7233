//! What the API returns, built here and nowhere else: the views of a stored session (masked)
//! and of its kept media, and, in the submodules, the views of the vendors' extra answers.

use base64::Engine;
use facegate_types::{
    ClientVerification, MaskedSubject, Verification, VerificationStatus, VERIFICATION_OBJECT,
};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::store::{SessionRecord, StoredMedia};

pub mod baidu_h5;
pub mod baidu_smartapp;

pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// The next action is shown only while the user still has something to do.
fn next_action(record: &SessionRecord) -> Option<facegate_types::NextAction> {
    (record.status == VerificationStatus::Pending)
        .then(|| record.next_action.clone())
        .flatten()
}

/// The merchant's view. `client_secret` is given only in the create response.
pub fn verification(record: &SessionRecord, client_secret: Option<&str>) -> Verification {
    Verification {
        id: record.id.clone(),
        object: VERIFICATION_OBJECT.to_owned(),
        provider: record.provider,
        status: record.status,
        reference: record.reference.clone(),
        client_secret: client_secret.map(str::to_owned),
        subject: record.subject.as_ref().map(|subject| MaskedSubject {
            name: subject.name_masked.clone(),
            id_number: subject.id_number_masked.clone(),
        }),
        next_action: next_action(record),
        result: record.result.clone(),
        created_at: rfc3339(record.created_at),
        expires_at: rfc3339(record.expires_at),
        completed_at: record.completed_at.map(rfc3339),
        redacted_at: record.redacted_at.map(rfc3339),
    }
}

/// The front end's view: no reference, no subject.
pub fn client_verification(record: &SessionRecord) -> ClientVerification {
    ClientVerification {
        id: record.id.clone(),
        object: VERIFICATION_OBJECT.to_owned(),
        provider: record.provider,
        status: record.status,
        next_action: next_action(record),
        result: record.result.clone(),
        expires_at: rfc3339(record.expires_at),
        completed_at: record.completed_at.map(rfc3339),
    }
}

/// One kept vendor image, decrypted for the merchant who asked.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MediaItem {
    pub id: String,
    pub object: &'static str,
    pub kind: String,
    pub content_type: String,
    pub created_at: String,
    /// Standard base64.
    pub data: String,
}

/// The view of a kept item, `plaintext` its opened bytes.
pub fn media_item(stored: StoredMedia, plaintext: &[u8]) -> MediaItem {
    MediaItem {
        object: "media",
        kind: stored.kind,
        content_type: stored.content_type,
        created_at: rfc3339(stored.created_at),
        data: base64::engine::general_purpose::STANDARD.encode(plaintext),
        id: stored.id,
    }
}
