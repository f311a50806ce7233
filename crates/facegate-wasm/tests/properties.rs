//! Property tests (native, `cargo test -p facegate-wasm --test properties`) for every parser of
//! untrusted input in the helper: web-view messages, the wx / my callback arguments, the
//! landing URL and its query, next actions. None may panic on anything, and what the helper
//! builds, it reads back unchanged.
//!
//! Default 256 cases per property; a longer run: `PROPTEST_CASES=20000 cargo test -p
//! facegate-wasm --test properties`.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use facegate_types::VerificationStatus;
use facegate_wasm::device::DeviceFacts;
use facegate_wasm::miniprogram::{
    alipay_verify_outcome, parse_web_view_message, wechat_face_support, wechat_face_support_in,
    wechat_verify_outcome, AlipayVerifyCallback, FaceSupportContext, WebViewMessage,
    WechatCallback,
};
use facegate_wasm::poll::PollOptions;
use facegate_wasm::qr::QrOptions;
use facegate_wasm::urls::{
    decode_component, encode_component, landing_url, parse_return_url, query_pairs, BaiduH5Link,
    OemcloudLinks, RawNextAction,
};
use proptest::prelude::*;
use serde_json::{json, Value};
use support::Json;

/// Any JSON value, a few levels deep, with the keys the parsers look for among random ones.
fn any_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("type".to_owned()),
        Just("token".to_owned()),
        Just("url".to_owned()),
        Just("authFlowId".to_owned()),
        Just("detail".to_owned()),
        Just("data".to_owned()),
        Just("nativeEvent".to_owned()),
        Just("mp".to_owned()),
        Just("errCode".to_owned()),
        Just("errMsg".to_owned()),
        Just("verifyResult".to_owned()),
        Just("resultStatus".to_owned()),
        "[a-zA-Z]{1,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            Just("IDENTITY_ALI_FACE_AWAKE".to_owned()),
            Just("RN_DONE".to_owned()),
            Just(r#"{"type":"RN_DONE"}"#.to_owned()),
            Just(r#"[{"type":"X"},"{\"type\":\"RN_DONE\"}"]"#.to_owned()),
            Just("9000".to_owned()),
            Just("startFacialRecognitionVerify:ok".to_owned()),
            any::<String>(),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn status() -> impl Strategy<Value = VerificationStatus> {
    prop::sample::select(vec![
        VerificationStatus::Pending,
        VerificationStatus::Processing,
        VerificationStatus::Verified,
        VerificationStatus::Failed,
        VerificationStatus::Expired,
        VerificationStatus::Canceled,
    ])
}

proptest! {
    #[test]
    fn web_view_messages_never_panic(value in any_json()) {
        let _ = parse_web_view_message(&Json(value));
    }

    #[test]
    fn a_message_reads_the_same_in_each_documented_wrapping(
        kind in prop_oneof![Just("IDENTITY_ALI_FACE_AWAKE"), Just("RN_DONE"), Just("OTHER")],
        token in "[A-Za-z0-9]{0,12}",
        flow in proptest::option::of("[0-9]{1,12}"),
    ) {
        let message = json!({"type": kind, "token": token, "url": "https://a.example/x", "authFlowId": flow});
        let read = |value: Value| parse_web_view_message(&Json(value));
        let bare = read(message.clone());
        let text = message.to_string();
        prop_assert_eq!(&read(json!({"detail": message.clone()})), &bare);
        prop_assert_eq!(&read(json!({"detail": {"data": [{"type": "ignored"}, message.clone()]}})), &bare);
        prop_assert_eq!(&read(json!({"detail": {"data": [{"data": message.clone()}]}})), &bare);
        prop_assert_eq!(&read(json!({"nativeEvent": {"data": text.clone()}})), &bare);
        prop_assert_eq!(&read(json!({"detail": {"data": [text]}})), &bare);
        if kind == "RN_DONE" {
            prop_assert_eq!(bare, WebViewMessage::Finished { auth_flow_id: flow });
        }
    }

    #[test]
    fn a_finished_flow_anywhere_in_a_batch_counts(
        before in prop::collection::vec("[A-Z_]{1,12}", 0..12),
        after in prop::collection::vec("[A-Z_]{1,12}", 0..12),
    ) {
        let typed = |kinds: &[String]| kinds.iter().map(|kind| json!({"type": kind})).collect::<Vec<_>>();
        let mut batch = typed(&before);
        batch.push(json!({"type": "RN_DONE", "authFlowId": "f"}));
        batch.extend(typed(&after).into_iter().filter(|m| m["type"] != "RN_DONE"));
        prop_assert_eq!(
            parse_web_view_message(&Json(json!({"detail": {"data": batch}}))),
            WebViewMessage::Finished { auth_flow_id: Some("f".into()) }
        );
    }

    #[test]
    fn wx_and_my_callbacks_never_panic(value in any_json()) {
        let callback = WechatCallback::read(&Json(value.clone()));
        let _ = wechat_face_support(&callback);
        let _ = wechat_verify_outcome(&callback);
        let context = FaceSupportContext::read(&Json(value.clone()));
        let _ = wechat_face_support_in(&callback, &context);
        let _ = alipay_verify_outcome(AlipayVerifyCallback::read(&Json(value)));
    }

    #[test]
    fn next_actions_never_panic(value in any_json()) {
        if let Ok(action) = RawNextAction::read(&Json(value), "nextAction") {
            let _ = action.parse();
        }
    }

    #[test]
    fn argument_readers_never_panic(value in any_json()) {
        let value = Json(value);
        let _ = DeviceFacts::read(&value);
        let _ = BaiduH5Link::read(&value);
        let _ = OemcloudLinks::read(&value);
        let _ = PollOptions::read(Some(&value));
        let _ = QrOptions::read(Some(&value));
    }

    #[test]
    fn landing_urls_never_panic(url in any::<String>()) {
        let _ = parse_return_url(&url);
        let _ = query_pairs(&url);
        let _ = decode_component(&url);
    }

    #[test]
    fn landing_urls_read_back_what_facegate_appends(
        base in "https://shop\\.example/[a-z/]{0,10}(\\?[a-z]{1,4}=[a-z0-9%]{0,6})?(#[a-z]{0,4})?",
        id in "vs_[A-Za-z0-9]{24}",
        status in status(),
    ) {
        let landing = landing_url(&base, &id, status);
        let params = parse_return_url(&landing).unwrap();
        prop_assert_eq!(params.verification_id, id);
        prop_assert_eq!(params.status, status);
    }

    #[test]
    fn landing_urls_keep_every_other_segment_byte_for_byte(
        segments in prop::collection::vec(
            prop_oneof![Just(String::new()), "k[a-zA-Z0-9%+._~-]{0,5}(=[a-zA-Z0-9%+=._~-]{0,6})?"],
            0..6,
        ),
        fragment in "(#[a-z/?&=]{0,6})?",
        id in "vs_[A-Za-z0-9]{24}",
        status in status(),
    ) {
        let query = segments.join("&");
        let ours = format!("verification_id={id}&status={status}");
        let expected = if query.is_empty() { ours } else { format!("{query}&{ours}") };
        prop_assert_eq!(
            landing_url(&format!("https://shop.example/r?{query}{fragment}"), &id, status),
            format!("https://shop.example/r?{expected}{fragment}")
        );
    }

    #[test]
    fn components_round_trip(value in any::<String>()) {
        prop_assert_eq!(decode_component(&encode_component(&value)), Some(value));
    }
}
