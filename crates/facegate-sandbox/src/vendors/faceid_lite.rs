//! Megvii FaceID Lite H5 simulated (seed `shared/seeds/004_3876bf03ac99d3b9.txt`).
//!
//! - `POST {API_PREFIX}/lite/v1/get_biz_token` (form-urlencoded, or multipart with the
//!   `image_ref1` / `image_ref2` files), `Authorization: APPCODE {APPCODE}`: every documented
//!   argument parsed and checked; errors are `{request_id, time_used, error}` with 400
//!   `MISSING_ARGUMENTS:<key>` / `BAD_ARGUMENTS:<key>`, 403 `AUTHORIZATION_ERROR:<why>`, 413 over
//!   20 MB, and, on demand, 429 `CONCURRENCY_LIMIT_EXCEEDED` (`biz_no` = [`BIZ_NO_CONCURRENCY_LIMIT`])
//!   and 500 `INTERNAL_ERROR` (`biz_no` = [`BIZ_NO_INTERNAL_ERROR`]). The APPCODE
//!   [`APPCODE_BALANCE_NOT_ENOUGH`] is refused with `AUTHORIZATION_ERROR:BALANCE_NOT_ENOUGH`.
//! - `GET {API_PREFIX}/lite/v1/get_result?biz_token=...`: 9000 `LIVING_NOT_START` until the user
//!   finishes, then the chosen result with images, `idcard_result` (group 1) and `verification`
//!   (idcard for comparison_type 1, ref1/ref2 for 0) shaped as the seed's examples.
//! - `GET {H5_PREFIX}/lite/v1/do/{biz_token}`: the page where the sandbox user picks any
//!   documented `result_code`/`result_message`; the biz_token is single use and lives one hour.
//!   Submitting 303s to `return_url` with `biz_token` added and POSTs the notify (form field
//!   `data` = `{"biz_token","error_code","error_msg"}`, codes as strings) once, best effort.
//! - Flows are kept for the documented query window (a month), at most [`MAX_FLOWS`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use rand::Rng;
use serde::Deserialize;
use serde_json::{json, Value};
use time::OffsetDateTime;
use url::Url;

use crate::page::{self, Page};
use crate::{http_url, valid_id_number, SandboxConfig};

/// Mount point of the API (`{base}/lite/v1/get_biz_token`).
pub const API_PREFIX: &str = "/faceid/api";
/// Mount point of the user's page (`{base}/lite/v1/do/{biz_token}`).
pub const H5_PREFIX: &str = "/faceid/h5";
/// The APPCODE the simulator accepts.
pub const APPCODE: &str = "sandbox-faceid-appcode";
/// An APPCODE whose account "has no balance": 403 `AUTHORIZATION_ERROR:BALANCE_NOT_ENOUGH`.
pub const APPCODE_BALANCE_NOT_ENOUGH: &str = "sandbox-faceid-no-balance";
/// `biz_no` that makes get_biz_token answer 429 `CONCURRENCY_LIMIT_EXCEEDED`.
pub const BIZ_NO_CONCURRENCY_LIMIT: &str = "sandbox-concurrency-limit";
/// `biz_no` that makes get_biz_token answer 500 `INTERNAL_ERROR`.
pub const BIZ_NO_INTERNAL_ERROR: &str = "sandbox-internal-error";
/// The documented request limit.
pub const MAX_REQUEST_BYTES: usize = 20 * 1024 * 1024;
/// biz_token lifetime: one hour.
pub const TOKEN_TTL: Duration = Duration::from_secs(60 * 60);
/// Results stay queryable a month.
pub const RETENTION: Duration = Duration::from_secs(31 * 24 * 60 * 60);
/// At most this many flows are kept; the oldest go first.
pub const MAX_FLOWS: usize = 10_000;

/// Every documented result a user can end with: `(result_code, result_message, the catalogue
/// key of its label)`.
const OUTCOMES: &[(&str, &str, &str)] = &[
    ("1000", "SUCCESS", "faceid-success"),
    (
        "2000",
        "PASS_LIVING_NOT_THE_SAME",
        "faceid-pass-living-not-the-same",
    ),
    ("3000", "NO_ID_CARD_NUMBER", "faceid-no-id-card-number"),
    (
        "3000",
        "ID_NUMBER_NAME_NOT_MATCH",
        "faceid-id-number-name-not-match",
    ),
    (
        "3100",
        "IDCARD_PHOTO_FRONTSIDE",
        "faceid-idcard-photo-frontside",
    ),
    (
        "3100",
        "IDCARD_BACKSIDE_BLURRED",
        "faceid-idcard-backside-blurred",
    ),
    (
        "3100",
        "NO_FACE_FOUND_IDCARD",
        "faceid-no-face-found-idcard",
    ),
    (
        "3100",
        "IDCARD_PHOTO_NOTFRONTSIDE",
        "faceid-idcard-photo-notfrontside",
    ),
    (
        "3100",
        "IDCARD_PHOTO_NOTBACKSIDE",
        "faceid-idcard-photo-notbackside",
    ),
    (
        "3200",
        "FAIL_OCR_FAKE_IDCARD",
        "faceid-fail-ocr-fake-idcard",
    ),
    (
        "4100",
        "FAIL_LIVING_FACE_ATTACK",
        "faceid-fail-living-face-attack",
    ),
    ("4100", "CHANGE_FACE_ATTACK", "faceid-change-face-attack"),
    ("4200", "NO_FACE_FOUND", "faceid-no-face-found"),
    (
        "4200",
        "FACE_QUALITY_TOO_LOW",
        "faceid-face-quality-too-low",
    ),
    (
        "4200",
        "INVALID_VIDEO_DURATION",
        "faceid-invalid-video-duration",
    ),
    ("4200", "VIDEO_TOO_LARGE", "faceid-video-too-large"),
    ("4200", "SR_ERROR", "faceid-sr-error"),
    ("4200", "NOT_SYNCHRONIZED", "faceid-not-synchronized"),
    ("4200", "NO_AUDIO", "faceid-no-audio"),
    (
        "4200",
        "VIDEO_FORMAT_UNSUPPORTED",
        "faceid-video-format-unsupported",
    ),
    ("4200", "LIP_VOICE_NOT_SYNC", "faceid-lip-voice-not-sync"),
    ("4200", "VIDEO_OK", "faceid-video-ok"),
    ("4200", "VIDEO_MANY_TIMES", "faceid-video-many-times"),
    (
        "4200",
        "VIDEO_INTERNAL_ERROR",
        "faceid-video-internal-error",
    ),
    (
        "5000",
        "NON_ENTERPRISE_CERTIFICATION",
        "faceid-non-enterprise-certification",
    ),
    ("5000", "BALANCE_NOT_ENOUGH", "faceid-balance-not-enough"),
    ("5000", "ACCOUNT_DISABLED", "faceid-account-disabled"),
    ("6000", "USER_CANCEL", "faceid-user-cancel"),
];

/// The seed's example thresholds.
const THRESHOLDS: (f64, f64, f64, f64) = (62.168713, 69.31534, 74.39926, 78.038055);

#[derive(Clone, Debug)]
struct Flow {
    return_url: Url,
    notify_url: Url,
    biz_no: String,
    comparison_type: u8,
    group: u8,
    has_ref2: bool,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    outcome: Option<(&'static str, &'static str)>,
}

#[derive(Debug)]
struct FaceidSim {
    config: SandboxConfig,
    flows: Mutex<HashMap<String, Flow>>,
    notifier: reqwest::Client,
}

type Shared = Arc<FaceidSim>;

impl FaceidSim {
    fn flows(&self) -> std::sync::MutexGuard<'_, HashMap<String, Flow>> {
        crate::lock(&self.flows)
    }
}

/// The FaceID Lite API under [`API_PREFIX`] and its page under [`H5_PREFIX`].
pub fn router(config: &SandboxConfig) -> Router {
    let notifier = crate::notifier();
    let state = Arc::new(FaceidSim {
        config: config.clone(),
        flows: Mutex::new(HashMap::new()),
        notifier,
    });
    let api = Router::new()
        .route(
            "/lite/v1/get_biz_token",
            // Above the documented limit, so that an oversize body gets the vendor's 413.
            post(get_biz_token).layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES + 4 * 1024 * 1024)),
        )
        .route("/lite/v1/get_result", get(get_result))
        .with_state(state.clone());
    let h5 = Router::new()
        .route("/lite/v1/do/{biz_token}", get(show_page).post(submit_page))
        .with_state(state);
    Router::new().nest(API_PREFIX, api).nest(H5_PREFIX, h5)
}

fn request_id(now: OffsetDateTime) -> String {
    let mut rng = rand::thread_rng();
    format!(
        "{},{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        now.unix_timestamp(),
        rng.gen::<u32>(),
        rng.gen::<u16>(),
        rng.gen::<u16>(),
        rng.gen::<u16>(),
        rng.gen::<u64>() & 0xffff_ffff_ffff
    )
}

fn error(state: &FaceidSim, status: StatusCode, error: &str) -> Response {
    (
        status,
        Json(json!({
            "request_id": request_id(state.config.clock.now()),
            "time_used": 3,
            "error": error,
        })),
    )
        .into_response()
}

fn authorize(state: &FaceidSim, headers: &HeaderMap) -> Result<(), Response> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    match value.strip_prefix("APPCODE ") {
        Some(APPCODE) => Ok(()),
        Some(APPCODE_BALANCE_NOT_ENOUGH) => Err(error(
            state,
            StatusCode::FORBIDDEN,
            "AUTHORIZATION_ERROR:BALANCE_NOT_ENOUGH",
        )),
        _ => Err(error(
            state,
            StatusCode::FORBIDDEN,
            "AUTHORIZATION_ERROR:INVALID_SIGN",
        )),
    }
}

/// A form field or file of the get_biz_token body.
struct Field {
    name: String,
    is_file: bool,
    data: Vec<u8>,
}

fn parse_body(headers: &HeaderMap, body: &[u8]) -> Option<Vec<Field>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        "application/x-www-form-urlencoded" => Some(
            url::form_urlencoded::parse(body)
                .map(|(name, value)| Field {
                    name: name.into_owned(),
                    is_file: false,
                    data: value.into_owned().into_bytes(),
                })
                .collect(),
        ),
        "multipart/form-data" => {
            let boundary = content_type.split(';').find_map(|param| {
                let (key, value) = param.split_once('=')?;
                (key.trim().eq_ignore_ascii_case("boundary"))
                    .then(|| value.trim().trim_matches('"').to_owned())
            })?;
            multipart(body, &boundary)
        }
        _ => None,
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + from)
}

/// A small multipart/form-data reader: enough for the simulator, strict about its framing.
fn multipart(body: &[u8], boundary: &str) -> Option<Vec<Field>> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut fields = Vec::new();
    let mut at = find(body, delimiter, 0)? + delimiter.len();
    loop {
        if body.get(at..at + 2) == Some(b"--") {
            return Some(fields);
        }
        if body.get(at..at + 2) != Some(b"\r\n") {
            return None;
        }
        at += 2;
        let headers_end = find(body, b"\r\n\r\n", at)?;
        let headers = std::str::from_utf8(&body[at..headers_end]).ok()?;
        let content_start = headers_end + 4;
        let mut next_delimiter = b"\r\n".to_vec();
        next_delimiter.extend_from_slice(delimiter);
        let content_end = find(body, &next_delimiter, content_start)?;
        let mut name = None;
        let mut is_file = false;
        for line in headers.split("\r\n") {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if !key.trim().eq_ignore_ascii_case("content-disposition") {
                continue;
            }
            for param in value.split(';') {
                if let Some((key, value)) = param.split_once('=') {
                    match key.trim() {
                        "name" => name = Some(value.trim().trim_matches('"').to_owned()),
                        "filename" => is_file = true,
                        _ => {}
                    }
                }
            }
        }
        fields.push(Field {
            name: name?,
            is_file,
            data: body[content_start..content_end].to_vec(),
        });
        at = content_end + next_delimiter.len();
    }
}

fn text<'a>(fields: &'a [Field], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|field| field.name == name && !field.is_file)
        .and_then(|field| std::str::from_utf8(&field.data).ok())
}

fn file<'a>(fields: &'a [Field], name: &str) -> Option<&'a [u8]> {
    fields
        .iter()
        .find(|field| field.name == name)
        .map(|field| field.data.as_slice())
        .filter(|data| !data.is_empty())
}

/// An optional integer argument within `range`; `Err(key)` when it does not parse or fit.
fn int_in(
    fields: &[Field],
    key: &'static str,
    range: std::ops::RangeInclusive<u8>,
) -> Result<Option<u8>, &'static str> {
    match text(fields, key) {
        None => Ok(None),
        Some(value) => value
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|value| range.contains(value))
            .map(Some)
            .ok_or(key),
    }
}

async fn get_biz_token(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if body.len() > MAX_REQUEST_BYTES {
        return (StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large").into_response();
    }
    if let Err(response) = authorize(&state, &headers) {
        return response;
    }
    let fields = parse_body(&headers, &body).unwrap_or_default();
    let missing = |key: &str| {
        error(
            &state,
            StatusCode::BAD_REQUEST,
            &format!("MISSING_ARGUMENTS:{key}"),
        )
    };
    let bad = |key: &str| {
        error(
            &state,
            StatusCode::BAD_REQUEST,
            &format!("BAD_ARGUMENTS:{key}"),
        )
    };

    let Some(return_url) = text(&fields, "return_url") else {
        return missing("return_url");
    };
    let Some(return_url) = http_url(return_url) else {
        return bad("return_url");
    };
    let Some(notify_url) = text(&fields, "notify_url") else {
        return missing("notify_url");
    };
    let Some(notify_url) = http_url(notify_url) else {
        return bad("notify_url");
    };
    let biz_no = text(&fields, "biz_no").unwrap_or("").to_owned();
    if biz_no.len() > 128 {
        return bad("biz_no");
    }
    match text(&fields, "liveness_type") {
        None => return missing("liveness_type"),
        Some("video_number") => {}
        Some(_) => return bad("liveness_type"),
    }
    let checks = [
        int_in(&fields, "comparison_type", 0..=1),
        int_in(&fields, "group", 0..=1),
        int_in(&fields, "idcard_retry_time", 1..=5),
        int_in(&fields, "idcard_side", 0..=1),
        int_in(&fields, "security_level", 1..=3),
        int_in(&fields, "liveness_preferences", 1..=2),
        int_in(&fields, "liveness_retry_count", 1..=5),
    ];
    let mut values = [None; 7];
    for (slot, check) in values.iter_mut().zip(checks) {
        match check {
            Ok(value) => *slot = value,
            Err(key) => return bad(key),
        }
    }
    let [comparison_type, group, ..] = values;
    if let Some(threshold) = text(&fields, "idcard_threshold") {
        if !threshold
            .trim()
            .parse::<f64>()
            .is_ok_and(|t| (0.0..=1.0).contains(&t))
        {
            return bad("idcard_threshold");
        }
    }
    let comparison_type = comparison_type.unwrap_or(1);
    let group = group.unwrap_or(0);
    let mut has_ref2 = false;
    if comparison_type == 1 && group == 0 {
        match text(&fields, "idcard_name") {
            None => return missing("idcard_name"),
            Some(name) if name.trim().is_empty() => return bad("idcard_name"),
            Some(_) => {}
        }
        match text(&fields, "idcard_number") {
            None => return missing("idcard_number"),
            Some(number) if !valid_id_number(number) => return bad("idcard_number"),
            Some(_) => {}
        }
    }
    if comparison_type == 0 {
        match text(&fields, "uuid") {
            None => return missing("uuid"),
            Some(uuid) if uuid.is_empty() || uuid.len() > 128 => return bad("uuid"),
            Some(_) => {}
        }
        if file(&fields, "image_ref1").is_none() {
            return missing("image_ref1");
        }
        has_ref2 = file(&fields, "image_ref2").is_some();
    }
    if biz_no == BIZ_NO_CONCURRENCY_LIMIT {
        return error(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            "CONCURRENCY_LIMIT_EXCEEDED",
        );
    }
    if biz_no == BIZ_NO_INTERNAL_ERROR {
        return error(&state, StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR");
    }

    let now = state.config.clock.now();
    let biz_token = format!(
        "{},{:032x}",
        now.unix_timestamp(),
        rand::thread_rng().gen::<u128>()
    );
    {
        let mut flows = state.flows();
        crate::insert_bounded(
            &mut flows,
            (RETENTION, MAX_FLOWS),
            now,
            |entry| entry.created_at,
            biz_token.clone(),
            Flow {
                return_url,
                notify_url,
                biz_no,
                comparison_type,
                group,
                has_ref2,
                created_at: now,
                expires_at: now + TOKEN_TTL,
                outcome: None,
            },
        );
    }
    Json(json!({
        "request_id": request_id(now),
        "time_used": 5,
        "biz_token": biz_token,
    }))
    .into_response()
}

#[derive(Deserialize)]
struct ResultQuery {
    biz_token: Option<String>,
}

fn comparison(confidence: f64) -> Value {
    let (e3, e4, e5, e6) = THRESHOLDS;
    json!({
        "confidence": confidence,
        "thresholds": {"1e-3": e3, "1e-4": e4, "1e-5": e5, "1e-6": e6},
    })
}

/// The seed's `idcard_result` example, for flows whose ID card was read by OCR.
fn idcard_result() -> Value {
    let legality = |id_photo: f64, screen: f64| {
        json!({"Photocopy": 0, "Edited": 0, "ID_Photo": id_photo, "Screen": screen,
               "Temporary_ID_Photo": 0, "ID_Photo_Threshold": 0.8})
    };
    json!({
        "name": "张三", "idcard_number": "XXXXXX", "gender": "男", "nationality": "汉",
        "birth_year": "1996", "birth_month": "3", "birth_day": "10",
        "address": "北京市海淀区XXXXX", "issued_by": "北京市公安局海淀分局",
        "valid_date_start": "20150516", "valid_date_end": "20350516",
        "frontside_legality": legality(1.0, 0.0),
        "backside_legality": legality(0.999, 0.001),
        "frontside_completeness": 0, "backside_completeness": 0,
        "image_portrait": "c2FuZGJveCBwb3J0cmFpdA==",
    })
}

async fn get_result(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<ResultQuery>,
) -> Response {
    if let Err(response) = authorize(&state, &headers) {
        return response;
    }
    let Some(biz_token) = query.biz_token.filter(|token| !token.is_empty()) else {
        return error(
            &state,
            StatusCode::BAD_REQUEST,
            "MISSING_ARGUMENTS:biz_token",
        );
    };
    let now = state.config.clock.now();
    let flow = {
        let mut flows = state.flows();
        flows.retain(|_, flow| now - flow.created_at < RETENTION);
        flows.get(&biz_token).cloned()
    };
    let Some(flow) = flow else {
        return error(&state, StatusCode::BAD_REQUEST, "BAD_ARGUMENTS:biz_token");
    };
    let mut answer = json!({
        "request_id": request_id(now),
        "time_used": 12,
        "biz_token": biz_token,
        "biz_no": flow.biz_no,
        "action": [],
    });
    let Some((code, message)) = flow.outcome else {
        answer["result_code"] = json!("9000");
        answer["result_message"] = json!("LIVING_NOT_START");
        return Json(answer).into_response();
    };
    answer["result_code"] = json!(code);
    answer["result_message"] = json!(message);
    let ocr = flow.comparison_type == 1 && flow.group == 1;
    let face_seen = matches!(code, "1000" | "2000" | "4100");
    let mut images = serde_json::Map::new();
    if face_seen {
        images.insert("image_best".into(), json!("c2FuZGJveCBiZXN0"));
    }
    if ocr && !matches!(code, "6000" | "5000") {
        images.insert("idcard_frontside".into(), json!("c2FuZGJveCBmcm9udA=="));
        images.insert("idcard_backside".into(), json!("c2FuZGJveCBiYWNr"));
        images.insert("idcard_portrait".into(), json!("c2FuZGJveCBwb3J0cmFpdA=="));
        answer["idcard_result"] = idcard_result();
    }
    answer["images"] = Value::Object(images);
    if matches!(code, "1000" | "2000") {
        let confidence = if code == "1000" { 86.4735 } else { 31.2 };
        let mut verification = serde_json::Map::new();
        if flow.comparison_type == 1 {
            verification.insert("idcard".into(), comparison(confidence));
        } else {
            verification.insert("ref1".into(), comparison(confidence));
            if flow.has_ref2 {
                verification.insert("ref2".into(), comparison(confidence));
            }
        }
        answer["verification"] = Value::Object(verification);
    }
    Json(answer).into_response()
}

/// What the page says of a flow it cannot use: FaceID's one message, then why.
const UNUSABLE: page::Unusable = page::Unusable {
    used: ("faceid-unusable-title", "faceid-used"),
    expired: ("faceid-unusable-title", "faceid-expired"),
    unknown: ("faceid-unusable-title", "faceid-unknown"),
};

page::one_time!(Flow);

fn usable(state: &FaceidSim, page: &Page, biz_token: &str) -> Result<Flow, Response> {
    let entry = state.flows().get(biz_token).cloned();
    UNUSABLE.check(page, entry, state.config.clock.now())
}

async fn show_page(
    State(state): State<Shared>,
    page: Page,
    Path(biz_token): Path<String>,
) -> Response {
    if let Err(response) = usable(&state, &page, &biz_token) {
        return response;
    }
    let options: Vec<(String, String)> = OUTCOMES
        .iter()
        .map(|(code, message, label)| {
            (
                format!("{code}:{message}"),
                page.coded(label, &format!("{code} {message}")),
            )
        })
        .collect();
    page.outcome_form("faceid-title", ("faceid-intro", &[]), &options)
}

async fn submit_page(
    State(state): State<Shared>,
    page: Page,
    Path(biz_token): Path<String>,
    Form(form): Form<page::OutcomeChoice>,
) -> Response {
    let chosen = form.outcome.as_deref().and_then(|value| {
        let (code, message) = value.split_once(':')?;
        OUTCOMES
            .iter()
            .find(|(c, m, _)| *c == code && *m == message)
            .map(|(c, m, _)| (*c, *m))
    });
    let Some(outcome) = chosen else {
        return page.unknown_outcome();
    };
    let flow = {
        let mut flows = state.flows();
        // Checked and spent under one lock: the handle is single use.
        UNUSABLE.finish(
            &page,
            flows.get_mut(&biz_token),
            state.config.clock.now(),
            |flow| flow.outcome = Some(outcome),
        )
    };
    let flow = match flow {
        Ok(flow) => flow,
        Err(response) => return response,
    };
    let data = json!({
        "biz_token": biz_token,
        "error_code": outcome.0,
        "error_msg": outcome.1,
    })
    .to_string();
    let client = state.notifier.clone();
    let notify_url = flow.notify_url.clone();
    tokio::spawn(async move {
        let _ = client.post(notify_url).form(&[("data", data)]).send().await;
    });
    let mut return_url = flow.return_url;
    return_url
        .query_pairs_mut()
        .append_pair("biz_token", &biz_token);
    Redirect::to(return_url.as_str()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_bodies_are_read() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"uuid\"\r\n\r\nuser-1\r\n--XyZ\r\nContent-Disposition: form-data; name=\"image_ref1\"; filename=\"ref1.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\x01\x02\r\n\x03\r\n--XyZ--\r\n";
        let fields = multipart(body, "XyZ").unwrap();
        assert_eq!(text(&fields, "uuid"), Some("user-1"));
        assert_eq!(file(&fields, "image_ref1"), Some(&b"\x01\x02\r\n\x03"[..]));
        assert!(multipart(b"--XyZ\r\nbroken", "XyZ").is_none());
    }

    #[test]
    fn id_numbers_are_checked_with_their_check_digit() {
        assert!(valid_id_number("110101199003074514"));
        assert!(!valid_id_number("110101199003074515"));
        assert!(valid_id_number("11010519491231002X"));
        assert!(!valid_id_number("1101011990030745"));
    }
}
