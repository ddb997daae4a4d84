//! When a member's access to an organisation ends, as typed on the members
//! page: a date and time in UTC (`2026-12-14T18:00`, what a
//! `datetime-local` field sends), or a date alone (the end of that day), or
//! nothing (access without an end).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// The latest end that may be set: ten years on.
const AT_MOST_SECS: i64 = 10 * 366 * 24 * 3600;

/// An end of access, in Unix seconds, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessEnd(Option<i64>);

impl AccessEnd {
    /// Reads what was typed; the end must lie after `now` (Unix seconds).
    pub fn parse(raw: &str, now: i64) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Self(None));
        }
        let at = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M"))
            .or_else(|_| {
                NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                    .map(|d| d.and_time(NaiveTime::from_hms_opt(23, 59, 0).unwrap_or_default()))
            })
            .map_err(|_| {
                format!("“{raw}” is not a date and time: use 2026-12-14T18:00 (UTC) or 2026-12-14.")
            })?;
        let secs = at.and_utc().timestamp();
        if secs <= now {
            return Err("The end of access must lie in the future.".to_owned());
        }
        if secs > now.saturating_add(AT_MOST_SECS) {
            return Err("The end of access may lie at most ten years ahead.".to_owned());
        }
        Ok(Self(Some(secs)))
    }

    pub fn secs(self) -> Option<i64> {
        self.0
    }

    /// The value a `datetime-local` field shows for `end` (UTC).
    pub fn field_value(end: Option<i64>) -> String {
        end.and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
            .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_796_000_000; // 2026-11-30

    #[test]
    fn an_end_is_a_time_a_day_or_nothing_and_lies_ahead() {
        assert_eq!(AccessEnd::parse(" ", NOW), Ok(AccessEnd(None)));
        let at = AccessEnd::parse("2026-12-14T18:00", NOW).unwrap();
        assert_eq!(AccessEnd::field_value(at.secs()), "2026-12-14T18:00");
        let day = AccessEnd::parse("2026-12-14", NOW).unwrap();
        assert_eq!(AccessEnd::field_value(day.secs()), "2026-12-14T23:59");
        assert!(
            AccessEnd::parse("2020-01-01", NOW)
                .unwrap_err()
                .contains("future")
        );
        assert!(
            AccessEnd::parse("2099-01-01", NOW)
                .unwrap_err()
                .contains("ten years")
        );
        assert!(
            AccessEnd::parse("next week", NOW)
                .unwrap_err()
                .contains("not a date")
        );
        assert_eq!(AccessEnd::field_value(None), "");
    }
}
