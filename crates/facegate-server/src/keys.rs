//! Merchant API keys kept in the database: `fg_live_<id>_<secret>`, stored as the SHA-256 of
//! the whole key (the secret has 190 bits of entropy, so a fast hash is enough), looked up by
//! id, compared in constant time, each revocable. Every request reads the row, so a
//! revocation holds at once on every replica. Keys from FACEGATE_API_KEYS are checked first
//! (held hashed in memory, see `app::ApiKeys`).

use rand::distributions::{Alphanumeric, DistString};
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::domain::secret_hash;
use crate::store::{Store, StoreError, StoredApiKey};

/// The start of every stored key.
pub const PREFIX: &str = "fg_live_";
const ID_LENGTH: usize = 16;
const SECRET_LENGTH: usize = 32;
/// `last_used_at` is written at most this often per key (reads stay reads).
const TOUCH_EVERY: time::Duration = time::Duration::minutes(1);

/// A key just made: shown once, never stored.
pub struct NewKey {
    pub id: String,
    pub key: SecretString,
}

fn lowercase_alphanumeric(length: usize) -> String {
    Alphanumeric
        .sample_string(&mut rand::thread_rng(), length)
        .to_ascii_lowercase()
}

/// The stored id a presented key names, if it has the stored-key shape.
fn id_of(presented: &str) -> Option<String> {
    let rest = presented.strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let well_formed = id.len() == ID_LENGTH
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && secret.len() == SECRET_LENGTH
        && secret.bytes().all(|b| b.is_ascii_alphanumeric());
    well_formed.then(|| format!("key_{id}"))
}

/// Accepts `key_<id>` (as `keys list` shows it) or the bare id.
pub fn parse_id(text: &str) -> Option<String> {
    let id = text.trim();
    let bare = id.strip_prefix("key_").unwrap_or(id);
    (bare.len() == ID_LENGTH
        && bare
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
    .then(|| format!("key_{bare}"))
}

/// Creates and stores a key; the returned key is the only copy.
pub async fn create(
    store: &dyn Store,
    label: Option<String>,
    at: OffsetDateTime,
) -> Result<NewKey, StoreError> {
    let id = lowercase_alphanumeric(ID_LENGTH);
    let secret = Alphanumeric.sample_string(&mut rand::thread_rng(), SECRET_LENGTH);
    let key = format!("{PREFIX}{id}_{secret}");
    let stored = StoredApiKey {
        id: format!("key_{id}"),
        label,
        key_hash: secret_hash(&key),
        created_at: at,
        last_used_at: None,
        revoked_at: None,
    };
    store.insert_api_key(&stored).await?;
    Ok(NewKey {
        id: stored.id,
        key: SecretString::from(key),
    })
}

/// The id of the stored, unrevoked key `presented` is, or `None`.
pub async fn verify(
    store: &dyn Store,
    presented: &str,
    at: OffsetDateTime,
) -> Result<Option<String>, StoreError> {
    let Some(id) = id_of(presented) else {
        return Ok(None);
    };
    let Some(stored) = store.api_key(&id).await? else {
        return Ok(None);
    };
    let matches: bool = secret_hash(presented).ct_eq(&stored.key_hash).into();
    if !matches || stored.revoked_at.is_some() {
        return Ok(None);
    }
    if stored
        .last_used_at
        .is_none_or(|used| at - used >= TOUCH_EVERY)
    {
        store.touch_api_key(&stored.id, at).await?;
    }
    Ok(Some(stored.id))
}

/// Shown by `facegate keys create`: the key once, and how to use it.
pub fn announce(new: &NewKey) -> String {
    format!(
        "Created {}. The key is shown this once; keep it in your secret store:\n{}",
        new.id,
        new.key.expose_secret()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_stored_shape_names_an_id() {
        let key = format!("{PREFIX}abcdefgh01234567_{}", "A".repeat(32));
        assert_eq!(id_of(&key).as_deref(), Some("key_abcdefgh01234567"));
        assert_eq!(id_of("test-key-0123456789abcdef"), None);
        assert_eq!(id_of(&format!("{PREFIX}abcdefgh01234567_short")), None);
        assert_eq!(
            id_of(&format!("{PREFIX}ABCDEFGH01234567_{}", "A".repeat(32))),
            None
        );
        assert_eq!(
            parse_id("key_abcdefgh01234567").as_deref(),
            Some("key_abcdefgh01234567")
        );
        assert_eq!(
            parse_id("abcdefgh01234567").as_deref(),
            Some("key_abcdefgh01234567")
        );
        assert_eq!(parse_id("key_x; DROP TABLE"), None);
    }
}
