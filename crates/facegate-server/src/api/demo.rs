//! The demo merchant: a tiny endpoint that creates sessions the way a merchant's own server
//! would (the API key never reaches the browser), and the built demo app (Trunk's `dist/`).
//! On in development only.

use axum::extract::{ConnectInfo, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use facegate_types::{
    CreateVerificationRequest, Provider, ProviderOptions, SubjectInput, Verification,
};
use serde::Deserialize;
use tower_http::services::{ServeDir, ServeFile};

use super::AppJson;
use crate::app::AppState;
use crate::error::AppResult;
use crate::i18n::RequestLocale;
use crate::session;
use crate::view;

/// `POST /demo/api/start`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartDemo {
    pub provider: Provider,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub return_url: Option<String>,
    /// aliyun_cloudauth: the page's `getMetaInfo()` string, passed as `options.meta_info`.
    #[serde(default)]
    pub meta_info: Option<String>,
}

/// `POST /demo/api/start`, and the built demo app at every other path; or, when the app is
/// not built, a page at `/` that says how to build it.
pub fn router(state: &AppState) -> Router<AppState> {
    let router = Router::new().route("/demo/api/start", post(start));
    let dir = &state.settings.server.demo_dir;
    if dir.join("index.html").exists() {
        let app = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
        router.fallback_service(app)
    } else {
        router.route("/", get(not_built))
    }
}

async fn start(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    AppJson(request): AppJson<StartDemo>,
) -> AppResult<Json<Verification>> {
    state.limits.check("demo", peer.ip())?;
    let subject = match (request.name, request.id_number) {
        (Some(name), Some(id_number)) => Some(SubjectInput { name, id_number }),
        _ => None,
    };
    let return_url = request
        .return_url
        .unwrap_or_else(|| state.core.urls.public_url("return").to_string());
    let new = super::verifications::create::validate(
        &state,
        CreateVerificationRequest {
            provider: request.provider,
            reference: None,
            subject,
            return_url,
            reference_image: None,
            options: request.meta_info.map(|meta_info| ProviderOptions {
                meta_info: Some(meta_info),
                ..ProviderOptions::default()
            }),
        },
        Some("demo".into()),
        None,
    )?;
    let (record, secret) = session::create(&state.core, new).await?;
    Ok(Json(view::verification(&record, Some(&secret))))
}

/// Shown at `/` when the demo is on but not built.
async fn not_built(RequestLocale(locale): RequestLocale) -> impl IntoResponse {
    (
        axum::http::StatusCode::NOT_FOUND,
        RequestLocale(locale).headers(),
        crate::i18n::text(locale).get("demo-not-built"),
    )
}
