//! `facegate check`, the real binary against the vendor simulator on loopback: good
//! credentials pass, bad ones fail with the vendor's own message and a non-zero exit, missing
//! ones are "not configured", and a configuration that does not parse names the key.

use std::process::{Command, Output};

use facegate_sandbox::vendors as sim;

struct Env(Vec<(String, String)>);

fn check(env: &Env) -> (i32, String) {
    let empty = tempfile::tempdir().unwrap();
    let output: Output = Command::new(env!("CARGO_BIN_EXE_facegate"))
        .arg("check")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("FACEGATE_CONFIG", empty.path().join("none.toml"))
        .env("FACEGATE_DATA_DIR", empty.path())
        .envs(env.0.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .expect("facegate check runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

fn line<'a>(report: &'a str, vendor: &str) -> &'a str {
    report
        .lines()
        .find(|line| line.starts_with(&format!("{vendor} ")))
        .unwrap_or_else(|| panic!("no {vendor} line in\n{report}"))
}

fn vendors(
    base: &url::Url,
    baidu_secret: &str,
    wechat_secret: &str,
    faceid: &str,
    tencent_key: &str,
) -> Env {
    let at = |prefix: &str| {
        base.join(prefix.trim_start_matches('/'))
            .unwrap()
            .to_string()
    };
    Env(vec![
        (
            "FACEGATE_BAIDU_API_KEY".into(),
            sim::baidu_h5::API_KEY.into(),
        ),
        ("FACEGATE_BAIDU_SECRET_KEY".into(), baidu_secret.into()),
        (
            "FACEGATE_BAIDU_PLAN_ID".into(),
            sim::baidu_h5::PLAN_ID.into(),
        ),
        (
            "FACEGATE_BAIDU_AIP_BASE".into(),
            at(sim::baidu_h5::AIP_PREFIX),
        ),
        (
            "FACEGATE_WECHAT_APPID".into(),
            sim::wechat_mini::APPID.into(),
        ),
        ("FACEGATE_WECHAT_APPSECRET".into(), wechat_secret.into()),
        (
            "FACEGATE_WECHAT_API_BASE".into(),
            at(sim::wechat_mini::API_PREFIX),
        ),
        ("FACEGATE_FACEID_APPCODE".into(), faceid.into()),
        (
            "FACEGATE_FACEID_API_BASE".into(),
            at(sim::faceid_lite::API_PREFIX),
        ),
        (
            "FACEGATE_OEMCLOUD_APPCODE".into(),
            sim::oemcloud::APPCODE.into(),
        ),
        (
            "FACEGATE_OEMCLOUD_API_BASE".into(),
            at(sim::oemcloud::API_PREFIX),
        ),
        (
            "FACEGATE_OEMCLOUD_CALLBACK_SECRET".into(),
            sim::oemcloud::APP_SECRET.into(),
        ),
        (
            "FACEGATE_TENCENT_SECRET_ID".into(),
            sim::tencent_faceid::SECRET_ID.into(),
        ),
        ("FACEGATE_TENCENT_SECRET_KEY".into(), tencent_key.into()),
        (
            "FACEGATE_TENCENT_RULE_ID".into(),
            sim::tencent_faceid::RULE_ID.into(),
        ),
        (
            "FACEGATE_TENCENT_API_BASE".into(),
            at(sim::tencent_faceid::API_PREFIX),
        ),
        ("FACEGATE_SANDBOX".into(), "false".into()),
    ])
}

#[tokio::test]
async fn good_credentials_pass_bad_ones_fail_with_the_vendors_message() {
    let sandbox = facegate_sandbox::spawn_on_loopback().await.unwrap();
    let base = sandbox.base.clone();

    let good = vendors(
        &base,
        sim::baidu_h5::SECRET_KEY,
        sim::wechat_mini::APP_SECRET,
        sim::faceid_lite::APPCODE,
        sim::tencent_faceid::SECRET_KEY,
    );
    let (code, report) = tokio::task::spawn_blocking(move || check(&good))
        .await
        .unwrap();
    assert_eq!(code, 0, "{report}");
    assert!(report.starts_with("configuration: ok"), "{report}");
    for vendor in [
        "baidu_h5",
        "wechat_mini",
        "faceid_lite",
        "oemcloud",
        "tencent_faceid",
        "wechat_verify",
    ] {
        assert!(line(&report, vendor).contains(" ok "), "{vendor}: {report}");
    }
    assert!(line(&report, "baidu_h5").contains("access token issued"));
    assert!(line(&report, "sandbox").contains("not configured"));

    let bad = vendors(
        &base,
        "not-the-secret-key",
        "not-the-app-secret",
        "not-the-appcode",
        "not-the-tencent-key",
    );
    let (code, report) = tokio::task::spawn_blocking(move || check(&bad))
        .await
        .unwrap();
    assert_eq!(code, 1, "{report}");
    assert!(line(&report, "baidu_h5").contains("FAILED"), "{report}");
    assert!(
        line(&report, "baidu_h5").contains("invalid_client"),
        "{report}"
    );
    assert!(line(&report, "wechat_mini").contains("40125"), "{report}");
    assert!(line(&report, "wechat_verify").contains("40125"), "{report}");
    assert!(line(&report, "faceid_lite").contains("FAILED"), "{report}");
    assert!(line(&report, "oemcloud").contains(" ok "), "{report}");
    assert!(
        line(&report, "tencent_faceid").contains("AuthFailure.SignatureFailure"),
        "{report}"
    );
    // Secrets are never printed.
    for secret in [
        "not-the-secret-key",
        "not-the-app-secret",
        "not-the-appcode",
        "not-the-tencent-key",
    ] {
        assert!(!report.contains(secret), "{report}");
    }

    // Half a vendor's credentials: named, and a failure.
    let half = Env(vec![
        ("FACEGATE_WECHAT_APPID".into(), "wx123".into()),
        ("FACEGATE_SANDBOX".into(), "false".into()),
    ]);
    let (code, report) = tokio::task::spawn_blocking(move || check(&half))
        .await
        .unwrap();
    assert_eq!(code, 1, "{report}");
    assert!(line(&report, "wechat_mini").contains("FACEGATE_WECHAT_APPSECRET"));
    assert!(line(&report, "wechat_verify").contains("FACEGATE_WECHAT_APPSECRET"));
    assert!(line(&report, "baidu_h5").contains("not configured"));
}

#[test]
fn a_configuration_that_does_not_parse_names_the_key() {
    let (code, report) = check(&Env(vec![(
        "FACEGATE_ADDR".into(),
        "not-an-address".into(),
    )]));
    assert_eq!(code, 2, "{report}");
    assert!(report.to_lowercase().contains("addr"), "{report}");

    let (code, report) = check(&Env(vec![(
        "FACEGATE_API_KEYS".into(),
        "key-0123456789abcdef".into(),
    )]));
    assert_eq!(code, 2, "{report}");
    assert!(report.contains("pii_key"), "{report}");

    // oemcloud's only verdict is the signed notify: its APPCODE without the callback secret
    // is a configuration `check` (and `serve`) refuses, naming the missing setting.
    let (code, report) = check(&Env(vec![(
        "FACEGATE_OEMCLOUD_APPCODE".into(),
        "an-appcode".into(),
    )]));
    assert_eq!(code, 2, "{report}");
    assert!(
        report.contains("FACEGATE_OEMCLOUD_CALLBACK_SECRET"),
        "{report}"
    );

    // Tencent's key pair without its RuleId would leave the provider silently off: refused,
    // naming the missing setting.
    let (code, report) = check(&Env(vec![
        ("FACEGATE_TENCENT_SECRET_ID".into(), "AKIDexample".into()),
        ("FACEGATE_TENCENT_SECRET_KEY".into(), "a-secret-key".into()),
    ]));
    assert_eq!(code, 2, "{report}");
    assert!(report.contains("FACEGATE_TENCENT_RULE_ID"), "{report}");
    assert!(!report.contains("a-secret-key"), "{report}");
}

#[tokio::test]
async fn aliyun_cloudauth_is_probed_with_a_signed_harmless_query() {
    let sandbox = facegate_sandbox::spawn_on_loopback().await.unwrap();
    let api = sandbox
        .base
        .join(sim::aliyun_cloudauth::API_PREFIX.trim_start_matches('/'))
        .unwrap()
        .to_string();
    let aliyun = |secret: &str, scene: &str| {
        Env(vec![
            (
                "FACEGATE_ALIYUN_ACCESS_KEY_ID".into(),
                sim::aliyun_cloudauth::ACCESS_KEY_ID.into(),
            ),
            ("FACEGATE_ALIYUN_ACCESS_KEY_SECRET".into(), secret.into()),
            ("FACEGATE_ALIYUN_SCENE_ID".into(), scene.into()),
            ("FACEGATE_ALIYUN_API_BASE".into(), api.clone()),
            ("FACEGATE_SANDBOX".into(), "false".into()),
        ])
    };
    let scene = sim::aliyun_cloudauth::SCENE_ID.to_string();
    let good = aliyun(sim::aliyun_cloudauth::ACCESS_KEY_SECRET, &scene);
    let (code, report) = tokio::task::spawn_blocking(move || check(&good))
        .await
        .unwrap();
    assert_eq!(code, 0, "{report}");
    assert!(
        line(&report, "aliyun_cloudauth").contains(" ok "),
        "{report}"
    );

    let bad = aliyun("not-the-access-key-secret", &scene);
    let (code, report) = tokio::task::spawn_blocking(move || check(&bad))
        .await
        .unwrap();
    assert_eq!(code, 1, "{report}");
    let refused = line(&report, "aliyun_cloudauth");
    assert!(refused.contains("FAILED"), "{report}");
    assert!(refused.contains("SignatureDoesNotMatch"), "{report}");
    assert!(!report.contains("not-the-access-key-secret"), "{report}");

    let other_scene = aliyun(sim::aliyun_cloudauth::ACCESS_KEY_SECRET, "42");
    let (code, report) = tokio::task::spawn_blocking(move || check(&other_scene))
        .await
        .unwrap();
    assert_eq!(code, 1, "{report}");
    assert!(
        line(&report, "aliyun_cloudauth").contains("SceneId"),
        "{report}"
    );

    let half = Env(vec![
        (
            "FACEGATE_ALIYUN_ACCESS_KEY_ID".into(),
            sim::aliyun_cloudauth::ACCESS_KEY_ID.into(),
        ),
        ("FACEGATE_SANDBOX".into(), "false".into()),
    ]);
    let (code, report) = tokio::task::spawn_blocking(move || check(&half))
        .await
        .unwrap();
    assert_eq!(code, 1, "{report}");
    assert!(
        line(&report, "aliyun_cloudauth").contains("FACEGATE_ALIYUN_ACCESS_KEY_SECRET"),
        "{report}"
    );
}
