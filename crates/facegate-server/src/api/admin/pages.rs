//! The admin pages, rendered on the server with maud (every value escaped): the login form,
//! and one dashboard with the alerts, the filtered sessions and the statistics per provider
//! and day. No script; the stylesheet is served beside them.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use facegate_types::{Provider, VerificationStatus};
use maud::{html, Markup, DOCTYPE};

use super::auth::{AdminSession, Auth};
use super::data::{self, AlertView, DayStats, FilterQuery, Filters, Stats, VerificationPage};
use crate::api::AppQuery;
use crate::app::AppState;
use crate::error::AppError;

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

fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · facegate admin" }
                link rel="stylesheet" href="/admin/admin.css";
            }
            body { (body) }
        }
    }
}

fn page(status: StatusCode, title: &str, body: Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        layout(title, body).into_string(),
    )
        .into_response()
}

fn login_page(status: StatusCode, message: Option<&str>) -> Response {
    page(
        status,
        "Log in",
        html! {
            main.login {
                h1 { "facegate admin" }
                @if let Some(message) = message {
                    p.error #login-error role="alert" { (message) }
                }
                form method="post" action="/admin/login" {
                    label for="key" { "Admin key" }
                    input #key type="password" name="key" autocomplete="current-password" required;
                    button type="submit" { "Log in" }
                }
            }
        },
    )
}

pub async fn login_form(Auth(auth): Auth, headers: HeaderMap) -> Response {
    if auth.session(&headers).is_some() {
        return Redirect::to("/admin").into_response();
    }
    login_page(StatusCode::OK, None)
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

pub async fn login(Auth(auth): Auth, headers: HeaderMap, body: Bytes) -> Response {
    if !auth.login_allowed() {
        return login_page(
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many login attempts; wait a minute."),
        );
    }
    let Some(key) = form_field(&body, "key").filter(|key| !key.trim().is_empty()) else {
        return login_page(StatusCode::BAD_REQUEST, Some("key: enter the admin key."));
    };
    if !auth.key_matches(&key) {
        tracing::warn!("admin: login refused");
        return login_page(StatusCode::UNAUTHORIZED, Some("That is not the admin key."));
    }
    tracing::info!("admin: logged in");
    (auth.login(&headers), Redirect::to("/admin")).into_response()
}

pub async fn logout(
    State(state): State<AppState>,
    Auth(auth): Auth,
    session: AdminSession,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let presented = form_field(&body, "csrf").unwrap_or_default();
    if !session.csrf_matches(&presented) {
        return page(
            StatusCode::FORBIDDEN,
            "Refused",
            html! { main { p.error { "csrf: the form is stale; reload the page." } } },
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
    (auth.logout(&headers), Redirect::to("/admin/login")).into_response()
}

pub async fn dashboard(
    State(state): State<AppState>,
    session: AdminSession,
    AppQuery(query): AppQuery<FilterQuery>,
) -> Response {
    let filters = match query.parse() {
        Ok(filters) => filters,
        Err(error) => return error_page(&session, &query, error),
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
        Err(error) => return error_page(&session, &query, error),
    };
    page(
        StatusCode::OK,
        "Verifications",
        html! {
            (header_bar(&session))
            main {
                (alerts_section(&state, &alerts))
                (filter_form(&query))
                (verifications_section(&filters, &verifications))
                (stats_section(&stats))
            }
        },
    )
}

/// A bad filter (400, the field named) or a failure (500), on the page with its form.
fn error_page(session: &AdminSession, query: &FilterQuery, error: AppError) -> Response {
    let (status, message) = match &error {
        AppError::InvalidRequest { field, message } => (
            StatusCode::BAD_REQUEST,
            match field {
                Some(field) => format!("{field}: {message}"),
                None => message.clone(),
            },
        ),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "The page could not be loaded; the server log has the details.".to_owned(),
        ),
    };
    let mut response = page(
        status,
        "Verifications",
        html! {
            (header_bar(session))
            main {
                p.error #filter-error role="alert" { (message) }
                (filter_form(query))
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

fn header_bar(session: &AdminSession) -> Markup {
    html! {
        header {
            h1 { a href="/admin" { "facegate admin" } }
            form method="post" action="/admin/logout" {
                input type="hidden" name="csrf" value=(session.csrf);
                button type="submit" #logout { "Log out" }
            }
        }
    }
}

fn percent(value: f64) -> String {
    format!("{:.1}%", value * 100.0)
}

fn alerts_section(state: &AppState, alerts: &[AlertView]) -> Markup {
    let rules = &state.settings.alerts;
    html! {
        section #alerts {
            h2 { "Alerts" }
            p.rules {
                @if rules.failure_rate_min_count > 0 {
                    "Failure rate above " (percent(rules.failure_rate_threshold))
                    " over " (rules.failure_rate_window.as_secs()) " s (at least "
                    (rules.failure_rate_min_count) " decided). "
                }
                @if rules.liveness_failures > 0 {
                    "At least " (rules.liveness_failures) " liveness_failed within "
                    (rules.liveness_window.as_secs()) " s. "
                }
                @if rules.webhook_url.is_some() { "Posted to the alert webhook." }
                @else { "No alert webhook is configured." }
            }
            @if alerts.is_empty() {
                p.empty { "No alert has fired." }
            } @else {
                table {
                    thead { tr {
                        th { "Status" } th { "Rule" } th { "Provider" } th { "Value" }
                        th { "Threshold" } th { "Sample" } th { "Fired" } th { "Resolved" }
                        th { "Notification" }
                    } }
                    tbody {
                        @for alert in alerts {
                            tr data-rule=(alert.rule) data-provider=(alert.provider)
                                data-status=(alert.status) {
                                td { span class={ "badge " (alert.status) } { (alert.status) } }
                                td { (alert.rule) }
                                td { (alert.provider) }
                                td { (alert_value(alert, alert.value)) }
                                td { (alert_value(alert, alert.threshold)) }
                                td { (alert.sample) }
                                td { (alert.fired_at) }
                                td { (alert.resolved_at.as_deref().unwrap_or("")) }
                                td {
                                    (alert.notification)
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

fn alert_value(alert: &AlertView, value: f64) -> String {
    if alert.rule == "failure_rate" {
        percent(value)
    } else {
        format!("{value:.0}")
    }
}

fn options<T: std::fmt::Display>(all: &[T], chosen: Option<&str>) -> Markup {
    html! {
        option value="" selected[chosen.is_none()] { "any" }
        @for item in all {
            @let name = item.to_string();
            option value=(name) selected[chosen == Some(name.as_str())] { (name) }
        }
    }
}

fn filter_form(query: &FilterQuery) -> Markup {
    let value = |field: &Option<String>| field.clone().unwrap_or_default();
    html! {
        form #filters method="get" action="/admin" {
            label { "Provider "
                select name="provider" #filter-provider {
                    (options(Provider::ALL, query.provider.as_deref().filter(|v| !v.is_empty())))
                }
            }
            label { "Status "
                select name="status" #filter-status {
                    (options(VerificationStatus::ALL, query.status.as_deref().filter(|v| !v.is_empty())))
                }
            }
            label { "Reference "
                input type="text" name="reference" #filter-reference value=(value(&query.reference));
            }
            label { "From "
                input type="date" name="from" #filter-from value=(value(&query.from));
            }
            label { "To "
                input type="date" name="to" #filter-to value=(value(&query.to));
            }
            button type="submit" #filter-submit { "Filter" }
            a href="/admin" { "Clear" }
        }
    }
}

fn verifications_section(filters: &Filters, page: &VerificationPage) -> Markup {
    html! {
        section #verifications {
            h2 { "Verifications" }
            p #verification-count {
                (page.total) " matching · page " (page.page) " of " (page.pages)
            }
            table {
                thead { tr {
                    th { "Created (UTC)" } th { "Id" } th { "Provider" } th { "Status" }
                    th { "Reference" } th { "Subject" } th { "Outcome" } th { "Completed" }
                } }
                tbody {
                    @for row in &page.data {
                        tr data-id=(row.id) data-provider=(row.provider) data-status=(row.status) {
                            td { (row.created_at) }
                            td.mono { (row.id) }
                            td { (row.provider) }
                            td { span class={ "badge " (row.status) } { (row.status) } }
                            td { (row.reference.as_deref().unwrap_or("")) }
                            td {
                                @if let (Some(name), Some(id_number)) = (&row.subject_name, &row.subject_id_number) {
                                    (name) " " span.mono { (id_number) }
                                }
                            }
                            td {
                                @if let Some(reason) = &row.reason { (reason) }
                                @else if row.passed == Some(true) { "passed" }
                                @if let Some(code) = &row.vendor_code {
                                    " " span.vendor { "(" (code)
                                        @if let Some(message) = &row.vendor_message { " " (message) }
                                    ")" }
                                }
                                @if let Some(confirmed_by) = &row.confirmed_by {
                                    " " span.vendor { "by " (confirmed_by) }
                                }
                            }
                            td { (row.completed_at.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
            nav.pages {
                @if page.page > 1 {
                    a #page-previous href={ "/admin?" (filters.query(page.page - 1)) } { "← newer" }
                }
                @if i64::from(page.page) < page.pages {
                    a #page-next href={ "/admin?" (filters.query(page.page + 1)) } { "older →" }
                }
            }
        }
    }
}

fn reasons(row: &DayStats) -> String {
    row.failure_reasons
        .iter()
        .map(|(reason, count)| format!("{reason} {count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn stats_section(stats: &Stats) -> Markup {
    html! {
        section #stats {
            h2 { "Statistics per provider and day" }
            p { "Sessions created from " (stats.from) " to " (stats.to)
                " (UTC days; the provider and date filters apply). Vendor sessions: sessions the vendor accepted, the calls most vendors bill." }
            table {
                thead { tr {
                    th { "Day" } th { "Provider" } th { "Total" }
                    @for status in VerificationStatus::ALL { th { (status) } }
                    th { "Pass rate" } th { "Vendor sessions" } th { "Failure reasons" }
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
                        tr { td colspan="12" { "No sessions in this range." } }
                    }
                }
            }
        }
    }
}
