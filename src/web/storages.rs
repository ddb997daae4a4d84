//! What the block storage and shared storage pages share: size and name
//! checks, the rename on a storage's page (each changed field needs its own
//! flag: [`Renamed`], [`rename`]), and the API's words put beside the field
//! they name.

use std::future::Future;

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::cloudpanel::storages::UpdateStorage;
use crate::cloudpanel::{AccountClient, CloudError};
use crate::domain::{parse_resource_description, parse_resource_name};
use crate::rbac::Permission;
use crate::web::cloud::{Change, Deletable, NameFlags, Named, Object};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::{flash, redirect};

pub use crate::web::cloud::datacenter_label;

pub use crate::web::cloud::FieldErrors;

/// The API's size rule of a storage family: `min..=max` GB in steps of `step`.
#[derive(Debug, Clone, Copy)]
pub struct SizeRule {
    pub min: u32,
    pub max: u32,
    pub step: u32,
}

/// Block storages: 20 to 500 GB in steps of 10.
pub const BLOCK_SIZE: SizeRule = SizeRule {
    min: 20,
    max: 500,
    step: 10,
};

/// Shared storages: 50 to 2000 GB in steps of 50.
pub const SHARED_SIZE: SizeRule = SizeRule {
    min: 50,
    max: 2000,
    step: 50,
};

impl SizeRule {
    /// A typed size, checked against the rule; the message says the rule.
    pub fn parse(&self, raw: &str) -> Result<u32, String> {
        let rule = format!(
            "from {} to {} GB in steps of {}",
            self.min, self.max, self.step
        );
        let size: u32 = raw
            .trim()
            .parse()
            .map_err(|_| format!("The size must be a whole number of GB, {rule}."))?;
        if !(self.min..=self.max).contains(&size) || !size.is_multiple_of(self.step) {
            return Err(format!("The size must be {rule}."));
        }
        Ok(size)
    }
}

/// A name as the Cloud Panel keeps it (the one rule of
/// [`parse_resource_name`]); the message lands beside the field.
pub fn check_name(name: &str, errors: &mut FieldErrors) {
    if let Err(message) = parse_resource_name(name) {
        errors.insert("name", message);
    }
}

/// A description as the Cloud Panel keeps it (the one rule of
/// [`parse_resource_description`]); the message lands beside the field.
pub fn check_description(description: &str, errors: &mut FieldErrors) {
    if let Err(message) = parse_resource_description(description) {
        errors.insert("description", message);
    }
}

/// A change to a storage, planned from the typed values and the storage as
/// it is, the same for its page and the JSON API.
pub enum Plan<T> {
    /// What to send.
    Send(T),
    /// Nothing to send: the storage already is so (said as news).
    Same(String),
    /// The values cannot be used; nothing is sent.
    Refused(String),
}

/// The name and description a rename types, checked: the message beside
/// each bad one (empty when both can be used).
pub fn check_rename(name: &str, description: &str) -> FieldErrors {
    let mut errors = FieldErrors::new();
    check_name(name, &mut errors);
    check_description(description, &mut errors);
    errors
}

/// A rename, planned: what it sends (only the fields that change), the
/// flag each change needs (in order: the name's, the description's) and
/// what the audit log records.
pub struct Rename {
    pub body: UpdateStorage,
    pub flags: Vec<Permission>,
    pub details: Value,
}

/// The rename from `current` to `typed` (name, description); `None` when
/// nothing changes.
pub fn renamed(flags: NameFlags, current: (&str, &str), typed: (&str, &str)) -> Option<Rename> {
    let name = (typed.0 != current.0).then(|| typed.0.to_owned());
    let description = (typed.1 != current.1).then(|| typed.1.to_owned());
    if name.is_none() && description.is_none() {
        return None;
    }
    let needed = [
        name.is_some().then_some(flags.name),
        description.is_some().then_some(flags.description),
    ];
    let details = json!({ "name": name, "description": description });
    Some(Rename {
        body: UpdateStorage {
            name,
            description,
            size: None,
        },
        flags: needed.into_iter().flatten().collect(),
        details,
    })
}

/// What a rename sends: only the fields that change, each checked against
/// its own flag (a change the member may not make is refused with a 403 and
/// a `denied` audit event). `None` when nothing changes.
pub async fn rename_body(
    ctx: &OrgCtx,
    flags: NameFlags,
    current: (&str, &str),
    typed: (&str, &str),
) -> AppResult<Option<Rename>> {
    let Some(rename) = renamed(flags, current, typed) else {
        return Ok(None);
    };
    for flag in &rename.flags {
        if !ctx.can(*flag) {
            ctx.require(*flag).await?;
        }
    }
    Ok(Some(rename))
}

/// The name and description form on a storage's page.
#[derive(Deserialize, Serialize)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

/// A storage family whose name and description change from its page.
pub trait Renamed: Deletable<Item: Named> {
    const FLAGS: NameFlags;
    /// The audit log's action: `block_storage.rename`.
    const RENAME: &'static str;

    fn description(storage: &Self::Item) -> &str;
    fn update(
        client: &AccountClient,
        id: &str,
        body: &UpdateStorage,
    ) -> impl Future<Output = Result<Self::Item, CloudError>>;
}

/// `POST /o/{slug}/<family>/{id}/rename`: bad values come back beside their
/// fields on the storage's page, nothing sent.
pub async fn rename<S: Renamed>(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<RenameForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, S::FLAGS.first(&ctx), S::FAMILY)
        .await?
        .keeping("rename", &*form);
    let name = form.name.trim();
    let description = form.description.trim();
    let errors = check_rename(name, description);
    if !errors.is_empty() {
        return act.invalid_fields(errors);
    }
    // Only what changes is sent, and each change needs its own flag: the
    // current values are read first (fail closed when they cannot be).
    let current = match S::get(act.up.client(), id).await {
        Ok(fetched) => fetched.value,
        Err(e) => return act.unreadable(S::FAMILY.one, &e),
    };
    let Some(rename) = rename_body(
        &ctx,
        S::FLAGS,
        (current.name(), S::description(&current)),
        (name, description),
    )
    .await?
    else {
        flash::info(&session, "Nothing changed: these are the current values.");
        return Ok(redirect(act.page()));
    };
    let change = Change::new(S::RENAME, rename.details, "Saved: {name}.");
    act.run(change, S::update(act.up.client(), id, &rename.body))
        .await
}

/// The form field an API field name belongs to, on a storage form.
pub fn form_field(api_field: &str) -> Option<&'static str> {
    Some(match api_field {
        "name" => "name",
        "description" => "description",
        "size" | "ngcs.blockstorage.size" | "ngcs.sharedstorage.size" => "size",
        "datacenter_id" => "datacenter_id",
        "server_id" => "server_id",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_each_familys_rule() {
        assert_eq!(BLOCK_SIZE.parse("40"), Ok(40));
        assert_eq!(BLOCK_SIZE.parse(" 500 "), Ok(500));
        assert!(BLOCK_SIZE.parse("15").unwrap_err().contains("steps of 10"));
        assert!(BLOCK_SIZE.parse("510").is_err());
        assert!(BLOCK_SIZE.parse("25").is_err());
        assert!(
            BLOCK_SIZE
                .parse("ten")
                .unwrap_err()
                .contains("whole number")
        );
        assert_eq!(SHARED_SIZE.parse("250"), Ok(250));
        assert!(
            SHARED_SIZE
                .parse("275")
                .unwrap_err()
                .contains("steps of 50")
        );
        assert!(SHARED_SIZE.parse("2050").is_err());
    }

    #[test]
    fn a_rename_sends_only_what_changes_each_under_its_flag() {
        let flags = NameFlags {
            name: crate::rbac::perms::BLOCK_STORAGES_SET_NAME,
            description: crate::rbac::perms::BLOCK_STORAGES_SET_DESCRIPTION,
        };
        assert!(renamed(flags, ("data", "db"), ("data", "db")).is_none());
        let Some(rename) = renamed(flags, ("data", "db"), ("data", "")) else {
            panic!("the description changes");
        };
        assert_eq!(rename.flags, [flags.description]);
        assert_eq!(
            (rename.body.name, rename.body.description.as_deref()),
            (None, Some(""))
        );
        assert_eq!(rename.details, json!({ "name": null, "description": "" }));
        let both = renamed(flags, ("data", "db"), ("logs", "x")).map(|r| r.flags);
        assert_eq!(both, Some(vec![flags.name, flags.description]));
    }

    #[test]
    fn names_and_descriptions_have_their_lengths() {
        let mut errors = FieldErrors::new();
        check_name("", &mut errors);
        check_description(&"x".repeat(257), &mut errors);
        assert!(errors.contains_key("name") && errors.contains_key("description"));
        let mut errors = FieldErrors::new();
        check_name(&"é".repeat(128), &mut errors);
        check_description("", &mut errors);
        assert!(errors.is_empty());
    }
}
