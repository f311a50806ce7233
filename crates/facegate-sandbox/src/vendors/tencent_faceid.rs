//! Tencent Cloud FaceID (慧眼) simulated: API 3.0 with TC3-HMAC-SHA256 checked, DetectAuth,
//! GetDetectInfoEnhanced and the H5 page (DetectAuth: cloud.tencent.com/document/product/1007/31816;
//! GetDetectInfoEnhanced: /1007/41957; "签名方法 v3").
//!
//! - `POST {API_PREFIX}` (the API base itself, as `https://faceid.tencentcloudapi.com/`), JSON,
//!   with `X-TC-Action`, `X-TC-Version` `2018-03-01`, `X-TC-Timestamp` and `Authorization:
//!   TC3-HMAC-SHA256 Credential={SecretId}/{date}/faceid/tc3_request, SignedHeaders=...,
//!   Signature=...`. The signature is recomputed here, independently of facegate's client,
//!   over the signed headers as received (CanonicalURI `/`, as API 3.0 specifies). Refusals
//!   are Tencent's own shape, HTTP 200 `{"Response": {"Error": {"Code", "Message"},
//!   "RequestId"}}`: `AuthFailure.InvalidAuthorization` (no or malformed header),
//!   `AuthFailure.SecretIdNotFound`, `AuthFailure.SignatureExpire` (a timestamp more than 300 s
//!   from the wall clock: the real one, not the test clock, which only ages tokens),
//!   `AuthFailure.SignatureFailure`, `InvalidAction`, `NoSuchVersion`, `MissingParameter`.
//! - DetectAuth: `RuleId` [`RULE_ID`] (else `InvalidParameterValue.RuleIdNotExist`, the
//!   document's example), `IdCard` and `Name` (checked when sent), `RedirectUrl` (http(s), at most
//!   1,024 characters), `Extra` (at most 1,000). Answers `Url` (this page), `BizToken` (7,200 s),
//!   `RequestId`.
//! - GetDetectInfoEnhanced: `Text` with every field `null` until the user finishes, then
//!   `ErrCode`/`ErrMsg`, `IdCard`, `Name`, `LiveStatus`/`LiveMsg`, `Comparestatus`/`Comparemsg`,
//!   `Sim`, `Extra` as the chosen outcome implies; an unknown BizToken is `InvalidParameter`
//!   "非法BizToken。" (the document's example); an unfinished flow past its 7,200 s, or any flow
//!   past 3 days, is `InvalidParameterValue.BizTokenExpired`.
//! - Each action answers at most [`REQUESTS_PER_SECOND`] calls a second; the next ones get
//!   `RequestLimitExceeded`.
//! - `GET {H5_PREFIX}/auth?token=...`: the page with every documented ErrCode; single use, for
//!   7,200 s. Submitting 303s to `RedirectUrl` with `token={BizToken}` appended. There is no
//!   callback (Tencent's H5 flow has none).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use hmac::{Hmac, Mac};
use rand::Rng;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use url::Url;

use crate::page::{self, Page};
use crate::{valid_id_number, SandboxConfig};

/// Mount point of the API (the API base: `POST {base}`).
pub const API_PREFIX: &str = "/tencent/faceid/api";
/// Mount point of the user's page (`{base}/auth?token=...`).
pub const H5_PREFIX: &str = "/tencent/faceid/h5";
/// The SecretId the simulator knows.
pub const SECRET_ID: &str = "AKIDsandboxTENCENTfaceid0000000000";
/// Its SecretKey.
pub const SECRET_KEY: &str = "sandbox-tencent-faceid-secret-key";
/// The RuleId the simulator knows.
pub const RULE_ID: &str = "1";
/// The API version.
pub const VERSION: &str = "2018-03-01";
/// BizToken lifetime: 7,200 s.
pub const TOKEN_TTL: Duration = Duration::from_secs(7_200);
/// Results stay queryable 3 days.
pub const RETENTION: Duration = Duration::from_secs(3 * 24 * 3_600);
/// How far `X-TC-Timestamp` may be from the wall clock.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 300;
/// At most this many flows are kept; the oldest go first.
pub const MAX_FLOWS: usize = 10_000;
/// The documented default limit per action, requests per second; over it:
/// `RequestLimitExceeded`.
pub const REQUESTS_PER_SECOND: u32 = 100;

/// Every documented ErrCode (慧眼 "错误码") and its message, the pass first.
pub const OUTCOMES: &[(i64, &str)] = &[
    (0, "成功"),
    (1001, "调用活体引擎接口出错"),
    (1002, "疑似非真人录制"),
    (1003, "视频实人检测未通过"),
    (1004, "人脸检测失败，无法提取比对照"),
    (1005, "活体检测未通过"),
    (1006, "证照库出错，请重试"),
    (1101, "未检测到声音"),
    (1102, "脸部未完整露出"),
    (1103, "声音识别失败"),
    (1104, "视频格式有误"),
    (1105, "视频拉取失败，请重试"),
    (1106, "视频声音太小"),
    (1107, "视频为空，或大小不合适，请控制录制时长在6s左右"),
    (1108, "视频像素太低"),
    (1109, "嘴唇动作幅度过小"),
    (1201, "光线太暗"),
    (1202, "光线太强"),
    (1203, "脸离屏幕太近"),
    (1204, "脸离屏幕太右"),
    (1205, "脸离屏幕太远"),
    (1206, "脸离屏幕太左"),
    (1207, "未检测到闭眼动作"),
    (1208, "未检测到第一个动作"),
    (1209, "未检测到张嘴动作"),
    (1210, "未能检测到完整人脸"),
    (1301, "实人检测失败"),
    (1302, "实人检测未达到通过标准"),
    (1303, "视频录制时间过短，请录制2秒以上的视频"),
    (2001, "调用比对引擎接口出错"),
    (2002, "输入的姓名有误"),
    (2003, "输入的身份证号有误"),
    (2004, "传入图片过大或过小"),
    (2005, "库中无此号，请到户籍所在地进行核实"),
    (2006, "姓名和身份证号不一致，请核实后重试"),
    (2007, "库中无此用户照片，请到户籍所在地进行核实"),
    (2008, "客户库自建库或认证中心返照失败，请稍后再试"),
    (2009, "传入图片分辨率太低，请重新上传"),
    (2010, "人脸检测失败，无法提取比对照"),
    (2011, "实人比对没通过"),
    (2012, "检测到多张人脸"),
    (2013, "未能检测到完整人脸"),
    (2014, "传入图片分辨率太低，请重新上传"),
    (2015, "比对失败"),
    (2016, "比对相似度未达到通过标准"),
    (3001, "无摄像头权限，请允许页面使用摄像头权限"),
];

#[derive(Clone, Debug)]
struct Flow {
    rule_id: String,
    id_card: Option<String>,
    name: Option<String>,
    redirect_url: Option<Url>,
    extra: Option<String>,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    outcome: Option<(i64, &'static str)>,
}

#[derive(Debug)]
struct TencentSim {
    config: SandboxConfig,
    flows: Mutex<HashMap<String, Flow>>,
    /// Per action: the wall-clock second and the calls counted in it.
    rate: Mutex<HashMap<String, (i64, u32)>>,
}

type Shared = Arc<TencentSim>;

impl TencentSim {
    fn flows(&self) -> std::sync::MutexGuard<'_, HashMap<String, Flow>> {
        crate::lock(&self.flows)
    }

    /// Counts one call of `action` in the current wall-clock second; `false` over the limit.
    fn within_rate(&self, action: &str, second: i64) -> bool {
        let mut rate = crate::lock(&self.rate);
        let entry = rate.entry(action.to_owned()).or_insert((second, 0));
        if entry.0 != second {
            *entry = (second, 0);
        }
        entry.1 += 1;
        entry.1 <= REQUESTS_PER_SECOND
    }
}

/// The FaceID API at [`API_PREFIX`] and its page under [`H5_PREFIX`].
pub fn router(config: &SandboxConfig) -> Router {
    let state = Arc::new(TencentSim {
        config: config.clone(),
        flows: Mutex::new(HashMap::new()),
        rate: Mutex::new(HashMap::new()),
    });
    Router::new()
        .route(API_PREFIX, post(api))
        .route(&format!("{API_PREFIX}/"), post(api))
        .route(
            &format!("{H5_PREFIX}/auth"),
            get(show_page).post(submit_page),
        )
        .with_state(state)
}

fn request_id() -> String {
    let mut rng = rand::thread_rng();
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        rng.gen::<u32>(),
        rng.gen::<u16>(),
        rng.gen::<u16>(),
        rng.gen::<u16>(),
        rng.gen::<u64>() & 0xffff_ffff_ffff
    )
}

/// Tencent's error shape: HTTP 200, `Response.Error`.
fn error(code: &str, message: &str) -> Response {
    Json(json!({"Response": {
        "Error": {"Code": code, "Message": message},
        "RequestId": request_id(),
    }}))
    .into_response()
}

fn answer(mut response: Value) -> Response {
    response["RequestId"] = json!(request_id());
    Json(json!({ "Response": response })).into_response()
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The parts of an `Authorization: TC3-HMAC-SHA256 ...` header.
struct Authorization {
    secret_id: String,
    date: String,
    service: String,
    signed_headers: Vec<String>,
    signature: String,
}

fn parse_authorization(value: &str) -> Option<Authorization> {
    let rest = value.strip_prefix("TC3-HMAC-SHA256 ")?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (key, value) = part.trim().split_once('=')?;
        match key {
            "Credential" => credential = Some(value),
            "SignedHeaders" => signed_headers = Some(value),
            "Signature" => signature = Some(value),
            _ => return None,
        }
    }
    let mut scope = credential?.split('/');
    let (secret_id, date, service, terminator) =
        (scope.next()?, scope.next()?, scope.next()?, scope.next()?);
    if terminator != "tc3_request" || scope.next().is_some() {
        return None;
    }
    Some(Authorization {
        secret_id: secret_id.to_owned(),
        date: date.to_owned(),
        service: service.to_owned(),
        signed_headers: signed_headers?.split(';').map(str::to_owned).collect(),
        signature: signature?.to_owned(),
    })
}

/// Checks the request's TC3-HMAC-SHA256 signature; the refusal is Tencent's error answer.
fn verify(headers: &HeaderMap, body: &[u8]) -> Result<(), Response> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let invalid = || {
        error(
            "AuthFailure.InvalidAuthorization",
            "请求头部的 Authorization 不符合腾讯云标准。",
        )
    };
    let auth = header("authorization")
        .and_then(parse_authorization)
        .ok_or_else(invalid)?;
    if auth.secret_id != SECRET_ID {
        return Err(error("AuthFailure.SecretIdNotFound", "密钥不存在。"));
    }
    let timestamp: i64 = header("x-tc-timestamp")
        .and_then(|value| value.trim().parse().ok())
        .ok_or_else(|| error("MissingParameter", "缺少参数 X-TC-Timestamp。"))?;
    if (OffsetDateTime::now_utc().unix_timestamp() - timestamp).abs() > MAX_CLOCK_SKEW_SECONDS {
        return Err(error("AuthFailure.SignatureExpire", "签名过期。"));
    }
    let failure = || error("AuthFailure.SignatureFailure", "请求签名验证失败。");
    let date = OffsetDateTime::from_unix_timestamp(timestamp)
        .map_err(|_| failure())?
        .date();
    let expected_date = format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    );
    let must_sign = ["content-type", "host"];
    if auth.date != expected_date
        || auth.service != "faceid"
        || !must_sign
            .iter()
            .all(|name| auth.signed_headers.iter().any(|signed| signed == name))
    {
        return Err(failure());
    }
    let mut canonical_headers = String::new();
    for name in &auth.signed_headers {
        let value = header(name).ok_or_else(failure)?;
        canonical_headers.push_str(&format!(
            "{}:{}\n",
            name.to_ascii_lowercase(),
            value.trim().to_ascii_lowercase()
        ));
    }
    let canonical_request = format!(
        "POST\n/\n\n{canonical_headers}\n{}\n{}",
        auth.signed_headers.join(";"),
        hex::encode(Sha256::digest(body))
    );
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{}/{}/tc3_request\n{}",
        auth.date,
        auth.service,
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let key = hmac_sha256(format!("TC3{SECRET_KEY}").as_bytes(), auth.date.as_bytes());
    let key = hmac_sha256(&key, auth.service.as_bytes());
    let key = hmac_sha256(&key, b"tc3_request");
    let expected = hex::encode(hmac_sha256(&key, string_to_sign.as_bytes()));
    let same: bool = {
        let (a, b) = (expected.as_bytes(), auth.signature.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    };
    if same {
        Ok(())
    } else {
        Err(failure())
    }
}

async fn api(State(state): State<Shared>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Err(refusal) = verify(&headers, &body) {
        return refusal;
    }
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if header("x-tc-version") != Some(VERSION) {
        return error("NoSuchVersion", "接口版本不存在。");
    }
    let Ok(Value::Object(params)) = serde_json::from_slice::<Value>(&body) else {
        return error("InvalidParameter", "请求体不是 JSON 对象。");
    };
    let action = header("x-tc-action").unwrap_or_default();
    if matches!(action, "DetectAuth" | "GetDetectInfoEnhanced")
        && !state.within_rate(action, OffsetDateTime::now_utc().unix_timestamp())
    {
        return error("RequestLimitExceeded", "请求的次数超过了频率限制。");
    }
    match header("x-tc-action") {
        Some("DetectAuth") => detect_auth(&state, &params),
        Some("GetDetectInfoEnhanced") => get_detect_info_enhanced(&state, &params),
        _ => error("InvalidAction", "接口不存在。"),
    }
}

fn string<'a>(
    params: &'a serde_json::Map<String, Value>,
    key: &str,
) -> Result<Option<&'a str>, Response> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) => Ok(Some(value)),
        Some(_) => Err(error("InvalidParameter", &format!("参数 {key} 类型错误。"))),
    }
}

fn detect_auth(state: &TencentSim, params: &serde_json::Map<String, Value>) -> Response {
    let read = || -> Result<Flow, Response> {
        let rule_id = string(params, "RuleId")?
            .ok_or_else(|| error("MissingParameter", "缺少参数 RuleId。"))?;
        if rule_id != RULE_ID {
            return Err(error(
                "InvalidParameterValue.RuleIdNotExist",
                "RuleId不存在，请到人脸核身控制台申请。",
            ));
        }
        let id_card = string(params, "IdCard")?;
        if id_card.is_some_and(|id| !valid_id_number(id)) {
            return Err(error("InvalidParameterValue", "IdCard 格式错误。"));
        }
        let name = string(params, "Name")?;
        if name.is_some_and(|name| name.trim().is_empty()) {
            return Err(error("InvalidParameterValue", "Name 格式错误。"));
        }
        let redirect_url = match string(params, "RedirectUrl")? {
            None => None,
            Some(url) => Some(
                Url::parse(url)
                    .ok()
                    .filter(|parsed| {
                        matches!(parsed.scheme(), "http" | "https") && url.chars().count() <= 1_024
                    })
                    .ok_or_else(|| error("InvalidParameterValue", "RedirectUrl 不合法。"))?,
            ),
        };
        let extra = string(params, "Extra")?;
        if extra.is_some_and(|extra| extra.chars().count() > 1_000) {
            return Err(error("InvalidParameterValue", "Extra 长度超过1000。"));
        }
        let now = state.config.clock.now();
        Ok(Flow {
            rule_id: rule_id.to_owned(),
            id_card: id_card.map(str::to_owned),
            name: name.map(str::to_owned),
            redirect_url,
            extra: extra.map(str::to_owned),
            created_at: now,
            expires_at: now + TOKEN_TTL,
            outcome: None,
        })
    };
    let flow = match read() {
        Ok(flow) => flow,
        Err(refusal) => return refusal,
    };
    let biz_token = {
        let mut rng = rand::thread_rng();
        format!(
            "{:08X}-{:04X}-{:04X}-{:04X}-{:012X}",
            rng.gen::<u32>(),
            rng.gen::<u16>(),
            rng.gen::<u16>(),
            rng.gen::<u16>(),
            rng.gen::<u64>() & 0xffff_ffff_ffff
        )
    };
    let now = flow.created_at;
    {
        let mut flows = state.flows();
        crate::insert_bounded(
            &mut flows,
            (RETENTION, MAX_FLOWS),
            now,
            |entry| entry.created_at,
            biz_token.clone(),
            flow,
        );
    }
    let mut url = state
        .config
        .public_url(&format!("{}/auth", H5_PREFIX.trim_start_matches('/')));
    url.query_pairs_mut().append_pair("token", &biz_token);
    answer(json!({"Url": url.as_str(), "BizToken": biz_token}))
}

fn get_detect_info_enhanced(
    state: &TencentSim,
    params: &serde_json::Map<String, Value>,
) -> Response {
    let read = || -> Result<(String, String), Response> {
        let token = string(params, "BizToken")?
            .ok_or_else(|| error("MissingParameter", "缺少参数 BizToken。"))?;
        let rule_id = string(params, "RuleId")?
            .ok_or_else(|| error("MissingParameter", "缺少参数 RuleId。"))?;
        Ok((token.to_owned(), rule_id.to_owned()))
    };
    let (biz_token, rule_id) = match read() {
        Ok(read) => read,
        Err(refusal) => return refusal,
    };
    if rule_id != RULE_ID {
        return error(
            "InvalidParameterValue.RuleIdNotExist",
            "RuleId不存在，请到人脸核身控制台申请。",
        );
    }
    let now = state.config.clock.now();
    let Some(flow) = state.flows().get(&biz_token).cloned() else {
        return error("InvalidParameter", "非法BizToken。");
    };
    if flow.rule_id != rule_id {
        return error("InvalidParameter", "非法BizToken。");
    }
    let past_retention = now - flow.created_at >= RETENTION;
    let unfinished_and_past_ttl = flow.outcome.is_none() && now >= flow.expires_at;
    if past_retention || unfinished_and_past_ttl {
        return error("InvalidParameterValue.BizTokenExpired", "BizToken过期。");
    }
    let mut text = json!({
        "ErrCode": null, "ErrMsg": null, "IdCard": null, "Name": null,
        "OcrNation": null, "OcrAddress": null, "OcrBirth": null, "OcrAuthority": null,
        "OcrValidDate": null, "OcrName": null, "OcrIdCard": null, "OcrGender": null,
        "LiveStatus": null, "LiveMsg": null, "Comparestatus": null, "Comparemsg": null,
        "Sim": null, "Location": null, "Mobile": null, "Extra": null, "LivenessDetail": null,
    });
    if let Some((code, message)) = flow.outcome {
        text["ErrCode"] = json!(code);
        text["ErrMsg"] = json!(message);
        text["IdCard"] = json!(flow.id_card);
        text["Name"] = json!(flow.name);
        text["Extra"] = json!(flow.extra.clone().unwrap_or_default());
        text["CompareLibType"] = json!("权威库");
        text["LivenessMode"] = json!(1);
        match code {
            0 => {
                text["LiveStatus"] = json!(0);
                text["LiveMsg"] = json!("成功");
                text["Comparestatus"] = json!(0);
                text["Comparemsg"] = json!("成功");
                text["Sim"] = json!("89.37");
            }
            1000..=1999 => {
                text["LiveStatus"] = json!(code);
                text["LiveMsg"] = json!(message);
            }
            2000..=2999 => {
                text["LiveStatus"] = json!(0);
                text["LiveMsg"] = json!("成功");
                text["Comparestatus"] = json!(code);
                text["Comparemsg"] = json!(message);
                if matches!(code, 2011 | 2015 | 2016) {
                    text["Sim"] = json!("41.07");
                }
            }
            _ => {}
        }
    }
    answer(json!({
        "Text": text,
        "IdCardData": null,
        "BestFrame": null,
        "VideoData": null,
    }))
}

#[derive(Deserialize)]
struct PageQuery {
    token: Option<String>,
}

/// What the page says of a flow it cannot use: titles in Tencent's own words.
const UNUSABLE: page::Unusable = page::Unusable {
    used: ("tencent-used-title", "tencent-used"),
    expired: ("tencent-expired-title", "tencent-expired"),
    unknown: ("tencent-unknown-title", "tencent-unknown"),
};

page::one_time!(Flow);

fn usable(state: &TencentSim, page: &Page, token: &str) -> Result<Flow, Response> {
    let entry = state.flows().get(token).cloned();
    UNUSABLE.check(page, entry, state.config.clock.now())
}

async fn show_page(
    State(state): State<Shared>,
    page: Page,
    Query(query): Query<PageQuery>,
) -> Response {
    let token = query.token.unwrap_or_default();
    if let Err(response) = usable(&state, &page, &token) {
        return response;
    }
    let labels: Vec<(String, String)> = OUTCOMES
        .iter()
        .map(|(code, message)| (code.to_string(), format!("{code} {message}")))
        .collect();
    page.outcome_form("tencent-title", ("tencent-intro", &[]), &labels)
}

async fn submit_page(
    State(state): State<Shared>,
    page: Page,
    Query(query): Query<PageQuery>,
    Form(form): Form<page::OutcomeChoice>,
) -> Response {
    let token = query.token.unwrap_or_default();
    let chosen = form
        .outcome
        .as_deref()
        .and_then(|value| value.trim().parse::<i64>().ok())
        .and_then(|code| OUTCOMES.iter().find(|(known, _)| *known == code).copied());
    let Some(outcome) = chosen else {
        return page.unknown_outcome();
    };
    let flow = {
        let mut flows = state.flows();
        // Checked and spent under one lock: the handle is single use.
        UNUSABLE.finish(
            &page,
            flows.get_mut(&token),
            state.config.clock.now(),
            |flow| flow.outcome = Some(outcome),
        )
    };
    let flow = match flow {
        Ok(flow) => flow,
        Err(response) => return response,
    };
    match flow.redirect_url {
        Some(mut url) => {
            url.query_pairs_mut().append_pair("token", &token);
            Redirect::to(url.as_str()).into_response()
        }
        None => {
            let title = page.text("tencent-finished-title");
            let body = format!(
                "<h1>{}</h1><p class=\"note\">{}</p>",
                page::escape(&title),
                page::escape(&page.text("tencent-finished"))
            );
            page.render(StatusCode::OK, &title, &body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_headers_are_parsed_strictly() {
        let auth = parse_authorization("TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=abc").unwrap();
        assert_eq!(auth.secret_id, "AKID");
        assert_eq!(auth.date, "2019-02-25");
        assert_eq!(auth.service, "cvm");
        assert_eq!(auth.signed_headers, ["content-type", "host"]);
        assert_eq!(auth.signature, "abc");
        assert!(parse_authorization("HMAC Credential=a/b/c/tc3_request").is_none());
        assert!(parse_authorization(
            "TC3-HMAC-SHA256 Credential=a/b/c/other, SignedHeaders=host, Signature=x"
        )
        .is_none());
    }

    #[test]
    fn the_documents_example_verifies_and_a_changed_body_does_not() {
        // The document's example, re-signed with the simulator's key (the example's own key is
        // not the simulator's): the same canonical form must verify.
        let payload = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let date = OffsetDateTime::from_unix_timestamp(now).unwrap().date();
        let date = format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        );
        let canonical = format!(
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:faceid.tencentcloudapi.com\n\ncontent-type;host\n{}",
            hex::encode(Sha256::digest(payload))
        );
        let to_sign = format!(
            "TC3-HMAC-SHA256\n{now}\n{date}/faceid/tc3_request\n{}",
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        let key = hmac_sha256(format!("TC3{SECRET_KEY}").as_bytes(), date.as_bytes());
        let key = hmac_sha256(&key, b"faceid");
        let key = hmac_sha256(&key, b"tc3_request");
        let signature = hex::encode(hmac_sha256(&key, to_sign.as_bytes()));
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            "application/json; charset=utf-8".parse().unwrap(),
        );
        headers.insert("host", "faceid.tencentcloudapi.com".parse().unwrap());
        headers.insert("x-tc-timestamp", now.to_string().parse().unwrap());
        headers.insert(
            "authorization",
            format!("TC3-HMAC-SHA256 Credential={SECRET_ID}/{date}/faceid/tc3_request, SignedHeaders=content-type;host, Signature={signature}")
                .parse()
                .unwrap(),
        );
        assert!(verify(&headers, payload).is_ok());
        assert!(verify(&headers, b"{}").is_err());
    }

    #[test]
    fn each_action_gets_the_documented_rate() {
        let sim = TencentSim {
            config: SandboxConfig::new(Url::parse("http://127.0.0.1:9/").unwrap()),
            flows: Mutex::new(HashMap::new()),
            rate: Mutex::new(HashMap::new()),
        };
        for _ in 0..REQUESTS_PER_SECOND {
            assert!(sim.within_rate("DetectAuth", 7));
        }
        assert!(
            !sim.within_rate("DetectAuth", 7),
            "the 101st call in one second"
        );
        assert!(
            sim.within_rate("GetDetectInfoEnhanced", 7),
            "counted per action"
        );
        assert!(sim.within_rate("DetectAuth", 8), "a new second");
    }

    #[test]
    fn every_outcome_is_listed_once() {
        let mut codes: Vec<i64> = OUTCOMES.iter().map(|(code, _)| *code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), OUTCOMES.len());
        assert_eq!(OUTCOMES[0], (0, "成功"));
    }
}
