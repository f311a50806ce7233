//! Property tests for every parser of untrusted vendor input: each vendor's response bodies,
//! notify and push bodies (WeChat's XML and JSON, FaceID's form, OEMCloud's JSON, query and
//! web-view message), the Baidu image sniffing, and the code-to-reason tables. None may panic
//! on any bytes or any JSON; what a vendor sends in the documented shape reads back unchanged.
//!
//! Default 256 cases per property (a few seconds in all); a longer run:
//! `PROPTEST_CASES=20000 cargo test -p facegate-vendors --test properties`.

use std::time::{Duration, SystemTime};

use facegate_vendors::{baidu_h5, baidu_smartapp, faceid_lite, oemcloud, sandbox, wechat_mini};
use proptest::prelude::*;
use secrecy::SecretString;
use serde_json::{json, Value};

/// Any JSON, a few levels deep, with the vendors' own field names among random ones so the
/// parsers get past their first checks.
fn any_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        prop::sample::select(vec![
            "access_token",
            "expires_in",
            "error",
            "errcode",
            "errmsg",
            "success",
            "result",
            "log_id",
            "error_code",
            "error_msg",
            "verify_token",
            "biz_token",
            "result_code",
            "result_message",
            "verification",
            "idcard",
            "images",
            "code",
            "message",
            "data",
            "flowId",
            "contextId",
            "passed",
            "timestamp",
            "identify_ret",
            "id_card_number_md5",
            "name_utf8_md5",
            "user_id_key",
            "expires_in",
            "token",
            "state",
            "outcome",
            "similarity",
            "liveness",
            "threshold",
            "qrcode",
            "timeout",
            "legal_face_status",
            "verify_list",
            "is_verify_passed",
            "score",
            "type",
            "url",
            "shortLink",
            "originalUrl",
            "faceToken",
            "expire",
            "ToUserName",
            "MsgType",
            "Event",
            "verify_result",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z_]{1,10}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            Just("0".to_owned()),
            Just("1000".to_owned()),
            Just("-1".to_owned()),
            Just("9999999999999999999999".to_owned()),
            Just("data:image/png;base64,iVBORw0KGgo=".to_owned()),
            "[0-9]{1,20}",
            any::<String>(),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 96, 10, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(key.clone(), inner, 0..8)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn any_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..512)
}

/// Deserializes `T` from the value and from the bytes, and hands what parses to `then`.
fn read<T: serde::de::DeserializeOwned>(value: &Value, bytes: &[u8], then: impl Fn(T)) {
    if let Ok(parsed) = serde_json::from_value::<T>(value.clone()) {
        then(parsed);
    }
    if let Ok(parsed) = serde_json::from_slice::<T>(bytes) {
        then(parsed);
    }
}

fn ignore<T>(_: T) {}

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

proptest! {
    #[test]
    fn baidu_answers_never_panic(value in any_json(), bytes in any_bytes()) {
        use baidu_h5::*;
        read::<TokenAnswer>(&value, &bytes, ignore);
        read::<Answer<GenerateResult>>(&value, &bytes, ignore);
        read::<Answer<SimpleResult>>(&value, &bytes, ignore);
        read::<Answer<StatResult>>(&value, &bytes, ignore);
        read::<Answer<MediaResult>>(&value, &bytes, ignore);
        read::<GetAllResult>(&value, &bytes, |all| {
            let _ = all.verification_result();
            if let Some(attempt) = all.latest_attempt() {
                let _ = attempt_result(attempt);
            }
        });
        read::<DetailResult>(&value, &bytes, |detail| {
            let outcome = DetailOutcome::Answered { result: Box::new(detail), log_id: None };
            let _ = outcome.verification_result(None);
            if let Ok(all) = serde_json::from_value::<GetAllResult>(value.clone()) {
                let _ = outcome.verification_result(Some(&all));
            }
        });
    }

    #[test]
    fn baidu_codes_map_anything_to_one_reason(code in any::<String>(), message in any::<String>()) {
        let _ = baidu_h5::codes::reason(&code, &message);
        let _ = baidu_h5::codes::lookup(&code);
        let _ = baidu_h5::codes::is_verify_token_invalid(&message);
        let outcome = baidu_h5::DetailOutcome::Failed { code, message, log_id: None };
        let result = outcome.verification_result(None).expect("a failure is a result");
        prop_assert!(!result.passed);
        prop_assert!(result.reason.is_some());
    }

    #[test]
    fn baidu_image_sniffing_never_panics(bytes in any_bytes(), text in any::<String>(), width in 1u32.., height in 1u32..) {
        let _ = baidu_h5::dimensions(&bytes);
        let _ = baidu_h5::MatchImage::from_bytes(&bytes);
        let _ = baidu_h5::MatchImage::from_base64(&text);
        // Behind a PNG signature and IHDR, any size is read back exactly, whatever follows.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&width.to_be_bytes());
        png.extend_from_slice(&height.to_be_bytes());
        png.extend_from_slice(&bytes);
        prop_assert_eq!(baidu_h5::dimensions(&png), Some((width, height)));
        // And a zero-sized one is no image.
        png[16..20].copy_from_slice(&[0; 4]);
        prop_assert_eq!(baidu_h5::dimensions(&png), None);
    }

    #[test]
    fn faceid_answers_and_notifies_never_panic(value in any_json(), bytes in any_bytes(), text in any::<String>()) {
        use faceid_lite::*;
        read::<BizToken>(&value, &bytes, ignore);
        read::<ErrorAnswer>(&value, &bytes, ignore);
        read::<GetResult>(&value, &bytes, |result| {
            for level in [SecurityLevel::Loose, SecurityLevel::Regular, SecurityLevel::Strict] {
                let _ = result.state(level);
            }
        });
        let _ = Notify::from_form(&bytes);
        let _ = Notify::from_data(&text);
        let _ = reason(&text);
    }

    #[test]
    fn faceid_notifies_read_back(token in "[A-Za-z0-9,_-]{1,40}", code in "[0-9]{4}", message in any::<String>()) {
        let data = json!({"biz_token": token, "error_code": code, "error_msg": message}).to_string();
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("data", &data)
            .finish();
        let notify = faceid_lite::Notify::from_form(body.as_bytes()).unwrap();
        prop_assert_eq!(notify.biz_token.expose(), token.as_str());
        prop_assert_eq!(notify.error_code.as_deref(), Some(code.as_str()));
        prop_assert_eq!(notify.error_msg.as_deref(), Some(message.as_str()));
    }

    #[test]
    fn oemcloud_answers_notifies_and_messages_never_panic(
        value in any_json(),
        bytes in any_bytes(),
        text in any::<String>(),
        code in any::<i64>(),
    ) {
        use oemcloud::*;
        read::<FaceAuthAnswer>(&value, &bytes, ignore);
        read::<FaceAuthData>(&value, &bytes, |data| {
            let _ = data.next_action(Surface::Browser);
            let _ = data.next_action(Surface::MiniProgramWebView);
        });
        if let Ok(notify) = Notify::parse(&bytes) {
            let _ = notify.result();
        }
        if let Ok(notify) = serde_json::from_value::<Notify>(value.clone()) {
            let _ = notify.result();
        }
        if let Ok(query) = CallbackQuery::parse(&text) {
            let _ = query.result();
        }
        let _ = WebViewMessage::parse(&value);
        let _ = ApVerifyStatus::from_code(code);
        let _ = reason(code);
        let _ = field_from_message(&text);
        let error = error(code, &text);
        let _ = failure_of(&error);
        let _ = verify_signature(
            &SecretString::from("secret"),
            Some(&text),
            Some(&text),
            &text,
            &bytes,
            SystemTime::now(),
            Duration::from_secs(300),
        );
    }

    #[test]
    fn oemcloud_notifies_read_back(flow in "[0-9]{1,19}", context in "[A-Za-z0-9-]{1,32}", success in any::<bool>(), message in any::<String>()) {
        let body = json!({"flowId": flow, "contextId": context, "success": success, "message": message});
        let notify = oemcloud::Notify::parse(body.to_string().as_bytes()).unwrap();
        prop_assert_eq!(&notify.flow_id, &flow);
        prop_assert_eq!(notify.context_id.as_deref(), Some(context.as_str()));
        prop_assert_eq!(notify.success, Some(success));
        prop_assert_eq!(notify.result().passed, success);
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("flowId", &flow)
            .append_pair("contextId", &context)
            .append_pair("passed", if success { "true" } else { "false" })
            .finish();
        let query = oemcloud::CallbackQuery::parse(&query).unwrap();
        prop_assert_eq!(query.flow_id, flow);
        prop_assert_eq!(query.passed, Some(success));
    }

    #[test]
    fn a_signed_oemcloud_notify_verifies_and_any_change_does_not(body in any_bytes(), query in "[a-z=&0-9]{0,30}", flip in any::<prop::sample::Index>()) {
        let secret = SecretString::from("oem-secret");
        let now = SystemTime::now();
        let timestamp = now.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_millis().to_string();
        let signature = oemcloud::sign(b"oem-secret", &timestamp, &query, &body);
        let check = |body: &[u8]| oemcloud::verify_signature(&secret, Some(&timestamp), Some(&signature), &query, body, now, Duration::from_secs(300));
        prop_assert!(check(&body).is_ok());
        if !body.is_empty() {
            let mut changed = body.clone();
            let at = flip.index(changed.len());
            changed[at] ^= 0x01;
            prop_assert!(check(&changed).is_err());
        }
    }

    #[test]
    fn wechat_answers_and_pushes_never_panic(value in any_json(), bytes in any_bytes(), text in any::<String>(), code in any::<i64>()) {
        use wechat_mini::*;
        read::<TokenAnswer>(&value, &bytes, ignore);
        read::<UserIdKey>(&value, &bytes, ignore);
        read::<IdentifyInfo>(&value, &bytes, |info| {
            let _ = verdict(&info, &Expected { user_id_key: "k", name: "张三", id_number: "110101199003074514" });
            let _ = verdict(&info, &Expected { user_id_key: &text, name: &text, id_number: &text });
        });
        let _ = PushMessage::parse(&bytes);
        let _ = PushMessage::parse(text.as_bytes());
        let _ = PushMessage::from_xml(&text);
        let _ = reason(code);
        let _ = error(code, &text);
        let _ = user_id_key_error(code, &text);
        let query = PushQuery {
            signature: text.clone(),
            timestamp: text.clone(),
            nonce: text.clone(),
            echostr: Some(text.clone()),
            openid: None,
        };
        prop_assert!(query.verify("push-token").is_err() || query.signature.to_ascii_lowercase() == push_signature("push-token", &text, &text));
    }

    /// XML-looking soup: the flat-XML reader's edge cases (CDATA, entities, prologs, nesting).
    #[test]
    fn wechat_xml_soup_never_panics(parts in prop::collection::vec(prop_oneof![
        Just("<xml>"), Just("</xml>"), Just("<?xml version=\"1.0\"?>"), Just("<![CDATA["), Just("]]>"),
        Just("<Event>"), Just("</Event>"), Just("<a/>"), Just("<"), Just(">"), Just("&amp;"),
        Just("&#x41;"), Just("&#99999999;"), Just("&"), Just(";"), Just(" "), Just("<!DOCTYPE x>"),
        Just("<CreateTime>"), Just("</CreateTime>"), Just("1"), Just("é"), Just("张"),
    ], 0..40)) {
        let text: String = parts.concat();
        let _ = wechat_mini::PushMessage::from_xml(&text);
        let _ = wechat_mini::PushMessage::parse(text.as_bytes());
    }

    #[test]
    fn wechat_pushes_read_back_in_both_forms(
        to in any::<String>(),
        openid in "[A-Za-z0-9_-]{1,28}",
        seq in "[A-Za-z0-9_-]{1,32}",
        verify_result in "[A-Za-z0-9_-]{1,64}",
        create_time in 0i64..4_000_000_000,
        cdata in any::<bool>(),
    ) {
        let field = |name: &str, value: &str| {
            if cdata && !value.contains("]]>") {
                format!("<{name}><![CDATA[{value}]]></{name}>")
            } else {
                format!("<{name}>{}</{name}>", escape_xml(value))
            }
        };
        let xml = format!(
            "<xml>{}{}<CreateTime>{create_time}</CreateTime>{}{}{}{}{}</xml>",
            field("ToUserName", &to),
            field("FromUserName", "gh_sandbox"),
            field("MsgType", "event"),
            field("Event", "face_identify"),
            field("openid", &openid),
            field("out_seq_no", &seq),
            field("verify_result", &verify_result),
        );
        let from_xml = wechat_mini::PushMessage::parse(xml.as_bytes()).unwrap();
        prop_assert_eq!(&from_xml.to_user_name, &to);
        prop_assert!(from_xml.is_face_identify());
        prop_assert_eq!(from_xml.create_time, Some(create_time));
        prop_assert_eq!(from_xml.out_seq_no.as_deref(), Some(seq.as_str()));
        prop_assert_eq!(from_xml.verify_result.as_ref().map(|v| v.expose().to_owned()), Some(verify_result.clone()));
        let json = json!({
            "ToUserName": to, "FromUserName": "gh_sandbox", "CreateTime": create_time,
            "MsgType": "event", "Event": "face_identify", "openid": openid,
            "out_seq_no": seq, "verify_result": verify_result,
        });
        let from_json = wechat_mini::PushMessage::parse(json.to_string().as_bytes()).unwrap();
        prop_assert_eq!(from_json, from_xml);
    }

    #[test]
    fn a_wechat_push_signature_verifies(token in "[A-Za-z0-9]{3,32}", timestamp in "[0-9]{10}", nonce in "[0-9]{1,10}") {
        let query = wechat_mini::PushQuery {
            signature: wechat_mini::push_signature(&token, &timestamp, &nonce),
            timestamp,
            nonce,
            echostr: Some("echo".into()),
            openid: None,
        };
        prop_assert_eq!(query.echo(&token).unwrap(), "echo");
        let wrong_token = format!("{token}x");
        prop_assert!(query.verify(&wrong_token).is_err());
    }

    #[test]
    fn smartapp_and_sandbox_answers_never_panic(value in any_json(), bytes in any_bytes(), code in any::<i64>()) {
        read::<baidu_smartapp::FaceAuthen>(&value, &bytes, |answer| {
            let _ = answer.expires_at();
            let _ = answer.qrcode_png();
        });
        read::<baidu_smartapp::Exemption>(&value, &bytes, ignore);
        let _ = baidu_smartapp::LegalFaceStatus::from_code(code);
        read::<sandbox::SessionResult>(&value, &bytes, ignore);
        read::<sandbox::CreatedSession>(&value, &bytes, ignore);
        read::<sandbox::Notify>(&value, &bytes, ignore);
    }

    #[test]
    fn sandbox_answers_round_trip(token in "sbx_[A-Za-z0-9]{32}", similarity in proptest::option::of(0u32..10_000), completed_at in proptest::option::of(any::<i64>())) {
        let answer = sandbox::SessionResult {
            token,
            state: sandbox::SessionState::Completed,
            outcome: Some("pass".into()),
            // Scores arrive with two decimals, as the vendors send them.
            similarity: similarity.map(|s| f64::from(s) / 100.0),
            liveness: None,
            threshold: Some(74.4),
            completed_at,
        };
        let text = serde_json::to_string(&answer).unwrap();
        let back: sandbox::SessionResult = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(serde_json::to_value(&back).unwrap(), serde_json::to_value(&answer).unwrap());
    }
}
