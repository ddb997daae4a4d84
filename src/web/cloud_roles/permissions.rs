//! Saving a Cloud Panel role's permission matrix. The reference's
//! `PUT /roles/{role_id}/permissions` takes a partial object and merges it,
//! so only the flags whose box changed against the role's current
//! permissions are sent, and only those are recorded in the audit details:
//! a flag someone else changed meanwhile and this form left alone stays as
//! they set it, and a flag the API has but the vocabulary does not is never
//! touched.

use std::collections::BTreeSet;

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::FAMILY;
use super::detail::MATRIX_FORM;
use crate::cloudpanel::CloudError;
use crate::cloudpanel::access::Permissions;
use crate::rbac::perms;
use crate::web::cloud::{Change, FieldErrors, Named, Object};
use crate::web::error::AppResult;
use crate::web::matrix::{self, Scope};
use crate::web::org_ctx::OrgCtx;
use crate::web::{flash, redirect};

/// The API answers the permissions, not the role: the role it was for,
/// named for the audit log and the flash message.
struct Saved {
    id: String,
    name: String,
}

impl Named for Saved {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// The ticked boxes, each a `group.flag` of a Cloud Panel group; a value
/// that is not one is refused with its name.
fn ticked(body: &[u8]) -> Result<BTreeSet<String>, (String, BTreeSet<String>)> {
    let posted: Vec<String> = matrix::form_pairs(body)
        .into_iter()
        .filter(|(k, _)| k == matrix::FIELD)
        .map(|(_, v)| v)
        .collect();
    wanted(posted)
}

/// The flags wanted (`group.flag` of a Cloud Panel group); the first that
/// is not one is refused with its name, beside the ones that are.
pub(crate) fn wanted(posted: Vec<String>) -> Result<BTreeSet<String>, (String, BTreeSet<String>)> {
    let known = |key: &str| {
        key.split_once('.').is_some_and(|(group, flag)| {
            Scope::CloudPanel
                .groups()
                .any(|g| g.name == group && g.flags.iter().any(|f| f.name == flag))
        })
    };
    let (good, bad): (Vec<String>, Vec<String>) = posted.into_iter().partition(|k| known(k));
    let good: BTreeSet<String> = good.into_iter().collect();
    match bad.first() {
        None => Ok(good),
        Some(first) => Err((
            format!("`{first}` is not a permission of the Cloud Panel's roles; nothing was saved."),
            good,
        )),
    }
}

/// The flags whose box differs from the role's current value.
pub(crate) fn changes(current: &Permissions, wanted: &BTreeSet<String>) -> Permissions {
    let mut patch = Permissions::default();
    for g in Scope::CloudPanel.groups() {
        for f in g.flags {
            let want = wanted.contains(&format!("{}.{}", g.name, f.name));
            if want != current.allows(g.name, f.name) {
                patch.set(g.name, f.name, want);
            }
        }
    }
    patch
}

/// Saving the changed flags `patch`, as the audit log keeps them.
pub(crate) fn saved(patch: &Permissions) -> Change {
    let count = patch.flag_count();
    Change::new(
        "cloud_role.permissions",
        json!({ "changed": patch }),
        format!(
            "Saved {count} changed permission{} of {{name}}.",
            if count == 1 { "" } else { "s" }
        ),
    )
}

pub async fn save(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::ROLES_MODIFY, &FAMILY)
        .await?;
    // The boxes are kept as ticked, in one field (a kept form holds one
    // value a field), should the change not go ahead.
    let (wanted, refused) = match ticked(&body) {
        Ok(wanted) => (wanted, None),
        Err((message, good)) => (good, Some(message)),
    };
    let kept = wanted
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    let act = act.keeping(MATRIX_FORM, &json!({ (matrix::FIELD): kept }));
    if let Some(message) = refused {
        return act.invalid_fields(FieldErrors::from([(matrix::FIELD, message)]));
    }
    let (role, current) = match (
        act.up.client().get_role(id).await,
        act.up.client().get_role_permissions(id).await,
    ) {
        (Ok(role), Ok(current)) => (role.value, current.value),
        (Err(CloudError::NotFound { .. }), _) | (_, Err(CloudError::NotFound { .. })) => {
            flash::error(
                &session,
                "This no longer exists in the Cloud Panel: it was removed meanwhile.",
            );
            return Ok(redirect(act.list()));
        }
        (Err(e), _) | (_, Err(e)) => {
            return act.invalid(&format!("Nothing was saved. {}", e.summary()));
        }
    };
    let patch = changes(&current, &wanted);
    if patch.flag_count() == 0 {
        flash::info(
            &session,
            format!(
                "Nothing to save: {} already has these permissions.",
                role.name
            ),
        );
        return Ok(redirect(act.page()));
    }
    let change = saved(&patch);
    let call = async {
        act.up
            .client()
            .update_role_permissions(id, &patch)
            .await
            .map(|_| Saved {
                id: id.clone(),
                name: role.name.clone(),
            })
    };
    act.run(change, call).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cloud_panel_flags_are_taken() {
        let ok = ticked(b"perm=servers.show&perm=roles.modify&csrf_token=x").unwrap();
        assert_eq!(ok.len(), 2);
        for bad in [
            &b"perm=organisation.manage_members"[..],
            b"perm=servers.fly",
            b"perm=servers",
        ] {
            let (message, _) = ticked(bad).unwrap_err();
            assert!(message.contains("nothing was saved"), "{message}");
        }
    }

    #[test]
    fn only_changed_flags_are_sent() {
        let mut current = Permissions::default();
        current.set("servers", "show", true);
        current.set("servers", "delete", true);
        current.set("servers", "unknown_to_us", true);
        let wanted: BTreeSet<String> = ["servers.show", "images.show"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let patch = changes(&current, &wanted);
        assert_eq!(patch.flag_count(), 2);
        assert!(!patch.allows("servers", "delete") && patch.0["servers"].contains_key("delete"));
        assert!(patch.allows("images", "show"));
    }
}
