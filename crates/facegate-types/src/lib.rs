//! The verification session and the API's request, response and error shapes, and the
//! vendors' front-end tables ([`front_end`]).
//!
//! serde only, no I/O: the server and the wasm helper compile the same definitions, so the JSON
//! on both sides of the wire cannot drift apart. Field names follow `shared/DESIGN.md` exactly.

use serde::{Deserialize, Serialize};

/// The value of every session's `object` field.
pub const VERIFICATION_OBJECT: &str = "verification";

/// Defines a unit-only enum with a stable wire name per variant, plus `ALL`, `as_str`,
/// `Display` and `FromStr`, so that the serde name and the string forms cannot disagree.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ::serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        // utoipa does not read the variants' renames through the macro's fragments; every
        // wire name is its variant's in snake_case (tests/tests/journeys/openapi.rs checks each).
        #[cfg_attr(feature = "openapi", schema(rename_all = "snake_case"))]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $wire)] $variant,)+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name, as it appears in JSON.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)+ }
            }
        }

        // Written as `as_str`: the JSON the derive writes, in fewer bytes of the wasm helper.
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::UnknownVariant;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err($crate::UnknownVariant { kind: stringify!($name), value: s.to_owned() }),
                }
            }
        }
    };
}

mod error;
pub mod front_end;
mod locale;
mod request;

pub use error::{ApiError, ErrorBody, ErrorCode};
pub use locale::Locale;
pub use request::{
    CancelVerificationRequest, Comparison, CompleteVerificationRequest, CreateVerificationRequest,
    ListVerificationsQuery, ProviderOptions, SubjectInput, WechatResultRequest,
};

/// A string that names no variant of the enum it was parsed as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownVariant {
    pub kind: &'static str,
    pub value: String,
}

impl std::fmt::Display for UnknownVariant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} `{}`", self.kind, self.value)
    }
}

impl std::error::Error for UnknownVariant {}

wire_enum! {
    /// The vendor behind a session.
    Provider {
        /// facegate's own simulator: no vendor account, no real face check.
        Sandbox => "sandbox",
        /// Baidu AI H5 人脸实名认证 (seed 001).
        BaiduH5 => "baidu_h5",
        /// Megvii FaceID Lite H5 through the Aliyun API market (seed 004).
        FaceidLite => "faceid_lite",
        /// WeChat mini-program face identify (seed 003).
        WechatMini => "wechat_mini",
        /// e-sign OEMCloud personal face real-name auth (seed 002).
        Oemcloud => "oemcloud",
        /// Tencent Cloud FaceID 慧眼 real-name verification (DetectAuth, GetDetectInfoEnhanced;
        /// public documents).
        TencentFaceid => "tencent_faceid",
        /// WeChat face verification 2.0 (人脸核身 2.0: getverifyid, `wx.requestFacialVerify`,
        /// queryverifyinfo; developers.weixin.qq.com `server/API/face/`).
        WechatVerify => "wechat_verify",
        /// Alibaba Cloud ID Verification, 金融级实人认证, H5 (Cloudauth InitFaceVerify /
        /// DescribeFaceVerify, API 2019-03-07).
        AliyunCloudauth => "aliyun_cloudauth",
    }
}

wire_enum! {
    /// Where a session is in its life. `pending -> processing -> verified | failed`;
    /// `pending -> expired | canceled`.
    VerificationStatus {
        /// Created; the user has not finished the vendor's face check.
        Pending => "pending",
        /// The vendor says the user finished; facegate is confirming the result with it.
        Processing => "processing",
        /// Confirmed server-side: the person passed.
        Verified => "verified",
        /// Confirmed server-side: the person did not pass (see `result.reason`).
        Failed => "failed",
        /// The vendor's token ran out before a result.
        Expired => "expired",
        /// The merchant canceled the session.
        Canceled => "canceled",
    }
}

impl VerificationStatus {
    /// A final status never changes again.
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            Self::Verified | Self::Failed | Self::Expired | Self::Canceled
        )
    }
}

wire_enum! {
    /// Why a verification did not pass. Every documented vendor code maps to exactly one.
    FailureReason {
        /// The face does not match the identity's photo or the reference image.
        NotSamePerson => "not_same_person",
        /// The name and ID number do not match, or no such identity exists.
        IdentityMismatch => "identity_mismatch",
        /// The ID document could not be read.
        IdDocumentUnreadable => "id_document_unreadable",
        /// The ID document looks forged.
        IdDocumentFake => "id_document_fake",
        /// A presentation attack: photo, screen, mask or video.
        LivenessFailed => "liveness_failed",
        /// The capture did not work: camera, light, timeout, too many retries.
        CaptureFailed => "capture_failed",
        /// The user gave up.
        UserCanceled => "user_canceled",
        /// The vendor refuses the person's age (OEMCloud: under 14).
        Underage => "underage",
        /// The result handed over by the front end does not match the session's subject.
        ResultTampered => "result_tampered",
        /// The merchant's vendor account: balance, permissions, configuration.
        AccountError => "account_error",
        /// Anything else the vendor reported.
        VendorError => "vendor_error",
    }
}

impl VerificationStatus {
    /// The status as a person reads it (the admin page, the demo): zh-CN 认证通过, en
    /// "verified". The wire name stays the code. Words from `docs/glossary.md`.
    pub const fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Self::Pending, Locale::ZhCn) => "待认证",
            (Self::Pending, Locale::En) => "pending",
            (Self::Processing, Locale::ZhCn) => "认证中",
            (Self::Processing, Locale::En) => "processing",
            (Self::Verified, Locale::ZhCn) => "认证通过",
            (Self::Verified, Locale::En) => "verified",
            (Self::Failed, Locale::ZhCn) => "认证未通过",
            (Self::Failed, Locale::En) => "failed",
            (Self::Expired, Locale::ZhCn) => "已过期",
            (Self::Expired, Locale::En) => "expired",
            (Self::Canceled, Locale::ZhCn) => "已取消",
            (Self::Canceled, Locale::En) => "canceled",
        }
    }
}

impl FailureReason {
    /// What happened and what the person can do next, for the end user (one sentence; the
    /// table of `docs/glossary.md`, worded the way the vendors word it for their users, e.g.
    /// `capture_failed` -> 光线不足或画面不清晰，请在明亮处重试). The reason's code stays the
    /// machine-readable value.
    pub const fn explain(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Self::NotSamePerson, Locale::ZhCn) => "人脸与证件照片不一致，请本人重新认证",
            (Self::NotSamePerson, Locale::En) => {
                "The face does not match the ID photo. Only the holder can verify; please try again yourself."
            }
            (Self::IdentityMismatch, Locale::ZhCn) => "姓名与身份证号不一致，请核对后重试",
            (Self::IdentityMismatch, Locale::En) => {
                "The name and ID number do not match. Check them and try again."
            }
            (Self::IdDocumentUnreadable, Locale::ZhCn) => "证件信息无法识别，请核对后重试",
            (Self::IdDocumentUnreadable, Locale::En) => {
                "The ID details could not be read. Check them and try again."
            }
            (Self::IdDocumentFake, Locale::ZhCn) => "证件校验未通过，请使用本人有效证件",
            (Self::IdDocumentFake, Locale::En) => {
                "The ID document did not pass the check. Use your own valid ID."
            }
            (Self::LivenessFailed, Locale::ZhCn) => "活体检测未通过，请本人正对屏幕重试",
            (Self::LivenessFailed, Locale::En) => {
                "Liveness detection did not pass. Face the screen yourself and try again."
            }
            (Self::CaptureFailed, Locale::ZhCn) => "光线不足或画面不清晰，请在明亮处重试",
            (Self::CaptureFailed, Locale::En) => {
                "The picture was too dark or unclear. Move somewhere bright and try again."
            }
            (Self::UserCanceled, Locale::ZhCn) => "您已取消认证，可重新发起",
            (Self::UserCanceled, Locale::En) => "You canceled the verification. You can start it again.",
            (Self::Underage, Locale::ZhCn) => "未满年龄要求，暂不支持认证",
            (Self::Underage, Locale::En) => "Your age is below what this verification allows.",
            (Self::ResultTampered, Locale::ZhCn) => "认证结果校验失败，请重新认证",
            (Self::ResultTampered, Locale::En) => {
                "The result could not be confirmed. Please verify again."
            }
            (Self::AccountError, Locale::ZhCn) => "服务暂不可用，请稍后重试或联系商户",
            (Self::AccountError, Locale::En) => {
                "The service is unavailable. Try again later or contact the merchant."
            }
            (Self::VendorError, Locale::ZhCn) => "认证服务异常，请稍后重试",
            (Self::VendorError, Locale::En) => "The verification service failed. Please try again later.",
        }
    }
}

wire_enum! {
    /// How facegate learned the final result.
    ConfirmedBy {
        /// facegate asked the vendor's server for the result.
        VendorQuery => "vendor_query",
        /// Only the vendor's notify said so: the vendor documents no query (OEMCloud).
        Notify => "notify",
        /// The sandbox simulator: no real person was checked.
        Sandbox => "sandbox",
    }
}

/// What the front end does next while a session is pending.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NextAction {
    /// Send the browser to `url` (Baidu H5, FaceID Lite, OEMCloud H5, sandbox).
    Redirect { url: String },
    /// Call `wx.startFacialRecognitionVerify({userIdKey})` in the mini-program.
    WechatMiniProgram { user_id_key: String },
    /// Call `wx.requestFacialVerify({verifyId})` in the mini-program (WeChat face
    /// verification 2.0, base library 3.8.12 or later), then
    /// `POST /v1/client/verifications/{id}/complete`.
    WechatVerify { verify_id: String },
    /// Open `url` in an Alipay / WeChat mini-program web-view (OEMCloud).
    WebView {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        face_token: Option<String>,
    },
}

/// The vendor's scores, each absent where the vendor gives none.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scores {
    pub similarity: Option<f64>,
    pub liveness: Option<f64>,
    pub threshold: Option<f64>,
}

/// The confirmed outcome of a final session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerificationResult {
    pub passed: bool,
    pub reason: Option<FailureReason>,
    #[serde(default)]
    pub scores: Scores,
    pub vendor_code: Option<String>,
    pub vendor_message: Option<String>,
    pub confirmed_by: ConfirmedBy,
    /// Risk signals the vendor reported about the user's device, as it spells them
    /// (aliyun_cloudauth's DeviceRisk tags: `ROOT`, `VPN`, `HOOK`, ...). For the merchant to
    /// read; they decide nothing. Empty (and absent from the JSON) where the vendor gives none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risk_signals: Vec<String>,
}

/// The person checked, always masked on output: `张*`, `110***********4514`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaskedSubject {
    pub name: String,
    pub id_number: String,
}

/// The verification session as the merchant's server sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verification {
    pub id: String,
    /// Always `"verification"`.
    pub object: String,
    pub provider: Provider,
    pub status: VerificationStatus,
    pub reference: Option<String>,
    /// Present in the create response only: the front end's key to this session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    pub subject: Option<MaskedSubject>,
    pub next_action: Option<NextAction>,
    pub result: Option<VerificationResult>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub expires_at: String,
    /// RFC 3339, once final.
    pub completed_at: Option<String>,
    /// RFC 3339, once the personal data was redacted (the subject then reads `[redacted]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted_at: Option<String>,
}

/// The session as the front end sees it through its client_secret: no reference, no subject.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientVerification {
    pub id: String,
    /// Always `"verification"`.
    pub object: String,
    pub provider: Provider,
    pub status: VerificationStatus,
    pub next_action: Option<NextAction>,
    pub result: Option<VerificationResult>,
    pub expires_at: String,
    pub completed_at: Option<String>,
}

/// A page of a list, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct List<T> {
    /// Always `"list"`.
    pub object: String,
    pub data: Vec<T>,
    pub has_more: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The zh-CN and en texts are written, distinct, and each zh-CN one is Chinese with
    /// full-width punctuation and the glossary's table agrees with the code.
    #[test]
    fn every_reason_and_status_has_text_in_both_locales_as_the_glossary_gives_it() {
        let glossary = include_str!("../../../docs/glossary.md");
        for reason in FailureReason::ALL {
            let zh = reason.explain(Locale::ZhCn);
            let en = reason.explain(Locale::En);
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{reason}: {zh}"
            );
            assert!(!zh.contains(','), "{reason}: half-width comma in {zh}");
            assert!(en.is_ascii() && !en.is_empty(), "{reason}: {en}");
            let row = format!("| {reason} | {zh} | {en} |");
            assert!(
                glossary.contains(&row),
                "docs/glossary.md lacks the row {row}"
            );
        }
        for status in VerificationStatus::ALL {
            assert_eq!(status.label(Locale::En), status.as_str());
            let zh = status.label(Locale::ZhCn);
            let row = format!("| {zh} | `{status}` |");
            assert!(glossary.contains(&row), "docs/glossary.md lacks {row}");
        }
    }

    #[test]
    fn wire_names_round_trip_through_serde_and_from_str() {
        for reason in FailureReason::ALL {
            let json = serde_json::to_string(reason).unwrap();
            assert_eq!(json, format!("\"{}\"", reason.as_str()));
            assert_eq!(reason.as_str().parse::<FailureReason>().unwrap(), *reason);
        }
        for provider in Provider::ALL {
            let back: Provider = serde_json::from_str(&format!("\"{provider}\"")).unwrap();
            assert_eq!(back, *provider);
        }
        assert!("baidu".parse::<Provider>().is_err());
        // Serialize writes `as_str`, Deserialize reads the variants' renames: every variant of
        // every wire enum goes out and comes back as itself.
        fn round_trip<T>(all: &[T])
        where
            T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
        {
            for value in all {
                let json = serde_json::to_string(value).unwrap();
                assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), value, "{json}");
            }
        }
        round_trip(Provider::ALL);
        round_trip(VerificationStatus::ALL);
        round_trip(FailureReason::ALL);
        round_trip(ConfirmedBy::ALL);
        round_trip(ErrorCode::ALL);
        round_trip(front_end::wechat_mini::FaceSupportReason::ALL);
        round_trip(front_end::wechat_verify::FacialVerifyAction::ALL);
    }

    #[test]
    fn only_the_four_end_states_are_final() {
        let finals: Vec<_> = VerificationStatus::ALL
            .iter()
            .filter(|s| s.is_final())
            .map(|s| s.as_str())
            .collect();
        assert_eq!(finals, ["verified", "failed", "expired", "canceled"]);
    }

    #[test]
    fn next_action_serialises_with_its_type_tag() {
        let action = NextAction::WebView {
            url: "https://x".into(),
            face_token: None,
        };
        assert_eq!(
            serde_json::to_value(&action).unwrap(),
            serde_json::json!({"type": "web_view", "url": "https://x"})
        );
        let wechat: NextAction =
            serde_json::from_str(r#"{"type":"wechat_mini_program","user_id_key":"k"}"#).unwrap();
        assert_eq!(
            wechat,
            NextAction::WechatMiniProgram {
                user_id_key: "k".into()
            }
        );
        let verify: NextAction =
            serde_json::from_str(r#"{"type":"wechat_verify","verify_id":"v"}"#).unwrap();
        assert_eq!(
            verify,
            NextAction::WechatVerify {
                verify_id: "v".into()
            }
        );
    }

    #[test]
    fn the_design_documents_session_parses() {
        let json = r#"{
          "id": "vs_1", "object": "verification", "provider": "sandbox", "status": "verified",
          "reference": "order-123", "subject": {"name": "张*", "id_number": "110***********4514"},
          "next_action": null,
          "result": {"passed": true, "reason": null,
                     "scores": {"similarity": 86.47, "liveness": 0.97, "threshold": 74.4},
                     "vendor_code": "1000", "vendor_message": "SUCCESS", "confirmed_by": "sandbox"},
          "created_at": "2026-01-01T00:00:00Z", "expires_at": "2026-01-01T02:00:00Z",
          "completed_at": "2026-01-01T00:01:00Z"
        }"#;
        let session: Verification = serde_json::from_str(json).unwrap();
        assert_eq!(session.status, VerificationStatus::Verified);
        assert_eq!(session.result.unwrap().scores.similarity, Some(86.47));
        assert!(session.client_secret.is_none());
    }
}
