//! Golden tests over the documents' examples. The MetaInfo and OuterOrderNo are the
//! InitFaceVerify table's example values verbatim; the answers are assembled from the
//! DescribeFaceVerify / InitFaceVerify tables' example values (RequestId, Code, Message,
//! Passed, SubCode, IdentityInfo, DeviceToken, DeviceRisk, CertifyId), as the documents list
//! them field by field.

use facegate_types::FailureReason;

use super::*;

/// InitFaceVerify's `MetaInfo` example, verbatim.
const META_INFO_EXAMPLE: &str = r#"{"zimVer":"3.0.0","appVersion": "1","bioMetaInfo": "4.1.0:1150****,0","appName": "com.aliyun.antcloudauth","deviceType": "ios","osVersion": "iOS 10.3.2","apdidToken": "","deviceModel": "iPhone9,1"}"#;

const DESCRIBE_EXAMPLE: &str = r#"{
  "RequestId": "130A2C10-B9EE-4D84-88E3-5384FF039795",
  "Message": "success",
  "Code": "200",
  "ResultObject": {
    "Passed": "T",
    "SubCode": "200",
    "IdentityInfo": null,
    "DeviceToken": "McozS1ZWRcRZStlERcZZo_QOytx5jcgZoZJEoRLOxxxxxxx",
    "DeviceRisk": "ROOT,VPN,HOOK"
  }
}"#;

const INIT_EXAMPLE: &str = r#"{
  "RequestId": "130A2C10-B9EE-4D84-88E3-5384FF039795",
  "Message": "success",
  "Code": "200",
  "ResultObject": {
    "CertifyId": "91707dc296d469ad38e4c5efa6a0****",
    "CertifyUrl": "https://m.alipay.com/Gk8NF9p?certifyId=91707dc296d469ad38e4c5efa6a0****"
  }
}"#;

#[test]
fn the_describe_example_is_a_pass_with_its_risk_tags() {
    let answer: Answer<DescribeFaceVerifyResult> = serde_json::from_str(DESCRIBE_EXAMPLE).unwrap();
    assert_eq!(answer.code, "200");
    assert_eq!(answer.request_id, "130A2C10-B9EE-4D84-88E3-5384FF039795");
    let result = answer.result_object.unwrap();
    let CertifyState::Final {
        result: verdict,
        device_risk,
    } = result.state()
    else {
        panic!("the example is final");
    };
    assert!(verdict.passed);
    assert_eq!(verdict.reason, None);
    assert_eq!(verdict.vendor_code.as_deref(), Some("200"));
    assert_eq!(verdict.vendor_message.as_deref(), Some("认证通过"));
    assert_eq!(device_risk, ["ROOT", "VPN", "HOOK"]);
}

#[test]
fn the_init_example_names_its_certify_id_and_url() {
    let answer: Answer<InitFaceVerifyResult> = serde_json::from_str(INIT_EXAMPLE).unwrap();
    let result = answer.result_object.unwrap();
    assert_eq!(result.certify_id, "91707dc296d469ad38e4c5efa6a0****");
    assert!(result.certify_url.unwrap().starts_with("https://"));
}

#[test]
fn the_meta_info_example_is_accepted_and_sent_as_given() {
    let request = InitFaceVerifyRequest {
        scene_id: 1_000_000_006,
        outer_order_no: "e0c34a77f5ac40a5aa5e6ed20c353888".into(),
        cert_name: "张三".into(),
        cert_no: "330103199001010013".into(),
        return_url: "https://facegate.example/v1/return/vs_1".parse().unwrap(),
        callback_url: "https://facegate.example/v1/callbacks/aliyun_cloudauth?session=vs_1"
            .parse()
            .unwrap(),
        callback_token: "t".into(),
        meta_info: META_INFO_EXAMPLE.into(),
    };
    let parameters = request.parameters().unwrap();
    let get = |key: &str| {
        parameters
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("MetaInfo"), Some(META_INFO_EXAMPLE));
    assert_eq!(get("ProductCode"), Some("ID_PRO"));
    assert_eq!(get("CertType"), Some("IDENTITY_CARD"));
    assert_eq!(get("SceneId"), Some("1000000006"));
    // Malformed MetaInfo never reaches Alibaba.
    for bad in ["", "not json", "[]", "{}", "\"x\""] {
        let request = InitFaceVerifyRequest {
            meta_info: bad.into(),
            ..request.clone()
        };
        assert!(matches!(
            request.parameters(),
            Err(crate::VendorError::InvalidRequest { field: Some(f), .. }) if f == "MetaInfo"
        ));
    }
    let long = InitFaceVerifyRequest {
        outer_order_no: "vs_1".into(),
        ..request
    };
    assert!(long.parameters().is_err());
}

#[test]
fn the_sub_code_table_covers_four_failure_families() {
    let reasons: Vec<_> = ["201", "204", "205", "209"]
        .iter()
        .map(|code| sub_code(code).0)
        .collect();
    assert_eq!(
        reasons,
        [
            Some(FailureReason::IdentityMismatch),
            Some(FailureReason::NotSamePerson),
            Some(FailureReason::LivenessFailed),
            Some(FailureReason::VendorError),
        ]
    );
}
