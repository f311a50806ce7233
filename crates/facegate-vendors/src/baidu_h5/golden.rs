//! The seed's JSON examples (001), copied verbatim, and the tests that parse them.

const GENERATE_REQUEST: &str = r#"{
	"plan_id" : 1
}"#;

const GENERATE_ANSWER: &str = r#"{
        "success": true,
        "result": {
            "verify_token": "Yz9rWITm4vak16PBAh5x8oG7"
        },
        "log_id": "1814798895"
    }"#;

const IDCARD_SUBMIT_REQUEST: &str = r#"{
    "verify_token": "2sF3nE5mXOHkx2aQwWG4n5WI",
    "id_name": "张三",
    "id_no": "500***********3390",
    "certificate_type": 0            // 证件类型:0:大陆居民二代身份证,4:港澳台居民居住证
}"#;

const IDCARD_SUBMIT_ANSWER: &str = r#"{
        "success": true,
        "result": 1,
        "log_id": "1244068892"
    }"#;

const UPLOAD_MATCH_IMAGE_REQUEST: &str = r#"{
    "verify_token": "2sF3nE5mXOHkx2aQwWG4n5WI",
    "image": "/9j/4AAQSkZJRgABAQAAAQABAAD/",
    "quality_control" : "LOW",
    "liveness_control" : "LOW",
}"#;

const UPLOAD_MATCH_IMAGE_ANSWER: &str = r#"{
      "success": true,
      "result": null,
      "log_id": "1329130892"
    }"#;

const QUERY_REQUEST: &str = r#"{
	"verify_token" : "cIupeyP51sn28XzxGVTfYqoN"
}"#;

const SIMPLE_ANSWER: &str = r#"{
        "success": true,
        "result": {
            "image":"https://brain.baidu.com/solution/faceprint/image/query?verify_token=xxxxxx"
        },
        "log_id": "1054986003"
    }"#;

const DETAIL_ANSWER: &str = r#"{
      "success": true,
      "result": {
          "verify_result": {
              "score": 93.7835,
              "liveness_score": 0.9672966,
              "spoofing": 0.0
          },
          "idcard_ocr_result": {
              "birthday": "19960216",
              "issue_authority": "胶南市公安局",
              "address": "山东省***********",
              "gender": "女",
              "nation": "汉",
              "expire_time": "20221103",
              "name": "柴*",
              "issue_time": "20121103",
              "id_card_number": "370***********5826"
          },
          "idcard_images": {
              "front_base64": "/9j/4AAQSkZJRgAB....",
              "back_base64": "/9j/4AAQSkZJRgAB...."
       },
          "idcard_confirm": {
              "idcard_number": "370***********5826",
              "name": "柴*"
          }
      },
      "log_id": "160931948204246"
    }"#;

const STAT_ANSWER: &str = r#"{
        "success": true,
        "result": {
            "Verify_FIN": [
                {
                    "error_code": 0,
                    "count": 1
                }
            ],
             "Sessioncode": [
                {
                    "error_code": 0,
                    "count": 1
                }
            ],
            "OCR": [
                {
                    "error_code": 0,
                    "count": 2
                }
            ],
            "verify": [
                {
                    "error_code": 0,
                    "count": 1
                }
            ],
            "VideoLiveness": [
                {
                    "error_code": 0,
                    "count": 1
                }
            ]
            "Livenesscolorful": [
                {
                    "error_code": 0,
                    "count": 1
                }
            ]
            "VerifySec": [
                {
                    "error_code": 0,
                    "count": 1
                }
            ]
        },
        "log_id": "1405335905"
    }"#;

const MEDIA_ANSWER: &str = r#"{
    "success": true,
    "result": {
        "processVideo": [
            "http://bj.bcebos.com/v1/aa.mp4"
        ],
        "video": [
            "http://bj.bcebos.com/v1/aa.mp4"
        ],
        "images": [
            "http://bj.bcebos.com/v1/aa.jpg"
        ],
        "extInfo": null
    },
    "log_id": "1534116864874049322"
}"#;

const GETALL_ANSWER: &str = r#"{
    "success":true,
    "log_id":"123456",
    "result":{
        "verify_count":1,
        "ocr_charge_count":1,
        "match_charge_count":1,
        "verify_charge_count":1,
        "verify_result":[
            {
                "order":1,
                "is_verify_passed":true,
                "code":"0",
                "message":"",
                "verify_time":"2023-10-10 10:10:10",
                "is_charged":true,
                "charge_type":"verify",
                "charge_time":"2023-10-10 10:10:10",
                "is_ocr_charge":true,
                "ocr_count":2,
                "ocr_charge_time":"2023-10-10 10:10:10",
                "verify_detail":{
                    "face_image":"xxx.jpg",
                    "verify_log_id":"xxx",
                    "score":89.9,
                    "threshold":80,
                    "liveness_score":80,
                    "spoofing_score":80,
                    "risk_level":"1",
                    "risk_tag":"xxx",
                    "is_demote":false
                },
                "idcard_confirm":{
                    "name":"张三",
                    "idcard_number":"36213219923232X",
                    "idcard_type":"0",
                    "idcard_ocr_result":{
                        "address":"江西省赣州市",
                        "birthday":"2020-10-10 10:10:10",
                        "name":"张三",
                        "idcard_number":"36213219923232X",
                        "idcard_type":"0",
                        "gender":"男",
                        "nation":"汉族",
                        "issue_time":"2020-10-10 10:10:10",
                        "expire_time":"2028-10-10 10:10:10",
                        "issue_authority":"江西省赣州市"
                    },
                    "idcard_images":{
                        "front_image":"xxx.jpg",
                        "back_image":"xxx.jpg"
                    }
                }
            }
        ]
    }
}"#;

use facegate_types::{ConfirmedBy, FailureReason};
use serde::de::DeserializeOwned;

use super::codes::DetailOutcome;
use super::types::*;

fn answer<T: DeserializeOwned>(json: &str) -> Answer<T> {
    serde_json::from_str(json).unwrap()
}

fn result<T: DeserializeOwned>(json: &str) -> T {
    let answer: Answer<T> = answer(json);
    assert_eq!(answer.success, Some(true));
    assert!(answer.log_id.is_some());
    answer.result.unwrap()
}

#[test]
fn generate_request_and_answer() {
    let request: GenerateRequest = serde_json::from_str(GENERATE_REQUEST).unwrap();
    assert_eq!(request.plan_id, "1");
    let generated: GenerateResult = result(GENERATE_ANSWER);
    assert_eq!(generated.verify_token.expose(), "Yz9rWITm4vak16PBAh5x8oG7");
}

#[test]
fn idcard_submit_request_and_answer() {
    // The seed's request carries a `//` comment, which JSON does not allow: the verbatim text
    // must fail, and the same object without the comment parses.
    assert!(serde_json::from_str::<IdCardSubmitRequest>(IDCARD_SUBMIT_REQUEST).is_err());
    let without_comment: String = IDCARD_SUBMIT_REQUEST
        .lines()
        .map(|line| line.split("//").next().unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    let request: IdCardSubmitRequest = serde_json::from_str(&without_comment).unwrap();
    assert_eq!(request.certificate_type, CertificateType::MainlandIdCard);
    assert_eq!(request.id_name.expose(), "张三");
    assert!(!format!("{request:?}").contains("张三"));
    let four: IdCardSubmitRequest = serde_json::from_str(
        r#"{"verify_token": "t", "id_name": "陈大文", "id_no": "810000199001011234", "certificate_type": "4"}"#,
    )
    .unwrap();
    assert_eq!(
        four.certificate_type,
        CertificateType::HkMacaoTaiwanResidencePermit
    );
    assert_eq!(
        serde_json::to_value(&four).unwrap()["certificate_type"],
        serde_json::json!(4)
    );

    let submitted: Answer<serde_json::Value> = answer(IDCARD_SUBMIT_ANSWER);
    assert_eq!(submitted.success, Some(true));
    assert_eq!(submitted.result, Some(serde_json::json!(1)));
    assert_eq!(submitted.log_id.as_deref(), Some("1244068892"));
}

#[test]
fn upload_match_image_request_and_answer() {
    // The seed's request has a trailing comma; the verbatim text fails, the obvious valid
    // form (comma removed) parses.
    assert!(serde_json::from_str::<UploadMatchImageRequest>(UPLOAD_MATCH_IMAGE_REQUEST).is_err());
    let valid = UPLOAD_MATCH_IMAGE_REQUEST.replace("\"LOW\",\n}", "\"LOW\"\n}");
    let request: UploadMatchImageRequest = serde_json::from_str(&valid).unwrap();
    assert_eq!(request.quality_control, Some(Control::Low));
    assert_eq!(request.liveness_control, Some(Control::Low));
    assert_eq!(request.image.expose(), "/9j/4AAQSkZJRgABAQAAAQABAAD/");

    let uploaded: Answer<serde_json::Value> = answer(UPLOAD_MATCH_IMAGE_ANSWER);
    assert_eq!(uploaded.success, Some(true));
    assert_eq!(uploaded.result, None);
    assert_eq!(uploaded.log_id.as_deref(), Some("1329130892"));
}

#[test]
fn query_request_and_simple_answer() {
    let request: VerifyTokenRequest = serde_json::from_str(QUERY_REQUEST).unwrap();
    assert_eq!(request.verify_token.expose(), "cIupeyP51sn28XzxGVTfYqoN");
    let simple: SimpleResult = result(SIMPLE_ANSWER);
    assert!(simple
        .image
        .expose()
        .starts_with("https://brain.baidu.com/"));
}

#[test]
fn detail_answer_decides_a_pass_from_its_fields() {
    let detail: DetailResult = result(DETAIL_ANSWER);
    let scores = detail.verify_result.clone().unwrap();
    assert_eq!(scores.score, Some(93.7835));
    assert_eq!(scores.liveness_score, Some(0.9672966));
    assert_eq!(scores.spoofing, Some(0.0));
    let ocr = detail.idcard_ocr_result.clone().unwrap();
    assert_eq!(ocr.id_card_number.unwrap().expose(), "370***********5826");
    assert_eq!(ocr.issue_authority.as_deref(), Some("胶南市公安局"));
    let confirm = detail.idcard_confirm.clone().unwrap();
    assert_eq!(confirm.name.unwrap().expose(), "柴*");
    assert!(detail
        .idcard_images
        .as_ref()
        .unwrap()
        .front_base64
        .is_some());
    let debug = format!("{detail:?}");
    assert!(!debug.contains("5826") && !debug.contains("山东省"));

    let outcome = DetailOutcome::Answered {
        result: Box::new(detail),
        log_id: Some("160931948204246".into()),
    };
    let verdict = outcome.verification_result(None).unwrap();
    assert!(verdict.passed);
    assert_eq!(verdict.reason, None);
    assert_eq!(verdict.scores.similarity, Some(93.7835));
    assert_eq!(verdict.scores.threshold, None);
    assert_eq!(verdict.confirmed_by, ConfirmedBy::VendorQuery);
}

#[test]
fn stat_answer_in_its_obvious_valid_form() {
    // The seed's example lacks the commas after the VideoLiveness and Livenesscolorful arrays:
    // the verbatim text fails; with the two commas added it parses.
    assert!(serde_json::from_str::<Answer<StatResult>>(STAT_ANSWER).is_err());
    let lines: Vec<&str> = STAT_ANSWER.lines().collect();
    let mut valid = String::new();
    for (index, line) in lines.iter().enumerate() {
        valid.push_str(line);
        let next = lines.get(index + 1).map(|l| l.trim_start());
        if line.trim() == "]" && next.is_some_and(|n| n.starts_with('"')) {
            valid.push(',');
        }
        valid.push('\n');
    }
    let stat: StatResult = result(&valid);
    let ok = |entries: &[StatEntry], count| {
        assert_eq!(
            entries,
            [StatEntry {
                error_code: "0".into(),
                count
            }]
        )
    };
    ok(&stat.verify_fin, 1);
    ok(&stat.sessioncode, 1);
    ok(&stat.ocr, 2);
    ok(&stat.verify, 1);
    ok(&stat.video_liveness, 1);
    ok(&stat.liveness_colorful, 1);
    ok(&stat.verify_sec, 1);
    // The table types some counts as strings.
    let strings: StatEntry =
        serde_json::from_str(r#"{"error_code": "223120", "count": "3"}"#).unwrap();
    assert_eq!((strings.error_code.as_str(), strings.count), ("223120", 3));
}

#[test]
fn media_answer() {
    let media: MediaResult = result(MEDIA_ANSWER);
    assert_eq!(
        media.process_video.as_deref(),
        Some(&["http://bj.bcebos.com/v1/aa.mp4".to_owned()][..])
    );
    assert_eq!(media.video.unwrap().len(), 1);
    assert_eq!(media.images.unwrap()[0], "http://bj.bcebos.com/v1/aa.jpg");
    assert_eq!(media.ext_info, None);
}

#[test]
fn getall_answer_and_its_verdict() {
    let all: GetAllResult = result(GETALL_ANSWER);
    assert_eq!(all.verify_count, Some(1));
    assert_eq!(
        (
            all.ocr_charge_count,
            all.match_charge_count,
            all.verify_charge_count
        ),
        (Some(1), Some(1), Some(1))
    );
    let attempt = all.latest_attempt().unwrap();
    assert!(attempt.is_verify_passed);
    assert_eq!(attempt.code.as_deref(), Some("0"));
    assert_eq!(attempt.charge_type.as_deref(), Some("verify"));
    assert_eq!(attempt.ocr_count, Some(2));
    let detail = attempt.verify_detail.as_ref().unwrap();
    assert_eq!((detail.score, detail.threshold), (Some(89.9), Some(80.0)));
    assert_eq!(detail.risk_level.as_deref(), Some("1"));
    assert!(detail.is_risky());
    let confirm = attempt.idcard_confirm.as_ref().unwrap();
    assert_eq!(confirm.idcard_type.as_deref(), Some("0"));
    let nested_ocr = confirm.idcard_ocr_result.as_ref().unwrap();
    assert_eq!(
        nested_ocr.id_card_number.as_ref().unwrap().expose(),
        "36213219923232X"
    );
    assert_eq!(
        confirm
            .idcard_images
            .as_ref()
            .unwrap()
            .front_image
            .as_ref()
            .unwrap()
            .expose(),
        "xxx.jpg"
    );

    let verdict = all.verification_result().unwrap();
    assert!(verdict.passed);
    assert_eq!(verdict.scores.similarity, Some(89.9));
    assert_eq!(verdict.scores.threshold, Some(80.0));
    assert_eq!(verdict.scores.liveness, Some(80.0));
    assert_eq!(verdict.vendor_code.as_deref(), Some("0"));

    // detail's pass with getall beside it gains the plan's threshold.
    let detail: DetailResult = result(DETAIL_ANSWER);
    let combined = DetailOutcome::Answered {
        result: Box::new(detail),
        log_id: None,
    }
    .verification_result(Some(&all))
    .unwrap();
    assert!(combined.passed);
    assert_eq!(combined.scores.threshold, Some(80.0));
    assert_eq!(combined.scores.similarity, Some(93.7835));
}

#[test]
fn the_fields_decide_not_success_true() {
    // success: true, but liveness 0 (failed) and a score under the threshold.
    let liveness_failed: DetailResult = serde_json::from_str(
        r#"{"verify_result": {"score": 90, "liveness_score": 0, "spoofing": 0}}"#,
    )
    .unwrap();
    let outcome = DetailOutcome::Answered {
        result: Box::new(liveness_failed),
        log_id: None,
    };
    let verdict = outcome.verification_result(None).unwrap();
    assert!(!verdict.passed);
    assert_eq!(verdict.reason, Some(FailureReason::LivenessFailed));

    let all: GetAllResult = serde_json::from_str(
        r#"{"verify_count": 1, "verify_result": [{"order": 1, "is_verify_passed": true,
            "code": "0", "verify_detail": {"score": "40.5", "threshold": 80}}]}"#,
    )
    .unwrap();
    let low: DetailResult = serde_json::from_str(
        r#"{"verify_result": {"score": 40.5, "liveness_score": 0.9, "spoofing": 0}}"#,
    )
    .unwrap();
    let verdict = DetailOutcome::Answered {
        result: Box::new(low),
        log_id: None,
    }
    .verification_result(Some(&all))
    .unwrap();
    assert!(!verdict.passed);
    assert_eq!(verdict.reason, Some(FailureReason::NotSamePerson));
    assert_eq!(
        all.verification_result().unwrap().reason,
        Some(FailureReason::NotSamePerson)
    );

    let empty = DetailOutcome::Answered {
        result: Box::new(DetailResult::default()),
        log_id: None,
    };
    assert_eq!(
        empty.verification_result(None).unwrap().reason,
        Some(FailureReason::VendorError)
    );
}

#[test]
fn failures_keep_the_vendor_code_and_message() {
    let failed = DetailOutcome::Failed {
        code: "222351".into(),
        message: "身份证号与姓名不匹配或该身份证号不存在".into(),
        log_id: Some("1".into()),
    };
    let verdict = failed.verification_result(None).unwrap();
    assert!(!verdict.passed);
    assert_eq!(verdict.reason, Some(FailureReason::IdentityMismatch));
    assert_eq!(verdict.vendor_code.as_deref(), Some("222351"));
    // The seed's own attempt message, with a code nobody documented.
    let all: GetAllResult = serde_json::from_str(
        r#"{"verify_count": 2, "verify_result": [
            {"order": 2, "is_verify_passed": false, "code": "216999", "message": "身份证姓名不匹配"},
            {"order": 1, "is_verify_passed": false, "code": "223120", "message": "活体检测未通过"}]}"#,
    )
    .unwrap();
    let verdict = all.verification_result().unwrap();
    assert_eq!(verdict.reason, Some(FailureReason::IdentityMismatch));
    assert_eq!(verdict.vendor_message.as_deref(), Some("身份证姓名不匹配"));
    // A risk-control hit with an undocumented code is an attack.
    let risky: GetAllResult = serde_json::from_str(
        r#"{"verify_result": [{"is_verify_passed": false, "code": "9",
            "verify_detail": {"risk_level": 2, "risk_tag": "tampered_device"}}]}"#,
    )
    .unwrap();
    assert_eq!(
        risky.verification_result().unwrap().reason,
        Some(FailureReason::LivenessFailed)
    );
    assert!(GetAllResult::default().verification_result().is_none());
    let not_verified = DetailOutcome::NotVerified {
        code: "216100".into(),
        message: "Token无效或者已过期".into(),
    };
    assert!(not_verified.verification_result(None).is_none());
}
