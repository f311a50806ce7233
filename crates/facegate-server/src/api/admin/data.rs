//! What the admin page and `/admin/api` show: the filters, parsed; a page of sessions (built
//! from the masked merchant view, so nothing unmasked can reach the page); statistics per
//! provider and day; the alerts.

use std::collections::BTreeMap;
use std::str::FromStr;

use facegate_types::{Provider, VerificationStatus};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::app::AppState;
use crate::config::AdminTimeZone;
use crate::error::{AppError, AppResult};
use crate::store::{AdminFilter, AlertRecord, CreatedCount, QUARTER_HOUR_SECONDS};
use crate::view;

/// Sessions per page unless `per_page` says otherwise.
pub const PER_PAGE: u32 = 50;
const MAX_PER_PAGE: u32 = 200;
/// The statistics cover this many days when no date range is given.
const DEFAULT_STATS_DAYS: i64 = 14;
/// The longest date range the statistics accept.
const MAX_STATS_DAYS: i64 = 366;

/// The query string of `/admin` and `/admin/api/*`, as sent (an HTML form sends empty fields).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct FilterQuery {
    pub provider: Option<String>,
    pub status: Option<String>,
    pub reference: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// The filters, parsed: every value valid.
#[derive(Clone, Debug, PartialEq)]
pub struct Filters {
    pub provider: Option<Provider>,
    pub status: Option<VerificationStatus>,
    pub reference: Option<String>,
    /// First day, in the operator's zone (`admin_time_zone`), inclusive.
    pub from: Option<Date>,
    /// Last day, in the operator's zone, inclusive.
    pub to: Option<Date>,
    pub page: u32,
    pub per_page: u32,
}

fn given(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

fn parse_date(field: &str, value: &str) -> AppResult<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(value, format).map_err(|_| AppError::invalid(field, "expected a date YYYY-MM-DD"))
}

fn parse_count(field: &str, value: &str, max: u32) -> AppResult<u32> {
    match value.parse::<u32>() {
        Ok(number) if (1..=max).contains(&number) => Ok(number),
        _ => Err(AppError::invalid(
            field,
            format!("expected a whole number from 1 to {max}"),
        )),
    }
}

impl FilterQuery {
    pub fn parse(&self) -> AppResult<Filters> {
        let provider = given(&self.provider)
            .map(|value| {
                Provider::from_str(value).map_err(|_| {
                    AppError::invalid(
                        "provider",
                        format!("expected one of {}", names(Provider::ALL)),
                    )
                })
            })
            .transpose()?;
        let status = given(&self.status)
            .map(|value| {
                VerificationStatus::from_str(value).map_err(|_| {
                    AppError::invalid(
                        "status",
                        format!("expected one of {}", names(VerificationStatus::ALL)),
                    )
                })
            })
            .transpose()?;
        let reference = given(&self.reference).map(str::to_owned);
        if reference.as_ref().is_some_and(|value| value.len() > 128) {
            return Err(AppError::invalid("reference", "at most 128 bytes"));
        }
        let from = given(&self.from)
            .map(|value| parse_date("from", value))
            .transpose()?;
        let to = given(&self.to)
            .map(|value| parse_date("to", value))
            .transpose()?;
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(AppError::invalid("to", "the range ends before it starts"));
            }
        }
        let page = given(&self.page)
            .map(|value| parse_count("page", value, 1_000_000))
            .transpose()?
            .unwrap_or(1);
        let per_page = given(&self.per_page)
            .map(|value| parse_count("per_page", value, MAX_PER_PAGE))
            .transpose()?
            .unwrap_or(PER_PAGE);
        Ok(Filters {
            provider,
            status,
            reference,
            from,
            to,
            page,
            per_page,
        })
    }
}

fn names<T: std::fmt::Display>(all: &[T]) -> String {
    all.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The days of the operator's zone (`admin_time_zone`): where they start, which one a moment
/// falls on. The filters' dates and the statistics' days are these days.
#[derive(Clone, Copy)]
pub struct Days<'a>(pub &'a AdminTimeZone);

impl Days<'_> {
    /// The first moment of `day` in the zone (midnight, or the first moment after a gap).
    pub fn start(self, day: Date) -> OffsetDateTime {
        let civil = jiff::civil::Date::new(
            day.year() as i16,
            u8::from(day.month()) as i8,
            day.day() as i8,
        );
        let seconds = civil
            .and_then(|civil| civil.to_zoned_datetime(self.0.zone.clone()))
            .map(|zoned| zoned.timestamp().as_second())
            .unwrap_or_else(|_| day.midnight().assume_utc().unix_timestamp());
        OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// The first moment after `day`.
    pub fn after(self, day: Date) -> OffsetDateTime {
        self.start(day.next_day().unwrap_or(day))
    }

    /// The day `at` falls on in the zone.
    pub fn day_of(self, at: OffsetDateTime) -> Date {
        let local = jiff::Timestamp::from_second(at.unix_timestamp())
            .map(|at| self.0.zone.to_datetime(at).date());
        local
            .ok()
            .and_then(|date| {
                let month = time::Month::try_from(date.month() as u8).ok()?;
                Date::from_calendar_date(date.year().into(), month, date.day() as u8).ok()
            })
            .unwrap_or_else(|| at.date())
    }

    /// The day a quarter hour of [`CreatedCount`] falls on, `YYYY-MM-DD`.
    fn of_quarter(self, quarter: i64) -> String {
        let at = OffsetDateTime::from_unix_timestamp(quarter.saturating_mul(QUARTER_HOUR_SECONDS))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        self.day_of(at).to_string()
    }
}

impl Filters {
    /// The query string that reproduces these filters on another page.
    pub fn query(&self, page: u32) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if let Some(provider) = self.provider {
            query.append_pair("provider", provider.as_str());
        }
        if let Some(status) = self.status {
            query.append_pair("status", status.as_str());
        }
        if let Some(reference) = &self.reference {
            query.append_pair("reference", reference);
        }
        if let Some(from) = self.from {
            query.append_pair("from", &from.to_string());
        }
        if let Some(to) = self.to {
            query.append_pair("to", &to.to_string());
        }
        if self.per_page != PER_PAGE {
            query.append_pair("per_page", &self.per_page.to_string());
        }
        query.append_pair("page", &page.to_string());
        query.finish()
    }

    fn store_filter(&self, days: Days<'_>) -> AdminFilter {
        AdminFilter {
            provider: self.provider,
            status: self.status,
            reference: self.reference.clone(),
            created_from: self.from.map(|day| days.start(day)),
            created_before: self.to.map(|day| days.after(day)),
            limit: self.per_page,
            offset: (self.page - 1).saturating_mul(self.per_page),
        }
    }

    /// The statistics' days: the filter's range, or the last 14 days up to today.
    pub fn stats_range(&self, today: Date) -> AppResult<(Date, Date)> {
        let to = self.to.unwrap_or(today);
        let from = self
            .from
            .unwrap_or_else(|| to - time::Duration::days(DEFAULT_STATS_DAYS - 1));
        if (to - from).whole_days() >= MAX_STATS_DAYS {
            return Err(AppError::invalid(
                "from",
                format!("the statistics cover at most {MAX_STATS_DAYS} days"),
            ));
        }
        Ok((from, to))
    }
}

/// One session on the admin page: the masked subject and the outcome, nothing else of the
/// person.
#[derive(Clone, Debug, Serialize)]
pub struct AdminVerification {
    pub id: String,
    pub provider: Provider,
    pub status: VerificationStatus,
    pub reference: Option<String>,
    /// `张*`.
    pub subject_name: Option<String>,
    /// `110***********4514`.
    pub subject_id_number: Option<String>,
    pub passed: Option<bool>,
    pub reason: Option<String>,
    pub vendor_code: Option<String>,
    pub vendor_message: Option<String>,
    pub confirmed_by: Option<String>,
    pub created_at: String,
    pub completed_at: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct VerificationPage {
    pub data: Vec<AdminVerification>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
    pub pages: i64,
}

pub async fn verifications(state: &AppState, filters: &Filters) -> AppResult<VerificationPage> {
    let days = Days(&state.settings.server.admin_time_zone);
    let (records, total) = state
        .core
        .store
        .admin_page(&filters.store_filter(days))
        .await?;
    let data = records
        .iter()
        .map(|record| {
            // The merchant view is where masking happens; the admin page shows a part of it.
            let shown = view::verification(record, None);
            let result = shown.result.as_ref();
            AdminVerification {
                id: shown.id.clone(),
                provider: shown.provider,
                status: shown.status,
                reference: shown.reference.clone(),
                subject_name: shown.subject.as_ref().map(|s| s.name.clone()),
                subject_id_number: shown.subject.as_ref().map(|s| s.id_number.clone()),
                passed: result.map(|r| r.passed),
                reason: result.and_then(|r| r.reason).map(|r| r.as_str().to_owned()),
                vendor_code: result.and_then(|r| r.vendor_code.clone()),
                vendor_message: result.and_then(|r| r.vendor_message.clone()),
                confirmed_by: result.map(|r| r.confirmed_by.as_str().to_owned()),
                created_at: shown.created_at.clone(),
                completed_at: shown.completed_at.clone(),
            }
        })
        .collect();
    let per_page = i64::from(filters.per_page);
    Ok(VerificationPage {
        data,
        page: filters.page,
        per_page: filters.per_page,
        total,
        pages: ((total + per_page - 1) / per_page).max(1),
    })
}

/// One provider on one day, like a vendor's record console.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct DayStats {
    pub provider: String,
    /// `YYYY-MM-DD` in the operator's zone (`admin_time_zone`), by creation time.
    pub day: String,
    pub total: i64,
    /// Every status, zero included.
    pub by_status: BTreeMap<String, i64>,
    /// verified / (verified + failed); null when nothing was decided.
    pub pass_rate: Option<f64>,
    pub failure_reasons: BTreeMap<String, i64>,
    /// Sessions the vendor accepted (a create call it answered with a token): the billable
    /// calls of most vendors. facegate does not see the vendors' bills themselves.
    pub vendor_sessions: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Stats {
    /// The IANA zone whose days these are (`admin_time_zone`).
    pub time_zone: String,
    pub from: String,
    pub to: String,
    pub data: Vec<DayStats>,
}

/// Folds the store's quarter-hour counts into one row per (day of the operator's zone,
/// provider), newest day first.
pub fn fold_counts(
    counts: &[CreatedCount],
    provider: Option<Provider>,
    days: Days<'_>,
) -> Vec<DayStats> {
    let mut rows: BTreeMap<(String, String), DayStats> = BTreeMap::new();
    for count in counts
        .iter()
        .filter(|count| provider.is_none_or(|provider| provider == count.provider))
    {
        let day = days.of_quarter(count.quarter);
        let row = rows
            .entry((day.clone(), count.provider.as_str().to_owned()))
            .or_insert_with(|| DayStats {
                provider: count.provider.as_str().to_owned(),
                day,
                by_status: VerificationStatus::ALL
                    .iter()
                    .map(|status| (status.as_str().to_owned(), 0))
                    .collect(),
                ..DayStats::default()
            });
        row.total += count.count;
        *row.by_status
            .entry(count.status.as_str().to_owned())
            .or_default() += count.count;
        if count.vendor_started {
            row.vendor_sessions += count.count;
        }
        if count.status == VerificationStatus::Failed {
            let reason = count.reason.clone().unwrap_or_else(|| "unknown".to_owned());
            *row.failure_reasons.entry(reason).or_default() += count.count;
        }
    }
    let mut rows: Vec<DayStats> = rows.into_values().collect();
    for row in &mut rows {
        let verified = row.by_status.get("verified").copied().unwrap_or(0);
        let failed = row.by_status.get("failed").copied().unwrap_or(0);
        row.pass_rate =
            (verified + failed > 0).then(|| verified as f64 / (verified + failed) as f64);
    }
    rows.sort_by(|a, b| b.day.cmp(&a.day).then_with(|| a.provider.cmp(&b.provider)));
    rows
}

pub async fn stats(state: &AppState, filters: &Filters) -> AppResult<Stats> {
    let zone = &state.settings.server.admin_time_zone;
    let days = Days(zone);
    let today = days.day_of(crate::session::now());
    let (from, to) = filters.stats_range(today)?;
    let counts = state
        .core
        .store
        .created_counts(days.start(from), days.after(to))
        .await?;
    Ok(Stats {
        time_zone: zone.name.clone(),
        from: from.to_string(),
        to: to.to_string(),
        data: fold_counts(&counts, filters.provider, days),
    })
}

/// One alert as shown.
#[derive(Clone, Debug, Serialize)]
pub struct AlertView {
    pub rule: String,
    pub provider: Provider,
    pub status: &'static str,
    pub episode: i64,
    pub value: f64,
    pub threshold: f64,
    pub sample: i64,
    pub fired_at: String,
    pub resolved_at: Option<String>,
    /// `sent`, `pending` or `not sent` (no webhook configured).
    pub notification: &'static str,
    pub last_error: Option<String>,
}

pub fn alert_view(record: &AlertRecord, webhook: bool) -> AlertView {
    AlertView {
        rule: record.rule.clone(),
        provider: record.provider,
        status: record.status.as_str(),
        episode: record.episode,
        value: record.value,
        threshold: record.threshold,
        sample: record.sample,
        fired_at: view::rfc3339(record.fired_at),
        resolved_at: record.resolved_at.map(view::rfc3339),
        notification: match (record.notify_pending, webhook) {
            (false, _) => "sent",
            (true, true) => "pending",
            (true, false) => "not sent",
        },
        last_error: record.last_error.clone(),
    }
}

pub async fn alerts(state: &AppState) -> AppResult<Vec<AlertView>> {
    let webhook = state.settings.alerts.webhook_url.is_some();
    Ok(state
        .core
        .store
        .alerts()
        .await?
        .iter()
        .map(|record| alert_view(record, webhook))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> FilterQuery {
        let mut query = FilterQuery::default();
        for (key, value) in pairs {
            let value = Some((*value).to_owned());
            match *key {
                "provider" => query.provider = value,
                "status" => query.status = value,
                "reference" => query.reference = value,
                "from" => query.from = value,
                "to" => query.to = value,
                "page" => query.page = value,
                "per_page" => query.per_page = value,
                _ => unreachable!(),
            }
        }
        query
    }

    fn field_of(error: AppError) -> Option<String> {
        match error {
            AppError::InvalidRequest { field, .. } => field,
            other => panic!("not a 400: {other}"),
        }
    }

    #[test]
    fn empty_form_fields_mean_no_filter() {
        let filters = query(&[("provider", ""), ("status", " "), ("from", "")])
            .parse()
            .unwrap();
        assert_eq!(filters.provider, None);
        assert_eq!(filters.status, None);
        assert_eq!((filters.page, filters.per_page), (1, PER_PAGE));
    }

    #[test]
    fn bad_values_name_their_field() {
        for (field, value) in [
            ("provider", "alipay"),
            ("status", "done"),
            ("from", "2026-13-01"),
            ("to", "yesterday"),
            ("page", "0"),
            ("per_page", "1000"),
        ] {
            let error = query(&[(field, value)]).parse().unwrap_err();
            assert_eq!(field_of(error).as_deref(), Some(field));
        }
        let error = query(&[("from", "2026-11-02"), ("to", "2026-11-01")])
            .parse()
            .unwrap_err();
        assert_eq!(field_of(error).as_deref(), Some("to"));
    }

    #[test]
    fn the_query_string_round_trips() {
        let filters = query(&[
            ("provider", "sandbox"),
            ("status", "failed"),
            ("reference", "order 1&2"),
            ("from", "2026-11-01"),
            ("to", "2026-11-27"),
        ])
        .parse()
        .unwrap();
        let again: FilterQuery = serde_urlencoded::from_str(&filters.query(3)).unwrap();
        let again = again.parse().unwrap();
        assert_eq!(again.page, 3);
        assert_eq!(Filters { page: 1, ..again }, filters);
    }

    #[test]
    fn counts_fold_into_rows_per_provider_and_day_of_the_operators_zone() {
        let count = |provider, at: &str, status, reason: Option<&str>, count| CreatedCount {
            provider,
            quarter: OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                .unwrap()
                .unix_timestamp()
                / QUARTER_HOUR_SECONDS,
            status,
            reason: reason.map(str::to_owned),
            vendor_started: true,
            count,
        };
        let counts = [
            count(
                Provider::Sandbox,
                "2026-11-27T03:00:00Z",
                VerificationStatus::Verified,
                None,
                3,
            ),
            // 00:30 on the 27th in Shanghai, still the 26th in UTC.
            count(
                Provider::Sandbox,
                "2026-11-26T16:30:00Z",
                VerificationStatus::Failed,
                Some("liveness_failed"),
                1,
            ),
            // 23:45 on the 26th in Shanghai.
            count(
                Provider::Sandbox,
                "2026-11-26T15:45:00Z",
                VerificationStatus::Pending,
                None,
                2,
            ),
            count(
                Provider::FaceidLite,
                "2026-11-27T10:00:00Z",
                VerificationStatus::Expired,
                None,
                1,
            ),
        ];
        let shanghai = AdminTimeZone::default();
        let rows = fold_counts(&counts, None, Days(&shanghai));
        assert_eq!(rows.len(), 3);
        let today = &rows[1];
        assert_eq!(
            (today.day.as_str(), today.provider.as_str()),
            ("2026-11-27", "sandbox")
        );
        assert_eq!(today.total, 4);
        assert_eq!(today.pass_rate, Some(0.75));
        assert_eq!(today.failure_reasons["liveness_failed"], 1);
        assert_eq!(today.by_status["canceled"], 0);
        assert_eq!(rows[2].pass_rate, None);
        assert_eq!(
            fold_counts(&counts, Some(Provider::FaceidLite), Days(&shanghai)).len(),
            1
        );

        let utc = AdminTimeZone {
            name: "UTC".into(),
            zone: jiff::tz::TimeZone::UTC,
        };
        let rows = fold_counts(&counts, Some(Provider::Sandbox), Days(&utc));
        let totals: Vec<(&str, i64)> = rows.iter().map(|r| (r.day.as_str(), r.total)).collect();
        assert_eq!(totals, [("2026-11-27", 3), ("2026-11-26", 3)]);
    }

    #[test]
    fn days_start_at_the_zones_midnight() {
        let shanghai = AdminTimeZone::default();
        let days = Days(&shanghai);
        let day = time::macros::date!(2026 - 12 - 01);
        assert_eq!(
            days.start(day),
            time::macros::datetime!(2026-11-30 16:00 UTC)
        );
        assert_eq!(
            days.after(day),
            time::macros::datetime!(2026-12-01 16:00 UTC)
        );
        assert_eq!(
            days.day_of(time::macros::datetime!(2026-11-30 16:00 UTC)),
            day
        );
        assert_eq!(
            days.day_of(time::macros::datetime!(2026-11-30 15:59:59 UTC)),
            time::macros::date!(2026 - 11 - 30)
        );
        // A zone with daylight saving: Berlin's day of the spring change is 23 hours long.
        let berlin = AdminTimeZone {
            name: "Europe/Berlin".into(),
            zone: jiff::tz::TimeZone::get("Europe/Berlin").unwrap(),
        };
        let spring = time::macros::date!(2026 - 03 - 29);
        let length = Days(&berlin).after(spring) - Days(&berlin).start(spring);
        assert_eq!(length, time::Duration::hours(23));
    }
}
