//! The documented answers (seed 000: 人脸识别调起二维码, 认证收费豁免), field names as Baidu
//! spells them; numbers and strings both read where the seed shows both.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use facegate_types::FailureReason;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use crate::wire::{i64_or_string, opt_i64_or_string};

/// The legal-person face task's state (认证任务状态).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LegalFaceStatus {
    /// 1 初始化: the QR code was made; nobody has scanned it yet.
    Initialized,
    /// 2 通过: the legal person passed.
    Passed,
    /// 4 拒绝: rejected.
    Rejected,
    /// 6 进行中: scanned, the face check is under way.
    InProgress,
}

impl LegalFaceStatus {
    pub const ALL: [Self; 4] = [
        Self::Initialized,
        Self::Passed,
        Self::Rejected,
        Self::InProgress,
    ];

    /// The vendor's number for this state.
    pub const fn code(self) -> u8 {
        match self {
            Self::Initialized => 1,
            Self::Passed => 2,
            Self::Rejected => 4,
            Self::InProgress => 6,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| i64::from(s.code()) == code)
    }

    /// The seed's own words for the state.
    pub const fn message(self) -> &'static str {
        match self {
            Self::Initialized => "初始化",
            Self::Passed => "通过",
            Self::Rejected => "拒绝",
            Self::InProgress => "进行中",
        }
    }

    /// Passed and rejected never change again.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Passed | Self::Rejected)
    }

    /// Why the task did not pass, for the one failing state. A rejection says the scanned person
    /// was not accepted as the program owner's legal representative, so it is an identity
    /// mismatch (the seed gives no finer reason).
    pub const fn failure_reason(self) -> Option<FailureReason> {
        match self {
            Self::Rejected => Some(FailureReason::IdentityMismatch),
            Self::Initialized | Self::Passed | Self::InProgress => None,
        }
    }
}

impl Serialize for LegalFaceStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for LegalFaceStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = i64_or_string(deserializer)?;
        Self::from_code(code)
            .ok_or_else(|| de::Error::custom(format!("undocumented legal_face_status {code}")))
    }
}

/// `data` of a faceauthen answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaceAuthen {
    /// `data:image/png;base64,...`, ready for an `<img src>`.
    pub qrcode: String,
    /// When the QR code expires, unix seconds (documented as a string).
    #[serde(deserialize_with = "i64_or_string")]
    pub timeout: i64,
    pub legal_face_status: LegalFaceStatus,
}

impl FaceAuthen {
    /// `timeout` as a time.
    pub fn expires_at(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(u64::try_from(self.timeout).unwrap_or(0))
    }

    /// The QR code's PNG bytes, if `qrcode` is the documented base64 data URL.
    pub fn qrcode_png(&self) -> Option<Vec<u8>> {
        use base64::Engine as _;
        let data = self.qrcode.strip_prefix("data:image/png;base64,")?;
        base64::engine::general_purpose::STANDARD.decode(data).ok()
    }
}

/// `data` of a setexempt answer: dates as the vendor writes them (`2019-5-30`). The table
/// documents snake_case, the example camelCase: both parse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exemption {
    /// 开通优惠豁免的时间.
    #[serde(alias = "addTime")]
    pub add_time: String,
    /// 最近状态修改的时间.
    #[serde(alias = "pushTime")]
    pub push_time: String,
    /// 过期时间: the program must be published before this for the check to be free.
    #[serde(alias = "overdueTime")]
    pub overdue_time: String,
}

/// The envelope of both calls. Errors carry `errno` / `msg`; Baidu's general OpenAPI errors
/// (`error_code` / `error_msg`) are read too.
#[derive(Debug, Deserialize)]
pub(crate) struct Envelope<T> {
    #[serde(default, deserialize_with = "opt_i64_or_string")]
    pub errno: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64_or_string")]
    pub error_code: Option<i64>,
    #[serde(default)]
    pub msg: Option<String>,
    #[serde(default)]
    pub error_msg: Option<String>,
    #[serde(default = "Option::default")]
    pub data: Option<T>,
    #[serde(default, deserialize_with = "crate::wire::opt_string_or_number")]
    pub request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_face_status_takes_strings_and_numbers_and_rejects_the_undocumented() {
        for status in LegalFaceStatus::ALL {
            let code = status.code();
            let from_number: LegalFaceStatus = serde_json::from_str(&code.to_string()).unwrap();
            let from_string: LegalFaceStatus =
                serde_json::from_str(&format!("\"{code}\"")).unwrap();
            assert_eq!((from_number, from_string), (status, status));
            assert_eq!(serde_json::to_string(&status).unwrap(), code.to_string());
        }
        assert!(serde_json::from_str::<LegalFaceStatus>("3").is_err());
        assert!(serde_json::from_str::<LegalFaceStatus>("\"passed\"").is_err());
        assert_eq!(
            LegalFaceStatus::Rejected.failure_reason(),
            Some(FailureReason::IdentityMismatch)
        );
        assert!(LegalFaceStatus::ALL
            .iter()
            .filter(|s| **s != LegalFaceStatus::Rejected)
            .all(|s| s.failure_reason().is_none()));
        assert!(LegalFaceStatus::Passed.is_final() && !LegalFaceStatus::InProgress.is_final());
    }
}
