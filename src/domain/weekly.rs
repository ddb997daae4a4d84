//! When a schedule runs: days of the week and a time of day, in an
//! organisation's time zone ([`Weekly`]), and the zone itself
//! ([`TimeZoneName`]).

use chrono::{DateTime, Datelike, Days, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// Days of the week (a bit per day, Monday first) and a minute of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weekly {
    days: u8,
    minute: u16,
}

/// The days in the week's order, with the keys the forms use.
pub const DAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Mon, "mon", "Monday"),
    (Weekday::Tue, "tue", "Tuesday"),
    (Weekday::Wed, "wed", "Wednesday"),
    (Weekday::Thu, "thu", "Thursday"),
    (Weekday::Fri, "fri", "Friday"),
    (Weekday::Sat, "sat", "Saturday"),
    (Weekday::Sun, "sun", "Sunday"),
];

fn bit(day: Weekday) -> u8 {
    1 << day.num_days_from_monday()
}

impl Weekly {
    /// From the days' keys (`mon`…`sun`) and a time `HH:MM`.
    pub fn parse<'a>(days: impl IntoIterator<Item = &'a str>, time: &str) -> Result<Self, String> {
        let mut mask = 0u8;
        for key in days {
            let Some((day, _, _)) = DAYS.iter().find(|(_, k, _)| *k == key) else {
                return Err("Choose days of the week.".into());
            };
            mask |= bit(*day);
        }
        if mask == 0 {
            return Err("Choose at least one day.".into());
        }
        let time = NaiveTime::parse_from_str(time.trim(), "%H:%M")
            .map_err(|_| "Give the time as hours and minutes, like 20:00.".to_owned())?;
        let minute = u16::try_from(time.signed_duration_since(NaiveTime::MIN).num_minutes())
            .map_err(|_| "Give the time as hours and minutes, like 20:00.".to_owned())?;
        Ok(Self { days: mask, minute })
    }

    /// As stored: the mask and the minute; `None` when out of range.
    pub fn from_stored(days: i64, minute: i64) -> Option<Self> {
        let days = u8::try_from(days).ok().filter(|d| (1..=127).contains(d))?;
        let minute = u16::try_from(minute).ok().filter(|m| *m < 1440)?;
        Some(Self { days, minute })
    }

    pub fn days_mask(self) -> i64 {
        i64::from(self.days)
    }

    pub fn minute_of_day(self) -> i64 {
        i64::from(self.minute)
    }

    pub fn runs_on(self, key: &str) -> bool {
        DAYS.iter()
            .any(|(day, k, _)| *k == key && self.days & bit(*day) != 0)
    }

    /// `HH:MM`.
    pub fn time_text(self) -> String {
        format!("{:02}:{:02}", self.minute / 60, self.minute % 60)
    }

    /// In words: "Weekdays at 20:00", "Monday, Thursday at 07:30".
    pub fn describe(self) -> String {
        let days = match self.days {
            0b0001_1111 => "Weekdays".to_owned(),
            0b0110_0000 => "Weekends".to_owned(),
            0b0111_1111 => "Every day".to_owned(),
            mask => DAYS
                .iter()
                .filter(|(day, _, _)| mask & bit(*day) != 0)
                .map(|(_, _, name)| *name)
                .collect::<Vec<_>>()
                .join(", "),
        };
        format!("{days} at {}", self.time_text())
    }

    /// The first run strictly after `after`, in `zone`. A time that the
    /// clocks skip (spring forward) runs at the first moment after the
    /// gap; one they pass twice (fall back) runs the first time.
    pub fn next_after(self, after: DateTime<Utc>, zone: Tz) -> Option<DateTime<Utc>> {
        let time = NaiveTime::from_num_seconds_from_midnight_opt(u32::from(self.minute) * 60, 0)?;
        let start = after.with_timezone(&zone).date_naive();
        (0..=8u64).find_map(|offset| {
            let date = start.checked_add_days(Days::new(offset))?;
            if self.days & bit(date.weekday()) == 0 {
                return None;
            }
            let local = date.and_time(time);
            let at = zone.from_local_datetime(&local).earliest().or_else(|| {
                // In the gap: an hour later is past it.
                zone.from_local_datetime(&(local + chrono::Duration::hours(1)))
                    .earliest()
            })?;
            let at = at.with_timezone(&Utc);
            (at > after).then_some(at)
        })
    }
}

/// An IANA time zone name the panel knows (`Europe/Berlin`, `UTC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZoneName(Tz);

impl TimeZoneName {
    pub const UTC: Self = Self(chrono_tz::UTC);

    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.trim()
            .parse::<Tz>()
            .map(Self)
            .map_err(|_| "Choose a time zone from the list, like Europe/Berlin.".to_owned())
    }

    pub fn zone(self) -> Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// Every zone's name, for the select.
    pub fn all() -> impl Iterator<Item = &'static str> {
        chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn weekdays_at_eight_in_the_evening_skip_the_weekend_in_the_zone() {
        let weekdays = Weekly::parse(["mon", "tue", "wed", "thu", "fri"], "20:00").ok();
        let Some(weekdays) = weekdays else {
            panic!("parses");
        };
        assert_eq!(weekdays.describe(), "Weekdays at 20:00");
        let berlin = Tz::Europe__Berlin;
        // Friday 2026-12-04 21:00 in Berlin: the next is Monday 20:00 (19:00 UTC).
        let next = weekdays.next_after(utc("2026-12-04T20:00:00Z"), berlin);
        assert_eq!(next, Some(utc("2026-12-07T19:00:00Z")));
        // Monday 19:59 Berlin: the same evening.
        let next = weekdays.next_after(utc("2026-12-07T18:59:00Z"), berlin);
        assert_eq!(next, Some(utc("2026-12-07T19:00:00Z")));
    }

    #[test]
    fn a_time_the_clocks_skip_runs_just_after_the_gap() {
        let Ok(sunday) = Weekly::parse(["sun"], "02:30") else {
            panic!("parses");
        };
        // 2027-03-28: Berlin's clocks go from 02:00 to 03:00.
        let next = sunday.next_after(utc("2027-03-27T12:00:00Z"), Tz::Europe__Berlin);
        assert_eq!(next, Some(utc("2027-03-28T01:30:00Z")));
    }

    #[test]
    fn bad_input_is_said_plainly() {
        assert!(Weekly::parse(Vec::<&str>::new(), "20:00").is_err());
        assert!(Weekly::parse(["someday"], "20:00").is_err());
        assert!(Weekly::parse(["mon"], "25:00").is_err());
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
        assert_eq!(
            TimeZoneName::parse("Europe/Berlin").map(TimeZoneName::name),
            Ok("Europe/Berlin")
        );
        assert_eq!(Weekly::from_stored(0, 10), None);
    }
}
