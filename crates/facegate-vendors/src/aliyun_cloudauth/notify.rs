//! The callback (`CallbackUrl`): when a certification ends, Alibaba calls the URL with `GET`,
//! adding `certifyId`, `passed`, `subcode` and, when the request set one, `callbackToken` to its
//! query. Alibaba does not sign it; the `CallbackToken` facegate chose is the only proof it
//! came from Alibaba. Only a hint either way: the verdict is `DescribeFaceVerify`'s.
//!
//! facegate's `CallbackToken` is per session and needs no storage:
//! `hex(HMAC-SHA256(AccessKeySecret, "facegate-callback-token:" + session id))`, and the
//! `CallbackUrl` carries the session id (`?session=vs_...`), so a callback is checked with the
//! session it names, and the session core then refuses it if the `certifyId` belongs to
//! another one.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::wire::{self, Pii};

/// The callback's query, as Alibaba adds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Notify {
    /// `certifyId`.
    pub certify_id: String,
    /// `passed`: `T` or `F` (a hint only).
    pub passed: Option<String>,
    /// `subcode` (a hint only).
    pub sub_code: Option<String>,
    /// `callbackToken`.
    pub callback_token: Option<Pii>,
    /// `session`: the session id facegate put in its own `CallbackUrl`.
    pub session: Option<String>,
}

/// Why a callback was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotifyError {
    #[error("the callback has no certifyId")]
    MissingCertifyId,
    #[error("the callback names no session")]
    MissingSession,
    #[error("the callback's callbackToken is missing or wrong")]
    BadToken,
}

impl Notify {
    /// Parses the raw query string of the callback.
    pub fn from_query(query: &str) -> Result<Self, NotifyError> {
        let mut notify = Notify {
            certify_id: String::new(),
            passed: None,
            sub_code: None,
            callback_token: None,
            session: None,
        };
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = value.into_owned();
            match key.as_ref() {
                "certifyId" => notify.certify_id = value,
                "passed" => notify.passed = Some(value),
                "subcode" => notify.sub_code = Some(value),
                "callbackToken" => notify.callback_token = Some(Pii::new(value)),
                "session" => notify.session = Some(value),
                _ => {}
            }
        }
        if notify.certify_id.trim().is_empty() {
            return Err(NotifyError::MissingCertifyId);
        }
        Ok(notify)
    }

    /// Checks the `callbackToken` against the session the callback names, in constant time.
    /// Returns that session id.
    pub fn verify(&self, access_key_secret: &str) -> Result<&str, NotifyError> {
        let session = self
            .session
            .as_deref()
            .filter(|session| !session.is_empty())
            .ok_or(NotifyError::MissingSession)?;
        let given = self.callback_token.as_ref().ok_or(NotifyError::BadToken)?;
        let expected = callback_token(access_key_secret, session);
        if wire::same_bytes(given.expose().as_bytes(), expected.expose().as_bytes()) {
            Ok(session)
        } else {
            Err(NotifyError::BadToken)
        }
    }
}

/// The `CallbackToken` of one session (see the module's docs).
pub fn callback_token(access_key_secret: &str, session_id: &str) -> Pii {
    let mut mac = Hmac::<Sha256>::new_from_slice(access_key_secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(b"facegate-callback-token:");
    mac.update(session_id.as_bytes());
    Pii::new(hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_callback_is_checked_against_its_sessions_token() {
        let token = callback_token("secret", "vs_1");
        let query = format!(
            "session=vs_1&certifyId=91707dc296d469ad38e4c5efa6a0xxxx&passed=T&subcode=200&callbackToken={}",
            token.expose()
        );
        let notify = Notify::from_query(&query).unwrap();
        assert_eq!(notify.certify_id, "91707dc296d469ad38e4c5efa6a0xxxx");
        assert_eq!(notify.verify("secret"), Ok("vs_1"));
        assert_eq!(notify.verify("other"), Err(NotifyError::BadToken));
        // The token of one session does not open another.
        let moved = query.replace("session=vs_1", "session=vs_2");
        assert_eq!(
            Notify::from_query(&moved).unwrap().verify("secret"),
            Err(NotifyError::BadToken)
        );
        let no_token = Notify::from_query("session=vs_1&certifyId=c").unwrap();
        assert_eq!(no_token.verify("secret"), Err(NotifyError::BadToken));
        assert_eq!(
            Notify::from_query("passed=T"),
            Err(NotifyError::MissingCertifyId)
        );
        assert_ne!(
            callback_token("secret", "vs_1"),
            callback_token("secret", "vs_2")
        );
    }
}
