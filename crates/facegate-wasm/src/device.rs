//! The device check: what the browser can do, which container it runs in, and which provider
//! and flow will work, decided before a vendor call is spent. `analyze` is pure; the browser
//! side (`browser::device_facts`) only gathers the facts.

use facegate_types::front_end::{contains, find, wechat_verify};
use facegate_types::{Locale, Provider};
use serde::Serialize;

use crate::error::HelperError;
use crate::miniprogram::Posted;
use crate::read::Strict;

/// What the page observed about its browser. Every field has a default, so a partial object
/// (a mini-program without `navigator`) is still a valid input.
#[derive(Clone, Debug, Default)]
pub struct DeviceFacts {
    pub user_agent: String,
    /// `window.isSecureContext`: getUserMedia exists only there.
    pub secure_context: bool,
    /// `navigator.mediaDevices` exists.
    pub media_devices: bool,
    /// `navigator.mediaDevices.getUserMedia` is a function.
    pub get_user_media: bool,
    /// The `videoinput` entries of `enumerateDevices()`; absent when it could not be called.
    pub cameras: Option<Vec<CameraFacts>>,
    /// `navigator.permissions.query({name: "camera"})`'s state, where the browser answers.
    pub camera_permission: Permission,
    /// `window.__wxjs_environment` (`"miniprogram"` inside a WeChat mini-program web-view).
    pub wx_environment: Option<String>,
    /// The hosting WeChat mini-program's base library (`SDKVersion`), where the page knows it:
    /// 3.8.12 or later runs face verification 2.0 (`wechat_verify`); unknown reads as older.
    pub sdk_version: Option<String>,
}

impl DeviceFacts {
    /// Reads `analyzeDevice`'s `facts` (the camelCase names of the TypeScript `DeviceFacts`)
    /// strictly: a property that is absent or `null` reads as its default, one of another type
    /// throws `invalid_argument` for `facts`.
    pub fn read<V: Posted>(value: &V) -> Result<Self, HelperError> {
        let facts = Strict::object(value, "facts")?;
        let cameras = match facts.list("cameras")? {
            Some(list) => Some(
                list.iter()
                    .map(|camera| CameraFacts::read(&facts.nested(camera, "cameras")?))
                    .collect::<Result<_, _>>()?,
            ),
            None => None,
        };
        Ok(Self {
            user_agent: facts.string("userAgent")?.unwrap_or_default(),
            secure_context: facts.boolean("secureContext")?.unwrap_or_default(),
            media_devices: facts.boolean("mediaDevices")?.unwrap_or_default(),
            get_user_media: facts.boolean("getUserMedia")?.unwrap_or_default(),
            cameras,
            camera_permission: facts
                .named("cameraPermission", Permission::parse)?
                .unwrap_or_default(),
            wx_environment: facts.string("wxEnvironment")?,
            sdk_version: facts.string("sdkVersion")?,
        })
    }
}

/// One `videoinput` from `enumerateDevices()`.
#[derive(Clone, Debug, Default)]
pub struct CameraFacts {
    /// Empty until the page has camera permission.
    pub label: String,
    /// `getCapabilities().facingMode`, where the browser has it.
    pub facing_modes: Vec<String>,
}

impl CameraFacts {
    fn read<V: Posted>(camera: &Strict<'_, V>) -> Result<Self, HelperError> {
        Ok(Self {
            label: camera.string("label")?.unwrap_or_default(),
            facing_modes: camera.strings("facingModes")?.unwrap_or_default(),
        })
    }
}

code_enum! {
    /// A camera permission state.
    #[derive(Default)]
    pub enum Permission {
        Granted => "granted",
        Denied => "denied",
        Prompt => "prompt",
        /// The browser cannot be asked (no Permissions API, or no "camera" name in it).
        #[default]
        Unknown => "unknown",
    }
}

code_enum! {
    /// Yes, no, or cannot tell yet (labels stay empty until permission is granted).
    pub enum Presence {
        Yes => "yes",
        No => "no",
        Unknown => "unknown",
    }
}

code_enum! {
    /// The app the page runs in.
    pub enum Container {
        /// A WeChat mini-program's web-view (`__wxjs_environment === "miniprogram"`).
        WechatMiniProgram => "wechat_mini_program",
        /// WeChat's own browser (MicroMessenger).
        WechatBrowser => "wechat_browser",
        /// An Alipay mini-program's web-view.
        AlipayMiniProgram => "alipay_mini_program",
        /// Alipay's own browser (AlipayClient).
        AlipayBrowser => "alipay_browser",
        /// The Baidu app or a Baidu smart program (baiduboxapp, swan).
        BaiduApp => "baidu_app",
        MobileBrowser => "mobile_browser",
        DesktopBrowser => "desktop_browser",
    }
}

impl Container {
    pub fn is_mini_program_web_view(self) -> bool {
        matches!(self, Self::WechatMiniProgram | Self::AlipayMiniProgram)
    }

    /// In-app browsers on iOS are WKWebViews, which have getUserMedia from iOS 14.3 only.
    fn is_in_app(self) -> bool {
        !matches!(self, Self::MobileBrowser | Self::DesktopBrowser)
    }
}

/// The operating system and its version as the user agent tells them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Os {
    pub name: OsName,
    /// Dotted (`16.4`), when the user agent gives one.
    pub version: Option<String>,
}

code_enum! {
    pub enum OsName {
        Ios => "ios",
        Android => "android",
        Harmonyos => "harmonyos",
        Windows => "windows",
        Macos => "macos",
        Linux => "linux",
        Other => "other",
    }
}

code_enum! {
    /// How the user goes through the face check.
    pub enum Flow {
        /// The vendor's H5 page in this browser (Baidu H5, FaceID Lite, OEMCloud, sandbox).
        H5Redirect => "h5_redirect",
        /// WeChat's face check in the WeChat mini-program that hosts this page:
        /// `wx.requestFacialVerify` (`wechat_verify`) or `wx.startFacialRecognitionVerify`
        /// (`wechat_mini`).
        WechatMiniProgram => "wechat_mini_program",
        /// OEMCloud's long link in the hosting mini-program's web-view.
        WebView => "web_view",
        /// A QR code of the vendor page: the user continues on a phone, this page waits.
        QrHandoff => "qr_handoff",
    }
}

code_enum! {
    /// A reason a flow would fail, with a stable code.
    pub enum IssueCode {
        InsecureContext => "insecure_context",
        NoMediaDevices => "no_media_devices",
        NoGetUserMedia => "no_get_user_media",
        NoCamera => "no_camera",
        NoFrontCamera => "no_front_camera",
        CameraDenied => "camera_denied",
        IosWebviewTooOld => "ios_webview_too_old",
        AndroidTooOld => "android_too_old",
        NotInWechatMiniProgram => "not_in_wechat_mini_program",
        NotInMiniProgramWebView => "not_in_mini_program_web_view",
        AlreadyOnPhone => "already_on_phone",
        /// The vendor's own browser table excludes this browser (aliyun_cloudauth: UC on iOS,
        /// another iOS browser before 14.3, Safari before iOS 11).
        VendorBrowserUnsupported => "vendor_browser_unsupported",
    }
}

/// One issue: its code, and what it means for the person and what to do, in the caller's
/// locale (the catalogue's text, `messages.rs`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub code: IssueCode,
    pub message: &'static str,
}

impl Issue {
    pub fn new(code: IssueCode, locale: Locale) -> Self {
        Self {
            code,
            message: code.text().get(locale),
        }
    }
}

/// Whether a flow works here and, if not, why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlowCheck {
    pub flow: Flow,
    pub supported: bool,
    pub issues: Vec<Issue>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CameraReport {
    pub media_devices: bool,
    pub get_user_media: bool,
    /// How many cameras `enumerateDevices()` listed; absent where it could not be called.
    pub cameras: Option<u32>,
    pub front_camera: Presence,
    pub permission: Permission,
}

code_enum! {
    /// Why a provider and flow were recommended, as a stable code.
    pub enum RecommendationReason {
        /// A WeChat mini-program whose base library has `wx.requestFacialVerify` (3.8.12+).
        WechatVerifyAvailable => "wechat_verify_available",
        /// A WeChat mini-program: WeChat's own face check.
        WechatMiniProgram => "wechat_mini_program",
        /// A mini-program web-view: OEMCloud's long link.
        MiniProgramWebView => "mini_program_web_view",
        /// WeChat's browser: Tencent FaceID's page.
        WechatBrowser => "wechat_browser",
        /// This browser can open the camera.
        CameraAvailable => "camera_available",
        /// The sandbox's page is a form.
        NoCameraNeeded => "no_camera_needed",
        /// This computer cannot: the QR hand-off.
        ContinueOnPhone => "continue_on_phone",
    }
}

/// The recommended provider and flow, why (a code), and the why in the caller's locale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    pub provider: Provider,
    pub flow: Flow,
    pub reason: RecommendationReason,
    pub message: &'static str,
}

/// The whole device check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceReport {
    pub container: Container,
    pub mobile: bool,
    pub os: Os,
    pub secure_context: bool,
    pub camera: CameraReport,
    pub flows: Vec<FlowCheck>,
    /// Absent when no enabled provider has a flow that works here.
    pub recommended: Option<Recommendation>,
    /// Enabled providers whose own browser table excludes this browser, and why (absent when
    /// none is): never recommended for the H5 flow here.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unsupported: Vec<ProviderIssues>,
}

/// A provider that cannot run in this browser, by its vendor's own documents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProviderIssues {
    pub provider: Provider,
    pub issues: Vec<Issue>,
}

/// Alibaba's H5 browser table (金融级实人认证, "H5网页集成", 浏览器兼容性): on Android, Edge,
/// Firefox, Chrome, Opera, QQ, Baidu and UC from Android 4.0 (the system browser from 5.0);
/// on iOS, Safari from iOS 11 and the other listed browsers from iOS 14.3; UC never on iOS.
/// `Ok` where the table allows the browser or does not speak of it (a desktop, HarmonyOS).
pub fn aliyun_browser_support(user_agent: &str) -> Result<(), IssueCode> {
    let os = os(user_agent);
    let version = major_minor(os.version.as_deref());
    let uc = ["UCBrowser", "UCWEB", " UBrowser"]
        .iter()
        .any(|marker| contains(user_agent, marker));
    match os.name {
        OsName::Ios => {
            if uc {
                return Err(IssueCode::VendorBrowserUnsupported);
            }
            let other_browser = [
                "CriOS",
                "FxiOS",
                "EdgiOS",
                "OPiOS",
                "OPT/",
                "MQQBrowser",
                "QQ/",
                "baiduboxapp",
                "MicroMessenger",
                "AlipayClient",
                "DingTalk",
            ]
            .iter()
            .any(|marker| contains(user_agent, marker));
            let safari = !other_browser && contains(user_agent, "Safari/");
            let minimum = if safari { (11, 0) } else { (14, 3) };
            if version.is_some_and(|v| v < minimum) {
                return Err(IssueCode::VendorBrowserUnsupported);
            }
            Ok(())
        }
        OsName::Android if version.is_some_and(|v| v < (4, 0)) => {
            Err(IssueCode::VendorBrowserUnsupported)
        }
        _ => Ok(()),
    }
}

/// The enabled providers whose vendor documents exclude this browser.
fn unsupported_providers(
    user_agent: &str,
    enabled: &[Provider],
    locale: Locale,
) -> Vec<ProviderIssues> {
    enabled
        .iter()
        .filter_map(|provider| {
            let refused = match provider {
                Provider::AliyunCloudauth => aliyun_browser_support(user_agent).err(),
                _ => None,
            }?;
            Some(ProviderIssues {
                provider: *provider,
                issues: vec![Issue::new(refused, locale)],
            })
        })
        .collect()
}

/// Whether a provider's page needs this browser's camera: the sandbox's page is a form.
fn needs_camera(provider: Provider) -> bool {
    provider != Provider::Sandbox
}

fn is_h5_provider(provider: Provider) -> bool {
    matches!(
        provider,
        Provider::Sandbox
            | Provider::BaiduH5
            | Provider::FaceidLite
            | Provider::Oemcloud
            | Provider::AliyunCloudauth
    )
}

/// The container, from the user agent and `__wxjs_environment`.
pub fn container(user_agent: &str, wx_environment: Option<&str>) -> Container {
    let ua = user_agent.to_ascii_lowercase();
    if wx_environment == Some("miniprogram")
        || (contains(&ua, "micromessenger") && contains(&ua, "miniprogram"))
    {
        Container::WechatMiniProgram
    } else if contains(&ua, "micromessenger") {
        Container::WechatBrowser
    } else if contains(&ua, "alipayclient") && contains(&ua, "miniprogram") {
        Container::AlipayMiniProgram
    } else if contains(&ua, "alipayclient") {
        Container::AlipayBrowser
    } else if contains(&ua, "baiduboxapp")
        || contains(&ua, "swan/")
        || contains(&ua, "swan-baiduboxapp")
    {
        Container::BaiduApp
    } else if is_mobile(&ua) {
        Container::MobileBrowser
    } else {
        Container::DesktopBrowser
    }
}

fn is_mobile(ua_lower: &str) -> bool {
    [
        "mobile",
        "android",
        "iphone",
        "ipad",
        "ipod",
        "harmonyos",
        "openharmony",
    ]
    .iter()
    .any(|word| contains(ua_lower, word))
}

/// The version digits right after `marker`, `_` read as `.` (iOS writes `16_4`).
fn version_after(user_agent: &str, marker: &str) -> Option<String> {
    let start = find(user_agent, marker)? + marker.len();
    let version: String = user_agent
        .get(start..)?
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '_')
        .map(|c| if c == '_' { '.' } else { c })
        .collect();
    let version = version.trim_end_matches('.');
    (!version.is_empty()).then(|| version.to_owned())
}

/// The operating system and version from the user agent.
pub fn os(user_agent: &str) -> Os {
    let found = |name, version| Os { name, version };
    if contains(user_agent, "iPhone")
        || contains(user_agent, "iPad")
        || contains(user_agent, "iPod")
    {
        let version = version_after(user_agent, "iPhone OS ")
            .or_else(|| version_after(user_agent, "CPU OS "));
        found(OsName::Ios, version)
    } else if contains(user_agent, "OpenHarmony") || contains(user_agent, "HarmonyOS") {
        let version = version_after(user_agent, "OpenHarmony ")
            .or_else(|| version_after(user_agent, "HarmonyOS "));
        found(OsName::Harmonyos, version)
    } else if contains(user_agent, "Android") {
        found(OsName::Android, version_after(user_agent, "Android "))
    } else if contains(user_agent, "Windows") {
        found(OsName::Windows, version_after(user_agent, "Windows NT "))
    } else if contains(user_agent, "Mac OS X") {
        found(OsName::Macos, version_after(user_agent, "Mac OS X "))
    } else if contains(user_agent, "Linux") || contains(user_agent, "X11") {
        found(OsName::Linux, None)
    } else {
        found(OsName::Other, None)
    }
}

/// `16.4` -> (16, 4).
fn major_minor(version: Option<&str>) -> Option<(u32, u32)> {
    let mut parts = version?.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    Some((major, minor))
}

fn front_camera(mobile: bool, cameras: Option<&[CameraFacts]>) -> Presence {
    let Some(cameras) = cameras else {
        return Presence::Unknown;
    };
    if cameras.is_empty() {
        return Presence::No;
    }
    let faces_user = |camera: &CameraFacts| {
        let label = camera.label.to_ascii_lowercase();
        camera.facing_modes.iter().any(|mode| mode == "user")
            || contains(&label, "front")
            || contains(&label, "前置")
            || contains(&label, "facing user")
    };
    if cameras.iter().any(faces_user) {
        Presence::Yes
    } else if !mobile {
        // A desktop's webcam faces its user.
        Presence::Yes
    } else if cameras.iter().any(|camera| camera.label.is_empty()) {
        Presence::Unknown
    } else {
        Presence::No
    }
}

/// Checks the device and recommends a provider among `enabled` (in the merchant's order of
/// preference) and a flow, with the messages in zh-CN.
pub fn analyze(facts: &DeviceFacts, enabled: &[Provider]) -> DeviceReport {
    analyze_in(facts, enabled, Locale::default())
}

/// [`analyze`], with the messages in `locale`.
pub fn analyze_in(facts: &DeviceFacts, enabled: &[Provider], locale: Locale) -> DeviceReport {
    let container = container(&facts.user_agent, facts.wx_environment.as_deref());
    let os = os(&facts.user_agent);
    let mobile = container != Container::DesktopBrowser;
    let cameras = facts.cameras.as_deref();
    let front = front_camera(mobile, cameras);

    let mut camera_issues = Vec::new();
    if !facts.secure_context {
        camera_issues.push(IssueCode::InsecureContext);
    }
    if !facts.media_devices {
        camera_issues.push(IssueCode::NoMediaDevices);
    } else if !facts.get_user_media {
        camera_issues.push(IssueCode::NoGetUserMedia);
    }
    let version = major_minor(os.version.as_deref());
    if os.name == OsName::Ios && container.is_in_app() && version.is_some_and(|v| v < (14, 3)) {
        camera_issues.push(IssueCode::IosWebviewTooOld);
    }
    if os.name == OsName::Android && version.is_some_and(|v| v < (5, 0)) {
        camera_issues.push(IssueCode::AndroidTooOld);
    }
    match (cameras.map(<[CameraFacts]>::len), front) {
        (Some(0), _) => camera_issues.push(IssueCode::NoCamera),
        (_, Presence::No) => camera_issues.push(IssueCode::NoFrontCamera),
        _ => {}
    }
    if facts.camera_permission == Permission::Denied {
        camera_issues.push(IssueCode::CameraDenied);
    }

    let check = |flow, issues: Vec<IssueCode>| FlowCheck {
        flow,
        supported: issues.is_empty(),
        issues: issues
            .into_iter()
            .map(|code| Issue::new(code, locale))
            .collect(),
    };
    let h5 = check(Flow::H5Redirect, camera_issues.clone());
    let wechat = check(
        Flow::WechatMiniProgram,
        if container == Container::WechatMiniProgram {
            Vec::new()
        } else {
            vec![IssueCode::NotInWechatMiniProgram]
        },
    );
    let web_view = check(
        Flow::WebView,
        if container.is_mini_program_web_view() {
            Vec::new()
        } else {
            vec![IssueCode::NotInMiniProgramWebView]
        },
    );
    let handoff = check(
        Flow::QrHandoff,
        if mobile {
            vec![IssueCode::AlreadyOnPhone]
        } else {
            Vec::new()
        },
    );

    let unsupported = unsupported_providers(&facts.user_agent, enabled, locale);
    // A provider the vendor's own table excludes is not offered here.
    let usable: Vec<Provider> = enabled
        .iter()
        .copied()
        .filter(|p| !unsupported.iter().any(|u| u.provider == *p))
        .collect();
    let facial_verify = wechat_verify::has_request_facial_verify(facts.sdk_version.as_deref());
    let recommended = recommend(
        container,
        &usable,
        facial_verify,
        &h5,
        &wechat,
        &web_view,
        &handoff,
    );
    let recommended = recommended.map(|(provider, flow, reason)| Recommendation {
        provider,
        flow,
        reason,
        message: reason.text().get(locale),
    });
    DeviceReport {
        container,
        mobile,
        os,
        secure_context: facts.secure_context,
        camera: CameraReport {
            media_devices: facts.media_devices,
            get_user_media: facts.get_user_media,
            cameras: cameras.map(|list| u32::try_from(list.len()).unwrap_or(u32::MAX)),
            front_camera: front,
            permission: facts.camera_permission,
        },
        flows: vec![h5, wechat, web_view, handoff],
        recommended,
        unsupported,
    }
}

/// The provider, flow and why, in the merchant's order of preference.
fn recommend(
    container: Container,
    enabled: &[Provider],
    facial_verify: bool,
    h5: &FlowCheck,
    wechat: &FlowCheck,
    web_view: &FlowCheck,
    handoff: &FlowCheck,
) -> Option<(Provider, Flow, RecommendationReason)> {
    let has = |provider| enabled.contains(&provider);
    let pick = |provider, flow, reason| Some((provider, flow, reason));
    // Face verification 2.0 where the base library runs it (the rule wechatFaceSupport uses).
    match (wechat.supported)
        .then(|| wechat_verify::recommend(true, facial_verify, Some(enabled)))
        .flatten()
    {
        Some(Provider::WechatVerify) => {
            return pick(
                Provider::WechatVerify,
                Flow::WechatMiniProgram,
                RecommendationReason::WechatVerifyAvailable,
            )
        }
        Some(provider) => {
            return pick(
                provider,
                Flow::WechatMiniProgram,
                RecommendationReason::WechatMiniProgram,
            )
        }
        None => {}
    }
    if web_view.supported && has(Provider::Oemcloud) {
        return pick(
            Provider::Oemcloud,
            Flow::WebView,
            RecommendationReason::MiniProgramWebView,
        );
    }
    // Tencent FaceID's DetectAuth Url is for WeChat H5 only ("仅微信H5场景使用"): the
    // redirect works in WeChat's browser and nowhere else.
    if container == Container::WechatBrowser && h5.supported && has(Provider::TencentFaceid) {
        return pick(
            Provider::TencentFaceid,
            Flow::H5Redirect,
            RecommendationReason::WechatBrowser,
        );
    }
    let h5_providers = || enabled.iter().copied().filter(|p| is_h5_provider(*p));
    if h5.supported {
        if let Some(provider) = h5_providers().next() {
            return pick(
                provider,
                Flow::H5Redirect,
                RecommendationReason::CameraAvailable,
            );
        }
    }
    if let Some(provider) = h5_providers().find(|p| !needs_camera(*p)) {
        return pick(
            provider,
            Flow::H5Redirect,
            RecommendationReason::NoCameraNeeded,
        );
    }
    if handoff.supported {
        if let Some(provider) = h5_providers().next() {
            return pick(
                provider,
                Flow::QrHandoff,
                RecommendationReason::ContinueOnPhone,
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const IPHONE_WECHAT_OLD: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 13_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/7.0.12(0x17000c2d) NetType/WIFI Language/zh_CN";
    const ANDROID_WECHAT_MINI: &str = "Mozilla/5.0 (Linux; Android 12; PEGM00 Build/RKQ1.200903.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20220505 Mobile Safari/537.36 MMWEBID/2 MicroMessenger/8.0.23.2160(0x28001757) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64 miniProgram/wx1234";
    const ALIPAY_MINI: &str = "Mozilla/5.0 (Linux; U; Android 10; zh-CN; V1916A Build/QP1A.190711.020) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.0.36 Mobile Safari/537.36 AlipayChannelId/5136 AlipayClient/10.2.26.9000 Language/zh-Hans MiniProgram";
    const ALIPAY: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Ariver/1.1.0 AliApp(AP/10.3.70.6000) Nebula WK RVKType(0) AlipayDefined(nt:WIFI,ws:390|780|3.0) AlipayClient/10.3.70.6000 Language/zh-Hans Region/CN";
    const BAIDU: &str = "Mozilla/5.0 (Linux; Android 11; M2012K11AC; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/97.0.4692.98 Mobile Safari/537.36 T7/13.21 SP-engine/2.59.0 baiduboxapp/13.21.0.10 (Baidu; P1 11) NABar/1.0";
    const SAFARI_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
    const HARMONY: &str = "Mozilla/5.0 (Phone; OpenHarmony 4.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile HuaweiBrowser/5.0.4.300";
    const DESKTOP: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
    const OLD_ANDROID: &str = "Mozilla/5.0 (Linux; U; Android 4.4.2; zh-cn; GT-I9500 Build/KOT49H) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30";

    fn capable(user_agent: &str) -> DeviceFacts {
        DeviceFacts {
            user_agent: user_agent.into(),
            secure_context: true,
            media_devices: true,
            get_user_media: true,
            cameras: Some(vec![CameraFacts {
                label: "camera2 1, facing front".into(),
                facing_modes: vec!["user".into()],
            }]),
            camera_permission: Permission::Prompt,
            wx_environment: None,
            sdk_version: None,
        }
    }

    const ALL: &[Provider] = &[
        Provider::BaiduH5,
        Provider::FaceidLite,
        Provider::WechatMini,
        Provider::Oemcloud,
    ];

    fn issues(report: &DeviceReport, flow: Flow) -> Vec<IssueCode> {
        let check = report.flows.iter().find(|c| c.flow == flow).unwrap();
        assert_eq!(check.supported, check.issues.is_empty());
        check.issues.iter().map(|i| i.code).collect()
    }

    #[test]
    fn containers_are_told_apart_by_their_user_agents() {
        assert_eq!(container(IPHONE_WECHAT_OLD, None), Container::WechatBrowser);
        assert_eq!(
            container(IPHONE_WECHAT_OLD, Some("miniprogram")),
            Container::WechatMiniProgram
        );
        assert_eq!(
            container(ANDROID_WECHAT_MINI, None),
            Container::WechatMiniProgram
        );
        assert_eq!(container(ALIPAY_MINI, None), Container::AlipayMiniProgram);
        assert_eq!(container(ALIPAY, None), Container::AlipayBrowser);
        assert_eq!(container(BAIDU, None), Container::BaiduApp);
        assert_eq!(container(SAFARI_IOS, None), Container::MobileBrowser);
        assert_eq!(container(HARMONY, None), Container::MobileBrowser);
        assert_eq!(container(DESKTOP, None), Container::DesktopBrowser);
    }

    #[test]
    fn os_versions_are_read_from_the_user_agent() {
        let version = |ua| os(ua).version;
        assert_eq!(os(SAFARI_IOS).name, OsName::Ios);
        assert_eq!(version(SAFARI_IOS).as_deref(), Some("17.1.2"));
        assert_eq!(version(IPHONE_WECHAT_OLD).as_deref(), Some("13.5"));
        assert_eq!(os(ALIPAY_MINI).name, OsName::Android);
        assert_eq!(version(ALIPAY_MINI).as_deref(), Some("10"));
        assert_eq!(version(OLD_ANDROID).as_deref(), Some("4.4.2"));
        assert_eq!(os(HARMONY).name, OsName::Harmonyos);
        assert_eq!(version(HARMONY).as_deref(), Some("4.1"));
        assert_eq!(os(DESKTOP).name, OsName::Windows);
        assert_eq!(os("curl/8").name, OsName::Other);
    }

    #[test]
    fn a_capable_phone_gets_an_h5_vendor_in_the_merchants_order() {
        let report = analyze(&capable(SAFARI_IOS), ALL);
        assert!(report.mobile);
        assert_eq!(report.camera.front_camera, Presence::Yes);
        assert!(issues(&report, Flow::H5Redirect).is_empty());
        assert_eq!(
            issues(&report, Flow::QrHandoff),
            [IssueCode::AlreadyOnPhone]
        );
        let recommended = report.recommended.unwrap();
        assert_eq!(
            (recommended.provider, recommended.flow),
            (Provider::BaiduH5, Flow::H5Redirect)
        );
        let only_faceid = analyze(
            &capable(SAFARI_IOS),
            &[Provider::WechatMini, Provider::FaceidLite],
        );
        assert_eq!(
            only_faceid.recommended.unwrap().provider,
            Provider::FaceidLite
        );
    }

    #[test]
    fn old_ios_in_app_browsers_cannot_open_the_camera() {
        let mut facts = capable(IPHONE_WECHAT_OLD);
        facts.get_user_media = false;
        let report = analyze(&facts, ALL);
        assert_eq!(
            issues(&report, Flow::H5Redirect),
            [IssueCode::NoGetUserMedia, IssueCode::IosWebviewTooOld]
        );
        assert_eq!(
            report.recommended, None,
            "WeChat's browser is not a mini-program"
        );
    }

    #[test]
    fn tencent_faceid_is_recommended_only_in_wechats_browser() {
        const WECHAT_BROWSER: &str = "Mozilla/5.0 (Linux; Android 12; PEGM00 Build/RKQ1.200903.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20220505 Mobile Safari/537.36 MMWEBID/2 MicroMessenger/8.0.23.2160(0x28001757) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64";
        let with_tencent: Vec<Provider> = ALL
            .iter()
            .copied()
            .chain([Provider::TencentFaceid])
            .collect();
        let report = analyze(&capable(WECHAT_BROWSER), &with_tencent);
        assert_eq!(report.container, Container::WechatBrowser);
        let recommended = report.recommended.unwrap();
        assert_eq!(
            (recommended.provider, recommended.flow),
            (Provider::TencentFaceid, Flow::H5Redirect)
        );
        // Outside WeChat its Url does not work: another vendor, or nothing.
        let report = analyze(&capable(SAFARI_IOS), &with_tencent);
        assert_ne!(
            report.recommended.unwrap().provider,
            Provider::TencentFaceid
        );
        let report = analyze(&capable(SAFARI_IOS), &[Provider::TencentFaceid]);
        assert!(report.recommended.is_none());
    }

    #[test]
    fn mini_programs_get_their_own_flows() {
        let report = analyze(&capable(ANDROID_WECHAT_MINI), ALL);
        let recommended = report.recommended.unwrap();
        assert_eq!(
            (recommended.provider, recommended.flow),
            (Provider::WechatMini, Flow::WechatMiniProgram)
        );
        // With both WeChat providers, 2.0 where the base library runs it, else 1.0.
        let both = [
            Provider::WechatMini,
            Provider::WechatVerify,
            Provider::FaceidLite,
        ];
        let mut facts = capable(ANDROID_WECHAT_MINI);
        facts.sdk_version = Some("3.8.12".into());
        let recommended = analyze(&facts, &both).recommended.unwrap();
        assert_eq!(
            (recommended.provider, recommended.flow),
            (Provider::WechatVerify, Flow::WechatMiniProgram)
        );
        facts.sdk_version = Some("3.8.11".into());
        assert_eq!(
            analyze(&facts, &both).recommended.unwrap().provider,
            Provider::WechatMini
        );
        facts.sdk_version = None;
        assert_eq!(
            analyze(&facts, &both).recommended.unwrap().provider,
            Provider::WechatMini,
            "an unknown base library reads as older"
        );
        facts.sdk_version = Some("3.9.0".into());
        assert_eq!(
            analyze(&facts, &[Provider::WechatVerify])
                .recommended
                .unwrap()
                .provider,
            Provider::WechatVerify
        );
        let report = analyze(&capable(ALIPAY_MINI), ALL);
        assert_eq!(
            issues(&report, Flow::WechatMiniProgram),
            [IssueCode::NotInWechatMiniProgram]
        );
        let recommended = report.recommended.unwrap();
        assert_eq!(
            (recommended.provider, recommended.flow),
            (Provider::Oemcloud, Flow::WebView)
        );
    }

    #[test]
    fn a_desktop_without_a_camera_hands_off_to_a_phone() {
        let mut facts = capable(DESKTOP);
        facts.cameras = Some(Vec::new());
        let report = analyze(&facts, ALL);
        assert_eq!(report.camera.cameras, Some(0));
        assert_eq!(issues(&report, Flow::H5Redirect), [IssueCode::NoCamera]);
        let recommended = report.recommended.unwrap();
        assert_eq!(
            (recommended.provider, recommended.flow),
            (Provider::BaiduH5, Flow::QrHandoff)
        );
        // The sandbox's page is a form: it runs here without a camera.
        let sandbox = analyze(&facts, &[Provider::Sandbox]).recommended.unwrap();
        assert_eq!(
            (sandbox.provider, sandbox.flow),
            (Provider::Sandbox, Flow::H5Redirect)
        );
    }

    #[test]
    fn insecure_pages_denied_permission_and_old_android_are_reported() {
        let mut facts = capable(OLD_ANDROID);
        facts.secure_context = false;
        facts.media_devices = false;
        facts.cameras = None;
        facts.camera_permission = Permission::Denied;
        let report = analyze(&facts, ALL);
        assert_eq!(
            issues(&report, Flow::H5Redirect),
            [
                IssueCode::InsecureContext,
                IssueCode::NoMediaDevices,
                IssueCode::AndroidTooOld,
                IssueCode::CameraDenied
            ]
        );
        assert_eq!(report.camera.front_camera, Presence::Unknown);
        assert_eq!(report.recommended, None);
    }

    #[test]
    fn front_cameras_are_found_by_facing_mode_or_label() {
        let camera = |label: &str, modes: &[&str]| CameraFacts {
            label: label.into(),
            facing_modes: modes.iter().map(|m| (*m).to_owned()).collect(),
        };
        assert_eq!(
            front_camera(true, Some(&[camera("", &["user"])])),
            Presence::Yes
        );
        assert_eq!(
            front_camera(true, Some(&[camera("前置摄像头", &[])])),
            Presence::Yes
        );
        assert_eq!(
            front_camera(true, Some(&[camera("", &[])])),
            Presence::Unknown
        );
        assert_eq!(
            front_camera(
                true,
                Some(&[camera("camera 0, facing back", &["environment"])])
            ),
            Presence::No
        );
        assert_eq!(
            front_camera(false, Some(&[camera("Integrated Webcam", &[])])),
            Presence::Yes
        );
        assert_eq!(front_camera(true, Some(&[])), Presence::No);
        assert_eq!(front_camera(true, None), Presence::Unknown);
        let mut facts = capable(SAFARI_IOS);
        facts.cameras = Some(vec![camera("Back Camera", &["environment"])]);
        assert_eq!(
            issues(&analyze(&facts, ALL), Flow::H5Redirect),
            [IssueCode::NoFrontCamera]
        );
    }

    #[test]
    fn alibabas_browser_table_is_followed() {
        const UC_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) UCBrowser/13.4.0.1306 Mobile AliApp(TUnionSDK/0.1.20.4)";
        const UC_ANDROID: &str = "Mozilla/5.0 (Linux; U; Android 10; zh-CN; V1916A Build/QP1A.190711.020) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/13.4.0.1306 Mobile Safari/537.36";
        const CHROME_IOS_14_2: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 14_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/87.0.4280.77 Mobile/15E148 Safari/604.1";
        const CHROME_IOS_14_3: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 14_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/87.0.4280.77 Mobile/15E148 Safari/604.1";
        const SAFARI_IOS_12: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 12_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1";
        const SAFARI_IOS_10: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 10_3 like Mac OS X) AppleWebKit/603.1.30 (KHTML, like Gecko) Version/10.0 Mobile/14E277 Safari/602.1";
        let refused = Err(IssueCode::VendorBrowserUnsupported);
        assert_eq!(aliyun_browser_support(UC_IOS), refused);
        assert_eq!(aliyun_browser_support(UC_ANDROID), Ok(()));
        assert_eq!(aliyun_browser_support(CHROME_IOS_14_2), refused);
        assert_eq!(aliyun_browser_support(CHROME_IOS_14_3), Ok(()));
        assert_eq!(aliyun_browser_support(IPHONE_WECHAT_OLD), refused);
        assert_eq!(aliyun_browser_support(SAFARI_IOS_12), Ok(()));
        assert_eq!(aliyun_browser_support(SAFARI_IOS), Ok(()));
        assert_eq!(aliyun_browser_support(SAFARI_IOS_10), refused);
        assert_eq!(aliyun_browser_support(DESKTOP), Ok(()));

        // Not recommended where its table says no; the next provider is, and the report says why.
        let enabled = [Provider::AliyunCloudauth, Provider::FaceidLite];
        let report = analyze(&capable(UC_IOS), &enabled);
        assert_eq!(report.recommended.unwrap().provider, Provider::FaceidLite);
        assert_eq!(report.unsupported.len(), 1);
        assert_eq!(report.unsupported[0].provider, Provider::AliyunCloudauth);
        assert_eq!(
            report.unsupported[0].issues[0].code,
            IssueCode::VendorBrowserUnsupported
        );
        let report = analyze(&capable(SAFARI_IOS), &enabled);
        assert_eq!(
            report.recommended.as_ref().unwrap().provider,
            Provider::AliyunCloudauth
        );
        assert!(report.unsupported.is_empty());
        let json = serde_json::to_value(&report).unwrap();
        assert!(json.get("unsupported").is_none());
    }

    #[test]
    fn issues_and_the_recommendation_speak_zh_cn_by_default_and_en_when_asked() {
        let mut facts = capable(DESKTOP);
        facts.cameras = Some(Vec::new());
        let zh = analyze(&facts, ALL);
        let en = analyze_in(&facts, ALL, Locale::En);
        let h5 = |report: &DeviceReport| report.flows[0].issues.clone();
        assert_eq!(
            h5(&zh),
            [Issue {
                code: IssueCode::NoCamera,
                message: "未检测到摄像头，请连接摄像头后重试，或用手机扫码继续"
            }]
        );
        assert_eq!(h5(&en)[0].code, IssueCode::NoCamera, "codes do not change");
        assert_eq!(h5(&en)[0].message, IssueCode::NoCamera.text().en);
        let (zh, en) = (zh.recommended.unwrap(), en.recommended.unwrap());
        assert_eq!(zh.reason, RecommendationReason::ContinueOnPhone);
        assert_eq!(en.reason, zh.reason);
        assert_eq!(zh.message, "此电脑无法完成人脸核身，请用手机扫码继续");
        assert_eq!(en.message, RecommendationReason::ContinueOnPhone.text().en);
        let json = serde_json::to_value(&zh).unwrap();
        assert_eq!(json["reason"], "continue_on_phone");
    }

    #[test]
    fn facts_parse_from_a_partial_object() {
        use crate::read::json::json;
        let facts = DeviceFacts::read(&json(
            r#"{"userAgent": "x", "cameraPermission": "granted"}"#,
        ))
        .unwrap();
        assert_eq!(facts.camera_permission, Permission::Granted);
        assert!(!facts.secure_context && facts.cameras.is_none());
        let facts = DeviceFacts::read(&json(
            r#"{"secureContext": true, "mediaDevices": true, "getUserMedia": null,
                "cameras": [{"label": "front", "facingModes": ["user"]}, {}],
                "wxEnvironment": "miniprogram", "sdkVersion": "3.8.12"}"#,
        ))
        .unwrap();
        assert!(facts.secure_context && facts.media_devices && !facts.get_user_media);
        let cameras = facts.cameras.unwrap();
        assert_eq!(cameras.len(), 2);
        assert_eq!(cameras[0].label, "front");
        assert_eq!(cameras[0].facing_modes, ["user"]);
        assert_eq!(facts.wx_environment.as_deref(), Some("miniprogram"));
        assert_eq!(facts.sdk_version.as_deref(), Some("3.8.12"));
    }

    #[test]
    fn facts_of_the_wrong_shape_throw_naming_facts() {
        use crate::read::json::json;
        for bad in [
            r#"{"userAgent": 42}"#,
            r#"{"secureContext": "yes"}"#,
            r#"{"cameras": {}}"#,
            r#"{"cameras": ["front"]}"#,
            r#"{"cameras": [{"facingModes": "user"}]}"#,
            r#"{"cameraPermission": "maybe"}"#,
            "[]",
            "42",
        ] {
            let error = DeviceFacts::read(&json(bad)).unwrap_err();
            assert_eq!(error.code(), "invalid_argument", "{bad}");
            assert_eq!(error.field(), Some("facts"), "{bad}");
        }
        let error = DeviceFacts::read(&json(r#"{"userAgent": 42}"#)).unwrap_err();
        assert_eq!(
            error.detail(),
            Some("invalid type: userAgent is not a string")
        );
    }

    #[test]
    fn names_read_back_as_serde_writes_them() {
        for permission in Permission::ALL {
            let name = serde_json::to_value(permission).unwrap();
            assert_eq!(Permission::parse(name.as_str().unwrap()), Some(*permission));
        }
        for container in Container::ALL {
            let name = serde_json::to_value(container).unwrap();
            assert_eq!(Container::parse(name.as_str().unwrap()), Some(*container));
        }
        assert_eq!(Container::parse("WechatBrowser"), None);
    }
}
