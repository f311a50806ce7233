//! The HTML the sandbox shows its users: small, escaped, without JavaScript, in the request's
//! locale (zh-CN by default, en beside it) from the catalogue under `locales/`, each page with
//! the link to the other language.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use facegate_i18n::{Arg, Locale, RequestLocale, Text};
use url::form_urlencoded;

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

facegate_i18n::catalogue!(LOCALES, "./locales");

/// The request a page answers: the locale it is shown in ([`RequestLocale`]: `?lang=`, then
/// `Accept-Language`, else zh-CN) and its query without `lang`, which the language switch and
/// the outcome form keep. Every page of the sandbox is rendered through it.
#[derive(Clone, Debug)]
pub struct Page {
    locale: Locale,
    query: Vec<(String, String)>,
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let RequestLocale(locale) = RequestLocale::from_request_parts(parts, state).await?;
        let query = parts
            .uri
            .query()
            .map(|query| {
                form_urlencoded::parse(query.as_bytes())
                    .into_owned()
                    .filter(|(name, _)| name != "lang")
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self { locale, query })
    }
}

impl Page {
    /// The catalogue's message `key` in the page's locale.
    pub fn text(&self, key: &str) -> String {
        Text::new(&*LOCALES, self.locale).get(key)
    }

    /// The catalogue's message `key` in the page's locale, its placeables filled from `args`.
    pub fn with(&self, key: &str, args: &[(&'static str, Arg<'_>)]) -> String {
        Text::new(&*LOCALES, self.locale).with(key, args)
    }

    /// An outcome's label `key` followed by the vendor's own code and text, as the vendor's
    /// documents write them (`未通过：人脸有遮挡（223113 人脸有被遮挡）`).
    pub fn coded(&self, key: &str, code: &str) -> String {
        let label = self.text(key);
        self.with(
            "page-coded",
            &[("label", label.into()), ("code", code.into())],
        )
    }

    /// This page's URL in `locale`, as a query-only reference (`?token=…&lang=en`): the
    /// sandbox may be nested under a prefix its handlers do not see, and a reference that
    /// starts with `?` keeps whatever path the browser is on.
    fn href(&self, locale: Locale) -> String {
        form_urlencoded::Serializer::for_suffix(String::from("?"), 1)
            .extend_pairs(&self.query)
            .append_pair("lang", locale.tag())
            .finish()
    }

    /// A whole page around `body` (already escaped HTML), in the page's locale, with the
    /// sandbox's banner and the link to the same page in the other locale.
    pub fn render(&self, status: StatusCode, title: &str, body: &str) -> Response {
        let other = Locale::ALL
            .iter()
            .copied()
            .find(|locale| *locale != self.locale)
            .unwrap_or(self.locale);
        let html = format!(
            r#"<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif;margin:0;background:#f4f5f7;color:#1d2129}}
main{{max-width:28rem;margin:0 auto;padding:1.5rem 1rem}}
h1{{font-size:1.25rem}} .note{{color:#4e5969;font-size:.9rem}}
.bar{{display:flex;justify-content:space-between;color:#86909c;font-size:.8rem}}
fieldset{{border:1px solid #d0d3d9;border-radius:.5rem;background:#fff;padding:.75rem 1rem}}
label{{display:block;padding:.45rem 0}}
button{{margin-top:1rem;width:100%;padding:.8rem;font-size:1rem;border:0;border-radius:.5rem;background:#165dff;color:#fff}}
</style></head>
<body><main><p class="bar"><span>{sandbox}</span><a id="language" href="{href}" lang="{other_lang}" hreflang="{other_lang}">{other_name}</a></p>
{body}</main></body></html>"#,
            lang = self.locale.tag(),
            title = escape(title),
            sandbox = escape(&self.text("page-sandbox")),
            href = escape(&self.href(other)),
            other_lang = other.tag(),
            other_name = escape(&Text::new(&*LOCALES, other).get("page-language-name")),
        );
        let headers = RequestLocale(self.locale).headers();
        (status, headers, Html(html)).into_response()
    }

    /// A page of a title and one note, both catalogue keys: why a handle cannot be used
    /// (expired, used, unknown), or a choice the page cannot take.
    pub fn gone(&self, status: StatusCode, title_key: &str, message_key: &str) -> Response {
        let title = self.text(title_key);
        let body = format!(
            "<h1>{}</h1><p class=\"note\">{}</p>",
            escape(&title),
            escape(&self.text(message_key))
        );
        self.render(status, &title, &body)
    }

    /// The page for a submit that lost a race to another one (409): the handle changed state
    /// between the check and the mark.
    pub fn conflict(&self) -> Response {
        self.gone(StatusCode::CONFLICT, "page-conflict-title", "page-conflict")
    }

    /// The page for a posted outcome the page did not offer (400).
    pub fn unknown_outcome(&self) -> Response {
        self.gone(
            StatusCode::BAD_REQUEST,
            "page-unknown-outcome-title",
            "page-unknown-outcome",
        )
    }

    /// The outcome chooser page (200, HTML): the title and the intro (catalogue keys, the
    /// intro's placeables from `intro_args`), one radio per `(value, label)`, the first
    /// checked, posting an [`OutcomeChoice`] back to the same URL in the same locale.
    pub fn outcome_form<V: AsRef<str>, L: AsRef<str>>(
        &self,
        title_key: &str,
        (intro_key, intro_args): (&str, &[(&'static str, Arg<'_>)]),
        outcomes: &[(V, L)],
    ) -> Response {
        let title = self.text(title_key);
        let intro = self.with(intro_key, intro_args);
        let mut options = String::new();
        for (index, (value, label)) in outcomes.iter().enumerate() {
            options.push_str(&format!(
                "<label><input type=\"radio\" name=\"outcome\" value=\"{}\"{}> {}</label>",
                escape(value.as_ref()),
                if index == 0 { " checked" } else { "" },
                escape(label.as_ref())
            ));
        }
        let body = format!(
            "<h1>{}</h1><p class=\"note\">{}</p><form method=\"post\" action=\"{}\"><fieldset><legend>{}</legend>{}</fieldset><button type=\"submit\">{}</button></form>",
            escape(&title),
            escape(&intro),
            escape(&self.href(self.locale)),
            escape(&self.text("page-legend")),
            options,
            escape(&self.text("page-submit")),
        );
        self.render(StatusCode::OK, &title, &body)
    }
}

/// What the outcome chooser posts: the chosen radio's value (`None` when none was chosen).
#[derive(serde::Deserialize)]
pub struct OutcomeChoice {
    /// The `outcome` form field.
    pub outcome: Option<String>,
}

/// A vendor's one-time page handle as its simulator keeps it (FaceID's biz_token, Tencent's
/// BizToken, Alibaba's CertifyId): open until the user picks an outcome, or until it expires.
pub trait OneTime: Clone {
    /// Whether the user has picked an outcome (the handle is spent).
    fn finished(&self) -> bool;
    /// When the handle stops working.
    fn expires_at(&self) -> time::OffsetDateTime;
}

/// Implements [`OneTime`] for a simulator's entry that has `outcome: Option<_>` (the user's
/// choice) and `expires_at: OffsetDateTime`.
macro_rules! one_time {
    ($entry:ty) => {
        impl $crate::page::OneTime for $entry {
            fn finished(&self) -> bool {
                self.outcome.is_some()
            }
            fn expires_at(&self) -> time::OffsetDateTime {
                self.expires_at
            }
        }
    };
}
pub(crate) use one_time;

/// How a vendor's page says that a handle cannot be used: `(title, message)` catalogue keys for
/// a spent one (410), an expired one (410) and an unknown one (404).
pub struct Unusable {
    pub used: (&'static str, &'static str),
    pub expired: (&'static str, &'static str),
    pub unknown: (&'static str, &'static str),
}

impl Unusable {
    /// `Ok(entry)` while the handle is open at `now`, else the page that says why not.
    pub fn check<T: OneTime>(
        &self,
        page: &Page,
        entry: Option<T>,
        now: time::OffsetDateTime,
    ) -> Result<T, Response> {
        let ((title, message), status) = match entry {
            Some(entry) if !entry.finished() && now < entry.expires_at() => return Ok(entry),
            Some(entry) if entry.finished() => (self.used, StatusCode::GONE),
            Some(_) => (self.expired, StatusCode::GONE),
            None => (self.unknown, StatusCode::NOT_FOUND),
        };
        Err(page.gone(status, title, message))
    }

    /// Spends the handle with `mark` (under the caller's lock, so it is spent once) while it is
    /// open at `now`: the entry as marked, or the page that says why it could not be (a race
    /// lost to another submit is 409 "Try again").
    pub fn finish<T: OneTime>(
        &self,
        page: &Page,
        entry: Option<&mut T>,
        now: time::OffsetDateTime,
        mark: impl FnOnce(&mut T),
    ) -> Result<T, Response> {
        match entry {
            Some(entry) if !entry.finished() && now < entry.expires_at() => {
                mark(entry);
                Ok(entry.clone())
            }
            other => Err(
                match self.check(page, other.map(|entry| entry.clone()), now) {
                    Err(response) => response,
                    Ok(_) => page.conflict(),
                },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use facegate_i18n::MISSING;
    use std::path::Path;

    fn sources() -> Vec<String> {
        facegate_i18n::rust_sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
    }

    #[test]
    fn the_catalogue_is_complete() {
        let locales = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        if let Err(problems) = facegate_i18n::check_catalogue(&locales, &sources()) {
            panic!("{problems:#?}");
        }
    }

    /// The other direction of the completeness check: every key the code quotes (a literal of
    /// a catalogue's prefix) is in the catalogue, so no page can show a missing-key marker.
    #[test]
    fn every_key_the_code_names_is_in_the_catalogue() {
        const PREFIXES: [&str; 9] = [
            "page-",
            "generic-",
            "baidu-h5-",
            "smartapp-",
            "faceid-",
            "oemcloud-",
            "tencent-",
            "aliyun-",
            "wechat-",
        ];
        let mut keys: Vec<String> = sources()
            .iter()
            .flat_map(|source| source.split('"').map(str::to_owned).collect::<Vec<_>>())
            .filter(|quoted| {
                PREFIXES
                    .iter()
                    .any(|prefix| quoted.starts_with(prefix) && quoted.len() > prefix.len())
                    && !quoted.ends_with('-')
                    && quoted
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            })
            .collect();
        keys.sort();
        keys.dedup();
        assert!(keys.len() > 100, "{keys:?}");
        for locale in Locale::ALL {
            let text = Text::new(&*LOCALES, *locale);
            for key in &keys {
                let args = ["code", "label", "mode", "status"].map(|name| (name, "x".into()));
                let shown = text.with(key, &args);
                assert!(!shown.starts_with(MISSING), "{locale}: {key}");
            }
        }
    }

    #[test]
    fn the_switch_names_the_other_language_in_itself() {
        let page = Page {
            locale: Locale::ZhCn,
            query: vec![("token".into(), "a b&c".into())],
        };
        assert_eq!(page.href(Locale::En), "?token=a+b%26c&lang=en");
        assert_eq!(
            Text::new(&*LOCALES, Locale::En).get("page-language-name"),
            "English"
        );
        assert_eq!(
            Text::new(&*LOCALES, Locale::ZhCn).get("page-language-name"),
            "中文"
        );
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
