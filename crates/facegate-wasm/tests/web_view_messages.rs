//! Web-view messages, natively: every case of the shared table (tests/cases/
//! web_view_messages.json, which the browser suite and the plain-JS adapter also pass), and how
//! the answers serialise for JavaScript.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use facegate_wasm::miniprogram::{parse_web_view_message, WebViewMessage};
use serde_json::json;
use support::{web_view_cases, Json};

#[test]
fn every_case_of_the_shared_table_answers_as_expected() {
    let cases = web_view_cases();
    assert!(cases.len() > 40, "the table lost its cases");
    let mut failures = Vec::new();
    for (name, input, expected) in cases {
        let answer = serde_json::to_value(parse_web_view_message(&Json(input))).unwrap();
        if answer != expected {
            failures.push(format!(
                "{name}:\n  expected {expected}\n  answered {answer}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_batch_from_the_issue_finishes() {
    let event = json!({"detail": {"data": [{"type": "RN_DONE"}, {"type": "PAGE_HIDE"}]}});
    assert_eq!(
        parse_web_view_message(&Json(event)),
        WebViewMessage::Finished { auth_flow_id: None }
    );
}

#[test]
fn outcomes_serialise_with_an_action_tag_and_camel_case_fields() {
    let message = json!({"type": "IDENTITY_ALI_FACE_AWAKE", "token": "t", "url": "u"});
    assert_eq!(
        serde_json::to_value(parse_web_view_message(&Json(message))).unwrap(),
        json!({"action": "start_alipay_verify", "certifyId": "t", "url": "u", "authFlowId": null})
    );
}

#[test]
fn deep_and_wide_hostile_events_end_quickly() {
    let mut deep = json!({"type": "RN_DONE"});
    for _ in 0..1_000 {
        deep = json!({"detail": deep});
    }
    assert!(matches!(
        parse_web_view_message(&Json(deep)),
        WebViewMessage::Ignored { kind: None, .. }
    ));
    let wide = json!({"detail": {"data": vec![json!({"type": "PAGE_HIDE"}); 100_000]}});
    assert!(matches!(
        parse_web_view_message(&Json(wide)),
        WebViewMessage::Ignored { kind: Some(kind), .. } if kind == "PAGE_HIDE"
    ));
}
