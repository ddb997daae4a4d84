//! The changes to block and shared storages over the API: create, rename,
//! attach and detach servers (a shared storage's with their rights),
//! resize a shared storage, change the shared storages' access password,
//! and delete. Each value is checked by its page's own function
//! (`block_storages::create::request`, `shared_storages::create::build`,
//! `storages::check_rename` and `renamed`, `shared_storages::actions::
//! attach_checked`, `resized`, `rights_changed`, `access::check_password`)
//! and each change is recorded with its page's action and details.
//!
//! Also the kit the images and networks routes share: the generic delete
//! of a [`Deletable`] family, a body read into a page's own form type
//! ([`typed`]), and the answer of a change that changes nothing.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, Route, web};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::act::{ApiAct, read_failed};
use super::door::ApiCtx;
use super::error::ApiError;
use super::params::Fields;
use super::routes::DETAIL_QUERY;
use super::routes::{ApiRoute, Body, CREATE, Kind, Param, Verb};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::storages::SharedStorageAccess;
use crate::rbac::perms;
use crate::web::block_storages::actions::{
    CHOOSE_SERVER, NOT_ATTACHED, attach_change, detach_change, server_name,
};
use crate::web::block_storages::create::{self as block_create_page, Values as BlockValues};
use crate::web::block_storages::{FAMILY as BLOCK, list::BlockStorages};
use crate::web::cloud::{Deletable, FieldErrors, Named, chosen_id};
use crate::web::shared_storages::access::{ACCESS_KIND, check_password, password_change};
use crate::web::shared_storages::actions as shared;
use crate::web::shared_storages::create::{self as shared_create_page, Values as SharedValues};
use crate::web::shared_storages::{FAMILY as SHARED, list::SharedStorages};
use crate::web::storages::{Plan, Renamed, SHARED_SIZE, check_rename, renamed};

// ---- the kit shared with images and networks ----

/// A page's form values that cannot be used, each message with its field.
pub(super) fn field_errors(errors: FieldErrors) -> ApiError {
    ApiError::fields(errors.into_iter().map(|(f, m)| (f.to_owned(), m)))
}

/// One value that cannot be used, with its field.
pub(super) fn field_error(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::fields([(field.to_owned(), message.into())])
}

/// The answer of a change that would change nothing: nothing is sent nor
/// recorded (as on the pages, which say it as news); `object` as it is.
pub(super) fn unchanged<T: Serialize>(key: &str, object: &T, news: &str) -> HttpResponse {
    HttpResponse::Ok().json(json!({ key: object, "unchanged": true, "message": news }))
}

/// Answers of a change that may have nothing to change.
pub(super) const CHANGE_OR_SAME: &[(u16, &str)] = &[
    (
        200,
        "Done: the object as the provider answered; or nothing to change (`unchanged`: true, \
         with `message`): nothing sent nor recorded.",
    ),
    (
        202,
        "Queued for the account's request budget: `queued.status_url` tells when it ran.",
    ),
];

/// The body, checked as `spec` declares it ([`Fields::parse`]: unknown,
/// missing and mistyped fields are 422s), read into a page's own form
/// type: a field left out stays out (the form's `None` or default), a
/// number is taken as its digits. Values are passed as sent, like a form's.
pub(super) fn typed<T: DeserializeOwned>(bytes: &[u8], spec: &Body) -> Result<T, ApiError> {
    Fields::parse(bytes, spec)?;
    let whole: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(bytes)
            .map_err(|_| ApiError::invalid("The body must be a JSON object."))?
    };
    let fields = match spec.root {
        Some(root) => whole.get(root).cloned(),
        None => Some(whole),
    };
    let Some(Value::Object(fields)) = fields else {
        return from_fields(Map::new());
    };
    let fields = fields
        .into_iter()
        .filter_map(|(name, value)| match value {
            Value::Null => None,
            Value::Number(n) => Some((name, Value::String(n.to_string()))),
            other => Some((name, other)),
        })
        .collect();
    from_fields(fields)
}

fn from_fields<T: DeserializeOwned>(fields: Map<String, Value>) -> Result<T, ApiError> {
    // The reader's words could quote a value (a password): they are not repeated.
    serde_json::from_value(Value::Object(fields))
        .map_err(|_| ApiError::invalid("A field of the body is not of the kind it takes."))
}

/// `DELETE /<family>/{id}` of a family its pages delete with
/// [`Deletable`]: the verb is the confirmation (no typed name). The object
/// is read first, for what its deletion takes with it (fail closed when it
/// cannot be read), and the deletion is recorded as its page records it.
pub(super) fn delete_route<F: Deletable>() -> ApiRoute
where
    F::Answer: Serialize,
{
    let family = F::FAMILY;
    ApiRoute::org(
        Verb::Delete,
        &format!("/{}/{{id}}", family.word),
        family.title,
        format!("Delete a {}", family.one),
        Some(F::DELETE),
        |r: Route| r.to(delete::<F>),
    )
    .query(DETAIL_QUERY)
}

async fn delete<F: Deletable>(ctx: ApiCtx) -> Result<HttpResponse, ApiError>
where
    F::Answer: Serialize,
{
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let kind = F::FAMILY.kind;
    let act = ApiAct::begin(&ctx, F::DELETE, query.account()?, kind, &id).await?;
    let current = F::get(act.up.client(), &id)
        .await
        .map_err(|e| read_failed(&act.up, &e))?
        .value;
    act.run(
        F::ACTION,
        F::details(&current),
        StatusCode::OK,
        kind,
        F::delete(act.up.client(), &id),
    )
    .await
}

// ---- name and description ----

const RENAME_FIELDS: &[Param] = &[
    Param::optional(
        "name",
        Kind::Text,
        "1 to 128 characters; absent, it stays. A new name needs the family's set_name permission.",
    ),
    Param::optional(
        "description",
        Kind::Text,
        "At most 256 characters (empty clears it); absent, it stays. A new description needs \
         the family's set_description permission.",
    ),
];

/// What a rename's body names; a field left out stays as it is.
#[derive(Deserialize)]
struct Rename {
    name: Option<String>,
    description: Option<String>,
}

fn rename_route<S: Renamed>() -> ApiRoute
where
    S::Item: Serialize,
{
    let family = S::FAMILY;
    ApiRoute::org(
        Verb::Put,
        &format!("/{}/{{id}}", family.word),
        family.title,
        format!(
            "Rename a {} or change its description ({} for a new name, {} for a new description)",
            family.one,
            S::FLAGS.name,
            S::FLAGS.description
        ),
        None,
        |r: Route| r.to(rename::<S>),
    )
    .query(DETAIL_QUERY)
    .body(Body {
        root: Some(family.kind),
        fields: RENAME_FIELDS,
    })
    .answers(CHANGE_OR_SAME)
}

/// `PUT /<family>/{id}`: the storage page's rename (`storages::rename`):
/// only what changes is sent, each change under its own flag.
async fn rename<S: Renamed>(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError>
where
    S::Item: Serialize,
{
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let kind = S::FAMILY.kind;
    let typed: Rename = typed(
        &bytes,
        &Body {
            root: Some(kind),
            fields: RENAME_FIELDS,
        },
    )?;
    let first = S::FLAGS.first_of(|flag| ctx.can(flag));
    let act = ApiAct::begin(&ctx, first, query.account()?, kind, &id).await?;
    // The current values first: what is left out stays, and only what
    // changes needs its flag (fail closed when they cannot be read).
    let current = S::get(act.up.client(), &id)
        .await
        .map_err(|e| read_failed(&act.up, &e))?
        .value;
    let name = typed.name.as_deref().map_or(current.name(), str::trim);
    let description = typed
        .description
        .as_deref()
        .map_or(S::description(&current), str::trim);
    let errors = check_rename(name, description);
    if !errors.is_empty() {
        return Err(field_errors(errors));
    }
    let Some(rename) = renamed(
        S::FLAGS,
        (current.name(), S::description(&current)),
        (name, description),
    ) else {
        return Ok(unchanged(
            kind,
            &current,
            "Nothing changed: these are the current values.",
        ));
    };
    for flag in &rename.flags {
        ctx.require(*flag).await?;
    }
    act.run(
        S::RENAME,
        rename.details,
        StatusCode::OK,
        kind,
        S::update(act.up.client(), &id, &rename.body),
    )
    .await
}

// ---- block storages ----

const BLOCK_CREATE_FIELDS: &[Param] = &[
    Param::required("name", Kind::Text, "1 to 128 characters."),
    Param::optional("description", Kind::Text, "At most 256 characters."),
    Param::required("size", Kind::Integer, "GB: 20 to 500 in steps of 10."),
    Param::optional(
        "datacenter_id",
        Kind::Text,
        "An id of /catalogue/datacenters; the account's default when absent.",
    ),
    Param::optional(
        "server_id",
        Kind::Text,
        "A server of the same datacenter to attach it to once ready; needs \
         block_storages.manage_attached_server too.",
    ),
];

const BLOCK_CREATE: Body = Body {
    root: Some("block_storage"),
    fields: BLOCK_CREATE_FIELDS,
};

const BLOCK_ATTACH: Body = Body {
    root: None,
    fields: &[Param::required(
        "server_id",
        Kind::Text,
        "The server to attach it to.",
    )],
};

// ---- shared storages ----

const SHARED_CREATE_FIELDS: &[Param] = &[
    Param::required("name", Kind::Text, "1 to 128 characters."),
    Param::optional("description", Kind::Text, "At most 256 characters."),
    Param::required("size", Kind::Integer, "GB: 50 to 2000 in steps of 50."),
    Param::optional(
        "datacenter_id",
        Kind::Text,
        "An id of /catalogue/datacenters; the account's default when absent.",
    ),
];

const SHARED_CREATE: Body = Body {
    root: Some("shared_storage"),
    fields: SHARED_CREATE_FIELDS,
};

const RESIZE: Body = Body {
    root: None,
    fields: &[Param::required(
        "size",
        Kind::Integer,
        "GB: 50 to 2000 in steps of 50, at least the current size (a shared storage never shrinks).",
    )],
};

const RIGHTS: Param = Param::required(
    "rights",
    Kind::Text,
    "R (read only) or RW (read and write).",
);

const SHARED_ATTACH: Body = Body {
    root: None,
    fields: &[
        Param::required(
            "server_id",
            Kind::Text,
            "A server without access yet (change a server's rights with …/rights).",
        ),
        RIGHTS,
    ],
};

const SHARED_RIGHTS: Body = Body {
    root: None,
    fields: &[RIGHTS],
};

const PASSWORD: Body = Body {
    root: None,
    fields: &[
        Param::required(
            "password",
            Kind::Text,
            "8 to 64 characters with an uppercase letter, a digit and a special character; \
             never recorded nor answered.",
        ),
        Param::required("password_repeat", Kind::Text, "The same password again."),
    ],
};

/// Answers of the password change.
const PASSWORD_ANSWERS: &[(u16, &str)] = &[
    (
        200,
        "Done: `shared_storage_access`, the credentials' state per datacenter (never the password).",
    ),
    (
        202,
        "Queued for the account's request budget: `queued.status_url` tells when it ran.",
    ),
];

pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::org(
            Verb::Post,
            "/block_storages",
            BLOCK.title,
            "Create a block storage (attaching it to a server also needs \
             block_storages.manage_attached_server)",
            Some(perms::BLOCK_STORAGES_CREATE),
            |r: Route| r.to(block_create),
        )
        .query(DETAIL_QUERY)
        .body(BLOCK_CREATE)
        .answers(CREATE),
        rename_route::<BlockStorages>(),
        ApiRoute::org(
            Verb::Post,
            "/block_storages/{id}/server",
            BLOCK.title,
            "Attach a block storage to a server",
            Some(perms::BLOCK_STORAGES_MANAGE_ATTACHED_SERVER),
            |r: Route| r.to(block_attach),
        )
        .query(DETAIL_QUERY)
        .body(BLOCK_ATTACH),
        ApiRoute::org(
            Verb::Delete,
            "/block_storages/{id}/server",
            BLOCK.title,
            "Detach a block storage from its server",
            Some(perms::BLOCK_STORAGES_MANAGE_ATTACHED_SERVER),
            |r: Route| r.to(block_detach),
        )
        .query(DETAIL_QUERY),
        delete_route::<BlockStorages>(),
        ApiRoute::org(
            Verb::Post,
            "/shared_storages/access/password",
            SHARED.title,
            "Change the access password of the account's shared storages",
            Some(perms::SHARED_STORAGES_ACCESS),
            |r: Route| r.to(access_password),
        )
        .query(DETAIL_QUERY)
        .body(PASSWORD)
        .answers(PASSWORD_ANSWERS),
        ApiRoute::org(
            Verb::Post,
            "/shared_storages",
            SHARED.title,
            "Create a shared storage",
            Some(perms::SHARED_STORAGES_CREATE),
            |r: Route| r.to(shared_create),
        )
        .query(DETAIL_QUERY)
        .body(SHARED_CREATE)
        .answers(CREATE),
        rename_route::<SharedStorages>(),
        ApiRoute::org(
            Verb::Post,
            "/shared_storages/{id}/resize",
            SHARED.title,
            "Resize a shared storage",
            Some(perms::SHARED_STORAGES_RESIZE),
            |r: Route| r.to(shared_resize),
        )
        .query(DETAIL_QUERY)
        .body(RESIZE)
        .answers(CHANGE_OR_SAME),
        ApiRoute::org(
            Verb::Post,
            "/shared_storages/{id}/servers",
            SHARED.title,
            "Give a server access to a shared storage",
            Some(perms::SHARED_STORAGES_MANAGE_ATTACHED_SERVERS),
            |r: Route| r.to(shared_attach),
        )
        .query(DETAIL_QUERY)
        .body(SHARED_ATTACH),
        ApiRoute::org(
            Verb::Post,
            "/shared_storages/{id}/servers/{server_id}/rights",
            SHARED.title,
            "Change a server's rights on a shared storage (rights it has already: `unchanged`, \
             with its entry under `server`)",
            Some(perms::SHARED_STORAGES_MANAGE_ATTACHED_SERVERS),
            |r: Route| r.to(shared_rights),
        )
        .query(DETAIL_QUERY)
        .body(SHARED_RIGHTS)
        .answers(CHANGE_OR_SAME),
        ApiRoute::org(
            Verb::Delete,
            "/shared_storages/{id}/servers/{server_id}",
            SHARED.title,
            "Take a server's access to a shared storage away",
            Some(perms::SHARED_STORAGES_MANAGE_ATTACHED_SERVERS),
            |r: Route| r.to(shared_detach),
        )
        .query(DETAIL_QUERY),
        delete_route::<SharedStorages>(),
    ]
}

/// `POST /block_storages`: the create page's checks (a server to attach
/// must be in the storage's datacenter).
async fn block_create(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let values = typed::<BlockValues>(&bytes, &BLOCK_CREATE)?.trimmed();
    let act = ApiAct::begin(
        &ctx,
        perms::BLOCK_STORAGES_CREATE,
        query.account()?,
        BLOCK.kind,
        "",
    )
    .await?;
    // Attaching on creation is an attach: it needs that flag as well.
    if let Some(flag) = values.attach_flag() {
        ctx.require(flag).await?;
    }
    let request = block_create_page::request(&act.up, &values)
        .await
        .map_err(field_errors)?;
    let change = block_create_page::change(&request);
    act.run(
        change.action,
        change.details,
        StatusCode::CREATED,
        BLOCK.kind,
        act.up.client().create_block_storage(&request),
    )
    .await
}

async fn block_attach(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let fields = Fields::parse(&bytes, &BLOCK_ATTACH)?;
    let act = ApiAct::begin(
        &ctx,
        perms::BLOCK_STORAGES_MANAGE_ATTACHED_SERVER,
        query.account()?,
        BLOCK.kind,
        &id,
    )
    .await?;
    let Ok(Some(server_id)) = chosen_id(&fields.text("server_id")) else {
        return Err(field_error("server_id", CHOOSE_SERVER));
    };
    let change = attach_change(&server_id, server_name(&act.up, &server_id).await);
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        BLOCK.kind,
        act.up.client().attach_block_storage(&id, &server_id),
    )
    .await
}

/// `DELETE /block_storages/{id}/server`: the server it is attached to now
/// is read first, to be named in the audit log.
async fn block_detach(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let act = ApiAct::begin(
        &ctx,
        perms::BLOCK_STORAGES_MANAGE_ATTACHED_SERVER,
        query.account()?,
        BLOCK.kind,
        &id,
    )
    .await?;
    let server = match act.up.client().get_block_storage_server(&id).await {
        Ok(fetched) => fetched.value,
        Err(CloudError::NotFound { .. }) => {
            return Err(ApiError::conflict(format!(
                "{NOT_ATTACHED} Nothing was changed."
            )));
        }
        Err(e) => return Err(read_failed(&act.up, &e)),
    };
    let change = detach_change(&server);
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        BLOCK.kind,
        act.up.client().detach_block_storage(&id),
    )
    .await
}

async fn shared_create(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let values = typed::<SharedValues>(&bytes, &SHARED_CREATE)?.trimmed();
    let act = ApiAct::begin(
        &ctx,
        perms::SHARED_STORAGES_CREATE,
        query.account()?,
        SHARED.kind,
        "",
    )
    .await?;
    let request = shared_create_page::build(&values).map_err(field_errors)?;
    let change = shared_create_page::change(&request);
    act.run(
        change.action,
        change.details,
        StatusCode::CREATED,
        SHARED.kind,
        act.up.client().create_shared_storage(&request),
    )
    .await
}

/// `POST /shared_storages/{id}/resize`: it grows, never shrinks.
async fn shared_resize(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let fields = Fields::parse(&bytes, &RESIZE)?;
    let act = ApiAct::begin(
        &ctx,
        perms::SHARED_STORAGES_RESIZE,
        query.account()?,
        SHARED.kind,
        &id,
    )
    .await?;
    let size = SHARED_SIZE
        .parse(&fields.text("size"))
        .map_err(|message| field_error("size", message))?;
    let current = act
        .up
        .client()
        .get_shared_storage(&id)
        .await
        .map_err(|e| read_failed(&act.up, &e))?
        .value;
    let (body, change) = match shared::resized(&current, size) {
        Plan::Send(planned) => planned,
        Plan::Same(news) => return Ok(unchanged(SHARED.kind, &current, &news)),
        Plan::Refused(message) => return Err(field_error("size", message)),
    };
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        SHARED.kind,
        act.up.client().update_shared_storage(&id, &body),
    )
    .await
}

async fn shared_attach(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let fields = Fields::parse(&bytes, &SHARED_ATTACH)?;
    let act = ApiAct::begin(
        &ctx,
        perms::SHARED_STORAGES_MANAGE_ATTACHED_SERVERS,
        query.account()?,
        SHARED.kind,
        &id,
    )
    .await?;
    let client = act.up.client();
    let (server_id, rights) = shared::attach_checked(
        client,
        &id,
        &fields.text("server_id"),
        &fields.text("rights"),
    )
    .await
    .map_err(|e| read_failed(&act.up, &e))?
    .map_err(field_errors)?;
    let server_name = shared::server_name(&act.up, &server_id).await;
    let (grant, change) = shared::attach_change(&server_id, server_name, rights);
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        SHARED.kind,
        client.attach_shared_storage_servers(&id, &grant),
    )
    .await
}

/// `POST /shared_storages/{id}/servers/{server_id}/rights`: the verb is the
/// confirmation a lowering takes on the page.
async fn shared_rights(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let server_id = ctx.object_id("server_id")?;
    let fields = Fields::parse(&bytes, &SHARED_RIGHTS)?;
    let act = ApiAct::begin(
        &ctx,
        perms::SHARED_STORAGES_MANAGE_ATTACHED_SERVERS,
        query.account()?,
        SHARED.kind,
        &id,
    )
    .await?;
    let Some(rights) = shared::parse_rights(&fields.text("rights")) else {
        return Err(field_error("rights", shared::CHOOSE_RIGHTS));
    };
    let client = act.up.client();
    let current = match client.get_shared_storage_server(&id, &server_id).await {
        Ok(fetched) => fetched.value,
        Err(CloudError::NotFound { .. }) => {
            return Err(ApiError::conflict(format!(
                "{} Nothing was changed.",
                shared::NO_ACCESS
            )));
        }
        Err(e) => return Err(read_failed(&act.up, &e)),
    };
    let (grant, change) = match shared::rights_changed(&server_id, &current, rights) {
        Plan::Send(planned) => planned,
        Plan::Same(news) => return Ok(unchanged("server", &current, &news)),
        Plan::Refused(message) => return Err(field_error("rights", message)),
    };
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        SHARED.kind,
        client.attach_shared_storage_servers(&id, &grant),
    )
    .await
}

async fn shared_detach(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let server_id = ctx.object_id("server_id")?;
    let act = ApiAct::begin(
        &ctx,
        perms::SHARED_STORAGES_MANAGE_ATTACHED_SERVERS,
        query.account()?,
        SHARED.kind,
        &id,
    )
    .await?;
    let change = shared::detach_change(&server_id, shared::server_name(&act.up, &server_id).await);
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        SHARED.kind,
        act.up
            .client()
            .detach_shared_storage_server(&id, &server_id),
    )
    .await
}

/// The password body. Deliberately without `Debug`: nothing prints it.
#[derive(Deserialize)]
struct NewPassword {
    password: String,
    password_repeat: String,
}

/// What a password change answers: the credentials' state per datacenter,
/// for following it (never a password nor a key: see [`SharedStorageAccess`]).
#[derive(Serialize)]
#[serde(transparent)]
struct AccessState(Vec<SharedStorageAccess>);

impl Named for AccessState {
    fn id(&self) -> &str {
        ""
    }

    fn name(&self) -> &str {
        ""
    }
}

/// `POST /shared_storages/access/password`: the access page's change. The
/// password is sent to the Cloud Panel and nowhere else: not logged, not
/// in the audit log (its details say only that it changed), not answered.
async fn access_password(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let typed: NewPassword = typed(&bytes, &PASSWORD)?;
    let act = ApiAct::begin(
        &ctx,
        perms::SHARED_STORAGES_ACCESS,
        query.account()?,
        ACCESS_KIND,
        "",
    )
    .await?;
    let errors = check_password(&typed.password, &typed.password_repeat);
    if !errors.is_empty() {
        return Err(field_errors(errors));
    }
    let change = password_change();
    let client = act.up.client();
    let call = async {
        client
            .set_shared_storage_access_password(&typed.password)
            .await
            .map(AccessState)
    };
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        ACCESS_KIND,
        call,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Body = Body {
        root: Some("block_storage"),
        fields: RENAME_FIELDS,
    };

    #[derive(Deserialize)]
    struct SizeForm {
        size: Option<String>,
        name: Option<String>,
    }

    #[test]
    fn a_body_is_read_into_the_forms_type_as_a_form_would_send_it() {
        let rename: Rename = typed(
            br#"{"block_storage": {"name": " web ", "description": null}}"#,
            &SPEC,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rename.name.as_deref(), Some(" web "), "values as sent");
        assert_eq!(rename.description, None, "null is left out");
        let empty: Rename = typed(b"", &SPEC).unwrap_or_else(|e| panic!("{e}"));
        assert!(empty.name.is_none() && empty.description.is_none());
        const SIZE: &[Param] = &[Param::optional("size", Kind::Integer, "")];
        let spec = Body {
            root: None,
            fields: SIZE,
        };
        let sized: SizeForm = typed(br#"{"size": 40}"#, &spec).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sized.size.as_deref(), Some("40"), "a number as its digits");
        assert!(sized.name.is_none());
    }

    #[test]
    fn a_body_the_route_does_not_declare_is_refused_before_it_is_read() {
        let (status, answer) = typed::<Rename>(br#"{"block_storage": {"size": 40}}"#, &SPEC)
            .err()
            .map(|e| e.parts())
            .unwrap_or_default();
        assert_eq!((status, &answer["unpermitted"]), (422, &json!(["size"])));
        let (status, _) = typed::<Rename>(br#"{"block_storage": {"name": true}}"#, &SPEC)
            .err()
            .map(|e| e.parts())
            .unwrap_or_default();
        assert_eq!(status, 422);
    }
}
