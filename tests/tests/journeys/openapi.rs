//! `/openapi.json` is OpenAPI 3.1, names every route the router serves under `/v1` with the
//! methods it answers, gives every operation a unique operationId, documents every status the
//! server answers (driven by the battery in `openapi/battery.rs`: valid requests, no or wrong
//! credentials, malformed queries and bodies, unknown ids, failing vendors, rate limits, a
//! failing database), and the real answers of the main endpoints validate against their
//! schemas (JSON Schema 2020-12, which OpenAPI 3.1 schemas are).

#[path = "openapi/battery.rs"]
mod battery;

use std::collections::{BTreeMap, BTreeSet};

use battery::{Depth, Report, MAX_BODY_BYTES, METRICS_KEY};
use facegate_tests::{TestApp, API_KEY};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Every `/v1/...` path given to `.route(` in the server's API modules.
fn routed_paths() -> BTreeSet<String> {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/facegate-server/src/api");
    let mut files = vec![];
    let mut dirs = vec![dir];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    let mut paths = BTreeSet::new();
    for file in files {
        let source = std::fs::read_to_string(file).unwrap();
        let lines: Vec<&str> = source.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !line.contains(".route(") {
                continue;
            }
            for candidate in [Some(line), lines.get(i + 1)].into_iter().flatten() {
                if let Some(start) = candidate.find("\"/v1/") {
                    let rest = &candidate[start + 1..];
                    paths.insert(rest[..rest.find('"').unwrap()].to_owned());
                }
            }
        }
    }
    assert!(paths.len() >= 9, "the scan found the routes: {paths:?}");
    paths
}

/// A concrete URL path for a templated one.
fn concrete(path: &str, id: &str) -> String {
    path.replace("{id}", id)
        .replace("{provider}", "sandbox")
        .replace("{query}", "simple")
}

/// Validates `instance` against the response schema of `path`/`method`/`status`, with the
/// document's components beside it so `$ref`s resolve.
fn assert_valid(doc: &Value, path: &str, method: &str, status: u16, instance: &Value) {
    let schema = doc["paths"][path][method]["responses"][status.to_string()]["content"]
        ["application/json"]["schema"]
        .clone();
    assert!(
        schema.is_object(),
        "{method} {path} {status} has a JSON schema"
    );
    let mut root = schema.as_object().unwrap().clone();
    root.insert("components".into(), doc["components"].clone());
    let validator = jsonschema::draft202012::new(&Value::Object(root)).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|error| format!("{} at {}", error, error.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status}: {errors:?}\n{instance}"
    );
}

/// Every field of the answer is declared by the named schema (no undocumented fields).
fn assert_declared(doc: &Value, schema: &str, instance: &Value) {
    let properties = doc["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{schema} has properties"));
    for key in instance.as_object().unwrap().keys() {
        assert!(
            properties.contains_key(key),
            "{schema} does not declare {key}"
        );
    }
}

#[tokio::test]
async fn the_document_covers_every_route_and_the_answers_match_it() {
    let app = TestApp::spawn().await;
    let response = app.http.get(app.url("/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let doc: Value = response.json().await.unwrap();
    let parsed: utoipa::openapi::OpenApi =
        serde_json::from_value(doc.clone()).expect("an OpenAPI document");
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(parsed.info.title, "facegate");

    // The wire enums list exactly their wire names.
    fn names<T: std::fmt::Display>(all: &[T]) -> Vec<Value> {
        all.iter().map(|v| json!(v.to_string())).collect()
    }
    for (schema, expected) in [
        ("Provider", names(facegate_types::Provider::ALL)),
        (
            "VerificationStatus",
            names(facegate_types::VerificationStatus::ALL),
        ),
        ("FailureReason", names(facegate_types::FailureReason::ALL)),
        ("ConfirmedBy", names(facegate_types::ConfirmedBy::ALL)),
        ("ErrorCode", names(facegate_types::ErrorCode::ALL)),
    ] {
        let listed = doc["components"]["schemas"][schema]["enum"]
            .as_array()
            .cloned();
        assert_eq!(listed, Some(expected), "{schema}");
    }

    // Every routed /v1 path is documented, and nothing documented is made up.
    let documented: BTreeMap<String, BTreeSet<String>> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(path, item)| {
            let methods = item.as_object().unwrap().keys().cloned().collect();
            (path.clone(), methods)
        })
        .collect();
    let routed = routed_paths();
    for path in &routed {
        assert!(
            documented.contains_key(path),
            "{path} is not in /openapi.json"
        );
    }
    for path in documented.keys().filter(|p| p.starts_with("/v1/")) {
        assert!(routed.contains(path), "{path} is documented but not routed");
    }
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        assert!(documented.contains_key(path), "{path}");
    }

    // The methods: a documented one is served (not 405); an undocumented one is 405.
    for (path, methods) in documented.iter().filter(|(p, _)| p.starts_with("/v1/")) {
        for method in ["get", "post", "put", "delete", "patch"] {
            let url = app.url(&concrete(path, "vs_unknown"));
            let answer = app
                .http
                .request(
                    Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                    url,
                )
                .bearer_auth(API_KEY)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap()
                .status();
            if methods.contains(method) {
                assert_ne!(answer, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            } else if !path.starts_with("/v1/callbacks/") {
                // Callbacks take any method (each vendor answers its own); the rest do not.
                assert_eq!(answer, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            }
        }
    }

    // Real answers against their schemas.
    let created = app.create_session().await;
    assert_valid(&doc, "/v1/verifications", "post", 200, &created);
    assert_declared(&doc, "Verification", &created);
    let id = created["id"].as_str().unwrap();
    let secret = created["client_secret"].as_str().unwrap();

    let client: Value = app
        .http
        .get(app.url(&format!(
            "/v1/client/verifications/{id}?client_secret={secret}"
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_valid(&doc, "/v1/client/verifications/{id}", "get", 200, &client);
    assert_declared(&doc, "ClientVerification", &client);

    let back = app.complete_sandbox_page(&created, "not_same_person").await;
    app.follow_return(&back).await;
    let failed = app.get_session(id).await;
    assert_eq!(failed["status"], "failed");
    assert_valid(&doc, "/v1/verifications/{id}", "get", 200, &failed);
    assert_declared(&doc, "Verification", &failed);

    let pending = app.create_session().await;
    let canceled: Value = app
        .http
        .post(app.url(&format!(
            "/v1/verifications/{}/cancel",
            pending["id"].as_str().unwrap()
        )))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(canceled["status"], "canceled");
    assert_valid(
        &doc,
        "/v1/verifications/{id}/cancel",
        "post",
        200,
        &canceled,
    );

    let (status, list) = app.list("limit=10").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    assert_valid(&doc, "/v1/verifications", "get", 200, &list);

    let (status, error) = app
        .try_create(
            json!({"provider": "sandbox", "return_url": "https://shop.example/done",
            "subject": {"name": "张三", "id_number": "110101199003074515"}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_valid(&doc, "/v1/verifications", "post", 400, &error);
    assert_eq!(error["error"]["field"], "subject.id_number");

    // A made-up answer does not validate: the check has teeth.
    let mut broken = failed.clone();
    broken["status"] = json!("approved");
    let schema_ok = std::panic::catch_unwind(|| {
        assert_valid(&doc, "/v1/verifications/{id}", "get", 200, &broken)
    });
    assert!(schema_ok.is_err(), "an unknown status must not validate");
}

async fn served_document(app: &TestApp) -> Value {
    let response = app.http.get(app.url("/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Generated clients name their functions and types after operationIds: a missing one gets a
/// made-up name, and a repeated one is two declarations of one name (`openapi-typescript`
/// output does not compile). lowerCamelCase, as the generators expect.
#[tokio::test]
async fn every_operation_has_a_unique_operation_id() {
    let app = TestApp::spawn().await;
    let doc = served_document(&app).await;
    let mut problems = Vec::new();
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    for operation in battery::operations(&doc) {
        let name = format!("{} {}", operation.method, operation.path);
        let id = &operation.id;
        if id.is_empty() {
            problems.push(format!("{name} has no operationId"));
            continue;
        }
        let camel = id.starts_with(|c: char| c.is_ascii_lowercase())
            && id.chars().all(|c| c.is_ascii_alphanumeric());
        if !camel {
            problems.push(format!("{name}: operationId {id} is not lowerCamelCase"));
        }
        if let Some(owner) = owners.insert(id.clone(), name.clone()) {
            problems.push(format!("operationId {id} is used by {owner} and by {name}"));
        }
    }
    assert!(owners.len() >= 19, "{owners:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every `$ref` names a schema the document has: a dangling one fails client generators.
#[tokio::test]
async fn every_reference_in_the_document_resolves() {
    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    found.push(reference);
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let app = TestApp::spawn().await;
    let doc = served_document(&app).await;
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    let dangling: BTreeSet<&str> = found
        .into_iter()
        .filter(|reference| {
            let pointer = reference.trim_start_matches('#');
            !reference.starts_with("#/") || doc.pointer(pointer).is_none()
        })
        .collect();
    assert!(dangling.is_empty(), "dangling references: {dangling:?}");
}

/// The settings of the apps the battery drives: a metrics key (so /metrics can refuse), a
/// body limit the battery can exceed cheaply, vendor calls that give up fast.
fn battery_settings<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut settings = vec![
        ("metrics_key", METRICS_KEY),
        ("max_body_bytes", "100000"),
        ("create_per_minute_per_key", "0"),
        ("create_per_minute_per_ip", "0"),
        ("vendor_retries", "0"),
        ("vendor_timeout_ms", "500"),
        ("vendor_breaker_failures", "3"),
        ("vendor_breaker_open_ms", "300"),
    ];
    assert_eq!(settings[1].1, MAX_BODY_BYTES.to_string());
    for (key, value) in extra {
        settings.retain(|(k, _)| k != key);
        settings.push((key, value));
    }
    settings
}

async fn set_faults(app: &TestApp, spec: Value) {
    let response = app
        .http
        .post(app.sandbox.url("_faults"))
        .json(&spec)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// Every request of the battery, on every documented operation, gets a documented status:
/// first with the vendors answering, then with them failing each way a vendor fails (500s,
/// 429s, garbage, time-outs: facegate's 502, 503 and 504).
#[tokio::test]
async fn every_status_the_server_answers_is_documented() {
    let app = TestApp::spawn_with_vendors_on_sandbox(&battery_settings(&[])).await;
    let doc = served_document(&app).await;
    let fixtures = battery::fixtures(&app, &doc).await;
    assert!(fixtures.len() >= 10, "{fixtures:?}");
    let mut report = Report::default();
    battery::run(&app, &doc, &fixtures, Depth::Full, &mut report).await;
    for expected in [200, 303, 400, 401, 404, 409, 413] {
        assert!(
            report.statuses().contains(&expected),
            "the battery never saw {expected}: {:?}",
            report.statuses()
        );
    }

    // The vendors fail: each kind in turn, on every vendor API call.
    let before = report.statuses();
    for kind in ["500", "429", "garbage", "timeout"] {
        set_faults(
            &app,
            json!({"rate": 1.0, "kinds": [kind], "retry_after_seconds": 1, "timeout_ms": 1500}),
        )
        .await;
        battery::run(&app, &doc, &fixtures, Depth::Plausible, &mut report).await;
        let cleared = app
            .http
            .delete(app.sandbox.url("_faults"))
            .send()
            .await
            .unwrap();
        assert_eq!(cleared.status(), StatusCode::OK);
    }
    let vendor_failures: BTreeSet<u16> = report.statuses().difference(&before).copied().collect();
    for expected in [502, 503, 504] {
        assert!(
            report.statuses().contains(&expected),
            "failing vendors never gave {expected}: {vendor_failures:?}"
        );
    }
    eprintln!(
        "openapi battery: {} requests, statuses {:?}",
        report.requests(),
        report.statuses()
    );
    report.assert_documented();
}

/// The creation limits answer 429 where they apply.
#[tokio::test]
async fn rate_limited_answers_are_documented() {
    let app = TestApp::spawn_with_vendors_on_sandbox(&battery_settings(&[
        ("create_per_minute_per_key", "3"),
        ("subject_daily_cap", "2"),
        ("reference_daily_cap", "2"),
    ]))
    .await;
    let doc = served_document(&app).await;
    let fixtures = battery::fixtures(&app, &doc).await;
    let mut report = Report::default();
    battery::run(&app, &doc, &fixtures, Depth::Plausible, &mut report).await;
    assert!(
        report.statuses_of("createVerification").contains(&429),
        "{:?}",
        report.statuses_of("createVerification")
    );
    report.assert_documented();
}

/// Drops every table of the app's database under it: each query fails from then on.
async fn break_the_database(app: &TestApp) {
    use sqlx::Connection;
    let url = app.database_url();
    if url.starts_with("sqlite:") {
        let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("PRAGMA foreign_keys = OFF")
            .execute(&mut connection)
            .await
            .unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(&mut connection)
        .await
        .unwrap();
        for table in tables {
            sqlx::query(&format!("DROP TABLE \"{table}\""))
                .execute(&mut connection)
                .await
                .unwrap();
        }
    } else {
        let mut connection = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query("DROP SCHEMA public CASCADE")
            .execute(&mut connection)
            .await
            .unwrap();
        sqlx::query("CREATE SCHEMA public")
            .execute(&mut connection)
            .await
            .unwrap();
    }
}

/// A database that fails answers 500 (or, for readiness, 503) where it is asked.
#[tokio::test]
async fn answers_when_the_database_fails_are_documented() {
    let app = TestApp::spawn_with_vendors_on_sandbox(&battery_settings(&[])).await;
    let doc = served_document(&app).await;
    let fixtures = battery::fixtures(&app, &doc).await;
    break_the_database(&app).await;
    let mut report = Report::default();
    battery::run(&app, &doc, &fixtures, Depth::Full, &mut report).await;
    assert!(report.statuses().contains(&500), "{:?}", report.statuses());
    report.assert_documented();
}
