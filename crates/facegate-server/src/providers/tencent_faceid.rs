//! `tencent_faceid`: Tencent Cloud FaceID 慧眼 over `facegate_vendors::tencent_faceid`.
//!
//! DetectAuth at create (the one billable call) with the settings' RuleId, the subject's
//! `IdCard` and `Name`, `RedirectUrl` = facegate's `/v1/return/{id}` and `Extra` = the session
//! id; the page at its `Url` as the redirect; GetDetectInfoEnhanced decides, asked when the
//! user returns and by the reconciler (Tencent keeps results 3 days only). What the redirect's
//! query carries (`token`, anything else) is never read: the session's own BizToken is asked.
//! An answer that names another session (`Extra`) or another person (`IdCard`) is refused.

use async_trait::async_trait;
use facegate_types::{FailureReason, NextAction, Provider};
use facegate_vendors::tencent_faceid::{
    DetectAuthRequest, ResultState, TencentFaceidClient, BIZ_TOKEN_TTL_SECONDS,
};
use facegate_vendors::wire::Pii;
use facegate_vendors::VendorError;

use super::{Evidence, Observation, ProviderAdapter, ProviderError, StartRequest, Started};
use crate::domain::Subject;
use crate::store::SessionRecord;

/// The error code of a BizToken past its life.
const BIZ_TOKEN_EXPIRED: &str = "InvalidParameterValue.BizTokenExpired";

pub struct TencentFaceidProvider {
    client: TencentFaceidClient,
    rule_id: String,
}

impl TencentFaceidProvider {
    /// `rule_id`: the settings' `tencent_rule_id`.
    pub fn new(client: TencentFaceidClient, rule_id: String) -> Self {
        Self { client, rule_id }
    }
}

/// DetectAuth's parameter names, as the create request calls them.
fn request_field(vendor_key: &str) -> &'static str {
    match vendor_key {
        "IdCard" => "subject.id_number",
        "Name" => "subject.name",
        "RedirectUrl" => "return_url",
        _ => "provider",
    }
}

#[async_trait]
impl ProviderAdapter for TencentFaceidProvider {
    /// DetectAuth's request.
    type Start = DetectAuthRequest;

    fn provider(&self) -> Provider {
        Provider::TencentFaceid
    }

    /// The subject (required: DetectAuth compares against the authority's photo) and the
    /// lengths Tencent documents, checked before anything is written.
    fn prepare(&self, request: &StartRequest<'_>) -> Result<DetectAuthRequest, ProviderError> {
        let subject = request.required_subject(
            "tencent_faceid compares the face with the identity's photo: \
                      subject (name and id_number) is required",
        )?;
        let detect_auth = DetectAuthRequest {
            rule_id: self.rule_id.clone(),
            id_card: Some(Pii::new(subject.id_number.expose())),
            name: Some(Pii::new(subject.name.expose())),
            redirect_url: Some(request.return_url.to_string()),
            extra: Some(request.verification_id.to_owned()),
        };
        detect_auth
            .check()
            .map_err(|error| ProviderError::vendor_with_fields(error, request_field))?;
        Ok(detect_auth)
    }

    async fn start(&self, request: DetectAuthRequest) -> Result<Started, ProviderError> {
        let answer = self
            .client
            .detect_auth(&request)
            .await
            .map_err(|error| ProviderError::vendor_with_fields(error, request_field))?;
        Ok(Started {
            vendor_ref: answer.biz_token.expose().to_owned(),
            next_action: NextAction::Redirect { url: answer.url },
            expires_at: super::expires_after(BIZ_TOKEN_TTL_SECONDS),
            vendor_state: None,
        })
    }

    async fn observe(
        &self,
        session: &SessionRecord,
        subject: Option<&Subject>,
        _evidence: Option<&Evidence>,
    ) -> Result<Observation, ProviderError> {
        let Some(biz_token) = session.vendor_ref.as_deref() else {
            return Ok(Observation::Pending);
        };
        let answer = match self
            .client
            .get_detect_info_enhanced(biz_token, &self.rule_id)
            .await
        {
            Ok(answer) => answer,
            // The user never finished within the BizToken's 7,200 s.
            Err(VendorError::InvalidRequest { code, .. }) if code == BIZ_TOKEN_EXPIRED => {
                return Ok(Observation::Expired);
            }
            Err(error) => return Err(error.into()),
        };
        let ResultState::Final(mut result) = answer.state() else {
            return Ok(Observation::Pending);
        };
        let text = answer.text.unwrap_or_default();
        // Extra is the session id facegate sent: an answer about another session is not this
        // one's verdict.
        if let Some(extra) = text.extra.as_deref().filter(|extra| !extra.is_empty()) {
            if extra != session.id {
                return Err(VendorError::Decode(
                    "GetDetectInfoEnhanced answered about another session (Extra)".into(),
                )
                .into());
            }
        }
        // The person verified must be the session's subject.
        if let (Some(subject), Some(id_card)) = (subject, text.id_card.as_ref()) {
            let verified = id_card.expose().trim();
            if !verified.is_empty() && !verified.eq_ignore_ascii_case(subject.id_number.expose()) {
                result.passed = false;
                result.reason = Some(FailureReason::ResultTampered);
            }
        }
        Ok(Observation::confirmed(result))
    }
}

#[cfg(test)]
mod tests {
    use facegate_types::ProviderOptions;
    use url::Url;

    use super::*;
    use crate::domain::{IdNumber, PersonName};

    fn provider() -> TencentFaceidProvider {
        // Nothing listens there: preparing must not call anyone.
        TencentFaceidProvider::new(
            TencentFaceidClient::new(
                reqwest::Client::new(),
                Url::parse("http://127.0.0.1:9/").unwrap(),
                "AKID".into(),
                "key".to_owned().into(),
                "ap-guangzhou".into(),
            ),
            "1".into(),
        )
    }

    /// A FaceID stand-in answering every call with `answer` (the whole body).
    async fn stand_in(answer: serde_json::Value) -> Url {
        let router = axum::Router::new().route(
            "/",
            axum::routing::post(move || {
                let answer = answer.clone();
                async move { axum::Json(answer) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        url
    }

    fn session() -> SessionRecord {
        let now = time::OffsetDateTime::now_utc();
        SessionRecord {
            id: "vs_1".into(),
            provider: Provider::TencentFaceid,
            status: facegate_types::VerificationStatus::Pending,
            reference: None,
            client_secret_hash: Vec::new(),
            client_secret_sealed: Vec::new(),
            subject: None,
            return_url: "https://shop.example/done".into(),
            vendor_ref: Some("CE661F1A-0F1E-45BD-BE13-34C05CEA7681".into()),
            next_action: None,
            result: None,
            vendor_state: None,
            api_key_id: None,
            idempotency_key: None,
            version: 0,
            created_at: now,
            updated_at: now,
            expires_at: now + time::Duration::hours(2),
            completed_at: None,
            last_checked_at: None,
            redacted_at: None,
        }
    }

    async fn observe(answer: serde_json::Value) -> Result<Observation, ProviderError> {
        let base = stand_in(answer).await;
        let provider = TencentFaceidProvider::new(
            TencentFaceidClient::new(
                reqwest::Client::new(),
                base,
                "AKID".into(),
                "key".to_owned().into(),
                "ap-guangzhou".into(),
            ),
            "1".into(),
        );
        let subject = Subject {
            name: PersonName::parse("张三").unwrap(),
            id_number: IdNumber::parse("110101199003074514").unwrap(),
        };
        provider.observe(&session(), Some(&subject), None).await
    }

    fn text(err_code: serde_json::Value, id_card: &str, extra: &str) -> serde_json::Value {
        serde_json::json!({"Response": {"Text": {
            "ErrCode": err_code, "ErrMsg": "成功", "IdCard": id_card, "Name": "张三",
            "Sim": "90.5", "Extra": extra
        }, "RequestId": "r"}})
    }

    #[tokio::test]
    async fn only_this_sessions_own_answer_about_its_own_person_counts() {
        let Ok(Observation::Final { result, .. }) =
            observe(text(0.into(), "110101199003074514", "vs_1")).await
        else {
            panic!("a pass");
        };
        assert!(result.passed);
        assert_eq!(result.scores.similarity, Some(90.5));
        // Another person verified under this BizToken: failed, as tampered.
        let Ok(Observation::Final { result, .. }) =
            observe(text(0.into(), "11010519491231002X", "vs_1")).await
        else {
            panic!("a verdict");
        };
        assert!(!result.passed);
        assert_eq!(result.reason, Some(FailureReason::ResultTampered));
        // An answer about another session is no verdict at all.
        assert!(matches!(
            observe(text(0.into(), "110101199003074514", "vs_2")).await,
            Err(ProviderError::Vendor(VendorError::Decode(_)))
        ));
        // Not finished yet; then a BizToken that ran out.
        assert!(matches!(
            observe(text(serde_json::Value::Null, "", "")).await,
            Ok(Observation::Pending)
        ));
        let expired = serde_json::json!({"Response": {"Error": {
            "Code": "InvalidParameterValue.BizTokenExpired", "Message": "BizToken过期。"
        }, "RequestId": "r"}});
        assert!(matches!(observe(expired).await, Ok(Observation::Expired)));
        // Bad credentials stay an error, not a verdict.
        let refused = serde_json::json!({"Response": {"Error": {
            "Code": "AuthFailure.SignatureFailure", "Message": "请求签名验证失败。"
        }, "RequestId": "r"}});
        assert!(matches!(
            observe(refused).await,
            Err(ProviderError::Vendor(VendorError::Unauthorized { .. }))
        ));
    }

    #[test]
    fn the_subject_becomes_detect_auths_parameters_and_is_required() {
        let subject = Subject {
            name: PersonName::parse("张三").unwrap(),
            id_number: IdNumber::parse("110101199003074514").unwrap(),
        };
        let return_url = Url::parse("https://facegate.example/v1/return/vs_1").unwrap();
        let options = ProviderOptions::default();
        let request = |subject| StartRequest {
            verification_id: "vs_1",
            reference: None,
            subject,
            reference_image: None,
            reference_image_2: None,
            options: &options,
            notify_url: return_url.clone(),
            return_url: return_url.clone(),
        };
        let prepared = provider().prepare(&request(Some(&subject))).unwrap();
        assert_eq!(prepared.rule_id, "1");
        assert_eq!(prepared.extra.as_deref(), Some("vs_1"));
        assert_eq!(prepared.redirect_url.as_deref(), Some(return_url.as_str()));
        assert_eq!(prepared.id_card.unwrap().expose(), "110101199003074514");
        let Err(ProviderError::Invalid { field, .. }) = provider().prepare(&request(None)) else {
            panic!("no subject was accepted");
        };
        assert_eq!(field, "subject");
    }
}
