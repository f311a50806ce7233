//! WeChat mini-program face identify: `shared/seeds/003_799500754a0fe100.txt`, sections 三
//! (`wx.startFacialRecognitionVerify`, `getuseridkey`, the message push), 四 (`getinfo`) and 五
//! (`wx.checkIsSupportFacialRecognition`), plus the access token the seed assumes
//! (`cgi-bin/stable_token`, or the classic `cgi-bin/token`; VENDORS.md).
//!
//! - Tokens: [`WechatMiniClient`] takes its access token from a [`TokenCache`] (in memory by
//!   default; the server shares one through its database), fetches a new one when the cached
//!   one ends within [`REFRESH_MARGIN`], and on errcode 40001 / 42001 refreshes once and retries
//!   the call once. `stable_token` (the default) returns the same token while it is valid, so
//!   replicas do not invalidate each other; a stale token is refreshed with `force_refresh:
//!   false` first, and with `force_refresh: true` only when WeChat hands back the token it just
//!   refused.
//! - The verdict ([`verdict`]): passed only when errcode == 0, identify_ret == 0 and both
//!   `id_card_number_md5` (ID number with an upper-case X) and `name_utf8_md5` match the subject
//!   the merchant asked about; an MD5 that differs (or is missing) is `result_tampered`.
//! - The push (event `face_identify`) parses from the JSON form of the seed and from the XML
//!   form of WeChat's message push, with a small strict reader written here for the flat
//!   `<xml>` element (no DTDs, no nesting, CDATA and the five entities) rather than a crate:
//!   the message is one level deep and the reader is ~80 lines. Its URL is checked with
//!   `signature = SHA1(sort(token, timestamp, nonce))`, answering `echostr` on GET.
//!
//! Laid out as every vendor: `types.rs` (the wire types), `codes.rs` (errcodes, the verdict,
//! and the front-end tables from facegate-types), `client.rs`, `notify.rs` (the push) and
//! `golden.rs` (the seed's JSON examples).

mod client;
pub mod codes;
mod notify;
mod types;

pub use crate::token::{AccessToken, MemoryTokenCache, TokenCache};
pub use client::{TokenSource, WechatMiniClient, REFRESH_MARGIN};
pub use codes::{
    error, id_number_md5, name_md5, reason, user_id_key_error, verdict, CheckAliveType, Expected,
    FaceSupportReason, CHECK_SUPPORT_CODES, ERR_INVALID_TOKEN, ERR_TOKEN_EXPIRED, GETINFO_CODES,
};
pub use notify::{push_signature, PushError, PushMessage, PushQuery, MAX_PUSH_BYTES};
pub use types::*;

#[cfg(test)]
mod golden;
