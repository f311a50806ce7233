//! The seed's examples (004), and the tests that parse them.

use facegate_types::FailureReason;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use secrecy::SecretString;
use url::Url;

use super::codes::{error_from, ResultState};
use super::types::*;
use super::FaceidLiteClient;
use crate::VendorError;

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn client() -> FaceidLiteClient {
    FaceidLiteClient::new(
        reqwest::Client::new(),
        url("https://fidlite.market.alicloudapi.com"),
        url("https://openapi.faceid.com"),
        SecretString::from("code"),
    )
}

#[test]
fn the_lite_url_is_the_seeds() {
    // Seed step 2: `1462257147,34fb...` -> `https://openapi.faceid.com/lite/v1/do/1462257147,34fb...`.
    let page = client()
        .page_url("1462257147,34fb21937e47ae719f11cbc719615687")
        .unwrap();
    assert_eq!(
        page.as_str(),
        "https://openapi.faceid.com/lite/v1/do/1462257147,34fb21937e47ae719f11cbc719615687"
    );
    let odd = client().page_url("a/b#c d&中").unwrap();
    assert_eq!(odd.path(), "/lite/v1/do/a%2Fb%23c%20d&%E4%B8%AD");
    assert!(odd.fragment().is_none());
}

#[test]
fn form_fields_cover_every_documented_argument() {
    // The seed's Python example names these keys (image_* go as files).
    let example_keys = [
        "biz_no",
        "group",
        "idcard_name",
        "idcard_number",
        "idcard_retry_time",
        "idcard_side",
        "idcard_threshold",
        "liveness_retry_count",
        "liveness_type",
        "notify_url",
        "return_url",
        "security_level",
    ];
    let mut request = GetBizTokenRequest::authority(
        url("https://m.example/return?a=1&b=#x"),
        url("https://m.example/notify"),
        "张三",
        "110101199003074514",
    );
    request.biz_no = Some("order-1".into());
    request.security_level = Some(SecurityLevel::Strict);
    request.liveness_preferences = Some(LivenessPreference::Strict);
    request.liveness_retry_count = Some(5);
    let authority: Vec<_> = request.form_fields().unwrap();
    request.comparison = Comparison::AuthorityOcr {
        idcard_threshold: Some(0.8),
        idcard_retry_time: Some(3),
        idcard_side: Some(IdcardSide::PortraitOnly),
    };
    let ocr = request.form_fields().unwrap();
    let mut seen: Vec<&str> = authority.iter().chain(&ocr).map(|(k, _)| *k).collect();
    seen.sort_unstable();
    seen.dedup();
    for key in example_keys {
        assert!(seen.contains(&key), "{key} is never sent");
    }
    assert!(authority.contains(&("comparison_type", "1".into())));
    assert!(authority.contains(&("group", "0".into())));
    assert!(authority.contains(&("idcard_name", "张三".into())));
    assert!(ocr.contains(&("group", "1".into())));
    assert!(ocr.contains(&("idcard_side", "1".into())));
    assert!(ocr.iter().all(|(k, _)| *k != "idcard_name"));
    assert!(authority.contains(&("security_level", "3".into())));
    assert!(authority.contains(&("liveness_preferences", "2".into())));
    assert!(authority.contains(&("liveness_type", "video_number".into())));

    request.comparison = Comparison::Reference {
        uuid: "user-1".into(),
        image_ref1: ReferenceImage::new(vec![1, 2, 3]),
        image_ref2: Some(ReferenceImage::new(vec![4])),
    };
    let reference = request.form_fields().unwrap();
    assert!(reference.contains(&("comparison_type", "0".into())));
    assert!(reference.contains(&("uuid", "user-1".into())));
    assert_eq!(
        request.images().iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        ["image_ref1", "image_ref2"]
    );
    assert!(!format!("{request:?}").contains("张三"));
}

// The seed's verification examples carry `## comments` and are bare `"verification": {...}`
// members, so not valid JSON: these are the obvious valid forms, numbers unchanged.
const VERIFICATION_IDCARD: &str = r#"{"verification": {
  "idcard": {
    "confidence": 86.4735,
    "thresholds": {
      "1e-3": 62.168713,
      "1e-4": 69.31534,
      "1e-5": 74.39926,
      "1e-6": 78.038055
    }
  }
}}"#;

const VERIFICATION_REF1: &str = r#"{"verification": {
  "idcard": {
    "confidence": 86.4735,
    "thresholds": {
      "1e-3": 62.168713,
      "1e-4": 69.31534,
      "1e-5": 74.39926,
      "1e-6": 78.038055
    }
  },
  "ref1": {
    "confidence": 86.4735,
    "thresholds": {
      "1e-3": 62.168713,
      "1e-4": 69.31534,
      "1e-5": 74.39926,
      "1e-6": 78.038055
    }
  }
}}"#;

fn with_code(json: &str, code: &str) -> GetResult {
    let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
    value["result_code"] = serde_json::json!(code);
    value["result_message"] = serde_json::json!("SUCCESS");
    serde_json::from_value(value).unwrap()
}

#[test]
fn golden_verification_examples_keep_confidence_and_the_selected_threshold() {
    let answer = with_code(VERIFICATION_IDCARD, "1000");
    let score = answer
        .verification
        .as_ref()
        .unwrap()
        .idcard
        .as_ref()
        .unwrap();
    assert_eq!(score.confidence, 86.4735);
    assert_eq!(score.thresholds.e6, Some(78.038055));
    for (level, threshold) in [
        (SecurityLevel::Loose, 62.168713),
        (SecurityLevel::Regular, 69.31534),
        (SecurityLevel::Strict, 74.39926),
    ] {
        let ResultState::Final(result) = answer.state(level) else {
            panic!("1000 is final")
        };
        assert!(result.passed);
        assert_eq!(result.scores.similarity, Some(86.4735));
        assert_eq!(result.scores.threshold, Some(threshold));
    }
    let answer = with_code(VERIFICATION_REF1, 1000.to_string().as_str());
    assert!(answer.verification.as_ref().unwrap().ref1.is_some());
    assert_eq!(
        answer.verification.as_ref().unwrap().comparisons().count(),
        2
    );
}

#[test]
fn a_1000_below_the_selected_threshold_does_not_pass() {
    let json = VERIFICATION_REF1.replacen("86.4735", "70.0", 1);
    let answer = with_code(&json, "1000");
    let ResultState::Final(loose) = answer.state(SecurityLevel::Loose) else {
        panic!()
    };
    assert!(loose.passed);
    assert_eq!(loose.scores.similarity, Some(70.0));
    let ResultState::Final(strict) = answer.state(SecurityLevel::Strict) else {
        panic!()
    };
    assert!(!strict.passed);
    assert_eq!(strict.reason, Some(FailureReason::NotSamePerson));
    assert_eq!(strict.vendor_code.as_deref(), Some("1000"));
}

#[test]
fn golden_get_biz_token_examples() {
    // Both seed examples end their object with a trailing comma (not valid JSON); these are
    // the obvious valid forms.
    let ok: BizToken = serde_json::from_str(
        r#"{
  "request_id": "1462257147,3149525e-2c24-4862-8e9f-92040595f0a4",
  "time_used": 5,
  "biz_token": "1462257147,34fb21937e47ae719f11cbc719615687"
}"#,
    )
    .unwrap();
    assert_eq!(
        ok.biz_token.expose(),
        "1462257147,34fb21937e47ae719f11cbc719615687"
    );
    assert_eq!(ok.time_used, Some(5));
    let error: ErrorAnswer = serde_json::from_str(
        r#"{
  "request_id": "1461740007,71eeb124-08f0-47b3-8fc8-ac048cfa1372",
  "time_used": 4,
  "error": "MISSING_ARGUMENTS:return_url"
}"#,
    )
    .unwrap();
    match error_from(StatusCode::BAD_REQUEST, &HeaderMap::new(), Some(error)) {
        VendorError::InvalidRequest { code, field, .. } => {
            assert_eq!(code, "MISSING_ARGUMENTS");
            assert_eq!(field.as_deref(), Some("return_url"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn golden_idcard_result_example() {
    // The seed's example is `idcard_result: {...}` with `## comments` (and one comment
    // wrapped onto its own line): the obvious valid form, values unchanged.
    let json = r#"{
  "name": "张三",
  "idcard_number": "XXXXXX",
  "gender": "男",
  "nationality": "汉",
  "birth_year": "1996",
  "birth_month": "3",
  "birth_day": "10",
  "address": "北京市海淀区XXXXX",
  "issued_by": "北京市公安局海淀分局",
  "valid_date_start": "20150516",
  "valid_date_end": "20350516",
  "frontside_legality": {
    "Photocopy": 0,
    "Edited": 0,
    "ID_Photo": 1,
    "Screen": 0,
    "Temporary_ID_Photo": 0,
    "ID_Photo_Threshold": 0.8
  },
  "backside_legality": {
    "Photocopy": 0,
    "Edited": 0,
    "ID_Photo": 0.999,
    "Screen": 0.001,
    "Temporary_ID_Photo": 0,
    "ID_Photo_Threshold": 0.8
  },
  "frontside_completeness": 0,
  "backside_completeness": 0,
  "image_portrait": "XXXXXX"
}"#;
    let result: IdcardResult = serde_json::from_str(json).unwrap();
    assert_eq!(result.name.as_ref().unwrap().expose(), "张三");
    assert_eq!(result.birth_month.as_deref(), Some("3"));
    assert_eq!(
        result.backside_legality.as_ref().unwrap().id_photo,
        Some(0.999)
    );
    assert_eq!(
        result
            .frontside_legality
            .as_ref()
            .unwrap()
            .id_photo_threshold,
        Some(0.8)
    );
    assert_eq!(result.frontside_completeness, Some(0));
    let debug = format!("{result:?}");
    assert!(!debug.contains("张三") && !debug.contains("海淀区XXXXX"));
}
