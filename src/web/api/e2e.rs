//! E2E Networks over the API: nodes and saved images are listed and read
//! by the families' list reads (see [`super::families`]), and what a node
//! is made from by the catalogue reads here (`/e2e_catalogue/...`). The
//! changes: a node's creation, rename, saved image, committed plan,
//! reinstall, the simple actions of the node page (each under its own flag,
//! `e2e_nodes::actions::SIMPLE`) and deletion; a saved image's rename and
//! deletion. Each is checked by the same functions as its page
//! (`create::planned`, `actions::parsed_name`, `actions::plan_of`) and
//! recorded with the page's action and details.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, Route, web};
use serde::Serialize;
use serde_json::{Value, json};

use super::act::{ApiAct, meta, read_failed};
use super::door::ApiCtx;
use super::error::ApiError;
use super::params::Fields;
use super::routes::DETAIL_QUERY;
use super::routes::{ACCOUNT, ApiRoute, Body, CREATE, Kind, Param, Verb};
use super::storages::field_errors as refused;
use crate::cloudpanel::CloudError;
use crate::cloudpanel::e2e::{ImageChoice, Node, NodeAction};
use crate::rbac::perms;
use crate::web::cloud::{Change, Named};
use crate::web::e2e_images::{self, FAMILY as IMAGES, find_image};
use crate::web::e2e_nodes::actions::{
    deleted, image_saved, parsed_name, plan_changed, plan_of, reinstalled, renamed, simple,
};
use crate::web::e2e_nodes::create::{Values, created, planned};
use crate::web::e2e_nodes::{Acted, FAMILY, is_numeric_id};

/// What the catalogue is listed under.
const CATALOGUE: &str = "E2E catalogue";

const CREATE_FIELDS: &[Param] = &[
    Param::required(
        "image",
        Kind::Text,
        "An OS image's key from /e2e_catalogue/images, or saved:<template_id> of a ready saved image.",
    ),
    Param::required(
        "plan",
        Kind::Text,
        "A plan of that image: a `plan` of /e2e_catalogue/plans?image=<key>.",
    ),
    Param::required(
        "name",
        Kind::Text,
        "1 to 64 letters, digits, “-”, “_” or “.”.",
    ),
    Param::optional("instances", Kind::Integer, "1 to 5 nodes; 1 when absent."),
    Param::optional(
        "backups",
        Kind::Boolean,
        "Turn backups on; false when absent.",
    ),
    Param::optional("ssh_keys", Kind::Texts, "Public SSH keys, at most 20."),
];

const NAME_FIELD: &[Param] = &[Param::required(
    "name",
    Kind::Text,
    "1 to 64 letters, digits, “-”, “_” or “.”.",
)];

const IMAGE_NAME_FIELD: &[Param] = &[Param::required(
    "name",
    Kind::Text,
    "The saved image's name: 1 to 64 letters, digits, “-”, “_” or “.”.",
)];

const PLAN_FIELDS: &[Param] = &[
    Param::required(
        "billing",
        Kind::Text,
        "What happens when the committed period ends: auto_renew, auto_terminate or hourly_billing.",
    ),
    Param::optional(
        "committed_sku",
        Kind::Integer,
        "For auto_renew: the committed term to renew on (a committed_sku_id of the node's plan).",
    ),
];

const PLANS_QUERY: &[Param] = &[
    ACCOUNT,
    Param::required(
        "image",
        Kind::Text,
        "An OS image's key from /e2e_catalogue/images.",
    ),
];

pub fn routes() -> Vec<ApiRoute> {
    let images = IMAGES.title;
    vec![
        ApiRoute::org(
            Verb::Get,
            "/e2e_catalogue/images",
            CATALOGUE,
            "The OS images a node can be made from, each with the key a creation names",
            Some(perms::E2E_NODES_SHOW),
            |r: Route| r.to(catalogue_images),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Get,
            "/e2e_catalogue/plans",
            CATALOGUE,
            "The plans of an OS image, with their prices and committed terms",
            Some(perms::E2E_NODES_SHOW),
            |r: Route| r.to(catalogue_plans),
        )
        .query(PLANS_QUERY),
        ApiRoute::org(
            Verb::Post,
            "/e2e_nodes",
            FAMILY.title,
            "Create nodes from an OS image or a saved image",
            Some(perms::E2E_NODES_CREATE),
            |r: Route| r.to(create),
        )
        .query(DETAIL_QUERY)
        .body(Body {
            root: Some("e2e_node"),
            fields: CREATE_FIELDS,
        })
        .answers(CREATE),
        ApiRoute::org(
            Verb::Put,
            "/e2e_nodes/{id}",
            FAMILY.title,
            "Rename a node",
            Some(perms::E2E_NODES_RENAME),
            |r: Route| r.to(rename),
        )
        .query(DETAIL_QUERY)
        .body(Body {
            root: Some("e2e_node"),
            fields: NAME_FIELD,
        }),
        ApiRoute::org(
            Verb::Post,
            "/e2e_nodes/{id}/save_image",
            FAMILY.title,
            "Save an image of a powered-off node (listed under e2e_images once ready)",
            Some(perms::E2E_IMAGES_SAVE),
            |r: Route| r.to(save_image),
        )
        .query(DETAIL_QUERY)
        .body(Body {
            root: None,
            fields: IMAGE_NAME_FIELD,
        }),
        ApiRoute::org(
            Verb::Post,
            "/e2e_nodes/{id}/plan",
            FAMILY.title,
            "Choose what happens when a node's committed period ends",
            Some(perms::E2E_NODES_PLAN),
            |r: Route| r.to(plan),
        )
        .query(DETAIL_QUERY)
        .body(Body {
            root: None,
            fields: PLAN_FIELDS,
        }),
        ApiRoute::org(
            Verb::Post,
            "/e2e_nodes/{id}/reinstall",
            FAMILY.title,
            "Reinstall a node: its disk is erased and its image installed afresh",
            Some(perms::E2E_NODES_REINSTALL),
            |r: Route| r.to(reinstall),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Post,
            "/e2e_nodes/{id}/actions/{action}",
            FAMILY.title,
            "Power on, power off or reboot a node, turn its backups on or off, lock or unlock it \
             (action: power_on, power_off, reboot, enable_backups, disable_backups, lock_vm, unlock_vm)",
            None,
            |r: Route| r.to(action),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Delete,
            "/e2e_nodes/{id}",
            FAMILY.title,
            "Delete a node",
            Some(perms::E2E_NODES_DELETE),
            |r: Route| r.to(delete),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Put,
            "/e2e_images/{id}",
            images,
            "Rename a saved image",
            Some(perms::E2E_IMAGES_RENAME),
            |r: Route| r.to(image_rename),
        )
        .query(DETAIL_QUERY)
        .body(Body {
            root: Some("e2e_image"),
            fields: IMAGE_NAME_FIELD,
        }),
        ApiRoute::org(
            Verb::Delete,
            "/e2e_images/{id}",
            images,
            "Delete a saved image",
            Some(perms::E2E_IMAGES_DELETE),
            |r: Route| r.to(image_delete),
        )
        .query(DETAIL_QUERY),
    ]
}

/// A node's id: E2E's are numbers.
fn node_id(ctx: &ApiCtx) -> Result<String, ApiError> {
    let id = ctx.path("id");
    if is_numeric_id(id) {
        Ok(id.to_owned())
    } else {
        Err(ApiError::not_found())
    }
}

/// The node's name for the audit log, from the (cached) node: a change is
/// never held up for it.
async fn node_name(act: &ApiAct<'_>, id: &str) -> String {
    act.up
        .client()
        .get_node(id)
        .await
        .map(|fetched| fetched.value.name)
        .unwrap_or_default()
}

async fn action(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let key = ctx.path("action");
    let Some(simple) = simple(key) else {
        return Err(ApiError::invalid(format!(
            "“{key}” is not an action the panel offers for nodes"
        )));
    };
    let id = node_id(&ctx)?;
    let act = ApiAct::begin(&ctx, simple.flag, query.account()?, FAMILY.kind, &id).await?;
    let name = node_name(&act, &id).await;
    let call = async {
        act.up
            .client()
            .node_action(&id, simple.action, None)
            .await?;
        Ok::<_, CloudError>(Acted::new(&id, &name))
    };
    let change = simple.change();
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        "e2e_node",
        call,
    )
    .await
}

async fn delete(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = node_id(&ctx)?;
    let act = ApiAct::begin(
        &ctx,
        perms::E2E_NODES_DELETE,
        query.account()?,
        FAMILY.kind,
        &id,
    )
    .await?;
    let node = act
        .up
        .client()
        .get_node(&id)
        .await
        .map_err(act.failed())?
        .value;
    let call = async {
        act.up.client().delete_node(&id).await?;
        Ok::<_, CloudError>(Acted::new(&id, &node.name))
    };
    let change = deleted(&node);
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        "e2e_node",
        call,
    )
    .await
}

/// Opens the node (or saved image) of the path for a change under `permission`.
async fn begin<'a>(
    ctx: &'a ApiCtx,
    permission: crate::rbac::Permission,
    kind: &'static str,
) -> Result<(ApiAct<'a>, String), ApiError> {
    ApiAct::on_path_checked(ctx, permission, kind, node_id).await
}

/// Sends a node action the page describes, answering the node it acted on.
async fn act_on(
    act: &ApiAct<'_>,
    change: Change,
    key: &str,
    acted: Acted,
    call: impl Future<Output = Result<(), CloudError>>,
) -> Result<HttpResponse, ApiError> {
    let call = async {
        call.await?;
        Ok::<_, CloudError>(acted)
    };
    act.run(change.action, change.details, StatusCode::OK, key, call)
        .await
}

// ---- the catalogue ----

/// `GET /e2e_catalogue/images`: as the catalogue page lists them.
async fn catalogue_images(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let up = ctx.open(perms::E2E_NODES_SHOW, query.account()?).await?;
    let fetched = up
        .client()
        .image_choices()
        .await
        .map_err(|e| read_failed(&up, &e))?;
    let images: Vec<Value> = fetched
        .value
        .iter()
        .map(|choice| {
            let mut image = serde_json::to_value(choice).unwrap_or(Value::Null);
            image["key"] = Value::String(choice.key());
            image["label"] = Value::String(choice.label());
            image
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "images": images, "meta": meta(&up, &fetched) })))
}

/// `GET /e2e_catalogue/plans?image=<key>`.
async fn catalogue_plans(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(PLANS_QUERY)?;
    let choice = query
        .get("image")
        .and_then(ImageChoice::from_key)
        .ok_or_else(|| ApiError::invalid("image must be a key of /e2e_catalogue/images"))?;
    let up = ctx.open(perms::E2E_NODES_SHOW, query.account()?).await?;
    let fetched = up
        .client()
        .plans(&choice)
        .await
        .map_err(|e| read_failed(&up, &e))?;
    Ok(HttpResponse::Ok().json(json!({ "plans": fetched.value, "meta": meta(&up, &fetched) })))
}

// ---- nodes ----

/// The nodes a creation made: one is its own address; several are listed.
#[derive(Serialize)]
#[serde(transparent)]
struct CreatedNodes {
    nodes: Vec<Node>,
    #[serde(skip)]
    id: String,
    #[serde(skip)]
    name: String,
}

impl CreatedNodes {
    fn of(nodes: Vec<Node>) -> Self {
        let id = match nodes.as_slice() {
            [one] => one.id.clone(),
            _ => String::new(),
        };
        let name = nodes
            .iter()
            .map(|n| n.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        Self { nodes, id, name }
    }
}

impl Named for CreatedNodes {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// `POST /e2e_nodes`: checked against what E2E offers now, as the create
/// page checks it; answers the nodes made (`e2e_nodes`).
async fn create(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let fields = Fields::parse(
        &bytes,
        &Body {
            root: Some("e2e_node"),
            fields: CREATE_FIELDS,
        },
    )?;
    let act = ApiAct::begin(
        &ctx,
        perms::E2E_NODES_CREATE,
        query.account()?,
        FAMILY.kind,
        "",
    )
    .await?;
    let instances = match fields.text("instances") {
        absent if absent.is_empty() => "1".to_owned(),
        given => given,
    };
    let values = Values {
        image: fields.text("image"),
        plan: fields.text("plan"),
        name: fields.text("name"),
        instances,
        backups: if fields.flag("backups").unwrap_or(false) {
            "on".to_owned()
        } else {
            String::new()
        },
        ssh_keys: fields.texts("ssh_keys").join("\n"),
    };
    let request = planned(&act.up, &values).await.map_err(refused)?;
    let change = created(&request);
    let call = async {
        let nodes = act.up.client().create_node(&request).await?;
        Ok::<_, CloudError>(CreatedNodes::of(nodes))
    };
    act.run(
        change.action,
        change.details,
        StatusCode::CREATED,
        FAMILY.word,
        call,
    )
    .await
}

/// `PUT /e2e_nodes/{id}`: the name.
async fn rename(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(
        &bytes,
        &Body {
            root: Some("e2e_node"),
            fields: NAME_FIELD,
        },
    )?;
    let (act, id) = begin(&ctx, perms::E2E_NODES_RENAME, FAMILY.kind).await?;
    let name = parsed_name(&fields.text("name"), "node name").map_err(refused)?;
    let before = node_name(&act, &id).await;
    act_on(
        &act,
        renamed(&name, &before),
        "e2e_node",
        Acted::new(&id, name.as_str()),
        act.up
            .client()
            .node_action(&id, NodeAction::Rename, Some(name.as_str())),
    )
    .await
}

/// `POST /e2e_nodes/{id}/save_image`: under `e2e_images.save`, as E2E's table says.
async fn save_image(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(
        &bytes,
        &Body {
            root: None,
            fields: IMAGE_NAME_FIELD,
        },
    )?;
    let (act, id) = begin(&ctx, perms::E2E_IMAGES_SAVE, FAMILY.kind).await?;
    let image = parsed_name(&fields.text("name"), "image name").map_err(refused)?;
    let name = node_name(&act, &id).await;
    act_on(
        &act,
        image_saved(&image),
        "e2e_node",
        Acted::new(&id, &name),
        act.up
            .client()
            .node_action(&id, NodeAction::SaveImages, Some(image.as_str())),
    )
    .await
}

/// `POST /e2e_nodes/{id}/plan`.
async fn plan(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(
        &bytes,
        &Body {
            root: None,
            fields: PLAN_FIELDS,
        },
    )?;
    let (act, id) = begin(&ctx, perms::E2E_NODES_PLAN, FAMILY.kind).await?;
    let (choice, sku) =
        plan_of(&fields.text("billing"), &fields.text("committed_sku")).map_err(refused)?;
    // Digits only, at most 18 of them: always an i64.
    let node_id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let name = node_name(&act, &id).await;
    act_on(
        &act,
        plan_changed(choice, sku),
        "e2e_node",
        Acted::new(&id, &name),
        act.up.client().update_committed_node(node_id, choice, sku),
    )
    .await
}

/// `POST /e2e_nodes/{id}/reinstall`: the verb is the confirmation; the
/// node is read first for the audit log (a node that cannot be read is
/// not reinstalled).
async fn reinstall(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let (act, id) = begin(&ctx, perms::E2E_NODES_REINSTALL, FAMILY.kind).await?;
    let node = act
        .up
        .client()
        .get_node(&id)
        .await
        .map_err(act.failed())?
        .value;
    act_on(
        &act,
        reinstalled(&node),
        "e2e_node",
        Acted::new(&id, &node.name),
        act.up
            .client()
            .node_action(&id, NodeAction::Reinstall, None),
    )
    .await
}

// ---- saved images ----

/// `PUT /e2e_images/{id}`: the name.
async fn image_rename(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(
        &bytes,
        &Body {
            root: Some("e2e_image"),
            fields: IMAGE_NAME_FIELD,
        },
    )?;
    let (act, id) = begin(&ctx, perms::E2E_IMAGES_RENAME, IMAGES.kind).await?;
    let name = parsed_name(&fields.text("name"), "image name").map_err(refused)?;
    // The name before, for the audit log; the rename does not wait for it.
    let before = find_image(act.up.client(), &id)
        .await
        .map(|f| f.value.name)
        .unwrap_or_default();
    act_on(
        &act,
        e2e_images::actions::renamed(&name, &before),
        "e2e_image",
        Acted::new(&id, name.as_str()),
        act.up.client().rename_saved_image(&id, name.as_str()),
    )
    .await
}

/// `DELETE /e2e_images/{id}`: the verb is the confirmation.
async fn image_delete(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let (act, id) = begin(&ctx, perms::E2E_IMAGES_DELETE, IMAGES.kind).await?;
    let image = find_image(act.up.client(), &id)
        .await
        .map_err(act.failed())?
        .value;
    act_on(
        &act,
        e2e_images::actions::deleted(&image),
        "e2e_image",
        Acted::new(&id, &image.name),
        act.up.client().delete_saved_image(&id),
    )
    .await
}
