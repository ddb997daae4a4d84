//! The checks of a policy's text fields and of its ports and processes,
//! as the reference limits them; each returns the message shown beside
//! the field.

use crate::web::networks::form::{check_description, check_name, parse_number};

pub use crate::web::networks::form::Fields;

pub const PROTOCOLS: &[&str] = &["TCP", "UDP"];
pub const PORT_ALERTS: &[(&str, &str)] = &[
    ("NOT_RESPONDING", "when it stops responding"),
    ("RESPONDING", "when it responds"),
];
pub const PROCESS_ALERTS: &[(&str, &str)] = &[
    ("NOT_RUNNING", "when it stops running"),
    ("RUNNING", "when it runs"),
];

pub fn name(raw: &str) -> Result<(), String> {
    check_name(raw)
}

pub fn description(raw: &str) -> Result<(), String> {
    check_description(raw)
}

/// Where the alerts go: one address of at most 128 characters.
pub fn email(raw: &str) -> Result<(), String> {
    let ok = raw.chars().count() <= 128
        && !raw.chars().any(char::is_whitespace)
        && raw.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !host.contains('@')
        });
    if ok {
        Ok(())
    } else {
        Err("Enter the e-mail address that gets the alerts, such as ops@example.com (at most 128 characters).".into())
    }
}

pub fn port(raw: &str) -> Result<u32, String> {
    parse_number(raw, "The port", 1, 65535)
}

pub fn protocol(raw: &str) -> Result<&'static str, String> {
    PROTOCOLS
        .iter()
        .find(|p| **p == raw.trim())
        .copied()
        .ok_or_else(|| "Choose TCP or UDP.".to_owned())
}

/// The process's name as the agent sees it, 1 to 50 characters.
pub fn process(raw: &str) -> Result<(), String> {
    let len = raw.chars().count();
    if len == 0 || len > 50 {
        Err("Give the process's name, 1 to 50 characters (such as nginx).".into())
    } else {
        Ok(())
    }
}

/// One of `choices`' keys, or the message.
pub fn choice(raw: &str, choices: &[(&'static str, &str)]) -> Result<&'static str, String> {
    choices
        .iter()
        .find(|(k, _)| *k == raw.trim())
        .map(|(k, _)| *k)
        .ok_or_else(|| "Choose when to alert.".to_owned())
}

/// A checkbox: present and `on` (or `true`/`yes`).
pub fn checked(fields: &Fields, name: &str) -> bool {
    matches!(fields.trimmed(name).as_str(), "on" | "true" | "yes" | "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_ports_and_processes_are_checked() {
        assert!(email("ops@example.com").is_ok());
        for bad in [
            "",
            "ops",
            "ops@",
            "@example.com",
            "a b@example.com",
            "ops@example",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert_eq!(port("443"), Ok(443));
        assert!(port("0").is_err() && port("65536").is_err() && port("http").is_err());
        assert!(process("nginx").is_ok());
        assert!(process("").is_err() && process(&"x".repeat(51)).is_err());
        assert_eq!(protocol("UDP"), Ok("UDP"));
        assert!(protocol("ICMP").is_err());
        assert_eq!(choice("RUNNING", PROCESS_ALERTS), Ok("RUNNING"));
        assert!(choice("RESPONDING", PROCESS_ALERTS).is_err());
    }
}
