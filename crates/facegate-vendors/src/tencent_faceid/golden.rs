//! The documents' own examples, verbatim: DetectAuth's answers (the H5 example and the failure
//! example) and GetDetectInfoEnhanced's (the success example and the failure example).

use facegate_types::{ConfirmedBy, FailureReason};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use super::codes::{error_body, ResultState};
use super::types::*;
use crate::http::Reply;
use crate::VendorError;

/// DetectAuth, "H5获取BizToken成功示例": the output.
const DETECT_AUTH_H5: &str = r#"{
    "Response": {
        "BizToken": "CE661F1A-0F1E-45BD-BE13-34C05CEA7681",
        "Url": "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx2cca36a86d5035ae&redirect_uri=http%3A%2F%2Fopen.faceid.qq.com%2Fv1%2Fapi%2FgetCode%3FbizRedirect%3Dhttp%253A%252F%252Ffaceid.qq.com%252Fapi%252Fauth%252FgetOpenidAndSaveToken%253Ftoken%253DCE661F1A-0F1E-45BD-BE13-34C05CEA7681&response_type=code&scope=snsapi_base&state=&component_appid=wx9802ee81e68d6dee#wechat_redirect",
        "RequestId": "f904f4cf-75db-4f8f-a5ec-dc4f942c7f7a"
    }
}"#;

/// DetectAuth, "获取BizToken失败示例": the output.
const DETECT_AUTH_FAILED: &str = r#"{
    "Response": {
        "Error": {
            "Code": "InvalidParameterValue.RuleIdNotExist",
            "Message": "RuleId不存在，请到人脸核身控制台申请。"
        },
        "RequestId": "e90c9abf-dcb3-4efa-97fc-5c4501b8182c"
    }
}"#;

/// GetDetectInfoEnhanced, "获取所有类型的信息": the output.
const RESULT_PASSED: &str = r#"{
    "Response": {
        "Text": {
            "ErrCode": 0,
            "ErrMsg": "成功",
            "IdCard": "440111111111111111",
            "Name": "爱新觉罗永琪",
            "OcrNation": null,
            "OcrAddress": null,
            "OcrBirth": null,
            "OcrAuthority": null,
            "OcrValidDate": null,
            "OcrName": "爱新觉罗永琪",
            "OcrIdCard": "440111111111111111",
            "OcrGender": null,
            "LiveStatus": 0,
            "LiveMsg": "成功",
            "Comparestatus": 0,
            "Comparemsg": "成功",
            "Sim": "76.52",
            "Location": null,
            "Mobile": null,
            "Extra": "",
            "LivenessDetail": [
                {
                    "ReqTime": "1577179388135",
                    "Seq": "3d12da91-db34-4e55-81c3-993a41d7ccb7",
                    "Idcard": "440111111111111111",
                    "Name": "爱新觉罗永琪",
                    "Sim": "76.52",
                    "IsNeedCharge": true,
                    "Errcode": 0,
                    "Errmsg": "成功",
                    "Livestatus": 0,
                    "Livemsg": "成功",
                    "Comparestatus": 0,
                    "Comparemsg": "成功"
                }
            ]
        },
        "IdCardData": null,
        "BestFrame": null,
        "VideoData": null,
        "RequestId": "f52bac9a-0aee-4fe6-8d34-7de4bce89473"
    }
}"#;

/// GetDetectInfoEnhanced, "获取结果信息失败示例": the output.
const RESULT_FAILED: &str = r#"{
    "Response": {
        "Error": {
            "Code": "InvalidParameter",
            "Message": "非法BizToken。"
        },
        "RequestId": "0832c071-0c3e-4a1f-b7d3-4910221a1e18"
    }
}"#;

fn reply(body: &str) -> Reply {
    Reply {
        status: StatusCode::OK,
        headers: HeaderMap::new(),
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn detect_auth_example_parses_and_is_not_an_error() {
    assert!(error_body(&reply(DETECT_AUTH_H5)).is_none());
    let answer: Envelope<DetectAuthResponse> = reply(DETECT_AUTH_H5).json().unwrap();
    let answer = answer.response;
    assert_eq!(
        answer.biz_token.expose(),
        "CE661F1A-0F1E-45BD-BE13-34C05CEA7681"
    );
    assert!(answer.url.starts_with("https://open.weixin.qq.com/"));
    assert_eq!(answer.request_id, "f904f4cf-75db-4f8f-a5ec-dc4f942c7f7a");
}

#[test]
fn detect_auth_failure_example_names_the_rule_id() {
    match error_body(&reply(DETECT_AUTH_FAILED)) {
        Some(VendorError::InvalidRequest {
            code,
            message,
            field,
        }) => {
            assert_eq!(code, "InvalidParameterValue.RuleIdNotExist");
            assert_eq!(message, "RuleId不存在，请到人脸核身控制台申请。");
            assert_eq!(field.as_deref(), Some("RuleId"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn result_example_is_a_pass_with_its_similarity() {
    assert!(error_body(&reply(RESULT_PASSED)).is_none());
    let answer: Envelope<GetDetectInfoEnhancedResponse> = reply(RESULT_PASSED).json().unwrap();
    let answer = answer.response;
    let text = answer.text.as_ref().unwrap();
    assert_eq!(
        text.id_card.as_ref().unwrap().expose(),
        "440111111111111111"
    );
    assert_eq!(text.live_status, Some(0));
    assert_eq!(text.compare_status, Some(0));
    assert_eq!(text.extra.as_deref(), Some(""));
    let ResultState::Final(result) = answer.state() else {
        panic!("ErrCode 0 is a verdict");
    };
    assert!(result.passed);
    assert_eq!(result.reason, None);
    assert_eq!(result.scores.similarity, Some(76.52));
    assert_eq!(result.vendor_code.as_deref(), Some("0"));
    assert_eq!(result.vendor_message.as_deref(), Some("成功"));
    assert_eq!(result.confirmed_by, ConfirmedBy::VendorQuery);
    // Debug never prints the person.
    assert!(!format!("{answer:?}").contains("440111"));
}

#[test]
fn result_failure_example_is_an_invalid_request() {
    match error_body(&reply(RESULT_FAILED)) {
        Some(VendorError::InvalidRequest { code, message, .. }) => {
            assert_eq!(code, "InvalidParameter");
            assert_eq!(message, "非法BizToken。");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_failed_flow_keeps_its_code_and_message() {
    let body = RESULT_PASSED
        .replacen("\"ErrCode\": 0", "\"ErrCode\": 2016", 1)
        .replacen(
            "\"ErrMsg\": \"成功\"",
            "\"ErrMsg\": \"比对相似度未达到通过标准\"",
            1,
        );
    let answer: Envelope<GetDetectInfoEnhancedResponse> = reply(&body).json().unwrap();
    let ResultState::Final(result) = answer.response.state() else {
        panic!("2016 is a verdict");
    };
    assert!(!result.passed);
    assert_eq!(result.reason, Some(FailureReason::NotSamePerson));
    assert_eq!(result.vendor_code.as_deref(), Some("2016"));
    assert_eq!(
        result.vendor_message.as_deref(),
        Some("比对相似度未达到通过标准")
    );
}
