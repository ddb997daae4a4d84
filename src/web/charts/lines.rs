//! Line charts of measurements over time, as inline SVG.
//!
//! [`line_chart`] is a pure function from series of `(time, Option<value>)`
//! to a [`LineChart`]: every coordinate and label computed here, so the
//! template (`templates/monitoring/chart.html`) only writes them out, with
//! askama escaping every text. A missing or non-finite value is a gap in
//! the line, never a zero; a point with no neighbour is drawn as a dot; a
//! chart with no value at all says "No data for this period" instead of an
//! empty frame. Each chart carries a summary for its accessible name and a
//! table of the numbers, so it reads without sight and without scripts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

/// The drawing's coordinate system (`viewBox`); CSS scales it to the card.
pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 240.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 30.0;

/// Values beyond this are no measurement (a broken payload): shown as gaps,
/// so that one absurd number cannot flatten the rest of the chart.
const MAX_MAGNITUDE: f64 = 1e100;

/// One measured line: its name and its readings.
#[derive(Debug, Clone)]
pub struct Series {
    /// "Used", "In", "Out": the legend and the table's column.
    pub label: String,
    pub points: Vec<(DateTime<Utc>, Option<f64>)>,
}

/// A horizontal line at a level (a warning or critical threshold).
#[derive(Debug, Clone)]
pub struct Mark {
    pub label: String,
    pub value: f64,
    /// `warning` or `critical`: the line's class (`mark-warning`).
    pub kind: &'static str,
}

/// One drawn line: its path (`M x y L x y …`, broken at gaps) and the
/// points that stand alone between two gaps.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    /// `series-0`, `series-1`: its colour in `static/app.css`.
    pub class: String,
    pub d: String,
    pub dots: Vec<(String, String)>,
}

/// A label on an axis at a position (y for the value axis, x for time).
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: String,
    pub label: String,
}

/// A threshold line inside the plot.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkLine {
    pub y: String,
    pub label: String,
    pub class: String,
}

/// One row of the table of numbers: the time and one cell per series.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub time: String,
    pub cells: Vec<String>,
}

/// Everything the template draws.
#[derive(Debug, Clone)]
pub struct LineChart {
    /// Prefix of the element ids (`cpu` → `cpu-title`).
    pub id: String,
    pub title: String,
    pub unit: String,
    /// The accessible name: what the chart shows, in words.
    pub summary: String,
    /// No value in the period: no drawing, a sentence instead.
    pub empty: bool,
    pub view_box: String,
    pub lines: Vec<Line>,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    pub marks: Vec<MarkLine>,
    /// The plot's frame: left, right, top and bottom edges.
    pub left: String,
    pub right: String,
    pub top: String,
    pub bottom: String,
    /// The table's column headings after "Time".
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

impl LineChart {
    /// Whether the legend is worth showing (more than one line).
    pub fn has_legend(&self) -> bool {
        self.lines.len() > 1
    }
}

/// A value that can be drawn: finite and of a believable size.
fn usable(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite() && v.abs() <= MAX_MAGNITUDE)
}

/// Builds the chart; `id` must be unique on the page (it names elements).
pub fn line_chart(
    id: &str,
    title: &str,
    unit: &str,
    series: &[Series],
    marks: &[Mark],
) -> LineChart {
    let values: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|(_, v)| usable(*v)))
        .collect();
    let times: Vec<DateTime<Utc>> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|(t, _)| *t))
        .collect();
    let mut chart = LineChart {
        id: id.to_owned(),
        title: title.to_owned(),
        unit: unit.to_owned(),
        summary: String::new(),
        empty: values.is_empty(),
        view_box: format!("0 0 {WIDTH} {HEIGHT}"),
        lines: Vec::new(),
        y_ticks: Vec::new(),
        x_ticks: Vec::new(),
        marks: Vec::new(),
        left: num(LEFT),
        right: num(WIDTH - RIGHT),
        top: num(TOP),
        bottom: num(HEIGHT - BOTTOM),
        columns: series.iter().map(|s| s.label.clone()).collect(),
        rows: table(series),
    };
    let (Some(t0), Some(t1)) = (times.iter().min().copied(), times.iter().max().copied()) else {
        chart.empty = true;
        chart.summary = format!("{title}: no data for this period.");
        return chart;
    };
    if chart.empty {
        chart.summary = format!("{title}: no data for this period.");
        return chart;
    }
    let levels: Vec<f64> = marks
        .iter()
        .map(|m| m.value)
        .filter(|v| usable(Some(*v)).is_some())
        .collect();
    let scale = ValueScale::new(values.iter().chain(&levels).copied());
    let time = TimeScale { t0, t1 };
    chart.y_ticks = scale
        .ticks()
        .into_iter()
        .map(|v| Tick {
            at: num(scale.y(v)),
            label: label(v),
        })
        .collect();
    chart.x_ticks = time.ticks();
    chart.marks = marks
        .iter()
        .filter(|m| usable(Some(m.value)).is_some())
        .map(|m| MarkLine {
            y: num(scale.y(m.value)),
            label: format!("{} {}{}", m.label, label(m.value), unit_suffix(unit)),
            class: format!("mark-{}", m.kind),
        })
        .collect();
    chart.lines = series
        .iter()
        .enumerate()
        .map(|(i, s)| draw(s, i, &scale, &time))
        .collect();
    chart.summary = summary(title, unit, series, t0, t1);
    chart
}

/// The value axis: from its lowest to its highest tick, zero always inside.
struct ValueScale {
    lo: f64,
    hi: f64,
    step: f64,
}

impl ValueScale {
    fn new(values: impl Iterator<Item = f64>) -> Self {
        let (mut lo, mut hi) = (0.0_f64, 0.0_f64);
        for v in values {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if hi - lo <= 0.0 {
            hi = lo + 1.0;
        }
        let step = nice_step((hi - lo) / 4.0);
        Self {
            lo: (lo / step).floor() * step,
            hi: (hi / step).ceil() * step,
            step,
        }
    }

    fn y(&self, v: f64) -> f64 {
        let span = self.hi - self.lo;
        let share = if span > 0.0 {
            (v - self.lo) / span
        } else {
            0.5
        };
        (HEIGHT - BOTTOM) - share * (HEIGHT - BOTTOM - TOP)
    }

    fn ticks(&self) -> Vec<f64> {
        (0..=12)
            .map(|i| self.lo + f64::from(i) * self.step)
            .take_while(|v| *v <= self.hi + self.step * 1e-9)
            .collect()
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * power)
}

/// The time axis; a single moment sits in the middle.
struct TimeScale {
    t0: DateTime<Utc>,
    t1: DateTime<Utc>,
}

impl TimeScale {
    fn x(&self, t: DateTime<Utc>) -> f64 {
        let span = (self.t1 - self.t0).num_seconds();
        let width = WIDTH - LEFT - RIGHT;
        if span <= 0 {
            return LEFT + width / 2.0;
        }
        let share = (t - self.t0).num_seconds() as f64 / span as f64;
        LEFT + share * width
    }

    /// The first, middle and last moment, in words that suit the span.
    fn ticks(&self) -> Vec<Tick> {
        let span = self.t1 - self.t0;
        let format = if span <= chrono::Duration::hours(36) {
            "%H:%M"
        } else if span <= chrono::Duration::days(400) {
            "%d %b"
        } else {
            "%b %Y"
        };
        let mut moments = vec![self.t0];
        if span > chrono::Duration::zero() {
            moments.push(self.t0 + span / 2);
            moments.push(self.t1);
        }
        moments
            .into_iter()
            .map(|t| Tick {
                at: num(self.x(t)),
                label: t.format(format).to_string(),
            })
            .collect()
    }
}

fn draw(series: &Series, index: usize, scale: &ValueScale, time: &TimeScale) -> Line {
    let mut points = series.points.clone();
    points.sort_by_key(|(t, _)| *t);
    let mut d = String::new();
    let mut dots = Vec::new();
    // The run of drawable points since the last gap.
    let mut run: Vec<(f64, f64)> = Vec::new();
    let mut flush = |run: &mut Vec<(f64, f64)>| {
        match run.as_slice() {
            [] => {}
            [(x, y)] => dots.push((num(*x), num(*y))),
            [(x0, y0), rest @ ..] => {
                d.push_str(&format!("M{} {}", num(*x0), num(*y0)));
                for (x, y) in rest {
                    d.push_str(&format!(" L{} {}", num(*x), num(*y)));
                }
                d.push(' ');
            }
        }
        run.clear();
    };
    for (t, v) in &points {
        match usable(*v) {
            Some(v) => run.push((time.x(*t), scale.y(v))),
            None => flush(&mut run),
        }
    }
    flush(&mut run);
    Line {
        label: series.label.clone(),
        class: format!("series-{}", index % 4),
        d: d.trim_end().to_owned(),
        dots,
    }
}

/// "CPU (%), 30 Nov 04:00 to 30 Nov 05:00 UTC: 12 readings, lowest 3, highest 55, latest 20."
fn summary(
    title: &str,
    unit: &str,
    series: &[Series],
    t0: DateTime<Utc>,
    t1: DateTime<Utc>,
) -> String {
    let at = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    let unit_words = if unit.is_empty() {
        String::new()
    } else {
        format!(" ({unit})")
    };
    let parts: Vec<String> = series
        .iter()
        .map(|s| {
            let mut readings: Vec<(DateTime<Utc>, f64)> = s
                .points
                .iter()
                .filter_map(|(t, v)| usable(*v).map(|v| (*t, v)))
                .collect();
            readings.sort_by_key(|(t, _)| *t);
            let missing = s.points.len() - readings.len();
            let name = if series.len() > 1 {
                format!("{}: ", s.label)
            } else {
                String::new()
            };
            let gaps = match missing {
                0 => String::new(),
                1 => ", 1 missing".to_owned(),
                n => format!(", {n} missing"),
            };
            match readings.last() {
                None => format!("{name}no readings{gaps}"),
                Some((_, latest)) => {
                    let lowest = readings
                        .iter()
                        .map(|(_, v)| *v)
                        .fold(f64::INFINITY, f64::min);
                    let highest = readings
                        .iter()
                        .map(|(_, v)| *v)
                        .fold(f64::NEG_INFINITY, f64::max);
                    let count = readings.len();
                    format!(
                        "{name}{count} reading{}{gaps}, lowest {}, highest {}, latest {}",
                        if count == 1 { "" } else { "s" },
                        label(lowest),
                        label(highest),
                        label(*latest)
                    )
                }
            }
        })
        .collect();
    format!(
        "{title}{unit_words}, {} to {} UTC: {}.",
        at(t0),
        at(t1),
        parts.join("; ")
    )
}

/// One row per moment, one cell per series; "–" where a value is missing.
fn table(series: &[Series]) -> Vec<Row> {
    let mut by_time: BTreeMap<DateTime<Utc>, Vec<Option<f64>>> = BTreeMap::new();
    for (i, s) in series.iter().enumerate() {
        for (t, v) in &s.points {
            let cells = by_time
                .entry(*t)
                .or_insert_with(|| vec![None; series.len()]);
            cells[i] = usable(*v);
        }
    }
    by_time
        .into_iter()
        .map(|(t, cells)| Row {
            time: t.format("%Y-%m-%d %H:%M UTC").to_string(),
            cells: cells
                .into_iter()
                .map(|v| v.map_or_else(|| "–".to_owned(), exact))
                .collect(),
        })
        .collect()
}

/// A coordinate, to a tenth of a unit.
fn num(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    let text = format!("{rounded:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
}

/// " %" or " ms" after a threshold's number; nothing without a unit.
fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    }
}

/// A number for the table: as given, up to three decimals.
fn exact(v: f64) -> String {
    let text = format!("{v:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// A number for an axis: short, with k/M/G/T for thousands and up.
fn label(v: f64) -> String {
    let magnitude = v.abs();
    for (size, suffix) in [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")] {
        if magnitude >= size {
            if magnitude >= size * 1000.0 && suffix == "T" {
                return format!("{v:.1e}");
            }
            return format!("{}{suffix}", short(v / size));
        }
    }
    short(v)
}

/// At most one decimal under 10, none above.
fn short(v: f64) -> String {
    let text = if v.abs() >= 10.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    let text = text.strip_suffix(".0").map_or(text.clone(), str::to_owned);
    if text == "-0" { "0".to_owned() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + minute * 60, 0).unwrap_or_default()
    }

    fn one(values: &[Option<f64>]) -> Vec<Series> {
        vec![Series {
            label: "Used".into(),
            points: values
                .iter()
                .enumerate()
                .map(|(i, v)| (at(i as i64 * 5), *v))
                .collect(),
        }]
    }

    fn chart(values: &[Option<f64>]) -> LineChart {
        line_chart("cpu", "CPU", "%", &one(values), &[])
    }

    #[test]
    fn a_series_is_one_path_with_axes_and_a_summary() {
        let c = chart(&[Some(10.0), Some(20.0), Some(15.0)]);
        assert!(!c.empty);
        assert_eq!(c.lines.len(), 1);
        assert_eq!(c.lines[0].d.matches('M').count(), 1);
        assert_eq!(c.lines[0].d.matches('L').count(), 2);
        assert!(c.lines[0].dots.is_empty());
        assert_eq!(c.view_box, "0 0 640 240");
        assert_eq!(c.y_ticks.first().map(|t| t.label.as_str()), Some("0"));
        assert_eq!(c.y_ticks.last().map(|t| t.label.as_str()), Some("20"));
        assert_eq!(c.x_ticks.len(), 3);
        assert!(c.summary.starts_with("CPU (%), "), "{}", c.summary);
        assert!(
            c.summary
                .contains("3 readings, lowest 10, highest 20, latest 15"),
            "{}",
            c.summary
        );
        assert_eq!(c.rows.len(), 3);
        assert_eq!(c.rows[1].cells, ["20"]);
    }

    #[test]
    fn a_missing_value_is_a_gap_not_a_zero() {
        let c = chart(&[Some(10.0), Some(12.0), None, Some(30.0), Some(31.0)]);
        let d = &c.lines[0].d;
        assert_eq!(d.matches('M').count(), 2, "two segments: {d}");
        assert_eq!(c.rows[2].cells, ["–"]);
        assert!(c.summary.contains("4 readings, 1 missing"), "{}", c.summary);
        assert!(c.summary.contains("lowest 10"), "no zero was invented");
    }

    #[test]
    fn a_point_between_gaps_is_a_dot() {
        let c = chart(&[Some(5.0), None, Some(7.0), None, Some(9.0), Some(4.0)]);
        assert_eq!(c.lines[0].dots.len(), 2);
        assert_eq!(c.lines[0].d.matches('M').count(), 1);
    }

    #[test]
    fn an_empty_period_says_so_instead_of_drawing_a_frame() {
        for series in [one(&[]), one(&[None, None]), Vec::new()] {
            let c = line_chart("ram", "RAM", "%", &series, &[]);
            assert!(c.empty);
            assert!(c.lines.is_empty() && c.y_ticks.is_empty());
            assert_eq!(c.summary, "RAM: no data for this period.");
        }
    }

    #[test]
    fn a_single_point_sits_in_the_middle() {
        let c = chart(&[Some(42.0)]);
        assert!(!c.empty);
        assert_eq!(c.lines[0].d, "");
        assert_eq!(c.lines[0].dots.len(), 1);
        let x: f64 = c.lines[0].dots[0].0.parse().unwrap();
        assert!((x - (LEFT + (WIDTH - LEFT - RIGHT) / 2.0)).abs() < 0.1);
        assert_eq!(c.x_ticks.len(), 1);
        assert!(c.summary.contains("1 reading,"), "{}", c.summary);
    }

    #[test]
    fn equal_values_still_get_a_scale() {
        for value in [0.0, 7.0, -3.0] {
            let c = chart(&[Some(value), Some(value), Some(value)]);
            assert!(c.y_ticks.len() >= 2, "{value}: {:?}", c.y_ticks);
            assert!(!c.lines[0].d.contains("NaN") && !c.lines[0].d.contains("inf"));
        }
    }

    #[test]
    fn negative_and_huge_values_fit_the_scale() {
        let c = chart(&[Some(-50.0), Some(25.0)]);
        assert_eq!(c.y_ticks.first().map(|t| t.label.as_str()), Some("-60"));
        let c = chart(&[Some(2.5e12), Some(1.0e9)]);
        assert_eq!(c.y_ticks.last().map(|t| t.label.as_str()), Some("3T"));
        assert!(c.summary.contains("highest 2.5T"), "{}", c.summary);
        for y in c.lines[0]
            .d
            .split(' ')
            .filter_map(|p| p.parse::<f64>().ok())
        {
            assert!((0.0..=HEIGHT).contains(&y), "{}", c.lines[0].d);
        }
    }

    #[test]
    fn values_that_are_no_measurement_are_gaps() {
        let c = chart(&[
            Some(1.0),
            Some(f64::NAN),
            Some(f64::INFINITY),
            Some(1e300),
            Some(2.0),
        ]);
        assert_eq!(c.lines[0].dots.len(), 2);
        assert_eq!(c.rows[1].cells, ["–"]);
        assert_eq!(c.y_ticks.last().map(|t| t.label.as_str()), Some("2"));
    }

    #[test]
    fn thresholds_are_drawn_and_widen_the_scale() {
        let marks = [
            Mark {
                label: "Warning".into(),
                value: 90.0,
                kind: "warning",
            },
            Mark {
                label: "Critical".into(),
                value: 95.0,
                kind: "critical",
            },
        ];
        let c = line_chart("cpu", "CPU", "%", &one(&[Some(10.0), Some(20.0)]), &marks);
        assert_eq!(c.marks.len(), 2);
        assert_eq!(c.marks[1].label, "Critical 95 %");
        assert_eq!(c.marks[1].class, "mark-critical");
        assert_eq!(c.y_ticks.last().map(|t| t.label.as_str()), Some("100"));
    }

    #[test]
    fn two_series_share_the_axes_and_the_table() {
        let series = vec![
            Series {
                label: "In".into(),
                points: vec![(at(0), Some(100.0)), (at(5), Some(300.0))],
            },
            Series {
                label: "Out".into(),
                points: vec![(at(0), Some(50.0)), (at(10), Some(80.0))],
            },
        ];
        let c = line_chart("transfer", "Transfer", "bps", &series, &[]);
        assert!(c.has_legend());
        assert_eq!(c.lines[1].class, "series-1");
        assert_eq!(c.columns, ["In", "Out"]);
        assert_eq!(c.rows.len(), 3);
        assert_eq!(c.rows[1].cells, ["300", "–"]);
        assert!(c.summary.contains("In: 2 readings"), "{}", c.summary);
        assert!(c.summary.contains("Out: 2 readings"), "{}", c.summary);
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(label(0.0), "0");
        assert_eq!(label(2.5), "2.5");
        assert_eq!(label(1500.0), "1.5k");
        assert_eq!(label(-2_000_000.0), "-2M");
        assert_eq!(exact(0.125), "0.125");
        assert_eq!(exact(3.0), "3");
        assert_eq!(nice_step(23.0), 50.0);
        assert_eq!(nice_step(0.0), 1.0);
    }
}
