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
pub fn outcome_form(title: &str, intro: &str, outcomes: &[(&str, &str)]) -> Response {
    Html(outcome_form_html(title, intro, outcomes)).into_response()
}

fn outcome_form_html(title: &str, intro: &str, outcomes: &[(&str, &str)]) -> String {
    let mut options = String::new();
    for (index, (value, label)) in outcomes.iter().enumerate() {
        options.push_str(&format!(
            "<label><input type=\"radio\" name=\"outcome\" value=\"{}\"{}> {}</label>",
            escape(value),
            if index == 0 { " checked" } else { "" },
            escape(label)
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
