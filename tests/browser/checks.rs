//! Checks for the page the browser shows, in each display mode: accessibility
//! (axe-core), layout (nothing wider than the window) and the Content
//! Security Policy (nothing blocked). A check finds problems and returns
//! them; the caller collects them over many pages and fails once.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Context;
use serde::Deserialize;
use serde_json::Value;

use crate::webdriver::{CspViolation, Session};

/// axe-core, vendored (see `vendor/README.md`).
const AXE_SOURCE: &str = include_str!("vendor/axe.min.js");

/// The axe impacts that fail the test.
const FAILING_IMPACTS: [&str; 2] = ["serious", "critical"];

/// How many offending elements or axe targets a finding shows.
const SAMPLES: usize = 3;

/// How the browser shows the page: window size and colour scheme.
#[derive(Clone, Copy, Debug)]
pub struct Mode {
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
    pub dark: bool,
}

/// A laptop and a phone, each light and dark.
pub const MODES: [Mode; 4] = [
    Mode {
        name: "light 1366",
        width: 1366,
        height: 900,
        dark: false,
    },
    Mode {
        name: "dark 1366",
        width: 1366,
        height: 900,
        dark: true,
    },
    Mode {
        name: "light 390",
        width: 390,
        height: 844,
        dark: false,
    },
    Mode {
        name: "dark 390",
        width: 390,
        height: 844,
        dark: true,
    },
];

impl Mode {
    /// Sets the browser up for this mode; it holds for every page opened afterwards.
    pub async fn apply(&self, session: &Session) -> anyhow::Result<()> {
        session.set_viewport(self.width, self.height).await?;
        session.emulate_color_scheme(self.dark).await?;
        let dark = session
            .execute(
                "return matchMedia('(prefers-color-scheme: dark)').matches;",
                vec![],
            )
            .await?;
        anyhow::ensure!(
            dark == Value::Bool(self.dark),
            "the browser did not switch to {}",
            self.name
        );
        Ok(())
    }
}

/// An axe rule the page breaks, with a few of the elements that break it.
#[derive(Clone, Debug, Deserialize)]
pub struct AxeViolation {
    pub id: String,
    pub impact: String,
    pub help: String,
    /// How many elements break it.
    pub count: usize,
    /// CSS selectors of the first few.
    pub targets: Vec<String>,
    /// Their opening markup.
    pub html: Vec<String>,
}

/// How wide the page is against the room the window gives it.
#[derive(Clone, Debug, Deserialize)]
pub struct Width {
    /// `document.documentElement.scrollWidth`.
    pub page: u32,
    /// `document.documentElement.clientWidth`: the window's inner width
    /// (`innerWidth`) less the vertical scrollbar, if one takes room. A page
    /// wider than this scrolls sideways, even if it is no wider than `innerWidth`.
    pub room: u32,
    /// How many elements reach past the room's right edge (not counting
    /// those inside a sideways-scrolling box).
    pub offender_count: usize,
    /// The widest of the outermost ones, as `tag#id.class in 'section
    /// heading' (right edge px)`.
    pub offenders: Vec<String>,
}

impl Width {
    pub fn fits(&self) -> bool {
        self.page <= self.room
    }
}

/// What the checks found on one page in one mode.
#[derive(Debug)]
pub struct Findings {
    /// Serious and critical axe violations only.
    pub axe: Vec<AxeViolation>,
    pub width: Width,
    pub csp: Vec<CspViolation>,
}

/// Runs every check on the current page.
pub async fn check_page(session: &Session) -> anyhow::Result<Findings> {
    let axe = axe_violations(session).await?;
    let width = width(session).await?;
    // Read last: violation events arrive as tasks after the markup that
    // caused them, and axe's run gives them time to.
    let csp = session.csp_violations().await?;
    Ok(Findings { axe, width, csp })
}

/// The serious and critical axe-core violations of the current page.
async fn axe_violations(session: &Session) -> anyhow::Result<Vec<AxeViolation>> {
    // The script runs through WebDriver, which the page's CSP does not govern.
    // ChromeDriver waits for the promise the script returns.
    let script = format!(
        "if (!window.axe) {{ {AXE_SOURCE}\n }}\n\
         const impacts = arguments[0], samples = arguments[1];\n\
         return window.axe.run(document, {{ resultTypes: ['violations'] }}).then(r => r.violations\n\
           .filter(v => impacts.includes(v.impact))\n\
           .map(v => ({{ id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,\n\
             targets: v.nodes.slice(0, samples).map(n => n.target.join(' ')),\n\
             html: v.nodes.slice(0, samples).map(n => n.html.slice(0, 160)) }})));"
    );
    let found = session
        .execute(
            &script,
            vec![
                serde_json::json!(FAILING_IMPACTS),
                serde_json::json!(SAMPLES),
            ],
        )
        .await
        .context("axe-core did not run")?;
    serde_json::from_value(found).context("odd axe-core results")
}

/// How wide the current page is, and what makes it so.
async fn width(session: &Session) -> anyhow::Result<Width> {
    let found = session
        .execute(
            "const samples = arguments[0];\n\
             const room = document.documentElement.clientWidth;\n\
             const scrolls = (el) => { for (let a = el.parentElement; a; a = a.parentElement) {\n\
                 const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll') return true; }\n\
               return false; };\n\
             const sticks_out = (el) => el.getBoundingClientRect().right > room + 0.5 && !scrolls(el);\n\
             const offenders = [...document.body.querySelectorAll('*')].filter(sticks_out);\n\
             const heading = (el) => { const h = el.closest('section')?.querySelector('h1, h2, h3');\n\
               return h ? ` in '${h.textContent.trim().slice(0, 40)}'` : ''; };\n\
             const name = (el) => el.localName + (el.id ? '#' + el.id : '') +\n\
               [...el.classList].slice(0, 2).map(c => '.' + c).join('') + heading(el);\n\
             const outermost = offenders.filter(el => !offenders.includes(el.parentElement))\n\
               .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right);\n\
             return { page: document.documentElement.scrollWidth, room,\n\
               offender_count: offenders.length,\n\
               offenders: outermost.slice(0, samples).map(el =>\n\
                 `${name(el)} (right edge ${Math.round(el.getBoundingClientRect().right)}px)`) };",
            vec![serde_json::json!(SAMPLES)],
        )
        .await
        .context("measuring the page's width failed")?;
    serde_json::from_value(found).context("odd page width measurement")
}

/// Findings over many pages and modes: a summary table and one list of failures.
#[derive(Default)]
pub struct Report {
    /// (page, mode, findings), in the order checked.
    rows: Vec<(String, &'static str, Findings)>,
}

impl Report {
    pub fn add(&mut self, page: &str, mode: &Mode, findings: Findings) {
        self.rows.push((page.to_owned(), mode.name, findings));
    }

    /// One line per page and mode: page width / room in the window ("!"
    /// when it does not fit), CSP violations, axe violations by rule (elements).
    pub fn summary(&self) -> String {
        let mut out = String::from(
            "page                 mode        width      csp  serious+critical axe rules (elements)\n",
        );
        for (page, mode, f) in &self.rows {
            let rules = if f.axe.is_empty() {
                "-".to_owned()
            } else {
                f.axe
                    .iter()
                    .map(|v| format!("{} ({})", v.id, v.count))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let width = format!(
                "{}/{}{}",
                f.width.page,
                f.width.room,
                if f.width.fits() { "" } else { "!" }
            );
            let _ = writeln!(
                out,
                "{page:<20} {mode:<11} {width:<10} {:<4} {rules}",
                f.csp.len()
            );
        }
        out
    }

    /// Every failure, readable; None when there is none.
    pub fn failures(&self) -> Option<String> {
        let mut out = String::new();
        let mut count = 0;
        for (page, mode, f) in &self.rows {
            for v in &f.axe {
                count += 1;
                let _ = writeln!(
                    out,
                    "{page} [{mode}] axe {} ({}), {} element(s): {}",
                    v.id, v.impact, v.count, v.help
                );
                for (target, html) in v.targets.iter().zip(&v.html) {
                    let _ = writeln!(out, "    {target}  {html}");
                }
            }
            if !f.width.fits() {
                count += 1;
                let _ = writeln!(
                    out,
                    "{page} [{mode}] the page is {}px wide but has {}px; {} element(s) reach past that, widest: {}",
                    f.width.page,
                    f.width.room,
                    f.width.offender_count,
                    f.width.offenders.join(", ")
                );
            }
            if !f.csp.is_empty() {
                count += 1;
                let _ = writeln!(
                    out,
                    "{page} [{mode}] {} CSP violation(s): {}",
                    f.csp.len(),
                    describe_csp(&f.csp)
                );
            }
        }
        (count > 0).then(|| format!("{count} failure(s):\n{out}"))
    }
}

/// CSP violations grouped by directive and what was blocked, with a few of
/// the elements that caused them.
fn describe_csp(violations: &[CspViolation]) -> String {
    let mut groups: BTreeMap<(&str, &str), Vec<&CspViolation>> = BTreeMap::new();
    for v in violations {
        groups
            .entry((v.directive.as_str(), v.blocked.as_str()))
            .or_default()
            .push(v);
    }
    groups
        .iter()
        .map(|((directive, blocked), found)| {
            let mut places: Vec<String> = Vec::new();
            for place in found.iter().map(|v| place(v)) {
                if places.len() < SAMPLES && !places.contains(&place) {
                    places.push(place);
                }
            }
            format!(
                "{} × {directive} blocked {blocked} (at {})",
                found.len(),
                places.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Where a CSP violation happened, as precisely as the browser said.
fn place(violation: &CspViolation) -> String {
    let mut place = if violation.element.is_empty() {
        format!("{}:{}", violation.source, violation.line)
    } else {
        violation.element.clone()
    };
    if !violation.sample.is_empty() {
        let _ = write!(place, " `{}`", violation.sample);
    }
    place
}
