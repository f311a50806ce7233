//! `wechat_mini`: WeChat mini-program face identify (seed 003) over
//! `facegate_vendors::wechat_mini`.
//!
//! getuseridkey at create (out_seq_no = the session id, never the merchant's reference, which
//! several open sessions may share: a push names exactly one session); the mini-program runs
//! `wx.startFacialRecognitionVerify({userIdKey})` and hands `verifyResult` to facegate
//! (`POST /v1/client/verifications/{id}/wechat_result`), or WeChat pushes it; either way
//! getinfo decides, and only errcode 0, identify_ret 0, the session's own user_id_key and both
//! MD5s of the session's own subject make it pass. A verify_result is spent once
//! (`session::observe`). WeChat documents no query without a verify_result, so a session no
//! one hands one over for runs out with its user_id_key.

use async_trait::async_trait;
use axum::http::Method;
use axum::response::IntoResponse;
use facegate_types::{NextAction, Provider};
use facegate_vendors::wechat_mini::{
    self, GetUserIdKeyRequest, PushMessage, PushQuery, WechatMiniClient,
};
use facegate_vendors::wire::Pii;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::{
    Callback, CallbackOutcome, CallbackRejected, Evidence, Observation, ProviderAdapter,
    ProviderError, SessionKey, StartRequest, Started,
};
use crate::domain::Subject;
use crate::store::SessionRecord;

pub struct WechatMiniProvider {
    client: WechatMiniClient,
    push_token: Option<SecretString>,
}

impl WechatMiniProvider {
    pub fn new(client: WechatMiniClient, push_token: Option<SecretString>) -> Self {
        Self { client, push_token }
    }
}

#[async_trait]
impl ProviderAdapter for WechatMiniProvider {
    /// getuseridkey's request: the subject, and the session id as out_seq_no.
    type Start = GetUserIdKeyRequest;

    fn provider(&self) -> Provider {
        Provider::WechatMini
    }

    fn prepare(&self, request: &StartRequest<'_>) -> Result<GetUserIdKeyRequest, ProviderError> {
        let subject = request.required_subject(
            "wechat_mini needs the subject: getuseridkey uploads the name and ID number",
        )?;
        Ok(GetUserIdKeyRequest {
            name: Pii::new(subject.name.expose()),
            id_card_number: Pii::new(subject.id_number.expose()),
            out_seq_no: Some(request.verification_id.to_owned()),
        })
    }

    async fn start(&self, request: GetUserIdKeyRequest) -> Result<Started, ProviderError> {
        let out_seq_no = request.out_seq_no.clone();
        let answer = self
            .client
            .get_user_id_key(&request)
            .await
            .map_err(|error| {
                ProviderError::vendor_with_fields(error, |field| match field {
                    "name" => "subject.name",
                    "id_card_number" => "subject.id_number",
                    _ => "subject",
                })
            })?;
        let user_id_key = answer.user_id_key.expose().to_owned();
        Ok(Started {
            vendor_ref: user_id_key.clone(),
            next_action: NextAction::WechatMiniProgram { user_id_key },
            expires_at: super::expires_after(answer.expires_in),
            vendor_state: Some(json!({"out_seq_no": out_seq_no})),
        })
    }

    async fn observe(
        &self,
        session: &SessionRecord,
        subject: Option<&Subject>,
        evidence: Option<&Evidence>,
    ) -> Result<Observation, ProviderError> {
        let (Some(Evidence::VendorToken(verify_result)), Some(subject), Some(user_id_key)) =
            (evidence, subject, session.vendor_ref.as_deref())
        else {
            return Ok(Observation::Pending);
        };
        let info = self.client.get_info(verify_result).await?;
        Ok(Observation::confirmed(wechat_mini::verdict(
            &info,
            &wechat_mini::Expected {
                user_id_key,
                name: subject.name.expose(),
                id_number: subject.id_number.expose(),
            },
        )))
    }

    async fn callback(&self, callback: Callback<'_>) -> Result<CallbackOutcome, CallbackRejected> {
        let token = self
            .push_token
            .as_ref()
            .ok_or_else(|| CallbackRejected("no WeChat push token is configured".into()))?;
        let query: PushQuery = serde_urlencoded::from_str(callback.query)
            .map_err(|_| CallbackRejected("the push query is malformed".into()))?;
        if callback.method == Method::GET {
            let echo = query
                .echo(token.expose_secret())
                .map_err(|error| CallbackRejected(error.to_string()))?;
            return Ok(CallbackOutcome::about_nothing(echo.into_response()));
        }
        query
            .verify(token.expose_secret())
            .map_err(|error| CallbackRejected(error.to_string()))?;
        let push = PushMessage::parse(callback.body)
            .map_err(|error| CallbackRejected(error.to_string()))?;
        // out_seq_no is the session id facegate sent (getuseridkey above).
        let session = push
            .is_face_identify()
            .then(|| push.out_seq_no.clone().map(SessionKey::Session))
            .flatten();
        Ok(CallbackOutcome {
            session,
            stated_session: None,
            evidence: push
                .verify_result
                .map(|value| Evidence::VendorToken(value.expose().to_owned())),
            reply: "success".into_response(),
        })
    }

    fn accepts_client_evidence(&self) -> bool {
        true
    }
}
