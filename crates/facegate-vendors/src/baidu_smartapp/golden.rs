//! The seed's JSON examples (000), and the tests that parse them.

use std::time::{Duration, UNIX_EPOCH};

use super::codes::tests::parse;
use super::codes::Call;
use super::types::*;

// The seed's faceauthen example, verbatim.
const FACEAUTHEN_EXAMPLE: &str = include_str!("faceauthen_example.json");

#[test]
fn golden_faceauthen_example() {
    let data: FaceAuthen = parse(FACEAUTHEN_EXAMPLE, Call::FaceAuthen).unwrap();
    assert_eq!(data.timeout, 1558150057);
    assert_eq!(data.legal_face_status, LegalFaceStatus::Initialized);
    let png = data.qrcode_png().unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(
        data.expires_at(),
        UNIX_EPOCH + Duration::from_secs(1558150057)
    );
}

#[test]
fn golden_setexempt_example() {
    let json = r#"{
    "errno": 0,
    "msg": "success",
    "data": {
        "addTime": "2019-5-30",
        "pushTime": "2019-5-30",
        "overdueTime": "2019-7-30"
    }
}"#;
    let data: Exemption = parse(json, Call::SetExempt).unwrap();
    assert_eq!(
        data,
        Exemption {
            add_time: "2019-5-30".into(),
            push_time: "2019-5-30".into(),
            overdue_time: "2019-7-30".into(),
        }
    );
    // The field table's snake_case form parses to the same.
    let snake = r#"{"errno": 0, "msg": "success", "data": {"add_time": "2019-5-30",
            "push_time": "2019-5-30", "overdue_time": "2019-7-30", "extra": 1}}"#;
    assert_eq!(parse::<Exemption>(snake, Call::SetExempt).unwrap(), data);
}
