//! `aliyun_cloudauth`: Alibaba Cloud ID Verification, 金融级实人认证 (H5), over
//! `facegate_vendors::aliyun_cloudauth`.
//!
//! InitFaceVerify at create (the one billable call) with the device's MetaInfo
//! (`options.meta_info`), the CertifyUrl as the redirect, DescribeFaceVerify to decide: the
//! callback (checked against its session's CallbackToken) and the user's return only trigger
//! it, and the reconciler pulls sessions Alibaba never calls back about (abandoned ones).

use async_trait::async_trait;
use axum::response::IntoResponse;
use facegate_types::{NextAction, Provider};
use facegate_vendors::aliyun_cloudauth::{
    check_meta_info, AliyunCloudauthClient, CertifyState, InitFaceVerifyRequest, Notify,
    CERTIFY_URL_TTL,
};

use super::{
    Callback, CallbackOutcome, CallbackRejected, Evidence, Observation, ProviderAdapter,
    ProviderError, SessionKey, StartRequest, Started,
};
use crate::domain::Subject;
use crate::store::SessionRecord;

pub struct AliyunCloudauthProvider {
    client: AliyunCloudauthClient,
}

impl AliyunCloudauthProvider {
    pub fn new(client: AliyunCloudauthClient) -> Self {
        Self { client }
    }
}

/// Alibaba's parameter names, as the create request calls them.
fn request_field(vendor_key: &str) -> &'static str {
    match vendor_key {
        "CertName" => "subject.name",
        "CertNo" => "subject.id_number",
        "MetaInfo" => "options.meta_info",
        _ => "options",
    }
}

/// `OuterOrderNo`: the session id without its underscore (`vs_AbC` -> `vsAbC`), the letters
/// and digits Alibaba accepts.
pub fn outer_order_no(verification_id: &str) -> String {
    verification_id.replace('_', "")
}

#[async_trait]
impl ProviderAdapter for AliyunCloudauthProvider {
    /// InitFaceVerify's request, checked.
    type Start = InitFaceVerifyRequest;

    fn provider(&self) -> Provider {
        Provider::AliyunCloudauth
    }

    fn prepare(&self, request: &StartRequest<'_>) -> Result<InitFaceVerifyRequest, ProviderError> {
        let subject = request.required_subject(
            "aliyun_cloudauth compares the face with the subject's authority photo: the \
                 subject is required",
        )?;
        let meta_info = request
            .options
            .meta_info
            .as_deref()
            .map(str::trim)
            .filter(|meta| !meta.is_empty())
            .ok_or_else(|| {
                ProviderError::invalid(
                    "options.meta_info",
                    "required: the JSON string the page got from Alibaba's getMetaInfo()",
                )
            })?;
        check_meta_info(meta_info)
            .map_err(|message| ProviderError::invalid("options.meta_info", &message))?;
        let mut callback_url = request.notify_url.clone();
        callback_url
            .query_pairs_mut()
            .append_pair("session", request.verification_id);
        let vendor_request = InitFaceVerifyRequest {
            scene_id: self.client.scene_id(),
            outer_order_no: outer_order_no(request.verification_id),
            cert_name: subject.name.expose().into(),
            cert_no: subject.id_number.expose().into(),
            return_url: request.return_url.clone(),
            callback_url,
            callback_token: self.client.callback_token(request.verification_id),
            meta_info: meta_info.to_owned(),
        };
        vendor_request
            .parameters()
            .map_err(|error| ProviderError::vendor_with_fields(error, request_field))?;
        Ok(vendor_request)
    }

    async fn start(&self, vendor_request: InitFaceVerifyRequest) -> Result<Started, ProviderError> {
        let answer = self
            .client
            .init_face_verify(&vendor_request)
            .await
            .map_err(|error| ProviderError::vendor_with_fields(error, request_field))?;
        let url = answer.certify_url.ok_or_else(|| {
            ProviderError::Vendor(facegate_vendors::VendorError::Decode(
                "InitFaceVerify answered no CertifyUrl".into(),
            ))
        })?;
        Ok(Started {
            vendor_ref: answer.certify_id,
            next_action: NextAction::Redirect { url },
            expires_at: crate::session::now()
                + time::Duration::seconds(CERTIFY_URL_TTL.as_secs() as i64),
            vendor_state: None,
        })
    }

    async fn observe(
        &self,
        session: &SessionRecord,
        _subject: Option<&Subject>,
        _evidence: Option<&Evidence>,
    ) -> Result<Observation, ProviderError> {
        let Some(certify_id) = session.vendor_ref.as_deref() else {
            return Ok(Observation::Pending);
        };
        let answer = self.client.describe_face_verify(certify_id).await?;
        // The DeviceRisk tags are in `result.risk_signals` already.
        Ok(match answer.state() {
            CertifyState::Pending => Observation::Pending,
            CertifyState::Final { result, .. } => Observation::confirmed(result),
        })
    }

    /// Alibaba's GET to the CallbackUrl: refused unless its `callbackToken` is the one of the
    /// session its URL names; then only a hint naming the CertifyId (the session core refuses
    /// it if that CertifyId is another session's).
    async fn callback(&self, callback: Callback<'_>) -> Result<CallbackOutcome, CallbackRejected> {
        let notify = Notify::from_query(callback.query)
            .map_err(|error| CallbackRejected(error.to_string()))?;
        let session = self
            .client
            .verify_callback(&notify)
            .map_err(|error| CallbackRejected(error.to_string()))?
            .to_owned();
        Ok(CallbackOutcome {
            session: Some(SessionKey::VendorRef(notify.certify_id.clone())),
            stated_session: Some(session),
            evidence: None,
            reply: "success".into_response(),
        })
    }

    /// DeleteFaceVerifyResult: Alibaba's copy of the certification goes too.
    async fn forget(&self, session: &SessionRecord) -> Result<bool, ProviderError> {
        let Some(certify_id) = session.vendor_ref.as_deref() else {
            return Ok(false);
        };
        Ok(self.client.delete_face_verify_result(certify_id).await?)
    }
}

#[cfg(test)]
mod tests {
    use facegate_types::ProviderOptions;
    use url::Url;

    use super::*;
    use crate::domain::{IdNumber, PersonName};

    fn provider() -> AliyunCloudauthProvider {
        // Nothing listens there: preparing must not call anyone.
        AliyunCloudauthProvider::new(AliyunCloudauthClient::new(
            reqwest::Client::new(),
            Url::parse("http://127.0.0.1:9/").unwrap(),
            "id".into(),
            "secret".to_owned().into(),
            1,
        ))
    }

    fn prepare(meta_info: Option<&str>) -> Result<InitFaceVerifyRequest, ProviderError> {
        let subject = Subject {
            name: PersonName::parse("张三").unwrap(),
            id_number: IdNumber::parse("110101199003074514").unwrap(),
        };
        let options = ProviderOptions {
            meta_info: meta_info.map(str::to_owned),
            ..ProviderOptions::default()
        };
        provider().prepare(&StartRequest {
            verification_id: "vs_AbC123",
            reference: None,
            subject: Some(&subject),
            reference_image: None,
            reference_image_2: None,
            options: &options,
            notify_url: Url::parse("https://f.example/v1/callbacks/aliyun_cloudauth").unwrap(),
            return_url: Url::parse("https://f.example/v1/return/vs_AbC123").unwrap(),
        })
    }

    #[test]
    fn meta_info_is_required_and_checked_before_any_call() {
        for bad in [None, Some(""), Some("nope"), Some("[1]"), Some("{}")] {
            let Err(ProviderError::Invalid { field, .. }) = prepare(bad) else {
                panic!("{bad:?} was accepted");
            };
            assert_eq!(field, "options.meta_info");
        }
        let request = prepare(Some(r#"{"deviceType":"h5"}"#)).unwrap();
        assert_eq!(request.outer_order_no, "vsAbC123");
        assert_eq!(
            request.callback_url.as_str(),
            "https://f.example/v1/callbacks/aliyun_cloudauth?session=vs_AbC123"
        );
        assert_eq!(
            request.callback_token,
            provider().client.callback_token("vs_AbC123")
        );
    }
}
