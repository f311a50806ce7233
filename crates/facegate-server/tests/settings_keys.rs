//! The configuration keys are the users' contract: every key `facegate.toml` and the
//! `FACEGATE_*` variables take keeps its name, its default and its meaning. Each row names a
//! key, what it reads as by default, a value an operator might set and what that reads as;
//! the last column says where the value lands in `Settings`. Every `FACEGATE_*` setting the
//! README documents must have a row.

use std::fmt::Display;
use std::path::Path;

use facegate_server::Settings;
use secrecy::{ExposeSecret, SecretString};

/// One key: its name, its default as read, a value as an operator writes it, that value as
/// read, and the reader.
struct Key {
    name: &'static str,
    default: &'static str,
    set: &'static str,
    reads: &'static str,
    read: fn(&Settings) -> String,
}

const fn key(
    name: &'static str,
    default: &'static str,
    set: &'static str,
    reads: &'static str,
    read: fn(&Settings) -> String,
) -> Key {
    Key {
        name,
        default,
        set,
        reads,
        read,
    }
}

fn text(value: impl Display) -> String {
    value.to_string()
}

fn maybe(value: Option<impl Display>) -> String {
    value.map_or_else(|| "-".into(), |value| value.to_string())
}

fn secret(value: &Option<SecretString>) -> String {
    maybe(value.as_ref().map(ExposeSecret::expose_secret))
}

fn secrets(values: &[SecretString]) -> String {
    let values: Vec<&str> = values.iter().map(ExposeSecret::expose_secret).collect();
    values.join("|")
}

#[rustfmt::skip]
fn keys() -> Vec<Key> {
    vec![
        key("addr", "127.0.0.1:8080", "127.0.0.1:9001", "127.0.0.1:9001", |s| text(s.server.addr)),
        key("public_url", "-", "https://id.shop.example/base", "https://id.shop.example/base", |s| maybe(s.server.public_url.as_ref())),
        key("data_dir", "facegate-data", "/var/lib/facegate", "/var/lib/facegate", |s| text(s.store.data_dir.display())),
        key("database_url", "-", "postgres://u:p@db/facegate", "postgres://u:p@db/facegate", |s| secret(&s.store.database_url)),
        key("api_keys", "", "key-aaaaaaaaaaaaaaaa, key-bbbbbbbbbbbbbbbb", "key-aaaaaaaaaaaaaaaa|key-bbbbbbbbbbbbbbbb", |s| secrets(&s.access.api_keys)),
        key("return_url_allowlist", "", "https://a.example,https://b.example", "https://a.example|https://b.example", |s| s.server.return_url_allowlist.join("|")),
        key("dev", "None", "true", "Some(true)", |s| format!("{:?}", s.server.dev)),
        key("sandbox", "true", "false", "false", |s| text(s.vendors.sandbox.enabled)),
        key("sandbox_api_base", "-", "http://127.0.0.1:9/sandbox/", "http://127.0.0.1:9/sandbox/", |s| maybe(s.vendors.sandbox.api_base.as_ref())),
        key("sandbox_api_key", "sandbox", "sandbox-key", "sandbox-key", |s| s.vendors.sandbox.api_key.expose_secret().to_owned()),
        key("sandbox_ttl_seconds", "7200", "60", "60", |s| text(s.vendors.sandbox.ttl.as_secs())),
        key("demo", "None", "false", "Some(false)", |s| format!("{:?}", s.server.demo)),
        key("demo_dir", "dist", "/srv/demo", "/srv/demo", |s| text(s.server.demo_dir.display())),
        key("admin_time_zone", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Hong_Kong", |s| s.server.admin_time_zone.name.clone()),
        key("max_body_bytes", "15728640", "1048576", "1048576", |s| text(s.server.max_body_bytes)),
        key("refresh_interval_ms", "2000", "1234", "1234", |s| text(s.polling.refresh_interval.as_millis())),
        key("reconcile_interval_ms", "5000", "200", "200", |s| text(s.polling.reconcile_interval.as_millis())),
        key("reconcile_stale_after_ms", "60000", "1500", "1500", |s| text(s.polling.reconcile_stale_after.as_millis())),
        key("log_format", "Text", "json", "Json", |s| format!("{:?}", s.server.log_format)),
        key("pii_key", "-", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", |s| secret(&s.pii.key)),
        key("pii_previous_keys", "", "old-one, old-two", "old-one|old-two", |s| secrets(&s.pii.previous_keys)),
        key("webhook_url", "-", "https://shop.example/hooks", "https://shop.example/hooks", |s| maybe(s.webhooks.url.as_ref())),
        key("webhook_secret", "-", "whsec-0123456789", "whsec-0123456789", |s| secret(&s.webhooks.secret)),
        key("webhook_max_attempts", "16", "3", "3", |s| text(s.webhooks.max_attempts)),
        key("webhook_interval_ms", "1000", "250", "250", |s| text(s.webhooks.interval.as_millis())),
        key("webhook_lease_ms", "60000", "500", "500", |s| text(s.webhooks.lease.as_millis())),
        key("sandbox_vendors", "false", "true", "true", |s| text(s.vendors.sandbox.simulate_vendors)),
        key("create_per_minute_per_key", "600", "6", "6", |s| text(s.limits.create_per_minute_per_key)),
        key("create_per_minute_per_ip", "120", "7", "7", |s| text(s.limits.create_per_minute_per_ip)),
        key("reference_daily_cap", "20", "0", "0", |s| text(s.limits.reference_daily_cap)),
        key("subject_daily_cap", "0", "3", "3", |s| text(s.limits.subject_daily_cap)),
        key("metrics_key", "-", "metrics-0123456789abcdef", "metrics-0123456789abcdef", |s| secret(&s.access.metrics_key)),
        key("admin_key", "-", "admin-0123456789abcdef", "admin-0123456789abcdef", |s| secret(&s.access.admin_key)),
        key("media_retention_days", "0", "7", "7", |s| text(s.retention.media_retention_days)),
        key("retention_days", "30", "90", "90", |s| text(s.retention.retention_days)),
        key("retention_interval_ms", "3600000", "60000", "60000", |s| text(s.retention.interval.as_millis())),
        key("vendor_timeout_ms", "10000", "2500", "2500", |s| text(s.resilience.timeout.as_millis())),
        key("vendor_retries", "2", "4", "4", |s| text(s.resilience.retries)),
        key("vendor_retry_min_delay_ms", "100", "20", "20", |s| text(s.resilience.retry_min_delay.as_millis())),
        key("vendor_max_retry_after_ms", "5000", "800", "800", |s| text(s.resilience.max_retry_after.as_millis())),
        key("vendor_breaker_failures", "5", "0", "0", |s| text(s.resilience.breaker_failures)),
        key("vendor_breaker_open_ms", "30000", "1000", "1000", |s| text(s.resilience.breaker_open.as_millis())),
        key("alert_webhook_url", "-", "https://ops.example/alerts", "https://ops.example/alerts", |s| maybe(s.alerts.webhook_url.as_ref())),
        key("alert_webhook_secret", "-", "alert-secret", "alert-secret", |s| secret(&s.alerts.webhook_secret)),
        key("alert_interval_ms", "30000", "1000", "1000", |s| text(s.alerts.interval.as_millis())),
        key("alert_failure_rate_threshold", "0.5", "0.25", "0.25", |s| text(s.alerts.failure_rate_threshold)),
        key("alert_failure_rate_window_seconds", "900", "60", "60", |s| text(s.alerts.failure_rate_window.as_secs())),
        key("alert_failure_rate_min_count", "20", "4", "4", |s| text(s.alerts.failure_rate_min_count)),
        key("alert_liveness_failures", "10", "2", "2", |s| text(s.alerts.liveness_failures)),
        key("alert_liveness_window_seconds", "600", "30", "30", |s| text(s.alerts.liveness_window.as_secs())),
        key("baidu_api_key", "-", "baidu-api-key", "baidu-api-key", |s| maybe(s.vendors.baidu_h5.api_key.as_ref())),
        key("baidu_secret_key", "-", "baidu-secret", "baidu-secret", |s| secret(&s.vendors.baidu_h5.secret_key)),
        key("baidu_plan_id", "-", "12345", "12345", |s| maybe(s.vendors.baidu_h5.plan_id.as_ref())),
        key("baidu_aip_base", "https://aip.baidubce.com/", "http://127.0.0.1:9/aip", "http://127.0.0.1:9/aip", |s| text(&s.vendors.baidu_h5.aip_base)),
        key("baidu_h5_base", "https://brain.baidu.com/", "http://127.0.0.1:9/h5", "http://127.0.0.1:9/h5", |s| text(&s.vendors.baidu_h5.h5_base)),
        key("baidu_openapi_base", "https://openapi.baidu.com/", "http://127.0.0.1:9/openapi", "http://127.0.0.1:9/openapi", |s| text(&s.vendors.baidu_smartapp.openapi_base)),
        key("faceid_appcode", "-", "faceid-appcode", "faceid-appcode", |s| secret(&s.vendors.faceid_lite.appcode)),
        key("faceid_api_base", "https://fidlite.market.alicloudapi.com/", "http://127.0.0.1:9/faceid", "http://127.0.0.1:9/faceid", |s| text(&s.vendors.faceid_lite.api_base)),
        key("faceid_h5_base", "https://openapi.faceid.com/", "http://127.0.0.1:9/faceid-h5", "http://127.0.0.1:9/faceid-h5", |s| text(&s.vendors.faceid_lite.h5_base)),
        key("wechat_appid", "-", "wx0123456789", "wx0123456789", |s| maybe(s.vendors.wechat_mini.appid.as_ref())),
        key("wechat_appsecret", "-", "wechat-secret", "wechat-secret", |s| secret(&s.vendors.wechat_mini.appsecret)),
        key("wechat_push_token", "-", "push-token", "push-token", |s| secret(&s.vendors.wechat_mini.push_token)),
        key("wechat_api_base", "https://api.weixin.qq.com/", "http://127.0.0.1:9/wechat", "http://127.0.0.1:9/wechat", |s| text(&s.vendors.wechat_mini.api_base)),
        key("oemcloud_appcode", "-", "oemcloud-appcode", "oemcloud-appcode", |s| secret(&s.vendors.oemcloud.appcode)),
        key("oemcloud_api_base", "https://auth.csapi.com.cn/", "http://127.0.0.1:9/oemcloud", "http://127.0.0.1:9/oemcloud", |s| text(&s.vendors.oemcloud.api_base)),
        key("oemcloud_callback_secret", "-", "esign-app-secret", "esign-app-secret", |s| secret(&s.vendors.oemcloud.callback_secret)),
        key("tencent_secret_id", "-", "AKIDexample0123", "AKIDexample0123", |s| maybe(s.vendors.tencent_faceid.secret_id.as_ref())),
        key("tencent_secret_key", "-", "tencent-secret-key", "tencent-secret-key", |s| secret(&s.vendors.tencent_faceid.secret_key)),
        key("tencent_rule_id", "-", "7", "7", |s| maybe(s.vendors.tencent_faceid.rule_id.as_ref())),
        key("tencent_region", "ap-guangzhou", "ap-shanghai", "ap-shanghai", |s| text(&s.vendors.tencent_faceid.region)),
        key("tencent_api_base", "https://faceid.tencentcloudapi.com/", "http://127.0.0.1:9/tencent", "http://127.0.0.1:9/tencent", |s| text(&s.vendors.tencent_faceid.api_base)),
        key("aliyun_access_key_id", "-", "LTAI5tExampleKeyId", "LTAI5tExampleKeyId", |s| maybe(s.vendors.aliyun_cloudauth.access_key_id.as_ref())),
        key("aliyun_access_key_secret", "-", "aliyun-secret", "aliyun-secret", |s| secret(&s.vendors.aliyun_cloudauth.access_key_secret)),
        key("aliyun_scene_id", "-", "1000000006", "1000000006", |s| maybe(s.vendors.aliyun_cloudauth.scene_id)),
        key("aliyun_api_base", "https://cloudauth.aliyuncs.com/", "http://127.0.0.1:9/cloudauth", "http://127.0.0.1:9/cloudauth", |s| text(&s.vendors.aliyun_cloudauth.api_base)),
    ]
}

/// Reads `values` as `FACEGATE_*` variables (`env`) or as `facegate.toml` keys, nothing else.
#[allow(clippy::result_large_err)] // figment::Jail's own error type
fn load(values: &[(&str, &str)], env: bool) -> Settings {
    let mut settings = None;
    figment::Jail::expect_with(|jail| {
        let mut file = String::new();
        for (name, value) in values {
            if env {
                jail.set_env(format!("FACEGATE_{}", name.to_uppercase()), value);
            } else {
                file.push_str(&format!("{name} = {}\n", toml_value(value)));
            }
        }
        jail.create_file("facegate.toml", &file)?;
        settings = Some(Settings::load(Path::new("facegate.toml")).expect("the settings load"));
        Ok(())
    });
    settings.expect("loaded")
}

/// How an operator writes the value in the file: numbers and booleans bare, the rest quoted.
fn toml_value(value: &str) -> String {
    if value.parse::<f64>().is_ok() || value == "true" || value == "false" {
        value.to_owned()
    } else {
        format!("{value:?}")
    }
}

#[test]
fn every_key_keeps_its_default() {
    let settings = load(&[], true);
    for key in keys() {
        assert_eq!(
            (key.read)(&settings),
            key.default,
            "the default of {}",
            key.name
        );
    }
}

#[test]
fn every_key_reads_the_same_from_the_environment_and_the_file() {
    let values: Vec<(&str, &str)> = keys().iter().map(|key| (key.name, key.set)).collect();
    for env in [true, false] {
        let settings = load(&values, env);
        for key in keys() {
            assert_eq!(
                (key.read)(&settings),
                key.reads,
                "{} set to {:?} ({})",
                key.name,
                key.set,
                if env {
                    "FACEGATE_ variable"
                } else {
                    "file key"
                }
            );
        }
    }
}

#[test]
fn every_documented_variable_is_a_key_here() {
    let readme = include_str!("../../../README.md");
    let keys: Vec<String> = keys()
        .iter()
        .map(|key| format!("FACEGATE_{}", key.name.to_uppercase()))
        .collect();
    let mut documented: Vec<&str> = readme
        .match_indices("FACEGATE_")
        .map(|(at, _)| {
            let rest = &readme[at..];
            let end = rest
                .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        // `FACEGATE_CONFIG` names the file; `FACEGATE_<KEY>` is the rule itself.
        .filter(|name| !matches!(*name, "FACEGATE_" | "FACEGATE_CONFIG"))
        .collect();
    documented.sort_unstable();
    documented.dedup();
    assert!(documented.len() > 50, "{documented:?}");
    for name in documented {
        assert!(
            keys.iter().any(|key| key == name),
            "{name} is documented but not read"
        );
    }
}
