//! Pieces the private network, public IP and VPN pages share: links to
//! other objects, datacenters, a loaded list with its notices, the typed-name
//! check of a deletion, the busy reason, and the API's words beside a form's
//! fields.

use crate::cloudpanel::common::DatacenterRef;
use crate::cloudpanel::{CloudError, Fetched, ListQuery};
use crate::web::cloud::{Choice, Choices, StateBadge, Upstream};
use std::collections::BTreeMap;

/// A form's problems by field name; the template shows each beside its field.
pub type FieldErrors = BTreeMap<&'static str, String>;

/// Another object a page links to.
#[derive(Debug, Clone)]
pub struct Link {
    pub label: String,
    /// Empty when the panel has no page for it.
    pub href: String,
}

/// `Berlin (DE)`
pub fn datacenter_label(dc: &DatacenterRef) -> String {
    match (dc.location.is_empty(), dc.country_code.is_empty()) {
        (false, false) => format!("{} ({})", dc.location, dc.country_code),
        (false, true) => dc.location.clone(),
        (true, false) => dc.country_code.clone(),
        (true, true) => String::new(),
    }
}

/// The datacenters to create something in.
pub async fn datacenter_choices(up: &Upstream) -> Choices {
    Choices::from(
        "the datacenters",
        up.client().list_datacenters(&ListQuery::all()).await,
        |d| Choice::of(&d.id, &format!("{} ({})", d.location, d.country_code)),
    )
}

/// A datacenter picked on a create form: empty is the account's default;
/// otherwise one of the listed ones (when the list could be loaded).
pub fn chosen_datacenter(raw: &str, choices: &Choices) -> Result<Option<String>, String> {
    let wrong = || "Choose one of the listed datacenters.".to_owned();
    let id = crate::web::cloud::chosen_id(raw).map_err(|_| wrong())?;
    match id {
        Some(id) if choices.problem.is_none() && !choices.items.iter().any(|c| c.id == id) => {
            Err(wrong())
        }
        other => Ok(other),
    }
}

/// A list for a list page, or what keeps it from showing.
pub struct Loaded<T> {
    pub items: Vec<T>,
    /// The data is older than usual, and why.
    pub notice: Option<String>,
    pub problem: Option<String>,
    /// With `problem`, when the request limit was the cause.
    pub retry_after: Option<u64>,
}

impl<T> Loaded<T> {
    pub fn from(what: &str, result: Result<Fetched<Vec<T>>, CloudError>) -> Self {
        match result {
            Ok(fetched) => Self {
                notice: fetched.freshness().map(|f| format!("Showing {f}.")),
                items: fetched.value,
                problem: None,
                retry_after: None,
            },
            Err(e) => Self {
                items: Vec::new(),
                notice: None,
                problem: Some(format!("Could not load {what}: {}", e.summary())),
                retry_after: e.retry_after_secs(),
            },
        }
    }
}

/// A deletion goes ahead only when the object's current name (a public IP's
/// address) was typed exactly.
pub fn check_typed_name(what: &str, current: &str, typed: &str) -> Result<(), String> {
    if typed.trim() == current {
        Ok(())
    } else {
        Err(format!(
            "Type the {what}, {current}, exactly to confirm. Nothing was changed."
        ))
    }
}

/// Why the actions the API would refuse wait, while the object is in a
/// transition: `None` when it is steady.
pub fn busy_reason(badge: &StateBadge, what: &str, waiting: &str) -> Option<String> {
    badge.transitional.then(|| {
        let progress = badge.percent.map(|p| format!(", {p}%")).unwrap_or_default();
        format!(
            "The {what} is {}{progress}. {waiting} wait until it is done; reload the page then.",
            badge.label.to_lowercase()
        )
    })
}

/// The words of a failed create or edit, above the form: the fields the
/// API named carry its message themselves.
pub fn form_problem(e: &CloudError, fields_named: bool, nothing: &str) -> String {
    match e {
        _ if fields_named => format!(
            "The Cloud Panel refused some values; see the messages beside the fields. {nothing}"
        ),
        CloudError::Rejected { .. } | CloudError::Forbidden { .. } => {
            format!("{} {nothing}", e.user_message())
        }
        other => format!("{nothing} {}", other.summary()),
    }
}

/// The form fields an API refusal names (`{"invalid":"network_address"}`,
/// `{"required":"name"}`, `{"name":1}`), among the form's own `fields`.
pub fn api_field_errors(e: &CloudError, fields: &[&'static str]) -> FieldErrors {
    let mut out = FieldErrors::new();
    let CloudError::Rejected {
        errors: Some(errors),
        ..
    } = e
    else {
        return out;
    };
    let Some(object) = errors.as_object() else {
        return out;
    };
    let message = e.user_message();
    for (key, value) in object {
        let named = match (key.as_str(), value.as_str()) {
            ("required" | "invalid", Some(field)) => field,
            (field, _) => field,
        };
        if let Some(field) = fields.iter().find(|f| **f == named) {
            out.insert(field, message.clone());
        }
    }
    out
}

/// A name safe in a file name: ASCII letters, digits, hyphens and
/// underscores; each run of anything else becomes one hyphen.
pub fn file_stem(name: &str, fallback: &str) -> String {
    let mut stem = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            stem.push(c);
        } else if !stem.ends_with('-') {
            stem.push('-');
        }
        if stem.len() >= 64 {
            break;
        }
    }
    let stem = stem.trim_matches('-').to_owned();
    if stem.is_empty() {
        fallback.to_owned()
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_stem("office", "vpn"), "office");
        assert_eq!(file_stem("  Büro \"Nord\"/..\\x ", "vpn"), "B-ro-Nord-x");
        assert_eq!(file_stem("../..", "vpn"), "vpn");
        assert_eq!(file_stem(&"a".repeat(200), "vpn").len(), 64);
    }

    #[test]
    fn the_apis_refusals_land_beside_the_fields_they_name() {
        let e = CloudError::Rejected {
            status: 400,
            kind: "INVALID_PARAMETERS".into(),
            message: "Invalid network_address".into(),
            errors: Some(json!({ "invalid": "network_address" })),
        };
        let fields = api_field_errors(&e, &["name", "network_address"]);
        assert!(fields["network_address"].contains("Invalid network_address"));
        assert!(api_field_errors(&e, &["name"]).is_empty());
        assert!(api_field_errors(&CloudError::Timeout, &["name"]).is_empty());
    }

    #[test]
    fn a_deletion_needs_the_exact_name() {
        assert!(check_typed_name("network's name", "backend", " backend ").is_ok());
        let e = check_typed_name("network's name", "backend", "Backend").unwrap_err();
        assert!(e.contains("backend, exactly"));
    }
}
