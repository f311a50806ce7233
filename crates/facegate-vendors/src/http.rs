//! The HTTP path every vendor client shares: the reqwest client (rustls, timeouts, no redirects
//! followed), and one send -> decode path ([`exchange`]) that carries the request id, records
//! the metrics, and maps 429 (with its `Retry-After`), 5xx and transport failures (timeouts,
//! refused connections) onto [`VendorError`] once, for every vendor. What differs per vendor
//! is only its documented error shape, which each passes in as a decoder (its `codes.rs`).

use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

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

/// A vendor's answer, read in full.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as the documented JSON of type `T`; [`VendorError::Decode`] when it is not.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, VendorError> {
        serde_json::from_slice(&self.body).map_err(|error| VendorError::Decode(error.to_string()))
    }

    /// A header's value, when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }
}

/// Sends one vendor request and reads the answer: the one path every client takes.
///
/// `error_body` is the vendor's documented error shape: given any answer (a 200 whose body
/// carries an error code, a 4xx body, a gateway's header), the error it means, or `None` when
/// the answer is not an error. The HTTP status is then read here, the same for every vendor:
/// - 429: [`VendorError::RateLimited`] with the `Retry-After` seconds, and the vendor's own
///   code where its error body gives one (else `429`);
/// - 5xx: [`VendorError::Unavailable`];
/// - anything else that `error_body` calls an error: that error;
/// - any other non-2xx: [`VendorError::Unauthorized`] for 401 / 403, else [`VendorError::Api`]
///   with the status as its code;
/// - a transport failure (a timeout, a refused connection, a body cut short):
///   [`VendorError::Unavailable`], through `From<reqwest::Error>`.
///
/// The request goes out through `send` (request id, metrics, one log line).
pub async fn exchange(
    vendor: &'static str,
    call: &str,
    request: reqwest::RequestBuilder,
    error_body: impl FnOnce(&Reply) -> Option<VendorError>,
) -> Result<Reply, VendorError> {
    let mut response = send(vendor, call, request).await?;
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = response.bytes().await?.to_vec();
    let reply = Reply {
        status,
        headers,
        body,
    };
    let error = error_body(&reply);
    if status == StatusCode::TOO_MANY_REQUESTS {
        let code = error.as_ref().and_then(VendorError::vendor_code);
        return Err(VendorError::RateLimited {
            code: code.unwrap_or("429").to_owned(),
            retry_after: retry_after(&reply.headers),
        });
    }
    if status.is_server_error() {
        return Err(VendorError::Unavailable(format!(
            "{vendor} answered HTTP {}",
            status.as_u16()
        )));
    }
    match error {
        Some(error) => Err(error),
        None if status.is_success() => Ok(reply),
        None => Err(by_status(status)),
    }
}

/// A non-2xx answer whose body is not the vendor's error shape.
fn by_status(status: StatusCode) -> VendorError {
    let code = status.as_u16().to_string();
    let message = status.canonical_reason().unwrap_or("unknown").to_owned();
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            VendorError::Unauthorized { code, message }
        }
        _ => VendorError::api(code, message, None),
    }
}

/// Reads a `Retry-After` header given in seconds (the form the vendors use).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Sends one vendor request: adds `X-Request-Id` when a request id is in scope, times the call
/// into [`metric::CALL_DURATION`], counts a non-2xx answer or a transport failure into
/// [`metric::CALL_ERRORS`], and logs one line in a `vendor_call` span (vendor, call and
/// request id; never the URL, whose query may carry an access token or a secret).
async fn send(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(reqwest::header::RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    /// A vendor on a loopback port that answers `GET /{status}` with that status, a
    /// `Retry-After` of 7 and the body `{"code": "<status>"}`.
    async fn vendor() -> url::Url {
        use axum::extract::Path;
        use axum::http::StatusCode as Status;
        let router = axum::Router::new().route(
            "/{status}",
            axum::routing::get(|Path(status): Path<u16>| async move {
                (
                    Status::from_u16(status).unwrap(),
                    [("retry-after", "7")],
                    format!(r#"{{"code": "{status}"}}"#),
                )
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = url::Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        url
    }

    /// The test vendor's error shape: `{"code"}` other than "200" is an error.
    fn error_body(reply: &Reply) -> Option<VendorError> {
        #[derive(serde::Deserialize)]
        struct Body {
            code: String,
        }
        let body: Body = reply.json().ok()?;
        (body.code != "200")
            .then(|| VendorError::invalid(format!("vendor-{}", body.code), String::new(), None))
    }

    #[tokio::test]
    async fn statuses_are_mapped_once_and_the_vendor_shape_decides_the_rest() {
        let base = vendor().await;
        let http = client(Timeouts::default()).unwrap();
        let call = |status: u16| {
            let request = http.get(base.join(&status.to_string()).unwrap());
            exchange("test", "call", request, error_body)
        };
        let reply = call(200).await.unwrap();
        assert_eq!(reply.header("retry-after"), Some("7"));
        assert_eq!(reply.json::<serde_json::Value>().unwrap()["code"], "200");
        match call(429).await {
            Err(VendorError::RateLimited { code, retry_after }) => {
                assert_eq!(code, "vendor-429", "the vendor's own code");
                assert_eq!(retry_after, Some(Duration::from_secs(7)));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(call(503).await, Err(VendorError::Unavailable(_))));
        assert!(matches!(
            call(400).await,
            Err(VendorError::InvalidRequest { code, .. }) if code == "vendor-400"
        ));
        // A non-2xx answer that is not the vendor's shape is read by its status.
        let plain = |status: u16| {
            let request = http.get(base.join(&status.to_string()).unwrap());
            exchange("test", "call", request, |_| None)
        };
        assert!(matches!(
            plain(403).await,
            Err(VendorError::Unauthorized { code, .. }) if code == "403"
        ));
        assert!(matches!(
            plain(404).await,
            Err(VendorError::Api { code, .. }) if code == "404"
        ));
        match plain(429).await {
            Err(VendorError::RateLimited { code, .. }) => assert_eq!(code, "429"),
            other => panic!("{other:?}"),
        }
        // A vendor that does not answer at all.
        let closed = http.get("http://127.0.0.1:9/");
        assert!(matches!(
            exchange("test", "call", closed, |_| None).await,
            Err(VendorError::Unavailable(_))
        ));
    }
}
