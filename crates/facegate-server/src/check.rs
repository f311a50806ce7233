//! `facegate check`: the configuration parses and holds together, and every configured
//! vendor accepts its credentials. Each vendor is asked the cheapest authenticated question
//! it has: an access token where it issues them (Baidu, WeChat's stable_token, which does not
//! invalidate the token other replicas hold), otherwise a call it refuses for a reason other
//! than the credentials (FaceID: get_result of an unknown biz_token; OEMCloud: a face auth
//! without a name, refused as 30500101 before anything is billed).

use std::fmt;

use facegate_vendors::aliyun_cloudauth::AliyunCloudauthClient;
use facegate_vendors::baidu_h5::BaiduH5Client;
use facegate_vendors::faceid_lite::FaceidLiteClient;
use facegate_vendors::oemcloud::OemcloudClient;
use facegate_vendors::tencent_faceid::TencentFaceidClient;
use facegate_vendors::wechat_mini::WechatMiniClient;
use facegate_vendors::wechat_verify::{QueryVerifyInfoRequest, WechatVerifyClient};
use facegate_vendors::VendorError;

use crate::config::Settings;
use crate::providers::registry::{ClientContext, VendorClients};

/// What one vendor's check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The vendor accepted the credentials; what proved it.
    Ok(String),
    /// The credentials are incomplete, refused, or the vendor could not be reached.
    Failed(String),
    /// No credentials are set: the provider is off.
    NotConfigured,
}

/// One line of the report.
#[derive(Clone, Debug)]
pub struct VendorReport {
    pub vendor: &'static str,
    pub outcome: Outcome,
}

/// The whole report.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub vendors: Vec<VendorReport>,
}

impl Report {
    pub fn failed(&self) -> bool {
        self.vendors
            .iter()
            .any(|line| matches!(line.outcome, Outcome::Failed(_)))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.vendors {
            let (word, detail) = match &line.outcome {
                Outcome::Ok(detail) => ("ok", detail.as_str()),
                Outcome::Failed(detail) => ("FAILED", detail.as_str()),
                Outcome::NotConfigured => ("not configured", ""),
            };
            let line = format!("{:<12} {:<15} {}", line.vendor, word, detail);
            writeln!(f, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

/// The checks that need no network: what `Application::build` would refuse.
pub fn check_settings(settings: &Settings) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
    match &settings.pii.key {
        Some(key) => {
            crate::pii::PiiCipher::new(key, &settings.pii.previous_keys)
                .map_err(|error| format!("pii_key: {error}"))?;
            notes.push("pii_key: a valid 32-byte key".to_owned());
        }
        None if settings.is_dev() => {
            notes.push("pii_key: not set; development generates one in the data directory".into())
        }
        None => {
            return Err(
                "pii_key: required outside development (FACEGATE_PII_KEY, 32 bytes, base64)".into(),
            )
        }
    }
    if settings.access.api_keys.is_empty() && !settings.is_dev() {
        return Err("api_keys: none is configured (FACEGATE_API_KEYS)".into());
    }
    crate::domain::ReturnUrlPolicy::new(&settings.server.return_url_allowlist, settings.is_dev())
        .map_err(|error| format!("return_url_allowlist: {error}"))?;
    let database = settings.store.database_url_or_default();
    if !(database.starts_with("sqlite:")
        || database.starts_with("postgres://")
        || database.starts_with("postgresql://"))
    {
        return Err("database_url: use sqlite:// or postgres://".into());
    }
    notes.push(format!(
        "database: {}",
        database.split(':').next().unwrap_or_default()
    ));
    Ok(notes)
}

/// Asks every configured vendor, through the registry's clients (tokens kept in memory).
pub async fn check_vendors(settings: &Settings) -> Result<Report, VendorError> {
    let http = facegate_vendors::http::client(Default::default())?;
    let vendors = &settings.vendors;
    let mut report = Report::default();
    if vendors.sandbox.simulate_vendors {
        for vendor in [
            "baidu_h5",
            "faceid_lite",
            "wechat_mini",
            "oemcloud",
            "tencent_faceid",
            "wechat_verify",
            "aliyun_cloudauth",
        ] {
            report.vendors.push(VendorReport {
                vendor,
                outcome: Outcome::Ok(
                    "simulated by the embedded sandbox (sandbox_vendors): nothing to check".into(),
                ),
            });
        }
        return Ok(report);
    }
    let context = ClientContext {
        http: &http,
        tokens: None,
    };
    let clients = VendorClients::build(vendors, &context);
    let lines = [
        (
            "baidu_h5",
            probe_if_configured(
                &vendors.baidu_h5.credentials(),
                clients.baidu_h5.as_ref(),
                baidu_h5,
            )
            .await,
        ),
        (
            "faceid_lite",
            probe_if_configured(
                &vendors.faceid_lite.credentials(),
                clients.faceid_lite.as_ref(),
                faceid_lite,
            )
            .await,
        ),
        (
            "wechat_mini",
            probe_if_configured(
                &vendors.wechat_mini.credentials(),
                clients.wechat_mini.as_ref(),
                wechat_mini,
            )
            .await,
        ),
        (
            "oemcloud",
            probe_if_configured(
                &vendors.oemcloud.credentials(),
                clients.oemcloud.as_ref(),
                oemcloud,
            )
            .await,
        ),
        (
            "tencent_faceid",
            probe_if_configured(
                &vendors.tencent_faceid.credentials(),
                clients.tencent_faceid.as_ref(),
                |client| tencent_faceid(client, vendors.tencent_faceid.rule_id()),
            )
            .await,
        ),
        (
            "wechat_verify",
            probe_if_configured(
                &vendors.wechat_mini.credentials(),
                clients.wechat_verify.as_ref(),
                wechat_verify,
            )
            .await,
        ),
        (
            "aliyun_cloudauth",
            probe_if_configured(
                &vendors.aliyun_cloudauth.credentials(),
                clients.aliyun_cloudauth.as_ref(),
                aliyun_cloudauth,
            )
            .await,
        ),
    ];
    for (vendor, outcome) in lines {
        report.vendors.push(VendorReport { vendor, outcome });
    }
    let sandbox = &vendors.sandbox;
    report.vendors.push(VendorReport {
        vendor: "sandbox",
        outcome: if !sandbox.enabled {
            Outcome::NotConfigured
        } else {
            Outcome::Ok(match &sandbox.api_base {
                Some(base) => format!("simulator at {base} (no real person is checked)"),
                None => "the embedded simulator (no real person is checked)".into(),
            })
        },
    });
    Ok(report)
}

/// A vendor's probe when its client is configured; otherwise "not configured", or a failure
/// naming what is missing when only some of its `credentials` (variable, set) are set.
async fn probe_if_configured<'a, C, F>(
    credentials: &[(&'static str, bool)],
    client: Option<&'a C>,
    probe: impl FnOnce(&'a C) -> F,
) -> Outcome
where
    F: std::future::Future<Output = Outcome>,
{
    if let Some(outcome) = incomplete(credentials) {
        return outcome;
    }
    match client {
        Some(client) => probe(client).await,
        None => Outcome::NotConfigured,
    }
}

/// Names the missing settings of a vendor whose credentials are set only in part.
fn incomplete(missing: &[(&str, bool)]) -> Option<Outcome> {
    let absent: Vec<&str> = missing
        .iter()
        .filter(|(_, present)| !present)
        .map(|(name, _)| *name)
        .collect();
    match absent.len() {
        0 => None,
        n if n == missing.len() => Some(Outcome::NotConfigured),
        _ => Some(Outcome::Failed(format!(
            "incomplete: set {}",
            absent.join(", ")
        ))),
    }
}

async fn baidu_h5(client: &BaiduH5Client) -> Outcome {
    match client.fetch_access_token().await {
        Ok(token) => Outcome::Ok(format!(
            "access token issued ({})",
            valid_for(token.expires_at)
        )),
        Err(error) => Outcome::Failed(error.to_string()),
    }
}

async fn wechat_mini(client: &WechatMiniClient) -> Outcome {
    // force_refresh false: the token other replicas hold stays valid.
    match client.stable_token(false).await {
        Ok(answer) => Outcome::Ok(format!(
            "stable access token issued (expires in {} s)",
            answer.expires_in
        )),
        Err(error) => Outcome::Failed(error.to_string()),
    }
}

async fn wechat_verify(client: &WechatVerifyClient) -> Outcome {
    // A verify_id WeChat never issued: refused for that, past the access token and the API's
    // permission (48001 would fail here); nothing is started or billed.
    let request = QueryVerifyInfoRequest {
        verify_id: "facegate-check".into(),
        out_seq_no: "facegate-check".into(),
        cert_hash: "0".repeat(64),
        openid: "facegate-check".into(),
    };
    probe(
        client.query_verify_info(&request).await.map(|_| ()),
        "AppSecret (face verification 2.0)",
    )
}

async fn faceid_lite(client: &FaceidLiteClient) -> Outcome {
    probe(
        client.get_result("facegate-check").await.map(|_| ()),
        "APPCODE",
    )
}

/// DescribeFaceVerify of a CertifyId that cannot exist: signed like every call, free, starts
/// nothing. The gateway refuses a bad AccessKey or signature first; a SceneId the account does
/// not have is Cloudauth's 404; anything else past them proves the credentials.
async fn aliyun_cloudauth(client: &AliyunCloudauthClient) -> Outcome {
    match client.probe().await {
        Err(VendorError::InvalidRequest { code, message, .. }) if code == "404" => Outcome::Failed(
            format!("the SceneId is not the account's ({code}): {message}"),
        ),
        answer => probe(answer, "AccessKey"),
    }
}

async fn oemcloud(client: &OemcloudClient) -> Outcome {
    use facegate_vendors::oemcloud::{FaceAuthRequest, FaceauthMode};
    use facegate_vendors::wire::Pii;

    // No name: refused as a parameter error, so nothing is started or billed.
    let request = FaceAuthRequest {
        name: Pii::new(""),
        id_no: Pii::new(""),
        faceauth_mode: FaceauthMode::Tencent,
        callback_url: String::new(),
        context_id: None,
        notify_url: None,
        repetition: None,
    };
    probe(
        client.start_face_auth(&request).await.map(|_| ()),
        "APPCODE",
    )
}

/// A signed GetDetectInfoEnhanced for a BizToken that names no flow: Tencent checks the
/// signature first, so `AuthFailure.*` means the SecretId / SecretKey are wrong, and its
/// `InvalidParameter` ("非法BizToken") means they are right. It reads nothing and bills nothing.
async fn tencent_faceid(client: &TencentFaceidClient, rule_id: Option<String>) -> Outcome {
    let rule_id = rule_id.unwrap_or_default();
    probe(
        client
            .get_detect_info_enhanced("facegate-check", &rule_id)
            .await
            .map(|_| ()),
        "SecretId / SecretKey",
    )
}

/// A probe that the vendor refuses for anything but the credentials proves them.
fn probe(answer: Result<(), VendorError>, credential: &str) -> Outcome {
    match answer {
        Ok(()) => Outcome::Ok(format!("{credential} accepted")),
        Err(
            error @ (VendorError::Unauthorized { .. }
            | VendorError::Unavailable(_)
            | VendorError::Decode(_)
            | VendorError::RateLimited { .. }),
        ) => Outcome::Failed(error.to_string()),
        Err(refusal) => Outcome::Ok(format!(
            "{credential} accepted (the probe was refused as intended: {refusal})"
        )),
    }
}

fn valid_for(expires_at: std::time::SystemTime) -> String {
    match expires_at.duration_since(std::time::SystemTime::now()) {
        Ok(left) => format!("valid {} h", left.as_secs() / 3600),
        Err(_) => "already expired".into(),
    }
}
