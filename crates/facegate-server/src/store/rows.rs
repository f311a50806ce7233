//! The `verifications` row as both backends read it (sqlx's `FromRow` is generic over the
//! database), its conversion to a [`SessionRecord`], and the outbox event row: written once
//! for SQLite and PostgreSQL, which differ only in their statements' placeholders.

use sqlx::FromRow;

use super::{from_millis, OutboxEvent, SealedSubject, SessionRecord, StoreError};

pub(super) const COLUMNS: &str =
    "id, provider, status, reference, client_secret_hash, client_secret_sealed, subject_name, \
    subject_id_number, subject_name_masked, subject_id_number_masked, return_url, vendor_ref, \
    next_action, result, vendor_state, api_key_id, idempotency_key, version, created_at, \
    updated_at, expires_at, completed_at, last_checked_at, redacted_at";

#[derive(FromRow)]
pub(super) struct Row {
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

pub(super) fn json_column<T: serde::de::DeserializeOwned>(
    value: Option<String>,
    column: &str,
) -> Result<Option<T>, StoreError> {
    value
        .map(|text| serde_json::from_str(&text).map_err(|_| StoreError::Corrupt(column.to_owned())))
        .transpose()
}

pub(super) fn to_json<T: serde::Serialize>(value: Option<&T>) -> Option<String> {
    value.and_then(|value| serde_json::to_string(value).ok())
}

impl TryFrom<Row> for SessionRecord {
    type Error = StoreError;

    fn try_from(row: Row) -> Result<Self, StoreError> {
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
            provider: super::admin::provider(&row.provider)?,
            status: super::admin::status(&row.status)?,
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

pub(super) fn records(rows: Vec<Row>) -> Result<Vec<SessionRecord>, StoreError> {
    rows.into_iter().map(SessionRecord::try_from).collect()
}

pub(super) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

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

/// A statement written with PostgreSQL's `$n` placeholders, for SQLite: each `$n` becomes `?`,
/// which SQLite numbers in order, so the `$n` must appear in increasing order, each once (as in
/// every statement shared this way).
pub(super) fn sqlite_placeholders(statement: &str) -> String {
    let mut out = String::with_capacity(statement.len());
    let mut chars = statement.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}
