//! Every table's row as both databases return it (sqlx's `FromRow` is generic over the
//! database; times are unix milliseconds, JSON is text) and its conversion to the store's
//! types. Adding a column: both migrations, the row here, its conversion, and the INSERT.

use std::str::FromStr;

use facegate_types::{Provider, VerificationStatus};
use sqlx::FromRow;

use super::{
    from_millis, AlertRecord, AlertStatus, OutboxEvent, SealedSubject, SessionRecord, StoreError,
    StoredApiKey, StoredMedia,
};

/// The `verifications` columns a [`SessionRow`] reads, in its order.
pub(super) const COLUMNS: &str =
    "id, provider, status, reference, client_secret_hash, client_secret_sealed, subject_name, \
    subject_id_number, subject_name_masked, subject_id_number_masked, return_url, vendor_ref, \
    next_action, result, vendor_state, api_key_id, idempotency_key, version, created_at, \
    updated_at, expires_at, completed_at, last_checked_at, redacted_at";

#[derive(FromRow)]
pub(super) struct SessionRow {
    id: String,
    provider: String,
    status: String,
    reference: Option<String>,
    client_secret_hash: Vec<u8>,
    client_secret_sealed: Vec<u8>,
    subject_name: Option<Vec<u8>>,
    subject_id_number: Option<Vec<u8>>,
    subject_name_masked: Option<String>,
    subject_id_number_masked: Option<String>,
    return_url: String,
    vendor_ref: Option<String>,
    next_action: Option<String>,
    result: Option<String>,
    vendor_state: Option<String>,
    api_key_id: Option<String>,
    idempotency_key: Option<String>,
    version: i64,
    created_at: i64,
    updated_at: i64,
    expires_at: i64,
    completed_at: Option<i64>,
    last_checked_at: Option<i64>,
    redacted_at: Option<i64>,
}

impl TryFrom<SessionRow> for SessionRecord {
    type Error = StoreError;

    fn try_from(row: SessionRow) -> Result<Self, StoreError> {
        let subject = match (
            row.subject_name,
            row.subject_id_number,
            row.subject_name_masked,
            row.subject_id_number_masked,
        ) {
            (Some(name), Some(id_number), Some(name_masked), Some(id_number_masked)) => {
                Some(SealedSubject {
                    name,
                    id_number,
                    name_masked,
                    id_number_masked,
                })
            }
            _ => None,
        };
        Ok(SessionRecord {
            provider: provider(&row.provider)?,
            status: status(&row.status)?,
            next_action: json_column(row.next_action, "next_action")?,
            result: json_column(row.result, "result")?,
            vendor_state: json_column(row.vendor_state, "vendor_state")?,
            created_at: from_millis(row.created_at)?,
            updated_at: from_millis(row.updated_at)?,
            expires_at: from_millis(row.expires_at)?,
            completed_at: row.completed_at.map(from_millis).transpose()?,
            last_checked_at: row.last_checked_at.map(from_millis).transpose()?,
            redacted_at: row.redacted_at.map(from_millis).transpose()?,
            id: row.id,
            reference: row.reference,
            client_secret_hash: row.client_secret_hash,
            client_secret_sealed: row.client_secret_sealed,
            subject,
            return_url: row.return_url,
            vendor_ref: row.vendor_ref,
            api_key_id: row.api_key_id,
            idempotency_key: row.idempotency_key,
            version: row.version,
        })
    }
}

pub(super) fn records(rows: Vec<SessionRow>) -> Result<Vec<SessionRecord>, StoreError> {
    rows.into_iter().map(SessionRecord::try_from).collect()
}

fn json_column<T: serde::de::DeserializeOwned>(
    value: Option<String>,
    column: &str,
) -> Result<Option<T>, StoreError> {
    value
        .map(|text| serde_json::from_str(&text).map_err(|_| StoreError::Corrupt(column.to_owned())))
        .transpose()
}

/// A JSON column's text.
pub(super) fn to_json<T: serde::Serialize>(value: Option<&T>) -> Option<String> {
    value.and_then(|value| serde_json::to_string(value).ok())
}

pub(super) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

pub(super) fn provider(text: &str) -> Result<Provider, StoreError> {
    Provider::from_str(text).map_err(|_| StoreError::Corrupt("provider".into()))
}

pub(super) fn status(text: &str) -> Result<VerificationStatus, StoreError> {
    VerificationStatus::from_str(text).map_err(|_| StoreError::Corrupt("status".into()))
}

/// An `events` row: id, verification_id, type, created_at, payload.
pub(super) type EventRow = (String, String, String, i64, String);

pub(super) fn event(row: EventRow) -> Result<OutboxEvent, StoreError> {
    let (id, verification_id, kind, created_at, payload) = row;
    Ok(OutboxEvent {
        id,
        verification_id,
        kind,
        created_at: from_millis(created_at)?,
        payload,
    })
}

/// An `api_keys` row: id, label, key_hash, created_at, last_used_at, revoked_at.
pub(super) type KeyRow = (
    String,
    Option<String>,
    Vec<u8>,
    i64,
    Option<i64>,
    Option<i64>,
);

pub(super) fn api_key(row: KeyRow) -> Result<StoredApiKey, StoreError> {
    let (id, label, key_hash, created_at, last_used_at, revoked_at) = row;
    Ok(StoredApiKey {
        id,
        label,
        key_hash,
        created_at: from_millis(created_at)?,
        last_used_at: last_used_at.map(from_millis).transpose()?,
        revoked_at: revoked_at.map(from_millis).transpose()?,
    })
}

/// A `media` row: id, verification_id, kind, content_type, sealed, created_at.
pub(super) type MediaRow = (String, String, String, String, Vec<u8>, i64);

pub(super) fn media(row: MediaRow) -> Result<StoredMedia, StoreError> {
    let (id, verification_id, kind, content_type, sealed, created_at) = row;
    Ok(StoredMedia {
        id,
        verification_id,
        kind,
        content_type,
        sealed,
        created_at: from_millis(created_at)?,
    })
}

/// The `alerts` columns an [`AlertRow`] reads, in its order.
pub(super) const ALERT_COLUMNS: &str =
    "key, rule, provider, status, episode, value, threshold, sample, \
    fired_at, resolved_at, notify_pending, notify_attempts, last_error, updated_at";

#[derive(FromRow)]
pub(super) struct AlertRow {
    key: String,
    rule: String,
    provider: String,
    status: String,
    episode: i64,
    value: f64,
    threshold: f64,
    sample: i64,
    fired_at: i64,
    resolved_at: Option<i64>,
    notify_pending: i64,
    notify_attempts: i64,
    last_error: Option<String>,
    updated_at: i64,
}

impl TryFrom<AlertRow> for AlertRecord {
    type Error = StoreError;

    fn try_from(row: AlertRow) -> Result<Self, StoreError> {
        Ok(AlertRecord {
            provider: provider(&row.provider)?,
            status: AlertStatus::parse(&row.status)
                .ok_or_else(|| StoreError::Corrupt("alert status".into()))?,
            fired_at: from_millis(row.fired_at)?,
            resolved_at: row.resolved_at.map(from_millis).transpose()?,
            updated_at: from_millis(row.updated_at)?,
            notify_pending: row.notify_pending != 0,
            key: row.key,
            rule: row.rule,
            episode: row.episode,
            value: row.value,
            threshold: row.threshold,
            sample: row.sample,
            notify_attempts: row.notify_attempts,
            last_error: row.last_error,
        })
    }
}

pub(super) fn alerts(rows: Vec<AlertRow>) -> Result<Vec<AlertRecord>, StoreError> {
    rows.into_iter().map(AlertRecord::try_from).collect()
}
