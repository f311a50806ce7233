//! facegate's server-side message catalogues, shared by the server's pages and the sandbox's
//! vendor pages.
//!
//! Each crate keeps its own catalogue, one [Fluent](https://projectfluent.org) directory per
//! locale (`locales/zh-CN/*.ftl`, `locales/en/*.ftl`), loaded at compile time with
//! [`fluent_templates::static_loader!`] (use [`catalogue!`]). This crate adds what each would
//! otherwise write again:
//! - [`RequestLocale`], the axum extractor that picks the page's locale: `?lang=` first, then
//!   `Accept-Language` by quality, else zh-CN;
//! - [`Text`], lookups that never print a raw key: a missing key renders as [`MISSING`]`key`,
//!   which the browser tests look for;
//! - [`check_catalogue`], the completeness check each catalogue's unit test runs: the same
//!   keys in every locale, the same placeables, no key the code does not use.
//!
//! Machine-readable codes are never looked up here: only the text a person reads.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use axum::extract::FromRequestParts;
use http::request::Parts;
use http::{header, HeaderValue};

pub use facegate_types::Locale;
pub use fluent_templates;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

/// Declares a crate's catalogue: `catalogue!(LOCALES, "./locales");` makes a
/// `static LOCALES: LazyLock<StaticLoader>` from the directory (relative to the crate's
/// manifest) with zh-CN as the fallback and Unicode isolation marks off (the text goes into
/// HTML, where the marks would show as stray characters in some fonts). It imports
/// `fluent_templates` into the module, which the loader's expansion names.
#[macro_export]
macro_rules! catalogue {
    ($vis:vis $name:ident, $dir:literal) => {
        use $crate::fluent_templates;
        fluent_templates::static_loader! {
            $vis static $name = {
                locales: $dir,
                fallback_language: "zh-CN",
                customise: |bundle| bundle.set_use_isolating(false),
            };
        }
    };
}

/// What a missing key renders as, before the key: `⟦missing⟧page-title`. Never expected in
/// a page; the browser tests fail on it.
pub const MISSING: &str = "⟦missing⟧";

/// The language identifier of a locale, as the catalogues' directories name it.
pub fn language(locale: Locale) -> LanguageIdentifier {
    // Both tags are valid BCP 47; parsing them cannot fail.
    locale
        .tag()
        .parse()
        .unwrap_or_else(|_| LanguageIdentifier::default())
}

/// A value put into a message's placeable (`{ $count }`): text or a whole number.
#[derive(Clone, Debug)]
pub enum Arg<'a> {
    /// Text, inserted as given (the page escapes it).
    Text(Cow<'a, str>),
    /// A whole number, formatted by Fluent for the locale.
    Number(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(value: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(value))
    }
}

impl From<String> for Arg<'_> {
    fn from(value: String) -> Self {
        Arg::Text(Cow::Owned(value))
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(value: $t) -> Self {
                Arg::Number(i64::try_from(value).unwrap_or(i64::MAX))
            }
        }
    )*};
}
number_arg!(i32, i64, u32, u64, usize);

/// Lookups in one catalogue for one locale.
#[derive(Clone, Copy)]
pub struct Text<'l, L: Loader> {
    loader: &'l L,
    locale: Locale,
}

impl<'l, L: Loader> Text<'l, L> {
    /// Lookups in `loader` for `locale`.
    pub fn new(loader: &'l L, locale: Locale) -> Self {
        Self { loader, locale }
    }

    /// The locale the text is in.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// The message `key`; [`MISSING`]`key` if the catalogue lacks it.
    pub fn get(&self, key: &str) -> String {
        self.loader
            .try_lookup(&language(self.locale), key)
            .unwrap_or_else(|| format!("{MISSING}{key}"))
    }

    /// The message `key` with its placeables filled from `args` (`(name, value)`, the name
    /// without `$`); [`MISSING`]`key` if the catalogue lacks it.
    pub fn with(&self, key: &str, args: &[(&'static str, Arg<'_>)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Arg::Text(text) => FluentValue::from(text.to_string()),
                    Arg::Number(number) => FluentValue::from(*number),
                };
                (Cow::Borrowed(*name), value)
            })
            .collect();
        self.loader
            .try_lookup_with_args(&language(self.locale), key, &args)
            .unwrap_or_else(|| format!("{MISSING}{key}"))
    }
}

/// The locale a request asks for: a valid `?lang=` (`zh-CN`, `zh`, `en`, `en-US` …) first,
/// then the first of `Accept-Language`'s languages, by quality, that facegate writes in;
/// else zh-CN. Never rejects a request: an unknown `lang` falls through to the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestLocale(pub Locale);

impl RequestLocale {
    /// The locale for a request's query string and `Accept-Language` header value.
    pub fn negotiate(query: Option<&str>, accept_language: Option<&str>) -> Locale {
        Self::asked(query).unwrap_or_else(|| {
            let tags = accept_language
                .map(accept_language::parse)
                .unwrap_or_default();
            Locale::first_of(tags.iter().map(String::as_str))
        })
    }

    /// The locale a query string's `lang` names, if it names one: what a page's own links
    /// carry on, so that a language chosen by `?lang=` stays chosen.
    pub fn asked(query: Option<&str>) -> Option<Locale> {
        query.and_then(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .filter(|(name, _)| name == "lang")
                .find_map(|(_, value)| Locale::from_tag(&value))
        })
    }

    /// The headers a page in this locale carries: `Content-Language`, and `Vary:
    /// Accept-Language` so that a cache keeps one copy per language.
    pub fn headers(self) -> [(header::HeaderName, HeaderValue); 2] {
        [
            (
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(self.0.tag()),
            ),
            (header::VARY, HeaderValue::from_static("Accept-Language")),
        ]
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestLocale {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let accept = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok());
        Ok(RequestLocale(Self::negotiate(parts.uri.query(), accept)))
    }
}

/// One message of a catalogue as [`check_catalogue`] reads it: its placeables' names.
type Messages = BTreeMap<String, BTreeSet<String>>;

fn placeables(pattern: &fluent_syntax::ast::Pattern<&str>, into: &mut BTreeSet<String>) {
    use fluent_syntax::ast::{Expression, InlineExpression, PatternElement};
    fn inline(expression: &InlineExpression<&str>, into: &mut BTreeSet<String>) {
        match expression {
            InlineExpression::VariableReference { id } => {
                into.insert(id.name.to_owned());
            }
            InlineExpression::FunctionReference { arguments, .. } => {
                for argument in &arguments.positional {
                    inline(argument, into);
                }
            }
            InlineExpression::Placeable { expression } => whole(expression, into),
            _ => {}
        }
    }
    fn whole(expression: &Expression<&str>, into: &mut BTreeSet<String>) {
        match expression {
            Expression::Inline(expression) => inline(expression, into),
            Expression::Select { selector, variants } => {
                inline(selector, into);
                for variant in variants {
                    placeables(&variant.value, into);
                }
            }
        }
    }
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            whole(expression, into);
        }
    }
}

fn read_locale(dir: &Path, problems: &mut Vec<String>) -> Messages {
    let mut messages = Messages::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "ftl"))
    {
        let source = std::fs::read_to_string(file).unwrap_or_default();
        let resource = match fluent_syntax::parser::parse(source.as_str()) {
            Ok(resource) => resource,
            Err((_, errors)) => {
                problems.push(format!("{}: does not parse: {errors:?}", file.display()));
                continue;
            }
        };
        for entry in &resource.body {
            if let fluent_syntax::ast::Entry::Message(message) = entry {
                let mut names = BTreeSet::new();
                match &message.value {
                    Some(value) if !value.elements.is_empty() => placeables(value, &mut names),
                    _ => problems.push(format!(
                        "{}: {} has no text",
                        file.display(),
                        message.id.name
                    )),
                }
                if messages.insert(message.id.name.to_owned(), names).is_some() {
                    problems.push(format!(
                        "{}: {} is defined twice",
                        dir.display(),
                        message.id.name
                    ));
                }
            }
        }
    }
    messages
}

/// Checks a catalogue: `locales_dir` holds one directory per [`Locale`] (`zh-CN`, `en`) of
/// `.ftl` files. Every locale must define the same keys, each key with the same placeables,
/// none empty, and every key must be used: quoted (`"key"`) in one of `sources` (the text of
/// the crate's source files). Returns every problem found, one line each.
pub fn check_catalogue(locales_dir: &Path, sources: &[String]) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let catalogues: Vec<(Locale, Messages)> = Locale::ALL
        .iter()
        .map(|locale| {
            let dir = locales_dir.join(locale.tag());
            (*locale, read_locale(&dir, &mut problems))
        })
        .collect();
    let (first, reference) = &catalogues[0];
    if reference.is_empty() {
        problems.push(format!("{}: no message", locales_dir.display()));
    }
    for (locale, messages) in &catalogues[1..] {
        for (key, names) in reference {
            match messages.get(key) {
                None => problems.push(format!("{key}: in {first}, missing in {locale}")),
                Some(other) if other != names => problems.push(format!(
                    "{key}: placeables {names:?} in {first}, {other:?} in {locale}"
                )),
                Some(_) => {}
            }
        }
        for key in messages.keys().filter(|key| !reference.contains_key(*key)) {
            problems.push(format!("{key}: in {locale}, missing in {first}"));
        }
    }
    for key in reference.keys() {
        let quoted = format!("\"{key}\"");
        if !sources.iter().any(|source| source.contains(&quoted)) {
            problems.push(format!("{key}: no source file uses it"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The text of every `.rs` file under `dir`, for [`check_catalogue`]'s unused-key check.
pub fn rust_sources(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.extend(std::fs::read_to_string(&path).ok());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    catalogue!(FIXTURE, "./tests/fixture");

    #[test]
    fn the_query_wins_then_accept_language_by_quality_then_zh_cn() {
        let cases = [
            (None, None, Locale::ZhCn),
            (None, Some("en-US,en;q=0.9"), Locale::En),
            (None, Some("fr-FR, en;q=0.8, zh;q=0.9"), Locale::ZhCn),
            (None, Some("fr-FR, zh;q=0.1, en;q=0.5"), Locale::En),
            (None, Some("de, fr"), Locale::ZhCn),
            (None, Some("*"), Locale::ZhCn),
            (Some("lang=en"), Some("zh-CN"), Locale::En),
            (Some("a=1&lang=zh-CN"), Some("en"), Locale::ZhCn),
            (Some("lang=xx"), Some("en"), Locale::En),
            (Some("lang="), None, Locale::ZhCn),
            (Some("lang=en-GB"), None, Locale::En),
        ];
        for (query, header, locale) in cases {
            assert_eq!(
                RequestLocale::negotiate(query, header),
                locale,
                "{query:?} {header:?}"
            );
        }
    }

    #[tokio::test]
    async fn the_extractor_reads_the_request() {
        let request = http::Request::builder()
            .uri("/page?lang=en")
            .header(header::ACCEPT_LANGUAGE, "zh-CN")
            .body(())
            .unwrap();
        let (mut parts, ()) = request.into_parts();
        let RequestLocale(locale) = RequestLocale::from_request_parts(&mut parts, &())
            .await
            .unwrap();
        assert_eq!(locale, Locale::En);
    }

    #[test]
    fn lookups_fill_placeables_and_mark_missing_keys() {
        let zh = Text::new(&*FIXTURE, Locale::ZhCn);
        let en = Text::new(&*FIXTURE, Locale::En);
        assert_eq!(zh.get("greeting"), "您好");
        assert_eq!(en.get("greeting"), "Hello");
        assert_eq!(zh.with("count", &[("count", 3.into())]), "共 3 条");
        assert_eq!(en.with("count", &[("count", 1.into())]), "1 item");
        assert_eq!(en.with("count", &[("count", 2.into())]), "2 items");
        assert_eq!(en.get("nowhere"), format!("{MISSING}nowhere"));
    }

    #[test]
    fn the_check_finds_every_kind_of_problem() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let uses = vec!["\"greeting\" \"count\"".to_owned()];
        assert_eq!(check_catalogue(&root.join("fixture"), &uses), Ok(()));
        let problems = check_catalogue(&root.join("broken"), &uses).unwrap_err();
        let expected = [
            "count: placeables {\"count\"} in zh-CN, {\"n\"} in en",
            "greeting: in zh-CN, missing in en",
            "farewell: in en, missing in zh-CN",
            "unused: no source file uses it",
        ];
        for line in expected {
            assert!(
                problems.iter().any(|p| p == line),
                "{line} not in {problems:#?}"
            );
        }
        assert!(
            problems.iter().any(|p| p.ends_with("empty has no text")),
            "{problems:#?}"
        );
    }
}
