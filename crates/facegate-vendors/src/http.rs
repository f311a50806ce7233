//! The HTTP client every vendor module shares: rustls, timeouts, no redirects followed.

use std::time::Duration;

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
