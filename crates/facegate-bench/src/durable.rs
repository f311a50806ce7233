//! The bare durable reference: what keeping the promise "an acknowledged session survives
//! kill -9" costs, and nothing else. A minimal axum handler that makes a creation's vendor call
//! (the sandbox's create, through reqwest) and a creation's durable writes (the row reserved
//! before the call, the vendor's answer recorded after it: the same table, columns and byte
//! sizes, through sqlx, with facegate's pragmas: WAL, `synchronous = NORMAL`, one writer
//! connection on SQLite; a pool of 8 on PostgreSQL, `synchronous_commit` as the server has it).
//! No authentication, validation, encryption, digest, limit or log: the bytes that facegate
//! encrypts are written as fixed bytes of the same length. It answers 200 after the second
//! commit, as facegate does.

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Context;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use url::Url;

/// Where the writes go, opened as facegate's store opens it.
#[derive(Clone)]
enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

struct Durable {
    pool: Pool,
    http: reqwest::Client,
    vendor: Url,
    next: AtomicU64,
}

/// The columns of facegate's insert (crates/facegate-server/src/store/rows.rs and sessions.rs).
const INSERT: &str = "INSERT INTO verifications (id, provider, status, reference, \
    client_secret_hash, client_secret_sealed, subject_name, subject_id_number, \
    subject_name_masked, subject_id_number_masked, return_url, vendor_ref, next_action, result, \
    vendor_state, api_key_id, idempotency_key, version, created_at, updated_at, expires_at, \
    completed_at, last_checked_at, redacted_at, subject_digest_key, subject_digest) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
    $19, $20, $21, $22, $23, $24, $25, $26)";

/// facegate's `record_start`.
const RECORD_START: &str = "UPDATE verifications SET vendor_ref = $1, next_action = $2, \
    expires_at = $3, vendor_state = $4, version = version + 1, updated_at = $5 \
    WHERE id = $6 AND version = $7";

/// A sealed value's length for `plaintext` bytes: `fg1`, key-id length, a key id of 8, the
/// 12-byte nonce, the ciphertext and the 16-byte tag (crates/facegate-server/src/pii.rs).
fn sealed(plaintext: usize) -> Vec<u8> {
    vec![0x5a; 3 + 1 + 8 + 12 + plaintext + 16]
}

fn now_millis() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}

/// Binds a creation's row; one macro because the two pools are two types.
macro_rules! insert_row {
    ($pool:expr, $id:expr, $reference:expr, $at:expr) => {{
        let name_masked = "张*";
        let id_masked = "110***********4514";
        sqlx::query(INSERT)
            .bind($id)
            .bind("sandbox")
            .bind("pending")
            .bind($reference)
            .bind(vec![0x11u8; 32])
            .bind(sealed(67))
            .bind(sealed("张三".len()))
            .bind(sealed(18))
            .bind(name_masked)
            .bind(id_masked)
            .bind("https://shop.example/done")
            .bind(None::<String>)
            .bind(None::<String>)
            .bind(None::<String>)
            .bind(None::<String>)
            .bind("bench-key")
            .bind(None::<String>)
            .bind(0i64)
            .bind($at)
            .bind($at)
            .bind($at + 120_000)
            .bind(None::<i64>)
            .bind(None::<i64>)
            .bind(None::<i64>)
            .bind("k0000001")
            .bind(vec![0x22u8; 32])
            .execute($pool)
            .await
            .map(|_| ())
    }};
}

macro_rules! record_start {
    ($pool:expr, $id:expr, $token:expr, $next_action:expr, $expires:expr, $at:expr) => {{
        sqlx::query(RECORD_START)
            .bind($token)
            .bind($next_action)
            .bind($expires)
            .bind(None::<String>)
            .bind($at)
            .bind($id)
            .bind(0i64)
            .execute($pool)
            .await
            .map(|done| done.rows_affected() == 1)
    }};
}

async fn create(
    State(state): State<Arc<Durable>>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, StatusCode> {
    let n = state.next.fetch_add(1, Ordering::Relaxed);
    let id = format!("vs_{:024}", n);
    let reference = body["reference"].as_str().map(str::to_owned);
    let at = now_millis();
    let failed = |_| StatusCode::INTERNAL_SERVER_ERROR;
    match &state.pool {
        Pool::Sqlite(pool) => insert_row!(pool, &id, &reference, at).map_err(failed)?,
        Pool::Postgres(pool) => insert_row!(pool, &id, &reference, at).map_err(failed)?,
    }
    let vendor: Value = state
        .http
        .post(state.vendor.clone())
        .bearer_auth("sandbox")
        .json(&json!({
            "reference": reference,
            "return_url": format!("http://127.0.0.1:9/v1/return/{id}"),
            "notify_url": "http://127.0.0.1:9/v1/callbacks/sandbox",
            "ttl_seconds": 7200,
        }))
        .send()
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)?
        .error_for_status()
        .map_err(|_| StatusCode::BAD_GATEWAY)?
        .json()
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)?;
    let token = vendor["token"].as_str().unwrap_or_default().to_owned();
    let page = vendor["page_url"].as_str().unwrap_or_default().to_owned();
    let expires = vendor["expires_at"].as_i64().unwrap_or(0) * 1000;
    let next_action = json!({"type": "redirect", "url": page}).to_string();
    let at = now_millis();
    let recorded = match &state.pool {
        Pool::Sqlite(pool) => record_start!(pool, &id, &token, &next_action, expires, at),
        Pool::Postgres(pool) => record_start!(pool, &id, &token, &next_action, expires, at),
    }
    .map_err(failed)?;
    if !recorded {
        return Err(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Ok(Json(json!({
        "id": id,
        "object": "verification",
        "provider": "sandbox",
        "status": "pending",
        "reference": reference,
        "client_secret": format!("{id}_secret_0123456789abcdefghijklmnopqrstuv"),
        "subject": {"name": "张*", "id_number": "110***********4514"},
        "next_action": {"type": "redirect", "url": page},
        "result": null,
        "created_at": "2026-11-27T09:00:00Z",
        "expires_at": "2026-11-27T11:00:00Z",
        "completed_at": null
    })))
}

/// Opens the database as facegate does and brings facegate's schema onto it.
async fn open(database: &str) -> anyhow::Result<Pool> {
    if database.starts_with("sqlite:") {
        let options = facegate_server::store::SqliteStore::connect_options(database)?;
        // One connection writes, as facegate's writer does.
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        sqlx::migrate!("../facegate-server/migrations/sqlite")
            .run(&pool)
            .await?;
        Ok(Pool::Sqlite(pool))
    } else {
        let options = sqlx::postgres::PgConnectOptions::from_str(database)?
            .application_name("facegate-durable");
        let pool = facegate_server::store::PostgresStore::pool_options()
            .connect_with(options)
            .await?;
        sqlx::migrate!("../facegate-server/migrations/postgres")
            .run(&pool)
            .await?;
        Ok(Pool::Postgres(pool))
    }
}

/// Serves the bare durable reference on `addr` (loopback), writing to `database`, calling the
/// sandbox at `sandbox`.
pub async fn serve(
    addr: std::net::SocketAddr,
    database: &str,
    sandbox: &Url,
) -> anyhow::Result<()> {
    let pool = open(database).await.context("opening the database")?;
    let state = Arc::new(Durable {
        pool,
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(1024)
            .build()?,
        vendor: sandbox.join("api/v1/sessions")?,
        next: AtomicU64::new(0),
    });
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/v1/verifications", post(create))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
