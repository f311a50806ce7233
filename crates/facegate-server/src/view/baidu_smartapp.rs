//! What the merchant sees of Baidu smart-program's legal-person face check (faceauthen,
//! setexempt; seed 000), served by `POST /v1/baidu_smartapp/*` (`api/baidu_smartapp.rs`).

use facegate_vendors::baidu_smartapp::{Exemption, FaceAuthen, LegalFaceStatus};
use serde::Serialize;
use time::OffsetDateTime;

use super::rfc3339;

/// `legal_face_status` by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LegalFaceStatusView {
    Initialized,
    Passed,
    Rejected,
    InProgress,
}

impl From<LegalFaceStatus> for LegalFaceStatusView {
    fn from(status: LegalFaceStatus) -> Self {
        match status {
            LegalFaceStatus::Initialized => Self::Initialized,
            LegalFaceStatus::Passed => Self::Passed,
            LegalFaceStatus::Rejected => Self::Rejected,
            LegalFaceStatus::InProgress => Self::InProgress,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FaceAuthenView {
    /// `data:image/png;base64,...`, ready for an `<img src>`.
    qrcode: String,
    /// When the QR code times out (the vendor's `timeout`).
    expires_at: String,
    legal_face_status: LegalFaceStatusView,
}

impl From<FaceAuthen> for FaceAuthenView {
    fn from(answer: FaceAuthen) -> Self {
        let expires_at = OffsetDateTime::from_unix_timestamp(answer.timeout)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        Self {
            expires_at: rfc3339(expires_at),
            legal_face_status: answer.legal_face_status.into(),
            qrcode: answer.qrcode,
        }
    }
}

/// The fee exemption's dates, as Baidu writes them (`2019-5-30`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ExemptionView {
    add_time: String,
    push_time: String,
    overdue_time: String,
}

impl From<Exemption> for ExemptionView {
    fn from(exemption: Exemption) -> Self {
        Self {
            add_time: exemption.add_time,
            push_time: exemption.push_time,
            overdue_time: exemption.overdue_time,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faceauthen_names_the_status_and_dates_the_timeout() {
        let answer = FaceAuthen {
            qrcode: "data:image/png;base64,iVBO".into(),
            timeout: 1558150057,
            legal_face_status: LegalFaceStatus::InProgress,
        };
        let view = serde_json::to_value(FaceAuthenView::from(answer)).unwrap();
        assert_eq!(view["legal_face_status"], "in_progress");
        assert_eq!(view["expires_at"], "2019-05-18T03:27:37Z");
        assert_eq!(view["qrcode"], "data:image/png;base64,iVBO");
    }
}
