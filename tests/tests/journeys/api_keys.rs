//! Stored merchant keys on whichever database the journeys run (SQLite, or PostgreSQL with
//! FACEGATE_TEST_DATABASE_URL): made and revoked through the store, as `facegate keys` does from
//! another process, and honoured by the running server at once. The CLI itself is tested in
//! crates/facegate-server/tests/api_keys_cli.rs.

use facegate_server::keys;
use facegate_tests::TestApp;
use reqwest::StatusCode;
use secrecy::ExposeSecret;

async fn list_status(app: &TestApp, key: &str) -> StatusCode {
    app.http
        .get(app.url("/v1/verifications?limit=1"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_stored_key_works_until_it_is_revoked_and_is_kept_only_as_a_hash() {
    let app = TestApp::spawn().await;
    let store = app.store().await;
    let now = time::OffsetDateTime::now_utc();
    let made = keys::create(store.as_ref(), Some("journey".into()), now)
        .await
        .unwrap();
    let key = made.key.expose_secret().to_owned();
    assert!(key.starts_with(keys::PREFIX));

    assert_eq!(list_status(&app, &key).await, StatusCode::OK);
    let stored = store.api_key(&made.id).await.unwrap().unwrap();
    assert_eq!(stored.key_hash.len(), 32);
    assert_ne!(stored.key_hash, key.as_bytes());
    assert!(stored.last_used_at.is_some(), "use is recorded");
    assert_eq!(stored.label.as_deref(), Some("journey"));

    assert!(store.revoke_api_key(&made.id, now).await.unwrap());
    assert_eq!(list_status(&app, &key).await, StatusCode::UNAUTHORIZED);
    assert!(!store.revoke_api_key(&made.id, now).await.unwrap());
    // The configured key is unaffected.
    assert_eq!(
        list_status(&app, facegate_tests::API_KEY).await,
        StatusCode::OK
    );
    for (path, bytes) in app.data_files() {
        assert!(
            !bytes.windows(key.len()).any(|w| w == key.as_bytes()),
            "{} holds the key",
            path.display()
        );
    }
}
