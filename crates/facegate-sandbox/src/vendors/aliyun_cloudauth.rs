//! Alibaba Cloud ID Verification (金融级实人认证, Cloudauth 2019-03-07, H5) simulated.
//!
//! - `POST {API_PREFIX}/`: the RPC endpoint. `x-acs-action` names the call (`InitFaceVerify`,
//!   `DescribeFaceVerify`, `DeleteFaceVerifyResult`); parameters come from the query and the
//!   form body. Every call's V3 signature (ACS3-HMAC-SHA256) is checked here, independently of
//!   facegate's client, and refused in the gateway's own shape, HTTP 4xx
//!   `{RequestId, HostId, Code, Message, Recommend}`: 400 `IncompleteSignature`,
//!   `SignatureDoesNotMatch`, `InvalidTimeStamp.Expired` (more than 15 minutes off),
//!   `SignatureNonceUsed`, `InvalidVersion`; 404 `InvalidAccessKeyId.NotFound`;
//!   400 `MissingParameter` / `InvalidAction.NotFound`.
//! - Product errors come with HTTP 200 and the documented `Code` table: 401 参数非法 (a bad
//!   CertNo, OuterOrderNo, MetaInfo, URL or an unknown CertifyId), 404 认证场景配置不存在
//!   (another SceneId).
//! - `InitFaceVerify` answers a CertifyId (32 hex) and a CertifyUrl to the page below, valid
//!   [`CERTIFY_TTL`] and single use.
//! - `DescribeFaceVerify`: `Code` 200 without `Passed` until the user finishes; then `Passed`,
//!   `SubCode`, `DeviceToken`, `DeviceRisk` and `MaterialInfo` (with `verifyScore`).
//! - `DeleteFaceVerifyResult`: forgets the certification (`DeleteResult` `Y`), `N` with a
//!   `FailReason` for an unknown one; a deleted certification is unknown afterwards.
//! - `GET {H5_PREFIX}/jsvm_all.js`: a stand-in of Alibaba's page script, whose `getMetaInfo()`
//!   answers a sandbox MetaInfo (for pages that cannot load Alibaba's own).
//! - `GET {H5_PREFIX}/certify/{certify_id}`: the page where the sandbox user picks any documented
//!   SubCode (with or without device risk tags). Submitting 303s to `ReturnUrl` (adding
//!   `certifyId`) and calls `CallbackUrl` once by GET with `certifyId`, `passed`, `subcode`
//!   and `callbackToken`, best effort. A user who never submits is never called back.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use hmac::{Hmac, Mac};
use rand::Rng;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use url::Url;

use crate::page::{self, Page};
use crate::{http_url, valid_id_number, SandboxConfig};

/// Mount point of the API (`{base}/` is the RPC endpoint).
pub const API_PREFIX: &str = "/aliyun/cloudauth";
/// Mount point of the user's page (`{base}/certify/{certify_id}`).
pub const H5_PREFIX: &str = "/aliyun/h5";
/// The AccessKey ID the simulator accepts.
pub const ACCESS_KEY_ID: &str = "sandbox-aliyun-access-key-id";
/// Its AccessKey secret.
pub const ACCESS_KEY_SECRET: &str = "sandbox-aliyun-access-key-secret";
/// The scene the simulator knows.
pub const SCENE_ID: u64 = 1_000_000_006;
/// The only API version.
pub const VERSION: &str = "2019-03-07";
/// CertifyUrl lifetime: 30 minutes.
pub const CERTIFY_TTL: Duration = Duration::from_secs(30 * 60);
/// Results stay queryable a month.
pub const RETENTION: Duration = Duration::from_secs(31 * 24 * 60 * 60);
/// At most this many certifications are kept; the oldest go first.
pub const MAX_CERTIFICATIONS: usize = 10_000;
/// `x-acs-date` may be this far from the wall clock.
const MAX_SKEW: time::Duration = time::Duration::minutes(15);

/// Every documented SubCode a user can end with: `(Passed, SubCode, 描述)`.
pub const OUTCOMES: &[(&str, &str, &str)] = &[
    ("T", "200", "认证通过"),
    ("F", "201", "姓名和身份证不一致"),
    ("F", "202", "查询不到身份信息"),
    ("F", "203", "查询不到照片或照片不可用"),
    ("F", "204", "人脸比对不一致"),
    ("F", "205", "活体检测存在风险"),
    ("F", "206", "业务策略限制"),
    ("F", "207", "人脸与身份证人脸比对不一致"),
    ("F", "209", "权威比对源异常"),
];

/// The device risk tags the page offers with any outcome.
pub const DEVICE_RISK_EXAMPLE: &str = "ROOT,VPN,HOOK";

#[derive(Clone, Debug)]
struct Certification {
    return_url: Url,
    callback_url: Url,
    callback_token: Option<String>,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    /// `(Passed, SubCode, DeviceRisk)` once the user finished.
    outcome: Option<(&'static str, &'static str, Option<&'static str>)>,
}

#[derive(Debug)]
struct CloudauthSim {
    config: SandboxConfig,
    certifications: Mutex<HashMap<String, Certification>>,
    nonces: Mutex<HashSet<String>>,
    notifier: reqwest::Client,
}

type Shared = Arc<CloudauthSim>;

impl CloudauthSim {
    fn certifications(&self) -> std::sync::MutexGuard<'_, HashMap<String, Certification>> {
        crate::lock(&self.certifications)
    }
}

/// The Cloudauth API under [`API_PREFIX`] and its page under [`H5_PREFIX`].
pub fn router(config: &SandboxConfig) -> Router {
    let notifier = crate::notifier();
    let state = Arc::new(CloudauthSim {
        config: config.clone(),
        certifications: Mutex::new(HashMap::new()),
        nonces: Mutex::new(HashSet::new()),
        notifier,
    });
    let api = Router::new()
        .route("/", post(rpc))
        .with_state(state.clone());
    let h5 = Router::new()
        .route("/certify/{certify_id}", get(show_page).post(submit_page))
        .route("/jsvm_all.js", get(page_script))
        .with_state(state);
    Router::new().nest(API_PREFIX, api).nest(H5_PREFIX, h5)
}

fn request_id() -> String {
    let mut rng = rand::thread_rng();
    format!(
        "{:08X}-{:04X}-{:04X}-{:04X}-{:012X}",
        rng.gen::<u32>(),
        rng.gen::<u16>(),
        rng.gen::<u16>(),
        rng.gen::<u16>(),
        rng.gen::<u64>() & 0xffff_ffff_ffff
    )
}

/// The API gateway's error body.
fn gateway_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({
            "RequestId": request_id(),
            "HostId": "cloudauth.aliyuncs.com",
            "Code": code,
            "Message": message,
            "Recommend": format!("https://api.aliyun.com/troubleshoot?q={code}&product=Cloudauth"),
        })),
    )
        .into_response()
}

/// A product answer (HTTP 200) with `Code` and, on success, `ResultObject`.
fn product(code: &str, message: &str, result: Option<Value>) -> Response {
    let mut body = json!({"RequestId": request_id(), "Code": code, "Message": message});
    if let Some(result) = result {
        body["ResultObject"] = result;
    }
    Json(body).into_response()
}

fn invalid(message: &str) -> Response {
    product("401", &format!("参数非法: {message}"), None)
}

/// RFC 3986 encoding, as the V3 signature canonicalises.
fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The canonical query string of a raw query.
fn canonical_query(raw: &str) -> String {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes())
        .map(|(key, value)| (encode(&key), encode(&value)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Checks the request's V3 signature; the gateway's refusal otherwise.
fn check_signature(
    state: &CloudauthSim,
    headers: &HeaderMap,
    path: &str,
    query: &str,
    body: &[u8],
) -> Result<(), Response> {
    let incomplete = |what: &str| {
        Err(gateway_error(
            StatusCode::BAD_REQUEST,
            "IncompleteSignature",
            &format!("The request signature does not conform to Aliyun standards: {what}"),
        ))
    };
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let Some(authorization) = header("authorization") else {
        return incomplete("no Authorization header");
    };
    let Some(fields) = authorization.strip_prefix("ACS3-HMAC-SHA256 ") else {
        return incomplete("the algorithm must be ACS3-HMAC-SHA256");
    };
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in fields.split(',') {
        match part.trim().split_once('=') {
            Some(("Credential", value)) => credential = Some(value),
            Some(("SignedHeaders", value)) => signed_headers = Some(value),
            Some(("Signature", value)) => signature = Some(value),
            _ => {}
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return incomplete("Credential, SignedHeaders and Signature are required");
    };
    if credential != ACCESS_KEY_ID {
        return Err(gateway_error(
            StatusCode::NOT_FOUND,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ));
    }
    let names: Vec<&str> = signed_headers.split(';').collect();
    for required in [
        "host",
        "x-acs-action",
        "x-acs-content-sha256",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-version",
    ] {
        if !names.contains(&required) || header(required).is_none() {
            return incomplete(&format!("{required} must be sent and signed"));
        }
    }
    let payload_hash = hex::encode(Sha256::digest(body));
    if header("x-acs-content-sha256") != Some(payload_hash.as_str()) {
        return incomplete("x-acs-content-sha256 is not the body's SHA-256");
    }
    let mut canonical_headers = String::new();
    for name in &names {
        let Some(value) = header(name) else {
            return incomplete(&format!("the signed header {name} is missing"));
        };
        canonical_headers.push_str(&format!("{name}:{}\n", value.trim()));
    }
    let canonical_request = format!(
        "POST\n{path}\n{}\n{canonical_headers}\n{signed_headers}\n{payload_hash}",
        canonical_query(query)
    );
    let string_to_sign = format!(
        "ACS3-HMAC-SHA256\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(ACCESS_KEY_SECRET.as_bytes()) else {
        return incomplete("internal");
    };
    mac.update(string_to_sign.as_bytes());
    if mac
        .verify_slice(&hex::decode(signature).unwrap_or_default())
        .is_err()
    {
        return Err(gateway_error(
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            &format!(
                "Specified signature does not match our calculation. The string to sign is: {}",
                string_to_sign.replace('\n', "\\n")
            ),
        ));
    }
    let date = header("x-acs-date").unwrap_or("");
    let at = OffsetDateTime::parse(date, &time::format_description::well_known::Rfc3339);
    match at {
        Ok(at) if (OffsetDateTime::now_utc() - at).abs() <= MAX_SKEW => {}
        _ => {
            return Err(gateway_error(
                StatusCode::BAD_REQUEST,
                "InvalidTimeStamp.Expired",
                "Specified time stamp or date value is expired.",
            ))
        }
    }
    let nonce = header("x-acs-signature-nonce").unwrap_or("").to_owned();
    {
        let mut nonces = crate::lock(&state.nonces);
        if nonces.len() > 100_000 {
            nonces.clear();
        }
        if !nonces.insert(nonce) {
            return Err(gateway_error(
                StatusCode::BAD_REQUEST,
                "SignatureNonceUsed",
                "Specified signature nonce was used already.",
            ));
        }
    }
    if header("x-acs-version") != Some(VERSION) {
        return Err(gateway_error(
            StatusCode::BAD_REQUEST,
            "InvalidVersion",
            "Specified parameter Version is not valid.",
        ));
    }
    Ok(())
}

async fn rpc(
    State(state): State<Shared>,
    OriginalUri(uri): OriginalUri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = query.unwrap_or_default();
    if let Err(refusal) = check_signature(&state, &headers, uri.path(), &query, &body) {
        return refusal;
    }
    let mut parameters: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    parameters.extend(url::form_urlencoded::parse(&body).into_owned());
    let action = headers
        .get("x-acs-action")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    match action {
        "InitFaceVerify" => init_face_verify(&state, &parameters),
        "DescribeFaceVerify" => describe_face_verify(&state, &parameters),
        "DeleteFaceVerifyResult" => delete_face_verify_result(&state, &parameters),
        _ => gateway_error(
            StatusCode::BAD_REQUEST,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ),
    }
}

fn scene(parameters: &HashMap<String, String>) -> Result<(), Response> {
    match parameters
        .get("SceneId")
        .map(|value| value.trim().parse::<u64>())
    {
        None => Err(gateway_error(
            StatusCode::BAD_REQUEST,
            "MissingParameter",
            "SceneId is mandatory for this action.",
        )),
        Some(Ok(SCENE_ID)) => Ok(()),
        Some(_) => Err(product("404", "认证场景配置不存在", None)),
    }
}

fn init_face_verify(state: &CloudauthSim, parameters: &HashMap<String, String>) -> Response {
    if let Err(refusal) = scene(parameters) {
        return refusal;
    }
    let get = |key: &str| parameters.get(key).map(String::as_str).unwrap_or("");
    for key in ["OuterOrderNo", "ProductCode", "MetaInfo"] {
        if get(key).is_empty() {
            return gateway_error(
                StatusCode::BAD_REQUEST,
                &format!("MissingParameter.{key}"),
                &format!("{key} is mandatory for this action."),
            );
        }
    }
    let outer = get("OuterOrderNo");
    if outer.len() > 32 || !outer.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return invalid("OuterOrderNo");
    }
    if get("ProductCode") != "ID_PRO" {
        return invalid("ProductCode");
    }
    if get("CertType") != "IDENTITY_CARD" {
        return invalid("CertType");
    }
    if get("CertName").trim().is_empty() {
        return invalid("CertName");
    }
    if !valid_id_number(get("CertNo")) {
        return invalid("CertNo");
    }
    match serde_json::from_str::<Value>(get("MetaInfo")) {
        Ok(Value::Object(fields)) if !fields.is_empty() => {}
        _ => return invalid("MetaInfo"),
    }
    let Some(return_url) = http_url(get("ReturnUrl")) else {
        return invalid("ReturnUrl");
    };
    let Some(callback_url) = http_url(get("CallbackUrl")) else {
        return invalid("CallbackUrl");
    };
    let callback_token = Some(get("CallbackToken").to_owned()).filter(|t| !t.is_empty());
    let now = state.config.clock.now();
    let certify_id = format!("{:032x}", rand::thread_rng().gen::<u128>());
    {
        let mut certifications = state.certifications();
        crate::insert_bounded(
            &mut certifications,
            (RETENTION, MAX_CERTIFICATIONS),
            now,
            |entry| entry.created_at,
            certify_id.clone(),
            Certification {
                return_url,
                callback_url,
                callback_token,
                created_at: now,
                expires_at: now + CERTIFY_TTL,
                outcome: None,
            },
        );
    }
    let certify_url = state
        .config
        .public_url(&format!("{H5_PREFIX}/certify/{certify_id}"));
    product(
        "200",
        "success",
        Some(json!({"CertifyId": certify_id, "CertifyUrl": certify_url.as_str()})),
    )
}

fn describe_face_verify(state: &CloudauthSim, parameters: &HashMap<String, String>) -> Response {
    if let Err(refusal) = scene(parameters) {
        return refusal;
    }
    let Some(certify_id) = parameters.get("CertifyId").filter(|id| !id.is_empty()) else {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "MissingParameter.CertifyId",
            "CertifyId is mandatory for this action.",
        );
    };
    let Some(certification) = state.certifications().get(certify_id).cloned() else {
        return invalid("CertifyId");
    };
    let Some((passed, sub_code, risk)) = certification.outcome else {
        return product("200", "success", Some(json!({})));
    };
    let score = if passed == "T" { 92.31 } else { 37.5 };
    product(
        "200",
        "success",
        Some(json!({
            "Passed": passed,
            "SubCode": sub_code,
            "IdentityInfo": null,
            "DeviceToken": format!("McozS1ZWRcRZStlERcZZo_{}", &certify_id[..8]),
            "DeviceRisk": risk.unwrap_or(""),
            "MaterialInfo": json!({
                "faceAttack": if sub_code == "205" { "T" } else { "F" },
                "faceOcclusion": "F",
                "verifyScore": score,
            }).to_string(),
        })),
    )
}

fn delete_face_verify_result(
    state: &CloudauthSim,
    parameters: &HashMap<String, String>,
) -> Response {
    let Some(certify_id) = parameters.get("CertifyId").filter(|id| !id.is_empty()) else {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "MissingParameter.CertifyId",
            "CertifyId is mandatory for this action.",
        );
    };
    let removed = state.certifications().remove(certify_id).is_some();
    let result = if removed {
        json!({"DeleteResult": "Y"})
    } else {
        json!({"DeleteResult": "N", "FailReason": "认证记录不存在"})
    };
    product("200", "success", Some(result))
}

/// A stand-in of Alibaba's page script (`jsvm_all.js`) for pages that cannot load Alibaba's own
/// (no network, tests): it defines `getMetaInfo()`, answering a MetaInfo object shaped as the
/// documents' example, marked as the sandbox's.
pub const PAGE_SCRIPT: &str = r#"// facegate sandbox: a stand-in of Alibaba's jsvm_all.js (getMetaInfo only).
window.getMetaInfo = function () {
  return {
    apdidToken: "",
    appName: location.origin,
    appVersion: "sandbox",
    bioMetaInfo: "sandbox",
    deviceType: "h5",
    osVersion: navigator.userAgent.slice(0, 64),
    zimVer: "sandbox"
  };
};
"#;

async fn page_script() -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/javascript; charset=utf-8",
        )],
        PAGE_SCRIPT,
    )
        .into_response()
}

/// What the page says of a certification it cannot use: titles in Alibaba's own words.
const UNUSABLE: page::Unusable = page::Unusable {
    used: ("aliyun-used-title", "aliyun-used"),
    expired: ("aliyun-expired-title", "aliyun-expired"),
    unknown: ("aliyun-unknown-title", "aliyun-unknown"),
};

page::one_time!(Certification);

fn usable(state: &CloudauthSim, page: &Page, certify_id: &str) -> Result<Certification, Response> {
    let entry = state.certifications().get(certify_id).cloned();
    UNUSABLE.check(page, entry, state.config.clock.now())
}

/// The page's choices: every outcome, then every outcome with the example risk tags.
fn choices() -> Vec<(String, String)> {
    let mut choices = Vec::new();
    for risk in [None, Some(DEVICE_RISK_EXAMPLE)] {
        for (passed, code, text) in OUTCOMES {
            let value = match risk {
                None => format!("{passed}:{code}"),
                Some(risk) => format!("{passed}:{code}:{risk}"),
            };
            let label = match risk {
                None => format!("Passed {passed}, SubCode {code} {text}"),
                Some(risk) => format!("Passed {passed}, SubCode {code} {text}, DeviceRisk {risk}"),
            };
            choices.push((value, label));
        }
    }
    choices
}

async fn show_page(
    State(state): State<Shared>,
    page: Page,
    Path(certify_id): Path<String>,
) -> Response {
    if let Err(response) = usable(&state, &page, &certify_id) {
        return response;
    }
    page.outcome_form("aliyun-title", ("aliyun-intro", &[]), &choices())
}

async fn submit_page(
    State(state): State<Shared>,
    page: Page,
    Path(certify_id): Path<String>,
    Form(form): Form<page::OutcomeChoice>,
) -> Response {
    let chosen = form.outcome.as_deref().and_then(|value| {
        let mut parts = value.splitn(3, ':');
        let (passed, code) = (parts.next()?, parts.next()?);
        let risk = match parts.next() {
            None => None,
            Some(DEVICE_RISK_EXAMPLE) => Some(DEVICE_RISK_EXAMPLE),
            Some(_) => return None,
        };
        OUTCOMES
            .iter()
            .find(|(p, c, _)| *p == passed && *c == code)
            .map(|(p, c, _)| (*p, *c, risk))
    });
    let Some(outcome) = chosen else {
        return page.unknown_outcome();
    };
    let certification = {
        let mut certifications = state.certifications();
        // Checked and spent under one lock: the handle is single use.
        UNUSABLE.finish(
            &page,
            certifications.get_mut(&certify_id),
            state.config.clock.now(),
            |certification| certification.outcome = Some(outcome),
        )
    };
    let certification = match certification {
        Ok(certification) => certification,
        Err(response) => return response,
    };
    let mut callback = certification.callback_url.clone();
    {
        let mut pairs = callback.query_pairs_mut();
        pairs
            .append_pair("certifyId", &certify_id)
            .append_pair("passed", outcome.0)
            .append_pair("subcode", outcome.1);
        if let Some(token) = &certification.callback_token {
            pairs.append_pair("callbackToken", token);
        }
    }
    let client = state.notifier.clone();
    tokio::spawn(async move {
        let _ = client.get(callback).send().await;
    });
    let mut return_url = certification.return_url;
    return_url
        .query_pairs_mut()
        .append_pair("certifyId", &certify_id);
    Redirect::to(return_url.as_str()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_queries_sort_and_encode() {
        assert_eq!(canonical_query("b=2&a=x+y"), "a=x%20y&b=2");
        assert_eq!(encode("张~"), "%E5%BC%A0~");
    }

    #[test]
    fn every_outcome_is_offered_with_and_without_risk() {
        assert_eq!(choices().len(), OUTCOMES.len() * 2);
        assert!(valid_id_number("110101199003074514"));
        assert!(!valid_id_number("110101199003074515"));
    }
}
