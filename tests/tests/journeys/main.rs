//! The journeys: the real server and the real sandbox over real HTTP, one test binary (one link,
//! not one per file: on a 2-core CI machine the links and their disk were most of the cost).
//! `operations_metrics` is the one exception: it reads the process-wide metrics recorder.

mod admin;
mod aliyun_cloudauth;
mod api_keys;
mod bad_input;
mod baidu_h5;
mod callbacks;
mod faceid_lite;
mod fault_injection;
mod oemcloud;
mod openapi;
mod privacy;
mod rate_limits;
mod resilience;
mod sandbox_journeys;
mod tencent_faceid;
mod vendor_extras;
mod verdict_integrity;
mod webhooks;
mod wechat_mini;
mod wechat_verify;
