//! Pieces the private network, public IP and VPN pages share: links to
//! other objects, datacenters, a loaded list with its notices, the typed-name
//! check of a deletion, the busy reason, and the API's words beside a form's
//! fields.

use crate::cloudpanel::ListQuery;
use crate::web::cloud::{Choice, Choices, Upstream};

pub use crate::web::cloud::datacenter_label;

pub use crate::web::cloud::{FieldErrors, api_field_errors, check_typed_name, form_problem};

/// Another object a page links to.
#[derive(Debug, Clone)]
pub struct Link {
    pub label: String,
    /// Empty when the panel has no page for it.
    pub href: String,
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

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_stem("office", "vpn"), "office");
        assert_eq!(file_stem("  Büro \"Nord\"/..\\x ", "vpn"), "B-ro-Nord-x");
        assert_eq!(file_stem("../..", "vpn"), "vpn");
        assert_eq!(file_stem(&"a".repeat(200), "vpn").len(), 64);
    }
}
