//! Bar charts of amounts, as inline SVG.
//!
//! Pure functions: labelled amounts in, an SVG string and a table of the
//! same numbers out. The SVG is drawn with attributes and the `chart-*`
//! classes of `static/app.css` only (the CSP forbids inline styles), carries
//! `role="img"` and an accessible name, and every text in it is escaped. The
//! table beside it is what a screen reader or a text browser reads; the
//! notes say what could not be drawn (a missing, negative or unreadable
//! amount) instead of drawing it as zero without a word.

use std::fmt::Write as _;

/// One bar: its label and its amount, as the payload gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Amount {
    pub label: String,
    pub value: f64,
}

impl Amount {
    pub fn new(label: impl Into<String>, value: f64) -> Self {
        Amount {
            label: label.into(),
            value,
        }
    }
}

/// One line of the table beside the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub label: String,
    /// The amount as shown, with its unit; "—" when it could not be read.
    pub amount: String,
}

/// A drawn chart: the SVG (none when nothing can be drawn), the same
/// numbers as a table, and what was left out and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarChart {
    /// Markup ready to be placed in the page (every text in it is escaped).
    pub svg: Option<String>,
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
}

impl BarChart {
    /// The words shown instead of a chart with no bars.
    pub const EMPTY: &'static str = "Nothing to show for this period.";

    pub fn is_empty(&self) -> bool {
        self.svg.is_none()
    }
}

const WIDTH: f64 = 640.0;
const LABEL_WIDTH: f64 = 200.0;
const VALUE_WIDTH: f64 = 110.0;
const ROW_HEIGHT: f64 = 28.0;
const BAR_HEIGHT: f64 = 18.0;
const PAD: f64 = 6.0;
/// Characters of a label drawn in the SVG; the table shows it whole.
const LABEL_CHARS: usize = 28;
/// More bars than this would not be readable; the table still lists them all.
const MAX_BARS: usize = 40;

/// Draws `amounts` as horizontal bars scaled to the largest one.
/// `title` is the chart's accessible name; `unit` follows every number.
pub fn draw(title: &str, unit: &str, amounts: &[Amount]) -> BarChart {
    let mut notes = Vec::new();
    let mut rows = Vec::with_capacity(amounts.len());
    let mut bars: Vec<(&str, f64)> = Vec::new();
    for a in amounts {
        let label = if a.label.trim().is_empty() {
            "(no name)"
        } else {
            a.label.as_str()
        };
        if !a.value.is_finite() {
            rows.push(Row {
                label: label.to_owned(),
                amount: "—".into(),
            });
            notes.push(format!(
                "{label}: the amount could not be read, so it is not drawn."
            ));
            continue;
        }
        rows.push(Row {
            label: label.to_owned(),
            amount: with_unit(a.value, unit),
        });
        if a.value < 0.0 {
            notes.push(format!("{label}: a negative amount is not drawn."));
            continue;
        }
        bars.push((label, a.value));
    }
    if bars.len() > MAX_BARS {
        notes.push(format!(
            "Only the first {MAX_BARS} of {} bars are drawn; the table lists them all.",
            bars.len()
        ));
        bars.truncate(MAX_BARS);
    }
    let svg = (!bars.is_empty()).then(|| svg(title, unit, &bars));
    BarChart { svg, rows, notes }
}

fn svg(title: &str, unit: &str, bars: &[(&str, f64)]) -> String {
    let max = bars.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
    let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 2.0 * PAD;
    let height = bars.len() as f64 * ROW_HEIGHT + 2.0 * PAD;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bars" viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" role="img" aria-label="{}">"#,
        escape(title)
    );
    let _ = write!(out, "<title>{}</title>", escape(title));
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = PAD + i as f64 * ROW_HEIGHT;
        let text_y = y + ROW_HEIGHT / 2.0 + 4.0;
        // A share of the largest bar; a zero maximum draws every bar empty.
        let share = if max > 0.0 { value / max } else { 0.0 };
        let width = (share * span).clamp(0.0, span);
        // Something that is not zero stays visible, however small.
        let width = if *value > 0.0 { width.max(1.0) } else { width };
        let bar_x = LABEL_WIDTH + PAD;
        let shown = with_unit(*value, unit);
        let _ = write!(
            out,
            r#"<g class="chart-row"><title>{}: {}</title><text class="chart-label" x="{}" y="{text_y:.1}" text-anchor="end">{}</text><rect class="chart-bar" x="{bar_x}" y="{:.1}" width="{width:.1}" height="{BAR_HEIGHT}" rx="2"></rect><text class="chart-value" x="{:.1}" y="{text_y:.1}">{}</text></g>"#,
            escape(label),
            escape(&shown),
            LABEL_WIDTH - PAD,
            escape(&shorten(label, LABEL_CHARS)),
            y + (ROW_HEIGHT - BAR_HEIGHT) / 2.0,
            bar_x + width + PAD,
            escape(&shown),
        );
    }
    out.push_str("</svg>");
    out
}

/// `1 234.5 GB`, or just the number when there is no unit.
pub fn with_unit(value: f64, unit: &str) -> String {
    let n = number(value);
    if unit.is_empty() {
        n
    } else {
        format!("{n} {unit}")
    }
}

/// A number for people: thousands grouped, two decimals at most from one
/// up (four significant digits below, for per-hour prices), scientific
/// beyond a trillion.
pub fn number(value: f64) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let magnitude = value.abs();
    if magnitude >= 1e12 {
        return format!("{value:.3e}");
    }
    // Below one, four significant digits: an hourly price of 0.072 a month
    // must stay exact enough for a reader to redo the sum.
    let decimals = if magnitude == 0.0 || magnitude >= 1.0 {
        2
    } else {
        let leading_zeros = (-magnitude.log10().floor()) as usize;
        (leading_zeros + 3).min(12)
    };
    let text = format!("{value:.decimals$}");
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    let frac = frac.trim_end_matches('0');
    // "0.00" of a tiny negative would read "-0".
    let sign = if grouped.chars().all(|c| c == '0') && frac.is_empty() {
        ""
    } else {
        sign
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        return label.to_owned();
    }
    let mut short: String = label.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// Text and attribute values in SVG markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widths(svg: &str) -> Vec<f64> {
        svg.split(r#"class="chart-bar""#)
            .skip(1)
            .filter_map(|rest| {
                let start = rest.find("width=\"")? + 7;
                let end = rest[start..].find('"')? + start;
                rest[start..end].parse().ok()
            })
            .collect()
    }

    #[test]
    fn nothing_to_draw_gives_no_svg() {
        let chart = draw("Usage", "GB", &[]);
        assert!(chart.is_empty());
        assert!(chart.rows.is_empty() && chart.notes.is_empty());
        assert_eq!(BarChart::EMPTY, "Nothing to show for this period.");
    }

    #[test]
    fn bars_are_scaled_to_the_largest_and_named_for_screen_readers() {
        let chart = draw(
            "Cost per family",
            "EUR",
            &[Amount::new("Servers", 100.0), Amount::new("Images", 25.0)],
        );
        let svg = chart.svg.unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains(r#"role="img""#) && svg.contains(r#"aria-label="Cost per family""#));
        assert!(svg.contains("viewBox=\"0 0 640 "));
        assert!(!svg.contains("style="));
        let w = widths(&svg);
        assert_eq!(w.len(), 2);
        assert!((w[0] / w[1] - 4.0).abs() < 0.01, "{w:?}");
        assert_eq!(chart.rows[0].amount, "100 EUR");
        assert_eq!(chart.rows[1].label, "Images");
    }

    #[test]
    fn text_is_escaped() {
        let chart = draw(
            "<b>\"t\"</b>",
            "€",
            &[Amount::new("<script>alert('x')</script>&", 1.0)],
        );
        let svg = chart.svg.unwrap();
        assert!(!svg.contains("<script>") && !svg.contains("<b>"));
        assert!(svg.contains("&lt;script&gt;alert(&#39;x&#39;)"));
        assert!(svg.contains("&quot;t&quot;"));
    }

    #[test]
    fn zero_negative_and_unreadable_amounts() {
        let chart = draw(
            "x",
            "",
            &[
                Amount::new("zero", 0.0),
                Amount::new("minus", -5.0),
                Amount::new("nan", f64::NAN),
                Amount::new("inf", f64::INFINITY),
            ],
        );
        let svg = chart.svg.unwrap();
        assert_eq!(widths(&svg), vec![0.0]);
        assert_eq!(chart.rows.len(), 4);
        assert_eq!(chart.rows[2].amount, "—");
        assert_eq!(chart.notes.len(), 3, "{:?}", chart.notes);
        assert!(chart.notes[0].contains("negative"));
        assert!(chart.notes[1].contains("could not be read"));
        // Only zeros: drawn, every bar empty, no division by zero.
        let zeros = draw("x", "", &[Amount::new("a", 0.0), Amount::new("b", 0.0)]);
        assert_eq!(widths(&zeros.svg.unwrap()), vec![0.0, 0.0]);
        // Only unreadable ones: nothing to draw, the table still says so.
        let none = draw("x", "", &[Amount::new("a", f64::NAN)]);
        assert!(none.is_empty() && none.rows.len() == 1);
    }

    #[test]
    fn huge_and_tiny_amounts_stay_inside_the_chart() {
        let chart = draw(
            "x",
            "",
            &[Amount::new("huge", f64::MAX), Amount::new("tiny", 1e-9)],
        );
        let w = widths(&chart.svg.unwrap());
        let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 2.0 * PAD;
        assert!((w[0] - span).abs() < 0.1, "{w:?}");
        assert!(
            (w[1] - 1.0).abs() < 1e-9,
            "a tiny amount stays visible: {w:?}"
        );
        assert!(chart.rows[0].amount.contains('e'));
    }

    #[test]
    fn long_labels_are_shortened_in_the_svg_only() {
        let long = "a-very-long-resource-name-that-goes-on-and-on-and-on";
        let chart = draw("x", "", &[Amount::new(long, 3.0), Amount::new("  ", 1.0)]);
        let svg = chart.svg.unwrap();
        assert!(svg.contains(">a-very-long-resource-name-t…<"));
        assert!(svg.contains(&format!("<title>{long}: 3</title>")));
        assert_eq!(chart.rows[0].label, long);
        assert_eq!(chart.rows[1].label, "(no name)");
    }

    #[test]
    fn many_bars_are_capped_with_a_note() {
        let many: Vec<Amount> = (0..50).map(|i| Amount::new(format!("r{i}"), 1.0)).collect();
        let chart = draw("x", "", &many);
        assert_eq!(widths(&chart.svg.unwrap()).len(), MAX_BARS);
        assert_eq!(chart.rows.len(), 50);
        assert!(chart.notes[0].contains("first 40 of 50"));
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(1234567.891), "1\u{202f}234\u{202f}567.89");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(14.4), "14.4");
        assert_eq!(number(7.2 / 730.0), "0.009863");
        assert_eq!(number(0.072 / 730.0), "0.00009863");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-0.000_000_1), "-0.0000001");
        assert_eq!(number(-1e-15), "0");
        assert_eq!(number(-2500.0), "-2\u{202f}500");
        assert_eq!(number(f64::NAN), "—");
        assert_eq!(with_unit(2.0, "vCore"), "2 vCore");
    }
}
