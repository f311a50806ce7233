//! Vendor access tokens (sealed), shared by every replica, and the lease that lets one
//! replica at a time fetch a new one (see `providers/tokens.rs`).

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{from_millis, to_millis, Backend, PostgresStore, SqliteStore, StoreError};

/// Vendor access tokens and their refresh leases.
#[async_trait]
pub trait VendorTokenStore: Send + Sync {
    /// A vendor access token (encrypted) and its expiry.
    async fn vendor_token(
        &self,
        key: &str,
    ) -> Result<Option<(Vec<u8>, OffsetDateTime)>, StoreError>;
    /// Stores or replaces a vendor access token.
    async fn put_vendor_token(
        &self,
        key: &str,
        sealed: &[u8],
        expires_at: OffsetDateTime,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Takes the right to fetch the vendor token `key` until `until`, for `holder` (one replica's
    /// token cache): true if nobody holds it, or the last holder's lease ran out by `now`.
    async fn claim_token_refresh(
        &self,
        key: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool, StoreError>;
    /// Gives the right back (the new token is stored); a no-op if `holder` does not hold it.
    async fn release_token_refresh(&self, key: &str, holder: &str) -> Result<(), StoreError>;
}

/// The `vendor_tokens` row that holds the refresh lease of the token `key`: the holder's id
/// in the token column, the lease's end in expires_at (no migration: a second row per token).
fn refresh_lease_key(key: &str) -> String {
    format!("refresh-lease:{key}")
}

/// Inserts a token row or replaces one (`put_vendor_token`); with a WHERE added, takes over
/// only a lease that ran out.
const UPSERT: &str = "INSERT INTO vendor_tokens (key, token, expires_at, updated_at) \
     VALUES ($1, $2, $3, $4) \
     ON CONFLICT (key) DO UPDATE SET token = excluded.token, \
     expires_at = excluded.expires_at, updated_at = excluded.updated_at";

macro_rules! implement {
    ($store:ty) => {
        #[async_trait]
        impl VendorTokenStore for $store {
            async fn vendor_token(
                &self,
                key: &str,
            ) -> Result<Option<(Vec<u8>, OffsetDateTime)>, StoreError> {
                let row: Option<(Vec<u8>, i64)> =
                    sqlx::query_as("SELECT token, expires_at FROM vendor_tokens WHERE key = $1")
                        .bind(key)
                        .fetch_optional(self.reader())
                        .await?;
                row.map(|(token, expires_at)| Ok((token, from_millis(expires_at)?)))
                    .transpose()
            }

            async fn put_vendor_token(
                &self,
                key: &str,
                sealed: &[u8],
                expires_at: OffsetDateTime,
                at: OffsetDateTime,
            ) -> Result<(), StoreError> {
                sqlx::query(UPSERT)
                    .bind(key)
                    .bind(sealed)
                    .bind(to_millis(expires_at))
                    .bind(to_millis(at))
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn claim_token_refresh(
                &self,
                key: &str,
                holder: &str,
                now: OffsetDateTime,
                until: OffsetDateTime,
            ) -> Result<bool, StoreError> {
                // Inserted, or taken over from a lease that ran out; a live lease is left alone
                // and the statement touches no row.
                let sql = format!("{UPSERT} WHERE vendor_tokens.expires_at <= excluded.updated_at");
                let done = sqlx::query(&sql)
                    .bind(refresh_lease_key(key))
                    .bind(holder.as_bytes())
                    .bind(to_millis(until))
                    .bind(to_millis(now))
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn release_token_refresh(
                &self,
                key: &str,
                holder: &str,
            ) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM vendor_tokens WHERE key = $1 AND token = $2")
                    .bind(refresh_lease_key(key))
                    .bind(holder.as_bytes())
                    .execute(self.writer())
                    .await?;
                Ok(())
            }
        }
    };
}

implement!(SqliteStore);
implement!(PostgresStore);
