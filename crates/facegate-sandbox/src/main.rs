//! `facegate-sandbox`: runs the vendor simulator on its own port.
//!
//! `FACEGATE_SANDBOX_ADDR` (default 127.0.0.1:8090) and `FACEGATE_SANDBOX_PUBLIC_URL` (default
//! `http://ADDR/`).

use facegate_sandbox::SandboxConfig;
use url::Url;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let addr = std::env::var("FACEGATE_SANDBOX_ADDR").unwrap_or_else(|_| "127.0.0.1:8090".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let local = listener.local_addr()?;
    let public = match std::env::var("FACEGATE_SANDBOX_PUBLIC_URL") {
        Ok(url) => Url::parse(&url)?,
        Err(_) => Url::parse(&format!("http://{local}/"))?,
    };
    println!("facegate-sandbox listening on http://{local}/ (public {public})");
    facegate_sandbox::serve(listener, SandboxConfig::new(public), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
