//! The notify (seed 004, H5接入流程: `notify_url`): a form POST whose `data` field is a JSON
//! string. Only a hint: the client asks `get_result` before anything is believed.

use serde::Deserialize;

use crate::wire::{self, Pii};

/// The notify: a form POST whose field `data` is a JSON string `{biz_token, error_code,
/// error_msg}` (codes as in the result table). Only a hint: ask [`super::FaceidLiteClient::get_result`].
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Notify {
    pub biz_token: Pii,
    #[serde(default, deserialize_with = "wire::opt_string_or_number")]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_msg: Option<String>,
}

/// Why a notify body was not understood.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotifyError {
    #[error("the notify has no `data` form field")]
    MissingData,
    #[error("the notify's `data` is not the documented JSON: {0}")]
    BadData(String),
}

impl Notify {
    /// Parses the raw `application/x-www-form-urlencoded` body of a notify POST.
    pub fn from_form(body: &[u8]) -> Result<Self, NotifyError> {
        let data = url::form_urlencoded::parse(body)
            .find(|(key, _)| key == "data")
            .map(|(_, value)| value.into_owned())
            .ok_or(NotifyError::MissingData)?;
        Self::from_data(&data)
    }

    /// Parses the `data` field's JSON string.
    pub fn from_data(data: &str) -> Result<Self, NotifyError> {
        serde_json::from_str(data).map_err(|error| NotifyError::BadData(error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_data_parses_from_the_form_field() {
        let data = r#"{"biz_token":"1462257147,34fb","error_code":"1000","error_msg":"SUCCESS"}"#;
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("data", data)
            .finish();
        let notify = Notify::from_form(body.as_bytes()).unwrap();
        assert_eq!(notify.biz_token.expose(), "1462257147,34fb");
        assert_eq!(notify.error_code.as_deref(), Some("1000"));
        let numeric =
            Notify::from_data(r#"{"biz_token":"t","error_code":4200,"error_msg":"NO_AUDIO"}"#)
                .unwrap();
        assert_eq!(numeric.error_code.as_deref(), Some("4200"));
        assert_eq!(Notify::from_form(b"other=1"), Err(NotifyError::MissingData));
        assert!(matches!(
            Notify::from_form(b"data=%7Bnope"),
            Err(NotifyError::BadData(_))
        ));
    }
}
