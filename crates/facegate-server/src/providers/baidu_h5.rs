//! `baidu_h5`: Baidu AI H5 人脸实名认证 (seed 001) over `facegate_vendors::baidu_h5`.
//!
//! verifyToken/generate at create, then idcard/submit (a subject) or uploadMatchImage (a
//! reference image) before the redirect; result/detail (with getall's threshold) decides.
//! Baidu has no notify: the return and the reconciler ask. Both successUrl and failedUrl are
//! facegate's return endpoint: which one the page chose is a hint nobody needs.

use async_trait::async_trait;
use facegate_types::{NextAction, Provider};
use facegate_vendors::baidu_h5::{
    BaiduH5Client, CertificateType, Control, IdCardSubmitRequest, MatchImage,
};
use facegate_vendors::wire::Pii;
use facegate_vendors::VendorError;
use url::Url;

use super::{Evidence, Observation, ProviderAdapter, ProviderError, StartRequest, Started};
use crate::domain::Subject;
use crate::store::SessionRecord;

/// verify_token lives 2 hours (seed 001).
const TOKEN_LIFETIME: time::Duration = time::Duration::hours(2);

pub struct BaiduH5Provider {
    client: BaiduH5Client,
}

impl BaiduH5Provider {
    pub fn new(client: BaiduH5Client) -> Self {
        Self { client }
    }

    /// The client, for the merchant's extra queries (result/simple, stat, media, getall).
    pub fn client(&self) -> &BaiduH5Client {
        &self.client
    }
}

/// Baidu's parameter names (its `param[...]` errors), as the create request calls them.
fn request_field(vendor_key: &str) -> &'static str {
    match vendor_key {
        "id_name" => "subject.name",
        "id_no" => "subject.id_number",
        "certificate_type" => "options.certificate_type",
        "image" => "reference_image",
        "quality_control" => "options.quality_control",
        "liveness_control" => "options.liveness_control",
        _ => "subject",
    }
}

/// Baidu's start, parsed: whom to check (指定用户: idcard/submit) and against what image
/// (自建人脸库: uploadMatchImage), then where the page sends the user back.
pub struct BaiduH5Start {
    id_card: Option<IdCard>,
    image: Option<ImageMatch>,
    return_url: Url,
}

/// idcard/submit's fields but the verify_token, which the start's first call issues.
struct IdCard {
    id_name: Pii,
    id_no: Pii,
    certificate_type: CertificateType,
}

/// uploadMatchImage's fields but the verify_token.
struct ImageMatch {
    image: MatchImage,
    quality_control: Option<Control>,
    liveness_control: Option<Control>,
}

fn control(field: &str, value: Option<&str>) -> Result<Option<Control>, ProviderError> {
    value
        .map(|value| match value {
            "NONE" => Ok(Control::None),
            "LOW" => Ok(Control::Low),
            "NORMAL" => Ok(Control::Normal),
            "HIGH" => Ok(Control::High),
            _ => Err(ProviderError::invalid(
                field,
                "must be NONE, LOW, NORMAL or HIGH",
            )),
        })
        .transpose()
}

#[async_trait]
impl ProviderAdapter for BaiduH5Provider {
    type Start = BaiduH5Start;

    fn provider(&self) -> Provider {
        Provider::BaiduH5
    }

    fn prepare(&self, request: &StartRequest<'_>) -> Result<BaiduH5Start, ProviderError> {
        let options = request.options;
        let certificate_type = match options.certificate_type {
            None | Some(0) => CertificateType::from_code(0),
            Some(4) => CertificateType::from_code(4),
            Some(_) => None,
        }
        .ok_or_else(|| {
            ProviderError::invalid(
                "options.certificate_type",
                "must be 0 (ID card) or 4 (residence permit)",
            )
        })?;
        let quality_control = control(
            "options.quality_control",
            options.quality_control.as_deref(),
        )?;
        let liveness_control = control(
            "options.liveness_control",
            options.liveness_control.as_deref(),
        )?;
        let image = request
            .reference_image
            .map(MatchImage::from_bytes)
            .transpose()
            .map_err(|error| ProviderError::invalid("reference_image", error.to_string()))?;
        if request.subject.is_none() && image.is_none() {
            return Err(ProviderError::invalid(
                "subject",
                "baidu_h5 needs the subject (指定用户) or a reference_image (自建人脸库)",
            ));
        }
        Ok(BaiduH5Start {
            id_card: request.subject.map(|subject| IdCard {
                id_name: Pii::new(subject.name.expose()),
                id_no: Pii::new(subject.id_number.expose()),
                certificate_type,
            }),
            image: image.map(|image| ImageMatch {
                image,
                quality_control,
                liveness_control,
            }),
            return_url: request.return_url.clone(),
        })
    }

    async fn start(&self, start: BaiduH5Start) -> Result<Started, ProviderError> {
        let verify_token = self.client.generate_verify_token().await?;
        if let Some(id_card) = start.id_card {
            self.client
                .submit_id_card(&IdCardSubmitRequest {
                    verify_token: verify_token.clone(),
                    id_name: id_card.id_name,
                    id_no: id_card.id_no,
                    certificate_type: id_card.certificate_type,
                })
                .await
                .map_err(|error| ProviderError::vendor_with_fields(error, request_field))?;
        }
        if let Some(matched) = start.image {
            self.client
                .upload_match_image(
                    &verify_token,
                    &matched.image,
                    matched.quality_control,
                    matched.liveness_control,
                )
                .await
                .map_err(|error| ProviderError::vendor_with_fields(error, request_field))?;
        }
        let page = self
            .client
            .page_url(&verify_token, &start.return_url, &start.return_url);
        Ok(Started {
            vendor_ref: verify_token.expose().to_owned(),
            next_action: NextAction::Redirect {
                url: page.to_string(),
            },
            expires_at: crate::session::now() + TOKEN_LIFETIME,
            vendor_state: None,
        })
    }

    async fn observe(
        &self,
        session: &SessionRecord,
        _subject: Option<&Subject>,
        _evidence: Option<&Evidence>,
    ) -> Result<Observation, ProviderError> {
        let Some(token) = session.vendor_ref.as_deref() else {
            return Ok(Observation::Pending);
        };
        match self.client.confirm(&Pii::new(token)).await {
            Ok(Some(result)) => Ok(Observation::confirmed(result)),
            Ok(None) => Ok(Observation::Pending),
            // "Token无效或者已过期" after the token's lifetime: the user never finished.
            Err(VendorError::InvalidRequest {
                field: Some(field), ..
            }) if field == "verify_token" && crate::session::now() >= session.expires_at => {
                Ok(Observation::Expired)
            }
            Err(error) => Err(error.into()),
        }
    }
}
