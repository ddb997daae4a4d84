//! The logs' filter as typed in the address: the period (a custom one with
//! its two dates, checked here so a mistake never reaches the Cloud Panel),
//! the search, the sort and the page. Anything else that makes no sense
//! falls back quietly, never an error page.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;

use crate::cloudpanel::{ListQuery, Period, TimeRange};
use crate::web::cloud::FieldErrors;

/// Rows per page, asked of the Cloud Panel (it pages the logs itself).
pub const PER_PAGE: u32 = 25;

/// The periods offered, in the select's order, with their words.
pub const PERIODS: &[(&str, &str)] = &[
    ("LAST_HOUR", "Last hour"),
    ("LAST_24H", "Last 24 hours"),
    ("LAST_7D", "Last 7 days"),
    ("LAST_30D", "Last 30 days"),
    ("LAST_365D", "Last 365 days"),
    ("CUSTOM", "Custom range"),
];

const DEFAULT_PERIOD: &str = "LAST_24H";

/// The sort orders offered (key, words); the first is the default and
/// sends no `sort`, since the Cloud Panel lists the newest first.
pub const SORTS: &[(&str, &str)] = &[
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("name", "Resource name (A–Z)"),
    ("-name", "Resource name (Z–A)"),
];

/// The query string of the logs list, kept as text so it can be shown back.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LogsParams {
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub end_date: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub account: String,
}

/// The filter once read: what the form shows and what is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// One of `PERIODS`' keys.
    pub period: &'static str,
    pub start_date: String,
    pub end_date: String,
    pub q: String,
    /// One of `SORTS`' keys.
    pub sort: &'static str,
    pub page: u32,
}

impl LogsParams {
    /// The account the address names, if it is a number.
    pub fn account_id(&self) -> Option<i64> {
        self.account.trim().parse().ok()
    }

    /// The filter, the time range to ask for (none when a custom date is
    /// wrong) and the message beside each wrong field.
    pub fn read(&self) -> (Filter, Option<TimeRange>, FieldErrors) {
        let period = PERIODS
            .iter()
            .map(|(k, _)| *k)
            .find(|k| k.eq_ignore_ascii_case(self.period.trim()))
            .unwrap_or(DEFAULT_PERIOD);
        let sort = SORTS
            .iter()
            .map(|(k, _)| *k)
            .find(|k| *k == self.sort.trim())
            .unwrap_or(SORTS[0].0);
        let filter = Filter {
            period,
            start_date: clip(&self.start_date, 40),
            end_date: clip(&self.end_date, 40),
            q: clip(&self.q, 100),
            sort,
            page: self
                .page
                .trim()
                .parse::<u32>()
                .unwrap_or(1)
                .clamp(1, 100_000),
        };
        let mut errors = FieldErrors::new();
        let range = if period == "CUSTOM" {
            let start = read_date(&filter.start_date, false)
                .map_err(|e| errors.insert("start_date", format!("Start: {e}")))
                .ok();
            let end = read_date(&filter.end_date, true)
                .map_err(|e| errors.insert("end_date", format!("End: {e}")))
                .ok();
            match (start, end) {
                (Some(s), Some(e)) if e < s => {
                    errors.insert(
                        "end_date",
                        "End: the range ends before it starts; choose an end after the start."
                            .into(),
                    );
                    None
                }
                (Some(s), Some(e)) => Some(TimeRange::custom(s, e)),
                _ => None,
            }
        } else {
            Some(TimeRange::last(Period::parse(period)))
        };
        (filter, range, errors)
    }
}

impl Filter {
    /// The list parameters sent with the period.
    pub fn list_query(&self) -> ListQuery {
        let query = ListQuery::search(self.q.clone()).page(self.page, PER_PAGE);
        match self.sort {
            "oldest" => query.sorted_by("creation_date"),
            "name" | "-name" => query.sorted_by(self.sort),
            _ => query,
        }
    }

    /// The query string of this view (with `page`), for links that keep it.
    pub fn query(&self, account: i64, page: u32) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("account", &account.to_string());
        query.append_pair("period", self.period);
        if self.period == "CUSTOM" {
            query.append_pair("start_date", &self.start_date);
            query.append_pair("end_date", &self.end_date);
        }
        if !self.q.is_empty() {
            query.append_pair("q", &self.q);
        }
        if self.sort != SORTS[0].0 {
            query.append_pair("sort", self.sort);
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        format!("?{}", query.finish())
    }
}

fn clip(raw: &str, max: usize) -> String {
    raw.trim().chars().take(max).collect()
}

/// `2024-05-01`, `2024-05-01T12:30` (a `datetime-local` input) or with
/// seconds, taken as UTC; a bare date's end covers the whole day.
pub(crate) fn read_date(raw: &str, end: bool) -> Result<DateTime<Utc>, String> {
    if raw.is_empty() {
        return Err("enter a date, such as 2024-05-01T12:30 (UTC).".into());
    }
    if let Ok(day) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let time = if end {
            day.and_hms_opt(23, 59, 59)
        } else {
            day.and_hms_opt(0, 0, 0)
        };
        if let Some(at) = time {
            return Ok(at.and_utc());
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(raw, format) {
            return Ok(at.and_utc());
        }
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Ok(at.with_timezone(&Utc));
    }
    Err(format!(
        "“{raw}” is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(period: &str, start: &str, end: &str) -> LogsParams {
        LogsParams {
            period: period.into(),
            start_date: start.into(),
            end_date: end.into(),
            ..LogsParams::default()
        }
    }

    #[test]
    fn a_named_period_needs_no_dates() {
        let (filter, range, errors) = params("last_hour", "", "").read();
        assert_eq!(filter.period, "LAST_HOUR");
        assert_eq!(range, Some(TimeRange::last(Period::LastHour)));
        assert!(errors.is_empty());
    }

    #[test]
    fn nonsense_falls_back_quietly() {
        let p = LogsParams {
            period: "<script>".into(),
            sort: "drop".into(),
            page: "-3".into(),
            ..LogsParams::default()
        };
        let (filter, range, errors) = p.read();
        assert_eq!(
            (filter.period, filter.sort, filter.page),
            ("LAST_24H", "newest", 1)
        );
        assert!(range.is_some() && errors.is_empty());
    }

    #[test]
    fn a_custom_range_is_checked_before_sending() {
        let (_, range, errors) = params("CUSTOM", "2024-05-02", "2024-05-01").read();
        assert!(range.is_none());
        assert!(errors["end_date"].contains("ends before it starts"));
        let (_, range, errors) = params("CUSTOM", "yesterday", "").read();
        assert!(range.is_none());
        assert!(errors.contains_key("start_date") && errors.contains_key("end_date"));
        let (_, range, errors) = params("CUSTOM", "2024-05-01T10:00", "2024-05-01").read();
        assert!(errors.is_empty());
        let range = range.unwrap();
        assert_eq!(range.start_date.as_deref(), Some("2024-05-01T10:00:00Z"));
        assert_eq!(range.end_date.as_deref(), Some("2024-05-01T23:59:59Z"));
    }

    #[test]
    fn links_keep_the_view() {
        let p = LogsParams {
            q: "web".into(),
            sort: "-name".into(),
            ..params("CUSTOM", "2024-05-01", "2024-05-02")
        };
        let (filter, _, _) = p.read();
        assert_eq!(
            filter.query(3, 2),
            "?account=3&period=CUSTOM&start_date=2024-05-01&end_date=2024-05-02&q=web&sort=-name&page=2"
        );
        assert_eq!(filter.list_query().sort.as_deref(), Some("-name"));
        assert_eq!(filter.list_query().per_page, Some(PER_PAGE));
    }
}
