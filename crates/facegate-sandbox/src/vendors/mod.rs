//! One simulator per vendor, each mounted under its own prefix of the sandbox, so that setting a
//! vendor's base URL to `{sandbox}/<prefix>` points facegate (or any client) at the simulator.

use axum::Router;

pub mod aliyun_cloudauth;
pub mod baidu_h5;
pub mod baidu_smartapp;
pub mod faceid_lite;
pub mod oemcloud;
pub mod tencent_faceid;
pub mod wechat_mini;
pub mod wechat_verify;

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
        .merge(wechat(config))
        .merge(tencent_faceid::router(config))
}

/// WeChat's two face APIs of one mini-program: 1.0 (`wechat_mini`) and 2.0 (`wechat_verify`)
/// share its access tokens.
fn wechat(config: &SandboxConfig) -> Router {
    let (mini, tokens) = wechat_mini::router_with_tokens(config);
    mini.merge(wechat_verify::router(config, tokens))
}
