//! The helper's message catalogue: every human text it returns, in zh-CN (the default) and en,
//! beside a stable code that never changes. One static table, no formatting machinery: a text
//! has at most one `{placeholder}`, filled by [`fill`]. The words are docs/glossary.md's.
//!
//! The failure reasons' and statuses' texts are facegate-types' own
//! ([`FailureReason::explain`](facegate_types::FailureReason::explain),
//! [`VerificationStatus::label`](facegate_types::VerificationStatus::label)). The plain-JS
//! mini-program adapter keeps the texts it needs in web/miniprogram/messages.js; both are
//! checked against tests/cases/messages.json, which this module's tests write.

use facegate_types::front_end::wechat_mini::FaceSupportReason;
pub use facegate_types::Locale;

use crate::device::{IssueCode, RecommendationReason};
use crate::error::{HelperError, Problem, ReturnUrlProblem};
use crate::miniprogram::IgnoredReason;

/// One text in both locales.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    pub zh_cn: &'static str,
    pub en: &'static str,
}

impl Text {
    /// The text in `locale`.
    pub const fn get(self, locale: Locale) -> &'static str {
        match locale {
            Locale::ZhCn => self.zh_cn,
            Locale::En => self.en,
        }
    }
}

const fn text(zh_cn: &'static str, en: &'static str) -> Text {
    Text { zh_cn, en }
}

/// `template` with its one `{placeholder}` replaced by `value` (the template as it is when it
/// has none). Every text has at most one, which the tests check; a plain split keeps the
/// string-search machinery out of the .wasm.
pub fn fill(template: &str, value: &str) -> String {
    let filled = template.split_once('{').and_then(|(before, rest)| {
        let (_, after) = rest.split_once('}')?;
        Some([before, value, after].concat())
    });
    filled.unwrap_or_else(|| template.to_owned())
}

/// `n` in decimal, without the formatting machinery.
pub fn decimal(mut n: u64) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

impl IssueCode {
    /// Why a flow would fail here and what the person can do: shown to the end user as it is.
    pub const fn text(self) -> Text {
        match self {
            Self::InsecureContext => text(
                "当前页面不是安全连接（HTTPS），无法使用摄像头，请通过 HTTPS 地址重新打开",
                "This page is not a secure connection (HTTPS), so the camera cannot be used. Open it again through an HTTPS address.",
            ),
            Self::NoMediaDevices => text(
                "当前浏览器无法使用摄像头，请换用系统浏览器或升级浏览器后重试",
                "This browser cannot use the camera. Use the system browser or update this one, then try again.",
            ),
            Self::NoGetUserMedia => text(
                "当前浏览器不支持网页调用摄像头，请换用系统浏览器或升级浏览器后重试",
                "This browser does not let web pages open the camera. Use the system browser or update this one, then try again.",
            ),
            Self::NoCamera => text(
                "未检测到摄像头，请连接摄像头后重试，或用手机扫码继续",
                "No camera was found. Connect one and try again, or scan the QR code to continue on your phone.",
            ),
            Self::NoFrontCamera => text(
                "未检测到前置摄像头，请使用带前置摄像头的设备重试",
                "No front camera was found. Use a device with a front camera and try again.",
            ),
            Self::CameraDenied => text(
                "摄像头权限已被拒绝，请在系统设置中允许浏览器使用摄像头后重试",
                "Camera permission was denied. Allow the browser to use the camera in your settings, then try again.",
            ),
            Self::IosWebviewTooOld => text(
                "iOS 14.3 以下的 App 内置浏览器无法使用摄像头，请升级系统或在 Safari 中打开",
                "In-app browsers on iOS before 14.3 cannot open the camera. Update iOS or open this page in Safari.",
            ),
            Self::AndroidTooOld => text(
                "Android 5.0 以下的系统无法在网页中使用摄像头，请更换设备后重试",
                "Web pages cannot open the camera on Android before 5.0. Use another device and try again.",
            ),
            Self::NotInWechatMiniProgram => text(
                "微信人脸核身仅能在微信小程序内发起，请在小程序中打开",
                "WeChat's face verification can only start inside a WeChat mini-program. Open this page there.",
            ),
            Self::NotInMiniProgramWebView => text(
                "此方式仅能在小程序的 web-view 中使用，请在小程序中打开",
                "This flow only works inside a mini-program web-view. Open this page in the mini-program.",
            ),
            Self::AlreadyOnPhone => text(
                "当前设备已是手机，请直接在本机完成认证",
                "This device is already a phone: verify on it directly.",
            ),
            Self::VendorBrowserUnsupported => text(
                "认证服务商不支持当前浏览器，请升级系统或换用系统浏览器后重试",
                "The verification provider does not support this browser. Update the system or open this page in the system browser, then try again.",
            ),
        }
    }
}

impl RecommendationReason {
    /// Why the provider and flow were recommended.
    pub const fn text(self) -> Text {
        match self {
            Self::WechatVerifyAvailable => text(
                "当前在微信小程序中，基础库支持 `wx.requestFacialVerify`（3.8.12 及以上），可使用人脸核身 2.0，无需网页摄像头",
                "Inside a WeChat mini-program whose base library has wx.requestFacialVerify (3.8.12+), face verification 2.0 needs no web camera.",
            ),
            Self::WechatMiniProgram => text(
                "当前在微信小程序中，可使用微信自带的人脸核身，无需网页摄像头",
                "Inside a WeChat mini-program, WeChat's own face verification needs no web camera.",
            ),
            Self::MiniProgramWebView => text(
                "当前在小程序的 web-view 中，可直接打开 OEMCloud 的长链接",
                "Inside a mini-program web-view, OEMCloud's long link opens there.",
            ),
            Self::WechatBrowser => text(
                "当前在微信浏览器中，可使用腾讯云人脸核身页面（其地址仅限微信 H5 使用）",
                "Inside WeChat's browser, Tencent FaceID's page opens (its Url is for WeChat H5 only).",
            ),
            Self::CameraAvailable => text(
                "当前浏览器可以使用摄像头",
                "This browser can open the camera.",
            ),
            Self::NoCameraNeeded => text(
                "沙箱页面无需摄像头",
                "The sandbox's page needs no camera.",
            ),
            Self::ContinueOnPhone => text(
                "此电脑无法完成人脸核身，请用手机扫码继续",
                "This computer cannot run the face verification: scan the QR code to continue on a phone.",
            ),
        }
    }
}

/// What `wx.checkIsSupportFacialRecognition`'s answer means for the person, and what to do.
pub const fn face_support(reason: FaceSupportReason) -> Text {
    match reason {
        FaceSupportReason::Supported => text(
            "此设备支持人脸核身",
            "This device supports face verification.",
        ),
        FaceSupportReason::NoFrontCamera => text(
            "此设备没有前置摄像头，无法进行人脸核身，请更换设备后重试",
            "This device has no front camera, so face verification cannot run. Use another device.",
        ),
        FaceSupportReason::ModelNotDownloaded => text(
            "人脸识别组件下载失败，请检查网络后重试",
            "The face recognition component could not be downloaded. Check the network and try again.",
        ),
        FaceSupportReason::DisabledByBackend => text(
            "微信暂不支持在此设备上进行人脸核身，请更换设备后重试",
            "WeChat does not allow face verification on this device. Use another device.",
        ),
        FaceSupportReason::Unknown => text(
            "无法确认此设备是否支持人脸核身，请升级微信后重试",
            "Could not tell whether this device supports face verification. Update WeChat and try again.",
        ),
    }
}

impl IgnoredReason {
    /// Why a web-view message was ignored, for the developer's log. `{type}`: the message's
    /// type.
    pub const fn text(self) -> Text {
        match self {
            Self::NotAnEvent => text(
                "事件不是对象、数组或 JSON 字符串",
                "the event is not an object, a list or a JSON string",
            ),
            Self::NoType => text("收到的消息都没有 `type`", "no posted message has a type"),
            Self::NoToken => text(
                "`IDENTITY_ALI_FACE_AWAKE` 消息缺少 `token`（即 certifyId）",
                "IDENTITY_ALI_FACE_AWAKE without a token (the certifyId)",
            ),
            Self::NotActedOn => text(
                "`{type}` 不是 facegate 处理的消息",
                "{type} is not a message facegate acts on",
            ),
        }
    }
}

impl Problem {
    /// An argument's problem, for the developer; `{field}`: the argument's code.
    pub const fn text(self) -> Text {
        match self {
            Self::HttpUrl => text(
                "`{field}`：须为 http(s) 地址",
                "{field}: must be an http(s) URL",
            ),
            Self::Empty => text("`{field}`：不能为空", "{field}: must not be empty"),
            Self::CssColour => text(
                "`{field}`：须为 CSS 颜色值",
                "{field}: must be a CSS colour",
            ),
            Self::NoLink => text(
                "`{field}`：`authUrl` 与 `originalUrl` 至少须提供一个",
                "{field}: neither authUrl nor originalUrl is given",
            ),
            Self::ActionType => text(
                "`{field}`：须为 redirect、web_view、wechat_mini_program 或 wechat_verify",
                "{field}: must be redirect, web_view, wechat_mini_program or wechat_verify",
            ),
            Self::Required => text(
                "`{field}`：此类下一步操作必须提供",
                "{field}: required for this kind of next action",
            ),
            Self::ClientSecretUnknown => text(
                "`{field}`：未提供，且本标签页并未发起这次认证",
                "{field}: not given, and this tab did not start the verification",
            ),
            Self::SessionId => text(
                "`{field}`：须为会话的 id",
                "{field}: must be the session's id",
            ),
            Self::NoNextAction => text(
                "`{field}`：会话已没有下一步操作（不再是待认证状态）",
                "{field}: the session has no next action (it is no longer pending)",
            ),
            Self::WrongShape => text(
                "`{field}`：类型或格式不正确",
                "{field}: wrong type or shape",
            ),
        }
    }
}

impl ReturnUrlProblem {
    /// Why a URL is not a facegate return URL, for the developer.
    pub const fn text(self) -> Text {
        match self {
            Self::NoVerificationId => text(
                "不是 facegate 的回跳地址：缺少 `verification_id` 参数",
                "not a facegate return URL: no verification_id parameter",
            ),
            Self::BadVerificationId => text(
                "不是 facegate 的回跳地址：`verification_id` 含有会话 id 不会有的字符",
                "not a facegate return URL: verification_id has characters no session id has",
            ),
            Self::NoStatus => text(
                "不是 facegate 的回跳地址：缺少 `status` 参数",
                "not a facegate return URL: no status parameter",
            ),
            Self::BadStatus => text(
                "不是 facegate 的回跳地址：`status` 不是认证状态",
                "not a facegate return URL: status is not a verification status",
            ),
        }
    }
}

/// The helper's own errors without a problem of their own, by code: `{action}` a next action's
/// type, `{api}` the helper's function, `{url}` a script's URL, `{ms}` a timeout.
pub const ERRORS: &[(&str, Text)] = &[
    (
        "not_a_redirect",
        text(
            "`{action}` 类型的下一步操作需调用小程序接口，不能通过跳转页面完成",
            "a {action} next action is not followed by navigating the page",
        ),
    ),
    (
        "network_error",
        text(
            "无法连接认证服务，请检查网络后重试",
            "The verification server could not be reached. Check the network and try again.",
        ),
    ),
    (
        "unexpected_response",
        text(
            "收到无法识别的应答，请稍后重试",
            "An unexpected response arrived. Please try again later.",
        ),
    ),
    (
        "timeout",
        text(
            "等待 {ms} 毫秒仍未得到认证结果，请稍后重试",
            "No final status within {ms} ms. Please try again later.",
        ),
    ),
    ("aborted", text("操作已中止", "Aborted.")),
    (
        "qr_too_long",
        text(
            "内容过长，无法生成二维码",
            "The text is too long for a QR code.",
        ),
    ),
    (
        "qr_unavailable",
        text(
            "二维码组件加载失败，请检查网络后重试",
            "The QR code component could not be loaded. Check the network and try again.",
        ),
    ),
    (
        "no_browser",
        text(
            "`{api}` 需在浏览器页面中调用",
            "{api} needs a browser window",
        ),
    ),
    (
        "missing_script",
        text(
            "未加载服务商的页面脚本，请先添加 `<script src=\"{url}\">` 再调用",
            "the vendor's page script is not loaded: add <script src=\"{url}\"> before calling",
        ),
    ),
];

fn error_text(code: &str) -> Text {
    ERRORS
        .iter()
        .find(|(known, _)| *known == code)
        .map_or(text("", ""), |(_, text)| *text)
}

/// [`HelperError::message`]: the catalogue's text, filled.
pub(crate) fn error_message(error: &HelperError, locale: Locale) -> String {
    let template = |code| error_text(code).get(locale);
    match error {
        HelperError::InvalidArgument { field, problem, .. } => {
            fill(problem.text().get(locale), field)
        }
        HelperError::InvalidReturnUrl(problem) => problem.text().get(locale).to_owned(),
        HelperError::NotARedirect(action) => fill(template(error.code()), action),
        HelperError::Api(api) => api.message.clone(),
        HelperError::Timeout(ms) => fill(template(error.code()), &decimal(u64::from(*ms))),
        HelperError::NoBrowser(api) => fill(template(error.code()), api),
        HelperError::MissingScript(url) => fill(template(error.code()), url),
        HelperError::Network(_)
        | HelperError::UnexpectedResponse(_)
        | HelperError::Aborted
        | HelperError::QrTooLong
        | HelperError::QrUnavailable(_) => template(error.code()).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use facegate_types::{ApiError, ErrorCode, FailureReason, VerificationStatus};
    use serde_json::{json, Map, Value};

    /// A serde enum's wire name.
    fn wire<T: serde::Serialize>(value: T) -> String {
        serde_json::to_value(value)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn entry(text: Text) -> Value {
        json!({"zh-CN": text.zh_cn, "en": text.en})
    }

    fn section(entries: impl IntoIterator<Item = (String, Text)>) -> Value {
        Value::Object(
            entries
                .into_iter()
                .map(|(code, text)| (code, entry(text)))
                .collect::<Map<_, _>>(),
        )
    }

    /// Every text of the helper, by section and code, as tests/cases/messages.json holds it.
    fn catalogue() -> Value {
        let both = |zh_cn, en| Text { zh_cn, en };
        let errors = Problem::ALL
            .iter()
            .map(|p| (["invalid_argument.", p.code()].concat(), p.text()))
            .chain(
                ReturnUrlProblem::ALL
                    .iter()
                    .map(|p| (["invalid_return_url.", p.code()].concat(), p.text())),
            )
            .chain(
                ERRORS
                    .iter()
                    .map(|(code, text)| ((*code).to_owned(), *text)),
            );
        json!({
            "about": "Every human text of the helper, in zh-CN (the default) and en, by section and stable code; {name} is a placeholder the helper fills (a field's code, a message's type, a function's name, a script's URL, a timeout in ms). Written by crates/facegate-wasm/src/messages.rs's tests from its catalogue (FACEGATE_UPDATE_CASES=1 cargo test -p facegate-wasm messages rewrites it; without, the test fails when they differ). The plain-JS mini-program adapter's catalogue (web/miniprogram/messages.js) must equal its sections face_support, failure_reasons, statuses and web_view_ignored (tests/e2e/package.test.mjs). failure_reasons and statuses are facegate-types' FailureReason::explain and VerificationStatus::label (docs/glossary.md).",
            "device_issues": section(IssueCode::ALL.iter().map(|c| (wire(c), c.text()))),
            "recommendations": section(RecommendationReason::ALL.iter().map(|r| (wire(r), r.text()))),
            "errors": section(errors),
            "face_support": section(FaceSupportReason::ALL.iter().map(|r| (wire(r), face_support(*r)))),
            "web_view_ignored": section(IgnoredReason::ALL.iter().map(|r| (wire(r), r.text()))),
            "failure_reasons": section(FailureReason::ALL.iter().map(|r| {
                (r.as_str().to_owned(), both(r.explain(Locale::ZhCn), r.explain(Locale::En)))
            })),
            "statuses": section(VerificationStatus::ALL.iter().map(|s| {
                (s.as_str().to_owned(), both(s.label(Locale::ZhCn), s.label(Locale::En)))
            })),
        })
    }

    fn every_text() -> Vec<(String, Text)> {
        let catalogue = catalogue();
        let mut texts = Vec::new();
        for (name, section) in catalogue.as_object().unwrap() {
            let Some(entries) = section.as_object() else {
                continue;
            };
            for (code, entry) in entries {
                let leak = |value: &Value| -> &'static str {
                    Box::leak(value.as_str().unwrap().to_owned().into_boxed_str())
                };
                texts.push((
                    [name.as_str(), ".", code].concat(),
                    Text {
                        zh_cn: leak(&entry["zh-CN"]),
                        en: leak(&entry["en"]),
                    },
                ));
            }
        }
        texts
    }

    /// `{name}` placeholders, sorted.
    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .filter(|name| !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase()))
            .collect();
        found.sort_unstable();
        found
    }

    /// The text without its `code` spans, placeholders and the token http(s): what is left is
    /// prose, whose punctuation must be full-width.
    fn prose(text: &str) -> String {
        let outside_code: String = text
            .split('`')
            .step_by(2)
            .collect::<Vec<_>>()
            .concat()
            .replace("http(s)", "");
        let mut prose = outside_code.clone();
        for name in placeholders(&outside_code) {
            prose = prose.replace(&["{", name, "}"].concat(), "");
        }
        prose
    }

    #[test]
    fn every_text_is_written_in_both_locales_chinese_with_full_width_punctuation() {
        let texts = every_text();
        assert!(texts.len() > 60, "the catalogue lost texts");
        for (key, text) in texts {
            let (zh, en) = (text.zh_cn, text.en);
            assert!(!zh.is_empty() && !en.is_empty(), "{key}: a text is empty");
            assert_ne!(zh, en, "{key}: zh-CN is the English text");
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{key}: zh-CN is not Chinese: {zh}"
            );
            assert!(en.is_ascii(), "{key}: en is not plain English: {en}");
            assert_eq!(
                placeholders(zh),
                placeholders(en),
                "{key}: placeholders differ"
            );
            assert!(
                placeholders(zh).len() <= 1,
                "{key}: fill fills one placeholder"
            );
            assert_eq!(
                zh.matches('{').count(),
                placeholders(zh).len(),
                "{key}: a stray {{"
            );
            assert_eq!(
                en.matches('{').count(),
                placeholders(en).len(),
                "{key}: a stray {{"
            );
            let prose = prose(zh);
            let chars: Vec<char> = prose.chars().collect();
            for (index, c) in chars.iter().enumerate() {
                let between_digits = *c == '.'
                    && index > 0
                    && chars[index - 1].is_ascii_digit()
                    && chars.get(index + 1).is_some_and(char::is_ascii_digit);
                assert!(
                    !",;:?!().".contains(*c) || between_digits,
                    "{key}: half-width {c:?} in {zh} (use ，；：？！（）。)"
                );
            }
            assert!(!zh.ends_with('。'), "{key}: no closing 。 ({zh})");
            for word in ["相机", "令牌", "API", "token"] {
                assert!(
                    !prose.contains(word),
                    "{key}: {word} is not the glossary's (docs/glossary.md): {zh}"
                );
            }
        }
    }

    #[test]
    fn the_shared_table_is_the_catalogue() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/cases/messages.json"
        );
        let written = serde_json::to_string_pretty(&catalogue()).unwrap() + "\n";
        if std::env::var_os("FACEGATE_UPDATE_CASES").is_some() {
            std::fs::write(path, &written).unwrap();
        }
        let table = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            table == written,
            "tests/cases/messages.json is not the catalogue: FACEGATE_UPDATE_CASES=1 cargo test -p facegate-wasm messages"
        );
    }

    fn every_error() -> Vec<HelperError> {
        let mut errors: Vec<HelperError> = Problem::ALL
            .iter()
            .map(|p| HelperError::invalid("successUrl", *p))
            .chain(
                ReturnUrlProblem::ALL
                    .iter()
                    .map(|p| HelperError::InvalidReturnUrl(*p)),
            )
            .collect();
        errors.extend([
            HelperError::NotARedirect("wechat_verify"),
            HelperError::Network("Failed to fetch".into()),
            HelperError::UnexpectedResponse("HTTP 502".into()),
            HelperError::Timeout(120_000),
            HelperError::Aborted,
            HelperError::QrTooLong,
            HelperError::QrUnavailable("Failed to fetch dynamically imported module".into()),
            HelperError::NoBrowser("checkDevice"),
            HelperError::MissingScript("https://x.example/a.js"),
        ]);
        errors
    }

    #[test]
    fn every_error_has_its_message_filled_and_no_entry_is_unused() {
        let errors = every_error();
        for error in &errors {
            for locale in Locale::ALL {
                let message = error.message(*locale);
                assert!(!message.is_empty(), "{}", error.code());
                assert!(placeholders(&message).is_empty(), "unfilled: {message}");
            }
        }
        let mut used: Vec<&str> = errors.iter().map(HelperError::code).collect();
        used.dedup();
        for (code, _) in ERRORS {
            assert!(
                used.contains(code),
                "ERRORS has {code}, which no error uses"
            );
        }
        assert_eq!(
            HelperError::Timeout(120_000).message(Locale::En),
            "No final status within 120000 ms. Please try again later."
        );
        assert_eq!(
            HelperError::NoBrowser("checkDevice").message(Locale::ZhCn),
            "`checkDevice` 需在浏览器页面中调用"
        );
        assert_eq!(decimal(0), "0");
        assert_eq!(decimal(u32::MAX.into()), "4294967295");
        assert_eq!(decimal(u64::MAX), "18446744073709551615");
        let api = HelperError::Api(ApiError::new(ErrorCode::NotFound, "没有这个会话", None));
        assert_eq!(
            api.message(Locale::En),
            "没有这个会话",
            "the server's own words"
        );
    }

    #[test]
    fn every_problem_is_raised_somewhere() {
        let sources = [
            include_str!("js.rs"),
            include_str!("urls.rs"),
            include_str!("qr.rs"),
            include_str!("convert.rs"),
        ]
        .concat();
        for problem in Problem::ALL {
            let name = ["Problem::", &format!("{problem:?}")].concat();
            assert!(sources.contains(&name), "{name} is never raised");
        }
        let urls = include_str!("urls.rs");
        for problem in ReturnUrlProblem::ALL {
            let name = ["ReturnUrlProblem::", &format!("{problem:?}")].concat();
            assert!(urls.contains(&name), "{name} is never raised");
        }
    }
}
