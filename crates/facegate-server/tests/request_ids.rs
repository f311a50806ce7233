//! A request's id follows it: kept from a sane `X-Request-Id` (else generated), answered in
//! the response header, and written on the JSON log line of every vendor call the request
//! made, which also sends it to the vendor (the embedded simulator logs it on its side).

use std::time::Duration;

use serde_json::{json, Value};

mod common;
use common::Served;

const API_KEY: &str = "request-id-test-key-0123";

async fn start() -> Served {
    Served::start(
        API_KEY,
        &[
            ("FACEGATE_LOG_FORMAT", "json"),
            ("RUST_LOG", "info"),
            // The reconciler soon asks about the open sessions: its calls carry ids too.
            ("FACEGATE_RECONCILE_INTERVAL_MS", "100"),
            ("FACEGATE_RECONCILE_STALE_AFTER_MS", "100"),
        ],
    )
    .await
}

/// The complete JSON lines of a log still being written (a last line without its newline
/// may be cut short, so it is left out).
fn json_lines(text: &str) -> Vec<Value> {
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    complete
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).expect("a JSON log line"))
        .collect()
}

/// The fields of the named span of a JSON log line (the current one or any parent).
fn span_field<'a>(line: &'a Value, span: &str, field: &str) -> Option<&'a str> {
    let mut spans: Vec<&Value> = line["spans"].as_array().into_iter().flatten().collect();
    spans.push(&line["span"]);
    spans
        .into_iter()
        .find(|s| s["name"] == span)
        .and_then(|s| s[field].as_str())
}

/// The request ids of the reconciler's vendor call lines (`reconcile-` and 16 characters).
fn reconciler_calls(lines: &[Value]) -> Vec<&str> {
    lines
        .iter()
        .filter(|line| line["fields"]["message"] == "vendor call")
        .filter_map(|line| span_field(line, "vendor_call", "request_id"))
        .filter(|id| id.starts_with("reconcile-"))
        .collect()
}

#[tokio::test]
async fn one_requests_id_is_on_its_vendor_call_log_lines_and_headers() {
    let server = start().await;
    let http = reqwest::Client::new();
    let create = |request_id: &'static str| {
        http.post(format!("{}/v1/verifications", server.base))
            .bearer_auth(API_KEY)
            .header("x-request-id", request_id)
            .json(&json!({"provider": "baidu_h5", "reference": "order-rid",
                "subject": {"name": "张三", "id_number": "110101199003074514"},
                "return_url": "http://localhost:3000/done"}))
            .send()
    };
    let response = create("rid-ops-0001").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-request-id"], "rid-ops-0001");
    // Not sane (spaces, quotes): replaced by a generated id.
    let response = create("bad id \"x\"").await.unwrap();
    assert_eq!(response.status(), 200);
    let generated = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(generated, "bad id \"x\"");
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    // None sent: one is made.
    let health = http
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert!(health.headers().contains_key("x-request-id"));

    // The log is written as things happen: wait (bounded) for the reconciler's first vendor
    // call line. Not for any line naming a reconcile id: the simulator logs the request it
    // serves before facegate logs the call it made (CI once caught it in between).
    let mut logs = String::new();
    let mut lines = Vec::new();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        logs = std::fs::read_to_string(&server.log).unwrap();
        lines = json_lines(&logs);
        if !reconciler_calls(&lines).is_empty() {
            break;
        }
    }
    let vendor_calls: Vec<&Value> = lines
        .iter()
        .filter(|line| line["fields"]["message"] == "vendor call")
        .filter(|line| span_field(line, "vendor_call", "request_id") == Some("rid-ops-0001"))
        .collect();
    let calls: Vec<&str> = vendor_calls
        .iter()
        .filter_map(|line| span_field(line, "vendor_call", "call"))
        .collect();
    // Baidu's create: the access token, verifyToken/generate and idcard/submit.
    for call in ["token", "verifyToken/generate", "idcard/submit"] {
        assert!(calls.contains(&call), "{call} not in {calls:?}\n{logs}");
    }
    for line in &vendor_calls {
        assert_eq!(span_field(line, "vendor_call", "vendor"), Some("baidu_h5"));
        assert!(line["fields"]["elapsed_ms"].is_u64() && line["fields"]["status"] == 200);
        // The access token travels in the query: no URL is logged.
        assert!(!line.to_string().contains("access_token"), "{line}");
    }
    // The second request's calls carry its generated id, never the first one's.
    assert!(lines
        .iter()
        .any(|line| line["fields"]["message"] == "vendor call"
            && span_field(line, "vendor_call", "request_id") == Some(generated.as_str())));
    // The reconciler's checks (result/detail, no request behind them) carry their own ids.
    let reconciled = reconciler_calls(&lines);
    assert!(!reconciled.is_empty(), "no reconciler vendor call\n{logs}");
    assert!(reconciled
        .iter()
        .all(|id| id.len() == "reconcile-".len() + 16));
    // The header reached the vendor: the embedded simulator's own request span has it.
    assert!(
        lines.iter().any(|line| {
            span_field(line, "http", "request_id") == Some("rid-ops-0001")
                && span_field(line, "http", "path")
                    .is_some_and(|path| path.starts_with("/sandbox/"))
        }),
        "the simulator never saw the request id\n{logs}"
    );
}
