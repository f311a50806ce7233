//! Parse, don't validate: the values a handler may hold once the edge has checked them.
//! Each newtype's `Debug` masks, so a stray `{:?}` cannot leak a name or an ID number.

use std::fmt;

use rand::distributions::{Alphanumeric, DistString};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use url::Url;

/// Why a value was refused; the handler adds the field name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

fn invalid(message: impl Into<String>) -> Invalid {
    Invalid(message.into())
}

/// A mainland resident ID number (GB 11643-1999): 17 digits and a check digit, upper-case X.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

impl IdNumber {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim().to_ascii_uppercase();
        if value.len() != 18 || !value.is_ascii() {
            return Err(invalid("must be an 18-character mainland ID number"));
        }
        let (body, check) = value.split_at(17);
        if !body.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("the first 17 characters must be digits"));
        }
        let sum: u32 = body
            .bytes()
            .zip(ID_WEIGHTS)
            .map(|(digit, weight)| u32::from(digit - b'0') * weight)
            .sum();
        let expected = ID_CHECK[(sum % 11) as usize];
        if !check.starts_with(expected) {
            return Err(invalid("the check digit does not match (GB 11643)"));
        }
        let birth = &body[6..14];
        if !valid_birth_date(birth) {
            return Err(invalid(
                "the birth date in the ID number is not a real date",
            ));
        }
        Ok(Self(value))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `110***********4514`: the first three and the last four characters.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..3], "*".repeat(11), &self.0[14..])
    }

    /// The birth date's year, month and day.
    pub fn birth_date(&self) -> (i32, u8, u8) {
        let year = self.0[6..10].parse().unwrap_or(0);
        let month = self.0[10..12].parse().unwrap_or(0);
        let day = self.0[12..14].parse().unwrap_or(0);
        (year, month, day)
    }
}

fn valid_birth_date(yyyymmdd: &str) -> bool {
    let (Ok(year), Ok(month), Ok(day)) = (
        yyyymmdd[..4].parse::<i32>(),
        yyyymmdd[4..6].parse::<u8>(),
        yyyymmdd[6..].parse::<u8>(),
    ) else {
        return false;
    };
    let Ok(month) = time::Month::try_from(month) else {
        return false;
    };
    let Ok(date) = time::Date::from_calendar_date(year, month, day) else {
        return false;
    };
    year >= 1900 && date <= time::OffsetDateTime::now_utc().date()
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// A person's name as on the ID card: 2 to 30 characters of Chinese (with the middle dot of
/// minority names) or Latin letters and spaces.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        let count = value.chars().count();
        if !(2..=30).contains(&count) {
            return Err(invalid("must be 2 to 30 characters"));
        }
        let allowed = |c: char| {
            matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{20000}'..='\u{2a6df}')
                || c == '·'
                || c == '•'
                || c.is_ascii_alphabetic()
                || c == ' '
        };
        if !value.chars().all(allowed) {
            return Err(invalid(
                "may hold only Chinese characters, the middle dot (·) and Latin letters",
            ));
        }
        if value.starts_with(['·', '•']) || value.ends_with(['·', '•']) {
            return Err(invalid("may not start or end with a middle dot"));
        }
        Ok(Self(value.replace('•', "·")))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `张*`: the first character, then one star per remaining character.
    pub fn masked(&self) -> String {
        let mut chars = self.0.chars();
        let first = chars.next().unwrap_or('*');
        let rest = chars.count();
        format!("{first}{}", "*".repeat(rest))
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonName({})", self.masked())
    }
}

/// The person a session checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub name: PersonName,
    pub id_number: IdNumber,
}

/// Origins a merchant's return_url may point to.
#[derive(Clone, Debug, Default)]
pub struct ReturnUrlPolicy {
    origins: Vec<url::Origin>,
    allow_loopback: bool,
}

impl ReturnUrlPolicy {
    /// `origins` are full origins (`https://shop.example`); unparsable entries are errors.
    pub fn new(origins: &[String], allow_loopback: bool) -> Result<Self, Invalid> {
        let origins = origins
            .iter()
            .map(|origin| {
                let url = Url::parse(origin.trim())
                    .map_err(|_| invalid(format!("`{origin}` is not an origin URL")))?;
                if !matches!(url.scheme(), "http" | "https") {
                    return Err(invalid(format!("`{origin}` is not http(s)")));
                }
                Ok(url.origin())
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            origins,
            allow_loopback,
        })
    }

    /// Adds one origin (facegate's own public origin is always allowed).
    pub fn allow(&mut self, origin: url::Origin) {
        self.origins.push(origin);
    }

    fn allows(&self, url: &Url) -> bool {
        let origin = url.origin();
        if self.origins.contains(&origin) {
            return true;
        }
        self.allow_loopback
            && matches!(
                url.host(),
                Some(url::Host::Domain("localhost"))
                    | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
                    | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
            )
    }
}

/// A merchant return URL: absolute http(s), no credentials, on an allowlisted origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnUrl(Url);

impl ReturnUrl {
    pub fn parse(raw: &str, policy: &ReturnUrlPolicy) -> Result<Self, Invalid> {
        if raw.len() > 2048 {
            return Err(invalid("must be at most 2048 bytes"));
        }
        // Url::parse would accept "https:evil.example" or "//evil" relative forms only with a
        // base; without one, anything that parses is absolute.
        let url = Url::parse(raw.trim()).map_err(|_| invalid("must be an absolute URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("must be an http or https URL"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("must not carry credentials"));
        }
        if !policy.allows(&url) {
            return Err(invalid(
                "its origin is not on the return URL allowlist (FACEGATE_RETURN_URL_ALLOWLIST)",
            ));
        }
        Ok(Self(url))
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The URL with `verification_id` and `status` appended to its query. The merchant's own
    /// query comes back byte for byte (its percent-escapes, `+`, empty and bare segments as
    /// given), except any earlier `verification_id` or `status` segments, which are dropped
    /// so a merchant URL cannot pre-set them; the fragment is kept.
    pub fn landing(&self, verification_id: &str, status: &str) -> Url {
        // The rule of tests/cases/return_urls.json, shared with the wasm helper.
        let landing = facegate_types::front_end::pages::append_query(
            self.0.as_str(),
            &[("verification_id", verification_id), ("status", status)],
        );
        // Every piece came from a parsed URL or was encoded: this parses. Should it not, the
        // merchant's URL with only our parameters is the safe fallback.
        Url::parse(&landing).unwrap_or_else(|_| {
            let mut fallback = self.0.clone();
            fallback.set_query(None);
            fallback
                .query_pairs_mut()
                .append_pair("verification_id", verification_id)
                .append_pair("status", status);
            fallback
        })
    }
}

/// A merchant's business id: 1 to 64 printable ASCII characters (it becomes the vendor's
/// biz_no / out_seq_no / contextId, whose charsets are narrow).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference(String);

impl Reference {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.is_empty() || raw.len() > 64 {
            return Err(invalid("must be 1 to 64 characters"));
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        {
            return Err(invalid("may hold only letters, digits and - _ . :"));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `vs_` and 24 random letters and digits: unguessable, never sequential.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VerificationId(String);

impl VerificationId {
    pub fn generate() -> Self {
        Self(format!(
            "vs_{}",
            Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
        ))
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let ok = raw.len() == 27
            && raw.starts_with("vs_")
            && raw[3..].bytes().all(|b| b.is_ascii_alphanumeric());
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(invalid("is not a verification id"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VerificationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// SHA-256 of a high-entropy secret. Fine for random tokens (not for passwords).
pub fn secret_hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// The front end's key to one session: `<id>_secret_<32 random>`. Only its hash is stored.
pub struct ClientSecret(SecretString);

impl ClientSecret {
    pub fn generate(id: &VerificationId) -> Self {
        let random = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
        Self(SecretString::from(format!("{id}_secret_{random}")))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn hash(&self) -> Vec<u8> {
        secret_hash(self.expose())
    }

    /// Constant-time check of a presented secret against a stored hash.
    pub fn matches(presented: &str, stored_hash: &[u8]) -> bool {
        secret_hash(presented).ct_eq(stored_hash).into()
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_with_a_valid_check_digit_parse() {
        let id = IdNumber::parse("11010519491231002x").unwrap();
        assert_eq!(id.expose(), "11010519491231002X");
        assert_eq!(id.masked(), "110***********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(110***********002X)");
        assert!(IdNumber::parse("110101199003074514").is_ok());
    }

    #[test]
    fn id_numbers_are_refused_with_a_reason() {
        assert!(IdNumber::parse("110101199003074515")
            .unwrap_err()
            .0
            .contains("check digit"));
        assert!(IdNumber::parse("11010119900307451").is_err());
        assert!(IdNumber::parse("11010119900307451A").is_err());
        // 1990-02-30 does not exist; the check digit is right for these digits.
        let body = "11010119900230451";
        let sum: u32 = body
            .bytes()
            .zip(ID_WEIGHTS)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        let bad_date = format!("{body}{}", ID_CHECK[(sum % 11) as usize]);
        assert!(IdNumber::parse(&bad_date)
            .unwrap_err()
            .0
            .contains("birth date"));
        assert!(IdNumber::parse("１１０１０１１９９００３０７４５１４").is_err());
    }

    #[test]
    fn names_mask_all_but_the_first_character() {
        assert_eq!(PersonName::parse("张三").unwrap().masked(), "张*");
        assert_eq!(
            PersonName::parse(" 买买提·艾力 ").unwrap().masked(),
            "买*****"
        );
        assert_eq!(
            PersonName::parse("阿卜杜•热合曼").unwrap().expose(),
            "阿卜杜·热合曼"
        );
        assert!(PersonName::parse("张").is_err());
        assert!(PersonName::parse("张三<script>").is_err());
        assert!(PersonName::parse("·张三").is_err());
        assert!(PersonName::parse(&"张".repeat(31)).is_err());
    }

    #[test]
    fn return_urls_only_go_to_allowed_origins() {
        let policy = ReturnUrlPolicy::new(&["https://shop.example".into()], false).unwrap();
        assert!(ReturnUrl::parse("https://shop.example/done?x=1", &policy).is_ok());
        for bad in [
            "//evil.example/x",
            "https://shop.example.evil.com/",
            "https://evil.com/?https://shop.example",
            "javascript:alert(1)",
            "http://shop.example/",
            "https://user:pw@shop.example/",
            "https://shop.example:8443/",
            "http://localhost:3000/",
            "https://shop.example%2eevil.com/",
            "https://evil.com%2f@shop.example/",
            "  javascript:alert(1)",
            "data:text/html,x",
        ] {
            assert!(
                ReturnUrl::parse(bad, &policy).is_err(),
                "{bad} was accepted"
            );
        }
        // A percent-encoded dot decodes to the allowed host itself, and the redirect carries
        // the normalised form.
        let encoded = ReturnUrl::parse("https://shop%2eexample/x", &policy).unwrap();
        assert_eq!(encoded.url().as_str(), "https://shop.example/x");
        // WHATWG (and every browser) reads a backslash as a slash: the host stays ours.
        let slash = ReturnUrl::parse("https://shop.example\\@evil.com/", &policy).unwrap();
        assert_eq!(slash.url().as_str(), "https://shop.example/@evil.com/");
        let dev = ReturnUrlPolicy::new(&[], true).unwrap();
        assert!(ReturnUrl::parse("http://localhost:3000/r", &dev).is_ok());
        assert!(ReturnUrl::parse("http://127.0.0.1:3000/r", &dev).is_ok());
        assert!(ReturnUrl::parse("http://localhost.evil.com/r", &dev).is_err());
    }

    #[test]
    fn landing_urls_replace_preset_status() {
        let policy = ReturnUrlPolicy::new(&["https://shop.example".into()], false).unwrap();
        let url = ReturnUrl::parse(
            "https://shop.example/r?order=7&status=verified#top",
            &policy,
        )
        .unwrap();
        assert_eq!(
            url.landing("vs_1", "failed").as_str(),
            "https://shop.example/r?order=7&verification_id=vs_1&status=failed#top"
        );
    }

    #[test]
    fn landing_urls_keep_the_merchant_query_byte_for_byte() {
        let policy = ReturnUrlPolicy::new(&["http://merchant.test".into()], false).unwrap();
        for (given, expected) in [
            // The report's input: %20 stays %20, %2B stays %2B.
            (
                "http://merchant.test/done?note=a%20b&sig=x%2By",
                "http://merchant.test/done?note=a%20b&sig=x%2By&verification_id=vs_1&status=verified",
            ),
            (
                "http://merchant.test/done?note=a+b&sig=x%2by&zh=%E4%B8%AD&amp=%26&eq=%3D",
                "http://merchant.test/done?note=a+b&sig=x%2by&zh=%E4%B8%AD&amp=%26&eq=%3D&verification_id=vs_1&status=verified",
            ),
            (
                "http://merchant.test/done?flag&empty=&&x=1#top",
                "http://merchant.test/done?flag&empty=&&x=1&verification_id=vs_1&status=verified#top",
            ),
            (
                "http://merchant.test/done?status=x&a=1&verification%5Fid=y",
                "http://merchant.test/done?a=1&verification_id=vs_1&status=verified",
            ),
            (
                "http://merchant.test/done",
                "http://merchant.test/done?verification_id=vs_1&status=verified",
            ),
            (
                "http://merchant.test/done?",
                "http://merchant.test/done?verification_id=vs_1&status=verified",
            ),
            (
                "http://merchant.test/done?a=1&",
                "http://merchant.test/done?a=1&&verification_id=vs_1&status=verified",
            ),
        ] {
            let url = ReturnUrl::parse(given, &policy).unwrap();
            assert_eq!(url.landing("vs_1", "verified").as_str(), expected, "{given}");
        }
    }

    /// The table the wasm helper's `landing_url` is held to (tests/cases/return_urls.json):
    /// the server and the helper build the same landing URL, byte for byte.
    #[test]
    fn landing_urls_follow_the_shared_table() {
        let table: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/cases/return_urls.json")).unwrap();
        let cases = table["cases"].as_array().unwrap();
        assert!(cases.len() >= 10);
        let policy = ReturnUrlPolicy::new(&[], true).unwrap();
        for case in cases {
            let given = case["return_url"].as_str().unwrap();
            let policy = {
                let mut policy = policy.clone();
                policy.allow(Url::parse(given).unwrap().origin());
                policy
            };
            let url = ReturnUrl::parse(given, &policy).unwrap();
            let landing = url.landing(
                case["verification_id"].as_str().unwrap(),
                case["status"].as_str().unwrap(),
            );
            assert_eq!(
                landing.as_str(),
                case["landing"].as_str().unwrap(),
                "{}",
                case["name"]
            );
        }
    }

    #[test]
    fn ids_and_secrets_have_their_shapes() {
        let id = VerificationId::generate();
        assert!(VerificationId::parse(id.as_str()).is_ok());
        assert!(VerificationId::parse("vs_../../etc").is_err());
        let secret = ClientSecret::generate(&id);
        assert!(ClientSecret::matches(secret.expose(), &secret.hash()));
        assert!(!ClientSecret::matches("nope", &secret.hash()));
        assert_eq!(format!("{secret:?}"), "ClientSecret(..)");
    }

    #[test]
    fn references_are_narrow() {
        assert!(Reference::parse("order-123_A.1:x").is_ok());
        assert!(Reference::parse("").is_err());
        assert!(Reference::parse("订单").is_err());
        assert!(Reference::parse("a b").is_err());
    }
}
