//! Query parameters of the list endpoints.

use super::de::api_enum;

/// The five common list parameters (`page`, `per_page`, `sort`, `q`, `fields`).
///
/// The reference swaps the descriptions of `page` and `per_page`; here
/// `page` is the page number and `per_page` the page size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// `name` ascending, `-creation_date` descending.
    pub sort: Option<String>,
    /// Free-text search.
    pub q: Option<String>,
    /// Comma-separated attributes, dotted paths allowed.
    pub fields: Option<String>,
}

impl ListQuery {
    pub fn all() -> Self {
        ListQuery::default()
    }

    pub fn search(q: impl Into<String>) -> Self {
        ListQuery {
            q: Some(q.into()).filter(|s: &String| !s.trim().is_empty()),
            ..ListQuery::default()
        }
    }

    pub fn page(mut self, page: u32, per_page: u32) -> Self {
        self.page = Some(page);
        self.per_page = Some(per_page);
        self
    }

    pub fn sorted_by(mut self, sort: impl Into<String>) -> Self {
        self.sort = Some(sort.into());
        self
    }

    pub(crate) fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(p) = self.page {
            out.push(("page", p.to_string()));
        }
        if let Some(p) = self.per_page {
            out.push(("per_page", p.to_string()));
        }
        for (k, v) in [
            ("sort", &self.sort),
            ("q", &self.q),
            ("fields", &self.fields),
        ] {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                out.push((k, v.clone()));
            }
        }
        out
    }
}

api_enum!(
    /// The time range of logs, usages and monitoring data.
    Period {
        LastHour => "LAST_HOUR",
        Last24h => "LAST_24H",
        Last7d => "LAST_7D",
        Last30d => "LAST_30D",
        Last365d => "LAST_365D",
        Custom => "CUSTOM",
    }
);

/// `period` with `start_date`/`end_date` (required only for `CUSTOM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeRange {
    pub period: Period,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

impl TimeRange {
    pub fn last(period: Period) -> Self {
        TimeRange {
            period,
            start_date: None,
            end_date: None,
        }
    }

    pub fn custom(
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        let f = |d: chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        TimeRange {
            period: Period::Custom,
            start_date: Some(f(start)),
            end_date: Some(f(end)),
        }
    }

    pub(crate) fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![("period", self.period.as_str().to_string())];
        if let Some(s) = &self.start_date {
            out.push(("start_date", s.clone()));
        }
        if let Some(e) = &self.end_date {
            out.push(("end_date", e.clone()));
        }
        out
    }
}

impl Default for TimeRange {
    fn default() -> Self {
        TimeRange::last(Period::Last24h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_set_parameters_are_sent() {
        assert!(ListQuery::all().pairs().is_empty());
        assert!(ListQuery::search("  ").pairs().is_empty());
        let q = ListQuery::search("web")
            .page(2, 20)
            .sorted_by("-creation_date");
        assert_eq!(
            q.pairs(),
            vec![
                ("page", "2".to_string()),
                ("per_page", "20".to_string()),
                ("sort", "-creation_date".to_string()),
                ("q", "web".to_string())
            ]
        );
    }

    #[test]
    fn time_ranges_carry_dates_only_when_custom() {
        assert_eq!(
            TimeRange::last(Period::LastHour).pairs(),
            vec![("period", "LAST_HOUR".to_string())]
        );
        let start = chrono::DateTime::from_timestamp(0, 0).unwrap_or_default();
        let r = TimeRange::custom(start, start);
        assert_eq!(
            r.pairs()[1],
            ("start_date", "1970-01-01T00:00:00Z".to_string())
        );
    }
}
