//! The bare reference server: axum, one route that reads the JSON body and answers a session
//! of the same size as facegate's from memory. No store, no vendor call, no encryption: what
//! the HTTP stack alone costs on this machine.

use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

pub async fn serve(addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let answer = json!({
        "id": "vs_0123456789abcdefghijklmn",
        "object": "verification",
        "provider": "sandbox",
        "status": "pending",
        "reference": "ref-0",
        "client_secret": "vs_0123456789abcdefghijklmn_secret_0123456789abcdefghijklmnopqrstuv",
        "subject": {"name": "张*", "id_number": "110***********4514"},
        "next_action": {"type": "redirect", "url": "http://127.0.0.1:8090/h5/sbx_0123456789abcdefghijklmnopqrstuv"},
        "result": null,
        "created_at": "2026-11-27T09:00:00Z",
        "expires_at": "2026-11-27T11:00:00Z",
        "completed_at": null
    });
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/v1/verifications",
            post(move |Json(body): Json<Value>| {
                let mut answer = answer.clone();
                answer["reference"] = body["reference"].clone();
                async move { Json(answer) }
            }),
        );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
