//! Property tests of the server's untrusted input: ID numbers (GB 11643: every valid number
//! is accepted, any single-character change or swap of two neighbours is refused), names, and
//! the create request: whatever JSON (or bytes) a client sends to a real server, the answer is
//! a session or a 4xx naming the field, never a 5xx.
//!
//! Default 256 cases per property (the create request: 128, each an HTTP round trip); a longer
//! run: `PROPTEST_CASES=20000 cargo test -p facegate-server --test properties`.

use std::sync::OnceLock;

use facegate_server::domain::{IdNumber, PersonName};
use facegate_server::{Application, Settings};
use proptest::prelude::*;
use serde_json::{json, Value};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECKS: &[u8; 11] = b"10X98765432";
const API_KEY: &str = "properties-key-0123456789";

/// The check character of 17 digits (ISO 7064 MOD 11-2), computed independently of the server.
fn check_character(body: &str) -> char {
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    char::from(CHECKS[(sum % 11) as usize])
}

/// A valid ID number: any region code, a real birth date from 1900 to 2019, any sequence.
fn valid_id_number() -> impl Strategy<Value = String> {
    (
        "[1-8][0-9]{5}",
        1900i32..2020,
        1u8..=12,
        1u8..=31,
        "[0-9]{3}",
    )
        .prop_filter_map("a real date", |(region, year, month, day, sequence)| {
            let month_value = time::Month::try_from(month).ok()?;
            time::Date::from_calendar_date(year, month_value, day).ok()?;
            let body = format!("{region}{year:04}{month:02}{day:02}{sequence}");
            Some(format!("{body}{}", check_character(&body)))
        })
}

proptest! {
    #[test]
    fn valid_id_numbers_are_accepted_and_masked(number in valid_id_number()) {
        let parsed = IdNumber::parse(&number).unwrap();
        prop_assert_eq!(parsed.expose(), number.as_str());
        let masked = parsed.masked();
        prop_assert_eq!(&masked[..3], &number[..3]);
        prop_assert_eq!(&masked[14..], &number[14..]);
        prop_assert_eq!(&masked[3..14], "***********");
        // A lower-case x check character is the same number.
        if number.ends_with('X') {
            prop_assert!(IdNumber::parse(&number.to_ascii_lowercase()).is_ok());
        }
    }

    #[test]
    fn any_single_character_change_is_refused(
        number in valid_id_number(),
        position in 0usize..18,
        replacement in prop::sample::select(b"0123456789X".to_vec()),
    ) {
        let mut changed = number.clone().into_bytes();
        prop_assume!(changed[position] != replacement);
        changed[position] = replacement;
        let changed = String::from_utf8(changed).unwrap();
        prop_assert!(IdNumber::parse(&changed).is_err(), "{} accepted", changed);
    }

    #[test]
    fn swapping_two_neighbouring_digits_is_refused(number in valid_id_number(), position in 0usize..16) {
        let mut swapped = number.clone().into_bytes();
        prop_assume!(swapped[position] != swapped[position + 1]);
        swapped.swap(position, position + 1);
        let swapped = String::from_utf8(swapped).unwrap();
        prop_assert!(IdNumber::parse(&swapped).is_err(), "{} accepted", swapped);
    }

    #[test]
    fn id_numbers_and_names_never_panic(text in any::<String>()) {
        if let Ok(number) = IdNumber::parse(&text) {
            prop_assert_eq!(number.masked().chars().count(), 18);
            let _ = number.birth_date();
        }
        if let Ok(name) = PersonName::parse(&text) {
            let count = name.expose().chars().count();
            prop_assert!((2..=30).contains(&count));
            prop_assert_eq!(name.masked().chars().count(), count);
        }
    }

    #[test]
    fn chinese_and_minority_names_are_accepted(
        given in "[\u{4e00}-\u{9fa5}]{1,6}",
        family in "[\u{4e00}-\u{9fa5}]{1,6}",
        dotted in any::<bool>(),
    ) {
        let name = if dotted { format!("{given}·{family}") } else { format!("{given}{family}") };
        let parsed = PersonName::parse(&name).unwrap();
        prop_assert_eq!(parsed.expose(), name.as_str());
    }
}

/// One real server for the whole file: its own runtime, port, data directory and the
/// embedded sandbox.
struct Server {
    runtime: tokio::runtime::Runtime,
    base: String,
    http: reqwest::Client,
    _data_dir: tempfile::TempDir,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let data_dir = tempfile::tempdir().unwrap();
        let data = data_dir.path().display().to_string();
        let settings = Settings::from_pairs([
            ("addr", "127.0.0.1:0"),
            ("data_dir", data.as_str()),
            ("api_keys", API_KEY),
            ("return_url_allowlist", "https://shop.example"),
            ("pii_key", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="),
            ("create_per_minute_per_key", "0"),
            ("create_per_minute_per_ip", "0"),
            ("reference_daily_cap", "0"),
        ])
        .unwrap();
        let base = runtime.block_on(async {
            let app = Application::build(settings).await.unwrap();
            let base = format!("http://{}", app.local_addr());
            tokio::spawn(async move {
                let _ = app.run(tokio_util::sync::CancellationToken::new()).await;
            });
            base
        });
        Server {
            runtime,
            base,
            http: reqwest::Client::new(),
            _data_dir: data_dir,
        }
    })
}

impl Server {
    /// POSTs `body` to /v1/verifications: the status and the JSON answer.
    fn create(&self, body: Vec<u8>) -> (u16, Value) {
        self.runtime.block_on(async {
            let response = self
                .http
                .post(format!("{}/v1/verifications", self.base))
                .bearer_auth(API_KEY)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(Value::Null))
        })
    }
}

/// A create request: each field valid, invalid or of the wrong type, or left out.
fn create_request() -> impl Strategy<Value = Value> {
    let text = prop_oneof![
        any::<String>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(Value::Null),
        Just(json!([])),
        Just(json!({})),
    ];
    let provider = prop_oneof![
        3 => Just(Value::from("sandbox")),
        1 => Just(Value::from("baidu_h5")),
        1 => text.clone(),
    ];
    let reference = prop_oneof![
        Just(Value::from("order-1")),
        "[ -~]{0,140}".prop_map(Value::from),
        text.clone()
    ];
    let name = prop_oneof![
        Just(Value::from("张三")),
        Just(Value::from("阿依古丽·买买提")),
        text.clone()
    ];
    let id_number = prop_oneof![
        valid_id_number().prop_map(Value::from),
        "[0-9X]{17,19}".prop_map(Value::from),
        text.clone(),
    ];
    let subject = prop_oneof![
        (name, id_number).prop_map(|(name, id)| json!({"name": name, "id_number": id})),
        text.clone(),
    ];
    let return_url = prop_oneof![
        Just(Value::from("https://shop.example/done?order=1")),
        Just(Value::from("//evil.example")),
        Just(Value::from("javascript:alert(1)")),
        "https?://[a-z.]{1,20}/[ -~]{0,20}".prop_map(Value::from),
        text.clone(),
    ];
    let image = prop_oneof![
        Just(Value::from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==")),
        "[A-Za-z0-9+/=]{0,40}".prop_map(Value::from),
        text.clone(),
    ];
    let options = prop_oneof![
        (0u32..100_000).prop_map(|ttl| json!({"ttl_seconds": ttl})),
        Just(json!({"security_level": 9})),
        text,
    ];
    (
        provider,
        prop::option::of(reference),
        prop::option::of(subject),
        prop::option::of(return_url),
        prop::option::of(image),
        prop::option::of(options),
    )
        .prop_map(
            |(provider, reference, subject, return_url, image, options)| {
                let mut body = json!({"provider": provider});
                for (key, value) in [
                    ("reference", reference),
                    ("subject", subject),
                    ("return_url", return_url),
                    ("reference_image", image),
                    ("options", options),
                ] {
                    if let Some(value) = value {
                        body[key] = value;
                    }
                }
                body
            },
        )
}

fn assert_answer(status: u16, answer: &Value) -> Result<(), TestCaseError> {
    prop_assert!(status < 500, "{} {}", status, answer);
    if status == 200 {
        prop_assert_eq!(answer["object"].as_str(), Some("verification"));
    } else {
        prop_assert!((400..500).contains(&status), "{} {}", status, answer);
        prop_assert!(answer["error"]["code"].is_string(), "{}", answer);
        prop_assert!(answer["error"]["message"].is_string(), "{}", answer);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: ProptestConfig::default().cases.min(128),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_create_request_is_a_session_or_a_4xx_naming_the_field(body in create_request()) {
        let (status, answer) = server().create(serde_json::to_vec(&body).unwrap());
        assert_answer(status, &answer)?;
    }

    #[test]
    fn a_valid_request_creates_a_session_with_the_subject_masked(id in valid_id_number()) {
        let body = json!({
            "provider": "sandbox",
            "subject": {"name": "阿依古丽·买买提", "id_number": id},
            "return_url": "https://shop.example/done",
        });
        let (status, answer) = server().create(serde_json::to_vec(&body).unwrap());
        prop_assert_eq!(status, 200, "{}", answer);
        let masked = format!("{}***********{}", &id[..3], &id[14..]);
        prop_assert_eq!(answer["subject"]["id_number"].as_str(), Some(masked.as_str()));
        prop_assert!(!answer.to_string().contains(&id));
    }

    #[test]
    fn a_bad_id_number_is_refused_and_named(id in any::<String>()) {
        prop_assume!(IdNumber::parse(&id).is_err());
        let body = json!({
            "provider": "sandbox",
            "subject": {"name": "张三", "id_number": id},
            "return_url": "https://shop.example/done",
        });
        let (status, answer) = server().create(serde_json::to_vec(&body).unwrap());
        prop_assert_eq!(status, 400, "{}", answer);
        prop_assert_eq!(answer["error"]["field"].as_str(), Some("subject.id_number"));
    }

    #[test]
    fn any_bytes_as_a_create_body_get_a_4xx(body in prop::collection::vec(any::<u8>(), 0..256)) {
        let (status, answer) = server().create(body);
        prop_assert!((400..500).contains(&status), "{} {}", status, answer);
        prop_assert!(answer["error"]["code"].is_string(), "{}", answer);
    }
}
