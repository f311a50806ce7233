//! The client: getverifyid and queryverifyinfo over the `wechat_mini` client's access token.

use super::codes;
use super::types::*;
use crate::token::AccessToken;
use crate::wechat_mini::WechatMiniClient;
use crate::VendorError;

/// The vendor label of this module's calls (logs and metrics).
const VENDOR: &str = "wechat_verify";

/// A client of one mini-program's face verification 2.0. Cloning shares the token cache.
#[derive(Clone, Debug)]
pub struct WechatVerifyClient {
    wechat: WechatMiniClient,
}

impl WechatVerifyClient {
    /// Over the mini-program's client (its API base, appid, secret and token cache).
    pub fn new(wechat: WechatMiniClient) -> Self {
        Self { wechat }
    }

    pub fn appid(&self) -> &str {
        self.wechat.appid()
    }

    /// The access token to use now (shared with `wechat_mini`).
    pub async fn access_token(&self) -> Result<AccessToken, VendorError> {
        self.wechat.access_token().await
    }

    /// Starts a check: the certificate, the user's openid and out_seq_no; answers the
    /// verify_id. errcodes about the person or the openid are `InvalidRequest`s naming the
    /// field ([`codes::get_verify_id_error`]).
    pub async fn get_verify_id(
        &self,
        request: &GetVerifyIdRequest,
    ) -> Result<VerifyId, VendorError> {
        self.wechat
            .post_with_token_as(
                VENDOR,
                &["cityservice", "face", "identify", "getverifyid"],
                request,
                codes::get_verify_id_error_body,
            )
            .await
    }

    /// The check's result so far (`verify_ret`, read by [`codes::verdict`]); errcodes are
    /// errors ([`codes::error`]).
    pub async fn query_verify_info(
        &self,
        request: &QueryVerifyInfoRequest,
    ) -> Result<VerifyInfo, VendorError> {
        self.wechat
            .post_with_token_as(
                VENDOR,
                &["cityservice", "face", "identify", "queryverifyinfo"],
                request,
                codes::error_body,
            )
            .await
    }
}
