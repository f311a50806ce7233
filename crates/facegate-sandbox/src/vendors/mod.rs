//! One simulator per vendor, each mounted under its own prefix of the sandbox, so that setting a
//! vendor's base URL to `{sandbox}/<prefix>` points facegate (or any client) at the simulator.

use axum::Router;

pub mod aliyun_cloudauth;
pub mod baidu_h5;
pub mod baidu_smartapp;
pub mod faceid_lite;
pub mod oemcloud;
pub mod wechat_mini;

use crate::SandboxConfig;

/// Every vendor simulator, each nested under its prefix.
pub fn router(config: &SandboxConfig) -> Router {
    let _ = config;
    Router::new()
        .merge(aliyun_cloudauth::router(config))
        .merge(baidu_h5::router(config))
        .nest(baidu_smartapp::PREFIX, baidu_smartapp::router(config))
        .merge(faceid_lite::router(config))
        .merge(oemcloud::router(config))
        .merge(wechat_mini::router(config))
}
