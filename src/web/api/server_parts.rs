//! A server's parts over the API: its disks, IPs and private networks read
//! on their own, and the changes of the server page's cards besides those
//! of [`super::servers`] — hardware and disks, reinstall, IPs with their
//! firewall policy and load balancers, private networks, the DVD, and
//! cloning. Each is checked by the same function as its card
//! (`servers::hardware::planned_resize`, `disk_size`,
//! `image::reinstall_request`, `servers::chosen`, `clone::clone_request`)
//! under the card's flag, and recorded with the card's audit action.
//!
//! The cards' confirm steps (a typed name to reinstall, "yes" to remove)
//! are the verb here, as for the server's own delete.

use std::cell::RefCell;

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, LOCATION};
use actix_web::{HttpResponse, Route, web};
use serde::Serialize;
use serde_json::{Value, json};

use super::act::{ApiAct, meta, read_failed};
use super::door::ApiCtx;
use super::error::ApiError;
use super::params::Fields;
use super::routes::DETAIL_QUERY;
use super::routes::{ACCOUNT, ApiRoute, Body, CREATE, Kind, Param, Verb};
use crate::cloudpanel::servers::{AddHdds, NewHdd, Server};
use crate::cloudpanel::{CloudError, Fetched, ListQuery};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{Named, Upstream, chosen_id};
use crate::web::error::AppResult;
use crate::web::servers::clone::{clone_details, clone_request};
use crate::web::servers::dvd::CHOOSE_ISO;
use crate::web::servers::hardware::{disk_size, planned_resize};
use crate::web::servers::image::reinstall_request;
use crate::web::servers::ips::{CHOOSE_LOAD_BALANCER, CHOOSE_POLICY, new_ip};
use crate::web::servers::networks::CHOOSE_NETWORK;
use crate::web::servers::{FAMILY, chosen};

const HARDWARE_FIELDS: &[Param] = &[
    Param::optional(
        "fixed_instance_size_id",
        Kind::Text,
        "An id of /catalogue/fixed_instance_sizes; when given, the custom values are ignored.",
    ),
    Param::optional("vcore", Kind::Integer, "Custom: virtual cores, 1 to 16."),
    Param::optional(
        "cores_per_processor",
        Kind::Integer,
        "Custom: cores per processor, 1 to 16: 1, an even number or the vCores.",
    ),
    Param::optional(
        "ram",
        Kind::Text,
        "Custom: GB of RAM, 1 to 128 in steps of 0.5 (a number or its text).",
    ),
];

const HDD_FIELDS: &[Param] = &[Param::required(
    "size",
    Kind::Integer,
    "GB, 20 to 2000 in steps of 20.",
)];

const IMAGE_FIELDS: &[Param] = &[
    Param::required(
        "image_id",
        Kind::Text,
        "The image to install: an id of /catalogue/appliances.",
    ),
    Param::optional(
        "password",
        Kind::Text,
        "A new root password, 8 to 64 characters; never recorded.",
    ),
];

const FIREWALL_FIELDS: &[Param] = &[Param::required(
    "firewall_policy_id",
    Kind::Text,
    "The firewall policy the IP goes under (it leaves its current one).",
)];

const LOAD_BALANCER_FIELDS: &[Param] = &[Param::required(
    "load_balancer_id",
    Kind::Text,
    "The load balancer the IP is attached to.",
)];

const NETWORK_FIELDS: &[Param] = &[Param::required(
    "private_network_id",
    Kind::Text,
    "The private network the server joins.",
)];

const DVD_FIELDS: &[Param] = &[Param::required(
    "iso_id",
    Kind::Text,
    "The ISO image to load: an id of the Cloud Panel's DVD ISOs.",
)];

const CLONE_FIELDS: &[Param] = &[
    Param::required("name", Kind::Text, "The copy's name, 1 to 128 characters."),
    Param::optional(
        "datacenter_id",
        Kind::Text,
        "An id of /catalogue/datacenters; the server's own when absent.",
    ),
];

const REMOVE_IP_QUERY: &[Param] = &[
    ACCOUNT,
    Param::optional(
        "keep_ip",
        Kind::Boolean,
        "true releases the IP from the server but keeps it in the account.",
    ),
];

/// A route of the servers' tag on `/servers/{id}…`.
fn route(
    verb: Verb,
    rest: &str,
    summary: &str,
    permission: Permission,
    to: fn(Route) -> Route,
) -> ApiRoute {
    ApiRoute::org(
        verb,
        &format!("/servers/{{id}}{rest}"),
        FAMILY.title,
        summary,
        Some(permission),
        to,
    )
    .query(DETAIL_QUERY)
}

pub fn routes() -> Vec<ApiRoute> {
    vec![
        // What the DVD card offers: the catalogue's other lists are in
        // `catalogue.rs`; this one serves the card's change below.
        ApiRoute::org(
            Verb::Get,
            "/catalogue/dvd_isos",
            "Catalogue",
            "The ISO images a server's DVD drive can load",
            Some(perms::SERVERS_SHOW),
            |r: Route| r.to(dvd_isos),
        )
        .query(DETAIL_QUERY),
        route(
            Verb::Get,
            "/hdds",
            "List a server's disks",
            perms::SERVERS_SHOW,
            |r: Route| r.to(hdds),
        ),
        route(
            Verb::Get,
            "/ips",
            "List a server's IP addresses, each with its firewall policy and load balancers",
            perms::SERVERS_SHOW,
            |r: Route| r.to(ips),
        ),
        route(
            Verb::Get,
            "/private_networks",
            "List the private networks a server is in",
            perms::SERVERS_SHOW,
            |r: Route| r.to(private_networks),
        ),
        route(
            Verb::Put,
            "/hardware",
            "Resize a server: a fixed size, or custom vCores, cores per processor and RAM",
            perms::SERVERS_RESIZE,
            |r: Route| r.to(resize),
        )
        .body(Body {
            root: Some("hardware"),
            fields: HARDWARE_FIELDS,
        }),
        route(
            Verb::Post,
            "/hdds",
            "Add a disk to a server",
            perms::SERVERS_RESIZE,
            |r: Route| r.to(add_hdd),
        )
        .body(Body {
            root: Some("hdd"),
            fields: HDD_FIELDS,
        }),
        route(
            Verb::Put,
            "/hdds/{hdd_id}",
            "Resize a server's disk",
            perms::SERVERS_RESIZE,
            |r: Route| r.to(resize_hdd),
        )
        .body(Body {
            root: Some("hdd"),
            fields: HDD_FIELDS,
        }),
        route(
            Verb::Delete,
            "/hdds/{hdd_id}",
            "Remove a server's disk",
            perms::SERVERS_RESIZE,
            |r: Route| r.to(remove_hdd),
        ),
        route(
            Verb::Post,
            "/image",
            "Reinstall a server from an image, optionally with a new root password",
            perms::SERVERS_REINSTALL,
            |r: Route| r.to(reinstall),
        )
        .body(Body::flat(IMAGE_FIELDS)),
        route(
            Verb::Post,
            "/ips",
            "Add an IPv4 address to a server",
            perms::SERVERS_ASSIGN_IP,
            |r: Route| r.to(add_ip),
        ),
        route(
            Verb::Delete,
            "/ips/{ip_id}",
            "Remove an IP address from a server",
            perms::SERVERS_ASSIGN_IP,
            |r: Route| r.to(remove_ip),
        )
        .query(REMOVE_IP_QUERY),
        route(
            Verb::Post,
            "/ips/{ip_id}/firewall",
            "Put a server's IP under a firewall policy",
            perms::FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS,
            |r: Route| r.to(ip_firewall),
        )
        .body(Body::flat(FIREWALL_FIELDS)),
        route(
            Verb::Post,
            "/ips/{ip_id}/load_balancers",
            "Attach a server's IP to a load balancer",
            perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS,
            |r: Route| r.to(ip_add_lb),
        )
        .body(Body::flat(LOAD_BALANCER_FIELDS)),
        route(
            Verb::Delete,
            "/ips/{ip_id}/load_balancers/{lb_id}",
            "Detach a server's IP from a load balancer",
            perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS,
            |r: Route| r.to(ip_remove_lb),
        ),
        route(
            Verb::Post,
            "/private_networks",
            "Attach a server to a private network",
            perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
            |r: Route| r.to(attach_network),
        )
        .body(Body::flat(NETWORK_FIELDS)),
        route(
            Verb::Delete,
            "/private_networks/{network_id}",
            "Take a server out of a private network",
            perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
            |r: Route| r.to(detach_network),
        ),
        route(
            Verb::Post,
            "/dvd",
            "Load an ISO image into a server's DVD drive",
            perms::SERVERS_MANAGE_DVD,
            |r: Route| r.to(load_dvd),
        )
        .body(Body::flat(DVD_FIELDS)),
        route(
            Verb::Post,
            "/dvd/eject",
            "Eject a server's DVD",
            perms::SERVERS_MANAGE_DVD,
            |r: Route| r.to(eject_dvd),
        ),
        route(
            Verb::Post,
            "/clone",
            "Clone a server under a new name, optionally into another data centre",
            perms::SERVERS_CLONE,
            |r: Route| r.to(clone),
        )
        .body(Body::flat(CLONE_FIELDS))
        .answers(CREATE),
    ]
}

// ---- reads ----

/// A read of one of the server's parts, with how old it is.
async fn part<T: Serialize>(
    ctx: ApiCtx,
    key: &str,
    read: impl AsyncFnOnce(&Upstream, &str) -> Result<Fetched<T>, CloudError>,
) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let up = ctx.open(FAMILY.show, query.account()?).await?;
    let fetched = read(&up, &id).await.map_err(|e| read_failed(&up, &e))?;
    Ok(HttpResponse::Ok().json(json!({
        key: fetched.value,
        "meta": meta(&up, &fetched),
    })))
}

async fn hdds(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    part(ctx, "hdds", async |up: &Upstream, id: &str| {
        up.client().list_server_hdds(id).await
    })
    .await
}

async fn ips(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    part(ctx, "ips", async |up: &Upstream, id: &str| {
        up.client().list_server_ips(id).await
    })
    .await
}

async fn private_networks(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    part(ctx, "private_networks", async |up: &Upstream, id: &str| {
        up.client().list_server_private_networks(id).await
    })
    .await
}

async fn dvd_isos(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let up = ctx.open(FAMILY.show, query.account()?).await?;
    let fetched = up
        .client()
        .list_dvd_isos(&ListQuery::all())
        .await
        .map_err(|e| read_failed(&up, &e))?;
    Ok(HttpResponse::Ok().json(json!({
        "dvd_isos": fetched.value,
        "meta": meta(&up, &fetched),
    })))
}

// ---- changes ----

/// A change to the server of the path: the route's query and body checked,
/// then the flag, the account and the server's id.
struct Change<'a> {
    act: ApiAct<'a>,
    id: String,
    fields: Fields,
}

impl<'a> Change<'a> {
    async fn begin(
        ctx: &'a ApiCtx,
        bytes: &[u8],
        body: Option<Body>,
        permission: Permission,
    ) -> Result<Self, ApiError> {
        Self::begin_with(ctx, DETAIL_QUERY, bytes, body, permission).await
    }

    async fn begin_with(
        ctx: &'a ApiCtx,
        query: &[Param],
        bytes: &[u8],
        body: Option<Body>,
        permission: Permission,
    ) -> Result<Self, ApiError> {
        let query = ctx.query(query)?;
        let id = ctx.object_id("id")?;
        let fields = match body {
            Some(body) => Fields::parse(bytes, &body)?,
            None => Fields::default(),
        };
        let act = ApiAct::begin(ctx, permission, query.account()?, FAMILY.kind, &id).await?;
        Ok(Self { act, id, fields })
    }

    /// Sends `call`, recorded as `action` with `details`; the server as
    /// the provider answered.
    async fn run(
        &self,
        action: &'static str,
        details: Value,
        call: impl Future<Output = Result<Server, CloudError>>,
    ) -> Result<HttpResponse, ApiError> {
        self.act
            .run(action, details, StatusCode::OK, FAMILY.kind, call)
            .await
    }
}

/// A card's choice of an id for a body field: the id; the card's message
/// when none was chosen, and one saying so when the value is not an id,
/// each beside the field (the card answers a forged id like an unknown
/// address; a body's field is not an address).
fn chosen_field(
    field: &str,
    checked: AppResult<Result<String, &'static str>>,
) -> Result<String, ApiError> {
    match checked {
        Ok(Ok(id)) => Ok(id),
        Ok(Err(message)) => Err(beside(field, message)),
        Err(_) => Err(not_an_id(field)),
    }
}

/// A text field of a flat body as it was sent (a body already checked by
/// [`Fields::parse`]); empty when absent or not text.
fn untrimmed(bytes: &[u8], field: &str) -> String {
    serde_json::from_slice::<Value>(bytes)
        .ok()
        .and_then(|body| body.get(field)?.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn beside(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::fields([(field.to_owned(), message.into())])
}

fn not_an_id(field: &str) -> ApiError {
    beside(field, format!("{field} is not an id"))
}

/// `PUT /servers/{id}/hardware`.
async fn resize(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let body = Body {
        root: Some("hardware"),
        fields: HARDWARE_FIELDS,
    };
    let change = Change::begin(&ctx, &bytes, Some(body), perms::SERVERS_RESIZE).await?;
    let f = &change.fields;
    let planned = planned_resize(
        &f.text("fixed_instance_size_id"),
        &f.text("vcore"),
        &f.text("cores_per_processor"),
        &f.text("ram"),
    )
    .map_err(|_| not_an_id("fixed_instance_size_id"))?
    .map_err(ApiError::invalid)?;
    let (request, details) = planned;
    change
        .run(
            "server.resize",
            details,
            change
                .act
                .up
                .client()
                .update_server_hardware(&change.id, &request),
        )
        .await
}

/// `POST /servers/{id}/hdds`.
async fn add_hdd(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let body = Body {
        root: Some("hdd"),
        fields: HDD_FIELDS,
    };
    let change = Change::begin(&ctx, &bytes, Some(body), perms::SERVERS_RESIZE).await?;
    let size = disk_size(&change.fields.text("size")).map_err(|m| beside("size", m))?;
    let request = AddHdds {
        hdds: vec![NewHdd::extra(size)],
    };
    change
        .run(
            "server.hdd_add",
            json!({ "size": size }),
            change.act.up.client().add_server_hdds(&change.id, &request),
        )
        .await
}

/// `PUT /servers/{id}/hdds/{hdd_id}`.
async fn resize_hdd(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let hdd_id = ctx.object_id("hdd_id")?;
    let body = Body {
        root: Some("hdd"),
        fields: HDD_FIELDS,
    };
    let change = Change::begin(&ctx, &bytes, Some(body), perms::SERVERS_RESIZE).await?;
    let size = disk_size(&change.fields.text("size")).map_err(|m| beside("size", m))?;
    change
        .run(
            "server.hdd_resize",
            json!({ "hdd_id": hdd_id, "size": size }),
            change
                .act
                .up
                .client()
                .resize_server_hdd(&change.id, &hdd_id, size),
        )
        .await
}

/// `DELETE /servers/{id}/hdds/{hdd_id}`.
async fn remove_hdd(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let hdd_id = ctx.object_id("hdd_id")?;
    let change = Change::begin(&ctx, &[], None, perms::SERVERS_RESIZE).await?;
    change
        .run(
            "server.hdd_remove",
            json!({ "hdd_id": hdd_id }),
            change
                .act
                .up
                .client()
                .delete_server_hdd(&change.id, &hdd_id),
        )
        .await
}

/// `POST /servers/{id}/image`: the password goes to the provider only.
async fn reinstall(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let change = Change::begin(
        &ctx,
        &bytes,
        Some(Body::flat(IMAGE_FIELDS)),
        perms::SERVERS_REINSTALL,
    )
    .await?;
    let image_id = chosen_id(&change.fields.text("image_id")).map_err(|_| not_an_id("image_id"))?;
    // Untrimmed, as the card sends it: a password's spaces are its own.
    let password = untrimmed(&bytes, "password");
    let (request, details) = reinstall_request(image_id, password).map_err(ApiError::invalid)?;
    change
        .run(
            "server.reinstall",
            details,
            change
                .act
                .up
                .client()
                .reinstall_server_image(&change.id, &request),
        )
        .await
}

/// `POST /servers/{id}/ips`: an IPv4 address, as the card adds.
async fn add_ip(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let change = Change::begin(&ctx, &[], None, perms::SERVERS_ASSIGN_IP).await?;
    let (request, details) = new_ip();
    change
        .run(
            "server.ip_add",
            details,
            change.act.up.client().add_server_ip(&change.id, &request),
        )
        .await
}

/// `DELETE /servers/{id}/ips/{ip_id}`.
async fn remove_ip(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let ip_id = ctx.object_id("ip_id")?;
    let keep_ip = match ctx.query(REMOVE_IP_QUERY)?.get("keep_ip") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::invalid("keep_ip must be true or false")),
    };
    let change =
        Change::begin_with(&ctx, REMOVE_IP_QUERY, &[], None, perms::SERVERS_ASSIGN_IP).await?;
    change
        .run(
            "server.ip_remove",
            json!({ "ip_id": ip_id, "keep_ip": keep_ip }),
            change
                .act
                .up
                .client()
                .delete_server_ip(&change.id, &ip_id, keep_ip),
        )
        .await
}

/// `POST /servers/{id}/ips/{ip_id}/firewall`.
async fn ip_firewall(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let ip_id = ctx.object_id("ip_id")?;
    let change = Change::begin(
        &ctx,
        &bytes,
        Some(Body::flat(FIREWALL_FIELDS)),
        perms::FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS,
    )
    .await?;
    let field = "firewall_policy_id";
    let policy = chosen_field(field, chosen(&change.fields.text(field), CHOOSE_POLICY))?;
    change
        .run(
            "server.ip_firewall_policy",
            json!({ "ip_id": ip_id, "firewall_policy_id": policy }),
            change
                .act
                .up
                .client()
                .set_server_ip_firewall_policy(&change.id, &ip_id, &policy),
        )
        .await
}

/// `POST /servers/{id}/ips/{ip_id}/load_balancers`.
async fn ip_add_lb(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let ip_id = ctx.object_id("ip_id")?;
    let change = Change::begin(
        &ctx,
        &bytes,
        Some(Body::flat(LOAD_BALANCER_FIELDS)),
        perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS,
    )
    .await?;
    let field = "load_balancer_id";
    let lb = chosen_field(
        field,
        chosen(&change.fields.text(field), CHOOSE_LOAD_BALANCER),
    )?;
    change
        .run(
            "server.ip_load_balancer_add",
            json!({ "ip_id": ip_id, "load_balancer_id": lb }),
            change
                .act
                .up
                .client()
                .add_server_ip_load_balancer(&change.id, &ip_id, &lb),
        )
        .await
}

/// `DELETE /servers/{id}/ips/{ip_id}/load_balancers/{lb_id}`.
async fn ip_remove_lb(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let ip_id = ctx.object_id("ip_id")?;
    let lb_id = ctx.object_id("lb_id")?;
    let change = Change::begin(
        &ctx,
        &[],
        None,
        perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS,
    )
    .await?;
    change
        .run(
            "server.ip_load_balancer_remove",
            json!({ "ip_id": ip_id, "load_balancer_id": lb_id }),
            change
                .act
                .up
                .client()
                .remove_server_ip_load_balancer(&change.id, &ip_id, &lb_id),
        )
        .await
}

/// `POST /servers/{id}/private_networks`.
async fn attach_network(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let change = Change::begin(
        &ctx,
        &bytes,
        Some(Body::flat(NETWORK_FIELDS)),
        perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
    )
    .await?;
    let field = "private_network_id";
    let network = chosen_field(field, chosen(&change.fields.text(field), CHOOSE_NETWORK))?;
    change
        .run(
            "server.private_network_attach",
            json!({ "private_network_id": network }),
            change
                .act
                .up
                .client()
                .add_server_private_network(&change.id, &network),
        )
        .await
}

/// `DELETE /servers/{id}/private_networks/{network_id}`.
async fn detach_network(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let network_id = ctx.object_id("network_id")?;
    let change = Change::begin(
        &ctx,
        &[],
        None,
        perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
    )
    .await?;
    change
        .run(
            "server.private_network_detach",
            json!({ "private_network_id": network_id }),
            change
                .act
                .up
                .client()
                .remove_server_private_network(&change.id, &network_id),
        )
        .await
}

/// `POST /servers/{id}/dvd`.
async fn load_dvd(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let change = Change::begin(
        &ctx,
        &bytes,
        Some(Body::flat(DVD_FIELDS)),
        perms::SERVERS_MANAGE_DVD,
    )
    .await?;
    let iso = chosen_field("iso_id", chosen(&change.fields.text("iso_id"), CHOOSE_ISO))?;
    change
        .run(
            "server.dvd_load",
            json!({ "iso_id": iso }),
            change.act.up.client().load_server_dvd(&change.id, &iso),
        )
        .await
}

/// `POST /servers/{id}/dvd/eject`.
async fn eject_dvd(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let change = Change::begin(&ctx, &[], None, perms::SERVERS_MANAGE_DVD).await?;
    change
        .run(
            "server.dvd_eject",
            Value::Null,
            change.act.up.client().eject_server_dvd(&change.id),
        )
        .await
}

/// The copy a clone answers with. The audit log's outcome names the source
/// server, as its request does (the card's), so the copy is named here for
/// the answer only.
#[derive(Serialize)]
#[serde(transparent)]
struct Cloned(Server);

impl Named for Cloned {
    fn id(&self) -> &str {
        ""
    }

    fn name(&self) -> &str {
        ""
    }
}

/// `POST /servers/{id}/clone`: 201 with the copy, and its address.
async fn clone(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let change = Change::begin(
        &ctx,
        &bytes,
        Some(Body::flat(CLONE_FIELDS)),
        perms::SERVERS_CLONE,
    )
    .await?;
    let request = clone_request(
        &change.fields.text("name"),
        &change.fields.text("datacenter_id"),
    )
    .map_err(|_| not_an_id("datacenter_id"))?
    .map_err(|m| beside("name", m))?;
    let copy_id = RefCell::new(String::new());
    let call = async {
        let copy = change
            .act
            .up
            .client()
            .clone_server(&change.id, &request)
            .await?;
        copy_id.replace(copy.id.clone());
        Ok(Cloned(copy))
    };
    let mut response = change
        .act
        .run(
            "server.clone",
            clone_details(&request),
            StatusCode::CREATED,
            FAMILY.kind,
            call,
        )
        .await?;
    let copy_id = copy_id.into_inner();
    if response.status() == StatusCode::CREATED
        && !copy_id.is_empty()
        && let Ok(location) =
            HeaderValue::try_from(format!("/api/v1/o/{}/servers/{copy_id}", ctx.slug()))
    {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}
