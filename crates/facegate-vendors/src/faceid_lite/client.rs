//! The reqwest client: `get_biz_token` (form or multipart), the Lite page URL, `get_result`;
//! every call with `Authorization: APPCODE <code>`.

use reqwest::header::AUTHORIZATION;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::codes;
use super::types::*;
use crate::http;
use crate::VendorError;

/// The vendor label of this module's calls (logs and metrics).
const VENDOR: &str = "faceid_lite";

/// A FaceID Lite client.
#[derive(Clone)]
pub struct FaceidLiteClient {
    http: reqwest::Client,
    api_base: Url,
    h5_base: Url,
    appcode: SecretString,
}

impl std::fmt::Debug for FaceidLiteClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceidLiteClient")
            .field("api_base", &self.api_base.as_str())
            .field("h5_base", &self.h5_base.as_str())
            .field("appcode", &"<redacted>")
            .finish()
    }
}

impl FaceidLiteClient {
    /// `api_base`: `https://fidlite.market.alicloudapi.com`; `h5_base`: `https://openapi.faceid.com`.
    pub fn new(http: reqwest::Client, api_base: Url, h5_base: Url, appcode: SecretString) -> Self {
        Self {
            http,
            api_base,
            h5_base,
            appcode,
        }
    }

    fn endpoint(base: &Url, segments: &[&str]) -> Result<Url, VendorError> {
        let mut url = base.clone();
        url.path_segments_mut()
            .map_err(|_| VendorError::Decode("the base URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// The Lite URL the user's browser opens: `{h5}/lite/v1/do/{biz_token}`, built as the wasm
    /// helper builds it ([`facegate_types::front_end::pages::faceid_lite_page_url`]).
    pub fn page_url(&self, biz_token: &str) -> Result<Url, VendorError> {
        let mut host = self.h5_base.clone();
        if host.cannot_be_a_base() {
            return Err(VendorError::Decode(
                "the base URL cannot take a path".into(),
            ));
        }
        host.set_query(None);
        host.set_fragment(None);
        let page = facegate_types::front_end::pages::faceid_lite_page_url(host.as_str(), biz_token);
        Url::parse(&page).map_err(|_| VendorError::Decode("the page URL does not parse".into()))
    }

    fn authorization(&self) -> String {
        format!("APPCODE {}", self.appcode.expose_secret())
    }

    /// Step 1: a biz_token for one user's flow.
    pub async fn get_biz_token(
        &self,
        request: &GetBizTokenRequest,
    ) -> Result<BizToken, VendorError> {
        let fields = request.form_fields()?;
        let images = request.images();
        let url = Self::endpoint(&self.api_base, &["lite", "v1", "get_biz_token"])?;
        let builder = self
            .http
            .post(url)
            .header(AUTHORIZATION, self.authorization());
        let builder = if images.is_empty() {
            builder.form(&fields)
        } else {
            let size: usize = images
                .iter()
                .map(|(_, image)| image.bytes.len())
                .sum::<usize>()
                + fields.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
            if size > MAX_REQUEST_BYTES {
                return Err(VendorError::invalid(
                    "REQUEST_ENTITY_TOO_LARGE",
                    "the request is over the 20 MB limit (checked before sending)",
                    Some("image_ref1".into()),
                ));
            }
            let mut form = reqwest::multipart::Form::new();
            for (key, value) in fields {
                form = form.text(key, value);
            }
            for (key, image) in images {
                let file_name = if image.file_name.is_empty() {
                    format!("{}.jpg", key.trim_start_matches("image_"))
                } else {
                    image.file_name.clone()
                };
                form = form.part(
                    key,
                    reqwest::multipart::Part::bytes(image.bytes.clone()).file_name(file_name),
                );
            }
            builder.multipart(form)
        };
        http::exchange(VENDOR, "get_biz_token", builder, codes::error_body)
            .await?
            .json()
    }

    /// Step 3: the result of one flow (repeated fetches are limited: keep the first final one).
    pub async fn get_result(&self, biz_token: &str) -> Result<GetResult, VendorError> {
        let mut url = Self::endpoint(&self.api_base, &["lite", "v1", "get_result"])?;
        url.query_pairs_mut().append_pair("biz_token", biz_token);
        let request = self
            .http
            .get(url)
            .header(AUTHORIZATION, self.authorization());
        http::exchange(VENDOR, "get_result", request, codes::error_body)
            .await?
            .json()
    }
}
