//! The vendor clients behind the merchant's vendor extras (`api/verifications/vendor_queries.rs`,
//! `api/baidu_smartapp.rs`), built once with the application.

use facegate_vendors::baidu_h5::BaiduH5Client;
use facegate_vendors::baidu_smartapp::SmartappClient;

use crate::config::VendorSettings;
use crate::providers::{SandboxBases, VendorTokens};

/// The clients behind the vendor extras, built once with the application (`App::vendor_extras`).
pub struct VendorExtras {
    /// Baidu H5, when its credentials are configured (or the sandbox stands in).
    pub baidu_h5: Option<BaiduH5Client>,
    /// Needs no credentials of facegate's own: the merchant passes the program's token.
    pub smartapp: SmartappClient,
}

impl VendorExtras {
    /// The same Baidu H5 client as the provider's (base URLs, credentials, the access token
    /// shared through the database).
    pub fn new(
        vendors: &VendorSettings,
        http: &reqwest::Client,
        sandbox: Option<&SandboxBases>,
        tokens: &VendorTokens,
    ) -> Self {
        let openapi = match sandbox {
            Some(bases) => bases.api(facegate_sandbox::vendors::baidu_smartapp::PREFIX),
            None => vendors.baidu_openapi_base.clone(),
        };
        Self {
            baidu_h5: crate::providers::baidu_h5_client(vendors, http, sandbox, tokens),
            smartapp: SmartappClient::new(http.clone(), openapi),
        }
    }
}
