//! The HTML the sandbox shows its users: small, escaped, without JavaScript.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

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

/// A whole page around `body` (already escaped HTML).
pub fn document(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f4f5f7;color:#1d2129}}
main{{max-width:28rem;margin:0 auto;padding:1.5rem 1rem}}
h1{{font-size:1.25rem}} .note{{color:#4e5969;font-size:.9rem}}
fieldset{{border:1px solid #d0d3d9;border-radius:.5rem;background:#fff;padding:.75rem 1rem}}
label{{display:block;padding:.45rem 0}}
button{{margin-top:1rem;width:100%;padding:.8rem;font-size:1rem;border:0;border-radius:.5rem;background:#165dff;color:#fff}}
</style></head>
<body><main>{body}</main></body></html>"#,
        title = escape(title),
    )
}

/// A page that says why the token cannot be used (expired, used, unknown).
pub fn gone(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<h1>{}</h1><p class=\"note\">{}</p>",
        escape(title),
        escape(message)
    );
    (status, Html(document(title, &body))).into_response()
}

/// What the outcome chooser posts: the chosen radio's value (`None` when none was chosen).
#[derive(serde::Deserialize)]
pub struct OutcomeChoice {
    /// The `outcome` form field.
    pub outcome: Option<String>,
}

/// The outcome chooser page (200, HTML): one radio per `(value, label)`, the first checked,
/// posting an [`OutcomeChoice`] back to the same URL.
pub fn outcome_form<V: AsRef<str>, L: AsRef<str>>(
    title: &str,
    intro: &str,
    outcomes: &[(V, L)],
) -> Response {
    Html(outcome_form_html(title, intro, outcomes)).into_response()
}

fn outcome_form_html<V: AsRef<str>, L: AsRef<str>>(
    title: &str,
    intro: &str,
    outcomes: &[(V, L)],
) -> String {
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
        "<h1>{}</h1><p class=\"note\">{}</p><form method=\"post\"><fieldset><legend>Outcome</legend>{}</fieldset><button type=\"submit\">Submit</button></form>",
        escape(title),
        escape(intro),
        options
    );
    document(title, &body)
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

/// How a vendor's page says that a handle cannot be used: `(title, message)` for a spent one
/// (410), an expired one (410) and an unknown one (404).
pub struct Unusable {
    pub used: (&'static str, &'static str),
    pub expired: (&'static str, &'static str),
    pub unknown: (&'static str, &'static str),
}

impl Unusable {
    /// `Ok(entry)` while the handle is open at `now`, else the page that says why not.
    pub fn check<T: OneTime>(
        &self,
        entry: Option<T>,
        now: time::OffsetDateTime,
    ) -> Result<T, Response> {
        let ((title, message), status) = match entry {
            Some(entry) if !entry.finished() && now < entry.expires_at() => return Ok(entry),
            Some(entry) if entry.finished() => (self.used, StatusCode::GONE),
            Some(_) => (self.expired, StatusCode::GONE),
            None => (self.unknown, StatusCode::NOT_FOUND),
        };
        Err(gone(status, title, message))
    }

    /// Spends the handle with `mark` (under the caller's lock, so it is spent once) while it is
    /// open at `now`: the entry as marked, or the page that says why it could not be (a race
    /// lost to another submit is 409 "Try again").
    pub fn finish<T: OneTime>(
        &self,
        entry: Option<&mut T>,
        now: time::OffsetDateTime,
        mark: impl FnOnce(&mut T),
    ) -> Result<T, Response> {
        match entry {
            Some(entry) if !entry.finished() && now < entry.expires_at() => {
                mark(entry);
                Ok(entry.clone())
            }
            other => Err(match self.check(other.map(|entry| entry.clone()), now) {
                Err(response) => response,
                Ok(_) => gone(StatusCode::CONFLICT, "Try again", "The flow changed state."),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
