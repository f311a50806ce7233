//! Who may see the admin surface: the holder of FACEGATE_ADMIN_KEY, presented once on the login
//! form (then a signed, expiring session cookie: HttpOnly, SameSite=Strict, Path=/admin, Secure
//! when the public URL is https) or as `Authorization: Bearer <admin key>` on `/admin/api`.
//! The cookie's key and the CSRF key are derived from the admin key, so changing the admin key
//! ends every session; "Log out" ends one, on every replica (its hash is kept in the store until
//! the cookie would have expired). Forms that change something carry a CSRF token tied to the
//! session.

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, Key, SameSite, SignedCookieJar};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use hmac::{Hmac, Mac};
use rand::distributions::{Alphanumeric, DistString};
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;

use crate::app::AppState;
use crate::domain::secret_hash;
use crate::error::AppError;
use crate::store::Store;

pub const COOKIE: &str = "facegate_admin";
/// How long a login lasts.
const SESSION: time::Duration = time::Duration::hours(12);
/// Login attempts per minute, for the whole server (a key guesser gets nowhere).
const LOGINS_PER_MINUTE: u32 = 10;

pub struct AdminAuth {
    key_hash: Vec<u8>,
    cookie_key: Key,
    csrf_key: Vec<u8>,
    secure: bool,
    logins: DefaultDirectRateLimiter,
}

/// A logged-in admin (from the cookie).
pub struct AdminSession {
    /// The token the page's forms carry.
    pub csrf: String,
    /// The hash of the cookie's value: what a logout records.
    pub id: Vec<u8>,
    /// When the cookie runs out.
    pub expires_at: time::OffsetDateTime,
}

impl AdminAuth {
    pub fn new(admin_key: &str, secure: bool) -> Arc<Self> {
        let mut material = Sha512::new();
        material.update(b"facegate admin session cookie\0");
        material.update(admin_key.as_bytes());
        let mut csrf = Sha256::new();
        csrf.update(b"facegate admin csrf\0");
        csrf.update(admin_key.as_bytes());
        let per_minute = NonZeroU32::new(LOGINS_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        Arc::new(Self {
            key_hash: secret_hash(admin_key),
            cookie_key: Key::from(material.finalize().as_slice()),
            csrf_key: csrf.finalize().to_vec(),
            secure,
            logins: RateLimiter::direct(Quota::per_minute(per_minute)),
        })
    }

    /// The presented key is the admin key (compared in constant time, as hashes).
    pub fn key_matches(&self, presented: &str) -> bool {
        bool::from(secret_hash(presented.trim()).ct_eq(&self.key_hash))
    }

    /// Counts a login attempt; false when over the limit.
    pub fn login_allowed(&self) -> bool {
        self.logins.check().is_ok()
    }

    /// A new session cookie: `<expiry unix seconds>.<random>`, signed.
    pub fn login(&self, headers: &HeaderMap) -> SignedCookieJar {
        let expires = crate::session::now() + SESSION;
        let value = format!(
            "{}.{}",
            expires.unix_timestamp(),
            Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
        );
        let cookie = Cookie::build((COOKIE, value))
            .path("/admin")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .max_age(SESSION)
            .build();
        self.jar(headers).add(cookie)
    }

    pub fn logout(&self, headers: &HeaderMap) -> SignedCookieJar {
        self.jar(headers)
            .remove(Cookie::build(COOKIE).path("/admin").build())
    }

    fn jar(&self, headers: &HeaderMap) -> SignedCookieJar {
        SignedCookieJar::from_headers(headers, self.cookie_key.clone())
    }

    /// The session the request's cookie proves, if it is genuine and unexpired (whether it was
    /// logged out is the store's to say: [`AdminAuth::live_session`]).
    pub fn session(&self, headers: &HeaderMap) -> Option<AdminSession> {
        let cookie = self.jar(headers).get(COOKIE)?;
        let value = cookie.value();
        let (expires, _) = value.split_once('.')?;
        let expires_at = time::OffsetDateTime::from_unix_timestamp(expires.parse().ok()?).ok()?;
        (expires_at > crate::session::now()).then(|| AdminSession {
            csrf: self.csrf_for(value),
            id: secret_hash(value),
            expires_at,
        })
    }

    /// [`AdminAuth::session`], unless it was logged out.
    pub async fn live_session(
        &self,
        headers: &HeaderMap,
        store: &dyn Store,
    ) -> Result<Option<AdminSession>, AppError> {
        let Some(session) = self.session(headers) else {
            return Ok(None);
        };
        Ok((!store.admin_session_ended(&session.id).await?).then_some(session))
    }

    fn csrf_for(&self, session: &str) -> String {
        // HMAC takes keys of any length.
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.csrf_key).unwrap_or_else(|_| unreachable!());
        mac.update(session.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn bearer_matches(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .is_some_and(|key| self.key_matches(key))
    }
}

impl AdminSession {
    pub fn csrf_matches(&self, presented: &str) -> bool {
        bool::from(self.csrf.as_bytes().ct_eq(presented.as_bytes()))
    }
}

fn auth(parts: &Parts) -> Option<Arc<AdminAuth>> {
    parts.extensions.get::<Arc<AdminAuth>>().cloned()
}

/// The pages: a logged-in session, or a redirect to the login form.
impl FromRequestParts<AppState> for AdminSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(auth) = auth(parts) else {
            return Err(Redirect::to("/admin/login").into_response());
        };
        match auth
            .live_session(&parts.headers, state.core.store.as_ref())
            .await
        {
            Ok(Some(session)) => Ok(session),
            Ok(None) => Err(Redirect::to("/admin/login").into_response()),
            Err(error) => Err(error.into_response()),
        }
    }
}

/// `/admin/api`: the admin key as a bearer token, or a logged-in session's cookie (the API
/// only reads, and SameSite=Strict keeps other sites' requests from carrying the cookie).
pub struct AdminClient;

impl FromRequestParts<AppState> for AdminClient {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let auth = auth(parts).ok_or(AppError::NotFound("no such resource"))?;
        if auth.bearer_matches(&parts.headers)
            || auth
                .live_session(&parts.headers, state.core.store.as_ref())
                .await?
                .is_some()
        {
            Ok(AdminClient)
        } else {
            Err(AppError::Unauthorized(
                "send the admin key as `Authorization: Bearer <admin key>`, or log in at /admin/login",
            ))
        }
    }
}

/// The shared state of the admin routes, for handlers that take it whole.
pub struct Auth(pub Arc<AdminAuth>);

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        auth(parts)
            .map(Auth)
            .ok_or(AppError::NotFound("no such resource"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_cookie(jar: SignedCookieJar) -> HeaderMap {
        let response = (jar, "").into_response();
        let set = response
            .headers()
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict"),
            "{set}"
        );
        let pair = set.split(';').next().unwrap().to_owned();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, pair.parse().unwrap());
        headers
    }

    #[test]
    fn a_login_cookie_proves_a_session_to_this_key_only() {
        let auth = AdminAuth::new("admin-key-0123456789", false);
        let headers = with_cookie(auth.login(&HeaderMap::new()));
        let session = auth.session(&headers).expect("a session");
        assert!(session.csrf_matches(&session.csrf));
        assert!(!session.csrf_matches("0000"));
        let other = AdminAuth::new("another-admin-key-0123", false);
        assert!(other.session(&headers).is_none());
        let mut forged = HeaderMap::new();
        forged.insert(
            header::COOKIE,
            "facegate_admin=9999999999.x".parse().unwrap(),
        );
        assert!(auth.session(&forged).is_none());
    }

    #[test]
    fn the_key_is_compared_exactly() {
        let auth = AdminAuth::new("admin-key-0123456789", true);
        assert!(auth.key_matches("admin-key-0123456789"));
        assert!(!auth.key_matches("admin-key-012345678"));
        let set = (auth.login(&HeaderMap::new()), "").into_response();
        let set = set.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            set.contains("Secure") && set.contains("Path=/admin"),
            "{set}"
        );
    }
}
