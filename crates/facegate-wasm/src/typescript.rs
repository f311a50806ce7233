//! The TypeScript types of everything that crosses the boundary as a plain object. They mirror
//! the serde shapes in facegate-types and this crate; the tests below keep every wire name in
//! step with the Rust enums.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A language of the helper's human text: zh-CN (the default) or en. */
export type Locale = "zh-CN" | "en";
/** A locale option: "zh-CN" or "en", or any BCP 47 tag read by its language ("en-US", "zh_CN"); a
 * language the helper does not speak falls back to setLocale's, then the browser's languages,
 * then zh-CN. */
export type LocaleTag = Locale | (string & {});
/** Every API that returns human text takes it. */
export interface LocaleOptions {
  /** The language of `message` (and of errors): zh-CN when neither this, setLocale nor the
   * browser names zh or en. */
  locale?: LocaleTag;
}

/** The vendor behind a session. */
export type Provider = "sandbox" | "baidu_h5" | "faceid_lite" | "wechat_mini" | "oemcloud" | "tencent_faceid" | "wechat_verify" | "aliyun_cloudauth";
/** pending -> processing -> verified | failed; pending -> expired | canceled. */
export type VerificationStatus = "pending" | "processing" | "verified" | "failed" | "expired" | "canceled";
/** Why a verification did not pass. */
export type FailureReason =
  | "not_same_person" | "identity_mismatch" | "id_document_unreadable" | "id_document_fake"
  | "liveness_failed" | "capture_failed" | "user_canceled" | "underage" | "result_tampered"
  | "account_error" | "vendor_error";
/** How facegate learned the final result. */
export type ConfirmedBy = "vendor_query" | "notify" | "sandbox";

/** What the front end does next while a session is pending. */
export type NextAction =
  | { type: "redirect"; url: string }
  | { type: "wechat_mini_program"; user_id_key: string }
  /** wx.requestFacialVerify({verifyId}) (base library 3.8.12+), then completeClientVerification. */
  | { type: "wechat_verify"; verify_id: string }
  | { type: "web_view"; url: string; face_token?: string };

export interface Scores { similarity: number | null; liveness: number | null; threshold: number | null }

/** The confirmed outcome of a final session. */
export interface VerificationResult {
  passed: boolean;
  reason: FailureReason | null;
  scores: Scores;
  vendor_code: string | null;
  vendor_message: string | null;
  confirmed_by: ConfirmedBy;
  /** The vendor's device risk tags (aliyun_cloudauth: DeviceRisk); absent when none. */
  risk_signals?: string[];
}

/** A session as the front end sees it (the REST API's JSON, field names unchanged). */
export interface ClientVerification {
  id: string;
  object: "verification";
  provider: Provider;
  status: VerificationStatus;
  next_action: NextAction | null;
  result: VerificationResult | null;
  expires_at: string;
  completed_at: string | null;
}

/** A session as the merchant's server got it from `POST /v1/verifications`. */
export interface Verification extends ClientVerification {
  reference: string | null;
  client_secret?: string;
  subject: { name: string; id_number: string } | null;
  created_at: string;
  /** Set once the personal data was redacted; the subject then reads "[redacted]". */
  redacted_at?: string;
}

export interface ClientOptions extends LocaleOptions {
  /** The facegate server's origin; the page's own origin when omitted. */
  baseUrl?: string;
}

export interface WaitOptions {
  /** The first wait between two reads, in ms (default 1000). */
  intervalMs?: number;
  /** The longest wait between two reads, in ms (default 5000). */
  maxIntervalMs?: number;
  /** Give up after this long, in ms (default 600000): rejects with code "timeout". */
  timeoutMs?: number;
  /** Aborting rejects with code "aborted". */
  signal?: AbortSignal;
}

/** The stable codes of a thrown FacegateError: the helper's own, and the server's. */
export type FacegateErrorCode =
  | "invalid_argument" | "invalid_return_url" | "not_a_redirect" | "network_error"
  | "unexpected_response" | "timeout" | "aborted" | "qr_too_long" | "qr_unavailable" | "no_browser"
  | "missing_script"
  | "invalid_request" | "unauthorized" | "not_found" | "conflict" | "payload_too_large"
  | "rate_limited" | "provider_unavailable" | "subject_refused" | "vendor_error" | "vendor_unavailable"
  | "vendor_circuit_open"
  | "internal";

/** Every error the helper throws or rejects with; `message` is in the call's locale (the
 * server's own message for the server's codes). */
export interface FacegateError extends Error {
  name: "FacegateError";
  code: FacegateErrorCode;
  /** The argument or request field at fault, if one is. */
  field: string | null;
  /** Technical words beside the message, untranslated (a parser's, the browser's), if any. */
  detail: string | null;
}

export type Container =
  | "wechat_mini_program" | "wechat_browser" | "alipay_mini_program" | "alipay_browser"
  | "baidu_app" | "mobile_browser" | "desktop_browser";
export type Flow = "h5_redirect" | "wechat_mini_program" | "web_view" | "qr_handoff";
export type Permission = "granted" | "denied" | "prompt" | "unknown";
export type Presence = "yes" | "no" | "unknown";
export type IssueCode =
  | "insecure_context" | "no_media_devices" | "no_get_user_media" | "no_camera"
  | "no_front_camera" | "camera_denied" | "ios_webview_too_old" | "android_too_old"
  | "not_in_wechat_mini_program" | "not_in_mini_program_web_view" | "already_on_phone"
  | "vendor_browser_unsupported";

/** What a page observed about its browser (checkDevice gathers it itself). */
export interface DeviceFacts {
  userAgent?: string;
  secureContext?: boolean;
  mediaDevices?: boolean;
  getUserMedia?: boolean;
  cameras?: { label?: string; facingModes?: string[] }[] | null;
  cameraPermission?: Permission;
  wxEnvironment?: string | null;
  /** The hosting mini-program's base library (SDKVersion): 3.8.12+ runs wechat_verify. */
  sdkVersion?: string | null;
}

/** A reason a flow would fail: its code, and what it means and what to do, in the call's locale. */
export interface Issue { code: IssueCode; message: string }
/** Why checkDevice recommended a provider and flow. */
export type RecommendationReason =
  | "wechat_verify_available" | "wechat_mini_program" | "mini_program_web_view" | "wechat_browser"
  | "camera_available" | "no_camera_needed" | "continue_on_phone";
export interface FlowCheck { flow: Flow; supported: boolean; issues: Issue[] }

export interface DeviceReport {
  container: Container;
  mobile: boolean;
  os: { name: "ios" | "android" | "harmonyos" | "windows" | "macos" | "linux" | "other"; version: string | null };
  secureContext: boolean;
  camera: {
    mediaDevices: boolean;
    getUserMedia: boolean;
    /** How many cameras enumerateDevices listed; null where it could not be called. */
    cameras: number | null;
    frontCamera: Presence;
    permission: Permission;
  };
  /** One entry per flow, in the order h5_redirect, wechat_mini_program, web_view, qr_handoff. */
  flows: FlowCheck[];
  /** null when no enabled provider has a flow that works here. */
  recommended: { provider: Provider; flow: Flow; reason: RecommendationReason; message: string } | null;
  /** Enabled providers whose vendor's own browser table excludes this browser; absent when none. */
  unsupported?: { provider: Provider; issues: Issue[] }[];
}

export interface BaiduH5Link {
  /** verify_token from verifyToken/generate. */
  token: string;
  successUrl: string;
  failedUrl: string;
  /** Baidu's page (https://brain.baidu.com/face/print/) unless a proxy or sandbox stands in. */
  pageUrl?: string;
}

export interface OemcloudLinks { authUrl?: string | null; originalUrl?: string | null }

export interface ReturnParams { verificationId: string; status: VerificationStatus }

/** What a mini-program page does with a web-view message. */
export type WebViewMessage =
  | { action: "start_alipay_verify"; certifyId: string; url: string; authFlowId: string | null }
  | { action: "finished"; authFlowId: string | null }
  /** message: why, in the call's locale, for the developer's log. */
  | { action: "ignored"; type: string | null; reason: WebViewIgnoredReason; message: string };
/** Why a web-view message was ignored. */
export type WebViewIgnoredReason = "not_an_event" | "no_type" | "no_token" | "not_acted_on";

/** A wx.* callback argument. */
export interface WechatCallback { errCode?: number; errMsg?: string; verifyResult?: string }

export interface FaceSupport {
  supported: boolean;
  reason: "supported" | "no_front_camera" | "model_not_downloaded" | "disabled_by_backend" | "unknown";
  errCode: number | null;
  /** The base library has wx.requestFacialVerify (3.8.12 or later): face verification 2.0. */
  facialVerify: boolean;
  /** wechat_verify where 2.0 runs and is enabled, else wechat_mini where enabled. */
  provider: "wechat_verify" | "wechat_mini" | null;
  /** What `reason` means for the person and what to do, in the context's locale. */
  message: string;
}

/** What wechatFaceSupport may know beside the callback, and the locale of its message. */
export interface FaceSupportContext extends LocaleOptions {
  /** SDKVersion of wx.getAppBaseInfo() (or wx.getSystemInfoSync()). */
  sdkVersion?: string;
  /** The providers the merchant enabled; absent: both WeChat ones. */
  enabled?: Provider[];
}

/** What to do after wx.requestFacialVerify calls back: the callback decides nothing. */
export interface FacialVerifyOutcome {
  /** ask_backend: POST /v1/client/verifications/{id}/complete; canceled: the user gave up. */
  action: "ask_backend" | "canceled";
  errCode: number | null;
}

export type WechatVerifyOutcome =
  | { action: "submit"; verifyResult: string; errCode: number | null }
  | { action: "canceled"; errCode: number | null }
  /** hint is for wording only: nothing was confirmed; message is the hint explained to the
   * person (explainFailure), in the call's locale. */
  | { action: "failed"; errCode: number | null; hint: FailureReason; retry: boolean; message: string };

export interface AlipayVerifyCallback { resultStatus?: string | number }
export type AlipayVerifyOutcome =
  | { action: "finished" }
  | { action: "canceled" }
  | { action: "failed"; resultStatus: string | null };

export interface QrOptions extends LocaleOptions {
  /** Quiet zone in modules (default 4, at most 16). */
  border?: number;
  /** CSS colours (defaults #000 and #fff). */
  dark?: string;
  light?: string;
}
"#;

#[cfg(test)]
mod tests {
    // The attribute consumes the const, so the tests read the source.
    const SOURCE: &str = include_str!("typescript.rs");

    fn types() -> &'static str {
        SOURCE.split("#[cfg(test)]").next().unwrap_or_default()
    }
    use facegate_types::{ConfirmedBy, ErrorCode, FailureReason, Provider, VerificationStatus};

    fn quoted(name: &str) -> String {
        format!("\"{name}\"")
    }

    #[test]
    fn every_wire_name_of_the_shared_enums_is_in_the_typescript() {
        let names = Provider::ALL
            .iter()
            .map(|v| v.as_str())
            .chain(VerificationStatus::ALL.iter().map(|v| v.as_str()))
            .chain(FailureReason::ALL.iter().map(|v| v.as_str()))
            .chain(ConfirmedBy::ALL.iter().map(|v| v.as_str()))
            .chain(ErrorCode::ALL.iter().map(|v| v.as_str()));
        for name in names {
            assert!(
                types().contains(&quoted(name)),
                "{name} is missing from the .d.ts"
            );
        }
    }

    #[test]
    fn every_helper_error_code_is_in_the_typescript() {
        use crate::HelperError;
        let errors = [
            HelperError::invalid("x", crate::Problem::Empty),
            HelperError::InvalidReturnUrl(crate::ReturnUrlProblem::NoStatus),
            HelperError::NotARedirect("x"),
            HelperError::Network("x".into()),
            HelperError::UnexpectedResponse("x".into()),
            HelperError::Timeout(1),
            HelperError::Aborted,
            HelperError::QrTooLong,
            HelperError::QrUnavailable("x".into()),
            HelperError::NoBrowser("x"),
            HelperError::MissingScript("x"),
        ];
        for error in errors {
            assert!(types().contains(&quoted(error.code())), "{}", error.code());
        }
    }

    #[test]
    fn every_device_and_message_enum_value_is_in_the_typescript() {
        let json = |value: serde_json::Value| value.as_str().map(str::to_owned).unwrap();
        use crate::device::{Container, Flow, IssueCode, RecommendationReason};
        use crate::miniprogram::IgnoredReason;
        let every = IssueCode::ALL
            .iter()
            .map(|code| serde_json::to_value(code).unwrap())
            .chain(
                RecommendationReason::ALL
                    .iter()
                    .map(|reason| serde_json::to_value(reason).unwrap()),
            )
            .chain(
                IgnoredReason::ALL
                    .iter()
                    .map(|reason| serde_json::to_value(reason).unwrap()),
            );
        for value in every {
            assert!(types().contains(&quoted(&json(value))));
        }
        for value in [
            serde_json::to_value(Container::AlipayBrowser).unwrap(),
            serde_json::to_value(Container::BaiduApp).unwrap(),
            serde_json::to_value(Flow::QrHandoff).unwrap(),
            serde_json::to_value(IssueCode::IosWebviewTooOld).unwrap(),
            serde_json::to_value(IssueCode::NotInMiniProgramWebView).unwrap(),
            serde_json::to_value(IssueCode::VendorBrowserUnsupported).unwrap(),
        ] {
            assert!(types().contains(&quoted(&json(value))));
        }
    }
}
