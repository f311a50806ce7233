//! The seed's JSON examples (002: 请求示例, 响应示例), and the tests that parse them.

use facegate_types::NextAction;

use super::types::*;

#[test]
fn golden_request_example() {
    let example: serde_json::Value = serde_json::from_str(
        r#"{
  "name": "张三",
  "idNo": "320926xxxxxxxx5276",
  "faceauthMode": "WE_CHAT_FACE",
  "repetition": true,
  "callbackUrl": "http://www.baidu.com",
  "contextId": "201908221430111",
  "notifyUrl": "http://www.baidu.com"
}"#,
    )
    .unwrap();
    let ours = FaceAuthRequest {
        name: "张三".into(),
        id_no: "320926xxxxxxxx5276".into(),
        faceauth_mode: FaceauthMode::WeChatFace,
        callback_url: "http://www.baidu.com".into(),
        context_id: Some("201908221430111".into()),
        notify_url: Some("http://www.baidu.com".into()),
        repetition: Some(true),
    };
    assert_eq!(serde_json::to_value(&ours).unwrap(), example);
    assert!(!format!("{ours:?}").contains("张三"));
}

#[test]
fn golden_response_example() {
    let answer: FaceAuthAnswer = serde_json::from_str(
            r#"{
  "code": 0,
  "message": "成功",
  "data": {
    "flowId": "1862291536444700249",
    "authUrl": "https://smlt.tsign.cn/I7vLahiqTMqT",
    "originalUrl": "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx1cf2708c2de46337&redirect_uri=https%3A%2F%2Fopen.faceid.qq.com%2Fv1%2Fapi%2FgetCode%3FbizRedirect%3Dhttps%253A%252F%252Ffaceid.qq.com%252Fapi%252Fauth%252FgetOpenidAndSaveToken%253Ftoken%253D2F803B97-0B3A-4EE0-A8A4-44564A292492&response_type=code&scope=snsapi_base&state=&component_appid=wx9802ee81e68d6dee#wechat_redirect",
    "faceToken": "2F803B97-0B3A-4EE0-A8A4-44564A292492",
    "expire": 1625737347563
  }
}"#,
        )
        .unwrap();
    assert_eq!(answer.code, 0);
    let data = answer.data.unwrap();
    assert_eq!(data.flow_id, "1862291536444700249");
    assert_eq!(data.expire, Some(1625737347563));
    assert_eq!(
        data.next_action(Surface::Browser).unwrap(),
        NextAction::Redirect {
            url: "https://smlt.tsign.cn/I7vLahiqTMqT".into()
        }
    );
    match data.next_action(Surface::MiniProgramWebView).unwrap() {
        NextAction::WebView { url, face_token } => {
            assert!(url.ends_with("#wechat_redirect"));
            assert_eq!(
                face_token.as_deref(),
                Some("2F803B97-0B3A-4EE0-A8A4-44564A292492")
            );
        }
        other => panic!("{other:?}"),
    }
    let strings: FaceAuthAnswer = serde_json::from_str(
        r#"{"code": "0", "message": "成功", "data": {"flow_id": 186, "expire": "1625737347563"}}"#,
    )
    .unwrap();
    assert_eq!(strings.data.unwrap().flow_id, "186");
}
