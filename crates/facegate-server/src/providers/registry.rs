//! The vendor registry: every vendor's client, built once from its settings group
//! (`config/vendors.rs`), and the providers over them. The providers, the vendor extras
//! (`api/vendors.rs`) and `facegate check` all take their clients from here; a vendor is one
//! line in [`VendorClients::build`] and one in [`VendorClients::providers`].

use std::sync::Arc;
use std::time::Duration;

use facegate_vendors::aliyun_cloudauth::AliyunCloudauthClient;
use facegate_vendors::baidu_h5::BaiduH5Client;
use facegate_vendors::baidu_smartapp::SmartappClient;
use facegate_vendors::faceid_lite::FaceidLiteClient;
use facegate_vendors::oemcloud::OemcloudClient;
use facegate_vendors::sandbox::SandboxClient;
use facegate_vendors::tencent_faceid::TencentFaceidClient;
use facegate_vendors::wechat_mini::WechatMiniClient;
use facegate_vendors::wechat_verify::WechatVerifyClient;

use super::aliyun_cloudauth::AliyunCloudauthProvider;
use super::baidu_h5::BaiduH5Provider;
use super::faceid_lite::FaceidLiteProvider;
use super::oemcloud::OemcloudProvider;
use super::sandbox::SandboxProvider;
use super::tencent_faceid::TencentFaceidProvider;
use super::tokens::StoreTokenCache;
use super::wechat_mini::WechatMiniProvider;
use super::wechat_verify::WechatVerifyProvider;
use super::{DynAdapter, ProviderAdapter, Providers};
use crate::config::VendorSettings;

/// What building a client takes besides its settings group.
pub struct ClientContext<'a> {
    /// The vendors' HTTP client (the timeouts of `resilience`).
    pub http: &'a reqwest::Client,
    /// Where access tokens are shared by the replicas; `None` (`facegate check`): each client
    /// keeps its own, in memory.
    pub tokens: Option<&'a VendorTokens>,
}

impl ClientContext<'_> {
    /// The database's token cache for one vendor (`namespace`), refreshing `margin` before a
    /// token expires; `None` without a database.
    pub fn token_cache(
        &self,
        namespace: &'static str,
        margin: Duration,
    ) -> Option<Arc<StoreTokenCache>> {
        self.tokens
            .map(|tokens| Arc::new(tokens.cache(namespace).with_refresh_margin(margin)))
    }
}

/// What vendor clients need to share tokens through the database.
pub struct VendorTokens {
    pub store: Arc<dyn crate::store::Store>,
    pub pii: crate::pii::PiiCipher,
}

impl VendorTokens {
    pub fn cache(&self, namespace: &'static str) -> StoreTokenCache {
        StoreTokenCache::new(self.store.clone(), self.pii.clone(), namespace)
    }
}

/// Every vendor's client; `None`: the vendor is not configured, so it is off.
#[derive(Clone)]
pub struct VendorClients {
    pub sandbox: Option<SandboxClient>,
    pub baidu_h5: Option<BaiduH5Client>,
    pub baidu_smartapp: SmartappClient,
    pub faceid_lite: Option<FaceidLiteClient>,
    pub wechat_mini: Option<WechatMiniClient>,
    pub oemcloud: Option<OemcloudClient>,
    pub tencent_faceid: Option<TencentFaceidClient>,
    /// Face verification 2.0 of the same mini-program: over `wechat_mini`'s client (its
    /// settings, its access token and its token cache).
    pub wechat_verify: Option<WechatVerifyClient>,
    pub aliyun_cloudauth: Option<AliyunCloudauthClient>,
}

impl VendorClients {
    /// Each vendor's client, from its settings group.
    pub fn build(vendors: &VendorSettings, context: &ClientContext<'_>) -> Self {
        let wechat_mini = vendors.wechat_mini.client(context);
        Self {
            sandbox: vendors.sandbox.client(context),
            baidu_h5: vendors.baidu_h5.client(context),
            baidu_smartapp: vendors.baidu_smartapp.client(context),
            faceid_lite: vendors.faceid_lite.client(context),
            wechat_verify: wechat_mini.clone().map(WechatVerifyClient::new),
            wechat_mini,
            oemcloud: vendors.oemcloud.client(context),
            tencent_faceid: vendors.tencent_faceid.client(context),
            aliyun_cloudauth: vendors.aliyun_cloudauth.client(context),
        }
    }

    /// A provider for every configured vendor, each over its client.
    pub fn providers(&self, vendors: &VendorSettings) -> Providers {
        let adapters = [
            self.sandbox
                .clone()
                .map(|client| adapter(SandboxProvider::new(client, vendors.sandbox.ttl))),
            self.baidu_h5
                .clone()
                .map(|client| adapter(BaiduH5Provider::new(client))),
            self.faceid_lite
                .clone()
                .map(|client| adapter(FaceidLiteProvider::new(client))),
            self.wechat_mini.clone().map(|client| {
                adapter(WechatMiniProvider::new(
                    client,
                    vendors.wechat_mini.push_token.clone(),
                ))
            }),
            // Settings::check refuses an APPCODE without the callback secret.
            self.oemcloud
                .clone()
                .zip(vendors.oemcloud.callback_secret.clone())
                .map(|(client, secret)| adapter(OemcloudProvider::new(client, secret))),
            // Off until the RuleId is set too (Settings::check names a partial configuration).
            self.tencent_faceid
                .clone()
                .zip(vendors.tencent_faceid.rule_id())
                .map(|(client, rule_id)| adapter(TencentFaceidProvider::new(client, rule_id))),
            self.wechat_verify
                .clone()
                .map(|client| adapter(WechatVerifyProvider::new(client))),
            self.aliyun_cloudauth
                .clone()
                .map(|client| adapter(AliyunCloudauthProvider::new(client))),
        ];
        let mut providers = Providers::default();
        for adapter in adapters.into_iter().flatten() {
            providers.register(adapter);
        }
        providers
    }
}

fn adapter(adapter: impl ProviderAdapter) -> Arc<dyn DynAdapter> {
    Arc::new(adapter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{SandboxBases, Settings};

    fn enabled(vendors: &VendorSettings) -> Vec<&'static str> {
        let http = reqwest::Client::new();
        let context = ClientContext {
            http: &http,
            tokens: None,
        };
        let providers = VendorClients::build(vendors, &context).providers(vendors);
        let mut names: Vec<&str> = providers.enabled().map(|p| p.as_str()).collect();
        names.sort_unstable();
        names
    }

    fn on_embedded_sandbox(pairs: &[(&str, &str)]) -> VendorSettings {
        let embedded = SandboxBases {
            internal: url::Url::parse("http://127.0.0.1:9/sandbox/").unwrap(),
            public: url::Url::parse("https://id.shop.example/sandbox/").unwrap(),
        };
        let mut settings = Settings::from_pairs(pairs.iter().copied()).unwrap();
        settings.vendors.use_embedded_sandbox(&embedded);
        settings.vendors
    }

    #[test]
    fn a_vendor_without_its_credentials_is_off() {
        let vendors = on_embedded_sandbox(&[("wechat_appid", "wx0123456789")]);
        assert_eq!(enabled(&vendors), ["sandbox"]);
        let vendors = on_embedded_sandbox(&[("sandbox", "false"), ("faceid_appcode", "code")]);
        assert_eq!(enabled(&vendors), ["faceid_lite"]);
    }

    #[test]
    fn sandbox_vendors_puts_every_vendor_on_the_embedded_simulator() {
        let vendors = on_embedded_sandbox(&[("sandbox_vendors", "true")]);
        assert_eq!(
            enabled(&vendors),
            [
                "aliyun_cloudauth",
                "baidu_h5",
                "faceid_lite",
                "oemcloud",
                "sandbox",
                "tencent_faceid",
                "wechat_mini",
                "wechat_verify"
            ]
        );
        assert_eq!(
            vendors.tencent_faceid.api_base.as_str(),
            "http://127.0.0.1:9/sandbox/tencent/faceid/api"
        );
        assert_eq!(
            vendors.baidu_h5.aip_base.as_str(),
            "http://127.0.0.1:9/sandbox/baidu/aip"
        );
        assert!(vendors
            .faceid_lite
            .h5_base
            .as_str()
            .starts_with("https://id.shop.example/sandbox/"));
        assert_eq!(
            vendors.sandbox.api_base.as_ref().map(url::Url::as_str),
            Some("http://127.0.0.1:9/sandbox/")
        );
    }
}
