//! Servers over the API: the list and detail (the servers page's read,
//! search and sorts), and the changes a script needs most — create,
//! rename, power, snapshots and delete — each checked by the same
//! functions as its page (`servers::create::build`, `power::Power`,
//! `rename::check` and `description_check`) and sent on the same audited
//! path.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, Route, web};
use serde_json::{Value, json};

use super::act::{ApiAct, meta, read_failed};
use super::door::ApiCtx;
use super::error::ApiError;
use super::families::Collection;
use super::params::Fields;
use super::routes::DETAIL_QUERY;
use super::routes::{ACCOUNT, ApiRoute, Body, CREATE, Kind, Param, Verb};
use crate::cloudpanel::servers::{Server, UpdateServer};
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::rbac::perms;
use crate::web::cloud::Family;
use crate::web::servers::create::{Values, build};
use crate::web::servers::power::{Power, UNKNOWN_ACTION};
use crate::web::servers::rename::{Described, check, description_check};
use crate::web::servers::{FAMILY, list as pages};

/// The servers, as the servers page lists them.
pub struct Servers;

impl Collection for Servers {
    type Item = Server;

    fn family() -> &'static Family {
        &FAMILY
    }

    fn sorts() -> &'static [(&'static str, &'static str)] {
        pages::SORTS
    }

    async fn load(client: &AccountClient) -> Result<Fetched<Arc<Vec<Server>>>, CloudError> {
        client.list_servers_shared(&ListQuery::all()).await
    }

    fn id(server: &Server) -> &str {
        &server.id
    }

    fn matches(server: &Server, q: &str) -> bool {
        pages::haystack(server)
            .iter()
            .any(|field| field.contains(q))
    }

    fn sort(servers: &mut Vec<&Server>, key: &str) {
        pages::sort_servers(servers, key);
    }
}

const CREATE_FIELDS: &[Param] = &[
    Param::required("name", Kind::Text, "1 to 128 characters."),
    Param::optional("description", Kind::Text, "At most 256 characters."),
    Param::optional(
        "hardware_mode",
        Kind::Text,
        "fixed (the default), custom or baremetal.",
    ),
    Param::optional(
        "fixed_instance_size_id",
        Kind::Text,
        "For fixed: an id of /catalogue/fixed_instance_sizes.",
    ),
    Param::optional(
        "baremetal_model_id",
        Kind::Text,
        "For baremetal: a baremetal model's id.",
    ),
    Param::optional("vcore", Kind::Integer, "For custom: virtual cores."),
    Param::optional(
        "cores_per_processor",
        Kind::Integer,
        "For custom: cores per processor.",
    ),
    Param::optional("ram", Kind::Integer, "For custom: GB of RAM."),
    Param::optional(
        "hdd_size",
        Kind::Integer,
        "For custom: GB of the main disk.",
    ),
    Param::required(
        "appliance_id",
        Kind::Text,
        "The image to install: an id of /catalogue/appliances.",
    ),
    Param::optional(
        "datacenter_id",
        Kind::Text,
        "An id of /catalogue/datacenters; the provider's default when absent.",
    ),
    Param::optional(
        "password",
        Kind::Text,
        "The root password, 8 to 64 characters; never recorded.",
    ),
    Param::optional("ssh_keys", Kind::Texts, "Ids of the account's SSH keys."),
    Param::optional("firewall_policy_id", Kind::Text, "A firewall policy's id."),
    Param::optional("load_balancer_id", Kind::Text, "A load balancer's id."),
    Param::optional(
        "monitoring_policy_id",
        Kind::Text,
        "A monitoring policy's id.",
    ),
    Param::optional(
        "power_on",
        Kind::Boolean,
        "Power on once deployed; true when absent.",
    ),
];

const UPDATE_FIELDS: &[Param] = &[
    Param::required("name", Kind::Text, "1 to 128 characters."),
    Param::optional(
        "description",
        Kind::Text,
        "At most 256 characters; changing it needs servers.set_description.",
    ),
];

const POWER_FIELDS: &[Param] = &[
    Param::required(
        "action",
        Kind::Text,
        "POWER_ON (servers.start), POWER_OFF (servers.shutdown) or REBOOT (servers.restart).",
    ),
    Param::optional(
        "method",
        Kind::Text,
        "SOFTWARE (the default) or HARDWARE; not for POWER_ON.",
    ),
    Param::optional(
        "recovery_image_id",
        Kind::Text,
        "REBOOT only: boot this recovery image.",
    ),
];

const DELETE_QUERY: &[Param] = &[
    ACCOUNT,
    Param::optional(
        "keep_ip",
        Kind::Boolean,
        "true keeps the server's IP addresses in the account.",
    ),
];

pub fn routes() -> Vec<ApiRoute> {
    let tag = FAMILY.title;
    let mut routes = super::families::routes::<Servers>();
    routes.extend([
        ApiRoute::org(
            Verb::Post,
            "/servers",
            tag,
            "Create a server",
            Some(perms::SERVERS_CREATE),
            |r: Route| r.to(create),
        )
        .query(DETAIL_QUERY)
        .body(Body {
            root: Some("server"),
            fields: CREATE_FIELDS,
        })
        .answers(CREATE),
        ApiRoute::org(
            Verb::Put,
            "/servers/{id}",
            tag,
            "Rename a server or change its description",
            Some(perms::SERVERS_SET_NAME),
            |r: Route| r.to(update),
        )
        .query(DETAIL_QUERY)
        .body(Body {
            root: Some("server"),
            fields: UPDATE_FIELDS,
        }),
        ApiRoute::org(
            Verb::Post,
            "/servers/{id}/power",
            tag,
            "Power a server on or off, or reboot it",
            None,
            |r: Route| r.to(power),
        )
        .query(DETAIL_QUERY)
        .body(Body {
            root: None,
            fields: POWER_FIELDS,
        }),
        ApiRoute::org(
            Verb::Delete,
            "/servers/{id}",
            tag,
            "Delete a server",
            Some(perms::SERVERS_DELETE),
            |r: Route| r.to(delete),
        )
        .query(DELETE_QUERY),
        ApiRoute::org(
            Verb::Get,
            "/servers/{id}/snapshots",
            tag,
            "List a server's snapshots",
            Some(perms::SERVERS_SHOW),
            |r: Route| r.to(snapshots),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Post,
            "/servers/{id}/snapshots",
            tag,
            "Take a snapshot of a server",
            Some(perms::SERVERS_MANAGE_SNAPSHOT),
            |r: Route| r.to(snapshot_create),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Post,
            "/servers/{id}/snapshots/{snapshot_id}/restore",
            tag,
            "Restore a server from its snapshot",
            Some(perms::SERVERS_MANAGE_SNAPSHOT),
            |r: Route| r.to(snapshot_restore),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Delete,
            "/servers/{id}/snapshots/{snapshot_id}",
            tag,
            "Delete a server's snapshot",
            Some(perms::SERVERS_MANAGE_SNAPSHOT),
            |r: Route| r.to(snapshot_delete),
        )
        .query(DETAIL_QUERY),
    ]);
    routes
}

fn body(
    bytes: &[u8],
    root: Option<&'static str>,
    fields: &'static [Param],
) -> Result<Fields, ApiError> {
    Fields::parse(bytes, &Body { root, fields })
}

/// `POST /servers`: the values are checked as the create page checks them;
/// each problem is named with its field.
async fn create(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let fields = body(&bytes, Some("server"), CREATE_FIELDS)?;
    let act = ApiAct::begin(
        &ctx,
        perms::SERVERS_CREATE,
        query.account()?,
        FAMILY.kind,
        "",
    )
    .await?;
    let values = Values {
        name: fields.text("name"),
        description: fields.text("description"),
        hardware_mode: match fields.text("hardware_mode") {
            mode if mode.is_empty() => "fixed".to_owned(),
            mode => mode,
        },
        fixed_instance_size_id: fields.text("fixed_instance_size_id"),
        baremetal_model_id: fields.text("baremetal_model_id"),
        vcore: fields.text("vcore"),
        cores_per_processor: fields.text("cores_per_processor"),
        ram: fields.text("ram"),
        hdd_size: fields.text("hdd_size"),
        appliance_id: fields.text("appliance_id"),
        datacenter_id: fields.text("datacenter_id"),
        ssh_keys: fields.texts("ssh_keys"),
        firewall_policy_id: fields.text("firewall_policy_id"),
        load_balancer_id: fields.text("load_balancer_id"),
        monitoring_policy_id: fields.text("monitoring_policy_id"),
        power_on: fields.flag("power_on").unwrap_or(true),
    };
    let appliances = act
        .up
        .client()
        .list_server_appliances(&ListQuery::all())
        .await
        .map(|f| f.value)
        .unwrap_or_default();
    let request = build(&values, &fields.text("password"), &appliances)
        .map_err(|errors| ApiError::fields(errors.into_iter().map(|(f, m)| (f.to_owned(), m))))?;
    let details = json!({
        "name": request.name,
        "appliance_id": request.appliance_id,
        "datacenter_id": request.datacenter_id,
        "fixed_instance_size_id": request.hardware.fixed_instance_size_id,
        "ssh_keys": request.public_key.as_ref().map_or(0, Vec::len),
        "password_set": request.password.is_some(),
    });
    act.run(
        "server.create",
        details,
        StatusCode::CREATED,
        "server",
        act.up.client().create_server(&request),
    )
    .await
}

/// `PUT /servers/{id}`: a member without `servers.set_description` may
/// rename only when the description is seen to stay as it is.
async fn update(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let fields = body(&bytes, Some("server"), UPDATE_FIELDS)?;
    let act = ApiAct::begin(
        &ctx,
        perms::SERVERS_SET_NAME,
        query.account()?,
        FAMILY.kind,
        &id,
    )
    .await?;
    let (name, description) = (fields.text("name"), fields.text("description"));
    check(&name, &description).map_err(ApiError::invalid)?;
    if !ctx.can(perms::SERVERS_SET_DESCRIPTION) {
        match description_check(&act.up, &id, &description).await {
            Described::Same => {}
            Described::Changed => {
                ctx.require(perms::SERVERS_SET_DESCRIPTION).await?;
            }
            Described::Unknown(why) => {
                return Err(ApiError::conflict(format!(
                    "Nothing was changed: the panel could not read the server to check that its \
                     description stays as it is, which the role may not change ({why})."
                )));
            }
        }
    }
    let request = UpdateServer {
        name: name.clone(),
        description: description.clone(),
    };
    act.run(
        "server.rename",
        json!({ "name": name, "description": description }),
        StatusCode::OK,
        "server",
        act.up.client().update_server(&id, &request),
    )
    .await
}

/// `POST /servers/{id}/power`: each action under its own flag.
async fn power(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let fields = body(&bytes, None, POWER_FIELDS)?;
    let power = Power::parse(&fields.text("action")).ok_or(ApiError::invalid(UNKNOWN_ACTION))?;
    let act = ApiAct::begin(&ctx, power.permission, query.account()?, FAMILY.kind, &id).await?;
    let recovery = match fields.text("recovery_image_id") {
        raw if raw.is_empty() || !power.takes_recovery_image() => None,
        raw => Some(
            crate::web::cloud::check_id(&raw)
                .map_err(|_| ApiError::invalid("recovery_image_id is not an id"))?
                .to_owned(),
        ),
    };
    let planned = power
        .change(&fields.text("method"), recovery)
        .map_err(ApiError::invalid)?;
    act.run(
        power.audit_action,
        planned.details,
        StatusCode::OK,
        "server",
        act.up.client().server_action(&id, &planned.body),
    )
    .await
}

/// `DELETE /servers/{id}`: the verb is the confirmation.
async fn delete(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DELETE_QUERY)?;
    let id = ctx.object_id("id")?;
    let keep_ip = match query.get("keep_ip") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::invalid("keep_ip must be true or false")),
    };
    let act = ApiAct::begin(
        &ctx,
        perms::SERVERS_DELETE,
        query.account()?,
        FAMILY.kind,
        &id,
    )
    .await?;
    act.run(
        "server.delete",
        json!({ "keep_ip": keep_ip }),
        StatusCode::OK,
        "server",
        act.up.client().delete_server(&id, keep_ip),
    )
    .await
}

/// `GET /servers/{id}/snapshots`.
async fn snapshots(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let up = ctx.open(perms::SERVERS_SHOW, query.account()?).await?;
    let fetched = up
        .client()
        .list_server_snapshots(&id)
        .await
        .map_err(|e| read_failed(&up, &e))?;
    Ok(HttpResponse::Ok().json(json!({
        "snapshots": fetched.value,
        "meta": meta(&up, &fetched),
    })))
}

async fn snapshot_create(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let (act, id) = ApiAct::on_path(&ctx, perms::SERVERS_MANAGE_SNAPSHOT, FAMILY.kind).await?;
    act.run(
        "server.snapshot_create",
        Value::Null,
        StatusCode::OK,
        "server",
        act.up.client().create_server_snapshot(&id),
    )
    .await
}

async fn snapshot_restore(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let snapshot_id = ctx.object_id("snapshot_id")?;
    let act = ApiAct::begin(
        &ctx,
        perms::SERVERS_MANAGE_SNAPSHOT,
        query.account()?,
        FAMILY.kind,
        &id,
    )
    .await?;
    act.run(
        "server.snapshot_restore",
        json!({ "snapshot_id": snapshot_id }),
        StatusCode::OK,
        "server",
        act.up.client().restore_server_snapshot(&id, &snapshot_id),
    )
    .await
}

async fn snapshot_delete(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let snapshot_id = ctx.object_id("snapshot_id")?;
    let act = ApiAct::begin(
        &ctx,
        perms::SERVERS_MANAGE_SNAPSHOT,
        query.account()?,
        FAMILY.kind,
        &id,
    )
    .await?;
    act.run(
        "server.snapshot_delete",
        json!({ "snapshot_id": snapshot_id }),
        StatusCode::OK,
        "server",
        act.up.client().delete_server_snapshot(&id, &snapshot_id),
    )
    .await
}
