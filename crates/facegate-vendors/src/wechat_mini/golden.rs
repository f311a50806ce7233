//! The seed's JSON examples (003), and the tests that parse them.

use facegate_types::FailureReason;

use super::codes::{verdict, Expected};
use super::notify::PushMessage;
use super::types::*;

const NAME: &str = "张三";
const ID: &str = "11010519491231002x";

/// A session's expectations (its own user_id_key, which the seed's examples do not carry).
fn expected<'a>(name: &'a str, id_number: &'a str) -> Expected<'a> {
    Expected {
        user_id_key: "id_key_of_this_session",
        name,
        id_number,
    }
}

#[test]
fn golden_getuseridkey_examples() {
    // The request example quotes 张三 with typographic quotes (“张三”): not valid JSON;
    // this is the obvious valid form, and our request serialises to the same shape.
    let example: serde_json::Value = serde_json::from_str(
        r#"{
"name" : "张三",
"id_card_number" : "452122xxxxxxx43215"
}"#,
    )
    .unwrap();
    let ours = serde_json::to_value(GetUserIdKeyRequest {
        name: "张三".into(),
        id_card_number: "452122xxxxxxx43215".into(),
        out_seq_no: None,
    })
    .unwrap();
    assert_eq!(ours, example);
    // The answer example, verbatim.
    let answer: UserIdKey = serde_json::from_str(
        r#"{
"errcode" : 0, "errmsg" : "ok",
"user_id_key" : "id_key_xxxx", "expires_in": 3600
} "#,
    )
    .unwrap();
    assert_eq!(answer.user_id_key.expose(), "id_key_xxxx");
    assert_eq!(answer.expires_in, 3600);
}

#[test]
fn golden_getinfo_example() {
    // The seed's example misses a comma after identify_time and its closing brace: this is
    // the obvious valid form.
    let info: IdentifyInfo = serde_json::from_str(
        r#"{
"errcode" : 0,
"errmsg" : "ok", "identify_ret" : 0,
"identify_time" : 1486350357,
"validate_data": "8593"
}"#,
    )
    .unwrap();
    assert_eq!(info.identify_ret, Some(0));
    assert_eq!(info.identify_time, Some(1486350357));
    assert_eq!(info.validate_data.as_deref(), Some("8593"));
    // Without the MD5s the answer cannot pass.
    assert_eq!(
        verdict(&info, &expected(NAME, ID)).reason,
        Some(FailureReason::ResultTampered)
    );
}

const PUSH_EXAMPLE: &str = r#"{
	"ToUserName": "gh_81fxxxxxxxx",
	"FromUserName": "oRRn15NUibBxxxxxxxxx",
	"CreateTime": 1703657835,
	"MsgType": "event",
	"Event": "face_identify",
	"openid": "oRRn15NUibBxxxxxxxxx",
	"out_seq_no": "test1234",
	"verify_result": "XXIzTtMqCxwOaawoE91-VNGAC3v1j9MP-5fZJxv0fYT4aGezzvYlUb-n6RWQa7XeJpQo0teKj8mGE4ZcRe1JI3GqzADBYORBu613rKjKAFfEXTXw_bu1bs7MnmPOpguS"
}"#;

#[test]
fn golden_push_example_and_its_xml_form() {
    let json = PushMessage::parse(PUSH_EXAMPLE.as_bytes()).unwrap();
    assert!(json.is_face_identify());
    assert_eq!(json.create_time, Some(1703657835));
    assert_eq!(json.out_seq_no.as_deref(), Some("test1234"));
    assert!(json
        .verify_result
        .as_ref()
        .unwrap()
        .expose()
        .starts_with("XXIzTtMq"));

    let xml = r#"<?xml version="1.0"?>
<xml>
  <ToUserName><![CDATA[gh_81fxxxxxxxx]]></ToUserName>
  <FromUserName><![CDATA[oRRn15NUibBxxxxxxxxx]]></FromUserName>
  <CreateTime>1703657835</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[face_identify]]></Event>
  <openid><![CDATA[oRRn15NUibBxxxxxxxxx]]></openid>
  <out_seq_no>test&amp;1234</out_seq_no>
  <verify_result><![CDATA[XXIzTtMqCxwOaawoE91-VNGAC3v1j9MP-5fZJxv0fYT4aGezzvYlUb-n6RWQa7XeJpQo0teKj8mGE4ZcRe1JI3GqzADBYORBu613rKjKAFfEXTXw_bu1bs7MnmPOpguS]]></verify_result>
</xml>"#;
    let parsed = PushMessage::parse(xml.as_bytes()).unwrap();
    assert_eq!(parsed.out_seq_no.as_deref(), Some("test&1234"));
    assert_eq!(parsed.verify_result, json.verify_result);
    assert_eq!(parsed.create_time, json.create_time);
    assert!(parsed.is_face_identify());
}
