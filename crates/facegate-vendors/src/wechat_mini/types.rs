//! The documented request and response bodies (seed 003 三、四; the token endpoints of
//! VENDORS.md), field names as WeChat spells them. Names, ID numbers and keys are [`Pii`].

use serde::{Deserialize, Serialize};

use crate::wire::{self, Pii};

/// `POST /cgi-bin/stable_token`.
#[derive(Clone, Serialize)]
pub struct StableTokenRequest<'a> {
    pub grant_type: &'static str,
    pub appid: &'a str,
    pub secret: &'a str,
    pub force_refresh: bool,
}

/// The answer of both token endpoints.
#[derive(Clone, Debug, Deserialize)]
pub struct TokenAnswer {
    pub access_token: Pii,
    #[serde(deserialize_with = "wire::i64_or_string")]
    pub expires_in: i64,
}

// ---------------------------------------------------------------------------------------------
// getuseridkey / getinfo
// ---------------------------------------------------------------------------------------------

/// `POST /cityservice/face/identify/getuseridkey`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GetUserIdKeyRequest {
    pub name: Pii,
    pub id_card_number: Pii,
    /// The merchant's unique serial number; when set, WeChat pushes `face_identify`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_seq_no: Option<String>,
}

/// Its answer.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct UserIdKey {
    #[serde(default, deserialize_with = "wire::i64_or_string")]
    pub errcode: i64,
    #[serde(default)]
    pub errmsg: String,
    /// For `wx.startFacialRecognitionVerify({userIdKey})`.
    pub user_id_key: Pii,
    /// Seconds.
    #[serde(deserialize_with = "wire::i64_or_string")]
    pub expires_in: i64,
}

/// `POST /cityservice/face/identify/getinfo`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GetInfoRequest {
    pub verify_result: Pii,
}

/// Its answer. errcode 84001 / 84002 / 84003 come back here too (they decide the session);
/// other errcodes are errors of the call.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct IdentifyInfo {
    #[serde(default, deserialize_with = "wire::i64_or_string")]
    pub errcode: i64,
    #[serde(default)]
    pub errmsg: String,
    #[serde(default, deserialize_with = "wire::opt_i64_or_string")]
    pub identify_ret: Option<i64>,
    #[serde(default, deserialize_with = "wire::opt_i64_or_string")]
    pub identify_time: Option<i64>,
    /// The digits the user read aloud.
    #[serde(default, deserialize_with = "wire::opt_string_or_number")]
    pub validate_data: Option<String>,
    #[serde(default)]
    pub openid: Option<String>,
    #[serde(default)]
    pub user_id_key: Option<Pii>,
    #[serde(default, deserialize_with = "wire::opt_i64_or_string")]
    pub finish_time: Option<i64>,
    #[serde(default)]
    pub id_card_number_md5: Option<String>,
    #[serde(default)]
    pub name_utf8_md5: Option<String>,
}
