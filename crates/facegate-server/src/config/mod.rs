//! Settings: defaults < `facegate.toml` < `FACEGATE_*` environment variables.
//!
//! The keys are the users' contract (README's configuration table, pinned by
//! `tests/settings_keys.rs`): every key is flat, and its variable is `FACEGATE_` and the key in
//! capitals (`api_keys = ["..."]` in the file, `FACEGATE_API_KEYS=...` in the environment). In
//! code the settings come in groups. Each group reads its own keys from the same flat ones, its
//! fields renamed to them (`refresh_interval_ms` is `polling.refresh_interval`, a `Duration`),
//! and declares its defaults once, in its `Default`. The vendors' groups are in [`vendors`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

pub mod vendors;

pub use vendors::{SandboxBases, VendorSettings};

/// Everything `facegate serve` is told, by group.
#[derive(Clone)]
pub struct Settings {
    pub server: ServerSettings,
    pub access: AccessSettings,
    pub store: StoreSettings,
    pub pii: PiiSettings,
    pub polling: PollingSettings,
    pub limits: LimitSettings,
    pub webhooks: WebhookSettings,
    pub retention: RetentionSettings,
    pub alerts: AlertSettings,
    pub resilience: ResilienceSettings,
    pub vendors: VendorSettings,
}

/// The HTTP server, and what it serves besides the API.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    /// Where the HTTP server listens.
    pub addr: SocketAddr,
    /// The base URL vendors and browsers use to reach this server (return and notify URLs).
    /// Default `http://ADDR`.
    pub public_url: Option<Url>,
    /// Origins a merchant's return_url may point to, comma-separated in the environment.
    #[serde(deserialize_with = "comma_list")]
    pub return_url_allowlist: Vec<String>,
    /// Development mode: loopback return URLs allowed, the demo on, a generated API key.
    /// Default: on exactly when no API key is configured ([`Settings::is_dev`]).
    pub dev: Option<bool>,
    /// The demo's merchant endpoint and pages; default: on in development.
    pub demo: Option<bool>,
    /// The built demo (Trunk's `dist/`), served at `/` when the demo is on.
    pub demo_dir: PathBuf,
    /// The largest request body accepted, in bytes (a 10 MB reference image in base64 fits).
    pub max_body_bytes: usize,
    /// `text` or `json`.
    pub log_format: LogFormat,
    /// The IANA time zone the admin page shows times in (`Asia/Shanghai` by default); each
    /// time also carries its UTC value.
    #[serde(deserialize_with = "time_zone")]
    pub admin_time_zone: AdminTimeZone,
}

/// An IANA time zone, known to the bundled zone database, with the name it was given by.
#[derive(Clone, Debug)]
pub struct AdminTimeZone {
    /// As configured: `Asia/Shanghai`.
    pub name: String,
    pub zone: jiff::tz::TimeZone,
}

impl Default for AdminTimeZone {
    fn default() -> Self {
        let name = "Asia/Shanghai";
        // Bundled with the binary (jiff's tzdb-bundle-always): the lookup cannot fail.
        let zone = jiff::tz::TimeZone::get(name).unwrap_or(jiff::tz::TimeZone::UTC);
        Self {
            name: name.to_owned(),
            zone,
        }
    }
}

/// `admin_time_zone`: an IANA name (`Asia/Shanghai`, `UTC`, `Asia/Hong_Kong`).
fn time_zone<'de, D: Deserializer<'de>>(deserializer: D) -> Result<AdminTimeZone, D::Error> {
    let name = String::deserialize(deserializer)?;
    let name = name.trim().to_owned();
    match jiff::tz::TimeZone::get(&name) {
        Ok(zone) => Ok(AdminTimeZone { name, zone }),
        Err(_) => Err(serde::de::Error::custom(format!(
            "admin_time_zone: {name:?} is not an IANA time zone (e.g. Asia/Shanghai)"
        ))),
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            return_url_allowlist: Vec::new(),
            dev: None,
            demo: None,
            demo_dir: PathBuf::from("dist"),
            max_body_bytes: 15 * 1024 * 1024,
            log_format: LogFormat::Text,
            admin_time_zone: AdminTimeZone::default(),
        }
    }
}

/// The keys callers present: the merchants', the metrics scraper's, the admin's.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct AccessSettings {
    /// Merchant API keys, 16+ characters each, comma-separated in the environment.
    #[serde(deserialize_with = "secret_list")]
    pub api_keys: Vec<SecretString>,
    /// When set, `/metrics` answers only `Authorization: Bearer <metrics_key>` (16+
    /// characters); unset, it is open, for a scraper on a private network.
    pub metrics_key: Option<SecretString>,
    /// The admin page's key (`/admin`, `/admin/api`); unset: the admin surface is off (404).
    pub admin_key: Option<SecretString>,
}

/// Where facegate keeps its data.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct StoreSettings {
    /// Where the SQLite database, the development key and generated keys live.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; default a SQLite file in the data directory.
    pub database_url: Option<SecretString>,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("facegate-data"),
            database_url: None,
        }
    }
}

impl StoreSettings {
    /// The database URL, or the SQLite file `DATA_DIR/facegate.db` when none is set.
    pub fn database_url_or_default(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose_secret().to_owned(),
            None => format!("sqlite://{}", self.data_dir.join("facegate.db").display()),
        }
    }
}

/// The keys that encrypt names and ID numbers at rest.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct PiiSettings {
    /// `pii_key`: 32 bytes, standard base64. Development generates one into the data directory.
    #[serde(rename = "pii_key")]
    pub key: Option<SecretString>,
    /// `pii_previous_keys`: earlier keys, still used to decrypt, comma-separated.
    #[serde(rename = "pii_previous_keys", deserialize_with = "secret_list")]
    pub previous_keys: Vec<SecretString>,
}

/// How often facegate asks vendors about open sessions.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct PollingSettings {
    /// `refresh_interval_ms`: a read refreshes a non-final session from its vendor at most
    /// this often.
    #[serde(rename = "refresh_interval_ms", deserialize_with = "millis")]
    pub refresh_interval: Duration,
    /// `reconcile_interval_ms`: how often the reconciler looks for sessions to confirm or
    /// expire.
    #[serde(rename = "reconcile_interval_ms", deserialize_with = "millis")]
    pub reconcile_interval: Duration,
    /// `reconcile_stale_after_ms`: a session nobody asked its vendor about for this long is
    /// the reconciler's to ask.
    #[serde(rename = "reconcile_stale_after_ms", deserialize_with = "millis")]
    pub reconcile_stale_after: Duration,
}

impl Default for PollingSettings {
    fn default() -> Self {
        Self {
            refresh_interval: Duration::from_secs(2),
            reconcile_interval: Duration::from_secs(5),
            reconcile_stale_after: Duration::from_secs(60),
        }
    }
}

/// Limits on session creation, each of which can cost money at the vendor (`limits.rs`).
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct LimitSettings {
    /// Session creations per minute per API key (0: no limit).
    pub create_per_minute_per_key: u32,
    /// Session creations per minute per client address (0: no limit).
    pub create_per_minute_per_ip: u32,
    /// Sessions per merchant reference per 24 hours (0: no cap).
    pub reference_daily_cap: u32,
    /// Sessions per person (by subject digest) per 24 hours (0: no cap).
    pub subject_daily_cap: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            create_per_minute_per_key: 600,
            create_per_minute_per_ip: 120,
            reference_daily_cap: 20,
            subject_daily_cap: 0,
        }
    }
}

/// The merchant's signed webhooks (`workers/webhooks.rs`).
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct WebhookSettings {
    /// `webhook_url`: where facegate POSTs signed webhook events (`verification.verified`,
    /// ...); unset: none are sent.
    #[serde(rename = "webhook_url")]
    pub url: Option<Url>,
    /// `webhook_secret`: the HMAC-SHA256 key of the `Facegate-Signature` header; required
    /// with a webhook URL.
    #[serde(rename = "webhook_secret")]
    pub secret: Option<SecretString>,
    /// `webhook_max_attempts`: delivery attempts per event before facegate gives up on it.
    #[serde(rename = "webhook_max_attempts")]
    pub max_attempts: u32,
    /// `webhook_interval_ms`: how often the delivery worker looks for due events.
    #[serde(rename = "webhook_interval_ms", deserialize_with = "millis")]
    pub interval: Duration,
    /// `webhook_lease_ms`: how long a replica holds an event it is delivering; when a replica
    /// dies, another delivers its events after this. Keep it above the delivery timeout
    /// (10 s).
    #[serde(rename = "webhook_lease_ms", deserialize_with = "millis")]
    pub lease: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            url: None,
            secret: None,
            max_attempts: 16,
            interval: Duration::from_secs(1),
            lease: Duration::from_secs(60),
        }
    }
}

/// How long personal data and vendor images are kept (`workers/retention.rs`).
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct RetentionSettings {
    /// Days vendor images are kept, encrypted (0, the default: none are kept).
    pub media_retention_days: u32,
    /// Days after creation a final session's personal data is redacted (0: never by the job;
    /// `POST /v1/verifications/{id}/redact` still does it).
    pub retention_days: u32,
    /// `retention_interval_ms`: how often the retention job runs.
    #[serde(rename = "retention_interval_ms", deserialize_with = "millis")]
    pub interval: Duration,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            media_retention_days: 0,
            retention_days: 30,
            interval: Duration::from_secs(60 * 60),
        }
    }
}

/// Alert rules, evaluated per provider by `workers/alerts.rs`; a rule whose count is 0 is off.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct AlertSettings {
    /// `alert_webhook_url`: where alert events are POSTed (JSON); unset: alerts show on the
    /// admin page only.
    #[serde(rename = "alert_webhook_url")]
    pub webhook_url: Option<Url>,
    /// `alert_webhook_secret`: signs alert POSTs like the merchant webhooks
    /// (`Facegate-Signature`), when set.
    #[serde(rename = "alert_webhook_secret")]
    pub webhook_secret: Option<SecretString>,
    /// `alert_interval_ms`: how often the rules are evaluated.
    #[serde(rename = "alert_interval_ms", deserialize_with = "millis")]
    pub interval: Duration,
    /// `alert_failure_rate_threshold`: fires when failed / (verified + failed) over the window
    /// is above this (0 to 1).
    #[serde(rename = "alert_failure_rate_threshold")]
    pub failure_rate_threshold: f64,
    /// `alert_failure_rate_window_seconds`: the failure rate's window, in whole seconds.
    #[serde(
        rename = "alert_failure_rate_window_seconds",
        deserialize_with = "seconds"
    )]
    pub failure_rate_window: Duration,
    /// `alert_failure_rate_min_count`: verified + failed sessions the window must hold before
    /// the rate counts (0: rule off).
    #[serde(rename = "alert_failure_rate_min_count")]
    pub failure_rate_min_count: u32,
    /// `alert_liveness_failures`: fires when this many `liveness_failed` results land within
    /// the window (0: rule off).
    #[serde(rename = "alert_liveness_failures")]
    pub liveness_failures: u32,
    /// `alert_liveness_window_seconds`: that window, in whole seconds.
    #[serde(rename = "alert_liveness_window_seconds", deserialize_with = "seconds")]
    pub liveness_window: Duration,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            webhook_url: None,
            webhook_secret: None,
            interval: Duration::from_secs(30),
            failure_rate_threshold: 0.5,
            failure_rate_window: Duration::from_secs(15 * 60),
            failure_rate_min_count: 20,
            liveness_failures: 10,
            liveness_window: Duration::from_secs(10 * 60),
        }
    }
}

/// Vendor timeouts, retries and circuit breakers (`providers/resilience.rs`).
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct ResilienceSettings {
    /// `vendor_timeout_ms`: whole-request timeout of a vendor call.
    #[serde(rename = "vendor_timeout_ms", deserialize_with = "millis")]
    pub timeout: Duration,
    /// `vendor_retries`: retries of a failed vendor query or token fetch (creates are never
    /// retried).
    #[serde(rename = "vendor_retries")]
    pub retries: u32,
    /// `vendor_retry_min_delay_ms`: the first wait before a retry; doubled each time, with
    /// jitter, up to 2 s.
    #[serde(rename = "vendor_retry_min_delay_ms", deserialize_with = "millis")]
    pub retry_min_delay: Duration,
    /// `vendor_max_retry_after_ms`: the longest Retry-After a query waits for before giving up
    /// until the next pass.
    #[serde(rename = "vendor_max_retry_after_ms", deserialize_with = "millis")]
    pub max_retry_after: Duration,
    /// `vendor_breaker_failures`: consecutive failures that open a vendor's circuit breaker
    /// (0: no breaker).
    #[serde(rename = "vendor_breaker_failures")]
    pub breaker_failures: u32,
    /// `vendor_breaker_open_ms`: how long an open breaker refuses calls before it lets one
    /// probe through.
    #[serde(rename = "vendor_breaker_open_ms", deserialize_with = "millis")]
    pub breaker_open: Duration,
}

impl Default for ResilienceSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            retries: 2,
            retry_min_delay: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(5),
            breaker_failures: 5,
            breaker_open: Duration::from_secs(30),
        }
    }
}

impl ResilienceSettings {
    /// The vendor HTTP client's timeouts: the whole request (at least 1 ms), and connecting
    /// (at most 3 s of it).
    pub fn timeouts(&self) -> facegate_vendors::http::Timeouts {
        let request = self.timeout.max(Duration::from_millis(1));
        facegate_vendors::http::Timeouts {
            connect: request.min(Duration::from_secs(3)),
            request,
        }
    }

    /// The retries of vendor queries and token fetches.
    pub fn retry_policy(&self) -> facegate_vendors::retry::RetryPolicy {
        facegate_vendors::retry::RetryPolicy {
            max_retries: self.retries as usize,
            min_delay: self.retry_min_delay,
            max_delay: Duration::from_secs(2),
            max_retry_after: self.max_retry_after,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Why the settings could not be read.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Settings {
    /// Reads `config_file` (if it exists), then `FACEGATE_*` from the environment.
    pub fn load(config_file: &Path) -> Result<Self, ConfigError> {
        Self::from_figment(Figment::from(Toml::file(config_file)).merge(Env::prefixed("FACEGATE_")))
    }

    /// Defaults overlaid with the given key/value pairs only (tests build settings this way,
    /// with no file and no environment).
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, ConfigError> {
        let mut figment = Figment::new();
        for (key, value) in pairs {
            let value: figment::value::Value = value
                .parse()
                .unwrap_or_else(|_| figment::value::Value::from(value.to_owned()));
            figment = figment.merge(Serialized::default(key, value));
        }
        Self::from_figment(figment)
    }

    /// Every group, read from the same flat keys; then the checks across keys.
    fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let settings = Self {
            server: group(&figment)?,
            access: group(&figment)?,
            store: group(&figment)?,
            pii: group(&figment)?,
            polling: group(&figment)?,
            limits: group(&figment)?,
            webhooks: group(&figment)?,
            retention: group(&figment)?,
            alerts: group(&figment)?,
            resilience: group(&figment)?,
            vendors: VendorSettings::from_figment(&figment)?,
        };
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.server.public_url {
            if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                return Err(ConfigError("public_url must be an http(s) URL".into()));
            }
        }
        if self
            .access
            .api_keys
            .iter()
            .any(|key| key.expose_secret().len() < 16)
        {
            return Err(ConfigError(
                "every API key must be at least 16 characters".into(),
            ));
        }
        if let Some(url) = &self.webhooks.url {
            if !matches!(url.scheme(), "http" | "https") {
                return Err(ConfigError("webhook_url must be an http(s) URL".into()));
            }
            if self.webhooks.secret.is_none() {
                return Err(ConfigError(
                    "webhook_url needs webhook_secret (FACEGATE_WEBHOOK_SECRET)".into(),
                ));
            }
        }
        if let Some(key) = &self.access.metrics_key {
            if key.expose_secret().len() < 16 {
                return Err(ConfigError(
                    "metrics_key must be at least 16 characters".into(),
                ));
            }
        }
        if self.webhooks.max_attempts == 0 {
            return Err(ConfigError(
                "webhook_max_attempts must be at least 1".into(),
            ));
        }
        let retention = &self.retention;
        if retention.retention_days > 36_500 || retention.media_retention_days > 36_500 {
            return Err(ConfigError(
                "retention_days and media_retention_days must be at most 36500".into(),
            ));
        }
        self.check_admin()?;
        // e-sign documents no result query: its notify is oemcloud's verdict, so an unsigned
        // one must never count. Without the secret the provider cannot check a signature.
        let vendors = &self.vendors;
        if vendors.oemcloud.appcode.is_some()
            && vendors.oemcloud.callback_secret.is_none()
            && !vendors.sandbox.simulate_vendors
        {
            return Err(ConfigError(
                "FACEGATE_OEMCLOUD_APPCODE is set without FACEGATE_OEMCLOUD_CALLBACK_SECRET: \
                 oemcloud's only verdict is e-sign's notify, and facegate accepts it only when \
                 its signature checks out with that secret (e-sign's app secret); set it, or \
                 unset the APPCODE to turn oemcloud off"
                    .into(),
            ));
        }
        // Tencent: a SecretId and SecretKey without the RuleId (or the reverse) would leave
        // the provider silently off.
        let tencent = vendors.tencent_faceid.credentials();
        if !vendors.sandbox.simulate_vendors
            && tencent.iter().any(|(_, set)| *set)
            && !tencent.iter().all(|(_, set)| *set)
        {
            let missing: Vec<&str> = tencent
                .iter()
                .filter(|(_, set)| !set)
                .map(|(name, _)| *name)
                .collect();
            return Err(ConfigError(format!(
                "tencent_faceid is configured in part: set {} too, or unset \
                 FACEGATE_TENCENT_SECRET_ID, FACEGATE_TENCENT_SECRET_KEY and \
                 FACEGATE_TENCENT_RULE_ID to turn it off",
                missing.join(", ")
            )));
        }
        if self.webhooks.lease < Duration::from_millis(100) {
            return Err(ConfigError("webhook_lease_ms must be at least 100".into()));
        }
        let ttl = vendors.sandbox.ttl;
        if ttl.is_zero() || ttl > Duration::from_secs(86_400) {
            return Err(ConfigError("sandbox_ttl_seconds must be 1 to 86400".into()));
        }
        Ok(())
    }

    fn check_admin(&self) -> Result<(), ConfigError> {
        if let Some(key) = &self.access.admin_key {
            if key.expose_secret().trim().len() < 16 {
                return Err(ConfigError(
                    "admin_key must be at least 16 characters".into(),
                ));
            }
        }
        let alerts = &self.alerts;
        if let Some(url) = &alerts.webhook_url {
            if !matches!(url.scheme(), "http" | "https") {
                return Err(ConfigError(
                    "alert_webhook_url must be an http(s) URL".into(),
                ));
            }
        }
        if !(0.0..=1.0).contains(&alerts.failure_rate_threshold) {
            return Err(ConfigError(
                "alert_failure_rate_threshold must be between 0 and 1".into(),
            ));
        }
        if alerts.failure_rate_window.is_zero() || alerts.liveness_window.is_zero() {
            return Err(ConfigError(
                "alert windows must be at least 1 second".into(),
            ));
        }
        Ok(())
    }

    pub fn is_dev(&self) -> bool {
        self.server.dev.unwrap_or(self.access.api_keys.is_empty())
    }

    pub fn demo_enabled(&self) -> bool {
        self.server.demo.unwrap_or_else(|| self.is_dev())
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let vendors = &self.vendors;
        f.debug_struct("Settings")
            .field("addr", &self.server.addr)
            .field(
                "public_url",
                &self.server.public_url.as_ref().map(Url::as_str),
            )
            .field("data_dir", &self.store.data_dir)
            .field(
                "database_url",
                &self.store.database_url.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "api_keys",
                &format_args!("[{} redacted]", self.access.api_keys.len()),
            )
            .field("return_url_allowlist", &self.server.return_url_allowlist)
            .field("dev", &self.is_dev())
            .field("sandbox", &vendors.sandbox.enabled)
            .field("demo", &self.demo_enabled())
            .field("sandbox_vendors", &vendors.sandbox.simulate_vendors)
            .field("baidu", &vendors.baidu_h5.api_key.is_some())
            .field("faceid", &vendors.faceid_lite.appcode.is_some())
            .field("wechat", &vendors.wechat_mini.appid.is_some())
            .field("oemcloud", &vendors.oemcloud.appcode.is_some())
            .field("tencent", &vendors.tencent_faceid.secret_id.is_some())
            .field("admin", &self.access.admin_key.is_some())
            .field("alert_webhook", &self.alerts.webhook_url.is_some())
            .finish_non_exhaustive()
    }
}

/// Reads one group from the flat keys: the keys it names, each at its default when unset;
/// the other groups' keys are not its business. Errors name the key at fault.
fn group<T: DeserializeOwned>(figment: &Figment) -> Result<T, ConfigError> {
    figment.extract().map_err(describe)
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

/// A `*_ms` key: whole milliseconds.
fn millis<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    u64::deserialize(deserializer).map(Duration::from_millis)
}

/// A `*_seconds` key: whole seconds, at most `u32::MAX`.
fn seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    u32::deserialize(deserializer).map(|seconds| Duration::from_secs(seconds.into()))
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

    fn exposed(secrets: &[SecretString]) -> Vec<&str> {
        secrets.iter().map(ExposeSecret::expose_secret).collect()
    }

    #[test]
    fn the_admin_time_zone_is_shanghai_unless_set_and_an_unknown_one_is_refused_by_name() {
        let settings = Settings::from_pairs([]).unwrap();
        assert_eq!(settings.server.admin_time_zone.name, "Asia/Shanghai");
        let offset = settings
            .server
            .admin_time_zone
            .zone
            .to_offset(jiff::Timestamp::UNIX_EPOCH);
        assert_eq!(offset.seconds(), 8 * 3600);
        let set = Settings::from_pairs([("admin_time_zone", "Europe/Berlin")]).unwrap();
        assert_eq!(set.server.admin_time_zone.name, "Europe/Berlin");
        let Err(error) = Settings::from_pairs([("admin_time_zone", "Mars/Olympus")]) else {
            panic!("an unknown zone is refused");
        };
        let error = error.to_string();
        assert!(
            error.contains("admin_time_zone") && error.contains("Mars/Olympus"),
            "{error}"
        );
    }

    #[test]
    fn defaults_run_the_embedded_sandbox_in_development() {
        let settings = Settings::from_pairs([]).unwrap();
        assert_eq!(settings.server.addr.to_string(), "127.0.0.1:8080");
        assert!(settings.vendors.sandbox.enabled && settings.is_dev() && settings.demo_enabled());
        assert!(settings
            .store
            .database_url_or_default()
            .ends_with("facegate-data/facegate.db"));
        assert_eq!(
            settings.vendors.baidu_h5.aip_base.as_str(),
            "https://aip.baidubce.com/"
        );
        assert!(settings.vendors.wechat_mini.appid.is_none());
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
        assert_eq!(settings.access.api_keys.len(), 2);
        assert_eq!(settings.server.return_url_allowlist[1], "https://b.example");
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
            assert_eq!(settings.server.addr.port(), 9000);
            assert!(!settings.vendors.sandbox.enabled);
            assert_eq!(
                exposed(&settings.access.api_keys),
                ["abcdefghijklmnopqrstuvwxyz"]
            );
            let vendors = &settings.vendors;
            assert_eq!(vendors.baidu_h5.api_key.as_deref(), Some("baidu-key"));
            assert_eq!(vendors.baidu_h5.plan_id.as_deref(), Some("12345"));
            assert_eq!(
                vendors.faceid_lite.api_base.as_str(),
                "http://127.0.0.1:9/faceid"
            );
            Ok(())
        });
    }

    #[test]
    fn a_numeric_plan_id_reads_as_text_and_errors_name_the_key() {
        let settings = Settings::from_pairs([("baidu_plan_id", "12345")]).unwrap();
        assert_eq!(settings.vendors.baidu_h5.plan_id.as_deref(), Some("12345"));
        let error = Settings::from_pairs([("addr", "nowhere")]).unwrap_err();
        assert!(error.to_string().contains("addr"), "{error}");
        assert!(!error.to_string().contains("nowhere"), "{error}");
    }

    #[test]
    fn an_error_in_any_group_names_its_key_and_variable() {
        for key in [
            "refresh_interval_ms",
            "webhook_lease_ms",
            "alert_interval_ms",
            "alert_liveness_window_seconds",
            "vendor_timeout_ms",
            "sandbox_ttl_seconds",
            "create_per_minute_per_ip",
        ] {
            let error = Settings::from_pairs([(key, "soon")])
                .unwrap_err()
                .to_string();
            let named = format!("{key} (FACEGATE_{})", key.to_uppercase());
            assert!(error.contains(&named), "{error}");
            assert!(!error.contains("soon"), "{error}");
        }
    }

    #[test]
    fn durations_read_in_the_units_their_keys_name() {
        let settings = Settings::from_pairs([
            ("refresh_interval_ms", "1500"),
            ("alert_failure_rate_window_seconds", "90"),
            ("sandbox_ttl_seconds", "60"),
        ])
        .unwrap();
        assert_eq!(
            settings.polling.refresh_interval,
            Duration::from_millis(1500)
        );
        assert_eq!(settings.alerts.failure_rate_window, Duration::from_secs(90));
        assert_eq!(settings.vendors.sandbox.ttl, Duration::from_secs(60));
        assert!(Settings::from_pairs([("sandbox_ttl_seconds", "0")]).is_err());
        assert!(Settings::from_pairs([("webhook_lease_ms", "99")]).is_err());
    }

    #[test]
    fn short_keys_and_bad_urls_are_refused() {
        assert!(Settings::from_pairs([("api_keys", "short")]).is_err());
        assert!(Settings::from_pairs([("public_url", "ftp://x")]).is_err());
    }

    #[test]
    fn retention_defaults_keep_no_media_and_redact_after_30_days() {
        let settings = Settings::from_pairs([]).unwrap();
        assert_eq!(settings.retention.media_retention_days, 0);
        assert_eq!(settings.retention.retention_days, 30);
        assert_eq!(settings.limits.subject_daily_cap, 0);
        assert!(Settings::from_pairs([("retention_days", "100000")]).is_err());
        assert!(Settings::from_pairs([("media_retention_days", "36501")]).is_err());
    }
}
