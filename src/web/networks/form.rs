//! What the firewall policy and load balancer forms share: the posted
//! fields (rule rows repeat the same fields under numbered prefixes), a
//! rule's source address, and the names of the form's fields.

use crate::domain::{parse_resource_description, parse_resource_name};
use std::collections::HashMap;
use std::net::Ipv4Addr;

/// The fields of an urlencoded form; a repeated field keeps its last value.
pub struct Fields(HashMap<String, String>);

impl Fields {
    pub fn parse(body: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The value of a field, or "" when it was not sent.
    pub fn get(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_default()
    }

    /// Whether the form carried the field at all (forms leave out what the
    /// member may not change).
    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// A trimmed value.
    pub fn trimmed(&self, name: &str) -> String {
        self.get(name).trim().to_owned()
    }
}

/// `0.0.0.0` (everyone), an IPv4 address or an IPv4 network (`10.0.0.0/8`).
/// An empty source means everyone.
pub fn parse_source(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok("0.0.0.0".into());
    }
    let (address, prefix) = match raw.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (raw, None),
    };
    let address_ok = address.parse::<Ipv4Addr>().is_ok();
    let prefix_ok = prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|p| p <= 32));
    if address_ok && prefix_ok {
        Ok(raw.to_owned())
    } else {
        Err(
            "The source is an IPv4 address (10.0.0.5), a network (10.0.0.0/24), or 0.0.0.0 for everyone."
                .into(),
        )
    }
}

/// A whole number in a range, or the message naming the field.
pub fn parse_number(raw: &str, what: &str, min: u32, max: u32) -> Result<u32, String> {
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("{what} must be a whole number from {min} to {max}."))
}

/// A name as the Cloud Panel keeps it: the one rule of
/// [`parse_resource_name`].
pub fn check_name(name: &str) -> Result<(), String> {
    parse_resource_name(name).map(drop)
}

/// A description as the Cloud Panel keeps it: the one rule of
/// [`parse_resource_description`].
pub fn check_description(description: &str) -> Result<(), String> {
    parse_resource_description(description).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_addresses_or_networks() {
        assert_eq!(parse_source("").unwrap(), "0.0.0.0");
        assert_eq!(parse_source(" 10.0.0.5 ").unwrap(), "10.0.0.5");
        assert_eq!(parse_source("10.0.0.0/24").unwrap(), "10.0.0.0/24");
        for bad in ["10.0.0", "10.0.0.0/33", "any", "10.0.0.0/x", "::1"] {
            assert!(parse_source(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_name_their_field_and_range() {
        assert_eq!(parse_number("15", "The interval", 5, 300), Ok(15));
        assert_eq!(
            parse_number("3", "The interval", 5, 300).unwrap_err(),
            "The interval must be a whole number from 5 to 300."
        );
        assert!(parse_number("x", "The interval", 5, 300).is_err());
    }

    #[test]
    fn repeated_fields_keep_the_last_value() {
        let f = Fields::parse(b"persistence=false&persistence=true&name=+a+");
        assert_eq!(f.get("persistence"), "true");
        assert_eq!(f.trimmed("name"), "a");
        assert!(!f.has("description"));
        assert_eq!(f.get("description"), "");
    }
}
