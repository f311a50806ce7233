//! The HTTP client every vendor module shares: rustls, timeouts, no redirects followed.

use std::time::{Duration, Instant};

use crate::VendorError;

/// Connect and whole-request timeouts for vendor calls.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub connect: Duration,
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(3),
            request: Duration::from_secs(10),
        }
    }
}

/// Builds the reqwest client for vendor calls. Redirects are not followed: a vendor API that
/// redirects is misconfigured, and following could send a token to another host.
pub fn client(timeouts: Timeouts) -> Result<reqwest::Client, VendorError> {
    reqwest::Client::builder()
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.request)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("facegate/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|_| VendorError::Unavailable("the HTTP client could not be built".into()))
}

/// Reads a response body as JSON of type `T`, naming the vendor's shape on failure.
pub async fn read_json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, VendorError> {
    let bytes = response.bytes().await?;
    serde_json::from_slice(&bytes).map_err(|error| VendorError::Decode(error.to_string()))
}

/// The header that carries a request's correlation id to the vendor.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Metric names recorded through the `metrics` facade (nothing is recorded unless the
/// application installs a recorder, as facegate's server does for `/metrics`).
pub mod metric {
    /// Histogram, seconds, labels `vendor`, `call`.
    pub const CALL_DURATION: &str = "facegate_vendor_call_duration_seconds";
    /// Counter, labels `vendor`, `call`, `kind` (`http_4xx`, `http_5xx`, `timeout`,
    /// `unreachable`): the call got no 2xx answer.
    pub const CALL_ERRORS: &str = "facegate_vendor_call_errors_total";
    /// Counter, labels `vendor`, `charge` (`ocr`, `match`, `verify`): what the vendor says it
    /// charged (Baidu's result/getall, read when a session is confirmed).
    pub const CHARGES: &str = "facegate_vendor_charges_total";
}

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `future` with `request_id` as the correlation id of every vendor call made in it.
pub async fn with_request_id<F: std::future::Future>(request_id: String, future: F) -> F::Output {
    REQUEST_ID.scope(request_id, future).await
}

/// The correlation id of the current request, inside [`with_request_id`].
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Sends one vendor request: adds `X-Request-Id` when a request id is in scope, times the call
/// into [`metric::CALL_DURATION`], counts a non-2xx answer or a transport failure into
/// [`metric::CALL_ERRORS`], and logs one line in a `vendor_call` span (vendor, call and
/// request id; never the URL, whose query may carry an access token or a secret).
pub async fn send(
    vendor: &'static str,
    call: &str,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, reqwest::Error> {
    use tracing::Instrument;

    let request_id = current_request_id();
    let request = match &request_id {
        Some(id) => request.header(REQUEST_ID_HEADER, id),
        None => request,
    };
    let span = tracing::info_span!(
        "vendor_call",
        vendor,
        call,
        request_id = request_id.as_deref().unwrap_or_default(),
    );
    let started = Instant::now();
    let result = request.send().instrument(span.clone()).await;
    let elapsed = started.elapsed();
    metrics::histogram!(metric::CALL_DURATION, "vendor" => vendor, "call" => call.to_owned())
        .record(elapsed.as_secs_f64());
    let (status, failure) = match &result {
        Ok(response) if response.status().is_success() => (response.status().as_u16(), None),
        Ok(response) if response.status().is_server_error() => {
            (response.status().as_u16(), Some("http_5xx"))
        }
        Ok(response) => (response.status().as_u16(), Some("http_4xx")),
        Err(error) if error.is_timeout() => (0, Some("timeout")),
        Err(_) => (0, Some("unreachable")),
    };
    if let Some(kind) = failure {
        metrics::counter!(metric::CALL_ERRORS, "vendor" => vendor, "call" => call.to_owned(), "kind" => kind)
            .increment(1);
    }
    let elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    span.in_scope(|| match failure {
        None => tracing::info!(status, elapsed_ms, "vendor call"),
        Some(kind) => tracing::warn!(status, elapsed_ms, kind, "vendor call failed"),
    });
    result
}
