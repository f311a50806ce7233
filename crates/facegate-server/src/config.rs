//! Settings: defaults < `facegate.toml` < `FACEGATE_*` environment variables.
//!
//! The environment names are a contract (README): `FACEGATE_ADDR`, `FACEGATE_PUBLIC_URL`,
//! `FACEGATE_DATABASE_URL`, `FACEGATE_DATA_DIR`, `FACEGATE_API_KEYS`,
//! `FACEGATE_RETURN_URL_ALLOWLIST`, `FACEGATE_SANDBOX`, and the rest below. Every key of the
//! file is the variable's name without the prefix, in lower case (`api_keys = ["..."]`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use secrecy::SecretString;
use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

/// Everything `facegate serve` is told.
#[derive(Clone, Deserialize)]
pub struct Settings {
    /// Where the HTTP server listens.
    pub addr: SocketAddr,
    /// The base URL vendors and browsers use to reach this server (return and notify URLs).
    /// Default `http://ADDR`.
    pub public_url: Option<Url>,
    /// Where the SQLite database, the development key and generated keys live.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; default a SQLite file in the data directory.
    pub database_url: Option<SecretString>,
    /// Merchant API keys, comma-separated in the environment.
    #[serde(deserialize_with = "comma_list")]
    pub api_keys: Vec<String>,
    /// Origins a merchant's return_url may point to, comma-separated in the environment.
    #[serde(deserialize_with = "comma_list")]
    pub return_url_allowlist: Vec<String>,
    /// Development mode: loopback return URLs allowed, the demo on, a generated API key.
    /// Default: on exactly when no API key is configured.
    pub dev: Option<bool>,
    /// The sandbox provider (facegate's embedded vendor simulator at `/sandbox/`).
    pub sandbox: bool,
    /// Where facegate calls the sandbox's API; default this server's own `/sandbox/`.
    pub sandbox_api_base: Option<Url>,
    /// The key the sandbox API expects.
    pub sandbox_api_key: String,
    /// The sandbox token lifetime in seconds (the vendors' own are 1 to 2 hours).
    pub sandbox_ttl_seconds: u32,
    /// The demo's merchant endpoint and pages; default: on in development.
    pub demo: Option<bool>,
    /// The built demo (Trunk's `dist/`), served at `/` when the demo is on.
    pub demo_dir: PathBuf,
    /// The largest request body accepted, in bytes (a 10 MB reference image in base64 fits).
    pub max_body_bytes: usize,
    /// A read refreshes a non-final session from its vendor at most this often.
    pub refresh_interval_ms: u64,
    /// How often the reconciler looks for sessions to confirm or expire.
    pub reconcile_interval_ms: u64,
    /// A session nobody asked its vendor about for this long is the reconciler's to ask.
    pub reconcile_stale_after_ms: u64,
    /// `text` or `json`.
    pub log_format: LogFormat,
    /// The key that encrypts names and ID numbers at rest: 32 bytes, standard base64.
    /// Development generates one into the data directory.
    pub pii_key: Option<SecretString>,
    /// Where facegate POSTs signed webhook events (`verification.verified`, ...).
    pub webhook_url: Option<Url>,
    /// The HMAC-SHA256 key of the `Facegate-Signature` header; required with a webhook URL.
    pub webhook_secret: Option<SecretString>,
    /// Delivery attempts per event before facegate gives up on it.
    pub webhook_max_attempts: u32,
    /// How often the delivery worker looks for due events.
    pub webhook_interval_ms: u64,
    /// How long a replica holds an event it is delivering; when a replica dies, another
    /// delivers its events after this. Keep it above the delivery timeout (10 s).
    pub webhook_lease_ms: u64,
    /// Points every vendor's base URLs at the embedded sandbox and uses the sandbox's
    /// credentials: the whole vendor surface with no vendor account (`serve --sandbox-vendors`).
    pub sandbox_vendors: bool,
    #[serde(flatten)]
    pub vendors: VendorSettings,
    /// Session creations per minute per API key (0: no limit).
    pub create_per_minute_per_key: u32,
    /// Session creations per minute per client address (0: no limit).
    pub create_per_minute_per_ip: u32,
    /// Sessions per merchant reference per 24 hours (0: no cap).
    pub reference_daily_cap: u32,
    /// When set, `/metrics` answers only `Authorization: Bearer <metrics_key>` (16+
    /// characters); unset, it is open, for a scraper on a private network.
    pub metrics_key: Option<SecretString>,
    /// Earlier PII keys, still used to decrypt, comma-separated.
    #[serde(deserialize_with = "secret_list")]
    pub pii_previous_keys: Vec<SecretString>,
    /// Sessions per person (by subject digest) per 24 hours (0: no cap).
    pub subject_daily_cap: u32,
    /// Days vendor images are kept, encrypted (0, the default: none are kept).
    pub media_retention_days: u32,
    /// Days after creation a final session's personal data is redacted (0: never by the job;
    /// `POST /v1/verifications/{id}/redact` still does it).
    pub retention_days: u32,
    /// How often the retention job runs.
    pub retention_interval_ms: u64,
    /// Vendor timeouts, retries, circuit breakers (see providers/resilience.rs).
    #[serde(flatten)]
    pub resilience: crate::providers::resilience::ResilienceSettings,
    /// The admin page's key (`/admin`, `/admin/api`); unset: the admin surface is off (404).
    pub admin_key: Option<SecretString>,
    #[serde(flatten)]
    pub alerts: AlertSettings,
}

/// Alert rules, evaluated per provider by `workers/alerts.rs`; a rule whose count is 0 is off.
#[derive(Clone, Deserialize)]
pub struct AlertSettings {
    /// Where alert events are POSTed (JSON); unset: alerts show on the admin page only.
    pub alert_webhook_url: Option<Url>,
    /// Signs alert POSTs like the merchant webhooks (`Facegate-Signature`), when set.
    pub alert_webhook_secret: Option<SecretString>,
    /// How often the rules are evaluated.
    pub alert_interval_ms: u64,
    /// Fires when failed / (verified + failed) over the window is above this (0 to 1).
    pub alert_failure_rate_threshold: f64,
    pub alert_failure_rate_window_seconds: u32,
    /// Verified + failed sessions the window must hold before the rate counts (0: rule off).
    pub alert_failure_rate_min_count: u32,
    /// Fires when this many `liveness_failed` results land within the window (0: rule off).
    pub alert_liveness_failures: u32,
    pub alert_liveness_window_seconds: u32,
}

/// Vendor credentials and base URLs. A vendor whose credentials are missing is off.
#[derive(Clone, Deserialize)]
pub struct VendorSettings {
    #[serde(default, deserialize_with = "lenient_string")]
    pub baidu_api_key: Option<String>,
    pub baidu_secret_key: Option<SecretString>,
    /// Baidu's plan ids are numbers: `FACEGATE_BAIDU_PLAN_ID=12345` reads as one.
    #[serde(default, deserialize_with = "lenient_string")]
    pub baidu_plan_id: Option<String>,
    pub baidu_aip_base: Url,
    pub baidu_h5_base: Url,
    pub baidu_openapi_base: Url,
    pub faceid_appcode: Option<SecretString>,
    pub faceid_api_base: Url,
    pub faceid_h5_base: Url,
    pub wechat_appid: Option<String>,
    pub wechat_appsecret: Option<SecretString>,
    /// The message-push token (Token in the mini-program's push settings).
    pub wechat_push_token: Option<SecretString>,
    pub wechat_api_base: Url,
    pub oemcloud_appcode: Option<SecretString>,
    pub oemcloud_api_base: Url,
    /// e-sign's callback signing secret (its app secret, VENDORS.md): required with
    /// `oemcloud_appcode`, as the signed notify is oemcloud's only verdict.
    pub oemcloud_callback_secret: Option<SecretString>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Serialize)]
struct Defaults {
    addr: &'static str,
    data_dir: &'static str,
    api_keys: Vec<String>,
    return_url_allowlist: Vec<String>,
    sandbox: bool,
    sandbox_api_key: &'static str,
    sandbox_ttl_seconds: u32,
    demo_dir: &'static str,
    max_body_bytes: usize,
    refresh_interval_ms: u64,
    reconcile_interval_ms: u64,
    reconcile_stale_after_ms: u64,
    log_format: LogFormat,
    pii_previous_keys: Vec<String>,
    webhook_max_attempts: u32,
    webhook_interval_ms: u64,
    webhook_lease_ms: u64,
    sandbox_vendors: bool,
    create_per_minute_per_key: u32,
    create_per_minute_per_ip: u32,
    reference_daily_cap: u32,
    subject_daily_cap: u32,
    media_retention_days: u32,
    retention_days: u32,
    retention_interval_ms: u64,
    baidu_aip_base: &'static str,
    baidu_h5_base: &'static str,
    baidu_openapi_base: &'static str,
    faceid_api_base: &'static str,
    faceid_h5_base: &'static str,
    wechat_api_base: &'static str,
    oemcloud_api_base: &'static str,
    alert_interval_ms: u64,
    alert_failure_rate_threshold: f64,
    alert_failure_rate_window_seconds: u32,
    alert_failure_rate_min_count: u32,
    alert_liveness_failures: u32,
    alert_liveness_window_seconds: u32,
}

impl Default for Defaults {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:8080",
            data_dir: "facegate-data",
            api_keys: Vec::new(),
            return_url_allowlist: Vec::new(),
            sandbox: true,
            sandbox_api_key: "sandbox",
            sandbox_ttl_seconds: 7200,
            demo_dir: "dist",
            max_body_bytes: 15 * 1024 * 1024,
            refresh_interval_ms: 2000,
            reconcile_interval_ms: 5000,
            reconcile_stale_after_ms: 60_000,
            log_format: LogFormat::Text,
            pii_previous_keys: Vec::new(),
            webhook_max_attempts: 16,
            webhook_interval_ms: 1000,
            webhook_lease_ms: 60_000,
            sandbox_vendors: false,
            create_per_minute_per_key: 600,
            create_per_minute_per_ip: 120,
            reference_daily_cap: 20,
            subject_daily_cap: 0,
            media_retention_days: 0,
            retention_days: 30,
            retention_interval_ms: 3_600_000,
            baidu_aip_base: "https://aip.baidubce.com",
            baidu_h5_base: "https://brain.baidu.com",
            baidu_openapi_base: "https://openapi.baidu.com",
            faceid_api_base: "https://fidlite.market.alicloudapi.com",
            faceid_h5_base: "https://openapi.faceid.com",
            wechat_api_base: "https://api.weixin.qq.com",
            oemcloud_api_base: "https://auth.csapi.com.cn",
            alert_interval_ms: 30_000,
            alert_failure_rate_threshold: 0.5,
            alert_failure_rate_window_seconds: 900,
            alert_failure_rate_min_count: 20,
            alert_liveness_failures: 10,
            alert_liveness_window_seconds: 600,
        }
    }
}

/// Why the settings could not be read.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Settings {
    /// Reads `config_file` (if it exists), then `FACEGATE_*` from the environment.
    pub fn load(config_file: &Path) -> Result<Self, ConfigError> {
        Self::from_figment(
            Figment::from(Serialized::defaults(Defaults::default()))
                .merge(Toml::file(config_file))
                .merge(Env::prefixed("FACEGATE_")),
        )
    }

    /// Defaults overlaid with the given key/value pairs only (tests build settings this way,
    /// with no file and no environment).
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Defaults::default()));
        for (key, value) in pairs {
            let value: figment::value::Value = value
                .parse()
                .unwrap_or_else(|_| figment::value::Value::from(value.to_owned()));
            figment = figment.merge(Serialized::default(key, value));
        }
        Self::from_figment(figment)
    }

    fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let settings: Settings = figment.extract().map_err(describe)?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.public_url {
            if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                return Err(ConfigError("public_url must be an http(s) URL".into()));
            }
        }
        if self.api_keys.iter().any(|key| key.len() < 16) {
            return Err(ConfigError(
                "every API key must be at least 16 characters".into(),
            ));
        }
        if let Some(url) = &self.webhook_url {
            if !matches!(url.scheme(), "http" | "https") {
                return Err(ConfigError("webhook_url must be an http(s) URL".into()));
            }
            if self.webhook_secret.is_none() {
                return Err(ConfigError(
                    "webhook_url needs webhook_secret (FACEGATE_WEBHOOK_SECRET)".into(),
                ));
            }
        }
        if let Some(key) = &self.metrics_key {
            use secrecy::ExposeSecret;
            if key.expose_secret().len() < 16 {
                return Err(ConfigError(
                    "metrics_key must be at least 16 characters".into(),
                ));
            }
        }
        if self.webhook_max_attempts == 0 {
            return Err(ConfigError(
                "webhook_max_attempts must be at least 1".into(),
            ));
        }
        if self.retention_days > 36_500 || self.media_retention_days > 36_500 {
            return Err(ConfigError(
                "retention_days and media_retention_days must be at most 36500".into(),
            ));
        }
        self.check_admin()?;
        // e-sign documents no result query: its notify is oemcloud's verdict, so an unsigned
        // one must never count. Without the secret the provider cannot check a signature.
        if self.vendors.oemcloud_appcode.is_some()
            && self.vendors.oemcloud_callback_secret.is_none()
            && !self.sandbox_vendors
        {
            return Err(ConfigError(
                "FACEGATE_OEMCLOUD_APPCODE is set without FACEGATE_OEMCLOUD_CALLBACK_SECRET: \
                 oemcloud's only verdict is e-sign's notify, and facegate accepts it only when \
                 its signature checks out with that secret (e-sign's app secret); set it, or \
                 unset the APPCODE to turn oemcloud off"
                    .into(),
            ));
        }
        if self.webhook_lease_ms < 100 {
            return Err(ConfigError("webhook_lease_ms must be at least 100".into()));
        }
        if self.sandbox_ttl_seconds == 0 || self.sandbox_ttl_seconds > 86_400 {
            return Err(ConfigError("sandbox_ttl_seconds must be 1 to 86400".into()));
        }
        Ok(())
    }

    fn check_admin(&self) -> Result<(), ConfigError> {
        use secrecy::ExposeSecret;
        if let Some(key) = &self.admin_key {
            if key.expose_secret().trim().len() < 16 {
                return Err(ConfigError(
                    "admin_key must be at least 16 characters".into(),
                ));
            }
        }
        let alerts = &self.alerts;
        if let Some(url) = &alerts.alert_webhook_url {
            if !matches!(url.scheme(), "http" | "https") {
                return Err(ConfigError(
                    "alert_webhook_url must be an http(s) URL".into(),
                ));
            }
        }
        if !(0.0..=1.0).contains(&alerts.alert_failure_rate_threshold) {
            return Err(ConfigError(
                "alert_failure_rate_threshold must be between 0 and 1".into(),
            ));
        }
        if alerts.alert_failure_rate_window_seconds == 0
            || alerts.alert_liveness_window_seconds == 0
        {
            return Err(ConfigError(
                "alert windows must be at least 1 second".into(),
            ));
        }
        Ok(())
    }

    pub fn is_dev(&self) -> bool {
        self.dev.unwrap_or(self.api_keys.is_empty())
    }

    pub fn demo_enabled(&self) -> bool {
        self.demo.unwrap_or_else(|| self.is_dev())
    }

    /// The SQLite file used when no database URL is set.
    pub fn database_url_or_default(&self) -> String {
        use secrecy::ExposeSecret;
        match &self.database_url {
            Some(url) => url.expose_secret().to_owned(),
            None => format!("sqlite://{}", self.data_dir.join("facegate.db").display()),
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("addr", &self.addr)
            .field("public_url", &self.public_url.as_ref().map(Url::as_str))
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "api_keys",
                &format_args!("[{} redacted]", self.api_keys.len()),
            )
            .field("return_url_allowlist", &self.return_url_allowlist)
            .field("dev", &self.is_dev())
            .field("sandbox", &self.sandbox)
            .field("demo", &self.demo_enabled())
            .field("sandbox_vendors", &self.sandbox_vendors)
            .field("baidu", &self.vendors.baidu_api_key.is_some())
            .field("faceid", &self.vendors.faceid_appcode.is_some())
            .field("wechat", &self.vendors.wechat_appid.is_some())
            .field("oemcloud", &self.vendors.oemcloud_appcode.is_some())
            .field("admin", &self.admin_key.is_some())
            .field("alert_webhook", &self.alerts.alert_webhook_url.is_some())
            .finish_non_exhaustive()
    }
}

/// Names the key at fault (`addr (FACEGATE_ADDR)`) and what was expected, without echoing the
/// value, which may be a secret.
fn describe(errors: figment::Error) -> ConfigError {
    use figment::error::Kind;
    let described: Vec<String> = errors
        .into_iter()
        .map(|error| {
            let what = match &error.kind {
                Kind::InvalidType(_, expected) | Kind::InvalidValue(_, expected) => {
                    format!("invalid value, expected {expected}")
                }
                other => other.to_string(),
            };
            if error.path.is_empty() {
                return what;
            }
            // The file's key and its variable (the contract: FACEGATE_ + the key in capitals).
            let key = error.path.join(".");
            format!("{key} (FACEGATE_{}): {what}", key.to_uppercase())
        })
        .collect();
    ConfigError(described.join("; "))
}

/// A string setting that also accepts a number (the environment provider reads `123` as one).
fn lenient_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Form {
        Text(String),
        Unsigned(u64),
        Signed(i64),
    }
    Ok(
        Option::<Form>::deserialize(deserializer)?.map(|form| match form {
            Form::Text(text) => text,
            Form::Unsigned(number) => number.to_string(),
            Form::Signed(number) => number.to_string(),
        }),
    )
}

/// Accepts `"a, b"` (the environment's form) or `["a", "b"]` (the file's).
fn comma_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Form {
        One(String),
        Many(Vec<String>),
    }
    let items = match Form::deserialize(deserializer)? {
        Form::One(text) => text.split(',').map(str::to_owned).collect(),
        Form::Many(items) => items,
    };
    Ok(items
        .into_iter()
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect())
}

fn secret_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<SecretString>, D::Error> {
    Ok(comma_list(deserializer)?
        .into_iter()
        .map(SecretString::from)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_run_the_embedded_sandbox_in_development() {
        let settings = Settings::from_pairs([]).unwrap();
        assert_eq!(settings.addr.to_string(), "127.0.0.1:8080");
        assert!(settings.sandbox && settings.is_dev() && settings.demo_enabled());
        assert!(settings
            .database_url_or_default()
            .ends_with("facegate-data/facegate.db"));
        assert_eq!(
            settings.vendors.baidu_aip_base.as_str(),
            "https://aip.baidubce.com/"
        );
        assert!(settings.vendors.wechat_appid.is_none());
    }

    #[test]
    fn environment_style_lists_split_on_commas() {
        let settings = Settings::from_pairs([
            ("api_keys", "key-aaaaaaaaaaaaaaaa, key-bbbbbbbbbbbbbbbb"),
            (
                "return_url_allowlist",
                "https://a.example,https://b.example",
            ),
        ])
        .unwrap();
        assert_eq!(settings.api_keys.len(), 2);
        assert_eq!(settings.return_url_allowlist[1], "https://b.example");
        assert!(!settings.is_dev());
        let debug = format!("{settings:?}");
        assert!(!debug.contains("key-aaaa"), "{debug}");
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail's own error type
    fn the_environment_overrides_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("facegate.toml", "addr = \"127.0.0.1:9000\"\nsandbox = true")?;
            jail.set_env("FACEGATE_SANDBOX", "false");
            jail.set_env("FACEGATE_API_KEYS", "abcdefghijklmnopqrstuvwxyz");
            jail.set_env("FACEGATE_BAIDU_API_KEY", "baidu-key");
            jail.set_env("FACEGATE_BAIDU_PLAN_ID", "12345");
            jail.set_env("FACEGATE_FACEID_API_BASE", "http://127.0.0.1:9/faceid");
            let settings = Settings::load(Path::new("facegate.toml")).unwrap();
            assert_eq!(settings.addr.port(), 9000);
            assert!(!settings.sandbox);
            assert_eq!(settings.api_keys, ["abcdefghijklmnopqrstuvwxyz"]);
            assert_eq!(settings.vendors.baidu_api_key.as_deref(), Some("baidu-key"));
            assert_eq!(settings.vendors.baidu_plan_id.as_deref(), Some("12345"));
            assert_eq!(
                settings.vendors.faceid_api_base.as_str(),
                "http://127.0.0.1:9/faceid"
            );
            Ok(())
        });
    }

    #[test]
    fn a_numeric_plan_id_reads_as_text_and_errors_name_the_key() {
        let settings = Settings::from_pairs([("baidu_plan_id", "12345")]).unwrap();
        assert_eq!(settings.vendors.baidu_plan_id.as_deref(), Some("12345"));
        let error = Settings::from_pairs([("addr", "nowhere")]).unwrap_err();
        assert!(error.to_string().contains("addr"), "{error}");
        assert!(!error.to_string().contains("nowhere"), "{error}");
    }

    #[test]
    fn short_keys_and_bad_urls_are_refused() {
        assert!(Settings::from_pairs([("api_keys", "short")]).is_err());
        assert!(Settings::from_pairs([("public_url", "ftp://x")]).is_err());
    }

    #[test]
    fn retention_defaults_keep_no_media_and_redact_after_30_days() {
        let settings = Settings::from_pairs([]).unwrap();
        assert_eq!(settings.media_retention_days, 0);
        assert_eq!(settings.retention_days, 30);
        assert_eq!(settings.subject_daily_cap, 0);
        assert!(Settings::from_pairs([("retention_days", "100000")]).is_err());
        assert!(Settings::from_pairs([("media_retention_days", "36501")]).is_err());
    }
}
