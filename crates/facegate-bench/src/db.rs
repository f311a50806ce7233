//! The databases: a fresh SQLite file or PostgreSQL database per configuration, counts read
//! straight from the tables, and the bulk seed.
//!
//! The bulk seed: one session is created and finished through the API (vendor call, encryption,
//! state machine, outbox), then its row is copied `n` times in one `INSERT ... SELECT` with fresh
//! ids, vendor handles and creation times spread over the past. The copies carry the same
//! encrypted subject and result, so they read back like the original; they have no outbox
//! events (as if delivered long ago).

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use sqlx::Connection;

/// Every column but the ones the seed rewrites (id, vendor_ref, created_at, updated_at,
/// idempotency_key, completed_at).
const COPIED: &str = "provider, status, reference, client_secret_hash, client_secret_sealed, \
    subject_name, subject_id_number, subject_name_masked, subject_id_number_masked, return_url, \
    next_action, result, vendor_state, api_key_id, version, expires_at, last_checked_at";

pub enum Database {
    Sqlite {
        url: String,
        pool: sqlx::SqlitePool,
    },
    Postgres {
        url: String,
        admin_url: String,
        name: String,
        pool: sqlx::PgPool,
    },
}

impl Database {
    /// A new SQLite file in `dir` (facegate creates it and its schema when it starts).
    pub async fn sqlite(dir: &Path, name: &str) -> anyhow::Result<Self> {
        let url = format!("sqlite://{}", dir.join(format!("{name}.db")).display());
        // Lazy: facegate creates the file and switches it to WAL before the bench reads it.
        let options = url
            .parse::<sqlx::sqlite::SqliteConnectOptions>()?
            .busy_timeout(Duration::from_secs(10));
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_lazy_with(options);
        Ok(Self::Sqlite { url, pool })
    }

    /// A new database on the PostgreSQL server at `admin_url`, dropped by [`Self::drop_it`].
    pub async fn postgres(admin_url: &str, name: &str) -> anyhow::Result<Self> {
        let mut admin = sqlx::PgConnection::connect(admin_url).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        let mut url = url::Url::parse(admin_url)?;
        url.set_path(&format!("/{name}"));
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(2)
            .connect(url.as_str())
            .await?;
        Ok(Self::Postgres {
            url: url.to_string(),
            admin_url: admin_url.to_owned(),
            name: name.to_owned(),
            pool,
        })
    }

    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url, .. } => url,
        }
    }

    /// Sessions whose reference starts with `prefix` that are final (verified or failed).
    pub async fn finals(&self, prefix: &str) -> anyhow::Result<i64> {
        let like = format!("{prefix}%");
        let sql = "SELECT COUNT(*) FROM verifications \
                   WHERE reference LIKE {1} AND status IN ('verified', 'failed')";
        Ok(match self {
            Self::Sqlite { pool, .. } => {
                sqlx::query_scalar(&sql.replace("{1}", "?"))
                    .bind(like)
                    .fetch_one(pool)
                    .await?
            }
            Self::Postgres { pool, .. } => {
                sqlx::query_scalar(&sql.replace("{1}", "$1"))
                    .bind(like)
                    .fetch_one(pool)
                    .await?
            }
        })
    }

    /// (stored, pending) sessions.
    pub async fn census(&self) -> anyhow::Result<(i64, i64)> {
        let sql = "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status IN ('pending', 'processing') \
                   THEN 1 ELSE 0 END), 0) FROM verifications";
        Ok(match self {
            Self::Sqlite { pool, .. } => sqlx::query_as(sql).fetch_one(pool).await?,
            Self::Postgres { pool, .. } => {
                let (all, open): (i64, i64) = sqlx::query_as(&sql.replace(
                    "COALESCE(SUM(CASE WHEN status IN ('pending', 'processing') THEN 1 ELSE 0 END), 0)",
                    "COUNT(*) FILTER (WHERE status IN ('pending', 'processing'))",
                ))
                .fetch_one(pool)
                .await?;
                (all, open)
            }
        })
    }

    /// Copies the session `template` `copies` times (see the module comment).
    pub async fn bulk_copy(&self, template: &str, copies: u32) -> anyhow::Result<()> {
        match self {
            Self::Sqlite { pool, .. } => {
                let sql = format!(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
                     INSERT INTO verifications (id, vendor_ref, created_at, updated_at, \
                         completed_at, {COPIED}) \
                     SELECT 'vs_bulk' || printf('%08d', n.i), 'bulk_' || n.i, \
                         v.created_at - n.i * 1000, v.updated_at - n.i * 1000, \
                         v.completed_at - n.i * 1000, {COPIED} \
                     FROM n, (SELECT * FROM verifications WHERE id = ?) AS v"
                );
                sqlx::query(&sql)
                    .bind(i64::from(copies))
                    .bind(template)
                    .execute(pool)
                    .await
                    .context("copying the template session (SQLite)")?;
            }
            Self::Postgres { pool, .. } => {
                let sql = format!(
                    "INSERT INTO verifications (id, vendor_ref, created_at, updated_at, \
                         completed_at, {COPIED}) \
                     SELECT 'vs_bulk' || lpad(n.i::text, 8, '0'), 'bulk_' || n.i, \
                         v.created_at - n.i * 1000, v.updated_at - n.i * 1000, \
                         v.completed_at - n.i * 1000, {COPIED} \
                     FROM generate_series(1, $1::bigint) AS n(i), \
                         (SELECT * FROM verifications WHERE id = $2) AS v"
                );
                sqlx::query(&sql)
                    .bind(i64::from(copies))
                    .bind(template)
                    .execute(pool)
                    .await
                    .context("copying the template session (PostgreSQL)")?;
            }
        }
        Ok(())
    }

    /// The server's version string (PostgreSQL) or the library's (SQLite).
    pub async fn version(&self) -> String {
        let answer = match self {
            Self::Sqlite { pool, .. } => {
                sqlx::query_scalar::<_, String>("SELECT 'SQLite ' || sqlite_version()")
                    .fetch_one(pool)
                    .await
            }
            Self::Postgres { pool, .. } => {
                sqlx::query_scalar::<_, String>("SELECT version()")
                    .fetch_one(pool)
                    .await
            }
        };
        answer.unwrap_or_else(|error| format!("unknown ({error})"))
    }

    /// Drops a PostgreSQL database made for the run (SQLite files stay in the run directory).
    pub async fn drop_it(self) {
        if let Self::Postgres {
            admin_url,
            name,
            pool,
            ..
        } = self
        {
            pool.close().await;
            if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await;
                let _ = admin.close().await;
            }
        }
    }
}

/// The admin URL of a PostgreSQL server that answers: `explicit`, FACEGATE_TEST_DATABASE_URL,
/// or trust auth on 127.0.0.1:5432.
pub async fn find_postgres(explicit: Option<&str>) -> Option<String> {
    let mut candidates: Vec<String> = Vec::new();
    if let Some(url) = explicit {
        candidates.push(url.to_owned());
    }
    if let Ok(url) = std::env::var("FACEGATE_TEST_DATABASE_URL") {
        candidates.push(url);
    }
    candidates.push("postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    candidates.push("postgres://root@127.0.0.1:5432/postgres".to_owned());
    for url in candidates {
        let attempt =
            tokio::time::timeout(Duration::from_secs(3), sqlx::PgConnection::connect(&url)).await;
        if let Ok(Ok(connection)) = attempt {
            let _ = connection.close().await;
            return Some(url);
        }
    }
    None
}
