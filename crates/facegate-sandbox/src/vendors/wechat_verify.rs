//! WeChat face verification 2.0 simulated (developers.weixin.qq.com
//! `miniprogram/dev/server/API/face/api_getverifyid` and `api_queryverifyinfo`, and the
//! mini-program's `wx.requestFacialVerify`).
//!
//! API under `wechat_mini::API_PREFIX`, beside 1.0: the same mini-program, so the same access
//! tokens (`wechat_mini`'s `stable_token` / `token`, checked through its
//! [`TokenGate`]; a missing token answers 41001, a stale one 40001, an expired one 42001).
//! - `POST /cityservice/face/identify/getverifyid?access_token` `{out_seq_no, cert_info:
//!   {cert_type, cert_name, cert_no}, openid}` -> `{errcode: 0, errmsg: "ok", verify_id,
//!   expires_in}` (3,600 s unless `settings` changed it). A body that is not JSON answers 47001;
//!   a missing out_seq_no, a cert_type other than `IDENTITY_CARD`, an empty name or an ID number
//!   whose check digit is wrong 40097 `invalid args`; a missing or malformed openid 40003
//!   `invalid openid`.
//! - `POST /cityservice/face/identify/queryverifyinfo?access_token` `{verify_id, out_seq_no,
//!   cert_hash, openid}` -> `{errcode: 0, errmsg: "ok", verify_ret}`: 10300 (未完成核身) until
//!   the check ran (also once the verify_id expired unused), then the verify_ret the sandbox
//!   user picked. Every field is checked against what getverifyid was given: an unknown
//!   verify_id (or one older than [`RETENTION`], forgotten), another out_seq_no or a wrong
//!   cert_hash answer 40097, another openid 40003.
//!   `cert_hash` is hex SHA-256 of `cert_type=<b64>&cert_name=<b64>&cert_no=<b64>` (see
//!   `facegate_vendors::wechat_verify`'s VENDORS notes), compared case-insensitively.
//!
//! WeChat documents no errcodes of these two calls: the ones above are WeChat's common codes,
//! chosen here. The mini-program's face check, which WeChat runs on the phone, is a sandbox
//! page, `GET {PAGE_PREFIX}/check?verify_id=...&openid=...[&return_url=...]` (the openid of the
//! WeChat user holding the phone; absent, the verify_id's own). The user picks any documented
//! `verify_ret` ([`VERIFY_RETS`]). A verify_id runs one check: it is spent by the first
//! finished one (10005 正在检测中 and 10300 未完成核身 leave it usable), refused once expired,
//! and refused to a user whose openid is not the verify_id's (the page: the check fails for
//! another user). Submitting 303s to `return_url` with `err_code` added (0 for 10000, else the
//! verify_ret), or shows the callback `wx.requestFacialVerify` would get in
//! `<code id="callback">`. `POST {PAGE_PREFIX}/settings {"expires_in"}` sets the lifetime of
//! new verify_ids (1 to 86,400 s), so tests can watch one expire.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use rand::distributions::{Alphanumeric, DistString};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::wechat_mini::{self, TokenGate};
use crate::page::{self, Page};
use crate::{http_url, valid_id_number, SandboxConfig};

/// Mount point of the simulated `wx.requestFacialVerify` (`{base}/check`, `{base}/settings`).
pub const PAGE_PREFIX: &str = "/wechat/verify";
/// The API's mount point: WeChat's, shared with 1.0.
pub const API_PREFIX: &str = wechat_mini::API_PREFIX;
/// verify_id lifetime unless settings change it (`expires_in`, the documented default).
pub const DEFAULT_EXPIRES_IN: Duration = Duration::from_secs(3600);
/// Checks are forgotten after this.
pub const RETENTION: Duration = Duration::from_secs(3 * 24 * 60 * 60);
/// At most this many verify_ids are kept.
pub const MAX_ENTRIES: usize = 10_000;
/// queryverifyinfo's answer before the check finished.
pub const NOT_FINISHED: i64 = 10300;

/// Every documented `verify_ret` with WeChat's text: the union of the two versions of the
/// queryverifyinfo page (and 10005 / 10300, which integrations of that page quote).
pub const VERIFY_RETS: &[(i64, &str)] = &[
    (10000, "识别成功"),
    (10001, "参数错误"),
    (10002, "人脸特征检测失败"),
    (10003, "身份证号不匹配"),
    (10004, "比对人脸信息不匹配"),
    (10005, "正在检测中"),
    (10006, "appid没有权限"),
    (10300, "未完成核身"),
    (90001, "设备不支持人脸检测"),
    (90002, "用户在教程页取消"),
    (90003, "用户在初始化时取消"),
    (90004, "用户在识别过程中取消"),
    (90005, "用户在上传时取消"),
    (90006, "用户在释放时取消"),
    (90007, "网络错误"),
    (90008, "相机权限未授权"),
    (90009, "麦克风权限未授权"),
    (90010, "相机和麦克风权限都未授权"),
    (90011, "人脸数据采集无效"),
    (90012, "人脸数据上传失败"),
    (90013, "SDK初始化库失败"),
    (90014, "上传ID未初始化"),
    (90015, "获取人脸配置失败"),
    (90016, "预览错误"),
    (90017, "识别过程超时"),
    (90018, "系统错误"),
    (90019, "CDN上传添加队列失败"),
    (90020, "CDN上传失败"),
    (90021, "CDN启动错误"),
    (90022, "获取前置页信息失败"),
    (90023, "人脸追踪失败"),
    (90024, "用户在确认页退出"),
    (90104, "获取人脸配置失败"),
    (90105, "获取确认数据失败"),
    (90106, "相机失败"),
    (90107, "用户检测超时"),
    (90109, "设备不支持人脸检测"),
    (90110, "获取协议信息失败"),
    (90199, "用户系统错误"),
];

/// The verify_rets that leave a check unfinished (the verify_id stays usable).
fn unfinished(verify_ret: i64) -> bool {
    matches!(verify_ret, 10005 | NOT_FINISHED)
}

#[derive(Clone, Debug)]
struct Check {
    out_seq_no: String,
    openid: String,
    cert_hash: String,
    created_at: OffsetDateTime,
    expires_in: Duration,
    /// The last verify_ret the page recorded.
    verify_ret: Option<i64>,
}

impl Check {
    fn expired(&self, now: OffsetDateTime) -> bool {
        now - self.created_at >= self.expires_in
    }

    fn finished(&self) -> bool {
        self.verify_ret.is_some_and(|ret| !unfinished(ret))
    }
}

#[derive(Debug)]
struct Data {
    checks: HashMap<String, Check>,
    expires_in: Duration,
}

#[derive(Debug)]
struct VerifySim {
    config: SandboxConfig,
    tokens: TokenGate,
    data: Mutex<Data>,
}

type Shared = Arc<VerifySim>;

impl VerifySim {
    fn data(&self) -> MutexGuard<'_, Data> {
        crate::lock(&self.data)
    }
}

/// getverifyid / queryverifyinfo under [`API_PREFIX`] (tokens checked by `tokens`) and the
/// simulated `wx.requestFacialVerify` under [`PAGE_PREFIX`].
pub fn router(config: &SandboxConfig, tokens: TokenGate) -> Router {
    let state = Arc::new(VerifySim {
        config: config.clone(),
        tokens,
        data: Mutex::new(Data {
            checks: HashMap::new(),
            expires_in: DEFAULT_EXPIRES_IN,
        }),
    });
    let api = |path: &str| format!("{API_PREFIX}/cityservice/face/identify/{path}");
    Router::new()
        .route(&api("getverifyid"), post(get_verify_id))
        .route(&api("queryverifyinfo"), post(query_verify_info))
        .route(
            &format!("{PAGE_PREFIX}/check"),
            get(show_page).post(submit_page),
        )
        .route(&format!("{PAGE_PREFIX}/settings"), post(settings))
        .with_state(state)
}

fn errcode(code: i64, message: &str) -> Response {
    Json(json!({"errcode": code, "errmsg": message})).into_response()
}

/// `cert_hash` as the 2.0 guide defines it (see the module docs).
pub fn cert_hash(cert_type: &str, cert_name: &str, cert_no: &str) -> String {
    let b64 = |value: &str| base64::engine::general_purpose::STANDARD.encode(value.as_bytes());
    let joined = format!(
        "cert_type={}&cert_name={}&cert_no={}",
        b64(cert_type),
        b64(cert_name),
        b64(cert_no)
    );
    hex::encode(Sha256::digest(joined.as_bytes()))
}

/// An openid as WeChat issues them: letters, digits, `-` and `_`, 1 to 64 of them.
fn valid_openid(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[derive(Deserialize)]
struct TokenQuery {
    access_token: Option<String>,
}

#[derive(Deserialize)]
struct CertInfo {
    cert_type: Option<String>,
    cert_name: Option<String>,
    cert_no: Option<String>,
}

#[derive(Deserialize)]
struct GetVerifyIdBody {
    out_seq_no: Option<String>,
    cert_info: Option<CertInfo>,
    openid: Option<String>,
}

/// A call's access token checked (WeChat's 41001/40001/42001 answers), then its JSON body read
/// (47001 when it does not parse).
fn authorized_json<T: serde::de::DeserializeOwned>(
    state: &VerifySim,
    query: &TokenQuery,
    body: &[u8],
) -> Result<T, Response> {
    state.tokens.check(query.access_token.as_deref())?;
    serde_json::from_slice(body).map_err(|_| errcode(47001, "data format error"))
}

async fn get_verify_id(
    State(state): State<Shared>,
    Query(query): Query<TokenQuery>,
    body: axum::body::Bytes,
) -> Response {
    let body: GetVerifyIdBody = match authorized_json(&state, &query, &body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let Some(out_seq_no) = body.out_seq_no.filter(|s| !s.is_empty() && s.len() <= 128) else {
        return errcode(40097, "invalid args: out_seq_no");
    };
    let Some(cert) = body.cert_info else {
        return errcode(40097, "invalid args: cert_info");
    };
    let cert_type = cert.cert_type.unwrap_or_default();
    let cert_name = cert.cert_name.unwrap_or_default();
    let cert_no = cert.cert_no.unwrap_or_default();
    if cert_type != "IDENTITY_CARD" || cert_name.trim().is_empty() || !valid_id_number(&cert_no) {
        return errcode(40097, "invalid args: cert_info");
    }
    let Some(openid) = body.openid.filter(|id| valid_openid(id)) else {
        return errcode(40003, "invalid openid");
    };
    let now = state.config.clock.now();
    let verify_id = format!(
        "vid_{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), 48)
    );
    let expires_in = {
        let mut data = state.data();
        let expires_in = data.expires_in;
        crate::insert_bounded(
            &mut data.checks,
            (RETENTION, MAX_ENTRIES),
            now,
            |entry| entry.created_at,
            verify_id.clone(),
            Check {
                out_seq_no,
                openid,
                cert_hash: cert_hash(&cert_type, &cert_name, &cert_no),
                created_at: now,
                expires_in,
                verify_ret: None,
            },
        );
        expires_in
    };
    Json(json!({
        "errcode": 0,
        "errmsg": "ok",
        "verify_id": verify_id,
        "expires_in": expires_in.as_secs(),
    }))
    .into_response()
}

#[derive(Deserialize)]
struct QueryBody {
    verify_id: Option<String>,
    out_seq_no: Option<String>,
    cert_hash: Option<String>,
    openid: Option<String>,
}

async fn query_verify_info(
    State(state): State<Shared>,
    Query(query): Query<TokenQuery>,
    body: axum::body::Bytes,
) -> Response {
    let body: QueryBody = match authorized_json(&state, &query, &body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let now = state.config.clock.now();
    let check = body
        .verify_id
        .as_deref()
        .and_then(|id| state.data().checks.get(id).cloned())
        .filter(|check| now - check.created_at < RETENTION);
    let Some(check) = check else {
        return errcode(40097, "invalid args: verify_id");
    };
    if let Some(verify_id) = body.verify_id.as_deref() {
        state.config.counters.result_queried(verify_id);
    }
    if body.out_seq_no.as_deref() != Some(check.out_seq_no.as_str()) {
        return errcode(40097, "invalid args: out_seq_no does not match verify_id");
    }
    if body.openid.as_deref() != Some(check.openid.as_str()) {
        return errcode(40003, "invalid openid");
    }
    let hash_matches = body
        .cert_hash
        .as_deref()
        .is_some_and(|hash| hash.eq_ignore_ascii_case(&check.cert_hash));
    if !hash_matches {
        return errcode(40097, "invalid args: cert_hash does not match cert_info");
    }
    let verify_ret = check.verify_ret.unwrap_or(NOT_FINISHED);
    Json(json!({"errcode": 0, "errmsg": "ok", "verify_ret": verify_ret})).into_response()
}

#[derive(Deserialize)]
struct PageQuery {
    verify_id: Option<String>,
    openid: Option<String>,
    return_url: Option<String>,
}

/// The check `query` may run now, or the page saying why not.
fn usable(state: &VerifySim, page: &Page, query: &PageQuery) -> Result<Check, Response> {
    let check = query
        .verify_id
        .as_deref()
        .and_then(|id| state.data().checks.get(id).cloned());
    let Some(check) = check else {
        return Err(page.gone(
            StatusCode::NOT_FOUND,
            "page-unknown-title",
            "wechat-verify-unknown",
        ));
    };
    if check.finished() {
        return Err(page.gone(StatusCode::GONE, "page-used-title", "wechat-verify-used"));
    }
    if check.expired(state.config.clock.now()) {
        return Err(page.gone(
            StatusCode::GONE,
            "page-expired-title",
            "wechat-verify-expired",
        ));
    }
    if query
        .openid
        .as_deref()
        .is_some_and(|openid| openid != check.openid)
    {
        return Err(page.gone(
            StatusCode::FORBIDDEN,
            "wechat-verify-other-user-title",
            "wechat-verify-other-user",
        ));
    }
    Ok(check)
}

async fn show_page(
    State(state): State<Shared>,
    page: Page,
    Query(query): Query<PageQuery>,
) -> Response {
    if let Err(response) = usable(&state, &page, &query) {
        return response;
    }
    let options: Vec<(String, String)> = VERIFY_RETS
        .iter()
        .map(|(code, text)| (code.to_string(), format!("verify_ret {code} {text}")))
        .collect();
    page.outcome_form(
        "wechat-verify-title",
        ("wechat-verify-intro", &[]),
        &options,
    )
}

async fn submit_page(
    State(state): State<Shared>,
    page: Page,
    Query(query): Query<PageQuery>,
    Form(form): Form<page::OutcomeChoice>,
) -> Response {
    let Some(verify_ret) = form
        .outcome
        .as_deref()
        .and_then(|value| value.parse::<i64>().ok())
        .filter(|value| VERIFY_RETS.iter().any(|(code, _)| code == value))
    else {
        return page.unknown_outcome();
    };
    if let Err(response) = usable(&state, &page, &query) {
        return response;
    }
    let recorded = {
        let mut data = state.data();
        let now = state.config.clock.now();
        match query
            .verify_id
            .as_deref()
            .and_then(|id| data.checks.get_mut(id))
        {
            Some(check) if !check.finished() && !check.expired(now) => {
                check.verify_ret = Some(verify_ret);
                true
            }
            _ => false,
        }
    };
    if !recorded {
        return page.conflict();
    }
    // What the mini-program's callback carries: success for 10000, else fail with the code.
    let err_code = if verify_ret == 10000 { 0 } else { verify_ret };
    match query.return_url.as_deref().and_then(http_url) {
        Some(mut url) => {
            url.query_pairs_mut()
                .append_pair("err_code", &err_code.to_string());
            Redirect::to(url.as_str()).into_response()
        }
        None => {
            let callback = if err_code == 0 {
                json!({"errMsg": "requestFacialVerify:ok", "errCode": 0})
            } else {
                json!({"errMsg": "requestFacialVerify:fail", "errCode": err_code})
            };
            page.render(
                StatusCode::OK,
                &page.text("wechat-finished-title"),
                &format!(
                    "<h1>wx.requestFacialVerify</h1><p class=\"note\">{}</p><p><code id=\"callback\">{}</code></p>",
                    page::escape(&page.text("wechat-verify-finished")),
                    page::escape(&callback.to_string())
                ),
            )
        }
    }
}

#[derive(Deserialize)]
struct Settings {
    expires_in: Option<u64>,
}

async fn settings(State(state): State<Shared>, Json(settings): Json<Settings>) -> Response {
    let expires_in = match settings.expires_in {
        None => DEFAULT_EXPIRES_IN,
        Some(seconds @ 1..=86_400) => Duration::from_secs(seconds),
        Some(_) => {
            return (StatusCode::BAD_REQUEST, "expires_in must be 1 to 86400").into_response()
        }
    };
    state.data().expires_in = expires_in;
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cert_hash_is_hex_sha256_of_the_base64_fields() {
        let joined =
            "cert_type=SURFTlRJVFlfQ0FSRA==&cert_name=5byg5LiJ&cert_no=MTEwMTAxMTk5MDAzMDc0NTE0";
        assert_eq!(
            cert_hash("IDENTITY_CARD", "张三", "110101199003074514"),
            hex::encode(Sha256::digest(joined.as_bytes()))
        );
    }

    #[test]
    fn openids_are_checked_for_shape() {
        assert!(valid_openid("oRRn15NUibBxxxxxxxxx"));
        assert!(valid_openid("o6_bmjrPTlm6_2sgVt7hMZOPfL2M"));
        assert!(!valid_openid(""));
        assert!(!valid_openid("has space"));
        assert!(!valid_openid(&"a".repeat(65)));
    }

    #[test]
    fn only_the_not_finished_codes_leave_a_check_open() {
        assert!(unfinished(10005) && unfinished(10300));
        for (code, _) in VERIFY_RETS {
            if ![10005, 10300].contains(code) {
                assert!(!unfinished(*code), "{code}");
            }
        }
    }
}
