//! The admin pages, rendered on the server with maud (every value escaped): the login form,
//! and one dashboard with the alerts, the filtered sessions and the statistics per provider
//! and day. No script; the stylesheet is served beside them.
//!
//! In zh-CN unless `?lang=` or `Accept-Language` asks for en (`admin.ftl` in the server's
//! catalogue); a `?lang=` is carried on by the page's own links and forms. Codes (statuses,
//! reasons, providers, rules) are shown as they are, beside their words. Times are in the
//! operator's zone (`admin_time_zone`, Asia/Shanghai by default), each with its UTC value; the
//! date filters and the statistics' days are that zone's days.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use facegate_types::{Provider, VerificationStatus};
use maud::{html, Markup, DOCTYPE};

use super::auth::{AdminSession, Auth};
use super::data::{self, AlertView, DayStats, FilterQuery, Filters, Stats, VerificationPage};
use crate::api::AppQuery;
use crate::app::AppState;
use crate::config::AdminTimeZone;
use crate::error::AppError;
use crate::i18n::{self, Locale, RequestLocale, Text};

const STYLESHEET: &str = include_str!("admin.css");

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// What every admin page is rendered with: the words in the request's locale, the `lang` its
/// links carry on (only when the request chose one by `?lang=`), and the operator's zone.
pub struct Ui {
    t: Text,
    carry: Option<Locale>,
    zone: AdminTimeZone,
}

impl FromRequestParts<AppState> for Ui {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let RequestLocale(locale) = RequestLocale::from_request_parts(parts, state).await?;
        Ok(Ui {
            t: i18n::text(locale),
            carry: RequestLocale::asked(parts.uri.query()),
            zone: state.settings.server.admin_time_zone.clone(),
        })
    }
}

impl Ui {
    fn locale(&self) -> Locale {
        self.t.locale()
    }

    /// `path` with `query` (already encoded, may be empty) and the carried `lang`.
    fn href(&self, path: &str, query: &str) -> String {
        let mut query = query.to_owned();
        if let Some(locale) = self.carry {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str("lang=");
            query.push_str(locale.tag());
        }
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }

    /// The link to this page in the other language.
    fn switch(&self, path: &str, query: &str) -> String {
        let other = match self.locale() {
            Locale::ZhCn => Locale::En,
            Locale::En => Locale::ZhCn,
        };
        let mut pairs = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            if name != "lang" {
                pairs.append_pair(&name, &value);
            }
        }
        pairs.append_pair("lang", other.tag());
        format!("{path}?{}", pairs.finish())
    }

    /// An RFC 3339 UTC time as the operator reads it (`2026-12-01 13:05:09` in their zone), in
    /// a `<time>` whose `datetime` and title hold the UTC value.
    fn time(&self, utc: &str) -> Markup {
        let local = utc
            .parse::<jiff::Timestamp>()
            .map(|at| {
                self.zone
                    .zone
                    .to_datetime(at)
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_else(|_| utc.to_owned());
        html! {
            time datetime=(utc) title=(self.t.with("utc-value", &[("utc", utc.into())])) { (local) }
        }
    }

    fn status(&self, status: VerificationStatus) -> Markup {
        html! { span class={ "badge " (status) } title=(status) { (status.label(self.locale())) } }
    }
}

fn layout(ui: &Ui, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(ui.locale().tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (ui.t.with("admin-page-title", &[("page", title.into())])) }
                link rel="stylesheet" href="/admin/admin.css";
            }
            body { (body) }
        }
    }
}

fn page(ui: &Ui, status: StatusCode, title: &str, body: Markup) -> Response {
    (
        status,
        RequestLocale(ui.locale()).headers(),
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        layout(ui, title, body).into_string(),
    )
        .into_response()
}

fn login_page(ui: &Ui, status: StatusCode, message: Option<&str>) -> Response {
    page(
        ui,
        status,
        &ui.t.get("login-title"),
        html! {
            main.login {
                h1 { (ui.t.get("admin-brand")) }
                @if let Some(message) = message {
                    p.error #login-error role="alert" { (ui.t.get(message)) }
                }
                form method="post" action=(ui.href("/admin/login", "")) {
                    label for="key" { (ui.t.get("login-key-label")) }
                    input #key type="password" name="key" autocomplete="current-password" required;
                    button type="submit" { (ui.t.get("login-submit")) }
                }
                p.lang { a #lang-switch href=(ui.switch("/admin/login", "")) { (ui.t.get("admin-language")) } }
            }
        },
    )
}

pub async fn login_form(Auth(auth): Auth, ui: Ui, headers: HeaderMap) -> Response {
    if auth.session(&headers).is_some() {
        return Redirect::to(&ui.href("/admin", "")).into_response();
    }
    login_page(&ui, StatusCode::OK, None)
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

pub async fn login(Auth(auth): Auth, ui: Ui, headers: HeaderMap, body: Bytes) -> Response {
    if !auth.login_allowed() {
        return login_page(&ui, StatusCode::TOO_MANY_REQUESTS, Some("login-too-many"));
    }
    let Some(key) = form_field(&body, "key").filter(|key| !key.trim().is_empty()) else {
        return login_page(&ui, StatusCode::BAD_REQUEST, Some("login-key-missing"));
    };
    if !auth.key_matches(&key) {
        tracing::warn!("admin: login refused");
        return login_page(&ui, StatusCode::UNAUTHORIZED, Some("login-key-wrong"));
    }
    tracing::info!("admin: logged in");
    (auth.login(&headers), Redirect::to(&ui.href("/admin", ""))).into_response()
}

pub async fn logout(
    State(state): State<AppState>,
    Auth(auth): Auth,
    ui: Ui,
    session: AdminSession,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let presented = form_field(&body, "csrf").unwrap_or_default();
    if !session.csrf_matches(&presented) {
        return page(
            &ui,
            StatusCode::FORBIDDEN,
            &ui.t.get("refused-title"),
            html! { main { p.error { (ui.t.get("csrf-stale")) } } },
        );
    }
    // Ended in the store too: a copy of the cookie stops working on every replica.
    let ended = state
        .core
        .store
        .end_admin_session(&session.id, session.expires_at, crate::session::now())
        .await;
    if let Err(error) = ended {
        return AppError::from(error).into_response();
    }
    tracing::info!("admin: logged out");
    (
        auth.logout(&headers),
        Redirect::to(&ui.href("/admin/login", "")),
    )
        .into_response()
}

pub async fn dashboard(
    State(state): State<AppState>,
    ui: Ui,
    session: AdminSession,
    AppQuery(query): AppQuery<FilterQuery>,
) -> Response {
    let filters = match query.parse() {
        Ok(filters) => filters,
        Err(error) => return error_page(&ui, &session, &query, error),
    };
    let loaded = async {
        Ok::<_, AppError>((
            data::verifications(&state, &filters).await?,
            data::stats(&state, &filters).await?,
            data::alerts(&state).await?,
        ))
    }
    .await;
    let (verifications, stats, alerts) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return error_page(&ui, &session, &query, error),
    };
    page(
        &ui,
        StatusCode::OK,
        &ui.t.get("verifications-title"),
        html! {
            (header_bar(&ui, &session, &filters.query(filters.page)))
            main {
                (alerts_section(&ui, &state, &alerts))
                (filter_form(&ui, &query))
                (verifications_section(&ui, &filters, &verifications))
                (stats_section(&ui, &stats))
            }
        },
    )
}

/// The catalogue key that explains a bad filter, by the field at fault.
fn filter_error(field: Option<&str>) -> &'static str {
    match field {
        Some("provider") => "filter-invalid-provider",
        Some("status") => "filter-invalid-status",
        Some("reference") => "filter-invalid-reference",
        Some("from") => "filter-invalid-from",
        Some("to") => "filter-invalid-to",
        Some("page") => "filter-invalid-page",
        Some("per_page") => "filter-invalid-per-page",
        _ => "load-failed",
    }
}

/// A bad filter (400, the field named) or a failure (500), on the page with its form.
fn error_page(ui: &Ui, session: &AdminSession, query: &FilterQuery, error: AppError) -> Response {
    let (status, key, field) = match &error {
        AppError::InvalidRequest { field, .. } => (
            StatusCode::BAD_REQUEST,
            filter_error(field.as_deref()),
            field.clone(),
        ),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "load-failed", None),
    };
    let mut response = page(
        ui,
        status,
        &ui.t.get("verifications-title"),
        html! {
            (header_bar(ui, session, ""))
            main {
                p.error #filter-error role="alert" data-field=[field] { (ui.t.get(key)) }
                (filter_form(ui, query))
            }
        },
    );
    if let AppError::Internal(inner) = error {
        response
            .extensions_mut()
            .insert(crate::error::InternalError(std::sync::Arc::new(inner)));
    }
    response
}

fn header_bar(ui: &Ui, session: &AdminSession, query: &str) -> Markup {
    html! {
        header {
            h1 { a href=(ui.href("/admin", "")) { (ui.t.get("admin-brand")) } }
            nav {
                a #lang-switch href=(ui.switch("/admin", query)) { (ui.t.get("admin-language")) }
                form method="post" action=(ui.href("/admin/logout", "")) {
                    input type="hidden" name="csrf" value=(session.csrf);
                    button type="submit" #logout { (ui.t.get("logout")) }
                }
            }
        }
    }
}

fn percent(value: f64) -> String {
    format!("{:.1}%", value * 100.0)
}

fn alerts_section(ui: &Ui, state: &AppState, alerts: &[AlertView]) -> Markup {
    let rules = &state.settings.alerts;
    let t = &ui.t;
    html! {
        section #alerts {
            h2 { (t.get("alerts-heading")) }
            p.rules {
                @if rules.failure_rate_min_count > 0 {
                    (t.with("alert-rule-failure-rate", &[
                        ("threshold", percent(rules.failure_rate_threshold).into()),
                        ("window", rules.failure_rate_window.as_secs().into()),
                        ("min", rules.failure_rate_min_count.into()),
                    ])) " "
                }
                @if rules.liveness_failures > 0 {
                    (t.with("alert-rule-liveness", &[
                        ("count", rules.liveness_failures.into()),
                        ("window", rules.liveness_window.as_secs().into()),
                    ])) " "
                }
                @if rules.webhook_url.is_some() { (t.get("alert-webhook-on")) }
                @else { (t.get("alert-webhook-off")) }
            }
            @if alerts.is_empty() {
                p.empty { (t.get("alerts-none")) }
            } @else {
                table {
                    thead { tr {
                        th { (t.get("alert-column-status")) } th { (t.get("alert-column-rule")) }
                        th { (t.get("alert-column-provider")) } th { (t.get("alert-column-value")) }
                        th { (t.get("alert-column-threshold")) } th { (t.get("alert-column-sample")) }
                        th { (t.get("alert-column-fired")) } th { (t.get("alert-column-resolved")) }
                        th { (t.get("alert-column-notification")) }
                    } }
                    tbody {
                        @for alert in alerts {
                            tr data-rule=(alert.rule) data-provider=(alert.provider)
                                data-status=(alert.status) {
                                td { span class={ "badge " (alert.status) } title=(alert.status) {
                                    (t.get(alert_status_key(alert.status)))
                                } }
                                td title=(alert.rule) { (alert_rule(t, &alert.rule)) }
                                td { (alert.provider) }
                                td { (alert_value(alert, alert.value)) }
                                td { (alert_value(alert, alert.threshold)) }
                                td { (alert.sample) }
                                td { (ui.time(&alert.fired_at)) }
                                td { @if let Some(at) = &alert.resolved_at { (ui.time(at)) } }
                                td data-notification=(alert.notification) {
                                    (t.get(notification_key(alert.notification)))
                                    @if let Some(error) = &alert.last_error { " (" (error) ")" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn alert_status_key(status: &str) -> &'static str {
    if status == "firing" {
        "alert-status-firing"
    } else {
        "alert-status-resolved"
    }
}

/// A rule's words; a rule this page does not know is shown by its code.
fn alert_rule(t: &Text, rule: &str) -> String {
    use crate::workers::alerts::{FAILURE_RATE, LIVENESS_ATTACKS};
    match rule {
        FAILURE_RATE => t.get("alert-rule-name-failure-rate"),
        LIVENESS_ATTACKS => t.get("alert-rule-name-liveness"),
        other => other.to_owned(),
    }
}

fn notification_key(notification: &str) -> &'static str {
    match notification {
        "sent" => "notification-sent",
        "pending" => "notification-pending",
        _ => "notification-not-sent",
    }
}

fn alert_value(alert: &AlertView, value: f64) -> String {
    if alert.rule == "failure_rate" {
        percent(value)
    } else {
        format!("{value:.0}")
    }
}

fn options<T: Copy + std::fmt::Display>(
    ui: &Ui,
    all: &[T],
    chosen: Option<&str>,
    label: impl Fn(T) -> String,
) -> Markup {
    html! {
        option value="" selected[chosen.is_none()] { (ui.t.get("filter-any")) }
        @for item in all {
            @let name = item.to_string();
            option value=(name) selected[chosen == Some(name.as_str())] { (label(*item)) }
        }
    }
}

fn filter_form(ui: &Ui, query: &FilterQuery) -> Markup {
    let value = |field: &Option<String>| field.clone().unwrap_or_default();
    let t = &ui.t;
    let chosen = |field: &Option<String>| {
        field
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let (provider, status) = (chosen(&query.provider), chosen(&query.status));
    html! {
        form #filters method="get" action="/admin" {
            @if let Some(locale) = ui.carry {
                input type="hidden" name="lang" value=(locale.tag());
            }
            label { (t.get("filter-provider")) " "
                select name="provider" #filter-provider {
                    (options(ui, Provider::ALL, provider.as_deref(), |p| p.to_string()))
                }
            }
            label { (t.get("filter-status")) " "
                select name="status" #filter-status {
                    (options(ui, VerificationStatus::ALL, status.as_deref(), |s| s.label(ui.locale()).to_owned()))
                }
            }
            label { (t.get("filter-reference")) " "
                input type="text" name="reference" #filter-reference value=(value(&query.reference));
            }
            label { (t.get("filter-from")) " "
                input type="date" name="from" #filter-from value=(value(&query.from));
            }
            label { (t.get("filter-to")) " "
                input type="date" name="to" #filter-to value=(value(&query.to));
            }
            button type="submit" #filter-submit { (t.get("filter-submit")) }
            a href=(ui.href("/admin", "")) { (t.get("filter-clear")) }
        }
    }
}

fn verifications_section(ui: &Ui, filters: &Filters, page: &VerificationPage) -> Markup {
    let t = &ui.t;
    html! {
        section #verifications {
            h2 { (t.get("verifications-heading")) }
            p #verification-count {
                (t.with("verifications-count", &[
                    ("total", page.total.into()),
                    ("page", page.page.into()),
                    ("pages", page.pages.into()),
                ]))
            }
            table {
                thead { tr {
                    th { (t.with("column-created", &[("zone", ui.zone.name.as_str().into())])) }
                    th { (t.get("column-id")) } th { (t.get("column-provider")) }
                    th { (t.get("column-status")) } th { (t.get("column-reference")) }
                    th { (t.get("column-subject")) } th { (t.get("column-outcome")) }
                    th { (t.get("column-completed")) }
                } }
                tbody {
                    @for row in &page.data {
                        tr data-id=(row.id) data-provider=(row.provider) data-status=(row.status) {
                            td.created { (ui.time(&row.created_at)) }
                            td.mono { (row.id) }
                            td { (row.provider) }
                            td { (ui.status(row.status)) }
                            td { (row.reference.as_deref().unwrap_or("")) }
                            td {
                                @if let (Some(name), Some(id_number)) = (&row.subject_name, &row.subject_id_number) {
                                    (name) " " span.mono { (id_number) }
                                }
                            }
                            td {
                                @if let Some(reason) = &row.reason {
                                    span.reason title=(reason_text(ui, reason)) { (reason) }
                                }
                                @else if row.passed == Some(true) { (t.get("outcome-passed")) }
                                @if let Some(code) = &row.vendor_code {
                                    " " span.vendor { "(" (code)
                                        @if let Some(message) = &row.vendor_message { " " (message) }
                                    ")" }
                                }
                                @if let Some(confirmed_by) = &row.confirmed_by {
                                    " " span.vendor { (t.with("outcome-confirmed-by", &[("source", confirmed_by.as_str().into())])) }
                                }
                            }
                            td { @if let Some(at) = &row.completed_at { (ui.time(at)) } }
                        }
                    }
                }
            }
            nav.pages {
                @if page.page > 1 {
                    a #page-previous href=(ui.href("/admin", &filters.query(page.page - 1))) { (t.get("page-newer")) }
                }
                @if i64::from(page.page) < page.pages {
                    a #page-next href=(ui.href("/admin", &filters.query(page.page + 1))) { (t.get("page-older")) }
                }
            }
        }
    }
}

/// A failure reason's explanation for the person, shown as the code's title.
fn reason_text(ui: &Ui, reason: &str) -> String {
    reason
        .parse::<facegate_types::FailureReason>()
        .map(|reason| reason.explain(ui.locale()).to_owned())
        .unwrap_or_default()
}

fn reasons(row: &DayStats) -> String {
    row.failure_reasons
        .iter()
        .map(|(reason, count)| format!("{reason} {count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn stats_section(ui: &Ui, stats: &Stats) -> Markup {
    let t = &ui.t;
    html! {
        section #stats {
            h2 { (t.get("stats-heading")) }
            p { (t.with("stats-note", &[
                ("from", stats.from.as_str().into()),
                ("to", stats.to.as_str().into()),
                ("zone", stats.time_zone.as_str().into()),
            ])) }
            table {
                thead { tr {
                    th { (t.with("stats-column-day", &[("zone", stats.time_zone.as_str().into())])) }
                    th { (t.get("stats-column-provider")) }
                    th { (t.get("stats-column-total")) }
                    @for status in VerificationStatus::ALL { th title=(status) { (status.label(ui.locale())) } }
                    th { (t.get("stats-column-pass-rate")) } th { (t.get("stats-column-vendor-sessions")) }
                    th { (t.get("stats-column-reasons")) }
                } }
                tbody {
                    @for row in &stats.data {
                        tr data-day=(row.day) data-provider=(row.provider) {
                            td { (row.day) }
                            td { (row.provider) }
                            td.total { (row.total) }
                            @for status in VerificationStatus::ALL {
                                td data-status=(status) { (row.by_status.get(status.as_str()).copied().unwrap_or(0)) }
                            }
                            td.pass-rate { (row.pass_rate.map(percent).unwrap_or_else(|| "–".to_owned())) }
                            td.vendor-sessions { (row.vendor_sessions) }
                            td.reasons { (reasons(row)) }
                        }
                    }
                    @if stats.data.is_empty() {
                        tr { td colspan="12" { (t.get("stats-empty")) } }
                    }
                }
            }
        }
    }
}
