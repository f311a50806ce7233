//! The pages' JSON examples, and the tests that parse them.
//!
//! The stored copy of api_getverifyid shows its request example up to
//! `{"out_seq_no": "xxx", "cert_info": {"cert_type"` and is cut off there; the rest below
//! follows the page's field table (the `xxx` placeholders are the page's style). The pages'
//! answer tables give `errcode`, `errmsg`, `verify_id`, `expires_in` and `verify_ret`; the
//! answers here are those fields with the documented default (3600) and codes.

use facegate_types::FailureReason;

use super::codes::{cert_hash, verdict, CERT_TYPE_ID_CARD};
use super::types::*;

#[test]
fn golden_getverifyid_request_and_answer() {
    let example: serde_json::Value = serde_json::from_str(
        r#"{
  "out_seq_no": "xxx",
  "cert_info": {
    "cert_type": "IDENTITY_CARD",
    "cert_name": "xxx",
    "cert_no": "xxx"
  },
  "openid": "xxx"
}"#,
    )
    .unwrap();
    let ours = serde_json::to_value(GetVerifyIdRequest {
        out_seq_no: "xxx".into(),
        cert_info: CertInfo {
            cert_type: CERT_TYPE_ID_CARD.into(),
            cert_name: "xxx".into(),
            cert_no: "xxx".into(),
        },
        openid: "xxx".into(),
    })
    .unwrap();
    assert_eq!(ours, example);

    let answer: VerifyId = serde_json::from_str(
        r#"{"errcode": 0, "errmsg": "ok", "verify_id": "xxx", "expires_in": 3600}"#,
    )
    .unwrap();
    assert_eq!(answer.verify_id, "xxx");
    assert_eq!(answer.expires_in, 3600);
    // expires_in is "默认值3600": absent, it is the default.
    let bare: VerifyId =
        serde_json::from_str(r#"{"errcode": 0, "errmsg": "ok", "verify_id": "v"}"#).unwrap();
    assert_eq!(bare.expires_in, DEFAULT_EXPIRES_IN);
}

#[test]
fn golden_queryverifyinfo_request_and_answers() {
    let example: serde_json::Value = serde_json::from_str(
        r#"{"verify_id": "xxx", "out_seq_no": "xxx", "cert_hash": "xxx", "openid": "xxx"}"#,
    )
    .unwrap();
    let ours = serde_json::to_value(QueryVerifyInfoRequest {
        verify_id: "xxx".into(),
        out_seq_no: "xxx".into(),
        cert_hash: "xxx".into(),
        openid: "xxx".into(),
    })
    .unwrap();
    assert_eq!(ours, example);

    let passed: VerifyInfo =
        serde_json::from_str(r#"{"errcode": 0, "errmsg": "ok", "verify_ret": 10000}"#).unwrap();
    assert!(verdict(&passed).unwrap().passed);
    let mismatch: VerifyInfo =
        serde_json::from_str(r#"{"errcode": 0, "errmsg": "ok", "verify_ret": 10004}"#).unwrap();
    assert_eq!(
        verdict(&mismatch).unwrap().reason,
        Some(FailureReason::NotSamePerson)
    );
    let canceled: VerifyInfo =
        serde_json::from_str(r#"{"errcode": 0, "errmsg": "ok", "verify_ret": "90002"}"#).unwrap();
    assert_eq!(
        verdict(&canceled).unwrap().reason,
        Some(FailureReason::UserCanceled)
    );
    let open: VerifyInfo =
        serde_json::from_str(r#"{"errcode": 0, "errmsg": "ok", "verify_ret": 10300}"#).unwrap();
    assert!(verdict(&open).is_none());
    // The hash of the example's placeholders is a 64-character lower-case hex string.
    assert_eq!(cert_hash(CERT_TYPE_ID_CARD, "xxx", "xxx").len(), 64);
}
