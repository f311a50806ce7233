//! The session core without a router: create, observe, cancel and evidence spending against a
//! real SQLite store and the sandbox provider over real HTTP (`facegate_sandbox`), as a worker
//! or a callback drives them.

use std::sync::Arc;

use facegate_sandbox::Running;
use facegate_types::{ConfirmedBy, NextAction, Provider, ProviderOptions, VerificationStatus};
use facegate_vendors::sandbox::SandboxClient;
use secrecy::SecretString;
use url::Url;

use super::*;
use crate::domain::{ClientSecret, IdNumber, PersonName, ReturnUrl, ReturnUrlPolicy, Subject};
use crate::pii::PiiCipher;
use crate::providers::sandbox::SandboxProvider;
use crate::providers::{Evidence, ProviderError, Providers};
use crate::store::{ListFilter, SessionRecord};

const NAME: &str = "张三";
const ID_NUMBER: &str = "110101199003074514";
/// 32 bytes, standard base64.
const PII_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/// A session core over an in-memory SQLite store and a sandbox of its own on loopback.
struct Core {
    context: SessionContext,
    sandbox: Running,
}

impl Core {
    async fn start() -> Self {
        let sandbox = facegate_sandbox::spawn_on_loopback()
            .await
            .expect("a sandbox on loopback");
        let client = SandboxClient::new(reqwest::Client::new(), sandbox.base.clone(), "sandbox");
        let mut providers = Providers::default();
        providers.register(Arc::new(SandboxProvider::new(
            client,
            std::time::Duration::from_secs(7200),
        )));
        let context = SessionContext {
            store: crate::store::connect("sqlite::memory:")
                .await
                .expect("an in-memory store"),
            providers,
            pii: PiiCipher::new(&SecretString::from(PII_KEY), &[]).expect("a PII key"),
            clock: Clock::system(),
            // Nothing listens there: the sandbox's notifies are lost, as a vendor's may be.
            urls: Urls::new(Url::parse("http://127.0.0.1:9/").expect("a URL")),
            keep_media: false,
            refresh_interval: time::Duration::seconds(2),
        };
        Self { context, sandbox }
    }

    fn request(&self) -> NewSession {
        let policy = ReturnUrlPolicy::new(&["https://shop.example".to_owned()], false)
            .expect("an allowlist");
        NewSession {
            provider: Provider::Sandbox,
            reference: None,
            subject: Some(Subject {
                name: PersonName::parse(NAME).expect("a name"),
                id_number: IdNumber::parse(ID_NUMBER).expect("an ID number"),
            }),
            return_url: ReturnUrl::parse("https://shop.example/done", &policy)
                .expect("an allowed return URL"),
            reference_image: None,
            reference_image_2: None,
            options: ProviderOptions::default(),
            api_key_id: Some("key_test".into()),
            idempotency_key: None,
            caps: None,
        }
    }

    async fn create(&self) -> (SessionRecord, String) {
        create(&self.context, self.request())
            .await
            .expect("the sandbox starts a session")
    }

    /// The user picks `outcome` on the sandbox's page (the browser's part of the flow).
    async fn finish_page(&self, record: &SessionRecord, outcome: &str) {
        let Some(NextAction::Redirect { url }) = &record.next_action else {
            panic!("a sandbox session redirects: {:?}", record.next_action);
        };
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        let answer = browser
            .post(url)
            .form(&[("outcome", outcome)])
            .send()
            .await
            .expect("the sandbox page answers");
        assert!(answer.status().is_redirection(), "{}", answer.status());
    }

    async fn stored(&self, id: &str) -> SessionRecord {
        self.context
            .store
            .get(id)
            .await
            .expect("the store answers")
            .expect("the session is stored")
    }

    async fn event_kinds(&self, id: &str) -> Vec<String> {
        let events = self.context.store.events_for(id).await.expect("events");
        events.into_iter().map(|event| event.kind).collect()
    }

    fn result_queries(&self) -> u64 {
        self.sandbox.counters.snapshot(false).result_queries_total
    }
}

#[tokio::test]
async fn create_starts_the_session_at_the_vendor_and_seals_the_subject() {
    let core = Core::start().await;
    let (record, secret) = core.create().await;
    assert_eq!(record.status, VerificationStatus::Pending);
    assert!(record.vendor_ref.is_some());
    assert!(matches!(
        record.next_action,
        Some(NextAction::Redirect { .. })
    ));
    assert!(ClientSecret::matches(&secret, &record.client_secret_hash));

    let stored = core.stored(&record.id).await;
    assert_eq!(stored.vendor_ref, record.vendor_ref);
    assert_eq!(stored.version, record.version);
    let sealed = stored.subject.as_ref().expect("a sealed subject");
    assert_eq!(sealed.id_number_masked, "110***********4514");
    assert!(!String::from_utf8_lossy(&sealed.id_number).contains(ID_NUMBER));
    let subject = open_subject(&core.context, &stored)
        .expect("the subject opens")
        .expect("a subject");
    assert_eq!(subject.id_number.expose(), ID_NUMBER);
}

#[tokio::test]
async fn a_bad_option_is_refused_before_anything_is_written() {
    let core = Core::start().await;
    let mut request = core.request();
    request.options.ttl_seconds = Some(0);
    let Err(SessionError::Provider(ProviderError::Invalid { field, .. })) =
        create(&core.context, request).await
    else {
        panic!("a zero TTL was accepted");
    };
    assert_eq!(field, "options.ttl_seconds");
    let all = core
        .context
        .store
        .list(&ListFilter {
            reference: None,
            status: None,
            after: None,
            limit: 10,
        })
        .await
        .expect("the store answers");
    assert!(all.is_empty(), "{all:?}");
}

#[tokio::test]
async fn an_unconfigured_provider_is_refused() {
    let core = Core::start().await;
    let mut request = core.request();
    request.provider = Provider::FaceidLite;
    assert!(matches!(
        create(&core.context, request).await,
        Err(SessionError::ProviderUnavailable(Provider::FaceidLite))
    ));
}

#[tokio::test]
async fn an_idempotency_key_answers_the_first_session() {
    let core = Core::start().await;
    let mut first = core.request();
    first.idempotency_key = Some("order-7".into());
    let mut again = core.request();
    again.idempotency_key = Some("order-7".into());
    let (record, secret) = create(&core.context, first).await.expect("created");
    let (replayed, replayed_secret) = create(&core.context, again).await.expect("replayed");
    assert_eq!(replayed.id, record.id);
    assert_eq!(replayed_secret, secret);
}

#[tokio::test]
async fn observe_confirms_the_result_with_the_vendor_and_writes_its_event() {
    let core = Core::start().await;
    let (record, _) = core.create().await;
    let pending = refresh(&core.context, record, Freshness::Now)
        .await
        .expect("refreshed");
    assert_eq!(pending.status, VerificationStatus::Pending);
    assert!(pending.last_checked_at.is_some());

    core.finish_page(&pending, "pass").await;
    let verified = refresh(&core.context, pending, Freshness::Now)
        .await
        .expect("refreshed");
    assert_eq!(verified.status, VerificationStatus::Verified);
    let result = verified.result.as_ref().expect("a result");
    assert!(result.passed);
    assert_eq!(result.confirmed_by, ConfirmedBy::Sandbox);
    assert_eq!(core.stored(&verified.id).await.status, verified.status);
    assert_eq!(
        core.event_kinds(&verified.id).await,
        ["verification.verified"]
    );
}

#[tokio::test]
async fn a_failed_check_is_final_too() {
    let core = Core::start().await;
    let (record, _) = core.create().await;
    core.finish_page(&record, "liveness_failed").await;
    let failed = refresh(&core.context, record, Freshness::Now)
        .await
        .expect("refreshed");
    assert_eq!(failed.status, VerificationStatus::Failed);
    assert_eq!(
        failed.result.and_then(|result| result.reason),
        Some(facegate_types::FailureReason::LivenessFailed)
    );
}

#[tokio::test]
async fn a_recent_read_does_not_ask_the_vendor_again() {
    let core = Core::start().await;
    let (record, _) = core.create().await;
    let checked = refresh(&core.context, record, Freshness::Recent)
        .await
        .expect("refreshed");
    assert_eq!(core.result_queries(), 1, "never checked: asked");
    let checked = refresh(&core.context, checked, Freshness::Recent)
        .await
        .expect("refreshed");
    assert_eq!(core.result_queries(), 1, "checked just now: not asked");
    refresh(&core.context, checked, Freshness::Now)
        .await
        .expect("refreshed");
    assert_eq!(core.result_queries(), 2, "now: asked");
}

#[tokio::test]
async fn a_pending_session_past_its_expiry_expires() {
    let core = Core::start().await;
    let (record, _) = core.create().await;
    let later = SessionContext {
        clock: core.context.clock.shifted(time::Duration::hours(3)),
        ..core.context.clone()
    };
    // The vendor still says pending (its clock is two hours behind ours): the expiry decides.
    let expired = refresh(&later, record, Freshness::Recent)
        .await
        .expect("refreshed");
    assert_eq!(expired.status, VerificationStatus::Expired);
    assert_eq!(
        core.event_kinds(&expired.id).await,
        ["verification.expired"]
    );
}

#[tokio::test]
async fn the_vendors_own_expiry_expires_the_session() {
    let core = Core::start().await;
    let (record, _) = core.create().await;
    core.sandbox
        .clock
        .advance(std::time::Duration::from_secs(3 * 60 * 60));
    let expired = refresh(&core.context, record, Freshness::Now)
        .await
        .expect("refreshed");
    assert_eq!(expired.status, VerificationStatus::Expired);
}

#[tokio::test]
async fn cancel_moves_a_pending_session_only() {
    let core = Core::start().await;
    let (record, _) = core.create().await;
    let canceled = cancel(&core.context, record).await.expect("canceled");
    assert_eq!(canceled.status, VerificationStatus::Canceled);
    assert_eq!(
        core.event_kinds(&canceled.id).await,
        ["verification.canceled"]
    );
    let again = cancel(&core.context, canceled).await;
    assert!(
        matches!(
            again,
            Err(SessionError::AlreadyFinal(VerificationStatus::Canceled))
        ),
        "{again:?}"
    );

    let (record, _) = core.create().await;
    let processing = apply(&core.context, record, Event::UserFinished)
        .await
        .expect("applied")
        .into_record();
    assert_eq!(processing.status, VerificationStatus::Processing);
    let refused = cancel(&core.context, processing).await;
    assert!(
        matches!(
            refused,
            Err(SessionError::NotCancelable(VerificationStatus::Processing))
        ),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_stale_copy_is_decided_again_from_the_store() {
    let core = Core::start().await;
    let (record, _) = core.create().await;
    let stale = record.clone();
    cancel(&core.context, record).await.expect("canceled");
    // The copy still says pending: the write misses its version, the session is read again,
    // and the refusal is about the session as it is.
    let applied = apply(&core.context, stale, Event::Expired)
        .await
        .expect("applied");
    assert!(
        matches!(
            applied,
            Applied::Refused(_, Refusal::AlreadyFinal(VerificationStatus::Canceled))
        ),
        "{applied:?}"
    );
}

#[tokio::test]
async fn evidence_decides_one_session_only() {
    let core = Core::start().await;
    let (first, _) = core.create().await;
    let (second, _) = core.create().await;
    core.finish_page(&first, "pass").await;
    core.finish_page(&second, "pass").await;
    let token = Evidence::VendorToken("verify-result-1".into());

    let verified = observe(&core.context, first, Freshness::Now, Some(&token))
        .await
        .expect("observed");
    assert_eq!(verified.status, VerificationStatus::Verified);
    // Handed over again for its own session: the session is final, nothing changes.
    let again = observe(&core.context, verified, Freshness::Now, Some(&token))
        .await
        .expect("observed");
    assert_eq!(again.status, VerificationStatus::Verified);

    let queries = core.result_queries();
    let spent = observe(&core.context, second.clone(), Freshness::Now, Some(&token)).await;
    assert!(
        matches!(spent, Err(SessionError::EvidenceSpent)),
        "{spent:?}"
    );
    assert_eq!(
        core.result_queries(),
        queries,
        "refused before the vendor is asked"
    );
    assert_eq!(
        core.stored(&second.id).await.status,
        VerificationStatus::Pending
    );

    let other = Evidence::VendorToken("verify-result-2".into());
    let verified = observe(&core.context, second, Freshness::Now, Some(&other))
        .await
        .expect("observed");
    assert_eq!(verified.status, VerificationStatus::Verified);
}
