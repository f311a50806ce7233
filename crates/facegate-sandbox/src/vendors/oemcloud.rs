//! e-sign OEMCloud personal face auth simulated (seed `shared/seeds/002_d081a07c7b03759c.txt`).
//!
//! - `POST {API_PREFIX}/v2/identity/auth/api/individual/face` with `Authorization: APPCODE
//!   {APPCODE}` and `X-Ca-Nonce` (ms, within 15 minutes, never reused): gateway refusals are
//!   bodiless with `X-Ca-Error-Message` (401 bad AppCode, 400 bad / stale / used nonce). The
//!   body is checked as the seed's error table says: 30500000 for a body that is not JSON,
//!   30500101 with the seed's six messages, 30500116 for spaces in name or idNo, 30503059 when
//!   the ID number's birth date is under 14 years before the sandbox clock, 30503107 for
//!   [`APPCODE_NO_BALANCE`]. The answer's authUrl (short) redirects to originalUrl (long), the
//!   page under [`H5_PREFIX`]; faceToken only for WE_CHAT_FACE; expire = now + [`FLOW_TTL`].
//! - The page lets the sandbox user pass or fail (face mismatch, liveness, cancel). The link is
//!   single use. The seed documents no notify or redirect body: as facegate_vendors::oemcloud
//!   decides, the notify is a JSON POST `{flowId, contextId, success, message, timestamp}` to
//!   notifyUrl signed with [`APP_SECRET`] (`X-Tsign-Open-TIMESTAMP`, `X-Tsign-Open-SIGNATURE` =
//!   hex HMAC-SHA256(secret, timestamp + sorted query values + body)), and the browser is sent
//!   (303) to callbackUrl with `flowId`, `contextId`, `passed` added. WE_CHAT_FACE ignores both
//!   URLs (the seed: "此字段无用") and shows a done page.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use hmac::{Hmac, Mac};
use rand::Rng;
use serde_json::json;
use sha2::Sha256;
use time::OffsetDateTime;
use url::Url;

use crate::page::{self, Page};
use crate::SandboxConfig;

/// Mount point of the API.
pub const API_PREFIX: &str = "/oemcloud/api";
/// Mount point of the face pages authUrl / originalUrl open.
pub const H5_PREFIX: &str = "/oemcloud/h5";
/// The APPCODE the simulator accepts.
pub const APPCODE: &str = "sandbox-oemcloud-appcode";
/// An APPCODE whose order balance is spent: 30503107.
pub const APPCODE_NO_BALANCE: &str = "sandbox-oemcloud-no-balance";
/// The app secret the notifies are signed with.
pub const APP_SECRET: &str = "sandbox-oemcloud-app-secret";
/// How long a link lives (the seed gives no figure).
pub const FLOW_TTL: Duration = Duration::from_secs(30 * 60);
/// X-Ca-Nonce validity.
pub const NONCE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Flows are forgotten this long after they end.
pub const RETENTION: Duration = Duration::from_secs(24 * 60 * 60);
pub const MAX_FLOWS: usize = 10_000;

/// The page's choices: form value, `success`, e-sign's message, the catalogue key of its label.
const OUTCOMES: &[(&str, bool, &str, &str)] = &[
    ("pass", true, "认证通过", "oemcloud-pass"),
    ("not_same", false, "刷脸比对不通过", "oemcloud-not-same"),
    ("liveness", false, "活体检测失败", "oemcloud-liveness"),
    ("cancel", false, "用户取消认证", "oemcloud-cancel"),
];

#[derive(Clone, Debug)]
struct Flow {
    mode: String,
    callback_url: Option<Url>,
    notify_url: Option<Url>,
    context_id: Option<String>,
    expires_at: OffsetDateTime,
    done: bool,
}

#[derive(Debug, Default)]
struct Data {
    flows: HashMap<String, Flow>,
    short_links: HashMap<String, String>,
    nonces: HashMap<(String, i64), OffsetDateTime>,
}

#[derive(Debug)]
struct OemSim {
    config: SandboxConfig,
    data: Mutex<Data>,
    notifier: reqwest::Client,
}

type Shared = Arc<OemSim>;

impl OemSim {
    fn data(&self) -> MutexGuard<'_, Data> {
        crate::lock(&self.data)
    }
}

/// The API under [`API_PREFIX`] and the pages under [`H5_PREFIX`].
pub fn router(config: &SandboxConfig) -> Router {
    let notifier = crate::notifier();
    let state = Arc::new(OemSim {
        config: config.clone(),
        data: Mutex::new(Data::default()),
        notifier,
    });
    let api = Router::new()
        .route("/v2/identity/auth/api/individual/face", post(start))
        .with_state(state.clone());
    let h5 = Router::new()
        .route("/s/{code}", get(short_link))
        .route("/auth/{flow_id}", get(show_page).post(submit_page))
        .with_state(state);
    Router::new().nest(API_PREFIX, api).nest(H5_PREFIX, h5)
}

fn gateway(status: StatusCode, message: &'static str) -> Response {
    (status, [("x-ca-error-message", message)]).into_response()
}

fn answer(code: i64, message: &str) -> Response {
    Json(json!({"code": code, "message": message})).into_response()
}

fn parameter(message: &str) -> Response {
    answer(30500101, &format!("参数错误: {message}"))
}

/// The birth date of a valid 18-digit ID number, or `None` when it is not one.
fn birth_date(id: &str) -> Option<time::Date> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let bytes = id.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    if bytes[17].to_ascii_uppercase() != CHECK[(sum % 11) as usize] {
        return None;
    }
    let year: i32 = id[6..10].parse().ok()?;
    let month: u8 = id[10..12].parse().ok()?;
    let day: u8 = id[12..14].parse().ok()?;
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

fn optional_url(value: Option<&str>) -> Option<Url> {
    value
        .and_then(|v| Url::parse(v).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"))
}

async fn start(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let header_text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let appcode = match header_text(header::AUTHORIZATION.as_str()).strip_prefix("APPCODE ") {
        Some(code @ (APPCODE | APPCODE_NO_BALANCE)) => code.to_owned(),
        _ => return gateway(StatusCode::UNAUTHORIZED, "Invalid AppCode"),
    };
    let Ok(nonce) = header_text("x-ca-nonce").trim().parse::<i64>() else {
        return gateway(StatusCode::BAD_REQUEST, "Invalid X-Ca-Nonce");
    };
    let now = state.config.clock.now();
    let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
    if (now_ms - nonce).unsigned_abs() > NONCE_WINDOW.as_millis() as u64 {
        return gateway(StatusCode::BAD_REQUEST, "Nonce Expired");
    }
    {
        let mut data = state.data();
        data.nonces.retain(|_, seen| now - *seen < NONCE_WINDOW * 2);
        if data.nonces.insert((appcode.clone(), nonce), now).is_some() {
            return gateway(StatusCode::BAD_REQUEST, "Nonce Used");
        }
    }
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(&body) else {
        let id = rand::thread_rng().gen_range(100_000..999_999);
        return answer(30500000, &format!("操作出错,请联系服务人员处理, ID:{id}"));
    };
    let text = |key: &str| {
        body.get(key)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let mode = text("faceauthMode");
    if mode.is_empty() {
        return parameter("faceauthMode不能为空");
    }
    if !matches!(mode.as_str(), "TENCENT" | "ZHIMACREDIT" | "WE_CHAT_FACE") {
        return parameter("人脸认证方式传参错误");
    }
    let (name, id_no, callback) = (text("name"), text("idNo"), text("callbackUrl"));
    if name.is_empty() {
        return parameter("name字段不能为空");
    }
    if id_no.is_empty() {
        return parameter("idNo字段不能为空");
    }
    if callback.is_empty() {
        return parameter("callbackUrl字段不能为空");
    }
    if name.chars().any(char::is_whitespace) || id_no.chars().any(char::is_whitespace) {
        return answer(30500116, "格式校验不通过, 请检查填入信息是否有多余空格");
    }
    let Some(born) = birth_date(&id_no) else {
        return parameter("请输入正确的身份证号码");
    };
    let today = now.date();
    let fourteenth = born.replace_year(born.year() + 14).unwrap_or_else(|_| {
        born.next_day()
            .and_then(|d| d.replace_year(born.year() + 14).ok())
            .unwrap_or(born)
    });
    if today < fourteenth {
        return answer(30503059, "创建刷脸任务失败: 未满14周岁的用户无法使用本产品");
    }
    if appcode == APPCODE_NO_BALANCE {
        return answer(30503107, "很抱歉, 订单余额不足");
    }

    let mut rng = rand::thread_rng();
    let flow_id = format!("18{:017}", rng.gen_range(0..100_000_000_000_000_000u64));
    let short: String = (0..12)
        .map(|_| {
            char::from(
                b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"[rng.gen_range(0..57)],
            )
        })
        .collect();
    let face_token = format!("{:032X}", rng.gen::<u128>());
    let expires_at = now + FLOW_TTL;
    let wechat = mode == "WE_CHAT_FACE";
    {
        let mut data = state.data();
        data.flows
            .retain(|_, flow| now - flow.expires_at < RETENTION);
        let live: std::collections::HashSet<String> = data.flows.keys().cloned().collect();
        data.short_links.retain(|_, flow| live.contains(flow));
        if data.flows.len() >= MAX_FLOWS {
            if let Some(oldest) = data
                .flows
                .iter()
                .min_by_key(|(_, f)| f.expires_at)
                .map(|(k, _)| k.clone())
            {
                data.flows.remove(&oldest);
            }
        }
        data.short_links.insert(short.clone(), flow_id.clone());
        data.flows.insert(
            flow_id.clone(),
            Flow {
                mode: mode.clone(),
                callback_url: if wechat {
                    None
                } else {
                    optional_url(Some(&callback))
                },
                notify_url: if wechat {
                    None
                } else {
                    optional_url(body.get("notifyUrl").and_then(|v| v.as_str()))
                },
                context_id: body
                    .get("contextId")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned),
                expires_at,
                done: false,
            },
        );
    }
    let mut original = state
        .config
        .public_url(&format!("oemcloud/h5/auth/{flow_id}"));
    original.query_pairs_mut().append_pair("mode", &mode);
    let mut data = json!({
        "flowId": flow_id,
        "authUrl": state.config.public_url(&format!("oemcloud/h5/s/{short}")).as_str(),
        "originalUrl": original.as_str(),
        "expire": (expires_at.unix_timestamp_nanos() / 1_000_000) as i64,
    });
    if wechat {
        data["faceToken"] = json!(face_token);
    }
    Json(json!({"code": 0, "message": "成功", "data": data})).into_response()
}

async fn short_link(State(state): State<Shared>, page: Page, Path(code): Path<String>) -> Response {
    let flow_id = state.data().short_links.get(&code).cloned();
    match flow_id {
        Some(flow_id) => {
            let mode = state
                .data()
                .flows
                .get(&flow_id)
                .map(|f| f.mode.clone())
                .unwrap_or_default();
            let mut url = state
                .config
                .public_url(&format!("oemcloud/h5/auth/{flow_id}"));
            url.query_pairs_mut().append_pair("mode", &mode);
            Redirect::to(url.as_str()).into_response()
        }
        None => page.gone(
            StatusCode::NOT_FOUND,
            "oemcloud-short-link-unknown-title",
            "oemcloud-short-link-unknown",
        ),
    }
}

fn usable(state: &OemSim, page: &Page, flow_id: &str) -> Result<Flow, Response> {
    let flow = state.data().flows.get(flow_id).cloned();
    match flow {
        None => Err(page.gone(
            StatusCode::NOT_FOUND,
            "oemcloud-unknown-title",
            "oemcloud-unknown",
        )),
        Some(flow) if flow.done => {
            Err(page.gone(StatusCode::GONE, "oemcloud-used-title", "oemcloud-used"))
        }
        Some(flow) if state.config.clock.now() >= flow.expires_at => Err(page.gone(
            StatusCode::GONE,
            "oemcloud-expired-title",
            "oemcloud-expired",
        )),
        Some(flow) => Ok(flow),
    }
}

async fn show_page(
    State(state): State<Shared>,
    page: Page,
    Path(flow_id): Path<String>,
) -> Response {
    let flow = match usable(&state, &page, &flow_id) {
        Ok(flow) => flow,
        Err(response) => return response,
    };
    let options: Vec<(&str, String)> = OUTCOMES
        .iter()
        .map(|(value, _, message, label)| (*value, page.coded(label, message)))
        .collect();
    page.outcome_form(
        "oemcloud-title",
        ("oemcloud-intro", &[("mode", flow.mode.into())]),
        &options,
    )
}

/// hex HMAC-SHA256(secret, timestamp + query values sorted by name + body).
fn signature(timestamp: &str, query: &str, body: &[u8]) -> String {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    pairs.sort();
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(APP_SECRET.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.as_bytes());
    for (_, value) in &pairs {
        mac.update(value.as_bytes());
    }
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

async fn submit_page(
    State(state): State<Shared>,
    page: Page,
    Path(flow_id): Path<String>,
    Form(form): Form<page::OutcomeChoice>,
) -> Response {
    let Some(&(_, passed, message, _)) = form
        .outcome
        .as_deref()
        .and_then(|value| OUTCOMES.iter().find(|(v, ..)| *v == value))
    else {
        return page.unknown_outcome();
    };
    let now = state.config.clock.now();
    let flow = {
        let mut data = state.data();
        match data.flows.get_mut(&flow_id) {
            Some(flow) if !flow.done && now < flow.expires_at => {
                flow.done = true;
                Some(flow.clone())
            }
            _ => None,
        }
    };
    let Some(flow) = flow else {
        return match usable(&state, &page, &flow_id) {
            Err(response) => response,
            Ok(_) => page.conflict(),
        };
    };
    let timestamp = ((now.unix_timestamp_nanos() / 1_000_000) as i64).to_string();
    if let Some(notify_url) = flow.notify_url.clone() {
        let body = json!({
            "flowId": flow_id,
            "contextId": flow.context_id,
            "success": passed,
            "message": message,
            "timestamp": timestamp.parse::<i64>().unwrap_or(0),
        })
        .to_string();
        let signed = signature(
            &timestamp,
            notify_url.query().unwrap_or(""),
            body.as_bytes(),
        );
        let client = state.notifier.clone();
        let timestamp = timestamp.clone();
        tokio::spawn(async move {
            let _ = client
                .post(notify_url)
                .header(header::CONTENT_TYPE, "application/json")
                .header("X-Tsign-Open-TIMESTAMP", timestamp)
                .header("X-Tsign-Open-SIGNATURE-ALGORITHM", "hmac-sha256")
                .header("X-Tsign-Open-SIGNATURE", signed)
                .body(body)
                .send()
                .await;
        });
    }
    match flow.callback_url {
        Some(mut url) => {
            {
                let mut pairs = url.query_pairs_mut();
                pairs.append_pair("flowId", &flow_id);
                if let Some(context_id) = &flow.context_id {
                    pairs.append_pair("contextId", context_id);
                }
                pairs.append_pair("passed", if passed { "true" } else { "false" });
            }
            Redirect::to(url.as_str()).into_response()
        }
        None => {
            let body = format!(
                "<h1>{}</h1><p class=\"note\">{}</p>",
                page::escape(message),
                page::escape(&page.text("oemcloud-finished"))
            );
            page.render(StatusCode::OK, &page.text("oemcloud-finished-title"), &body)
        }
    }
}
