//! The vendors' settings groups, one per vendor: its keys and their defaults, the client it
//! builds (`client`: `None` while its credentials are missing, so the vendor is simply off),
//! the credentials `facegate check` names when some are missing, and the embedded sandbox's
//! stand-in for it (`simulated`, for `--sandbox-vendors`). The registry
//! (`providers/registry.rs`) builds every client from here, once.

use std::time::Duration;

use facegate_sandbox::vendors as sim;
use facegate_vendors::aliyun_cloudauth::AliyunCloudauthClient;
use facegate_vendors::baidu_h5::{self, BaiduH5Client};
use facegate_vendors::baidu_smartapp::SmartappClient;
use facegate_vendors::faceid_lite::FaceidLiteClient;
use facegate_vendors::oemcloud::OemcloudClient;
use facegate_vendors::sandbox::SandboxClient;
use facegate_vendors::tencent_faceid::TencentFaceidClient;
use facegate_vendors::wechat_mini::{self, WechatMiniClient};
use figment::Figment;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use super::{group, ConfigError};
use crate::providers::registry::ClientContext;

/// Every vendor's settings group.
#[derive(Clone)]
pub struct VendorSettings {
    pub sandbox: SandboxSettings,
    pub baidu_h5: BaiduH5Settings,
    pub baidu_smartapp: BaiduSmartappSettings,
    pub faceid_lite: FaceidLiteSettings,
    pub wechat_mini: WechatMiniSettings,
    pub oemcloud: OemcloudSettings,
    pub tencent_faceid: TencentFaceidSettings,
    pub aliyun_cloudauth: AliyunCloudauthSettings,
}

impl VendorSettings {
    pub(super) fn from_figment(figment: &Figment) -> Result<Self, ConfigError> {
        Ok(Self {
            sandbox: group(figment)?,
            baidu_h5: group(figment)?,
            baidu_smartapp: group(figment)?,
            faceid_lite: group(figment)?,
            wechat_mini: group(figment)?,
            oemcloud: group(figment)?,
            tencent_faceid: group(figment)?,
            aliyun_cloudauth: group(figment)?,
        })
    }

    /// Points what runs on the embedded sandbox at it, once the server knows its address: the
    /// sandbox provider when no `sandbox_api_base` is set and, with `sandbox_vendors`, every
    /// vendor, on the simulator's bases and credentials whatever its own settings say.
    pub fn use_embedded_sandbox(&mut self, embedded: &SandboxBases) {
        if self.sandbox.api_base.is_none() {
            self.sandbox.api_base = Some(embedded.internal.clone());
        }
        if self.sandbox.simulate_vendors {
            self.baidu_h5 = BaiduH5Settings::simulated(embedded);
            self.baidu_smartapp = BaiduSmartappSettings::simulated(embedded);
            self.faceid_lite = FaceidLiteSettings::simulated(embedded);
            self.wechat_mini = WechatMiniSettings::simulated(embedded);
            self.oemcloud = OemcloudSettings::simulated(embedded);
            self.tencent_faceid = TencentFaceidSettings::simulated(embedded);
            self.aliyun_cloudauth = AliyunCloudauthSettings::simulated(embedded);
        }
    }
}

/// Where the embedded sandbox is, once the server is bound.
#[derive(Clone, Debug)]
pub struct SandboxBases {
    /// How facegate reaches the sandbox's APIs (loopback), ending in `/sandbox/`.
    pub internal: Url,
    /// How browsers reach the sandbox's pages, ending in `/sandbox/`.
    pub public: Url,
}

impl SandboxBases {
    /// A simulated vendor's API (`/baidu/aip`, ...) under the internal base.
    pub fn api(&self, prefix: &str) -> Url {
        join_prefix(&self.internal, prefix)
    }

    /// A simulated vendor's pages under the public base.
    pub fn page(&self, prefix: &str) -> Url {
        join_prefix(&self.public, prefix)
    }
}

fn join_prefix(base: &Url, prefix: &str) -> Url {
    base.join(prefix.trim_start_matches('/'))
        .unwrap_or_else(|_| base.clone())
}

/// A vendor's real host, the default of its base URL setting.
fn host(url: &'static str) -> Url {
    Url::parse(url).expect("a vendor's documented host is a URL")
}

/// The `sandbox` provider (facegate's own vendor simulator) and the embedded simulator at
/// `/sandbox/`.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct SandboxSettings {
    /// `sandbox`: the sandbox provider and its pages at `/sandbox/`.
    #[serde(rename = "sandbox")]
    pub enabled: bool,
    /// `sandbox_api_base`: where facegate calls the sandbox's API; unset, this server's own
    /// `/sandbox/` (filled in by [`VendorSettings::use_embedded_sandbox`]).
    #[serde(rename = "sandbox_api_base")]
    pub api_base: Option<Url>,
    /// `sandbox_api_key`: the key the sandbox API expects.
    #[serde(rename = "sandbox_api_key")]
    pub api_key: SecretString,
    /// `sandbox_ttl_seconds`: the sandbox token lifetime, 1 s to 1 day (the vendors' own are
    /// 1 to 2 hours).
    #[serde(rename = "sandbox_ttl_seconds", deserialize_with = "super::seconds")]
    pub ttl: Duration,
    /// `sandbox_vendors`: every vendor on the embedded sandbox, with the sandbox's
    /// credentials: the whole vendor surface with no vendor account (`serve
    /// --sandbox-vendors`).
    #[serde(rename = "sandbox_vendors")]
    pub simulate_vendors: bool,
}

impl Default for SandboxSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            api_base: None,
            api_key: SecretString::from("sandbox"),
            ttl: Duration::from_secs(2 * 60 * 60),
            simulate_vendors: false,
        }
    }
}

impl SandboxSettings {
    /// Whether this server mounts the simulator at `/sandbox/`: for the vendors, or for the
    /// sandbox provider when no other sandbox is named.
    pub fn wants_embedded(&self) -> bool {
        self.simulate_vendors || (self.enabled && self.api_base.is_none())
    }

    /// The sandbox API's client, when the provider is on and its base is known.
    pub fn client(&self, context: &ClientContext<'_>) -> Option<SandboxClient> {
        let base = self.api_base.clone().filter(|_| self.enabled)?;
        Some(SandboxClient::new(
            context.http.clone(),
            base,
            self.api_key.expose_secret(),
        ))
    }
}

/// Baidu's H5 face verification (seed 001): on when its three credentials are set.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct BaiduH5Settings {
    /// `baidu_api_key`: the application's API Key.
    #[serde(rename = "baidu_api_key", deserialize_with = "super::lenient_string")]
    pub api_key: Option<String>,
    /// `baidu_secret_key`: the application's Secret Key.
    #[serde(rename = "baidu_secret_key")]
    pub secret_key: Option<SecretString>,
    /// `baidu_plan_id`: Baidu's plan ids are numbers: `FACEGATE_BAIDU_PLAN_ID=12345` reads as
    /// one.
    #[serde(rename = "baidu_plan_id", deserialize_with = "super::lenient_string")]
    pub plan_id: Option<String>,
    /// `baidu_aip_base`: the token and verify API.
    #[serde(rename = "baidu_aip_base")]
    pub aip_base: Url,
    /// `baidu_h5_base`: the pages the user is sent to.
    #[serde(rename = "baidu_h5_base")]
    pub h5_base: Url,
}

impl Default for BaiduH5Settings {
    fn default() -> Self {
        Self {
            api_key: None,
            secret_key: None,
            plan_id: None,
            aip_base: host("https://aip.baidubce.com"),
            h5_base: host("https://brain.baidu.com"),
        }
    }
}

impl BaiduH5Settings {
    /// The client, its access token shared through the context's store.
    pub fn client(&self, context: &ClientContext<'_>) -> Option<BaiduH5Client> {
        let (Some(api_key), Some(secret_key), Some(plan_id)) =
            (&self.api_key, &self.secret_key, &self.plan_id)
        else {
            return None;
        };
        let client = BaiduH5Client::new(
            context.http.clone(),
            self.aip_base.clone(),
            self.h5_base.clone(),
            baidu_h5::Credentials {
                api_key: api_key.clone(),
                secret_key: secret_key.clone(),
            },
            plan_id.clone(),
        );
        Some(
            match context.token_cache("baidu_h5", baidu_h5::REFRESH_MARGIN) {
                Some(cache) => client.with_token_cache(cache),
                None => client,
            },
        )
    }

    /// The credentials' variables, and whether each is set.
    pub fn credentials(&self) -> [(&'static str, bool); 3] {
        [
            ("FACEGATE_BAIDU_API_KEY", self.api_key.is_some()),
            ("FACEGATE_BAIDU_SECRET_KEY", self.secret_key.is_some()),
            ("FACEGATE_BAIDU_PLAN_ID", self.plan_id.is_some()),
        ]
    }

    pub fn simulated(embedded: &SandboxBases) -> Self {
        Self {
            api_key: Some(sim::baidu_h5::API_KEY.to_owned()),
            secret_key: Some(SecretString::from(sim::baidu_h5::SECRET_KEY)),
            plan_id: Some(sim::baidu_h5::PLAN_ID.to_owned()),
            aip_base: embedded.api(sim::baidu_h5::AIP_PREFIX),
            h5_base: embedded.page(sim::baidu_h5::H5_PREFIX),
        }
    }
}

/// Baidu smart-program's legal-person face check (seed 000): always on, as it needs no
/// credentials of facegate's own (the merchant passes the program's token).
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct BaiduSmartappSettings {
    /// `baidu_openapi_base`: the smart-program openapi.
    #[serde(rename = "baidu_openapi_base")]
    pub openapi_base: Url,
}

impl Default for BaiduSmartappSettings {
    fn default() -> Self {
        Self {
            openapi_base: host("https://openapi.baidu.com"),
        }
    }
}

impl BaiduSmartappSettings {
    pub fn client(&self, context: &ClientContext<'_>) -> SmartappClient {
        SmartappClient::new(context.http.clone(), self.openapi_base.clone())
    }

    pub fn simulated(embedded: &SandboxBases) -> Self {
        Self {
            openapi_base: embedded.api(sim::baidu_smartapp::PREFIX),
        }
    }
}

/// FaceID Lite on Alibaba Cloud's market: on when its APPCODE is set.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct FaceidLiteSettings {
    /// `faceid_appcode`: the market APPCODE.
    #[serde(rename = "faceid_appcode")]
    pub appcode: Option<SecretString>,
    /// `faceid_api_base`: the API.
    #[serde(rename = "faceid_api_base")]
    pub api_base: Url,
    /// `faceid_h5_base`: the pages the user is sent to.
    #[serde(rename = "faceid_h5_base")]
    pub h5_base: Url,
}

impl Default for FaceidLiteSettings {
    fn default() -> Self {
        Self {
            appcode: None,
            api_base: host("https://fidlite.market.alicloudapi.com"),
            h5_base: host("https://openapi.faceid.com"),
        }
    }
}

impl FaceidLiteSettings {
    pub fn client(&self, context: &ClientContext<'_>) -> Option<FaceidLiteClient> {
        let appcode = self.appcode.clone()?;
        Some(FaceidLiteClient::new(
            context.http.clone(),
            self.api_base.clone(),
            self.h5_base.clone(),
            appcode,
        ))
    }

    pub fn credentials(&self) -> [(&'static str, bool); 1] {
        [("FACEGATE_FACEID_APPCODE", self.appcode.is_some())]
    }

    pub fn simulated(embedded: &SandboxBases) -> Self {
        Self {
            appcode: Some(SecretString::from(sim::faceid_lite::APPCODE)),
            api_base: embedded.api(sim::faceid_lite::API_PREFIX),
            h5_base: embedded.page(sim::faceid_lite::H5_PREFIX),
        }
    }
}

/// WeChat's mini-program face verification: on when its appid and app secret are set.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct WechatMiniSettings {
    /// `wechat_appid`: the mini-program's AppID.
    #[serde(rename = "wechat_appid")]
    pub appid: Option<String>,
    /// `wechat_appsecret`: its AppSecret.
    #[serde(rename = "wechat_appsecret")]
    pub appsecret: Option<SecretString>,
    /// `wechat_push_token`: the message-push token (Token in the mini-program's push
    /// settings); unset, pushes are refused.
    #[serde(rename = "wechat_push_token")]
    pub push_token: Option<SecretString>,
    /// `wechat_api_base`: the WeChat API.
    #[serde(rename = "wechat_api_base")]
    pub api_base: Url,
}

impl Default for WechatMiniSettings {
    fn default() -> Self {
        Self {
            appid: None,
            appsecret: None,
            push_token: None,
            api_base: host("https://api.weixin.qq.com"),
        }
    }
}

impl WechatMiniSettings {
    /// The client, its access token shared through the context's store.
    pub fn client(&self, context: &ClientContext<'_>) -> Option<WechatMiniClient> {
        let (Some(appid), Some(secret)) = (&self.appid, &self.appsecret) else {
            return None;
        };
        let client = WechatMiniClient::new(
            context.http.clone(),
            self.api_base.clone(),
            appid.clone(),
            secret.clone(),
        );
        Some(
            match context.token_cache("wechat_mini", wechat_mini::REFRESH_MARGIN) {
                Some(cache) => client.with_token_cache(cache),
                None => client,
            },
        )
    }

    pub fn credentials(&self) -> [(&'static str, bool); 2] {
        [
            ("FACEGATE_WECHAT_APPID", self.appid.is_some()),
            ("FACEGATE_WECHAT_APPSECRET", self.appsecret.is_some()),
        ]
    }

    pub fn simulated(embedded: &SandboxBases) -> Self {
        Self {
            appid: Some(sim::wechat_mini::APPID.to_owned()),
            appsecret: Some(SecretString::from(sim::wechat_mini::APP_SECRET)),
            push_token: Some(SecretString::from(sim::wechat_mini::PUSH_TOKEN)),
            api_base: embedded.api(sim::wechat_mini::API_PREFIX),
        }
    }
}

/// OEMCloud (e-sign's face auth): on when its APPCODE is set, which needs the callback secret
/// (`Settings::check`): the signed notify is its only verdict.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct OemcloudSettings {
    /// `oemcloud_appcode`: the market APPCODE.
    #[serde(rename = "oemcloud_appcode")]
    pub appcode: Option<SecretString>,
    /// `oemcloud_api_base`: the API.
    #[serde(rename = "oemcloud_api_base")]
    pub api_base: Url,
    /// `oemcloud_callback_secret`: e-sign's callback signing secret (its app secret,
    /// VENDORS.md).
    #[serde(rename = "oemcloud_callback_secret")]
    pub callback_secret: Option<SecretString>,
}

impl Default for OemcloudSettings {
    fn default() -> Self {
        Self {
            appcode: None,
            api_base: host("https://auth.csapi.com.cn"),
            callback_secret: None,
        }
    }
}

impl OemcloudSettings {
    pub fn client(&self, context: &ClientContext<'_>) -> Option<OemcloudClient> {
        let appcode = self.appcode.clone()?;
        Some(OemcloudClient::new(
            context.http.clone(),
            self.api_base.clone(),
            appcode,
        ))
    }

    /// The APPCODE only: `Settings::check` already refused it without the callback secret.
    pub fn credentials(&self) -> [(&'static str, bool); 1] {
        [("FACEGATE_OEMCLOUD_APPCODE", self.appcode.is_some())]
    }

    pub fn simulated(embedded: &SandboxBases) -> Self {
        Self {
            appcode: Some(SecretString::from(sim::oemcloud::APPCODE)),
            api_base: embedded.api(sim::oemcloud::API_PREFIX),
            callback_secret: Some(SecretString::from(sim::oemcloud::APP_SECRET)),
        }
    }
}

/// Tencent Cloud FaceID 慧眼 (DetectAuth, GetDetectInfoEnhanced, API 3.0): on when its SecretId,
/// SecretKey and RuleId are set.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct TencentFaceidSettings {
    /// `tencent_secret_id`: the API key's SecretId.
    #[serde(
        rename = "tencent_secret_id",
        deserialize_with = "super::lenient_string"
    )]
    pub secret_id: Option<String>,
    /// `tencent_secret_key`: its SecretKey.
    #[serde(rename = "tencent_secret_key")]
    pub secret_key: Option<SecretString>,
    /// `tencent_rule_id`: the RuleId Tencent's console assigned to the scene; RuleIds are
    /// numbers (`FACEGATE_TENCENT_RULE_ID=1` reads as one).
    #[serde(rename = "tencent_rule_id", deserialize_with = "super::lenient_string")]
    pub rule_id: Option<String>,
    /// `tencent_region`: the `X-TC-Region` sent (`ap-guangzhou`).
    #[serde(rename = "tencent_region")]
    pub region: String,
    /// `tencent_api_base`: the API (`https://faceid.tencentcloudapi.com`).
    #[serde(rename = "tencent_api_base")]
    pub api_base: Url,
}

impl Default for TencentFaceidSettings {
    fn default() -> Self {
        Self {
            secret_id: None,
            secret_key: None,
            rule_id: None,
            region: "ap-guangzhou".into(),
            api_base: host("https://faceid.tencentcloudapi.com"),
        }
    }
}

/// Alibaba Cloud ID Verification, 金融级实人认证 (Cloudauth 2019-03-07, H5): on when its
/// AccessKey pair and SceneId are set.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct AliyunCloudauthSettings {
    /// `aliyun_access_key_id`: the RAM user's AccessKey ID.
    #[serde(rename = "aliyun_access_key_id")]
    pub access_key_id: Option<String>,
    /// `aliyun_access_key_secret`: its AccessKey secret (signs every call, and derives the
    /// per-session CallbackToken).
    #[serde(rename = "aliyun_access_key_secret")]
    pub access_key_secret: Option<SecretString>,
    /// `aliyun_scene_id`: the authentication scene's SceneId (the console's number).
    #[serde(rename = "aliyun_scene_id")]
    pub scene_id: Option<u64>,
    /// `aliyun_api_base`: the Cloudauth endpoint.
    #[serde(rename = "aliyun_api_base")]
    pub api_base: Url,
}

impl Default for AliyunCloudauthSettings {
    fn default() -> Self {
        Self {
            access_key_id: None,
            access_key_secret: None,
            scene_id: None,
            api_base: host("https://cloudauth.aliyuncs.com"),
        }
    }
}

impl TencentFaceidSettings {
    /// `None` while the SecretId or SecretKey is missing: the vendor is off.
    pub fn client(&self, context: &ClientContext<'_>) -> Option<TencentFaceidClient> {
        let secret_id = self.secret_id.clone().filter(|id| !id.trim().is_empty())?;
        let secret_key = self.secret_key.clone()?;
        Some(TencentFaceidClient::new(
            context.http.clone(),
            self.api_base.clone(),
            secret_id,
            secret_key,
            self.region.clone(),
        ))
    }

    /// The RuleId the provider sends; `None` (the provider is off) while it is unset.
    pub fn rule_id(&self) -> Option<String> {
        self.rule_id.clone().filter(|id| !id.trim().is_empty())
    }

    /// The credentials' variables and whether each is set (`facegate check` names the missing).
    pub fn credentials(&self) -> [(&'static str, bool); 3] {
        [
            ("FACEGATE_TENCENT_SECRET_ID", self.secret_id.is_some()),
            ("FACEGATE_TENCENT_SECRET_KEY", self.secret_key.is_some()),
            ("FACEGATE_TENCENT_RULE_ID", self.rule_id().is_some()),
        ]
    }

    /// The embedded sandbox's stand-in (`--sandbox-vendors`).
    pub fn simulated(embedded: &SandboxBases) -> Self {
        Self {
            secret_id: Some(sim::tencent_faceid::SECRET_ID.into()),
            secret_key: Some(SecretString::from(sim::tencent_faceid::SECRET_KEY)),
            rule_id: Some(sim::tencent_faceid::RULE_ID.into()),
            region: "ap-guangzhou".into(),
            api_base: embedded.api(sim::tencent_faceid::API_PREFIX),
        }
    }
}

impl AliyunCloudauthSettings {
    /// `None` while a credential or the SceneId is missing: the vendor is off.
    pub fn client(&self, context: &ClientContext<'_>) -> Option<AliyunCloudauthClient> {
        Some(AliyunCloudauthClient::new(
            context.http.clone(),
            self.api_base.clone(),
            self.access_key_id.clone().filter(|id| !id.is_empty())?,
            self.access_key_secret.clone()?,
            self.scene_id?,
        ))
    }

    /// The credentials' variables and whether each is set.
    pub fn credentials(&self) -> [(&'static str, bool); 3] {
        [
            (
                "FACEGATE_ALIYUN_ACCESS_KEY_ID",
                self.access_key_id
                    .as_deref()
                    .is_some_and(|id| !id.is_empty()),
            ),
            (
                "FACEGATE_ALIYUN_ACCESS_KEY_SECRET",
                self.access_key_secret.is_some(),
            ),
            ("FACEGATE_ALIYUN_SCENE_ID", self.scene_id.is_some()),
        ]
    }

    /// The embedded sandbox's stand-in: its endpoint, AccessKey pair and scene.
    pub fn simulated(embedded: &SandboxBases) -> Self {
        Self {
            access_key_id: Some(sim::aliyun_cloudauth::ACCESS_KEY_ID.to_owned()),
            access_key_secret: Some(SecretString::from(sim::aliyun_cloudauth::ACCESS_KEY_SECRET)),
            scene_id: Some(sim::aliyun_cloudauth::SCENE_ID),
            api_base: embedded.api(sim::aliyun_cloudauth::API_PREFIX),
        }
    }
}
