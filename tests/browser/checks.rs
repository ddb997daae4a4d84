//! Checks for the page the browser shows, in each display mode: accessibility
//! (axe-core, plus our own stricter checks that every form field has a label
//! and that keyboard focus is visible), layout (nothing wider than the window)
//! and the Content Security Policy (nothing blocked). A check finds problems
//! and returns them; the caller collects them over many pages and fails once.

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

/// How many focusable elements, in document order, the focus check tries on
/// each page, both in the page's frame (header, side menu) and in its `main`:
/// enough to cover the menus, the toolbar and the first rows or fields
/// without making the walk slow.
const FOCUS_SAMPLE: usize = 30;

/// In a narrow mode the page's own content (`main`) begins within this many
/// px of the page's top: under the header comes only the side menu's folded
/// "Menu" summary, not the whole menu.
pub const NARROW_CONTENT_TOP: u32 = 200;

/// How the browser shows the page: window size and colour scheme.
#[derive(Clone, Copy, Debug)]
pub struct Mode {
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
    pub dark: bool,
    /// Whether the (slower) focus check runs in this mode; once per page is
    /// enough, since the focus ring does not depend on the window size.
    pub focus: bool,
}

/// A laptop and a phone, each light and dark.
pub const MODES: [Mode; 4] = [
    Mode {
        name: "light 1366",
        width: 1366,
        height: 900,
        dark: false,
        focus: true,
    },
    Mode {
        name: "dark 1366",
        width: 1366,
        height: 900,
        dark: true,
        focus: false,
    },
    Mode {
        name: "light 390",
        width: 390,
        height: 844,
        dark: false,
        focus: false,
    },
    Mode {
        name: "dark 390",
        width: 390,
        height: 844,
        dark: true,
        focus: false,
    },
];

impl Mode {
    /// Whether the stylesheet lays the page out for a narrow screen (800 px
    /// or less): one column, the side menu folded above the content.
    pub fn is_narrow(&self) -> bool {
        self.width <= 800
    }

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

/// How visible keyboard focus is on a page.
#[derive(Clone, Debug, Deserialize)]
pub struct Focus {
    /// How many focusable elements were focused in turn.
    pub checked: usize,
    /// How many of them look the same focused as unfocused.
    pub unmarked_count: usize,
    /// The first few of those, as `tag#id.class 'text'`.
    pub unmarked: Vec<String>,
}

/// What the checks found on one page in one mode.
#[derive(Debug)]
pub struct Findings {
    /// Serious and critical axe violations only.
    pub axe: Vec<AxeViolation>,
    /// Visible form fields without a label, as `tag#id[name]`.
    pub unlabelled: Vec<String>,
    /// None in the modes that do not check focus.
    pub focus: Option<Focus>,
    /// Where `main` begins, in px from the page's top; None in the wide
    /// modes, where the side menu stands beside it.
    pub content_top: Option<u32>,
    pub width: Width,
    pub csp: Vec<CspViolation>,
}

/// Runs every check on the current page.
pub async fn check_page(session: &Session, mode: &Mode) -> anyhow::Result<Findings> {
    let axe = axe_violations(session).await?;
    let unlabelled = unlabelled_fields(session).await?;
    // After axe and the label check: focusing may scroll and restyle the page.
    let focus = if mode.focus {
        Some(focus_visibility(session).await?)
    } else {
        None
    };
    let content_top = if mode.is_narrow() {
        Some(content_top(session).await?)
    } else {
        None
    };
    let width = width(session).await?;
    // Read last: violation events arrive as tasks after the markup that
    // caused them, and axe's run gives them time to.
    let csp = session.csp_violations().await?;
    Ok(Findings {
        axe,
        unlabelled,
        focus,
        content_top,
        width,
        csp,
    })
}

/// Shared by the page scripts below: whether an element takes room on screen,
/// and a short readable name for it.
const SCRIPT_HELPERS: &str = "\
    const shown = (el) => { const r = el.getBoundingClientRect();\n\
      return el.checkVisibility({ visibilityProperty: true }) && r.width > 0 && r.height > 0; };\n\
    const name = (el) => el.localName + (el.id ? '#' + el.id : '') +\n\
      (el.name ? `[name=${el.name}]` : '') +\n\
      [...el.classList].slice(0, 2).map(c => '.' + c).join('') +\n\
      ((el.innerText || '').trim() ? ` '${el.innerText.trim().slice(0, 30)}'` : '');\n";

/// Every visible `input`, `select` and `textarea` (buttons aside) that has no
/// accessible label: a `<label for>` or a wrapping `<label>` with text, an
/// `aria-label`, or an `aria-labelledby` naming an element with text. Stricter
/// than axe, which also takes a `title` or `placeholder` as a label.
async fn unlabelled_fields(session: &Session) -> anyhow::Result<Vec<String>> {
    let script = format!(
        "{SCRIPT_HELPERS}\
         const text = (el) => (el?.textContent || '').trim() !== '';\n\
         const labelled = (el) => (el.getAttribute('aria-label') || '').trim() !== '' ||\n\
           (el.getAttribute('aria-labelledby') || '').split(/\\s+/)\n\
             .some(id => id && text(document.getElementById(id))) ||\n\
           [...(el.labels || [])].some(text);\n\
         return [...document.querySelectorAll(\n\
             'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea')]\n\
           .filter(el => shown(el) && !labelled(el)).map(name);"
    );
    let found = session
        .execute(&script, vec![])
        .await
        .context("looking for unlabelled fields failed")?;
    serde_json::from_value(found).context("odd unlabelled field list")
}

/// Tabs once, so the browser treats what follows as keyboard use (which is
/// when `:focus-visible` applies), then focuses each of the first
/// `FOCUS_SAMPLE` focusable elements of the frame and of `main` in turn, and
/// compares its outline and box-shadow with those it has unfocused. One
/// script does it all: a WebDriver round trip per element would make the
/// walk much slower.
async fn focus_visibility(session: &Session) -> anyhow::Result<Focus> {
    session.press_tab().await?;
    let script = format!(
        "{SCRIPT_HELPERS}\
         const limit = arguments[0], samples = arguments[1];\n\
         const ring = (el) => {{ const s = getComputedStyle(el);\n\
           const outline = s.outlineStyle === 'none' || parseFloat(s.outlineWidth) === 0\n\
             ? 'none' : `${{s.outlineStyle}} ${{s.outlineWidth}} ${{s.outlineColor}}`;\n\
           return `${{outline}} | ${{s.boxShadow}}`; }};\n\
         const all = [...document.querySelectorAll(\n\
             'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]\n\
           .filter(el => el.tabIndex >= 0 && !el.disabled && shown(el));\n\
         const focusable = [...all.filter(el => !el.closest('main')).slice(0, limit),\n\
           ...all.filter(el => el.closest('main')).slice(0, limit)];\n\
         document.activeElement?.blur();\n\
         const before = focusable.map(ring);\n\
         let checked = 0; const unmarked = [];\n\
         focusable.forEach((el, i) => {{\n\
           el.focus({{ preventScroll: true }});\n\
           if (document.activeElement !== el) return;\n\
           checked += 1;\n\
           if (ring(el) === before[i]) unmarked.push(name(el));\n\
         }});\n\
         document.activeElement?.blur();\n\
         return {{ checked, unmarked_count: unmarked.length, unmarked: unmarked.slice(0, samples) }};"
    );
    let found = session
        .execute(
            &script,
            vec![serde_json::json!(FOCUS_SAMPLE), serde_json::json!(SAMPLES)],
        )
        .await
        .context("checking the focus ring failed")?;
    serde_json::from_value(found).context("odd focus check result")
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

/// Where the current page's `main` begins, in px from the top of the page
/// (not of the window, which may have scrolled).
pub async fn content_top(session: &Session) -> anyhow::Result<u32> {
    let found = session
        .execute(
            "const main = document.querySelector('main');\n\
             return main ? Math.round(main.getBoundingClientRect().top + scrollY) : null;",
            vec![],
        )
        .await
        .context("measuring where the content begins failed")?;
    serde_json::from_value::<Option<u32>>(found)
        .context("odd content position")?
        .context("the page has no main")
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
    /// when it does not fit), CSP violations, unlabelled fields, focusable
    /// elements without a visible focus / checked ("-" in modes that do not
    /// check focus), where the content begins ("-" in wide modes, "!" when
    /// too far down), axe violations by rule (elements).
    pub fn summary(&self) -> String {
        let mut out = String::from(
            "page                 mode        width      csp  label focus  top   serious+critical axe rules (elements)\n",
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
            let focus = match &f.focus {
                Some(focus) => format!("{}/{}", focus.unmarked_count, focus.checked),
                None => "-".to_owned(),
            };
            let top = match f.content_top {
                Some(top) if top > NARROW_CONTENT_TOP => format!("{top}!"),
                Some(top) => top.to_string(),
                None => "-".to_owned(),
            };
            let _ = writeln!(
                out,
                "{page:<20} {mode:<11} {width:<10} {:<4} {:<5} {focus:<6} {top:<5} {rules}",
                f.csp.len(),
                f.unlabelled.len(),
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
            if !f.unlabelled.is_empty() {
                count += 1;
                let _ = writeln!(
                    out,
                    "{page} [{mode}] {} visible field(s) without a label: {}",
                    f.unlabelled.len(),
                    f.unlabelled.join(", ")
                );
            }
            if let Some(focus) = f.focus.as_ref().filter(|focus| focus.unmarked_count > 0) {
                count += 1;
                let _ = writeln!(
                    out,
                    "{page} [{mode}] {} of {} focusable element(s) look the same focused, e.g. {}",
                    focus.unmarked_count,
                    focus.checked,
                    focus.unmarked.join(", ")
                );
            }
            if let Some(top) = f.content_top.filter(|&top| top > NARROW_CONTENT_TOP) {
                count += 1;
                let _ = writeln!(
                    out,
                    "{page} [{mode}] the content begins {top}px down, more than {NARROW_CONTENT_TOP}px: \
                     what is above it (the side menu?) fills the first screenful"
                );
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

/// The checks find what they look for: a field without a label and a link
/// whose focus ring was taken away, put into a real page, are both reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checks_find_an_unlabelled_field_and_an_invisible_focus() {
    crate::in_browser("page-checks-self-test-failure", async |session, panel| {
        session.record_csp_violations().await?;
        crate::steps::sign_in(session, panel).await?;
        session.goto(&panel.url("/profile")).await?;
        // Through the CSSOM, which the page's CSP allows (unlike a style attribute).
        session
            .execute(
                "const main = document.querySelector('main');\n\
                 const input = document.createElement('input');\n\
                 input.id = 'unlabelled-probe'; input.placeholder = 'a placeholder is no label';\n\
                 main.prepend(input);\n\
                 const link = document.createElement('a');\n\
                 link.id = 'ringless-probe'; link.href = '#'; link.textContent = 'probe';\n\
                 link.style.setProperty('outline', 'none', 'important');\n\
                 main.prepend(link);\n\
                 return null;",
                vec![],
            )
            .await?;
        let findings = check_page(session, &MODES[0]).await?;
        anyhow::ensure!(
            findings
                .unlabelled
                .iter()
                .any(|f| f.contains("#unlabelled-probe")),
            "the unlabelled field was not found: {:?}",
            findings.unlabelled
        );
        anyhow::ensure!(
            findings.unlabelled.len() == 1,
            "only the probe should lack a label: {:?}",
            findings.unlabelled
        );
        let focus = findings
            .focus
            .context("the first mode should check focus")?;
        anyhow::ensure!(
            focus.unmarked.iter().any(|e| e.contains("#ringless-probe")),
            "the link without a focus ring was not found: {focus:?}"
        );
        anyhow::ensure!(
            focus.unmarked_count == 1 && focus.checked > 10,
            "only the probe should lack a focus ring, of many checked: {focus:?}"
        );
        Ok(())
    })
    .await;
}
