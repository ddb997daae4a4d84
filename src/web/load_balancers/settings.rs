//! A balancer's settings as the create form and the modify form show them:
//! the health check (test, interval, and for HTTP the path and the regular
//! expression its answer must match), persistence and its time, and the
//! method; and their checks against the reference's ranges.

use std::collections::BTreeMap;

use crate::cloudpanel::networks::{BalancingMethod, HealthCheckTest, LoadBalancer};
use crate::web::networks::form::{Fields, parse_number};
use crate::web::page::PageCtx;

/// The balancer page's settings form, by its name on the page.
pub const MODIFY_FORM: &str = "modify";

/// The fields' names (the API's), which their messages are kept under.
const FIELDS: &[&str] = &[
    "health_check_test",
    "health_check_interval",
    "health_check_path",
    "health_check_parse",
    "persistence",
    "persistence_time",
    "method",
];

pub const TESTS: &[(&str, &str)] = &[
    ("TCP", "TCP"),
    ("HTTP", "HTTP"),
    ("ICMP", "ICMP (ping)"),
    ("NONE", "None"),
];

pub const METHODS: &[(&str, &str)] = &[
    ("ROUND_ROBIN", "Round robin"),
    ("LEAST_CONNECTIONS", "Least connections"),
];

/// What was typed into the settings fields, and what is wrong with them.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Ids are `{prefix}health_check_test`: "" on the create form,
    /// "modify-" on the balancer's page (names are the API's).
    pub prefix: &'static str,
    pub test: String,
    pub interval: String,
    pub path: String,
    pub parser: String,
    pub persistence: bool,
    pub persistence_time: String,
    pub method: String,
    pub errors: BTreeMap<&'static str, String>,
}

/// Checked settings, ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub test: HealthCheckTest,
    pub interval: u32,
    /// Both only for an HTTP check.
    pub path: Option<String>,
    pub parser: Option<String>,
    pub persistence: bool,
    pub persistence_time: u32,
    pub method: BalancingMethod,
}

impl Settings {
    /// What a new balancer starts with.
    pub fn defaults(prefix: &'static str) -> Self {
        Self {
            prefix,
            test: "TCP".into(),
            interval: "15".into(),
            path: String::new(),
            parser: String::new(),
            persistence: true,
            persistence_time: "1200".into(),
            method: "ROUND_ROBIN".into(),
            errors: BTreeMap::new(),
        }
    }

    /// A balancer's current settings: the modify form starts on them.
    pub fn of(lb: &LoadBalancer, prefix: &'static str) -> Self {
        Self {
            prefix,
            test: lb.health_check_test.as_str().to_owned(),
            interval: lb.health_check_interval.to_string(),
            path: lb.health_check_path.clone().unwrap_or_default(),
            parser: lb.health_check_path_parser.clone().unwrap_or_default(),
            persistence: lb.persistence,
            persistence_time: lb.persistence_time.to_string(),
            method: lb.method.as_str().to_owned(),
            errors: BTreeMap::new(),
        }
    }

    /// The settings of a posted form (an unchecked box sends nothing).
    pub fn read(fields: &Fields, prefix: &'static str) -> Self {
        Self {
            prefix,
            test: fields.trimmed("health_check_test"),
            interval: fields.trimmed("health_check_interval"),
            path: fields.trimmed("health_check_path"),
            parser: fields.trimmed("health_check_parse"),
            persistence: fields.get("persistence") == "true",
            persistence_time: fields.trimmed("persistence_time"),
            method: fields.trimmed("method"),
            errors: BTreeMap::new(),
        }
    }

    /// The settings form of the balancer's page: as typed when it came
    /// back, with its messages, else the balancer's current settings.
    pub fn modified(page: &PageCtx, lb: &LoadBalancer) -> Self {
        match Fields::kept(page, MODIFY_FORM, FIELDS) {
            Some((fields, errors)) => Self {
                errors,
                ..Self::read(&fields, "modify-")
            },
            None => Self::of(lb, "modify-"),
        }
    }

    pub fn id(&self, field: &str) -> String {
        format!("{}{field}", self.prefix)
    }

    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    pub fn tests(&self) -> &'static [(&'static str, &'static str)] {
        TESTS
    }

    pub fn methods(&self) -> &'static [(&'static str, &'static str)] {
        METHODS
    }

    pub fn is_test(&self, test: &str) -> bool {
        self.test == test
    }

    pub fn is_method(&self, method: &str) -> bool {
        self.method == method
    }

    /// Checks every field; the settings to send when all are right.
    pub fn check(&mut self) -> Option<Checked> {
        self.errors.clear();
        if !TESTS.iter().any(|(t, _)| *t == self.test) {
            self.errors.insert(
                "health_check_test",
                "Choose a health check: TCP, HTTP, ICMP or none.".into(),
            );
        }
        let interval = parse_number(&self.interval, "The check interval (seconds)", 5, 300)
            .map_err(|e| self.errors.insert("health_check_interval", e))
            .ok();
        let http = self.test == "HTTP";
        if http && self.path.is_empty() {
            self.errors.insert(
                "health_check_path",
                "An HTTP check needs the path it asks for, e.g. /health.".into(),
            );
        } else if self.path.chars().count() > 1000 {
            self.errors.insert(
                "health_check_path",
                "The path may have at most 1000 characters.".into(),
            );
        }
        if http && self.parser.is_empty() {
            self.errors.insert(
                "health_check_parse",
                "An HTTP check needs the regular expression a healthy answer matches, e.g. OK."
                    .into(),
            );
        } else if self.parser.chars().count() > 64 {
            self.errors.insert(
                "health_check_parse",
                "The expression may have at most 64 characters.".into(),
            );
        }
        let persistence_time = parse_number(
            &self.persistence_time,
            "The persistence time (seconds)",
            30,
            1200,
        )
        .map_err(|e| self.errors.insert("persistence_time", e))
        .ok();
        if !METHODS.iter().any(|(m, _)| *m == self.method) {
            self.errors
                .insert("method", "Choose round robin or least connections.".into());
        }
        match (interval, persistence_time) {
            (Some(interval), Some(persistence_time)) if self.errors.is_empty() => Some(Checked {
                test: HealthCheckTest::parse(&self.test),
                interval,
                path: http.then(|| self.path.clone()),
                parser: http.then(|| self.parser.clone()),
                persistence: self.persistence,
                persistence_time,
                method: BalancingMethod::parse(&self.method),
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        let checked = Settings::defaults("").check().unwrap();
        assert_eq!(checked.test, HealthCheckTest::Tcp);
        assert_eq!(checked.path, None);
        assert_eq!(checked.persistence_time, 1200);
    }

    #[test]
    fn every_bad_setting_is_named() {
        let mut s = Settings {
            test: "HTTP".into(),
            interval: "2".into(),
            persistence_time: "5000".into(),
            method: "RANDOM".into(),
            ..Settings::defaults("")
        };
        assert!(s.check().is_none());
        for field in [
            "health_check_interval",
            "health_check_path",
            "health_check_parse",
            "persistence_time",
            "method",
        ] {
            assert!(s.error(field).is_some(), "{field}: {:?}", s.errors);
        }
    }

    #[test]
    fn an_unchecked_box_turns_persistence_off() {
        let fields = Fields::parse(
            b"health_check_test=ICMP&health_check_interval=30&persistence_time=60&method=LEAST_CONNECTIONS",
        );
        let checked = Settings::read(&fields, "").check().unwrap();
        assert!(!checked.persistence);
        assert_eq!(checked.method, BalancingMethod::LeastConnections);
    }
}
