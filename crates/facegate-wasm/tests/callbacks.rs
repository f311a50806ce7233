//! The mini-program callbacks, natively: every case of the shared tables of device-support
//! answers and verify outcomes (tests/cases/device_support.json and verify_outcomes.json, which
//! the browser suite and the plain-JS adapter also pass), read from JSON as `js.rs` reads
//! JavaScript values: an argument of an odd shape reads as an empty one.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use facegate_wasm::miniprogram::{
    alipay_verify_outcome, wechat_face_support_in, wechat_facial_verify_outcome,
    wechat_verify_outcome, AlipayVerifyCallback, FaceSupportContext, WechatCallback,
};
use serde_json::Value;
use support::{cases, Json};

/// `input` as the callback argument the wasm functions read (leniently, by the readers
/// `js.rs` uses on JavaScript values).
fn argument(input: &Value) -> Json {
    Json(input.clone())
}

/// Runs every case of `table` through `answer`; lists the cases answered otherwise.
fn run(table: &str, answer: impl Fn(&Value) -> Value) {
    let cases = cases(table);
    assert!(cases.len() > 15, "the table lost its cases");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let answered = answer(case);
            (answered != case["expected"]).then(|| {
                format!(
                    "{}:\n  expected {}\n  answered {answered}",
                    case["name"], case["expected"]
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_device_support_case_answers_as_expected() {
    run(
        include_str!("../../../tests/cases/device_support.json"),
        |case| {
            let callback = WechatCallback::read(&argument(&case["input"]));
            let context = FaceSupportContext::read(&argument(&case["context"]));
            serde_json::to_value(wechat_face_support_in(&callback, &context)).unwrap()
        },
    );
}

#[test]
fn every_verify_outcome_case_answers_as_expected() {
    run(
        include_str!("../../../tests/cases/verify_outcomes.json"),
        |case| match case["function"].as_str() {
            Some("wechatVerifyOutcome") => {
                let callback = WechatCallback::read(&argument(&case["input"]));
                serde_json::to_value(wechat_verify_outcome(&callback)).unwrap()
            }
            Some("wechatFacialVerifyOutcome") => {
                let callback = WechatCallback::read(&argument(&case["input"]));
                serde_json::to_value(wechat_facial_verify_outcome(&callback)).unwrap()
            }
            Some("alipayVerifyOutcome") => {
                let callback = AlipayVerifyCallback::read(&argument(&case["input"]));
                serde_json::to_value(alipay_verify_outcome(callback)).unwrap()
            }
            other => panic!("{}: no function {other:?}", case["name"]),
        },
    );
}
