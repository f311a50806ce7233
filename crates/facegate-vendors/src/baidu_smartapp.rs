//! Baidu smart-program legal-person face authentication (seed 000,
//! `shared/seeds/000_e812d5b557580d1c.txt`: 人脸识别调起二维码 and 认证收费豁免).
//!
//! - `GET {openapi}/rest/2.0/smartapp/auth/faceauthen?access_token=...` -> a QR code (a
//!   `data:image/png;base64,...` URL) the legal person scans with the Baidu app, its `timeout`
//!   (unix seconds) and the task's [`LegalFaceStatus`].
//! - `GET {openapi}/rest/2.0/smartapp/auth/setexempt?access_token=...` -> the fee exemption's
//!   dates. Callable once per program: a repeat is [`VendorError::Conflict`] with the vendor's
//!   message ("不可重复开通").
//!
//! The access token is the *authorised program's* (a third-party platform acts for it), so the
//! merchant passes it with every call; this client holds no credentials of its own.
//!
//! Decisions where the seed is silent: it gives no error numbers, so a repeated setexempt is
//! recognised by its message (the seed's 不可重复开通提示: any message containing 重复), and
//! errno 110 / 111 (Baidu's general "access token invalid / expired" codes) are
//! [`VendorError::Unauthorized`]. `legal_face_status` is documented as a string but shown as a
//! number; both parse.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use facegate_types::FailureReason;
use secrecy::{ExposeSecret, SecretString};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use url::Url;

use crate::wire::{i64_or_string, opt_i64_or_string};
use crate::VendorError;

/// Path of the QR-code call under the openapi base.
pub const FACEAUTHEN_PATH: &str = "rest/2.0/smartapp/auth/faceauthen";
/// Path of the fee-exemption call under the openapi base.
pub const SETEXEMPT_PATH: &str = "rest/2.0/smartapp/auth/setexempt";

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
struct Envelope<T> {
    #[serde(default, deserialize_with = "opt_i64_or_string")]
    errno: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64_or_string")]
    error_code: Option<i64>,
    #[serde(default)]
    msg: Option<String>,
    #[serde(default)]
    error_msg: Option<String>,
    #[serde(default = "Option::default")]
    data: Option<T>,
    #[serde(default, deserialize_with = "crate::wire::opt_string_or_number")]
    request_id: Option<String>,
}

/// Which call an error came from: the repeat rule applies to setexempt only.
#[derive(Clone, Copy, PartialEq)]
enum Call {
    FaceAuthen,
    SetExempt,
}

impl Call {
    fn name(self) -> &'static str {
        match self {
            Call::FaceAuthen => "faceauthen",
            Call::SetExempt => "setexempt",
        }
    }
}

/// Baidu's general codes for a bad access token.
const TOKEN_ERRNOS: [i64; 3] = [100, 110, 111];

fn into_result<T>(envelope: Envelope<T>, call: Call) -> Result<T, VendorError> {
    let code = envelope.errno.or(envelope.error_code).unwrap_or(0);
    let message = envelope.msg.or(envelope.error_msg).unwrap_or_default();
    if code == 0 {
        return envelope
            .data
            .ok_or_else(|| VendorError::Decode("errno 0 without data".into()));
    }
    let code_text = code.to_string();
    Err(if TOKEN_ERRNOS.contains(&code) {
        VendorError::Unauthorized {
            code: code_text,
            message,
        }
    } else if call == Call::SetExempt && message.contains("重复") {
        VendorError::Conflict {
            code: code_text,
            message,
        }
    } else {
        VendorError::Api {
            code: code_text,
            message,
            log_id: envelope.request_id,
        }
    })
}

/// A client of Baidu's smart-program openapi.
#[derive(Clone, Debug)]
pub struct SmartappClient {
    http: reqwest::Client,
    base: Url,
}

impl SmartappClient {
    /// `openapi_base` is `https://openapi.baidu.com` in production (or a sandbox's
    /// `/baidu/openapi`).
    pub fn new(http: reqwest::Client, openapi_base: Url) -> Self {
        let mut base = openapi_base;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Self { http, base }
    }

    fn url(&self, path: &str, access_token: &SecretString) -> Result<Url, VendorError> {
        let mut url = self
            .base
            .join(path)
            .map_err(|_| VendorError::Decode(format!("bad openapi path {path}")))?;
        url.query_pairs_mut()
            .append_pair("access_token", access_token.expose_secret());
        Ok(url)
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        call: Call,
        access_token: &SecretString,
    ) -> Result<T, VendorError> {
        let response = crate::http::send(
            "baidu_smartapp",
            call.name(),
            self.http.get(self.url(path, access_token)?),
        )
        .await?;
        let status = response.status();
        if status.is_server_error() {
            return Err(VendorError::Unavailable(format!(
                "openapi answered {status}"
            )));
        }
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(VendorError::RateLimited {
                code: status.as_u16().to_string(),
                retry_after: None,
            });
        }
        let envelope: Envelope<T> = crate::http::read_json(response).await?;
        into_result(envelope, call)
    }

    /// 人脸识别调起二维码: a QR code for the legal person, and the task's state. Call it again
    /// to follow the state (the QR code is renewed after `timeout`).
    pub async fn faceauthen(&self, access_token: &SecretString) -> Result<FaceAuthen, VendorError> {
        self.get(FACEAUTHEN_PATH, Call::FaceAuthen, access_token)
            .await
    }

    /// 认证收费豁免: after the legal person passed; free if the program is published within
    /// 60 days. A second call is [`VendorError::Conflict`] carrying the vendor's message.
    pub async fn set_exempt(&self, access_token: &SecretString) -> Result<Exemption, VendorError> {
        self.get(SETEXEMPT_PATH, Call::SetExempt, access_token)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<T: serde::de::DeserializeOwned>(json: &str, call: Call) -> Result<T, VendorError> {
        let envelope: Envelope<T> = serde_json::from_str(json).unwrap();
        into_result(envelope, call)
    }

    // The seed's faceauthen example, verbatim.
    const FACEAUTHEN_EXAMPLE: &str = include_str!("baidu_smartapp_faceauthen_example.json");

    #[test]
    fn golden_faceauthen_example() {
        let data: FaceAuthen = parse(FACEAUTHEN_EXAMPLE, Call::FaceAuthen).unwrap();
        assert_eq!(data.timeout, 1558150057);
        assert_eq!(data.legal_face_status, LegalFaceStatus::Initialized);
        let png = data.qrcode_png().unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(
            data.expires_at(),
            UNIX_EPOCH + Duration::from_secs(1558150057)
        );
    }

    #[test]
    fn golden_setexempt_example() {
        let json = r#"{
    "errno": 0,
    "msg": "success",
    "data": {
        "addTime": "2019-5-30",
        "pushTime": "2019-5-30",
        "overdueTime": "2019-7-30"
    }
}"#;
        let data: Exemption = parse(json, Call::SetExempt).unwrap();
        assert_eq!(
            data,
            Exemption {
                add_time: "2019-5-30".into(),
                push_time: "2019-5-30".into(),
                overdue_time: "2019-7-30".into(),
            }
        );
        // The field table's snake_case form parses to the same.
        let snake = r#"{"errno": 0, "msg": "success", "data": {"add_time": "2019-5-30",
            "push_time": "2019-5-30", "overdue_time": "2019-7-30", "extra": 1}}"#;
        assert_eq!(parse::<Exemption>(snake, Call::SetExempt).unwrap(), data);
    }

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

    #[test]
    fn errors_map_to_conflict_unauthorized_or_api() {
        let repeat = r#"{"errno": 400, "msg": "不可重复开通"}"#;
        match parse::<Exemption>(repeat, Call::SetExempt) {
            Err(VendorError::Conflict { code, message }) => {
                assert_eq!((code.as_str(), message.as_str()), ("400", "不可重复开通"))
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        // The same words from faceauthen are not a repeat of setexempt.
        assert!(matches!(
            parse::<FaceAuthen>(repeat, Call::FaceAuthen),
            Err(VendorError::Api { .. })
        ));
        let token =
            r#"{"error_code": 110, "error_msg": "Access token invalid or no longer valid"}"#;
        assert!(matches!(
            parse::<FaceAuthen>(token, Call::FaceAuthen),
            Err(VendorError::Unauthorized { code, .. }) if code == "110"
        ));
        let expired = r#"{"errno": "111", "msg": "access token expired"}"#;
        assert!(matches!(
            parse::<Exemption>(expired, Call::SetExempt),
            Err(VendorError::Unauthorized { .. })
        ));
        assert!(matches!(
            parse::<FaceAuthen>(r#"{"errno": 0, "msg": "success"}"#, Call::FaceAuthen),
            Err(VendorError::Decode(_))
        ));
    }
}
