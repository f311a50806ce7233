//! Baidu AI H5 人脸实名认证, simulated (seed 001, `shared/seeds/001_81b2276fa6fbda95.txt`).
//!
//! Under [`AIP_PREFIX`]: `POST /oauth/2.0/token` (query `grant_type=client_credentials`,
//! `client_id=`[`API_KEY`], `client_secret=`[`SECRET_KEY`]; 30-day tokens, a new one leaves the
//! old valid) and `POST /rpc/2.0/brain/solution/faceprint/...` (`verifyToken/generate` for plan
//! [`PLAN_ID`], `idcard/submit`, `uploadMatchImage`, `result/simple`, `result/detail`,
//! `result/stat`, `result/media/query`, `result/getall`), each with `?access_token=`.
//! Under [`H5_PREFIX`]: the user's page `/face/print/?token=&successUrl=&failedUrl=`, where the
//! sandbox user picks an outcome; submitting 303s to successUrl (pass) or failedUrl (any
//! failure, or "leave"). Baidu documents no notify, so none is sent.
//!
//! Faithful to the seed: verify_tokens live 2 hours and take one verification; the result
//! queries answer for 3 days after it (media URLs for 1 day), and before it answer the
//! seed's 常见问题 1 error, Token无效或者已过期; a successful detail has the seed's shape, a
//! failed one answers `success: false` with the attempt's code; the "openapi limit" outcome
//! makes simple / detail / getall answer code 18 (常见问题 2). Access-token errors use Baidu's
//! general codes (100 missing, 110 unknown, 111 expired); parameter errors its 2220xx family.
//!
//! The sandbox's own choices where the seed gives no number: the verify_token error is
//! [`VERIFY_TOKEN_INVALID_CODE`]; a face below the plan's threshold is attempt code
//! [`LOW_SCORE_CODE`] (facegate decides that one from score < threshold, not the code); image
//! format and size errors are 216201 / 216202.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine as _;
use rand::distributions::{Alphanumeric, DistString};
use rand::Rng;
use serde::Deserialize;
use serde_json::{json, Value};
use time::OffsetDateTime;
use url::Url;

use crate::page::{self, Page};
use crate::SandboxConfig;

/// The AIP API base's prefix: a client's aip base is `{sandbox}{AIP_PREFIX}`.
pub const AIP_PREFIX: &str = "/baidu/aip";
/// The H5 page base's prefix: a client's h5 base is `{sandbox}{H5_PREFIX}`.
pub const H5_PREFIX: &str = "/baidu/h5";
/// The API Key (client_id) the simulator accepts.
pub const API_KEY: &str = "sandbox-baidu-api-key";
/// The Secret Key (client_secret) the simulator accepts.
pub const SECRET_KEY: &str = "sandbox-baidu-secret-key";
/// The one H5 plan the simulator knows.
pub const PLAN_ID: &str = "1";
/// Access tokens live 30 days.
pub const ACCESS_TOKEN_TTL: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// verify_tokens live 2 hours.
pub const VERIFY_TOKEN_TTL: Duration = Duration::from_secs(2 * 60 * 60);
/// Results answer this long after the verification.
pub const QUERY_WINDOW: Duration = Duration::from_secs(3 * 24 * 60 * 60);
/// Media URLs are kept this long.
pub const MEDIA_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
/// error_code of Token无效或者已过期 (sandbox choice: the seed gives the message only).
pub const VERIFY_TOKEN_INVALID_CODE: i64 = 216100;
/// The seed's message for an unusable verify_token.
pub const VERIFY_TOKEN_INVALID_MESSAGE: &str = "Token无效或者已过期";
/// Attempt code of a face below the threshold (sandbox choice).
pub const LOW_SCORE_CODE: &str = "1";
/// The plan's similarity threshold.
pub const THRESHOLD: f64 = 80.0;
/// Largest base64 image: 10 MB.
pub const MAX_IMAGE_BASE64: usize = 10 * 1024 * 1024;

/// One outcome the page offers: form value, attempt code, Baidu's message, the catalogue key
/// of its label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub value: &'static str,
    pub code: &'static str,
    pub message: &'static str,
    pub label: &'static str,
}

const fn outcome(
    value: &'static str,
    code: &'static str,
    message: &'static str,
    label: &'static str,
) -> Outcome {
    Outcome {
        value,
        code,
        message,
        label,
    }
}

/// Every outcome of the page, `pass` first.
pub const OUTCOMES: &[Outcome] = &[
    outcome("pass", "0", "核验成功", "baidu-h5-pass"),
    outcome(
        "222351",
        "222351",
        "身份证号与姓名不匹配或该身份证号不存在",
        "baidu-h5-identity-mismatch",
    ),
    outcome(
        "222354",
        "222354",
        "公安库里不存在此身份证号",
        "baidu-h5-no-such-id",
    ),
    outcome(
        "222360",
        "222360",
        "身份证号码或名字非法",
        "baidu-h5-invalid-identity",
    ),
    outcome(
        "222350",
        "222350",
        "公安网图片不存在或质量过低",
        "baidu-h5-no-usable-photo",
    ),
    outcome(
        "222355",
        "222355",
        "身份证号码正确,公安库里没有对应的照片",
        "baidu-h5-no-photo",
    ),
    outcome(
        "low_score",
        LOW_SCORE_CODE,
        "人脸比对分数低于阈值",
        "baidu-h5-low-score",
    ),
    outcome("223120", "223120", "活体检测未通过", "baidu-h5-liveness"),
    outcome(
        "222356",
        "222356",
        "验证的人脸图片质量不符合要求",
        "baidu-h5-quality",
    ),
    outcome("222202", "222202", "pic not has face", "baidu-h5-no-face"),
    outcome("223113", "223113", "人脸有被遮挡", "baidu-h5-covered"),
    outcome("223114", "223114", "人脸模糊", "baidu-h5-blurred"),
    outcome("223115", "223115", "人脸光照不好", "baidu-h5-lighting"),
    outcome("223116", "223116", "人脸不完整", "baidu-h5-incomplete"),
    outcome("openapi_limit", "0", "核验成功", "baidu-h5-openapi-limit"),
    outcome("leave", "", "", "baidu-h5-leave"),
];

#[derive(Clone, Debug)]
struct Identity {
    name: String,
    id_no: String,
    certificate_type: i64,
}

#[derive(Clone, Debug)]
struct Attempt {
    outcome: Outcome,
    at: OffsetDateTime,
    log_id: String,
}

#[derive(Clone, Debug)]
struct Verification {
    created_at: OffsetDateTime,
    identity: Option<Identity>,
    match_image: bool,
    attempt: Option<Attempt>,
}

#[derive(Default)]
struct Store {
    access_tokens: HashMap<String, OffsetDateTime>,
    verifications: HashMap<String, Verification>,
}

struct Simulator {
    config: SandboxConfig,
    store: Mutex<Store>,
}

type Shared = Arc<Simulator>;

impl Simulator {
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        crate::lock(&self.store)
    }
}

/// Both prefixes' routes, to be merged at the sandbox's root.
pub fn router(config: &SandboxConfig) -> Router {
    let state = Arc::new(Simulator {
        config: config.clone(),
        store: Mutex::new(Store::default()),
    });
    Router::new()
        .route(&format!("{AIP_PREFIX}/oauth/2.0/token"), post(token))
        .route(
            &format!("{AIP_PREFIX}/rpc/2.0/brain/solution/faceprint/{{*call}}"),
            post(faceprint),
        )
        .route(
            &format!("{H5_PREFIX}/face/print/"),
            get(show_page).post(submit_page),
        )
        // A 10 MB base64 image plus the JSON around it.
        .layer(DefaultBodyLimit::max(MAX_IMAGE_BASE64 + 64 * 1024))
        .with_state(state)
}

fn log_id() -> String {
    rand::thread_rng()
        .gen_range(1_000_000_000u64..10_000_000_000_000u64)
        .to_string()
}

fn duration(d: Duration) -> time::Duration {
    time::Duration::seconds(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[derive(Deserialize)]
struct TokenQuery {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

async fn token(State(state): State<Shared>, Query(query): Query<TokenQuery>) -> Response {
    let oauth_error = |status: StatusCode, error: &str, description: &str| {
        (
            status,
            Json(json!({"error": error, "error_description": description})),
        )
            .into_response()
    };
    if query.grant_type.as_deref() != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The authorization grant type is not supported",
        );
    }
    if query.client_id.as_deref() != Some(API_KEY) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client id",
        );
    }
    if query.client_secret.as_deref() != Some(SECRET_KEY) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        );
    }
    state
        .config
        .counters
        .token_granted(crate::counters::grants::BAIDU_OAUTH);
    let now = state.config.clock.now();
    let ttl = ACCESS_TOKEN_TTL.as_secs();
    let token = format!(
        "24.{}.{ttl}.{}.282335-{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), 32),
        (now + duration(ACCESS_TOKEN_TTL)).unix_timestamp(),
        rand::thread_rng().gen_range(10_000_000u32..99_999_999u32)
    );
    {
        let mut store = state.store();
        store
            .access_tokens
            .retain(|_, expires_at| now < *expires_at);
        store
            .access_tokens
            .insert(token.clone(), now + duration(ACCESS_TOKEN_TTL));
    }
    Json(json!({
        "refresh_token": format!("25.{}", Alphanumeric.sample_string(&mut rand::thread_rng(), 32)),
        "expires_in": ttl,
        "session_key": Alphanumeric.sample_string(&mut rand::thread_rng(), 40),
        "access_token": token,
        "scope": "public brain_all_scope brain_solution_faceprint",
        "session_secret": Alphanumeric.sample_string(&mut rand::thread_rng(), 32),
    }))
    .into_response()
}

fn fp_error(code: i64, message: &str) -> Response {
    Json(json!({"success": false, "error_code": code, "error_msg": message, "log_id": log_id()}))
        .into_response()
}

fn fp_ok(result: Value) -> Response {
    Json(json!({"success": true, "result": result, "log_id": log_id()})).into_response()
}

fn token_invalid() -> Response {
    fp_error(VERIFY_TOKEN_INVALID_CODE, VERIFY_TOKEN_INVALID_MESSAGE)
}

#[derive(Deserialize)]
struct AccessQuery {
    access_token: Option<String>,
}

fn text_field<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn int_field(body: &Value, name: &str) -> Option<Result<i64, ()>> {
    match body.get(name)? {
        Value::Null => None,
        Value::Number(n) => Some(n.as_i64().ok_or(())),
        Value::String(s) => Some(s.trim().parse().map_err(|_| ())),
        _ => Some(Err(())),
    }
}

async fn faceprint(
    State(state): State<Shared>,
    Path(call): Path<String>,
    Query(query): Query<AccessQuery>,
    body: axum::body::Bytes,
) -> Response {
    let now = state.config.clock.now();
    match query.access_token.as_deref() {
        None | Some("") => {
            return Json(json!({"error_code": 100, "error_msg": "Invalid parameter"}))
                .into_response()
        }
        Some(token) => match state.store().access_tokens.get(token) {
            None => {
                return Json(json!({"error_code": 110,
                    "error_msg": "Access token invalid or no longer valid"}))
                .into_response()
            }
            Some(expires_at) if now >= *expires_at => {
                return Json(json!({"error_code": 111, "error_msg": "Access token expired"}))
                    .into_response()
            }
            Some(_) => {}
        },
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return fp_error(222002, "param[body] format error");
    };
    match call.as_str() {
        "verifyToken/generate" => generate(&state, &body, now),
        "idcard/submit" => submit(&state, &body, now),
        "uploadMatchImage" => upload(&state, &body, now),
        "result/simple" | "result/detail" | "result/stat" | "result/media/query"
        | "result/getall" => query_result(&state, &call, &body, now),
        _ => (StatusCode::NOT_FOUND, "no such faceprint interface").into_response(),
    }
}

fn generate(state: &Simulator, body: &Value, now: OffsetDateTime) -> Response {
    let plan = match body.get("plan_id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return fp_error(222001, "param[plan_id] is null"),
    };
    if plan != PLAN_ID {
        return fp_error(222002, "param[plan_id] format error");
    }
    let token = Alphanumeric.sample_string(&mut rand::thread_rng(), 24);
    let mut store = state.store();
    let keep = duration(VERIFY_TOKEN_TTL + QUERY_WINDOW);
    store
        .verifications
        .retain(|_, verification| now - verification.created_at < keep);
    store.verifications.insert(
        token.clone(),
        Verification {
            created_at: now,
            identity: None,
            match_image: false,
            attempt: None,
        },
    );
    fp_ok(json!({"verify_token": token}))
}

/// The verification behind a verify_token that may still be verified.
fn usable<'a>(
    store: &'a mut Store,
    body: &Value,
    now: OffsetDateTime,
) -> Result<&'a mut Verification, Response> {
    let Some(token) = text_field(body, "verify_token") else {
        return Err(fp_error(222001, "param[verify_token] is null"));
    };
    match store.verifications.get_mut(token) {
        Some(v) if v.attempt.is_none() && now - v.created_at < duration(VERIFY_TOKEN_TTL) => Ok(v),
        _ => Err(token_invalid()),
    }
}

fn valid_id_no(id_no: &str, certificate_type: i64) -> bool {
    let bytes = id_no.as_bytes();
    let shape = bytes.len() == 18
        && bytes[..17].iter().all(u8::is_ascii_digit)
        && (bytes[17].is_ascii_digit() || bytes[17] == b'X');
    match certificate_type {
        0 => shape,
        // 港澳台居民居住证 numbers start 810000 / 820000 / 830000.
        4 => shape && matches!(&id_no[..2], "81" | "82" | "83"),
        _ => false,
    }
}

fn submit(state: &Simulator, body: &Value, now: OffsetDateTime) -> Response {
    let mut store = state.store();
    let verification = match usable(&mut store, body, now) {
        Ok(v) => v,
        Err(response) => return response,
    };
    let Some(name) = text_field(body, "id_name") else {
        return fp_error(222001, "param[id_name] is null");
    };
    let Some(id_no) = text_field(body, "id_no") else {
        return fp_error(222001, "param[id_no] is null");
    };
    let certificate_type = match int_field(body, "certificate_type") {
        None => return fp_error(222001, "param[certificate_type] is null"),
        Some(Ok(t @ (0 | 4))) => t,
        Some(_) => return fp_error(222002, "param[certificate_type] format error"),
    };
    if !valid_id_no(id_no, certificate_type) {
        return fp_error(222002, "param[id_no] format error");
    }
    verification.identity = Some(Identity {
        name: name.to_owned(),
        id_no: id_no.to_owned(),
        certificate_type,
    });
    fp_ok(json!(1))
}

fn image_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let be16 = |at: usize| -> Option<u32> {
        Some(u32::from(u16::from_be_bytes(
            bytes.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.get(12..16)? == b"IHDR" {
        let w = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
        let h = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
        return Some((w, h));
    }
    if bytes.starts_with(b"BM") {
        let w = i32::from_le_bytes(bytes.get(18..22)?.try_into().ok()?);
        let h = i32::from_le_bytes(bytes.get(22..26)?.try_into().ok()?);
        return Some((w.unsigned_abs(), h.unsigned_abs()));
    }
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let mut at = 2;
        while at + 4 <= bytes.len() {
            if bytes[at] != 0xFF {
                return None;
            }
            let marker = bytes[at + 1];
            if marker == 0xFF {
                at += 1;
                continue;
            }
            if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
                return Some((be16(at + 7)?, be16(at + 5)?));
            }
            if matches!(marker, 0xD9 | 0xDA) {
                return None;
            }
            if matches!(marker, 0x01 | 0xD0..=0xD7) {
                at += 2;
                continue;
            }
            at += 2 + usize::try_from(be16(at + 2)?).ok()?;
        }
    }
    None
}

fn upload(state: &Simulator, body: &Value, now: OffsetDateTime) -> Response {
    for (field, code) in [("quality_control", 222019), ("liveness_control", 222020)] {
        match body.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if matches!(s.as_str(), "NONE" | "LOW" | "NORMAL" | "HIGH") => {}
            Some(_) => return fp_error(code, &format!("param[{field}] format error")),
        }
    }
    let mut store = state.store();
    let verification = match usable(&mut store, body, now) {
        Ok(v) => v,
        Err(response) => return response,
    };
    let Some(image) = text_field(body, "image") else {
        return fp_error(222001, "param[image] is null");
    };
    if image.len() > MAX_IMAGE_BASE64 {
        return fp_error(216202, "image size error");
    }
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(image) else {
        return fp_error(222002, "param[image] format error");
    };
    let Some((w, h)) = image_size(&bytes) else {
        return fp_error(216201, "image format error");
    };
    if w.max(h) > 1920 || w.min(h) > 1080 {
        return fp_error(216202, "image size error");
    }
    verification.match_image = true;
    fp_ok(Value::Null)
}

fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    let first = chars.next().map(String::from).unwrap_or_default();
    format!("{first}{}", "*".repeat(chars.count()))
}

fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

fn vendor_time(at: OffsetDateTime) -> String {
    format!(
        "{}-{}-{} {:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// (similarity, liveness) for an outcome; None where Baidu leaves the score empty.
fn scores(outcome: &Outcome) -> (Option<f64>, f64) {
    match outcome.value {
        "pass" | "openapi_limit" => (Some(93.7835), 0.9672966),
        "low_score" => (Some(41.2), 0.95),
        _ => (None, 0.0),
    }
}

fn query_result(state: &Simulator, call: &str, body: &Value, now: OffsetDateTime) -> Response {
    let Some(token) = text_field(body, "verify_token") else {
        return fp_error(222001, "param[verify_token] is null");
    };
    let token = token.to_owned();
    let Some(verification) = state.store().verifications.get(&token).cloned() else {
        return token_invalid();
    };
    let Some(attempt) = verification.attempt.clone() else {
        return token_invalid();
    };
    if now - attempt.at >= duration(QUERY_WINDOW) {
        return token_invalid();
    }
    let outcome = attempt.outcome;
    let passed = outcome.code == "0";
    if outcome.value == "openapi_limit" && call != "result/stat" && call != "result/media/query" {
        return fp_error(18, "Open api qps request limit reached");
    }
    let (score, liveness) = scores(&outcome);
    let (name, id_no, id_type) = match &verification.identity {
        Some(identity) => (
            mask_name(&identity.name),
            mask_id(&identity.id_no),
            identity.certificate_type,
        ),
        None => ("张*".to_owned(), "110***********4514".to_owned(), 0),
    };
    // The OCR fields exist only when the user photographed an ID card (no idcard/submit).
    let ocr = verification.identity.is_none().then(|| {
        json!({
            "address": "北京市***********", "birthday": "19900307", "name": name,
            "id_card_number": id_no, "gender": "男", "nation": "汉",
            "expire_time": "20300307", "issue_authority": "北京市公安局",
            "issue_time": "20100307",
        })
    });
    let face_image = state.config.public_url(&format!(
        "{H5_PREFIX}/solution/faceprint/image/query?verify_token={token}"
    ));
    match call {
        "result/simple" if passed => fp_ok(json!({"image": face_image.as_str()})),
        "result/detail" if passed => {
            let mut result = json!({
                "verify_result": {"score": score, "liveness_score": liveness, "spoofing": 0.0},
                "idcard_confirm": {"idcard_number": id_no, "name": name},
            });
            if let Some(ocr) = ocr {
                result["idcard_ocr_result"] = ocr;
                result["idcard_images"] = json!({"front_base64": "/9j/4AAQSkZJRgAB....",
                    "back_base64": "/9j/4AAQSkZJRgAB...."});
            }
            Json(json!({"success": true, "result": result, "log_id": attempt.log_id}))
                .into_response()
        }
        "result/simple" | "result/detail" => {
            let code = outcome.code.parse::<i64>().unwrap_or(1);
            Json(
                json!({"success": false, "error_code": code, "error_msg": outcome.message,
                "log_id": attempt.log_id}),
            )
            .into_response()
        }
        "result/stat" => {
            let code = outcome.code.parse::<i64>().unwrap_or(1);
            let backend = if verification.match_image {
                "VerifySec"
            } else {
                "verify"
            };
            let mut result = json!({
                "Verify_FIN": [{"error_code": code, "count": 1}],
                "Sessioncode": [{"error_code": 0, "count": 1}],
                "VideoLiveness": [{"error_code": 0, "count": "1"}],
            });
            result[backend] = json!([{"error_code": code, "count": 1}]);
            if ocr.is_some() {
                result["OCR"] = json!([{"error_code": 0, "count": 2}]);
            }
            fp_ok(result)
        }
        "result/media/query" => {
            if now - attempt.at >= duration(MEDIA_WINDOW) {
                return fp_ok(json!({"processVideo": [], "images": [], "extInfo": null}));
            }
            let media = |name: &str| {
                state
                    .config
                    .public_url(&format!("{H5_PREFIX}/media/{token}/{name}"))
                    .to_string()
            };
            fp_ok(json!({
                "processVideo": [media("process.mp4")],
                "images": [media("1.jpg"), media("2.jpg"), media("3.jpg"), media("4.jpg")],
                "extInfo": null,
            }))
        }
        _ => {
            let charged = score.is_some();
            let verify_time = vendor_time(attempt.at);
            let mut confirm = json!({"name": name, "idcard_number": id_no,
                "idcard_type": id_type.to_string()});
            if let Some(ocr) = ocr {
                let mut ocr = ocr;
                if let Some(number) = ocr.as_object_mut().and_then(|o| o.remove("id_card_number")) {
                    ocr["idcard_number"] = number;
                }
                ocr["idcard_type"] = json!("0");
                confirm["idcard_ocr_result"] = ocr;
                confirm["idcard_images"] = json!({"front_image": media_url(state, &token, "front.jpg"),
                    "back_image": media_url(state, &token, "back.jpg")});
            }
            let ocr_charged = verification.identity.is_none();
            let result = json!({
                "verify_count": 1,
                "ocr_charge_count": i32::from(ocr_charged),
                "match_charge_count": i32::from(charged && verification.match_image),
                "verify_charge_count": i32::from(charged && !verification.match_image),
                "verify_result": [{
                    "order": 1,
                    "is_verify_passed": passed,
                    "code": outcome.code,
                    "message": outcome.message,
                    "verify_time": verify_time,
                    "is_charged": charged,
                    "charge_type": if verification.match_image { "match" } else { "verify" },
                    "charge_time": if charged { verify_time.clone() } else { String::new() },
                    "is_ocr_charge": ocr_charged,
                    "ocr_count": i32::from(ocr_charged) * 2,
                    "ocr_charge_time": if ocr_charged { verify_time.clone() } else { String::new() },
                    "verify_detail": {
                        "face_image": face_image.as_str(),
                        "verify_log_id": if charged { attempt.log_id.clone() } else { String::new() },
                        "score": score,
                        "threshold": THRESHOLD,
                        "liveness_score": 0,
                        "spoofing_score": 0,
                        "risk_level": "4",
                        "risk_tag": "",
                        "is_demote": false,
                    },
                    "idcard_confirm": confirm,
                }],
            });
            fp_ok(result)
        }
    }
}

fn media_url(state: &Simulator, token: &str, name: &str) -> String {
    state
        .config
        .public_url(&format!("{H5_PREFIX}/media/{token}/{name}"))
        .to_string()
}

#[derive(Deserialize)]
struct PageQuery {
    token: Option<String>,
    #[serde(rename = "successUrl")]
    success_url: Option<String>,
    #[serde(rename = "failedUrl")]
    failed_url: Option<String>,
}

fn http_url(value: Option<&str>) -> Option<Url> {
    Url::parse(value?)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
}

struct PageTarget {
    token: String,
    success_url: Url,
    failed_url: Url,
}

fn page_target(state: &Simulator, page: &Page, query: &PageQuery) -> Result<PageTarget, Response> {
    let (Some(success_url), Some(failed_url)) = (
        http_url(query.success_url.as_deref()),
        http_url(query.failed_url.as_deref()),
    ) else {
        return Err(page.gone(
            StatusCode::BAD_REQUEST,
            "page-unknown-title",
            "baidu-h5-bad-link",
        ));
    };
    let token = query.token.clone().unwrap_or_default();
    let now = state.config.clock.now();
    match state.store().verifications.get(&token) {
        None => Err(page.gone(
            StatusCode::NOT_FOUND,
            "page-unknown-title",
            "baidu-h5-unknown",
        )),
        Some(v) if v.attempt.is_some() => Err(used(page)),
        Some(v) if now - v.created_at >= duration(VERIFY_TOKEN_TTL) => {
            Err(page.gone(StatusCode::GONE, "page-expired-title", "baidu-h5-expired"))
        }
        Some(_) => Ok(PageTarget {
            token,
            success_url,
            failed_url,
        }),
    }
}

fn used(page: &Page) -> Response {
    page.gone(StatusCode::GONE, "page-used-title", "baidu-h5-used")
}

async fn show_page(
    State(state): State<Shared>,
    page: Page,
    Query(query): Query<PageQuery>,
) -> Response {
    if let Err(response) = page_target(&state, &page, &query) {
        return response;
    }
    let outcomes: Vec<(&str, String)> = OUTCOMES
        .iter()
        .map(|o| {
            let label = if o.code.is_empty() {
                page.text(o.label)
            } else {
                page.coded(o.label, &format!("{} {}", o.code, o.message))
            };
            (o.value, label)
        })
        .collect();
    page.outcome_form("baidu-h5-title", ("baidu-h5-intro", &[]), &outcomes)
}

async fn submit_page(
    State(state): State<Shared>,
    page: Page,
    Query(query): Query<PageQuery>,
    Form(form): Form<page::OutcomeChoice>,
) -> Response {
    let Some(outcome) = OUTCOMES
        .iter()
        .find(|o| Some(o.value) == form.outcome.as_deref())
        .copied()
    else {
        return page.unknown_outcome();
    };
    let target = match page_target(&state, &page, &query) {
        Ok(target) => target,
        Err(response) => return response,
    };
    if outcome.value == "leave" {
        return Redirect::to(target.failed_url.as_str()).into_response();
    }
    let now = state.config.clock.now();
    let recorded = {
        let mut store = state.store();
        // Checked and marked under one lock: two racing submissions cannot both verify.
        match store.verifications.get_mut(&target.token) {
            Some(v) if v.attempt.is_none() && now - v.created_at < duration(VERIFY_TOKEN_TTL) => {
                v.attempt = Some(Attempt {
                    outcome,
                    at: now,
                    log_id: log_id(),
                });
                true
            }
            _ => false,
        }
    };
    if !recorded {
        return used(&page);
    }
    let to = if outcome.code == "0" {
        target.success_url
    } else {
        target.failed_url
    };
    Redirect::to(to.as_str()).into_response()
}
