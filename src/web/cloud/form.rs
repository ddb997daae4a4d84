//! What every create and edit form of a cloud resource shares: its errors by
//! field, the API's refusal put beside the fields it names, the words above a
//! refused form, the usual name and description checks, and the typed name
//! that confirms a deletion.

use std::collections::BTreeMap;

use crate::cloudpanel::CloudError;

/// A form's problems by field name; the template shows each beside its field.
pub type FieldErrors = BTreeMap<&'static str, String>;

/// The form fields an API refusal names (`{"required":"name"}`,
/// `{"name":1,"password":1}`, `{"invalid":"x"}`,
/// `{"prefix":"ngcs.vm.hdd.size","desired":30,"step":true}`), each with the
/// refusal's words. `form_field` maps the API's name of a field to the
/// form's, or to nothing when the form has no such field.
pub fn api_field_errors(
    e: &CloudError,
    form_field: impl Fn(&str) -> Option<&'static str>,
) -> FieldErrors {
    api_field_errors_from(e, form_field, "the Cloud Panel")
}

/// [`api_field_errors`] for an account of the API named `api`.
pub fn api_field_errors_from(
    e: &CloudError,
    form_field: impl Fn(&str) -> Option<&'static str>,
    api: &str,
) -> FieldErrors {
    let mut out = FieldErrors::new();
    let named = api_fields(e);
    if named.is_empty() {
        return out;
    }
    let message = e.user_message_for(api);
    for field in named.into_iter().filter_map(form_field) {
        out.insert(field, message.clone());
    }
    out
}

/// The API's names of the fields a refusal names (see [`api_field_errors`]).
pub fn api_fields(e: &CloudError) -> Vec<&str> {
    if let CloudError::OutOfScope {
        field: Some(field), ..
    } = e
    {
        return vec![field];
    }
    let CloudError::Rejected {
        errors: Some(errors),
        ..
    } = e
    else {
        return Vec::new();
    };
    let Some(object) = errors.as_object() else {
        return Vec::new();
    };
    object
        .iter()
        .filter_map(|(key, value)| match (key.as_str(), value.as_str()) {
            ("required" | "invalid" | "prefix", Some(field)) => Some(field),
            ("required" | "invalid" | "prefix" | "desired" | "step", _) => None,
            (field, _) => Some(field),
        })
        .collect()
}

/// A `form_field` for forms whose fields carry the API's own names.
pub fn among(fields: &'static [&'static str]) -> impl Fn(&str) -> Option<&'static str> {
    move |name| fields.iter().find(|f| **f == name).copied()
}

/// The words of a failed create or edit, above the form: the fields the
/// API named carry its message themselves. `nothing` says what did not
/// happen ("Nothing was created.").
pub fn form_problem(e: &CloudError, fields_named: bool, nothing: &str) -> String {
    form_problem_from(e, fields_named, nothing, "the Cloud Panel")
}

/// [`form_problem`] for an account of the API named `api`.
pub fn form_problem_from(e: &CloudError, fields_named: bool, nothing: &str, api: &str) -> String {
    match e {
        _ if fields_named => format!(
            "{} refused some values; see the messages beside the fields. {nothing}",
            crate::cloudpanel::capitalised(api)
        ),
        CloudError::Rejected { .. } | CloudError::Forbidden { .. } => {
            format!("{} {nothing}", e.user_message_for(api))
        }
        other => format!("{nothing} {}", other.summary_for(api)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rejected(errors: serde_json::Value) -> CloudError {
        CloudError::Rejected {
            status: 400,
            kind: "INVALID_PARAMETERS".into(),
            message: "Refused".into(),
            errors: Some(errors),
        }
    }

    fn form_field(api: &str) -> Option<&'static str> {
        match api {
            "name" => Some("name"),
            "password" => Some("password"),
            "ngcs.vm.hdd.size" => Some("hdd_size"),
            _ => None,
        }
    }

    #[test]
    fn the_apis_refusals_land_beside_the_fields_they_name() {
        let e = rejected(json!({ "required": "name" }));
        assert!(api_field_errors(&e, form_field)["name"].contains("Refused"));
        let e = rejected(json!({ "name": 1, "password": 1 }));
        let fields = api_field_errors(&e, form_field);
        assert!(fields.contains_key("name") && fields.contains_key("password"));
        let e = rejected(json!({ "prefix": "ngcs.vm.hdd.size", "desired": 30, "step": true }));
        let fields = api_field_errors(&e, form_field);
        assert_eq!(fields.keys().copied().collect::<Vec<_>>(), ["hdd_size"]);
        let e = rejected(json!({ "element_type": "Image" }));
        assert!(api_field_errors(&e, form_field).is_empty());
        assert!(api_field_errors(&CloudError::Timeout, form_field).is_empty());
        let e = rejected(json!({ "invalid": "network_address" }));
        assert!(
            api_field_errors(&e, among(&["name", "network_address"]))
                .contains_key("network_address")
        );
        assert!(api_field_errors(&e, among(&["name"])).is_empty());
    }

    #[test]
    fn a_deletion_needs_the_exact_name() {
        assert!(check_typed_name("network's name", "backend", " backend ").is_ok());
        let e = check_typed_name("network's name", "backend", "Backend").unwrap_err();
        assert!(e.contains("backend, exactly"));
    }
}
