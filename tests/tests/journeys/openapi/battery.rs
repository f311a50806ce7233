//! The battery behind `openapi.rs`: every operation of the served document, driven over HTTP
//! with what clients and fuzzers send (no credentials, wrong ones, unknown and malformed query
//! parameters, malformed JSON, the wrong content type, an oversized body, unknown and
//! implausible ids, valid requests), and each answer's status checked against the operation's
//! documented `responses`. Operations, parameters and request bodies are read from the
//! document, so a route is driven as soon as it is documented; only the values the server
//! accepts for a named field (a return_url on the allowlist, a valid ID number) are known here.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use facegate_sandbox::vendors::baidu_smartapp;
use facegate_tests::{TestApp, API_KEY, ID_NUMBER, MERCHANT, NAME};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde_json::{json, Map, Value};

/// The metrics key of the apps the battery drives.
pub const METRICS_KEY: &str = "openapi-metrics-key-0123456789";
/// The request body limit of those apps (bodies are read up to this).
pub const MAX_BODY_BYTES: usize = 100_000;
/// Larger than every body limit: `max_body_bytes` and the callbacks' 64 KiB.
const OVERSIZED: usize = MAX_BODY_BYTES + 1;

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of the document.
pub struct Operation {
    pub id: String,
    pub method: Method,
    pub path: String,
    /// The documented statuses (`"200"`, maybe `"4XX"` or `"default"`).
    pub responses: BTreeSet<String>,
    pub parameters: Vec<Parameter>,
    /// The JSON schema of the request body, if one is documented.
    pub body: Option<Value>,
    pub credential: Credential,
}

impl Operation {
    fn documents(&self, status: u16) -> bool {
        let range = format!("{}XX", status / 100);
        self.responses.contains(&status.to_string())
            || self.responses.contains(&range)
            || self.responses.contains("default")
    }

    fn takes_body(&self) -> bool {
        self.body.is_some() || [Method::POST, Method::PUT, Method::PATCH].contains(&self.method)
    }

    fn in_location<'a>(&'a self, location: &'a str) -> impl Iterator<Item = &'a Parameter> {
        self.parameters
            .iter()
            .filter(move |p| p.location == location)
    }
}

pub struct Parameter {
    pub name: String,
    pub location: String,
    pub required: bool,
    /// Resolved: `$ref`s followed, `Option`'s null alternative dropped.
    pub schema: Value,
}

/// What the operation's `security` asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    None,
    ApiKey,
    MetricsKey,
}

impl Credential {
    fn header(self) -> Option<String> {
        match self {
            Self::None => None,
            Self::ApiKey => Some(format!("Bearer {API_KEY}")),
            Self::MetricsKey => Some(format!("Bearer {METRICS_KEY}")),
        }
    }
}

/// The schema behind `$ref`s, `allOf` of one and `Option`'s `oneOf: [null, T]`.
pub fn resolve(doc: &Value, schema: &Value) -> Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return resolve(doc, &doc["components"]["schemas"][name]);
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(alternatives) = schema[combinator].as_array() {
            if let Some(first) = alternatives.iter().find(|s| s["type"] != "null") {
                return resolve(doc, first);
            }
        }
    }
    schema.clone()
}

/// The schema's type, `["string", "null"]` read as `string`.
fn type_of(schema: &Value) -> &str {
    match &schema["type"] {
        Value::String(kind) => kind,
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|kind| *kind != "null")
            .unwrap_or("null"),
        _ => "",
    }
}

/// Every operation the document lists.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            if !HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            let parameters = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|parameter| Parameter {
                    name: parameter["name"].as_str().unwrap_or_default().to_owned(),
                    location: parameter["in"].as_str().unwrap_or_default().to_owned(),
                    required: parameter["required"] == true,
                    schema: resolve(doc, &parameter["schema"]),
                })
                .collect();
            let body = operation["requestBody"]["content"]["application/json"]["schema"]
                .is_object()
                .then(|| {
                    resolve(
                        doc,
                        &operation["requestBody"]["content"]["application/json"]["schema"],
                    )
                });
            let credential = operation["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .flat_map(|requirement| requirement.keys())
                .map(|scheme| match scheme.as_str() {
                    "api_key" => Credential::ApiKey,
                    "metrics_key" => Credential::MetricsKey,
                    other => panic!("{method} {path}: unknown security scheme {other}"),
                })
                .next()
                .unwrap_or(Credential::None);
            operations.push(Operation {
                id: operation["operationId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                method: Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                path: path.clone(),
                responses: operation["responses"]
                    .as_object()
                    .map(|responses| responses.keys().cloned().collect())
                    .unwrap_or_default(),
                parameters,
                body,
                credential,
            });
        }
    }
    operations
}

/// A session the battery uses as a path parameter, with its client secret.
#[derive(Clone, Debug)]
pub struct Fixture {
    pub label: String,
    pub id: String,
    pub client_secret: String,
}

/// Sessions in the states the battery should meet: one pending per provider the server
/// runs; for the sandbox and Baidu H5 (whose sandbox pages the harness completes) one
/// verified, one failed and one canceled. Creates the server refuses are skipped.
pub async fn fixtures(app: &TestApp, doc: &Value) -> Vec<Fixture> {
    let providers: Vec<String> = doc["components"]["schemas"]["Provider"]["enum"]
        .as_array()
        .expect("the Provider enum")
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    let mut fixtures = Vec::new();
    for provider in &providers {
        let outcomes: &[&str] = match provider.as_str() {
            "sandbox" => &["pending", "pass", "not_same_person", "cancel"],
            "baidu_h5" => &["pending", "pass", "222351", "cancel"],
            _ => &["pending"],
        };
        for outcome in outcomes {
            let (status, session) = app
                .try_create(json!({
                    "provider": provider,
                    "reference": format!("fixture-{provider}-{outcome}"),
                    "subject": {"name": NAME, "id_number": ID_NUMBER},
                    "return_url": format!("{MERCHANT}/done"),
                }))
                .await;
            if status != reqwest::StatusCode::OK {
                continue;
            }
            let id = session["id"].as_str().unwrap().to_owned();
            match *outcome {
                "pending" => {}
                "cancel" => {
                    let canceled = app
                        .http
                        .post(app.url(&format!("/v1/verifications/{id}/cancel")))
                        .bearer_auth(API_KEY)
                        .send()
                        .await
                        .unwrap();
                    assert!(canceled.status().is_success());
                }
                outcome => {
                    let back = app.complete_sandbox_page(&session, outcome).await;
                    app.follow_return(&back).await;
                }
            }
            fixtures.push(Fixture {
                label: format!("{provider} {outcome}"),
                id,
                client_secret: session["client_secret"].as_str().unwrap().to_owned(),
            });
        }
    }
    fixtures
}

/// Path segments that name nothing, or cannot: an id of the right shape, a short one, a
/// long one, invalid UTF-8, an encoded slash, an encoded space.
const IMPLAUSIBLE_SEGMENTS: [&str; 6] = [
    "vs_AAAAAAAAAAAAAAAAAAAAAAAA",
    "x",
    "%FF",
    "%2F..%2F",
    "%20",
    "vs_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];

/// One way to fill an operation's path parameters.
struct PathFill<'a> {
    label: String,
    segments: BTreeMap<String, String>,
    fixture: Option<&'a Fixture>,
}

fn path_fills<'a>(operation: &Operation, fixtures: &'a [Fixture]) -> Vec<PathFill<'a>> {
    let mut fills = vec![PathFill {
        label: String::new(),
        segments: BTreeMap::new(),
        fixture: None,
    }];
    for parameter in operation.in_location("path") {
        let mut choices: Vec<(String, Option<&Fixture>)> = Vec::new();
        if let Some(values) = parameter.schema["enum"].as_array() {
            choices.extend(
                values
                    .iter()
                    .map(|v| (v.as_str().unwrap_or_default().to_owned(), None)),
            );
            choices.push(("not_a_value".into(), None));
        } else if parameter.name == "id" {
            choices.extend(fixtures.iter().map(|f| (f.id.clone(), Some(f))));
        }
        choices.extend(IMPLAUSIBLE_SEGMENTS.iter().map(|s| (s.to_string(), None)));
        let mut next = Vec::new();
        for fill in &fills {
            for (segment, fixture) in &choices {
                let mut segments = fill.segments.clone();
                segments.insert(parameter.name.clone(), segment.clone());
                let label = match fixture {
                    Some(f) => format!("{}={} ({})", parameter.name, segment, f.label),
                    None => format!("{}={}", parameter.name, segment),
                };
                next.push(PathFill {
                    label: [fill.label.as_str(), &label]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(" "),
                    segments,
                    fixture: fixture.or(fill.fixture),
                });
            }
        }
        fills = next;
    }
    fills
}

/// Values the server accepts for a field of this name (an allowlisted return_url, a valid
/// ID number, the session's own client secret ...).
fn known(name: &str, fixture: Option<&Fixture>) -> Option<Value> {
    Some(match name {
        "return_url" => json!(format!("{MERCHANT}/done")),
        "reference" => json!("order-openapi"),
        "subject" => json!({"name": NAME, "id_number": ID_NUMBER}),
        "name" => json!(NAME),
        "id_number" => json!(ID_NUMBER),
        "client_secret" => json!(fixture.map_or("cs_unknown", |f| f.client_secret.as_str())),
        "access_token" => json!(baidu_smartapp::ACCESS_TOKEN),
        "verify_result" => json!("openapi-battery-verify-result"),
        "limit" => json!(10),
        _ => return None,
    })
}

/// A value of the schema's type.
fn example(doc: &Value, schema: &Value, fixture: Option<&Fixture>) -> Value {
    let schema = resolve(doc, schema);
    if let Some(first) = schema["enum"].as_array().and_then(|values| values.first()) {
        return first.clone();
    }
    match type_of(&schema) {
        "object" => valid_bodies(doc, &schema, fixture)
            .into_iter()
            .next()
            .unwrap_or(json!({})),
        "array" => json!([]),
        "integer" | "number" => json!(1),
        "boolean" => json!(true),
        _ => json!("x"),
    }
}

/// Bodies the server should accept: the required fields and the known ones, one body per
/// value of each enum field (one create per provider).
fn valid_bodies(doc: &Value, schema: &Value, fixture: Option<&Fixture>) -> Vec<Value> {
    let schema = resolve(doc, schema);
    let Some(properties) = schema["properties"].as_object() else {
        return vec![json!({})];
    };
    let required: BTreeSet<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut base = Map::new();
    let mut enums: Vec<(&String, Vec<Value>)> = Vec::new();
    for (name, property) in properties {
        let property = resolve(doc, property);
        if let Some(value) = known(name, fixture) {
            base.insert(name.clone(), value);
        } else if let Some(values) = property["enum"].as_array() {
            enums.push((name, values.clone()));
        } else if required.contains(name.as_str()) {
            base.insert(name.clone(), example(doc, &property, fixture));
        }
    }
    let mut bodies = vec![base.clone()];
    for (name, values) in enums {
        bodies = bodies
            .iter()
            .flat_map(|body| {
                values.iter().map(move |value| {
                    let mut body = body.clone();
                    body.insert(name.clone(), value.clone());
                    body
                })
            })
            .collect();
    }
    bodies.into_iter().map(Value::Object).collect()
}

/// A request body and its content type.
struct BodyProbe {
    label: String,
    content_type: Option<&'static str>,
    bytes: Vec<u8>,
}

fn body_probe(
    label: impl Into<String>,
    content_type: Option<&'static str>,
    bytes: impl Into<Vec<u8>>,
) -> BodyProbe {
    BodyProbe {
        label: label.into(),
        content_type,
        bytes: bytes.into(),
    }
}

const JSON: Option<&str> = Some("application/json");

/// The valid bodies, then everything a careless client or a fuzzer sends instead.
fn body_probes(doc: &Value, operation: &Operation, fixture: Option<&Fixture>) -> Vec<BodyProbe> {
    let valid = match &operation.body {
        Some(schema) => valid_bodies(doc, schema, fixture),
        None => vec![json!({})],
    };
    let mut probes: Vec<BodyProbe> = valid
        .iter()
        .map(|body| body_probe(format!("body {body}"), JSON, body.to_string()))
        .collect();
    let first = valid[0].clone();
    let text = first.to_string();
    probes.extend([
        body_probe("no body", None, ""),
        body_probe("empty body, JSON content type", JSON, ""),
        body_probe(
            "a valid body as text/plain",
            Some("text/plain"),
            text.clone(),
        ),
        body_probe("a valid body without a content type", None, text.clone()),
        body_probe(
            "a form body",
            Some("application/x-www-form-urlencoded"),
            "a=b&c=d",
        ),
        body_probe(
            "a valid body, content type with a charset",
            Some("application/json; charset=utf-8"),
            text,
        ),
        body_probe("{}", JSON, "{}"),
        body_probe("malformed JSON", JSON, "{\"provider\": "),
        body_probe("invalid UTF-8", JSON, b"{\"a\": \"\xff\xfe\"}".to_vec()),
        body_probe("an array", JSON, "[]"),
        body_probe("null", JSON, "null"),
        body_probe("a string", JSON, "\"text\""),
        body_probe("a number", JSON, "12"),
        body_probe(
            "deeply nested",
            JSON,
            format!("{}{}", "[".repeat(300), "]".repeat(300)),
        ),
        body_probe(
            "an oversized body",
            JSON,
            json!({"padding": "a".repeat(OVERSIZED)}).to_string(),
        ),
    ]);
    if let Value::Object(fields) = &first {
        let mut unknown = fields.clone();
        unknown.insert("unexpected_field".into(), json!(1));
        probes.push(body_probe(
            "an unknown field",
            JSON,
            Value::Object(unknown).to_string(),
        ));
        for (name, value) in fields {
            let mut without = fields.clone();
            without.remove(name);
            probes.push(body_probe(
                format!("without {name}"),
                JSON,
                Value::Object(without).to_string(),
            ));
            let mut wrong = fields.clone();
            let wrong_value = if value.is_string() {
                json!(12345)
            } else {
                json!("x")
            };
            wrong.insert(name.clone(), wrong_value);
            probes.push(body_probe(
                format!("{name} of the wrong type"),
                JSON,
                Value::Object(wrong).to_string(),
            ));
            let mut empty = fields.clone();
            empty.insert(name.clone(), json!(""));
            probes.push(body_probe(
                format!("{name} empty"),
                JSON,
                Value::Object(empty).to_string(),
            ));
        }
    }
    probes
}

/// Values for a query parameter: plausible ones first, then what a fuzzer tries.
fn query_values(
    parameter: &Parameter,
    fixture: Option<&Fixture>,
    fixtures: &[Fixture],
) -> Vec<Option<String>> {
    let mut values = vec![None];
    if parameter.name == "client_secret" {
        values.push(Some(
            fixture.map_or("cs_unknown".into(), |f| urlencode(&f.client_secret)),
        ));
        values.push(Some("cs_wrong".into()));
        values.push(Some(String::new()));
    } else if let Some(enumeration) = parameter.schema["enum"].as_array() {
        values.extend(
            enumeration
                .iter()
                .map(|v| Some(v.as_str().unwrap_or_default().to_owned())),
        );
        values.push(Some("not_a_value".into()));
    } else if matches!(type_of(&parameter.schema), "integer" | "number") {
        for value in [
            "1",
            "10",
            "100",
            "0",
            "-1",
            "101",
            "x",
            "1.5",
            "99999999999999999999",
        ] {
            values.push(Some(value.into()));
        }
    } else {
        values.extend(fixtures.iter().take(2).map(|f| Some(f.id.clone())));
        for value in ["order-1", "", "x", "%FF", "vs_AAAAAAAAAAAAAAAAAAAAAAAA"] {
            values.push(Some(value.into()));
        }
        values.push(Some("a".repeat(3000)));
    }
    values
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A query string with `parameter` set to `value` and the other required ones plausible.
fn query_with(
    operation: &Operation,
    fixture: Option<&Fixture>,
    fixtures: &[Fixture],
    replace: Option<(&str, &Option<String>)>,
) -> String {
    let mut pairs = Vec::new();
    for parameter in operation.in_location("query") {
        let value = match replace {
            Some((name, value)) if name == parameter.name => value.clone(),
            _ if parameter.required => query_values(parameter, fixture, fixtures)
                .into_iter()
                .flatten()
                .next(),
            _ => None,
        };
        if let Some(value) = value {
            pairs.push(format!("{}={value}", parameter.name));
        }
    }
    pairs.join("&")
}

/// Query strings no parameter table describes.
fn malformed_queries(operation: &Operation, base: &str) -> Vec<String> {
    let mut queries: Vec<String> = ["%FF=1", "a=%ZZ", "=&=&", "unknown_parameter=1", ";", "&&&"]
        .iter()
        .map(|q| join_query(base, q))
        .collect();
    if let Some(parameter) = operation.in_location("query").next() {
        queries.push(join_query(base, &format!("{0}=a&{0}=b", parameter.name)));
        queries.push(join_query(base, &format!("{}[]=a", parameter.name)));
    }
    queries
}

fn join_query(base: &str, extra: &str) -> String {
    [base, extra]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("&")
}

/// Authorization headers: none, wrong ones, and the other scheme's right one.
fn authorization_probes(credential: Credential) -> Vec<(&'static str, Option<String>)> {
    let mut probes = vec![
        ("no credentials", None),
        (
            "a wrong key",
            Some("Bearer wrong-key-0123456789abcdef".to_owned()),
        ),
        // The shape of a key `facegate keys create` makes: looked up in the database.
        (
            "an unknown stored key",
            Some(format!(
                "Bearer {}abcdefgh01234567_{}",
                facegate_server::keys::PREFIX,
                "A".repeat(32)
            )),
        ),
        ("an empty bearer", Some("Bearer ".to_owned())),
        ("basic auth", Some("Basic dXNlcjpwYXNzd29yZA==".to_owned())),
    ];
    for other in [Credential::ApiKey, Credential::MetricsKey] {
        if other != credential {
            probes.push(("the other scheme's key", other.header()));
        }
    }
    probes
}

/// One request of the battery.
struct Request {
    label: String,
    path_and_query: String,
    authorization: Option<String>,
    headers: Vec<(String, String)>,
    body: Option<BodyProbe>,
}

/// How much of the battery to run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Every probe on every fill.
    Full,
    /// Only the plausible request (right credentials, valid body) on every fill.
    Plausible,
}

/// What the battery saw: per operation and status, the requests that got it.
#[derive(Default)]
pub struct Report {
    seen: BTreeMap<(String, u16), Vec<String>>,
    undocumented: BTreeMap<(String, u16), Vec<String>>,
    failures: Vec<String>,
}

impl Report {
    /// Every status seen, on any operation.
    pub fn statuses(&self) -> BTreeSet<u16> {
        self.seen.keys().map(|(_, status)| *status).collect()
    }

    /// The statuses `operation` answered.
    pub fn statuses_of(&self, operation: &str) -> BTreeSet<u16> {
        self.seen
            .keys()
            .filter(|(id, _)| id == operation)
            .map(|(_, status)| *status)
            .collect()
    }

    pub fn requests(&self) -> usize {
        self.seen.values().map(Vec::len).sum()
    }

    /// Panics with every undocumented status, per operation, with up to three requests each.
    pub fn assert_documented(&self) {
        let mut lines = self.failures.clone();
        for ((operation, status), requests) in &self.undocumented {
            lines.push(format!(
                "{operation} answered {status}, which it does not document ({} requests), e.g.:\n    {}",
                requests.len(),
                requests.iter().take(3).cloned().collect::<Vec<_>>().join("\n    ")
            ));
        }
        assert!(lines.is_empty(), "{}", lines.join("\n"));
    }
}

fn concrete_path(operation: &Operation, fill: &PathFill) -> String {
    let mut path = operation.path.clone();
    for (name, segment) in &fill.segments {
        path = path.replace(&format!("{{{name}}}"), segment);
    }
    path
}

fn requests(
    doc: &Value,
    operation: &Operation,
    fixtures: &[Fixture],
    depth: Depth,
) -> Vec<Request> {
    let mut requests = Vec::new();
    for fill in path_fills(operation, fixtures) {
        let path = concrete_path(operation, &fill);
        let base_query = query_with(operation, fill.fixture, fixtures, None);
        let path_and_query = |query: &str| {
            if query.is_empty() {
                path.clone()
            } else {
                format!("{path}?{query}")
            }
        };
        let bodies = if operation.takes_body() {
            body_probes(doc, operation, fill.fixture)
        } else {
            Vec::new()
        };
        let valid_bodies = bodies.iter().take_while(|b| b.label.starts_with("body "));
        let header_params: Vec<&Parameter> = operation.in_location("header").collect();
        let plausible = |label: String, body: Option<&BodyProbe>| Request {
            label,
            path_and_query: path_and_query(&base_query),
            authorization: operation.credential.header(),
            headers: Vec::new(),
            body: body.map(|b| BodyProbe {
                label: b.label.clone(),
                content_type: b.content_type,
                bytes: b.bytes.clone(),
            }),
        };
        // The plausible requests: one per valid body (or one without a body).
        if bodies.is_empty() {
            requests.push(plausible(format!("{} plausible", fill.label), None));
        } else {
            for body in valid_bodies {
                requests.push(plausible(
                    format!("{} {}", fill.label, body.label),
                    Some(body),
                ));
            }
        }
        if depth == Depth::Plausible {
            continue;
        }
        let first_valid = bodies.first();
        for (label, authorization) in authorization_probes(operation.credential) {
            let mut request = plausible(format!("{} {label}", fill.label), first_valid);
            request.authorization = authorization;
            requests.push(request);
        }
        for parameter in operation.in_location("query") {
            for value in query_values(parameter, fill.fixture, fixtures) {
                let query = query_with(
                    operation,
                    fill.fixture,
                    fixtures,
                    Some((&parameter.name, &value)),
                );
                let mut request =
                    plausible(format!("{} query {query:.80}", fill.label), first_valid);
                request.path_and_query = path_and_query(&query);
                requests.push(request);
            }
        }
        for query in malformed_queries(operation, &base_query) {
            let mut request = plausible(format!("{} query {query:.80}", fill.label), first_valid);
            request.path_and_query = path_and_query(&query);
            requests.push(request);
        }
        for parameter in &header_params {
            for value in [
                "openapi-battery-1".to_owned(),
                "openapi-battery-1".to_owned(),
                "a b".to_owned(),
                "k".repeat(300),
            ] {
                let mut request = plausible(
                    format!("{} header {}: {value:.40}", fill.label, parameter.name),
                    first_valid,
                );
                request.headers.push((parameter.name.clone(), value));
                requests.push(request);
            }
        }
        for body in bodies.iter().skip_while(|b| b.label.starts_with("body ")) {
            requests.push(plausible(
                format!("{} {}", fill.label, body.label),
                Some(body),
            ));
        }
    }
    requests
}

/// Runs the battery on every operation of `doc`.
pub async fn run(
    app: &TestApp,
    doc: &Value,
    fixtures: &[Fixture],
    depth: Depth,
    report: &mut Report,
) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    for operation in operations(doc) {
        for request in requests(doc, &operation, fixtures, depth) {
            let url = app.url(&request.path_and_query);
            let mut builder = http.request(operation.method.clone(), url);
            if let Some(authorization) = &request.authorization {
                builder = builder.header(AUTHORIZATION, authorization);
            }
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            if let Some(body) = &request.body {
                if let Some(content_type) = body.content_type {
                    builder = builder.header(CONTENT_TYPE, content_type);
                }
                builder = builder.body(body.bytes.clone());
            }
            let description = format!(
                "{} {} [{}]",
                operation.method,
                request.path_and_query.chars().take(160).collect::<String>(),
                request.label.chars().take(200).collect::<String>()
            );
            let status = match builder.send().await {
                Ok(response) => response.status().as_u16(),
                Err(error) => {
                    report.failures.push(format!(
                        "{}: no answer to {description}: {error}",
                        operation.id
                    ));
                    continue;
                }
            };
            let key = (operation.id.clone(), status);
            if !operation.documents(status) {
                report
                    .undocumented
                    .entry(key.clone())
                    .or_default()
                    .push(description.clone());
            }
            report.seen.entry(key).or_default().push(description);
        }
    }
}
