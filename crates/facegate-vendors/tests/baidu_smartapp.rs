//! The baidu_smartapp client against the real simulator over HTTP: the legal person's QR code,
//! each status the page can set, expiry, and the once-only fee exemption.

use std::time::Duration;

use facegate_sandbox::vendors::baidu_smartapp as sim;
use facegate_sandbox::Clock;
use facegate_types::FailureReason;
use facegate_vendors::baidu_smartapp::{LegalFaceStatus, SmartappClient};
use facegate_vendors::VendorError;
use secrecy::SecretString;
use url::Url;

mod common;

struct Sandbox {
    _running: facegate_sandbox::Running,
    root: Url,
    clock: Clock,
    http: reqwest::Client,
    client: SmartappClient,
}

impl Sandbox {
    async fn spawn() -> Self {
        let running = common::sandbox().await;
        let root = running.base.clone();
        let clock = running.clock.clone();
        let http = facegate_vendors::http::client(Default::default()).unwrap();
        let base = root.join(sim::PREFIX.trim_start_matches('/')).unwrap();
        Self {
            _running: running,
            client: SmartappClient::new(http.clone(), base),
            root,
            clock,
            http,
        }
    }

    /// Asks for the QR code the way a browser-less test "scans" it: the page the sandbox names.
    async fn scan(&self, program: &str) -> Url {
        let mut url = self
            .root
            .join(&format!(
                "{}/rest/2.0/smartapp/auth/faceauthen",
                sim::PREFIX.trim_start_matches('/')
            ))
            .unwrap();
        url.query_pairs_mut().append_pair("access_token", program);
        let response = self.http.get(url).send().await.unwrap();
        let page = response.headers()[sim::PAGE_HEADER].to_str().unwrap();
        Url::parse(page).unwrap()
    }

    async fn choose(&self, page: &Url, status: &str) -> reqwest::StatusCode {
        self.http
            .post(page.clone())
            .form(&[("outcome", status)])
            .send()
            .await
            .unwrap()
            .status()
    }
}

fn program(suffix: &str) -> SecretString {
    SecretString::from(format!("{}-{suffix}", sim::ACCESS_TOKEN))
}

#[tokio::test]
async fn a_wrong_access_token_is_unauthorized() {
    let sandbox = Sandbox::spawn().await;
    let wrong = SecretString::from("not-a-program-token".to_owned());
    match sandbox.client.faceauthen(&wrong).await {
        Err(VendorError::Unauthorized { code, .. }) => assert_eq!(code, "110"),
        other => panic!("expected unauthorized, got {other:?}"),
    }
    assert!(matches!(
        sandbox.client.set_exempt(&wrong).await,
        Err(VendorError::Unauthorized { .. })
    ));
}

#[tokio::test]
async fn the_legal_person_passes_and_the_exemption_opens_once() {
    let sandbox = Sandbox::spawn().await;
    let token = SecretString::from(sim::ACCESS_TOKEN.to_owned());

    let first = sandbox.client.faceauthen(&token).await.unwrap();
    assert_eq!(first.legal_face_status, LegalFaceStatus::Initialized);
    assert_eq!(&first.qrcode_png().unwrap()[..4], b"\x89PNG");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((first.timeout - now - sim::QR_TTL.as_secs() as i64).abs() < 5);

    // Before the pass there is nothing to exempt.
    match sandbox.client.set_exempt(&token).await {
        Err(VendorError::Api { code, .. }) => assert_eq!(code, sim::ERRNO_NOT_PASSED.to_string()),
        other => panic!("expected an API error, got {other:?}"),
    }

    let page = sandbox.scan(sim::ACCESS_TOKEN).await;
    assert_eq!(sandbox.choose(&page, "6").await, 200);
    let scanned = sandbox.client.faceauthen(&token).await.unwrap();
    assert_eq!(scanned.legal_face_status, LegalFaceStatus::InProgress);
    assert_eq!(scanned.timeout, first.timeout, "the same task goes on");

    assert_eq!(sandbox.choose(&page, "2").await, 200);
    let passed = sandbox.client.faceauthen(&token).await.unwrap();
    assert_eq!(passed.legal_face_status, LegalFaceStatus::Passed);
    assert!(passed.legal_face_status.failure_reason().is_none());
    // A decided task's page cannot be used again.
    assert_eq!(sandbox.choose(&page, "4").await, 410);
    assert_eq!(
        sandbox
            .client
            .faceauthen(&token)
            .await
            .unwrap()
            .legal_face_status,
        LegalFaceStatus::Passed
    );

    let exemption = sandbox.client.set_exempt(&token).await.unwrap();
    let today = time::OffsetDateTime::now_utc();
    let in_60_days = today + time::Duration::days(60);
    let date =
        |at: time::OffsetDateTime| format!("{}-{}-{}", at.year(), u8::from(at.month()), at.day());
    assert_eq!(exemption.add_time, date(today));
    assert_eq!(exemption.push_time, date(today));
    assert_eq!(exemption.overdue_time, date(in_60_days));

    match sandbox.client.set_exempt(&token).await {
        Err(VendorError::Conflict { code, message }) => {
            assert_eq!(code, sim::ERRNO_REPEAT.to_string());
            assert_eq!(message, "不可重复开通");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn a_rejection_is_final_and_maps_to_identity_mismatch() {
    let sandbox = Sandbox::spawn().await;
    let token = program("rejected");
    sandbox.client.faceauthen(&token).await.unwrap();
    let page = sandbox
        .scan(&format!("{}-rejected", sim::ACCESS_TOKEN))
        .await;
    assert_eq!(sandbox.choose(&page, "4").await, 200);
    let rejected = sandbox.client.faceauthen(&token).await.unwrap();
    assert_eq!(rejected.legal_face_status, LegalFaceStatus::Rejected);
    assert_eq!(
        rejected.legal_face_status.failure_reason(),
        Some(FailureReason::IdentityMismatch)
    );
    assert!(matches!(
        sandbox.client.set_exempt(&token).await,
        Err(VendorError::Api { .. })
    ));
    // An undocumented outcome is refused by the page.
    let other = sandbox.scan(&format!("{}-other", sim::ACCESS_TOKEN)).await;
    assert_eq!(sandbox.choose(&other, "3").await, 400);
}

#[tokio::test]
async fn an_expired_qr_code_is_replaced_by_a_fresh_task() {
    let sandbox = Sandbox::spawn().await;
    let token = program("slow");
    let first = sandbox.client.faceauthen(&token).await.unwrap();
    let page = sandbox.scan(&format!("{}-slow", sim::ACCESS_TOKEN)).await;
    sandbox.clock.advance(sim::QR_TTL + Duration::from_secs(1));
    assert_eq!(
        sandbox
            .http
            .get(page.clone())
            .send()
            .await
            .unwrap()
            .status(),
        410
    );
    assert_eq!(sandbox.choose(&page, "2").await, 410);

    let fresh = sandbox.client.faceauthen(&token).await.unwrap();
    assert_eq!(fresh.legal_face_status, LegalFaceStatus::Initialized);
    assert!(fresh.timeout > first.timeout);
    let new_page = sandbox.scan(&format!("{}-slow", sim::ACCESS_TOKEN)).await;
    assert_ne!(new_page, page);
    assert_eq!(sandbox.choose(&new_page, "2").await, 200);
    assert_eq!(
        sandbox
            .client
            .faceauthen(&token)
            .await
            .unwrap()
            .legal_face_status,
        LegalFaceStatus::Passed
    );
}
