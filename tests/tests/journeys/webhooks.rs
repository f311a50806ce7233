//! Signed webhooks: written with the final status, delivered at least once, retried with the
//! same event id after a failure, and verifiable by the merchant.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use facegate_server::workers::webhooks;
use facegate_tests::TestApp;
use serde_json::Value;

const SECRET: &str = "whsec_journey_secret";

#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<(String, String)>>>,
    fail_first: Arc<Mutex<bool>>,
}

async fn spawn_receiver(receiver: Receiver) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/hooks",
        post(move |headers: HeaderMap, body: String| {
            let receiver = receiver.clone();
            async move {
                let signature = headers["facegate-signature"].to_str().unwrap().to_owned();
                receiver.seen.lock().unwrap().push((signature, body));
                let mut fail = receiver.fail_first.lock().unwrap();
                if *fail {
                    *fail = false;
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                StatusCode::OK
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test]
async fn a_final_status_is_delivered_signed_and_retried_with_the_same_event_id() {
    let receiver = Receiver::default();
    *receiver.fail_first.lock().unwrap() = true;
    let url = spawn_receiver(receiver.clone()).await;
    let app = TestApp::spawn_with(&[
        ("webhook_url", url.as_str()),
        ("webhook_secret", SECRET),
        ("webhook_interval_ms", "50"),
    ])
    .await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap();
    let back = app.complete_sandbox_page(&session, "not_same_person").await;
    app.follow_return(&back).await;

    // The first attempt fails (500); the retry comes after a 1 to 2 second backoff.
    let mut deliveries = Vec::new();
    for _ in 0..100 {
        deliveries = receiver.seen.lock().unwrap().clone();
        if deliveries.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(deliveries.len(), 2, "one failed attempt and one retry");
    let mut event_ids = Vec::new();
    for (signature, body) in &deliveries {
        webhooks::verify(
            SECRET.as_bytes(),
            signature,
            body.as_bytes(),
            time::OffsetDateTime::now_utc(),
            Duration::from_secs(300),
        )
        .expect("the signature verifies");
        let event: Value = serde_json::from_str(body).unwrap();
        assert_eq!(event["type"], "verification.failed");
        assert_eq!(event["data"]["id"], id);
        assert_eq!(event["data"]["status"], "failed");
        assert_eq!(event["data"]["result"]["reason"], "not_same_person");
        assert_eq!(event["data"]["subject"]["id_number"], "110***********4514");
        assert!(!body.contains(facegate_tests::ID_NUMBER));
        event_ids.push(event["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(event_ids[0], event_ids[1], "a retry keeps the event id");
    assert!(event_ids[0].starts_with("evt_"));

    // Delivered once acknowledged: nothing more arrives.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(receiver.seen.lock().unwrap().len(), 2);
    let events = app.state_events(id).await;
    assert_eq!(events.len(), 1, "one final status, one event");
}
