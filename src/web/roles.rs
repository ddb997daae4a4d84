//! Roles of an organisation: the list, the permission matrix editor, clone and delete.

use crate::web::routing::org_routes;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use crate::audit::{NewEvent, Outcome};
use crate::db::now_unix;
use crate::domain::parse_display_name;
use crate::rbac::{Permission, PermissionSet, perms};
use crate::tenant::{DeleteOutcome, RoleRow, RoleSummary, Tenant, UpdateOutcome};
use crate::web::error::{AppError, AppResult};
use crate::web::matrix::{self, Matrix, Scope};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::{flash, redirect, render};

org_routes! {
    "/roles" {
        GET  "" => list,
        POST "" => create,
        GET  "/{role_id}" => edit,
        POST "/{role_id}" => update,
        POST "/{role_id}/clone" => clone,
        POST "/{role_id}/delete" => delete,
    }
}

#[derive(Template)]
#[template(path = "roles/list.html")]
struct RolesPage<'a> {
    page: &'a PageCtx,
    org_name: &'a str,
    roles: Vec<RoleSummary>,
    can_manage: bool,
    new_name: &'a str,
    name_error: Option<String>,
    /// A refused delete: (role id, message, what was typed).
    delete_error: Option<(i64, String, String)>,
}

impl RolesPage<'_> {
    fn delete_error_for(&self, id: &i64) -> Option<&(i64, String, String)> {
        self.delete_error.as_ref().filter(|e| e.0 == *id)
    }
}

#[derive(Template)]
#[template(path = "roles/edit.html")]
struct EditPage<'a> {
    page: &'a PageCtx,
    role: &'a RoleRow,
    /// The boxes show the stored set, or what was submitted.
    matrix: Matrix,
    name: &'a str,
    editable: bool,
    /// The form-error summary: why nothing was saved.
    error: Option<String>,
    name_error: Option<String>,
}

/// The panel's matrix: every group, ticked as `shown` holds.
fn panel_matrix(shown: &PermissionSet, editable: bool) -> Matrix {
    Matrix::new(Scope::Panel, editable, |group, flag| {
        Permission::new(group, flag).is_some_and(|p| shown.contains(p))
    })
}

/// The summary when only the name needs correcting.
const NAME_SUMMARY: &str = "Nothing was saved: please correct the name.";

async fn show_list(
    org: &OrgCtx,
    status: StatusCode,
    new_name: &str,
    name_error: Option<String>,
    delete_error: Option<(i64, String, String)>,
) -> AppResult<HttpResponse> {
    let roles = org.as_member().roles(now_unix()).await?;
    let page = org.page.clone().with_section("roles");
    render(
        status,
        &RolesPage {
            page: &page,
            org_name: &org.org().name,
            roles,
            can_manage: org.can(perms::ORGANISATION_MANAGE_ROLES),
            new_name,
            name_error,
            delete_error,
        },
    )
}

async fn list(org: OrgCtx) -> AppResult<HttpResponse> {
    show_list(&org, StatusCode::OK, "", None, None).await
}

/// Refuses granting permissions the editor does not hold: audited as denied.
async fn refuse_escalation(
    tenant: &Tenant<'_>,
    action: &str,
    role_id: i64,
    role_name: &str,
    wanted: &PermissionSet,
) -> AppError {
    let missing = tenant.missing(wanted);
    tenant
        .deny(
            NewEvent::new(action, Outcome::Denied)
                .target("role", role_id, role_name)
                .details(json!({ "missing": missing }))
                .error("the role would grant permissions the editor does not hold"),
        )
        .await;
    AppError::Forbidden(format!(
        "A role you edit can grant only permissions you hold yourself; you lack {}.",
        missing.join(", ")
    ))
}

#[derive(Deserialize)]
pub struct NewRoleForm {
    #[serde(default)]
    name: String,
}

async fn create(
    session: Session,
    org: OrgCtx,
    form: web::Form<NewRoleForm>,
) -> AppResult<HttpResponse> {
    let tenant = org.require(perms::ORGANISATION_MANAGE_ROLES).await?;
    let name = match parse_display_name(&form.name, "role name") {
        Ok(name) => name,
        Err(e) => {
            return show_list(
                &org,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.name,
                Some(e),
                None,
            )
            .await;
        }
    };
    let Some(id) = tenant.create_role(&name).await? else {
        return show_list(
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form.name,
            Some(format!("There is already a role called {name}.")),
            None,
        )
        .await;
    };
    flash::success(
        &session,
        format!("Role {name} created with no permissions. Tick what it may do."),
    );
    Ok(redirect(&org.href(&format!("roles/{id}"))))
}

async fn load(tenant: &Tenant<'_>, role_id: i64) -> AppResult<RoleRow> {
    tenant.role(role_id).await?.ok_or(AppError::NotFound)
}

async fn edit(org: OrgCtx, path: web::Path<(String, i64)>) -> AppResult<HttpResponse> {
    let (_, role_id) = path.into_inner();
    let role = load(&org.as_member(), role_id).await?;
    let page = org.page.clone().with_section("roles");
    let editable = !role.is_builtin() && org.can(perms::ORGANISATION_MANAGE_ROLES);
    render(
        StatusCode::OK,
        &EditPage {
            page: &page,
            role: &role,
            matrix: panel_matrix(&role.permissions, editable),
            name: &role.name,
            editable,
            error: None,
            name_error: None,
        },
    )
}

/// The matrix form: `name` and one `perm` per ticked box (`servers.shutdown`).
async fn update(
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let tenant = org.require(perms::ORGANISATION_MANAGE_ROLES).await?;
    let (_, role_id) = path.into_inner();
    let role = load(&tenant, role_id).await?;
    if role.is_builtin() {
        flash::error(
            &session,
            format!(
                "{} is a built-in role and cannot be changed. Clone it to make a variant.",
                role.name
            ),
        );
        return Ok(redirect(&org.href(&format!("roles/{role_id}"))));
    }
    let mut name = String::new();
    let mut keys = Vec::new();
    for (k, v) in matrix::form_pairs(&body) {
        match k.as_str() {
            "name" => name = v,
            matrix::FIELD => keys.push(v),
            _ => {}
        }
    }
    let parsed = PermissionSet::from_keys(keys.iter().map(String::as_str));
    // On a refusal the boxes keep what was ticked (unknown names dropped).
    let shown: PermissionSet = keys
        .iter()
        .filter_map(|k| Permission::parse(k).ok())
        .collect();
    let rerender = |error: String, name_error: Option<String>| {
        let page = org.page.clone().with_section("roles");
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &EditPage {
                page: &page,
                role: &role,
                matrix: panel_matrix(&shown, true),
                name: &name,
                editable: true,
                error: Some(error),
                name_error,
            },
        )
    };
    let (wanted, clean_name) = match (parsed, parse_display_name(&name, "role name")) {
        (Ok(wanted), Ok(clean_name)) => (wanted, clean_name),
        (Err(e), name) => return rerender(format!("{e}; nothing was saved."), name.err()),
        (Ok(_), Err(e)) => return rerender(NAME_SUMMARY.to_owned(), Some(e)),
    };
    if !tenant.may_grant(&wanted) {
        return Err(refuse_escalation(&tenant, "role.update", role.id, &role.name, &wanted).await);
    }
    match tenant.update_role(&role, &clean_name, &wanted).await? {
        UpdateOutcome::Updated => {}
        UpdateOutcome::NameTaken => {
            return rerender(
                NAME_SUMMARY.to_owned(),
                Some(format!("There is already a role called {clean_name}.")),
            );
        }
        UpdateOutcome::NotFound | UpdateOutcome::Builtin => return Err(AppError::NotFound),
    }
    flash::success(&session, format!("Role {clean_name} saved."));
    Ok(redirect(&org.href(&format!("roles/{}", role.id))))
}

async fn clone(
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let tenant = org.require(perms::ORGANISATION_MANAGE_ROLES).await?;
    let (_, role_id) = path.into_inner();
    let role = load(&tenant, role_id).await?;
    if !tenant.may_grant(&role.permissions) {
        return Err(refuse_escalation(
            &tenant,
            "role.clone",
            role.id,
            &role.name,
            &role.permissions,
        )
        .await);
    }
    let Some((id, name)) = tenant.clone_role(&role).await? else {
        flash::error(
            &session,
            "Someone created a role of the same name meanwhile; try again.",
        );
        return Ok(redirect(&org.href("roles")));
    };
    flash::success(&session, format!("{name} created from {}.", role.name));
    Ok(redirect(&org.href(&format!("roles/{id}"))))
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    confirm: String,
}

async fn delete(
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
    form: web::Form<ConfirmForm>,
) -> AppResult<HttpResponse> {
    let tenant = org.require(perms::ORGANISATION_MANAGE_ROLES).await?;
    let (_, role_id) = path.into_inner();
    let role = load(&tenant, role_id).await?;
    let typed = form.confirm.trim().to_owned();
    let refuse = |message: String| {
        show_list(
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
            None,
            Some((role.id, message, typed.clone())),
        )
    };
    if typed != role.name {
        return refuse(format!("Type the role's name, {}, to confirm.", role.name)).await;
    }
    match tenant.delete_role(&role, now_unix()).await? {
        DeleteOutcome::Deleted => {}
        DeleteOutcome::Builtin => {
            return refuse(format!(
                "{} is a built-in role and cannot be deleted.",
                role.name
            ))
            .await;
        }
        DeleteOutcome::InUse => {
            return refuse(format!(
                "Members or open invitations hold {}. Give them another role first.",
                role.name
            ))
            .await;
        }
        DeleteOutcome::NotFound => return Err(AppError::NotFound),
    }
    flash::success(&session, format!("Role {} deleted.", role.name));
    Ok(redirect(&org.href("roles")))
}
