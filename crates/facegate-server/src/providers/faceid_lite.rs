//! `faceid_lite`: Megvii FaceID Lite H5 (seed 004) over `facegate_vendors::faceid_lite`.
//!
//! get_biz_token at create (one billable call), the Lite page as the redirect, get_result to
//! decide (the notify and the user's return only trigger it), the verdict with the confidence
//! and the threshold the session's security_level selects.

use async_trait::async_trait;
use axum::response::IntoResponse;
use facegate_types::{Comparison as RequestedComparison, NextAction, Provider};
use facegate_vendors::faceid_lite::{
    Comparison, FaceidLiteClient, GetBizTokenRequest, IdcardSide, Images, LivenessPreference,
    Notify, ReferenceImage, ResultState, SecurityLevel,
};
use serde_json::json;

use super::{
    Callback, CallbackOutcome, CallbackRejected, Evidence, Observation, ProviderAdapter,
    ProviderError, SessionKey, StartRequest, Started, VendorMedia,
};
use crate::domain::Subject;
use crate::store::SessionRecord;

/// biz_token lives one hour (seed 004).
const TOKEN_LIFETIME: time::Duration = time::Duration::hours(1);

pub struct FaceidLiteProvider {
    client: FaceidLiteClient,
}

impl FaceidLiteProvider {
    pub fn new(client: FaceidLiteClient) -> Self {
        Self { client }
    }
}

/// The vendor's argument names, as the create request calls them.
fn request_field(vendor_key: &str) -> &'static str {
    match vendor_key {
        "idcard_name" => "subject.name",
        "idcard_number" => "subject.id_number",
        "image_ref1" => "reference_image",
        "image_ref2" => "options.reference_image_2",
        "biz_no" => "reference",
        "security_level" => "options.security_level",
        "liveness_preferences" => "options.liveness_preferences",
        "liveness_retry_count" => "options.liveness_retry_count",
        "idcard_threshold" => "options.idcard_threshold",
        "idcard_retry_time" => "options.idcard_retry_time",
        "idcard_side" => "options.idcard_side",
        "uuid" => "options.uuid",
        _ => "options",
    }
}

fn build_request(request: &StartRequest<'_>) -> Result<GetBizTokenRequest, ProviderError> {
    let options = request.options;
    let mode = options
        .comparison
        .unwrap_or(match (request.subject, request.reference_image) {
            (_, Some(_)) => RequestedComparison::Reference,
            (Some(_), None) => RequestedComparison::Authority,
            (None, None) => RequestedComparison::Ocr,
        });
    let comparison = match mode {
        RequestedComparison::Authority => {
            let subject =
                request.required_subject("faceid_lite's authority comparison needs the subject")?;
            Comparison::Authority {
                idcard_name: subject.name.expose().into(),
                idcard_number: subject.id_number.expose().into(),
            }
        }
        RequestedComparison::Ocr => Comparison::AuthorityOcr {
            idcard_threshold: options.idcard_threshold,
            idcard_retry_time: options.idcard_retry_time,
            idcard_side: match options.idcard_side {
                None => None,
                Some(0) => Some(IdcardSide::Both),
                Some(1) => Some(IdcardSide::PortraitOnly),
                Some(_) => {
                    return Err(ProviderError::invalid(
                        "options.idcard_side",
                        "must be 0 or 1",
                    ))
                }
            },
        },
        RequestedComparison::Reference => {
            let image = request.reference_image.ok_or_else(|| {
                ProviderError::invalid(
                    "reference_image",
                    "faceid_lite's reference comparison needs a reference_image",
                )
            })?;
            Comparison::Reference {
                uuid: options
                    .uuid
                    .clone()
                    .unwrap_or_else(|| request.verification_id.to_owned()),
                image_ref1: ReferenceImage::new(image.to_vec()),
                image_ref2: request
                    .reference_image_2
                    .map(|image| ReferenceImage::new(image.to_vec())),
            }
        }
    };
    let security_level = options
        .security_level
        .map(SecurityLevel::try_from)
        .transpose()
        .map_err(|_| ProviderError::invalid("options.security_level", "must be 1, 2 or 3"))?;
    let liveness_preferences = match options.liveness_preferences {
        None => None,
        Some(1) => Some(LivenessPreference::Loose),
        Some(2) => Some(LivenessPreference::Strict),
        Some(_) => {
            return Err(ProviderError::invalid(
                "options.liveness_preferences",
                "must be 1 or 2",
            ))
        }
    };
    Ok(GetBizTokenRequest {
        return_url: request.return_url.clone(),
        notify_url: request.notify_url.clone(),
        biz_no: request.reference.map(str::to_owned),
        comparison,
        security_level,
        liveness_preferences,
        liveness_retry_count: options.liveness_retry_count,
    })
}

#[async_trait]
impl ProviderAdapter for FaceidLiteProvider {
    /// get_biz_token's request, every documented argument typed.
    type Start = GetBizTokenRequest;

    fn provider(&self) -> Provider {
        Provider::FaceidLite
    }

    /// The options into FaceID's types, and its arguments checked as FaceID checks them
    /// (ranges, lengths), before anything is written.
    fn prepare(&self, request: &StartRequest<'_>) -> Result<GetBizTokenRequest, ProviderError> {
        let vendor_request = build_request(request)?;
        vendor_request
            .form_fields()
            .map_err(|error| ProviderError::vendor_with_fields(error, request_field))?;
        Ok(vendor_request)
    }

    async fn start(&self, vendor_request: GetBizTokenRequest) -> Result<Started, ProviderError> {
        let security_level = vendor_request.security_level.unwrap_or_default();
        let answer = self
            .client
            .get_biz_token(&vendor_request)
            .await
            .map_err(|error| ProviderError::vendor_with_fields(error, request_field))?;
        let biz_token = answer.biz_token.expose().to_owned();
        let page = self.client.page_url(&biz_token)?;
        Ok(Started {
            vendor_ref: biz_token,
            next_action: NextAction::Redirect {
                url: page.to_string(),
            },
            expires_at: crate::session::now() + TOKEN_LIFETIME,
            vendor_state: Some(json!({"security_level": security_level.code()})),
        })
    }

    async fn observe(
        &self,
        session: &SessionRecord,
        _subject: Option<&Subject>,
        _evidence: Option<&Evidence>,
    ) -> Result<Observation, ProviderError> {
        let Some(biz_token) = session.vendor_ref.as_deref() else {
            return Ok(Observation::Pending);
        };
        let security_level = session
            .vendor_state
            .as_ref()
            .and_then(|state| state["security_level"].as_u64())
            .and_then(|code| u8::try_from(code).ok())
            .and_then(|code| SecurityLevel::try_from(code).ok())
            .unwrap_or_default();
        let answer = self.client.get_result(biz_token).await?;
        Ok(match answer.state(security_level) {
            ResultState::Pending => Observation::Pending,
            ResultState::Final(result) => Observation::Final {
                result,
                media: images(answer.images),
            },
        })
    }

    async fn callback(&self, callback: Callback<'_>) -> Result<CallbackOutcome, CallbackRejected> {
        let notify = Notify::from_form(callback.body)
            .map_err(|error| CallbackRejected(error.to_string()))?;
        Ok(CallbackOutcome::about(
            SessionKey::VendorRef(notify.biz_token.expose().to_owned()),
            "success".into_response(),
        ))
    }
}

/// get_result's `images` (base64): the best face frame and, in OCR mode, the ID card's sides
/// and portrait. They come with the answer that decides the session, so keeping them (when the
/// merchant turned keeping on) costs no second call, which VENDORS.md says is rate limited.
fn images(images: Option<Images>) -> Vec<VendorMedia> {
    use base64::Engine;
    let Some(images) = images else {
        return Vec::new();
    };
    let named = [
        ("image_best", images.image_best),
        ("idcard_frontside", images.idcard_frontside),
        ("idcard_backside", images.idcard_backside),
        ("idcard_portrait", images.idcard_portrait),
    ];
    let mut out = Vec::new();
    for (kind, image) in named {
        let Some(image) = image else { continue };
        match base64::engine::general_purpose::STANDARD.decode(image.expose().trim()) {
            Ok(bytes) if !bytes.is_empty() => out.push(VendorMedia {
                kind: kind.to_owned(),
                bytes,
            }),
            _ => tracing::warn!(kind, "faceid_lite: an image is not base64; not kept"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use facegate_types::ProviderOptions;
    use facegate_vendors::VendorError;
    use url::Url;

    use super::*;
    use crate::domain::{IdNumber, PersonName};

    fn provider() -> FaceidLiteProvider {
        // Nothing listens there: preparing must not call anyone.
        let nowhere = Url::parse("http://127.0.0.1:9/").unwrap();
        FaceidLiteProvider::new(FaceidLiteClient::new(
            reqwest::Client::new(),
            nowhere.clone(),
            nowhere,
            "appcode".to_owned().into(),
        ))
    }

    fn prepare(options: ProviderOptions) -> Result<GetBizTokenRequest, ProviderError> {
        let subject = Subject {
            name: PersonName::parse("张三").unwrap(),
            id_number: IdNumber::parse("110101199003074514").unwrap(),
        };
        let return_url = Url::parse("https://facegate.example/v1/return/vs_1").unwrap();
        provider().prepare(&StartRequest {
            verification_id: "vs_1",
            reference: None,
            subject: Some(&subject),
            reference_image: None,
            reference_image_2: None,
            options: &options,
            notify_url: return_url.clone(),
            return_url,
        })
    }

    #[test]
    fn options_become_faceids_own_types() {
        let request = prepare(ProviderOptions {
            security_level: Some(3),
            liveness_preferences: Some(2),
            ..ProviderOptions::default()
        })
        .unwrap();
        assert_eq!(
            request.security_level,
            Some(SecurityLevel::try_from(3).unwrap())
        );
        assert_eq!(
            request.liveness_preferences,
            Some(LivenessPreference::Strict)
        );
        assert!(matches!(request.comparison, Comparison::Authority { .. }));
    }

    #[test]
    fn faceids_own_argument_checks_run_when_preparing_and_name_the_request_field() {
        let Err(ProviderError::Invalid { field, .. }) = prepare(ProviderOptions {
            security_level: Some(4),
            ..ProviderOptions::default()
        }) else {
            panic!("security_level 4 was accepted");
        };
        assert_eq!(field, "options.security_level");
        // A range FaceID documents (1 to 5), checked as the client checks it before sending.
        let Err(ProviderError::Vendor(VendorError::InvalidRequest { field, .. })) =
            prepare(ProviderOptions {
                liveness_retry_count: Some(9),
                ..ProviderOptions::default()
            })
        else {
            panic!("liveness_retry_count 9 was accepted");
        };
        assert_eq!(field.as_deref(), Some("options.liveness_retry_count"));
    }
}
