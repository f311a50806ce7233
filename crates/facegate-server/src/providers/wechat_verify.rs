//! `wechat_verify`: WeChat face verification 2.0 (getverifyid, `wx.requestFacialVerify`,
//! queryverifyinfo) over `facegate_vendors::wechat_verify`.
//!
//! getverifyid at create with the subject as `cert_info`, the merchant's `options.openid` and
//! out_seq_no = the session id (never the merchant's reference: one verify_id, one session).
//! The mini-program runs `wx.requestFacialVerify({verifyId})`, then calls
//! `POST /v1/client/verifications/{id}/complete`; that, a merchant's read and the reconciler
//! all ask queryverifyinfo with the session's own verify_id, out_seq_no, openid and the
//! cert_hash of its own subject. The verdict is `verify_ret` from that answer only; the front
//! end hands nothing over (no verify_result exists in 2.0), so there is nothing to forge.
//! 10005 / 10300 (not finished) leave the session pending, to expire with its verify_id; so
//! does a query WeChat refuses outright once the verify_id has run out (it forgot the check).

use async_trait::async_trait;
use facegate_types::{NextAction, Provider};
use facegate_vendors::wechat_verify::{
    self, CertInfo, GetVerifyIdRequest, QueryVerifyInfoRequest, WechatVerifyClient,
    CERT_TYPE_ID_CARD,
};
use facegate_vendors::wire::Pii;
use facegate_vendors::VendorError;
use serde_json::json;

use super::{Evidence, Observation, ProviderAdapter, ProviderError, StartRequest, Started};
use crate::domain::Subject;
use crate::store::SessionRecord;

/// The longest openid accepted (WeChat's are 28 characters).
pub const MAX_OPENID_LEN: usize = 64;

pub struct WechatVerifyProvider {
    client: WechatVerifyClient,
}

impl WechatVerifyProvider {
    pub fn new(client: WechatVerifyClient) -> Self {
        Self { client }
    }
}

/// An openid as WeChat issues them: 1 to [`MAX_OPENID_LEN`] letters, digits, `-` or `_`.
pub fn valid_openid(value: &str) -> bool {
    (1..=MAX_OPENID_LEN).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The certificate sent to getverifyid, and hashed the same way for queryverifyinfo.
fn cert_info(subject: &Subject) -> CertInfo {
    CertInfo {
        cert_type: CERT_TYPE_ID_CARD.to_owned(),
        cert_name: Pii::new(subject.name.expose()),
        cert_no: Pii::new(subject.id_number.expose()),
    }
}

#[async_trait]
impl ProviderAdapter for WechatVerifyProvider {
    /// getverifyid's request: the subject, `options.openid`, the session id as out_seq_no.
    type Start = GetVerifyIdRequest;

    fn provider(&self) -> Provider {
        Provider::WechatVerify
    }

    fn prepare(&self, request: &StartRequest<'_>) -> Result<GetVerifyIdRequest, ProviderError> {
        let subject = request.required_subject(
            "wechat_verify needs the subject: getverifyid uploads the name and ID number",
        )?;
        let openid = match request.options.openid.as_deref() {
            None => {
                return Err(ProviderError::Invalid {
                    field: "options.openid".into(),
                    message: "wechat_verify needs the user's openid for the mini-program".into(),
                })
            }
            Some(openid) if !valid_openid(openid) => {
                return Err(ProviderError::Invalid {
                    field: "options.openid".into(),
                    message: format!(
                        "must be 1 to {MAX_OPENID_LEN} letters, digits, '-' or '_' (an openid)"
                    ),
                })
            }
            Some(openid) => openid.to_owned(),
        };
        Ok(GetVerifyIdRequest {
            out_seq_no: request.verification_id.to_owned(),
            cert_info: cert_info(subject),
            openid,
        })
    }

    async fn start(&self, request: GetVerifyIdRequest) -> Result<Started, ProviderError> {
        let openid = request.openid.clone();
        let out_seq_no = request.out_seq_no.clone();
        let answer = self.client.get_verify_id(&request).await.map_err(|error| {
            ProviderError::vendor_with_fields(error, |field| match field {
                "openid" => "options.openid",
                _ => "subject",
            })
        })?;
        Ok(Started {
            vendor_ref: answer.verify_id.clone(),
            next_action: NextAction::WechatVerify {
                verify_id: answer.verify_id,
            },
            expires_at: super::expires_after(answer.expires_in),
            vendor_state: Some(json!({"openid": openid, "out_seq_no": out_seq_no})),
        })
    }

    async fn observe(
        &self,
        session: &SessionRecord,
        subject: Option<&Subject>,
        _evidence: Option<&Evidence>,
    ) -> Result<Observation, ProviderError> {
        let openid = session
            .vendor_state
            .as_ref()
            .and_then(|state| state.get("openid"))
            .and_then(|openid| openid.as_str());
        // Without the subject (redacted) there is no cert_hash to ask with.
        let (Some(verify_id), Some(subject), Some(openid)) =
            (session.vendor_ref.as_deref(), subject, openid)
        else {
            return Ok(Observation::Pending);
        };
        let cert = cert_info(subject);
        let request = QueryVerifyInfoRequest {
            verify_id: verify_id.to_owned(),
            out_seq_no: session.id.clone(),
            cert_hash: wechat_verify::cert_hash(
                &cert.cert_type,
                cert.cert_name.expose(),
                cert.cert_no.expose(),
            ),
            openid: openid.to_owned(),
        };
        let answer = match self.client.query_verify_info(&request).await {
            Ok(answer) => answer,
            // WeChat refuses the query itself (no verify_ret) once the verify_id has run out:
            // it forgot the check, or never accepts this session's fields. Nothing was
            // confirmed, and asking again will not change that: the session expires.
            Err(error)
                if refused_for_good(&error) && crate::session::now() >= session.expires_at =>
            {
                tracing::warn!(
                    verification_id = %session.id,
                    error = %error,
                    "queryverifyinfo refuses a session whose verify_id ran out: it expires unconfirmed"
                );
                return Ok(Observation::Expired);
            }
            Err(error) => return Err(error.into()),
        };
        Ok(match wechat_verify::verdict(&answer) {
            Some(result) => Observation::confirmed(result),
            None => Observation::Pending,
        })
    }
}

/// A refusal of the query itself that asking again will not change (not the credentials, not
/// WeChat being busy).
fn refused_for_good(error: &VendorError) -> bool {
    matches!(
        error,
        VendorError::InvalidRequest { .. } | VendorError::Api { .. } | VendorError::Refused { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openids_are_checked_before_any_call() {
        assert!(valid_openid("oRRn15NUibBxxxxxxxxx"));
        assert!(valid_openid("o6_bmjrPTlm6_2sgVt7hMZOPfL2M"));
        for bad in ["", "o 1", "o/1", "оpenid", &"a".repeat(MAX_OPENID_LEN + 1)] {
            assert!(!valid_openid(bad), "{bad:?}");
        }
    }
}
