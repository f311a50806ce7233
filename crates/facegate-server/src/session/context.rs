//! What the session core works with, and nothing more: the store, the providers, the PII
//! cipher, a clock, the URLs handed to vendors, and the two settings it reads.

use std::sync::Arc;

use facegate_types::Provider;
use time::OffsetDateTime;
use url::Url;

use crate::pii::PiiCipher;
use crate::providers::Providers;
use crate::store::Store;

/// The session core's context: built once with the application (`App::core`), cloned cheaply
/// into workers and tests. Every field is public, so a test builds one from a real store and
/// a real provider without the HTTP side.
#[derive(Clone)]
pub struct SessionContext {
    pub store: Arc<dyn Store>,
    pub providers: Providers,
    /// Seals the subject and the client secret at rest, and the kept vendor images.
    pub pii: PiiCipher,
    pub clock: Clock,
    /// Where vendors send the browser back and post their notifies.
    pub urls: Urls,
    /// Whether the images a vendor's confirming answer carries are kept (sealed), i.e.
    /// `media_retention_days` > 0; off, they never reach the store.
    pub keep_media: bool,
    /// A read ([`super::Freshness::Recent`]) asks the vendor at most this often.
    pub refresh_interval: time::Duration,
}

/// The session core's time: the system's, to the millisecond (the precision the store keeps,
/// so a session reads back as written), moved by a fixed shift that tests use to stand past
/// a vendor's expiry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    shift: time::Duration,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// This clock, `by` later (negative: earlier).
    pub fn shifted(self, by: time::Duration) -> Self {
        Self {
            shift: self.shift + by,
        }
    }

    /// Now, to the millisecond.
    pub fn now(&self) -> OffsetDateTime {
        super::now() + self.shift
    }
}

/// The URLs facegate hands out, all under its public base (`FACEGATE_PUBLIC_URL`).
#[derive(Clone, Debug)]
pub struct Urls {
    public: Url,
}

impl Urls {
    /// `public` with a trailing slash, so relative paths join under it.
    pub fn new(public: Url) -> Self {
        let mut public = public;
        if !public.path().ends_with('/') {
            let path = format!("{}/", public.path());
            public.set_path(&path);
        }
        Self { public }
    }

    /// `path` (relative, ours) under the public base.
    pub fn public_url(&self, path: &str) -> Url {
        self.public
            .join(path)
            .unwrap_or_else(|_| self.public.clone())
    }

    /// `/v1/return/{id}`: where the vendor sends the browser back.
    pub fn return_url(&self, verification_id: &str) -> Url {
        self.public_url(&format!("v1/return/{verification_id}"))
    }

    /// `/v1/callbacks/{provider}`: where the vendor posts its notify.
    pub fn callback_url(&self, provider: Provider) -> Url {
        self.public_url(&format!("v1/callbacks/{provider}"))
    }

    pub fn base(&self) -> &Url {
        &self.public
    }
}
