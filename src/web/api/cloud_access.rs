//! The Cloud Panel account's own users and roles over the API: a user's
//! creation, edit (each changed value under its own flag, enabling and
//! disabling by its state), deletion, role, API access and allowed
//! addresses; a role's creation, rename, clone, deletion, permission
//! matrix and users. Each is checked by the same functions as its page
//! (`cloud_users::form::check_create`/`check_edit`, `api::parse_ips`,
//! `cloud_roles::form::check_name`/`clone_name`, the role's `Editable`
//! through the families' shared edit, `permissions::wanted`) and recorded
//! with the page's action and details. A change with nothing to change is
//! answered as the pages say it (`unchanged`), with nothing sent.
//!
//! A user's password goes only to the Cloud Panel (the audit log says
//! `password_set`) and its API key is never answered: the key's own pages
//! (show once, regenerate) have no route here.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, Route, web};
use serde::Serialize;
use serde_json::{Value, json};

use super::act::ApiAct;
use super::door::ApiCtx;
use super::error::ApiError;
use super::images::{Edited, NAME_FIELDS, edit_route};
use super::params::Fields;
use super::routes::DETAIL_QUERY;
use super::routes::{ApiRoute, Body, CREATE, Kind, Param, Verb};
use super::storages::{CHANGE_OR_SAME, field_errors as refused, unchanged};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::access::User;
use crate::cloudpanel::common::IdName;
use crate::rbac::perms;
use crate::web::cloud::{Change, FieldErrors, Named, chosen_id};
use crate::web::cloud_roles::{self, FAMILY as ROLES};
use crate::web::cloud_users::{self, FAMILY as USERS};

/// One user in an answer.
const USER: &str = "cloud_user";
/// One role in an answer.
const ROLE: &str = "cloud_role";

const USER_CREATE_FIELDS: &[Param] = &[
    Param::required(
        "name",
        Kind::Text,
        "At most 30 letters, digits, dots, hyphens and underscores; the Cloud Panel puts the \
         account's prefix before it.",
    ),
    Param::optional("email", Kind::Text, "At most 128 characters."),
    Param::required(
        "password",
        Kind::Text,
        "8 to 64 characters, taken as sent; never recorded or answered.",
    ),
    Param::optional("description", Kind::Text, "At most 256 characters."),
];

const USER_UPDATE_FIELDS: &[Param] = &[
    Param::optional(
        "email",
        Kind::Text,
        "A new address (it cannot be removed); needs users.set_email.",
    ),
    Param::optional(
        "password",
        Kind::Text,
        "A new password, 8 to 64 characters; needs users.set_password; never recorded or answered.",
    ),
    Param::optional(
        "description",
        Kind::Text,
        "At most 256 characters; needs users.set_description.",
    ),
    Param::optional(
        "state",
        Kind::Text,
        "ACTIVE (needs users.enable) or DISABLED (needs users.disable).",
    ),
];

const ROLE_FIELD: &[Param] = &[Param::required(
    "role_id",
    Kind::Text,
    "The id of one of the account's roles (see cloud_roles).",
)];

const ACTIVE_FIELD: &[Param] = &[Param::required(
    "active",
    Kind::Boolean,
    "true turns API access on (the key works), false off.",
)];

const IPS_FIELD: &[Param] = &[Param::required(
    "ips",
    Kind::Texts,
    "IPv4 or IPv6 addresses (no ranges), at most 20, none already allowed.",
)];

const ROLE_CREATE_FIELDS: &[Param] = &[Param::required("name", Kind::Text, "1 to 128 characters.")];

const CLONE_FIELD: &[Param] = &[Param::required(
    "name",
    Kind::Text,
    "The copy's name, 1 to 128 characters, not the role's own.",
)];

const PERMISSIONS_FIELD: &[Param] = &[Param::optional(
    "permissions",
    Kind::Texts,
    "Required: every flag the role should hold, as group.flag (servers.show); a flag not \
     listed is taken away, [] takes them all. Only what differs is sent.",
)];

const ROLE_USER_FIELD: &[Param] = &[Param::required(
    "user_id",
    Kind::Text,
    "The id of one of the account's users (see cloud_users).",
)];

pub fn routes() -> Vec<ApiRoute> {
    let (users, roles) = (USERS.title, ROLES.title);
    let body = |root, fields| Body { root, fields };
    vec![
        ApiRoute::org(
            Verb::Post,
            "/cloud_users",
            users,
            "Add a Cloud Panel user (API access starts off)",
            Some(perms::USERS_CREATE),
            |r: Route| r.to(user_create),
        )
        .query(DETAIL_QUERY)
        .body(body(Some(USER), USER_CREATE_FIELDS))
        .answers(CREATE),
        ApiRoute::org(
            Verb::Put,
            "/cloud_users/{id}",
            users,
            "Change a user's e-mail, password, description or state (each changed value needs \
             its flag: users.set_email, set_password, set_description, enable, disable)",
            None,
            |r: Route| r.to(user_update),
        )
        .query(DETAIL_QUERY)
        .body(body(Some(USER), USER_UPDATE_FIELDS))
        .answers(CHANGE_OR_SAME),
        ApiRoute::org(
            Verb::Delete,
            "/cloud_users/{id}",
            users,
            "Delete a Cloud Panel user",
            Some(perms::USERS_DELETE),
            |r: Route| r.to(user_delete),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Post,
            "/cloud_users/{id}/role",
            users,
            "Give a user another role",
            Some(perms::USERS_CHANGE_ROLE),
            |r: Route| r.to(user_role),
        )
        .query(DETAIL_QUERY)
        .body(body(None, ROLE_FIELD))
        .answers(CHANGE_OR_SAME),
        ApiRoute::org(
            Verb::Post,
            "/cloud_users/{id}/api",
            users,
            "Turn a user's API access on or off",
            Some(perms::USERS_MANAGE_API),
            |r: Route| r.to(user_api),
        )
        .query(DETAIL_QUERY)
        .body(body(None, ACTIVE_FIELD)),
        ApiRoute::org(
            Verb::Post,
            "/cloud_users/{id}/api/ips",
            users,
            "Allow a user's key from more addresses",
            Some(perms::USERS_MANAGE_API),
            |r: Route| r.to(user_ips_add),
        )
        .query(DETAIL_QUERY)
        .body(body(None, IPS_FIELD)),
        ApiRoute::org(
            Verb::Delete,
            "/cloud_users/{id}/api/ips/{ip}",
            users,
            "Remove an allowed address of a user's key",
            Some(perms::USERS_MANAGE_API),
            |r: Route| r.to(user_ip_remove),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Post,
            "/cloud_roles",
            roles,
            "Create a Cloud Panel role (no permissions yet)",
            Some(perms::ROLES_CREATE),
            |r: Route| r.to(role_create),
        )
        .query(DETAIL_QUERY)
        .body(body(Some(ROLE), ROLE_CREATE_FIELDS))
        .answers(CREATE),
        edit_route::<cloud_roles::form::Edit>(),
        ApiRoute::org(
            Verb::Post,
            "/cloud_roles/{id}/clone",
            roles,
            "Create a role with this one's permissions",
            Some(perms::ROLES_CLONE),
            |r: Route| r.to(role_clone),
        )
        .query(DETAIL_QUERY)
        .body(body(None, CLONE_FIELD))
        .answers(CREATE),
        ApiRoute::org(
            Verb::Delete,
            "/cloud_roles/{id}",
            roles,
            "Delete a Cloud Panel role",
            Some(perms::ROLES_DELETE),
            |r: Route| r.to(role_delete),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Put,
            "/cloud_roles/{id}/permissions",
            roles,
            "Set what a role's users may do",
            Some(perms::ROLES_MODIFY),
            |r: Route| r.to(role_permissions),
        )
        .query(DETAIL_QUERY)
        .body(body(None, PERMISSIONS_FIELD))
        .answers(CHANGE_OR_SAME),
        ApiRoute::org(
            Verb::Post,
            "/cloud_roles/{id}/users",
            roles,
            "Add a user to a role",
            Some(perms::ROLES_MANAGE_USERS),
            |r: Route| r.to(role_user_add),
        )
        .query(DETAIL_QUERY)
        .body(body(None, ROLE_USER_FIELD)),
        ApiRoute::org(
            Verb::Delete,
            "/cloud_roles/{id}/users/{cloud_user_id}",
            roles,
            "Remove a user from a role",
            Some(perms::ROLES_MANAGE_USERS),
            |r: Route| r.to(role_user_remove),
        )
        .query(DETAIL_QUERY),
    ]
}

/// A user as the API answers it: never its key.
#[derive(Serialize)]
#[serde(transparent)]
struct Answered(User);

impl Answered {
    fn of(mut user: User) -> Self {
        user.api.key = None;
        Self(user)
    }
}

impl Named for Answered {
    fn id(&self) -> &str {
        &self.0.id
    }

    fn name(&self) -> &str {
        &self.0.name
    }
}

/// The body, checked against its declaration.
fn body(
    bytes: &[u8],
    root: Option<&'static str>,
    fields: &'static [Param],
) -> Result<Fields, ApiError> {
    Fields::parse(bytes, &Body { root, fields })
}

/// The user as it is now; a change that depends on it fails closed.
async fn current_user(act: &ApiAct<'_>, id: &str) -> Result<User, ApiError> {
    act.up
        .client()
        .get_user(id)
        .await
        .map(|fetched| fetched.value)
        .map_err(act.failed())
}

/// Sends a change the page describes, answering the user.
async fn run_user(
    act: &ApiAct<'_>,
    change: Change,
    call: impl Future<Output = Result<User, CloudError>>,
) -> Result<HttpResponse, ApiError> {
    let call = async { call.await.map(Answered::of) };
    act.run(change.action, change.details, StatusCode::OK, USER, call)
        .await
}

// ---- users ----

/// `POST /cloud_users`.
async fn user_create(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let fields = body(&bytes, Some(USER), USER_CREATE_FIELDS)?;
    let act = ApiAct::begin(&ctx, perms::USERS_CREATE, query.account()?, USERS.kind, "").await?;
    let input = cloud_users::form::Input {
        name: Some(fields.text("name")),
        email: Some(fields.text("email")),
        password: fields.untrimmed("password"),
        description: Some(fields.text("description")),
        state: None,
    };
    let (_, request) = cloud_users::form::check_create(input);
    let request = request.map_err(refused)?;
    let call = async {
        act.up
            .client()
            .create_user(&request)
            .await
            .map(Answered::of)
    };
    act.run(
        "cloud_user.create",
        cloud_users::form::create_details(&request),
        StatusCode::CREATED,
        USER,
        call,
    )
    .await
}

/// `PUT /cloud_users/{id}`: a value not sent stays; nothing changed is
/// the user as it is (nothing sent, nothing recorded).
async fn user_update(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = body(&bytes, Some(USER), USER_UPDATE_FIELDS)?;
    let opening = cloud_users::form::edit_flag(|p| ctx.can(p));
    let (act, id) = ApiAct::on_path(&ctx, opening, USERS.kind).await?;
    let user = current_user(&act, &id).await?;
    let input = cloud_users::form::Input {
        name: None,
        email: fields.sent("email"),
        password: fields.untrimmed("password"),
        description: fields.sent("description"),
        state: fields.sent("state"),
    };
    let (_, edit) = cloud_users::form::check_edit(&user, input);
    let edit = edit.map_err(refused)?;
    for flag in edit.flags() {
        ctx.require(flag).await?;
    }
    if !edit.changes_state() {
        ctx.require(opening).await?;
    }
    let details = edit.details();
    if details.is_empty() {
        let news = format!("Nothing to save: {} already has these values.", user.name);
        return Ok(unchanged(USER, &Answered::of(user), &news));
    }
    let request = edit.body();
    let call = async {
        act.up
            .client()
            .update_user(&id, &request)
            .await
            .map(Answered::of)
    };
    act.run(
        "cloud_user.update",
        Value::Object(details),
        StatusCode::OK,
        USER,
        call,
    )
    .await
}

/// `DELETE /cloud_users/{id}`: the verb is the confirmation.
async fn user_delete(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let (act, id) = ApiAct::on_path(&ctx, perms::USERS_DELETE, USERS.kind).await?;
    let user = current_user(&act, &id).await?;
    run_user(
        &act,
        cloud_users::actions::delete_change(&user),
        act.up.client().delete_user(&id),
    )
    .await
}

/// `POST /cloud_users/{id}/role`: a user that has the role already is
/// answered as it is.
async fn user_role(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = body(&bytes, None, ROLE_FIELD)?;
    let (act, id) = ApiAct::on_path(&ctx, perms::USERS_CHANGE_ROLE, USERS.kind).await?;
    let role_id = chosen_id(&fields.text("role_id"))
        .ok()
        .flatten()
        .ok_or_else(|| ApiError::invalid("role_id must be a role's id"))?;
    let mut user = current_user(&act, &id).await?;
    let Some(change) = cloud_users::actions::role_change(&user, &role_id) else {
        let news = format!("Nothing to change: {} already has this role.", user.name);
        return Ok(unchanged(USER, &Answered::of(user), &news));
    };
    let client = act.up.client();
    let call = async {
        let role = client
            .add_role_users(&role_id, std::slice::from_ref(&id))
            .await?;
        user.roles = Some(IdName {
            id: role_id.clone(),
            name: role.name,
        });
        Ok::<_, CloudError>(Answered::of(user))
    };
    act.run(change.action, change.details, StatusCode::OK, USER, call)
        .await
}

/// `POST /cloud_users/{id}/api`.
async fn user_api(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = body(&bytes, None, ACTIVE_FIELD)?;
    let (act, id) = ApiAct::on_path(&ctx, perms::USERS_MANAGE_API, USERS.kind).await?;
    let active = fields
        .flag("active")
        .ok_or_else(|| ApiError::missing("active"))?;
    run_user(
        &act,
        cloud_users::api::api_change(active),
        act.up.client().set_user_api_active(&id, active),
    )
    .await
}

/// `POST /cloud_users/{id}/api/ips`: an address already allowed is refused.
async fn user_ips_add(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = body(&bytes, None, IPS_FIELD)?;
    let (act, id) = ApiAct::on_path(&ctx, perms::USERS_MANAGE_API, USERS.kind).await?;
    let problem = |message: String| refused(FieldErrors::from([("ips", message)]));
    let ips = cloud_users::api::parse_ips(&fields.texts("ips").join(" ")).map_err(problem)?;
    let user = current_user(&act, &id).await?;
    let allowed = match act.up.client().list_user_api_ips(&id).await {
        Ok(fetched) => fetched.value,
        Err(_) => user.api.allowed_ips.clone(),
    };
    cloud_users::api::none_allowed(&ips, &allowed).map_err(problem)?;
    run_user(
        &act,
        cloud_users::api::ips_added(&user.name, &ips),
        act.up.client().add_user_api_ips(&id, &ips),
    )
    .await
}

/// `DELETE /cloud_users/{id}/api/ips/{ip}`.
async fn user_ip_remove(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let (act, id) = ApiAct::on_path(&ctx, perms::USERS_MANAGE_API, USERS.kind).await?;
    let ip = cloud_users::api::chosen_ip(ctx.path("ip")).map_err(ApiError::invalid)?;
    run_user(
        &act,
        cloud_users::api::ip_removed(&ip),
        act.up.client().remove_user_api_ip(&id, &ip),
    )
    .await
}

// ---- roles ----

/// `POST /cloud_roles`: the Cloud Panel takes only a name.
async fn role_create(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let fields = body(&bytes, Some(ROLE), ROLE_CREATE_FIELDS)?;
    let act = ApiAct::begin(&ctx, perms::ROLES_CREATE, query.account()?, ROLES.kind, "").await?;
    let mut errors = FieldErrors::new();
    let name = cloud_roles::form::check_name(&fields.text("name"), &mut errors);
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    act.run(
        "cloud_role.create",
        json!({ "name": name }),
        StatusCode::CREATED,
        ROLE,
        act.up.client().create_role(&name),
    )
    .await
}

/// `PUT /cloud_roles/{id}`: the role's edit page, as every family's edit
/// (see [`edit_route`]).
impl Edited for cloud_roles::form::Edit {
    const BODY_FIELDS: &'static [Param] = &NAME_FIELDS;
}

/// `POST /cloud_roles/{id}/clone`: answers the copy.
async fn role_clone(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = body(&bytes, None, CLONE_FIELD)?;
    let (act, id) = ApiAct::on_path(&ctx, perms::ROLES_CLONE, ROLES.kind).await?;
    let role = act
        .up
        .client()
        .get_role(&id)
        .await
        .map_err(act.failed())?
        .value;
    let name = cloud_roles::form::clone_name(&role, &fields.text("name")).map_err(refused)?;
    act.run(
        "cloud_role.clone",
        cloud_roles::form::clone_details(&role, &name),
        StatusCode::CREATED,
        ROLE,
        act.up.client().clone_role(&id, &name),
    )
    .await
}

/// `DELETE /cloud_roles/{id}`: the verb is the confirmation; the Cloud
/// Panel refuses its built-in roles.
async fn role_delete(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let (act, id) = ApiAct::on_path(&ctx, perms::ROLES_DELETE, ROLES.kind).await?;
    let role = act
        .up
        .client()
        .get_role(&id)
        .await
        .map_err(act.failed())?
        .value;
    let change = cloud_roles::actions::delete_change(&role);
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        ROLE,
        act.up.client().delete_role(&id),
    )
    .await
}

/// `PUT /cloud_roles/{id}/permissions`: the whole matrix wanted; only the
/// flags that differ from the role's are sent and recorded, and a matrix
/// that is already so is the role as it is.
async fn role_permissions(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = body(&bytes, None, PERMISSIONS_FIELD)?;
    if !fields.has("permissions") {
        return Err(ApiError::missing("permissions"));
    }
    let (act, id) = ApiAct::on_path(&ctx, perms::ROLES_MODIFY, ROLES.kind).await?;
    let wanted = cloud_roles::permissions::wanted(fields.texts("permissions"))
        .map_err(|(message, _)| refused(FieldErrors::from([("permissions", message)])))?;
    let client = act.up.client();
    let mut role = client.get_role(&id).await.map_err(act.failed())?.value;
    let current = client
        .get_role_permissions(&id)
        .await
        .map_err(act.failed())?
        .value;
    let patch = cloud_roles::permissions::changes(&current, &wanted);
    if patch.flag_count() == 0 {
        let news = format!(
            "Nothing to save: {} already has these permissions.",
            role.name
        );
        role.permissions = current;
        return Ok(unchanged(ROLE, &role, &news));
    }
    let change = cloud_roles::permissions::saved(&patch);
    let call = async {
        let permissions = client.update_role_permissions(&id, &patch).await?;
        role.permissions = permissions;
        Ok::<_, CloudError>(role)
    };
    act.run(change.action, change.details, StatusCode::OK, ROLE, call)
        .await
}

/// `POST /cloud_roles/{id}/users`.
async fn role_user_add(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = body(&bytes, None, ROLE_USER_FIELD)?;
    let (act, id) = ApiAct::on_path(&ctx, perms::ROLES_MANAGE_USERS, ROLES.kind).await?;
    let user_id = chosen_id(&fields.text("user_id"))
        .ok()
        .flatten()
        .ok_or_else(|| ApiError::invalid("user_id must be a user's id"))?;
    let change = cloud_roles::users::user_added(&user_id);
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        ROLE,
        act.up.client().add_role_users(&id, &[user_id]),
    )
    .await
}

/// `DELETE /cloud_roles/{id}/users/{cloud_user_id}`.
async fn role_user_remove(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let user_id = ctx.object_id("cloud_user_id")?;
    let (act, id) = ApiAct::on_path(&ctx, perms::ROLES_MANAGE_USERS, ROLES.kind).await?;
    let change = cloud_roles::users::user_removed(&user_id);
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        ROLE,
        act.up.client().remove_role_user(&id, &user_id),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudpanel::SecretToken;

    #[test]
    fn an_answered_user_never_carries_its_key() {
        let mut user = User {
            id: "U".into(),
            name: "ops".into(),
            ..User::default()
        };
        user.api.key = Some(SecretToken::new("the-users-key-1234"));
        let answer = serde_json::to_string(&Answered::of(user)).unwrap_or_default();
        assert!(answer.contains("\"ops\""), "{answer}");
        assert!(!answer.contains("the-users-key"), "{answer}");
    }

    #[test]
    fn a_password_is_read_as_sent() {
        let body = br#"{"cloud_user": {"password": " spaced ", "email": null}}"#;
        let fields = super::body(body, Some(USER), USER_UPDATE_FIELDS).unwrap_or_default();
        assert_eq!(fields.untrimmed("password").as_deref(), Some(" spaced "));
        assert_eq!(fields.untrimmed("email"), None);
        assert!(!fields.has("email") && fields.sent("email").is_none());
    }
}
