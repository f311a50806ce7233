//! WeChat mini-program face identify simulated (seed `shared/seeds/003_799500754a0fe100.txt`).
//!
//! API under [`API_PREFIX`], credentials [`APPID`] / [`APP_SECRET`]:
//! - `GET /cgi-bin/token?grant_type=client_credential&appid&secret` and
//!   `POST /cgi-bin/stable_token {grant_type, appid, secret, force_refresh}` -> `{access_token,
//!   expires_in: 7200}`. The two are independent slots; a new classic token (or a forced stable
//!   one) leaves the previous one valid for [`TOKEN_OVERLAP`], then it answers 40001. Expired
//!   tokens answer 42001, a missing one 41001; bad appid 40013, bad secret 40125, bad
//!   grant_type 40002.
//! - `POST /cityservice/face/identify/getuseridkey?access_token` `{name, id_card_number,
//!   out_seq_no?}` -> `{errcode: 0, errmsg: "ok", user_id_key, expires_in: 3600}`; a missing
//!   name or an ID number that fails its check digit answers 40097 (the seed documents none).
//! - `POST /cityservice/face/identify/getinfo?access_token` `{verify_result}` -> the seed's
//!   fields; 84001 for a verify_result it never issued, 84002 once [`USER_INFO_TTL`] has passed
//!   since the check, and whatever the sandbox user picked.
//!
//! The mini-program's face check, which WeChat runs on the phone, is a sandbox page:
//! `GET {PAGE_PREFIX}/verify?user_id_key=...[&return_url=...][&push_url=...]`. The user picks an
//! outcome (pass, identify_ret 1, MD5s of another person, getinfo 84001 / 84002 / 84003, or a
//! device without face support 10001 / 10002 / 10003). Submitting consumes the user_id_key
//! (single use, valid `expires_in`), then 303s to `return_url` with `verify_result` (or
//! `err_code` for the device codes) added, or, without a return_url, shows the `verifyResult`
//! string in `<code id="verify_result">`. When getuseridkey had an out_seq_no, the JSON push
//! (event `face_identify`) is POSTed once to `push_url` (the query parameter, else the one set
//! with `POST {PAGE_PREFIX}/settings {"push_url", "push_token"}`), with `signature`,
//! `timestamp`, `nonce` in its query signed with the push token ([`PUSH_TOKEN`] by default).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use md5::{Digest, Md5};
use rand::distributions::{Alphanumeric, DistString};
use serde::Deserialize;
use serde_json::{json, Value};
use sha1::Sha1;
use time::OffsetDateTime;
use url::Url;

use crate::page::{self, Page};
use crate::{http_url, valid_id_number, SandboxConfig};

/// Mount point of the API (`{base}/cgi-bin/token`, `{base}/cityservice/...`).
pub const API_PREFIX: &str = "/wechat/api";
/// Mount point of the simulated mini-program check (`{base}/verify`, `{base}/settings`).
pub const PAGE_PREFIX: &str = "/wechat/sandbox";
/// The mini-program's appid the simulator accepts.
pub const APPID: &str = "wxsandbox00000001";
/// Its AppSecret.
pub const APP_SECRET: &str = "sandbox-wechat-app-secret";
/// The message-push token used to sign pushes unless settings change it.
pub const PUSH_TOKEN: &str = "sandbox-wechat-push-token";
/// Access tokens live two hours.
pub const TOKEN_TTL: Duration = Duration::from_secs(7200);
/// A replaced token keeps working this long.
pub const TOKEN_OVERLAP: Duration = Duration::from_secs(5 * 60);
/// user_id_key lifetime (`expires_in`).
pub const USER_ID_KEY_TTL: Duration = Duration::from_secs(3600);
/// getinfo answers 84002 this long after the check (the seed gives no figure).
pub const USER_INFO_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Checks are forgotten (84001) after this.
pub const RETENTION: Duration = Duration::from_secs(3 * 24 * 60 * 60);
/// At most this many user_id_keys and checks are kept.
pub const MAX_ENTRIES: usize = 10_000;

/// Every outcome of the page: `(value, the catalogue key of its label, WeChat's code and text)`.
const OUTCOMES: &[(&str, &str, &str)] = &[
    ("pass", "wechat-mini-pass", "errcode 0, identify_ret 0"),
    (
        "identify_failed",
        "wechat-mini-identify-failed",
        "identify_ret 1",
    ),
    ("tampered", "wechat-mini-tampered", "identify_ret 0"),
    ("84001", "wechat-mini-84001", "84001 非法identity_id"),
    ("84002", "wechat-mini-84002", "84002 用户信息过期"),
    ("84003", "wechat-mini-84003", "84003 用户信息不存在"),
    (
        "10001",
        "wechat-mini-10001",
        "10001 不支持人脸采集：设备没有前置摄像头",
    ),
    (
        "10002",
        "wechat-mini-10002",
        "10002 不支持人脸采集：没有下载到必要模型",
    ),
    (
        "10003",
        "wechat-mini-10003",
        "10003 不支持人脸采集：后台控制不支持",
    ),
];

#[derive(Clone, Debug)]
struct Token {
    value: String,
    expires_at: OffsetDateTime,
    /// When a newer token replaced it; it then works for [`TOKEN_OVERLAP`] more.
    replaced_at: Option<OffsetDateTime>,
}

#[derive(Clone, Debug)]
struct Subject {
    name: String,
    id_card_number: String,
    out_seq_no: Option<String>,
    created_at: OffsetDateTime,
    used: bool,
}

#[derive(Clone, Debug)]
struct Check {
    outcome: &'static str,
    user_id_key: String,
    subject: Subject,
    openid: String,
    finished_at: OffsetDateTime,
}

#[derive(Debug, Default)]
struct Data {
    classic: Vec<Token>,
    stable: Vec<Token>,
    subjects: HashMap<String, Subject>,
    checks: HashMap<String, Check>,
    push_url: Option<Url>,
    push_token: Option<String>,
}

#[derive(Debug)]
struct WechatSim {
    config: SandboxConfig,
    data: Mutex<Data>,
    pusher: reqwest::Client,
}

type Shared = Arc<WechatSim>;

impl WechatSim {
    fn data(&self) -> MutexGuard<'_, Data> {
        crate::lock(&self.data)
    }
}

/// The WeChat API under [`API_PREFIX`] and the simulated mini-program under [`PAGE_PREFIX`].
pub fn router(config: &SandboxConfig) -> Router {
    router_with_tokens(config).0
}

/// The access tokens this simulator issued, for the other APIs of the same mini-program
/// simulated beside it (face verification 2.0, `super::wechat_verify`): one token endpoint,
/// one set of tokens, as at WeChat.
#[derive(Clone, Debug)]
pub struct TokenGate(Shared);

impl TokenGate {
    /// `Ok` for a current token; else WeChat's errcode answer (41001, 40001, 42001).
    pub fn check(&self, access_token: Option<&str>) -> Result<(), Response> {
        authorize(
            &self.0,
            &TokenQuery {
                access_token: access_token.map(str::to_owned),
            },
        )
    }
}

/// [`router`], and the gate to its tokens.
pub fn router_with_tokens(config: &SandboxConfig) -> (Router, TokenGate) {
    let pusher = crate::notifier();
    let state = Arc::new(WechatSim {
        config: config.clone(),
        data: Mutex::new(Data::default()),
        pusher,
    });
    let api = Router::new()
        .route("/cgi-bin/token", get(classic_token))
        .route("/cgi-bin/stable_token", post(stable_token))
        .route(
            "/cityservice/face/identify/getuseridkey",
            post(get_user_id_key),
        )
        .route("/cityservice/face/identify/getinfo", post(get_info))
        .with_state(state.clone());
    let pages = Router::new()
        .route("/verify", get(show_page).post(submit_page))
        .route("/settings", post(settings))
        .with_state(state.clone());
    (
        Router::new().nest(API_PREFIX, api).nest(PAGE_PREFIX, pages),
        TokenGate(state),
    )
}

fn errcode(code: i64, message: &str) -> Response {
    Json(json!({"errcode": code, "errmsg": message})).into_response()
}

fn random(prefix: &str, len: usize) -> String {
    format!(
        "{prefix}{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), len)
    )
}

fn openid_for(user_id_key: &str) -> String {
    format!("oSandbox{}", &md5_hex(user_id_key)[..16])
}

fn md5_hex(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

fn check_credentials(
    grant_type: Option<&str>,
    appid: Option<&str>,
    secret: Option<&str>,
) -> Result<(), Response> {
    if grant_type != Some("client_credential") {
        return Err(errcode(40002, "invalid grant_type"));
    }
    if appid != Some(APPID) {
        return Err(errcode(40013, "invalid appid"));
    }
    if secret != Some(APP_SECRET) {
        return Err(errcode(40125, "invalid appsecret"));
    }
    Ok(())
}

/// Issues a new token into `slot`, marking the current one replaced; keeps two at most.
fn issue(slot: &mut Vec<Token>, now: OffsetDateTime) -> Value {
    for token in slot.iter_mut() {
        token.replaced_at.get_or_insert(now);
    }
    slot.retain(|token| token.replaced_at.is_some_and(|at| now - at < TOKEN_OVERLAP));
    let token = Token {
        value: random("sbx_at_", 40),
        expires_at: now + TOKEN_TTL,
        replaced_at: None,
    };
    let answer = json!({"access_token": token.value, "expires_in": TOKEN_TTL.as_secs()});
    slot.push(token);
    answer
}

#[derive(Deserialize)]
struct ClassicQuery {
    grant_type: Option<String>,
    appid: Option<String>,
    secret: Option<String>,
}

async fn classic_token(State(state): State<Shared>, Query(query): Query<ClassicQuery>) -> Response {
    if let Err(response) = check_credentials(
        query.grant_type.as_deref(),
        query.appid.as_deref(),
        query.secret.as_deref(),
    ) {
        return response;
    }
    state
        .config
        .counters
        .token_granted(crate::counters::grants::WECHAT_TOKEN);
    let now = state.config.clock.now();
    Json(issue(&mut state.data().classic, now)).into_response()
}

#[derive(Deserialize)]
struct StableBody {
    grant_type: Option<String>,
    appid: Option<String>,
    secret: Option<String>,
    #[serde(default)]
    force_refresh: bool,
}

async fn stable_token(State(state): State<Shared>, body: axum::body::Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<StableBody>(&body) else {
        return errcode(47001, "data format error");
    };
    if let Err(response) = check_credentials(
        body.grant_type.as_deref(),
        body.appid.as_deref(),
        body.secret.as_deref(),
    ) {
        return response;
    }
    state
        .config
        .counters
        .token_granted(crate::counters::grants::WECHAT_STABLE_TOKEN);
    let now = state.config.clock.now();
    let mut data = state.data();
    if !body.force_refresh {
        if let Some(current) = data
            .stable
            .iter()
            .find(|token| token.replaced_at.is_none() && now < token.expires_at)
        {
            let remaining = (current.expires_at - now).whole_seconds();
            return Json(json!({"access_token": current.value, "expires_in": remaining}))
                .into_response();
        }
    }
    Json(issue(&mut data.stable, now)).into_response()
}

#[derive(Deserialize)]
struct TokenQuery {
    access_token: Option<String>,
}

fn authorize(state: &WechatSim, query: &TokenQuery) -> Result<(), Response> {
    let Some(value) = query.access_token.as_deref().filter(|v| !v.is_empty()) else {
        return Err(errcode(41001, "access_token missing"));
    };
    let now = state.config.clock.now();
    let data = state.data();
    let found = data
        .classic
        .iter()
        .chain(&data.stable)
        .find(|token| token.value == value);
    match found {
        Some(token)
            if token
                .replaced_at
                .is_some_and(|at| now - at >= TOKEN_OVERLAP) =>
        {
            Err(errcode(
                40001,
                "invalid credential, access_token is invalid or not latest",
            ))
        }
        Some(token) if now >= token.expires_at => Err(errcode(42001, "access_token expired")),
        Some(_) => Ok(()),
        None => Err(errcode(
            40001,
            "invalid credential, access_token is invalid or not latest",
        )),
    }
}

#[derive(Deserialize)]
struct UserIdKeyBody {
    name: Option<String>,
    id_card_number: Option<String>,
    out_seq_no: Option<String>,
}

async fn get_user_id_key(
    State(state): State<Shared>,
    Query(query): Query<TokenQuery>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(response) = authorize(&state, &query) {
        return response;
    }
    let Ok(body) = serde_json::from_slice::<UserIdKeyBody>(&body) else {
        return errcode(47001, "data format error");
    };
    let name = body.name.unwrap_or_default();
    let id_card_number = body.id_card_number.unwrap_or_default();
    if name.trim().is_empty() || !valid_id_number(&id_card_number) {
        return errcode(40097, "invalid args");
    }
    let now = state.config.clock.now();
    let key = random("id_key_", 32);
    {
        let mut data = state.data();
        crate::insert_bounded(
            &mut data.subjects,
            (RETENTION, MAX_ENTRIES),
            now,
            |subject| subject.created_at,
            key.clone(),
            Subject {
                name,
                id_card_number,
                out_seq_no: body.out_seq_no.filter(|s| !s.is_empty()),
                created_at: now,
                used: false,
            },
        );
    }
    Json(json!({"errcode": 0, "errmsg": "ok", "user_id_key": key, "expires_in": USER_ID_KEY_TTL.as_secs()})).into_response()
}

#[derive(Deserialize)]
struct GetInfoBody {
    verify_result: Option<String>,
}

async fn get_info(
    State(state): State<Shared>,
    Query(query): Query<TokenQuery>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(response) = authorize(&state, &query) {
        return response;
    }
    let Ok(body) = serde_json::from_slice::<GetInfoBody>(&body) else {
        return errcode(47001, "data format error");
    };
    let now = state.config.clock.now();
    let check = {
        let mut data = state.data();
        data.checks
            .retain(|_, check| now - check.finished_at < RETENTION);
        body.verify_result
            .and_then(|vr| data.checks.get(&vr).cloned())
    };
    let Some(check) = check else {
        return errcode(84001, "非法identity_id");
    };
    if now - check.finished_at >= USER_INFO_TTL {
        return errcode(84002, "用户信息过期");
    }
    let (identify_ret, name, id_number) = match check.outcome {
        "84001" => return errcode(84001, "非法identity_id"),
        "84002" => return errcode(84002, "用户信息过期"),
        "84003" => return errcode(84003, "用户信息不存在"),
        "identify_failed" => (
            1,
            check.subject.name.clone(),
            check.subject.id_card_number.clone(),
        ),
        "tampered" => (0, "李四".to_owned(), "110101199003074514".to_owned()),
        _ => (
            0,
            check.subject.name.clone(),
            check.subject.id_card_number.clone(),
        ),
    };
    Json(json!({
        "errcode": 0,
        "errmsg": "ok",
        "identify_ret": identify_ret,
        "identify_time": check.finished_at.unix_timestamp(),
        "validate_data": "8593",
        "openid": check.openid,
        "user_id_key": check.user_id_key,
        "finish_time": check.finished_at.unix_timestamp(),
        "id_card_number_md5": md5_hex(&id_number.to_ascii_uppercase()),
        "name_utf8_md5": md5_hex(&name),
    }))
    .into_response()
}

#[derive(Deserialize)]
struct PageQuery {
    user_id_key: Option<String>,
    return_url: Option<String>,
    push_url: Option<String>,
}

fn usable(state: &WechatSim, page: &Page, key: Option<&str>) -> Result<Subject, Response> {
    let subject = key.and_then(|key| state.data().subjects.get(key).cloned());
    let Some(subject) = subject else {
        return Err(page.gone(
            StatusCode::NOT_FOUND,
            "page-unknown-title",
            "wechat-mini-unknown",
        ));
    };
    if subject.used {
        return Err(page.gone(StatusCode::GONE, "page-used-title", "wechat-mini-used"));
    }
    if state.config.clock.now() - subject.created_at >= USER_ID_KEY_TTL {
        return Err(page.gone(
            StatusCode::GONE,
            "page-expired-title",
            "wechat-mini-expired",
        ));
    }
    Ok(subject)
}

async fn show_page(
    State(state): State<Shared>,
    page: Page,
    Query(query): Query<PageQuery>,
) -> Response {
    if let Err(response) = usable(&state, &page, query.user_id_key.as_deref()) {
        return response;
    }
    let options: Vec<(&str, String)> = OUTCOMES
        .iter()
        .map(|(value, label, code)| (*value, page.coded(label, code)))
        .collect();
    page.outcome_form("wechat-mini-title", ("wechat-mini-intro", &[]), &options)
}

async fn submit_page(
    State(state): State<Shared>,
    page: Page,
    Query(query): Query<PageQuery>,
    Form(form): Form<page::OutcomeChoice>,
) -> Response {
    let Some(outcome) = form
        .outcome
        .as_deref()
        .and_then(|value| OUTCOMES.iter().find(|(known, _, _)| *known == value))
        .map(|(value, _, _)| *value)
    else {
        return page.unknown_outcome();
    };
    let Some(key) = query.user_id_key.clone() else {
        return page.gone(
            StatusCode::NOT_FOUND,
            "page-unknown-title",
            "wechat-mini-unknown",
        );
    };
    let return_url = query.return_url.as_deref().and_then(http_url);
    let device_code = outcome.starts_with("100");
    if device_code {
        // The device check fails before any face is taken: the key stays usable.
        if let Err(response) = usable(&state, &page, Some(&key)) {
            return response;
        }
        return match return_url {
            Some(mut url) => {
                url.query_pairs_mut().append_pair("err_code", outcome);
                Redirect::to(url.as_str()).into_response()
            }
            None => page.render(
                StatusCode::OK,
                &page.text("wechat-mini-unsupported-title"),
                &format!(
                    "<h1>errCode</h1><p><code id=\"err_code\">{}</code></p>",
                    page::escape(outcome)
                ),
            ),
        };
    }
    let now = state.config.clock.now();
    let verify_result = random("", 96);
    let subject = {
        let mut data = state.data();
        let usable = data
            .subjects
            .get_mut(&key)
            .filter(|subject| !subject.used && now - subject.created_at < USER_ID_KEY_TTL);
        match usable {
            Some(subject) => {
                subject.used = true;
                let subject = subject.clone();
                crate::insert_bounded(
                    &mut data.checks,
                    (RETENTION, MAX_ENTRIES),
                    now,
                    |check| check.finished_at,
                    verify_result.clone(),
                    Check {
                        outcome,
                        user_id_key: key.clone(),
                        subject: subject.clone(),
                        openid: openid_for(&key),
                        finished_at: now,
                    },
                );
                Some((subject, data.push_url.clone(), data.push_token.clone()))
            }
            None => None,
        }
    };
    let Some((subject, default_push, push_token)) = subject else {
        return match usable(&state, &page, Some(&key)) {
            Err(response) => response,
            Ok(_) => page.conflict(),
        };
    };
    let push_url = query
        .push_url
        .as_deref()
        .and_then(http_url)
        .or(default_push);
    if let (Some(out_seq_no), Some(mut push_url)) = (subject.out_seq_no.clone(), push_url) {
        let token = push_token.unwrap_or_else(|| PUSH_TOKEN.to_owned());
        let timestamp = now.unix_timestamp().to_string();
        let nonce = random("", 10);
        let mut parts = [token.as_str(), timestamp.as_str(), nonce.as_str()];
        parts.sort_unstable();
        let signature = hex::encode(Sha1::digest(parts.concat().as_bytes()));
        let openid = openid_for(&key);
        push_url
            .query_pairs_mut()
            .append_pair("signature", &signature)
            .append_pair("timestamp", &timestamp)
            .append_pair("nonce", &nonce)
            .append_pair("openid", &openid);
        let body = json!({
            "ToUserName": "gh_sandbox0000",
            "FromUserName": openid,
            "CreateTime": now.unix_timestamp(),
            "MsgType": "event",
            "Event": "face_identify",
            "openid": openid,
            "out_seq_no": out_seq_no,
            "verify_result": verify_result,
        });
        let client = state.pusher.clone();
        tokio::spawn(async move {
            let _ = client.post(push_url).json(&body).send().await;
        });
    }
    match return_url {
        Some(mut url) => {
            url.query_pairs_mut().append_pair("verify_result", &verify_result);
            Redirect::to(url.as_str()).into_response()
        }
        None => page.render(
            StatusCode::OK,
            &page.text("wechat-finished-title"),
            &format!(
                "<h1>verifyResult</h1><p class=\"note\">{}</p><p><code id=\"verify_result\">{}</code></p>",
                page::escape(&page.text("wechat-mini-finished")),
                page::escape(&verify_result)
            ),
        ),
    }
}

#[derive(Deserialize)]
struct Settings {
    push_url: Option<String>,
    push_token: Option<String>,
}

async fn settings(State(state): State<Shared>, Json(settings): Json<Settings>) -> Response {
    let push_url = match settings.push_url.as_deref() {
        None => None,
        Some(value) => match http_url(value) {
            Some(url) => Some(url),
            None => {
                return (StatusCode::BAD_REQUEST, "push_url must be an http(s) URL").into_response()
            }
        },
    };
    let mut data = state.data();
    data.push_url = push_url;
    data.push_token = settings.push_token.filter(|token| !token.is_empty());
    StatusCode::NO_CONTENT.into_response()
}
