//! The changes to public IPs, private networks and VPNs over the API:
//! reserve an address and set its reverse DNS name; create and edit a
//! private network and attach or detach its servers; create and edit a VPN;
//! delete each. Values are checked by their pages' own functions
//! (`public_ips::create::build`, `reverse_dns_change`,
//! `private_networks::form::create_body`, `chosen_servers`,
//! `vpns::form::create_body`) and edits by the edit pages' flow (see
//! [`super::images::Edited`]); each change is recorded as its page records
//! it.
//!
//! A VPN's configuration file is not offered: it holds the client's keys
//! and certificates, which let its holder into the team's network, and the
//! API writes no secret out. It is downloaded from the VPN's page (audited).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, Route, web};
use serde::Serialize;

use super::act::{ApiAct, read_failed};
use super::door::ApiCtx;
use super::error::ApiError;
use super::images::{Edited, NAME_FIELDS, edit_route};
use super::params::Fields;
use super::routes::DETAIL_QUERY;
use super::routes::{ApiRoute, Body, CREATE, Kind, Param, Verb};
use super::storages::{delete_route, field_error, field_errors, typed};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::common::IdName;
use crate::rbac::perms;
use crate::web::cloud::{Deletable, Named};
use crate::web::networks::parts::datacenter_choices;
use crate::web::private_networks::actions::{
    NOT_ATTACHED, OnNetwork, attach_change, chosen_servers, detach_change, on_network, server_names,
};
use crate::web::private_networks::form::{self as network_form, Values as NetworkValues};
use crate::web::private_networks::{FAMILY as NETWORKS, list::PrivateNetworks};
use crate::web::public_ips::actions::reverse_dns_change;
use crate::web::public_ips::create::{self as ip_create, Values as IpValues};
use crate::web::public_ips::{FAMILY as IPS, list::PublicIps};
use crate::web::vpns::form::{self as vpn_form, Values as VpnValues};
use crate::web::vpns::{FAMILY as VPNS, list::Vpns};

impl Edited for network_form::Edit {
    const BODY_FIELDS: &'static [Param] = &[
        NAME_FIELDS[0],
        NAME_FIELDS[1],
        Param::optional(
            "network_address",
            Kind::Text,
            "The range's network address (192.168.1.0); absent, it stays. A new range needs \
             private_network.set_network_info.",
        ),
        Param::optional(
            "subnet_mask",
            Kind::Text,
            "The range's subnet mask (255.255.255.0); absent, it stays.",
        ),
    ];
    const OTHER_WORDS: &'static str = "a new address range";
}

impl Edited for vpn_form::Edit {
    const BODY_FIELDS: &'static [Param] = &NAME_FIELDS;
}

const IP_CREATE_FIELDS: &[Param] = &[
    Param::optional("type", Kind::Text, "IPV4 (the default) or IPV6."),
    Param::optional(
        "datacenter_id",
        Kind::Text,
        "An id of /catalogue/datacenters; the account's default when absent.",
    ),
    Param::optional(
        "reverse_dns",
        Kind::Text,
        "A host name for the address (mail.example.com).",
    ),
];

const IP_CREATE: Body = Body {
    root: Some("public_ip"),
    fields: IP_CREATE_FIELDS,
};

const REVERSE_DNS: Body = Body {
    root: None,
    fields: &[Param::optional(
        "reverse_dns",
        Kind::Text,
        "A host name (mail.example.com); empty or absent removes the name.",
    )],
};

const NETWORK_CREATE_FIELDS: &[Param] = &[
    Param::required("name", Kind::Text, "1 to 128 characters."),
    Param::optional("description", Kind::Text, "At most 256 characters."),
    Param::optional(
        "datacenter_id",
        Kind::Text,
        "An id of /catalogue/datacenters; the account's default when absent.",
    ),
    Param::optional(
        "network_address",
        Kind::Text,
        "The range's network address (192.168.1.0), with subnet_mask; the provider's when absent.",
    ),
    Param::optional(
        "subnet_mask",
        Kind::Text,
        "The range's subnet mask (255.255.255.0), with network_address.",
    ),
];

const NETWORK_CREATE: Body = Body {
    root: Some("private_network"),
    fields: NETWORK_CREATE_FIELDS,
};

const NETWORK_ATTACH: Body = Body {
    root: None,
    fields: &[Param::required(
        "server_id",
        Kind::Texts,
        "The servers to attach (ids), in the network's datacenter.",
    )],
};

const VPN_CREATE_FIELDS: &[Param] = &[
    Param::required("name", Kind::Text, "1 to 128 characters."),
    Param::optional("description", Kind::Text, "At most 256 characters."),
    Param::optional(
        "datacenter_id",
        Kind::Text,
        "An id of /catalogue/datacenters; the account's default when absent.",
    ),
];

const VPN_CREATE: Body = Body {
    root: Some("vpn"),
    fields: VPN_CREATE_FIELDS,
};

pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::org(
            Verb::Post,
            "/public_ips",
            IPS.title,
            "Reserve a public IP",
            Some(perms::PUBLIC_IPS_CREATE),
            |r: Route| r.to(ip_reserve),
        )
        .query(DETAIL_QUERY)
        .body(IP_CREATE)
        .answers(CREATE),
        ApiRoute::org(
            Verb::Post,
            "/public_ips/{id}/reverse_dns",
            IPS.title,
            "Set or remove a public IP's reverse DNS name",
            Some(perms::PUBLIC_IPS_SET_REVERSE_DNS),
            |r: Route| r.to(ip_reverse_dns),
        )
        .query(DETAIL_QUERY)
        .body(REVERSE_DNS),
        delete_route::<PublicIps>(),
        ApiRoute::org(
            Verb::Post,
            "/private_networks",
            NETWORKS.title,
            "Create a private network",
            Some(perms::PRIVATE_NETWORK_CREATE),
            |r: Route| r.to(network_create),
        )
        .query(DETAIL_QUERY)
        .body(NETWORK_CREATE)
        .answers(CREATE),
        edit_route::<network_form::Edit>(),
        ApiRoute::org(
            Verb::Post,
            "/private_networks/{id}/servers",
            NETWORKS.title,
            "Attach servers to a private network",
            Some(perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS),
            |r: Route| r.to(network_attach),
        )
        .query(DETAIL_QUERY)
        .body(NETWORK_ATTACH),
        ApiRoute::org(
            Verb::Delete,
            "/private_networks/{id}/servers/{server_id}",
            NETWORKS.title,
            "Detach a server from a private network",
            Some(perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS),
            |r: Route| r.to(network_detach),
        )
        .query(DETAIL_QUERY),
        delete_route::<PrivateNetworks>(),
        ApiRoute::org(
            Verb::Post,
            "/vpns",
            VPNS.title,
            "Create a VPN (its configuration file, a secret, is downloaded from its page only)",
            Some(perms::VPN_CREATE),
            |r: Route| r.to(vpn_create),
        )
        .query(DETAIL_QUERY)
        .body(VPN_CREATE)
        .answers(CREATE),
        edit_route::<vpn_form::Edit>(),
        delete_route::<Vpns>(),
    ]
}

/// `POST /public_ips`: the reserve page's checks (the datacenter must be
/// one of the account's, when they can be read).
async fn ip_reserve(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let values: IpValues = typed(&bytes, &IP_CREATE)?;
    let act = ApiAct::begin(
        &ctx,
        perms::PUBLIC_IPS_CREATE,
        query.account()?,
        IPS.kind,
        "",
    )
    .await?;
    let datacenters = datacenter_choices(&act.up).await;
    let body = ip_create::build(&values, &datacenters).map_err(field_errors)?;
    let change = ip_create::create_change(&body);
    act.run(
        change.action,
        change.details,
        StatusCode::CREATED,
        IPS.kind,
        act.up.client().create_public_ip(&body),
    )
    .await
}

async fn ip_reverse_dns(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let fields = Fields::parse(&bytes, &REVERSE_DNS)?;
    let act = ApiAct::begin(
        &ctx,
        perms::PUBLIC_IPS_SET_REVERSE_DNS,
        query.account()?,
        IPS.kind,
        &id,
    )
    .await?;
    let (name, change) = reverse_dns_change(&fields.text("reverse_dns"))
        .map_err(|message| field_error("reverse_dns", message))?;
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        IPS.kind,
        act.up.client().set_public_ip_reverse_dns(&id, &name),
    )
    .await
}

async fn network_create(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let values = NetworkValues::typed(typed(&bytes, &NETWORK_CREATE)?);
    let act = ApiAct::begin(
        &ctx,
        perms::PRIVATE_NETWORK_CREATE,
        query.account()?,
        NETWORKS.kind,
        "",
    )
    .await?;
    let datacenters = datacenter_choices(&act.up).await;
    let body = network_form::create_body(&values, &datacenters).map_err(field_errors)?;
    let change = network_form::create_change(&body);
    act.run(
        change.action,
        change.details,
        StatusCode::CREATED,
        NETWORKS.kind,
        act.up.client().create_private_network(&body),
    )
    .await
}

/// What attaching servers answers: the network, named, with the servers
/// the provider lists as attached.
#[derive(Serialize)]
struct WithServers {
    id: String,
    name: String,
    servers: Vec<IdName>,
}

impl Named for WithServers {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// `POST /private_networks/{id}/servers`: `server_id` lists the servers, as
/// the page's repeated field does.
async fn network_attach(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let fields = Fields::parse(&bytes, &NETWORK_ATTACH)?;
    let act = ApiAct::begin(
        &ctx,
        perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
        query.account()?,
        NETWORKS.kind,
        &id,
    )
    .await?;
    let ids = chosen_servers(fields.texts("server_id"))
        .map_err(|message| field_error("server_id", message))?;
    let network = PrivateNetworks::get(act.up.client(), &id)
        .await
        .map_err(|e| read_failed(&act.up, &e))?
        .value;
    let change = attach_change(&ids, &server_names(&act.up, &ids).await);
    let client = act.up.client();
    let call = async {
        let servers = client.add_private_network_servers(&id, &ids).await?;
        Ok::<_, CloudError>(WithServers {
            id: network.id.clone(),
            name: network.name.clone(),
            servers,
        })
    };
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        NETWORKS.kind,
        call,
    )
    .await
}

/// `DELETE /private_networks/{id}/servers/{server_id}`: the network's own
/// account of the server says whether it is attached, and its name.
async fn network_detach(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let server_id = ctx.object_id("server_id")?;
    let act = ApiAct::begin(
        &ctx,
        perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
        query.account()?,
        NETWORKS.kind,
        &id,
    )
    .await?;
    let client = act.up.client();
    let server = match on_network(
        client.get_private_network_server(&id, &server_id).await,
        &server_id,
    ) {
        OnNetwork::Attached(server) => server,
        OnNetwork::NetworkGone(e) => return Err(read_failed(&act.up, &e)),
        OnNetwork::NotAttached => {
            return Err(ApiError::conflict(format!(
                "{NOT_ATTACHED} Nothing was changed."
            )));
        }
    };
    let change = detach_change(&server_id, &server);
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        NETWORKS.kind,
        client.remove_private_network_server(&id, &server_id),
    )
    .await
}

async fn vpn_create(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let values = VpnValues::typed(typed(&bytes, &VPN_CREATE)?);
    let act = ApiAct::begin(&ctx, perms::VPN_CREATE, query.account()?, VPNS.kind, "").await?;
    let datacenters = datacenter_choices(&act.up).await;
    let body = vpn_form::create_body(&values, &datacenters).map_err(field_errors)?;
    let change = vpn_form::create_change(&body);
    act.run(
        change.action,
        change.details,
        StatusCode::CREATED,
        VPNS.kind,
        act.up.client().create_vpn(&body),
    )
    .await
}
