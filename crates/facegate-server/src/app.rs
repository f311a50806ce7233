//! The application: state, router and the listener, built once from `Settings`.
//! `Application::build` binds first and reports the port, so every test spawns its own.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use anyhow::Context;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::response::Response;
use axum::Router;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use tokio_util::sync::CancellationToken;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use url::Url;

use crate::config::{SandboxBases, Settings};
use crate::domain::{secret_hash, ReturnUrlPolicy};
use crate::error::InternalError;
use crate::pii::PiiCipher;
use crate::providers::registry::{ClientContext, VendorClients, VendorTokens};
use crate::session::{Clock, SessionContext, Urls};
use crate::store::{self, Store};
use crate::{api, workers};

/// Shared by every handler and worker.
pub type AppState = Arc<App>;

pub struct App {
    pub settings: Settings,
    /// The session core's context: store, providers, PII cipher, clock, URLs.
    pub core: SessionContext,
    pub api_keys: ApiKeys,
    pub return_policy: ReturnUrlPolicy,
    pub vendor_extras: api::vendor_extras::VendorExtras,
    pub limits: crate::limits::CreationLimits,
}

/// Merchant API keys, held as hashes; a key's id is the start of its hash.
pub struct ApiKeys {
    keys: Vec<(String, Vec<u8>)>,
}

impl ApiKeys {
    pub fn new<'a>(keys: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            keys: keys
                .into_iter()
                .map(|key| {
                    let hash = secret_hash(key);
                    (format!("key_{}", hex::encode(&hash[..6])), hash)
                })
                .collect(),
        }
    }

    /// The id of the matching key. Every stored key is compared, in constant time.
    pub fn verify(&self, presented: &str) -> Option<String> {
        let hash = secret_hash(presented);
        let mut found = None;
        for (id, stored) in &self.keys {
            if bool::from(stored.ct_eq(&hash)) {
                found = Some(id.clone());
            }
        }
        found
    }
}

/// The development key, when `serve` made or reused one.
pub struct DevKey {
    pub key: SecretString,
    pub path: std::path::PathBuf,
    pub created: bool,
}

/// A bound, ready server.
pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
    state: AppState,
    local_addr: SocketAddr,
    pub dev_key: Option<DevKey>,
}

impl Application {
    pub async fn build(mut settings: Settings) -> anyhow::Result<Self> {
        let data_dir = &settings.store.data_dir;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
        let listener = tokio::net::TcpListener::bind(settings.server.addr)
            .await
            .with_context(|| format!("binding {}", settings.server.addr))?;
        let local_addr = listener.local_addr()?;
        let public = match &settings.server.public_url {
            Some(url) => url.clone(),
            None => Url::parse(&format!("http://{local_addr}/"))?,
        };
        let urls = Urls::new(public);

        let store = store::connect(&settings.store.database_url_or_default())
            .await
            .context("opening the database")?;
        let pii = load_pii(&settings)?;
        let dev_key = if settings.access.api_keys.is_empty() && settings.is_dev() {
            Some(dev_key(&settings)?)
        } else {
            None
        };
        if settings.access.api_keys.is_empty()
            && dev_key.is_none()
            && !has_stored_key(&store).await?
        {
            anyhow::bail!(
                "no API key is configured: set FACEGATE_API_KEYS or run `facegate keys create`"
            );
        }
        let api_keys = match &dev_key {
            Some(dev) => ApiKeys::new([dev.key.expose_secret()]),
            None => ApiKeys::new(
                settings
                    .access
                    .api_keys
                    .iter()
                    .map(ExposeSecret::expose_secret),
            ),
        };
        let mut return_policy =
            ReturnUrlPolicy::new(&settings.server.return_url_allowlist, settings.is_dev())
                .map_err(|error| anyhow::anyhow!("return_url_allowlist: {error}"))?;
        return_policy.allow(urls.base().origin());

        // Installed before any vendor call, so /metrics counts every one.
        crate::telemetry::prometheus();
        let vendor_http = facegate_vendors::http::client(settings.resilience.timeouts())?;
        let embedded = SandboxBases {
            internal: Url::parse(&format!("http://{}/sandbox/", loopback(local_addr)))?,
            public: urls.public_url("sandbox/"),
        };
        let sandbox = &settings.vendors.sandbox;
        let embedded_sandbox = sandbox.wants_embedded().then(|| {
            let mut config = facegate_sandbox::SandboxConfig::new(embedded.public.clone());
            config.api_key = sandbox.api_key.expose_secret().to_owned();
            config.default_ttl = sandbox.ttl;
            // Anyone who reaches this server reaches its sandbox: no fault switch for them.
            config.fault_injection = false;
            facegate_sandbox::router(config)
        });
        settings.vendors.use_embedded_sandbox(&embedded);
        let tokens = VendorTokens {
            store: store.clone(),
            pii: pii.clone(),
        };
        let clients = VendorClients::build(
            &settings.vendors,
            &ClientContext {
                http: &vendor_http,
                tokens: Some(&tokens),
            },
        );
        let mut providers = clients.providers(&settings.vendors);
        crate::providers::resilience::wrap_all(&mut providers, &settings.resilience);
        let vendor_extras = api::vendor_extras::VendorExtras::new(&clients);
        let limits = crate::limits::CreationLimits::new(
            settings.limits.create_per_minute_per_key,
            settings.limits.create_per_minute_per_ip,
        );
        let core = SessionContext {
            store,
            providers,
            pii,
            clock: Clock::system(),
            urls,
            keep_media: settings.retention.media_retention_days > 0,
            refresh_interval: time::Duration::try_from(settings.polling.refresh_interval)
                .unwrap_or(time::Duration::MAX),
        };
        let state: AppState = Arc::new(App {
            settings,
            core,
            api_keys,
            return_policy,
            vendor_extras,
            limits,
        });
        let router = router(&state, embedded_sandbox);
        Ok(Self {
            listener,
            router,
            state,
            local_addr,
            dev_key,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves, and runs the background workers, until `shutdown` is canceled.
    pub async fn run(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let workers = workers::spawn(self.state.clone(), shutdown.clone());
        let stop = shutdown.clone();
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await?;
        shutdown.cancel();
        workers.wait().await;
        Ok(())
    }
}

/// Whether `facegate keys create` made a key that is still valid.
async fn has_stored_key(store: &Arc<dyn Store>) -> anyhow::Result<bool> {
    let keys = store.list_api_keys().await?;
    Ok(keys.iter().any(|key| key.revoked_at.is_none()))
}

/// Where this server reaches itself: the bound address, with 0.0.0.0 / [::] as loopback.
fn loopback(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        ip if ip.is_unspecified() => SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port()),
        _ => addr,
    }
}

fn load_pii(settings: &Settings) -> anyhow::Result<PiiCipher> {
    if let Some(key) = &settings.pii.key {
        return Ok(PiiCipher::new(key, &settings.pii.previous_keys)?);
    }
    if !settings.is_dev() {
        anyhow::bail!("FACEGATE_PII_KEY is required outside development (32 bytes, base64)");
    }
    let path = settings.store.data_dir.join("pii.key");
    let (cipher, created) = PiiCipher::load_or_generate(&path)?;
    if created {
        tracing::warn!(path = %path.display(), "generated a development PII key");
    }
    Ok(cipher)
}

fn dev_key(settings: &Settings) -> anyhow::Result<DevKey> {
    use rand::distributions::{Alphanumeric, DistString};
    let path = settings.store.data_dir.join("dev-api-key");
    match std::fs::read_to_string(&path) {
        Ok(key) => Ok(DevKey {
            key: SecretString::from(key.trim().to_owned()),
            path,
            created: false,
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let key = format!(
                "fg_dev_{}",
                Alphanumeric.sample_string(&mut rand::thread_rng(), 32)
            );
            crate::pii::write_private(&path, key.as_bytes())?;
            Ok(DevKey {
                key: SecretString::from(key),
                path,
                created: true,
            })
        }
        Err(error) => Err(error).context("reading the development API key"),
    }
}

fn router(state: &AppState, embedded_sandbox: Option<Router>) -> Router {
    let mut router = api::router(state).with_state(state.clone());
    if let Some(sandbox) = embedded_sandbox {
        router = router.nest_service("/sandbox", sandbox);
    }
    let request_id = HeaderName::from_static("x-request-id");
    router
        .layer(axum::middleware::from_fn(
            crate::telemetry::scope_request_id,
        ))
        .layer(axum::middleware::from_fn(crate::error::json_rejections))
        .layer(DefaultBodyLimit::max(state.settings.server.max_body_bytes))
        .layer(axum::middleware::map_response(log_internal_errors))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let request_id = request
                        .headers()
                        .get("x-request-id")
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default();
                    // The path only: the query may carry a client_secret.
                    tracing::info_span!(
                        "http",
                        method = %request.method(),
                        path = %request.uri().path(),
                        request_id = %request_id,
                    )
                })
                .on_request(())
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                ),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(axum::middleware::from_fn(
            crate::telemetry::drop_insane_request_id,
        ))
}

async fn log_internal_errors(response: Response) -> Response {
    if let Some(InternalError(error)) = response.extensions().get::<InternalError>() {
        tracing::error!(status = %response.status(), error = %format!("{error:#}"), "request failed");
    }
    response
}
