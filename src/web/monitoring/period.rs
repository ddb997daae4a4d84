//! The period of a server's monitoring page, as typed in the address: one
//! of the reference's periods, or a custom range whose two dates are
//! checked here (with the logs' own date reading), so that a mistake is
//! shown beside its field and never reaches the Cloud Panel.

use serde::Deserialize;

use crate::cloudpanel::{Period, TimeRange};
use crate::web::cloud::FieldErrors;
use crate::web::logs::filter::{PERIODS, read_date};

const DEFAULT_PERIOD: &str = "LAST_24H";

/// The query string of the page, kept as text so it can be shown back.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PeriodParams {
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub end_date: String,
    #[serde(default)]
    pub account: String,
}

/// One choice of the period select.
pub struct PeriodOption {
    pub key: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// What the form shows back.
pub struct Chosen {
    /// One of the periods' keys.
    pub period: &'static str,
    pub start_date: String,
    pub end_date: String,
    pub options: Vec<PeriodOption>,
}

impl Chosen {
    /// "Last 24 hours", or the custom range in words.
    pub fn words(&self) -> String {
        if self.period == "CUSTOM" {
            return format!("{} to {} (UTC)", self.start_date, self.end_date);
        }
        PERIODS
            .iter()
            .find(|(k, _)| *k == self.period)
            .map_or_else(String::new, |(_, words)| (*words).to_owned())
    }
}

impl PeriodParams {
    /// The account the address names, if it is a number.
    pub fn account_id(&self) -> Option<i64> {
        self.account.trim().parse().ok()
    }

    /// What the form shows, the range to ask for (none when a custom date
    /// is wrong), and the message beside each wrong field. An unknown
    /// period falls back quietly to the default.
    pub fn read(&self) -> (Chosen, Option<TimeRange>, FieldErrors) {
        let period = PERIODS
            .iter()
            .map(|(k, _)| *k)
            .find(|k| k.eq_ignore_ascii_case(self.period.trim()))
            .unwrap_or(DEFAULT_PERIOD);
        let clip = |raw: &str| raw.trim().chars().take(40).collect::<String>();
        let chosen = Chosen {
            period,
            start_date: clip(&self.start_date),
            end_date: clip(&self.end_date),
            options: PERIODS
                .iter()
                .map(|(key, label)| PeriodOption {
                    key,
                    label,
                    selected: *key == period,
                })
                .collect(),
        };
        let mut errors = FieldErrors::new();
        if period != "CUSTOM" {
            return (chosen, Some(TimeRange::last(Period::parse(period))), errors);
        }
        let start = read_date(&chosen.start_date, false)
            .map_err(|e| errors.insert("start_date", format!("Start: {e}")))
            .ok();
        let end = read_date(&chosen.end_date, true)
            .map_err(|e| errors.insert("end_date", format!("End: {e}")))
            .ok();
        let range = match (start, end) {
            (Some(s), Some(e)) if e <= s => {
                errors.insert(
                    "end_date",
                    "End: the range ends before it starts; choose an end after the start.".into(),
                );
                None
            }
            (Some(s), _) if s > chrono::Utc::now() => {
                errors.insert(
                    "start_date",
                    "Start: the range starts in the future; there is nothing to show yet.".into(),
                );
                None
            }
            (Some(s), Some(e)) => Some(TimeRange::custom(s, e)),
            _ => None,
        };
        (chosen, range, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(period: &str, start: &str, end: &str) -> PeriodParams {
        PeriodParams {
            period: period.into(),
            start_date: start.into(),
            end_date: end.into(),
            account: String::new(),
        }
    }

    #[test]
    fn a_named_period_needs_no_dates_and_nonsense_falls_back() {
        let (chosen, range, errors) = params("last_7d", "", "").read();
        assert_eq!(chosen.period, "LAST_7D");
        assert_eq!(range, Some(TimeRange::last(Period::Last7d)));
        assert!(errors.is_empty());
        let (chosen, range, _) = params("<b>", "", "").read();
        assert_eq!(chosen.period, "LAST_24H");
        assert!(range.is_some());
        assert_eq!(chosen.words(), "Last 24 hours");
    }

    #[test]
    fn a_bad_custom_range_is_refused_beside_its_field() {
        let (_, range, errors) = params("CUSTOM", "2024-05-02", "2024-05-01").read();
        assert!(range.is_none());
        assert!(errors["end_date"].contains("ends before it starts"));
        let (_, range, errors) = params("CUSTOM", "soon", "").read();
        assert!(range.is_none());
        assert!(errors.contains_key("start_date") && errors.contains_key("end_date"));
        let (_, range, errors) = params("CUSTOM", "2999-01-01", "2999-01-02").read();
        assert!(range.is_none());
        assert!(errors["start_date"].contains("future"));
        let (chosen, range, errors) = params("CUSTOM", "2024-05-01T10:00", "2024-05-01").read();
        assert!(errors.is_empty());
        assert_eq!(
            range.and_then(|r| r.end_date).as_deref(),
            Some("2024-05-01T23:59:59Z")
        );
        assert_eq!(chosen.words(), "2024-05-01T10:00 to 2024-05-01 (UTC)");
    }
}
