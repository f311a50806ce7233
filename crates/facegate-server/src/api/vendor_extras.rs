//! The vendor clients behind the merchant's vendor extras (`api/verifications/vendor_queries.rs`,
//! `api/baidu_smartapp.rs`), built once with the application.

use facegate_vendors::baidu_h5::BaiduH5Client;
use facegate_vendors::baidu_smartapp::SmartappClient;

use crate::providers::registry::VendorClients;

/// The clients behind the vendor extras, built once with the application (`App::vendor_extras`).
pub struct VendorExtras {
    /// Baidu H5, when its credentials are configured (or the sandbox stands in).
    pub baidu_h5: Option<BaiduH5Client>,
    /// Needs no credentials of facegate's own: the merchant passes the program's token.
    pub smartapp: SmartappClient,
}

impl VendorExtras {
    /// The registry's clients: Baidu H5's is the provider's own (base URLs, credentials, the
    /// access token shared through the database).
    pub fn new(clients: &VendorClients) -> Self {
        Self {
            baidu_h5: clients.baidu_h5.clone(),
            smartapp: clients.baidu_smartapp.clone(),
        }
    }
}
