//! The server's human-readable text: one Fluent catalogue (`locales/zh-CN/*.ftl`,
//! `locales/en/*.ftl`) for the pages end users see (`pages.ftl`) and the admin page
//! (`admin.ftl`). zh-CN unless the request asks otherwise ([`RequestLocale`]: `?lang=`, then
//! `Accept-Language`). The JSON API's `code` / `message` stay English: they are for
//! developers, and the codes are the contract.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
pub use facegate_i18n::{Arg, Locale, RequestLocale};
use maud::{html, Markup, PreEscaped, DOCTYPE};

facegate_i18n::catalogue!(pub LOCALES, "./locales");

/// Lookups in the server's catalogue for one locale.
pub type Text = facegate_i18n::Text<'static, fluent_templates::StaticLoader>;

/// The server's catalogue in `locale`.
pub fn text(locale: Locale) -> Text {
    Text::new(&LOCALES, locale)
}

/// System fonts that render Chinese on phones and desktops (PingFang SC on Apple, Microsoft
/// YaHei on Windows, Noto Sans CJK SC on Android and Linux); nothing is downloaded.
pub const FONT_STACK: &str = "system-ui, -apple-system, \"PingFang SC\", \"Hiragino Sans GB\", \
     \"Microsoft YaHei\", \"Noto Sans CJK SC\", \"Source Han Sans SC\", sans-serif";

/// The notice page's stylesheet (a constant: nothing of a request goes into it).
const STYLE: &str =
    "body{font-family:system-ui,-apple-system,\"PingFang SC\",\"Hiragino Sans GB\",\
    \"Microsoft YaHei\",\"Noto Sans CJK SC\",\"Source Han Sans SC\",sans-serif;margin:0 auto;\
    max-width:32rem;padding:1.5rem 1rem;color:#1d2129}h1{font-size:1.25rem}";

/// A small page that tells the end user one thing (an unknown link, a retry): `title` and
/// `message` are catalogue keys; every value is escaped. Carries `Content-Language` and
/// `Vary: Accept-Language`.
pub fn notice_page(locale: Locale, status: StatusCode, title: &str, message: &str) -> Response {
    let text = text(locale);
    let title = text.get(title);
    let body: Markup = html! {
        (DOCTYPE)
        html lang=(locale.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (title) }
                p { (text.get(message)) }
            }
        }
    };
    (
        status,
        RequestLocale(locale).headers(),
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body.into_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every key in both locales with the same placeables, none unused (the catalogue test the
    /// issue asks of each crate that has one).
    #[test]
    fn the_catalogue_is_complete_in_both_locales() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let sources = facegate_i18n::rust_sources(&root.join("src"));
        if let Err(problems) = facegate_i18n::check_catalogue(&root.join("locales"), &sources) {
            panic!("the server's catalogue:\n{}", problems.join("\n"));
        }
    }
}
