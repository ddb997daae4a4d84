//! What the firewall policy and load balancer forms share: the posted
//! fields (rule rows repeat the same fields under numbered prefixes), the
//! fields of such a form that came back to its page, the rename form, and
//! the checks of numbers, names and descriptions. A rule's source is
//! [`crate::domain::RuleSource`].

use std::collections::{BTreeMap, HashMap};

use actix_session::Session;
use actix_web::HttpResponse;
use serde::{Deserialize, Serialize};

use crate::cloudpanel::common::NameDescription;
use crate::domain::{parse_resource_description, parse_resource_name};
use crate::rbac::Permission;
use crate::web::cloud::{Act, Family, FieldErrors, Object};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;

/// The fields of an urlencoded form; a repeated field keeps its last value.
/// Serialised as posted, for the page it comes back to (see [`Fields::kept`]).
#[derive(Serialize)]
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

    /// The page's form `form` as it came back (kept with
    /// `Act::keeping(form, &fields)`): its fields as they were posted, and
    /// the message beside each of `names`, the form's own names for its
    /// fields (a rule row's `port`, whatever its prefix).
    pub fn kept(
        page: &PageCtx,
        form: &str,
        names: &[&'static str],
    ) -> Option<(Self, BTreeMap<&'static str, String>)> {
        let kept = page.kept.as_ref().filter(|k| k.form == form)?;
        let fields = Self(
            kept.values
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        );
        let errors = names
            .iter()
            .filter_map(|name| Some((*name, kept.errors.get(*name)?.clone())))
            .collect();
        Some((fields, errors))
    }
}

/// The rename form of a policy's or a balancer's page: it carries only the
/// fields the member may change (each needs its own flag), and comes back
/// as typed when a value cannot be used.
#[derive(Deserialize, Serialize)]
pub struct RenameForm {
    pub name: Option<String>,
    pub description: Option<String>,
}

impl RenameForm {
    /// The rename of `object`, up to what it sends: each field the form
    /// carried needs its flag (`name`, `description`); a form that carried
    /// neither, or a value that cannot be used, is the answer instead
    /// (back to the page, the form as typed).
    pub async fn act<'a>(
        &self,
        ctx: &'a OrgCtx,
        session: &'a Session,
        object: &Object,
        (name, description): (Permission, Permission),
        family: &Family,
    ) -> AppResult<Result<(Act<'a>, NameDescription), HttpResponse>> {
        let (first, second) = self.flags((name, description));
        let act = object
            .act(ctx, session, first, family)
            .await?
            .keeping("rename", self);
        if let Some(second) = second {
            ctx.require(second).await?;
        }
        Ok(match self.checked() {
            Ok(Some(body)) => Ok((act, body)),
            Ok(None) => {
                Err(act.invalid("Nothing to save: the form had neither a name nor a description.")?)
            }
            Err(errors) => Err(act.invalid_fields(errors)?),
        })
    }

    /// The flags a rename needs, `name`'s and `description`'s as the form
    /// carries each: the one the change is checked under, and the other
    /// when it carries both. Neither: the description's, so that the
    /// refusal of an empty form comes after the check.
    pub fn flags(
        &self,
        (name, description): (Permission, Permission),
    ) -> (Permission, Option<Permission>) {
        match (self.name.is_some(), self.description.is_some()) {
            (true, true) => (name, Some(description)),
            (true, false) => (name, None),
            (false, _) => (description, None),
        }
    }

    /// What to send, trimmed (a field the form did not carry stays as it
    /// is); `None` when it carried neither; else the message beside each
    /// value that cannot be used.
    pub fn checked(&self) -> Result<Option<NameDescription>, FieldErrors> {
        if self.name.is_none() && self.description.is_none() {
            return Ok(None);
        }
        let name = self.name.as_deref().map(str::trim);
        let description = self.description.as_deref().map(str::trim);
        let mut errors = FieldErrors::new();
        if let Some(Err(message)) = name.map(check_name) {
            errors.insert("name", message);
        }
        if let Some(Err(message)) = description.map(check_description) {
            errors.insert("description", message);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Some(NameDescription {
            name: name.map(str::to_owned),
            description: description.map(str::to_owned),
        }))
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
    fn numbers_name_their_field_and_range() {
        assert_eq!(parse_number("15", "The interval", 5, 300), Ok(15));
        assert_eq!(
            parse_number("3", "The interval", 5, 300).unwrap_err(),
            "The interval must be a whole number from 5 to 300."
        );
        assert!(parse_number("x", "The interval", 5, 300).is_err());
    }

    #[test]
    fn a_rename_sends_only_what_the_form_carried() {
        let form = |name: Option<&str>, description: Option<&str>| RenameForm {
            name: name.map(str::to_owned),
            description: description.map(str::to_owned),
        };
        assert_eq!(form(None, None).checked(), Ok(None));
        assert_eq!(
            form(Some(" web "), None).checked(),
            Ok(Some(NameDescription {
                name: Some("web".into()),
                description: None,
            }))
        );
        let errors = form(Some(" "), Some(&"x".repeat(300)))
            .checked()
            .unwrap_err();
        assert!(errors.contains_key("name") && errors.contains_key("description"));
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
