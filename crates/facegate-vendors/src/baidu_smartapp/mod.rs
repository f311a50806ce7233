//! Baidu smart-program legal-person face authentication (seed 000,
//! `shared/seeds/000_e812d5b557580d1c.txt`: 人脸识别调起二维码 and 认证收费豁免).
//!
//! - `GET {openapi}/rest/2.0/smartapp/auth/faceauthen?access_token=...` -> a QR code (a
//!   `data:image/png;base64,...` URL) the legal person scans with the Baidu app, its `timeout`
//!   (unix seconds) and the task's [`LegalFaceStatus`].
//! - `GET {openapi}/rest/2.0/smartapp/auth/setexempt?access_token=...` -> the fee exemption's
//!   dates. Callable once per program: a repeat is [`VendorError::Conflict`] with the vendor's
//!   message ("不可重复开通").
//!
//! The access token is the *authorised program's* (a third-party platform acts for it), so the
//! merchant passes it with every call; this client holds no credentials of its own.
//!
//! Decisions where the seed is silent: it gives no error numbers, so a repeated setexempt is
//! recognised by its message (the seed's 不可重复开通提示: any message containing 重复), and
//! errno 110 / 111 (Baidu's general "access token invalid / expired" codes) are
//! [`VendorError::Unauthorized`]. `legal_face_status` is documented as a string but shown as a
//! number; both parse.
//!
//! Laid out as every vendor: `types.rs` (the wire types), `codes.rs` (the error shape),
//! `client.rs` and `golden.rs` (the seed's JSON examples). No notify: the merchant calls
//! faceauthen again to follow the task.
//!
//! [`VendorError::Conflict`]: crate::VendorError::Conflict
//! [`VendorError::Unauthorized`]: crate::VendorError::Unauthorized

mod client;
mod codes;
mod types;

pub use client::{SmartappClient, FACEAUTHEN_PATH, SETEXEMPT_PATH};
pub use types::{Exemption, FaceAuthen, LegalFaceStatus};

#[cfg(test)]
mod golden;
