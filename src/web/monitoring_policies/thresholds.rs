//! The thresholds form, shared by the creation and the policy's page: a
//! warning and a critical level per resource, each with its alert flag,
//! checked against the reference's limits (and warning below critical)
//! before anything is sent. On the policy's page a refused form comes back
//! as typed (see [`ThresholdForm::typed`] and [`ThresholdForm::kept`]).

use serde_json::{Map, Value};

use super::values::{Fields, checked};
use crate::cloudpanel::monitoring::{Level, Threshold, Thresholds};
use crate::web::cloud::FieldErrors;
use crate::web::page::PageCtx;

/// The form's name on the policy's page.
pub const FORM: &str = "thresholds";

/// One resource's limits: (key, words, unit, warning max, critical max).
const RESOURCES: &[(&str, &str, &str, u32, u32)] = &[
    ("cpu", "CPU", "%", 95, 100),
    ("ram", "RAM", "%", 95, 100),
    ("disk", "Disk", "%", 95, 100),
    ("internal_ping", "Ping", "ms", 100, 100),
    ("transfer", "Transfer", "kbps", 2000, 2000),
];

/// One resource's row of the form, as typed.
pub struct ThresholdRow {
    pub key: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub warning_max: u32,
    pub critical_max: u32,
    pub warning: String,
    pub warning_alert: bool,
    pub critical: String,
    pub critical_alert: bool,
    pub warning_error: Option<String>,
    pub critical_error: Option<String>,
}

/// The five rows.
pub struct ThresholdForm {
    pub rows: Vec<ThresholdRow>,
}

fn of<'a>(t: &'a Thresholds, key: &str) -> &'a Threshold {
    match key {
        "cpu" => &t.cpu,
        "ram" => &t.ram,
        "disk" => &t.disk,
        "internal_ping" => &t.internal_ping,
        _ => &t.transfer,
    }
}

/// A checkbox of the form on the policy's page: as ticked when the form
/// came back refused, else `current`.
pub fn flag(page: &PageCtx, field: &str, current: bool) -> bool {
    page.typed(FORM, field, if current { "true" } else { "false" }) == "true"
}

/// A resource's two level fields, by name (a message beside a field is
/// keyed by its name).
fn fields(key: &str) -> (&'static str, &'static str) {
    match key {
        "cpu" => ("cpu_warning", "cpu_critical"),
        "ram" => ("ram_warning", "ram_critical"),
        "disk" => ("disk_warning", "disk_critical"),
        "internal_ping" => ("internal_ping_warning", "internal_ping_critical"),
        _ => ("transfer_warning", "transfer_critical"),
    }
}

fn of_mut<'a>(t: &'a mut Thresholds, key: &str) -> &'a mut Threshold {
    match key {
        "cpu" => &mut t.cpu,
        "ram" => &mut t.ram,
        "disk" => &mut t.disk,
        "internal_ping" => &mut t.internal_ping,
        _ => &mut t.transfer,
    }
}

impl ThresholdForm {
    /// The form filled with a policy's thresholds (or the defaults).
    pub fn from(thresholds: &Thresholds) -> Self {
        Self {
            rows: RESOURCES
                .iter()
                .map(|(key, label, unit, warning_max, critical_max)| {
                    let t = of(thresholds, key);
                    ThresholdRow {
                        key,
                        label,
                        unit,
                        warning_max: *warning_max,
                        critical_max: *critical_max,
                        warning: t.warning.value.to_string(),
                        warning_alert: t.warning.alert,
                        critical: t.critical.value.to_string(),
                        critical_alert: t.critical.alert,
                        warning_error: None,
                        critical_error: None,
                    }
                })
                .collect(),
        }
    }

    /// What was posted (`cpu_warning`, `cpu_warning_alert`, …).
    pub fn parse(fields: &Fields) -> Self {
        Self::over(
            &Thresholds::defaults(),
            |field| Some(fields.trimmed(field)),
            |field| Some(checked(fields, field)),
        )
    }

    /// The form on `base`'s levels, each level and alert flag that
    /// `level` and `alert` give for its field (`cpu_warning`,
    /// `cpu_warning_alert`) in place of `base`'s: the page's form gives
    /// every one, the API the ones a request sent.
    pub(crate) fn over(
        base: &Thresholds,
        level: impl Fn(&str) -> Option<String>,
        alert: impl Fn(&str) -> Option<bool>,
    ) -> Self {
        let mut form = Self::from(base);
        for row in &mut form.rows {
            let (warning, critical) = fields(row.key);
            if let Some(value) = level(warning) {
                row.warning = value;
            }
            if let Some(value) = alert(&format!("{warning}_alert")) {
                row.warning_alert = value;
            }
            if let Some(value) = level(critical) {
                row.critical = value;
            }
            if let Some(value) = alert(&format!("{critical}_alert")) {
                row.critical_alert = value;
            }
        }
        form
    }

    /// Every field of the form, by name: the levels and their alert flags.
    pub(crate) fn field_names() -> Vec<String> {
        RESOURCES
            .iter()
            .flat_map(|(key, ..)| {
                let (warning, critical) = fields(key);
                [
                    warning.to_owned(),
                    format!("{warning}_alert"),
                    critical.to_owned(),
                    format!("{critical}_alert"),
                ]
            })
            .collect()
    }

    /// What was posted, by field name (the levels as typed, the alert
    /// flags and `agent` as booleans), to fill the form in again.
    pub fn typed(&self, agent: bool) -> Value {
        let mut typed = Map::new();
        typed.insert("agent".into(), agent.into());
        for row in &self.rows {
            let (warning, critical) = fields(row.key);
            typed.insert(warning.into(), row.warning.as_str().into());
            typed.insert(format!("{warning}_alert"), row.warning_alert.into());
            typed.insert(critical.into(), row.critical.as_str().into());
            typed.insert(format!("{critical}_alert"), row.critical_alert.into());
        }
        Value::Object(typed)
    }

    /// The messages [`Self::check`] set, beside their fields.
    pub fn errors(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        for row in &self.rows {
            let (warning, critical) = fields(row.key);
            for (field, error) in [
                (warning, &row.warning_error),
                (critical, &row.critical_error),
            ] {
                if let Some(e) = error {
                    errors.insert(field, e.clone());
                }
            }
        }
        errors
    }

    /// The form as the policy's page shows it: what was typed when it came
    /// back refused, with the messages, else these values.
    pub fn kept(mut self, page: &PageCtx) -> Self {
        for row in &mut self.rows {
            let (warning, critical) = fields(row.key);
            row.warning = page.typed(FORM, warning, &row.warning).to_owned();
            row.critical = page.typed(FORM, critical, &row.critical).to_owned();
            row.warning_alert = flag(page, &format!("{warning}_alert"), row.warning_alert);
            row.critical_alert = flag(page, &format!("{critical}_alert"), row.critical_alert);
            row.warning_error = page.field_error(FORM, warning).map(str::to_owned);
            row.critical_error = page.field_error(FORM, critical).map(str::to_owned);
        }
        self
    }

    pub fn has_errors(&self) -> bool {
        self.rows
            .iter()
            .any(|r| r.warning_error.is_some() || r.critical_error.is_some())
    }

    /// The thresholds to send, or `None` with the messages set on the rows.
    pub fn check(&mut self) -> Option<Thresholds> {
        let mut out = Thresholds::defaults();
        for row in &mut self.rows {
            let read = |raw: &str, what: &str, max: u32| {
                raw.parse::<u32>()
                    .ok()
                    .filter(|v| (1..=max).contains(v))
                    .ok_or_else(|| {
                        format!(
                            "{} {what}: a whole number from 1 to {max} ({}).",
                            row.label, row.unit
                        )
                    })
            };
            let warning = read(&row.warning, "warning", row.warning_max);
            let critical = read(&row.critical, "critical", row.critical_max);
            match (&warning, &critical) {
                (Ok(w), Ok(c)) if w >= c => {
                    row.critical_error = Some(format!(
                        "{} critical: must be above the warning level ({w}).",
                        row.label
                    ));
                }
                _ => {
                    row.warning_error = warning.as_ref().err().cloned();
                    row.critical_error = critical.as_ref().err().cloned();
                }
            }
            if let (Ok(w), Ok(c)) = (warning, critical) {
                *of_mut(&mut out, row.key) = Threshold {
                    warning: Level {
                        alert: row.warning_alert,
                        value: w,
                    },
                    critical: Level {
                        alert: row.critical_alert,
                        value: c,
                    },
                };
            }
        }
        (!self.has_errors()).then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &str) -> ThresholdForm {
        ThresholdForm::parse(&Fields::parse(body.as_bytes()))
    }

    fn filled(overrides: &str) -> String {
        let base = "cpu_warning=90&cpu_critical=95&ram_warning=90&ram_critical=95\
            &disk_warning=80&disk_critical=90&internal_ping_warning=50&internal_ping_critical=100\
            &transfer_warning=1000&transfer_critical=2000";
        format!("{base}&{overrides}")
    }

    #[test]
    fn the_posted_levels_and_flags_are_sent() {
        let t = form(&filled("cpu_critical_alert=on&ram_warning=70"))
            .check()
            .unwrap();
        assert_eq!(t.cpu.critical.value, 95);
        assert!(t.cpu.critical.alert && !t.cpu.warning.alert);
        assert_eq!(t.ram.warning.value, 70);
        assert_eq!(t.transfer.critical.value, 2000);
    }

    #[test]
    fn out_of_range_and_inverted_levels_are_refused_beside_their_field() {
        let mut f = form(&filled(
            "cpu_warning=96&disk_critical=abc&ram_warning=95&ram_critical=95",
        ));
        assert!(f.check().is_none());
        assert!(
            f.rows[0]
                .warning_error
                .as_deref()
                .unwrap()
                .contains("1 to 95")
        );
        assert!(
            f.rows[1]
                .critical_error
                .as_deref()
                .unwrap()
                .contains("above the warning")
        );
        assert!(f.rows[2].critical_error.is_some());
        assert!(f.rows[3].warning_error.is_none());
        assert_eq!(f.rows[2].critical, "abc", "what was typed comes back");
    }

    #[test]
    fn the_form_starts_on_the_policys_levels() {
        let f = ThresholdForm::from(&Thresholds::defaults());
        assert_eq!(f.rows[2].warning, "80");
        assert_eq!(f.rows[4].critical, "2000");
    }
}
