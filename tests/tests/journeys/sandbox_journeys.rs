//! The sandbox provider end to end: create -> the sandbox page -> the return URL -> the
//! merchant's landing URL, with the verdict confirmed server-side at each step.

use std::time::Duration;

use facegate_tests::{query_param, TestApp, MERCHANT};
use facegate_types::FailureReason;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_passing_user_lands_on_the_merchant_page_verified() {
    let app = TestApp::spawn().await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap();
    assert_eq!(session["status"], "pending");
    assert_eq!(
        session["subject"],
        json!({"name": "张*", "id_number": "110***********4514"})
    );
    assert!(session["client_secret"].as_str().unwrap().starts_with(id));

    let back_at_facegate = app.complete_sandbox_page(&session, "pass").await;
    assert_eq!(back_at_facegate.path(), format!("/v1/return/{id}"));
    let landing = app.follow_return(&back_at_facegate).await;
    assert_eq!(landing.origin().ascii_serialization(), MERCHANT);
    assert_eq!(landing.path(), "/done");
    assert_eq!(query_param(&landing, "order").as_deref(), Some("1"));
    assert_eq!(
        query_param(&landing, "verification_id").as_deref(),
        Some(id)
    );
    assert_eq!(query_param(&landing, "status").as_deref(), Some("verified"));

    let confirmed = app.get_session(id).await;
    assert_eq!(confirmed["status"], "verified");
    assert_eq!(confirmed["next_action"], serde_json::Value::Null);
    assert!(confirmed.get("client_secret").is_none());
    let result = &confirmed["result"];
    assert_eq!(result["passed"], true);
    assert_eq!(result["reason"], serde_json::Value::Null);
    assert_eq!(result["confirmed_by"], "sandbox");
    assert_eq!(result["scores"]["similarity"], 86.47);
    assert!(confirmed["completed_at"].is_string());
}

#[tokio::test]
async fn every_failure_reason_is_kept_on_a_failed_session() {
    let app = TestApp::spawn().await;
    for reason in FailureReason::ALL {
        let session = app.create_session().await;
        let id = session["id"].as_str().unwrap();
        let back = app.complete_sandbox_page(&session, reason.as_str()).await;
        let landing = app.follow_return(&back).await;
        assert_eq!(query_param(&landing, "status").as_deref(), Some("failed"));
        let failed = app.get_session(id).await;
        assert_eq!(failed["status"], "failed");
        assert_eq!(failed["result"]["passed"], false);
        assert_eq!(failed["result"]["reason"], reason.as_str());
        assert_eq!(failed["result"]["vendor_code"], reason.as_str());
    }
}

#[tokio::test]
async fn a_sandbox_link_is_single_use() {
    let app = TestApp::spawn().await;
    let session = app.create_session().await;
    app.complete_sandbox_page(&session, "pass").await;
    let page = session["next_action"]["url"].as_str().unwrap();
    let again = app.http.get(page).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::GONE);
    assert!(again.text().await.unwrap().contains("链接已使用"));
    let resubmit = app
        .http
        .post(page)
        .form(&[("outcome", "not_same_person")])
        .send()
        .await
        .unwrap();
    assert_eq!(resubmit.status(), StatusCode::GONE);
    let id = session["id"].as_str().unwrap();
    assert_eq!(app.get_session(id).await["result"]["passed"], true);
}

#[tokio::test]
async fn the_notify_or_the_reconciler_confirms_without_the_browser_coming_back() {
    let app = TestApp::spawn().await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap();
    app.complete_sandbox_page(&session, "liveness_failed").await;
    // The browser never follows the return URL; the list endpoint asks no vendor.
    let failed = app.wait_for_status(id, "failed").await;
    assert_eq!(failed["result"]["reason"], "liveness_failed");
}

#[tokio::test]
async fn a_canceled_session_stays_canceled() {
    let app = TestApp::spawn().await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap();
    let cancel = |id: String| {
        let app = &app;
        async move {
            app.http
                .post(app.url(&format!("/v1/verifications/{id}/cancel")))
                .bearer_auth(facegate_tests::API_KEY)
                .send()
                .await
                .unwrap()
        }
    };
    let canceled = cancel(id.to_owned()).await;
    assert_eq!(canceled.status(), StatusCode::OK);
    let canceled: serde_json::Value = canceled.json().await.unwrap();
    assert_eq!(canceled["status"], "canceled");
    assert_eq!(canceled["next_action"], serde_json::Value::Null);

    let again = cancel(id.to_owned()).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(body["error"]["code"], "conflict");

    // The user finishing afterwards changes nothing: final is final.
    let back = app.complete_sandbox_page(&session, "pass").await;
    let landing = app.follow_return(&back).await;
    assert_eq!(query_param(&landing, "status").as_deref(), Some("canceled"));
    assert_eq!(app.get_session(id).await["status"], "canceled");
}

#[tokio::test]
async fn an_unfinished_session_expires_with_its_vendor_token() {
    let app = TestApp::spawn_with(&[("sandbox_ttl_seconds", "1")]).await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap();
    let created = time::OffsetDateTime::parse(
        session["created_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let expires = time::OffsetDateTime::parse(
        session["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(expires - created <= time::Duration::seconds(2));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let expired = app.wait_for_status(id, "expired").await;
    assert_eq!(expired["result"], serde_json::Value::Null);
    assert_eq!(expired["next_action"], serde_json::Value::Null);
    let page = app
        .http
        .get(session["next_action"]["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::GONE);
    assert!(page.text().await.unwrap().contains("链接已过期"));
}

#[tokio::test]
async fn sessions_survive_a_restart_between_steps() {
    let mut app = TestApp::spawn().await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap();
    app.restart().await;
    assert_eq!(app.get_session(id).await["status"], "pending");
    let back = app.complete_sandbox_page(&session, "pass").await;
    app.restart().await;
    let landing = app.follow_return(&back).await;
    assert_eq!(query_param(&landing, "status").as_deref(), Some("verified"));
    app.restart().await;
    let after = app.get_session(id).await;
    assert_eq!(after["status"], "verified");
    assert_eq!(after["subject"]["id_number"], "110***********4514");
}

#[tokio::test]
async fn the_client_secret_reads_its_own_session_without_pii() {
    let app = TestApp::spawn().await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap();
    let secret = session["client_secret"].as_str().unwrap();
    let read = |id: String, secret: String| {
        let app = &app;
        async move {
            let mut url = app.url(&format!("/v1/client/verifications/{id}"));
            url.query_pairs_mut().append_pair("client_secret", &secret);
            app.http.get(url).send().await.unwrap()
        }
    };
    let own = read(id.into(), secret.into()).await;
    assert_eq!(own.status(), StatusCode::OK);
    let own: serde_json::Value = own.json().await.unwrap();
    assert_eq!(own["status"], "pending");
    assert_eq!(own["next_action"], session["next_action"]);
    for hidden in ["subject", "reference", "client_secret", "created_at"] {
        assert!(own.get(hidden).is_none(), "{hidden} leaked to the client");
    }

    let other = app.create_session().await;
    let wrong_secret = read(id.into(), other["client_secret"].as_str().unwrap().into()).await;
    let unknown_id = read("vs_000000000000000000000000".into(), secret.into()).await;
    let malformed_id = read("nope".into(), secret.into()).await;
    let mut bodies = Vec::new();
    for response in [wrong_secret, unknown_id, malformed_id] {
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        bodies.push(response.text().await.unwrap());
    }
    assert!(
        bodies.windows(2).all(|pair| pair[0] == pair[1]),
        "{bodies:?}"
    );

    let missing = app
        .http
        .get(app.url(&format!("/v1/client/verifications/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_retried_create_with_the_same_idempotency_key_returns_the_same_session() {
    let app = TestApp::spawn().await;
    let create = |key: &'static str| {
        let app = &app;
        async move {
            app.http
                .post(app.url("/v1/verifications"))
                .bearer_auth(facegate_tests::API_KEY)
                .header("Idempotency-Key", key)
                .json(&json!({"provider": "sandbox", "return_url": format!("{MERCHANT}/r")}))
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let first = create("order-7-attempt").await;
    let second = create("order-7-attempt").await;
    assert_eq!(first["id"], second["id"]);
    assert_eq!(first["client_secret"], second["client_secret"]);
    assert_eq!(first["next_action"], second["next_action"]);
    let other = create("order-8-attempt").await;
    assert_ne!(first["id"], other["id"]);
    let (_, page) = app.list("limit=100").await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn lists_filter_and_page_newest_first() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let session = app
            .create_session_with(json!({"reference": format!("order-{}", n % 2)}))
            .await;
        ids.push(session["id"].as_str().unwrap().to_owned());
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let query = match &after {
            Some(id) => format!("limit=2&starting_after={id}"),
            None => "limit=2".into(),
        };
        let (status, page) = app.list(&query).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["object"], "list");
        let data = page["data"].as_array().unwrap();
        seen.extend(data.iter().map(|s| s["id"].as_str().unwrap().to_owned()));
        after = data.last().map(|s| s["id"].as_str().unwrap().to_owned());
        if page["has_more"] == false {
            break;
        }
    }
    assert_eq!(seen, ids);

    let (_, odd) = app.list("reference=order-1").await;
    assert_eq!(odd["data"].as_array().unwrap().len(), 2);
    app.http
        .post(app.url(&format!("/v1/verifications/{}/cancel", ids[0])))
        .bearer_auth(facegate_tests::API_KEY)
        .send()
        .await
        .unwrap();
    let (_, canceled) = app.list("status=canceled").await;
    let canceled = canceled["data"].as_array().unwrap();
    assert_eq!(canceled.len(), 1);
    assert_eq!(canceled[0]["id"], ids[0].as_str());
}
