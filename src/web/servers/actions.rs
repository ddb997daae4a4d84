//! Every change to a server. Each handler: parse the form (a bad value is a
//! flash message, nothing sent), check the exact permission flag, record the
//! `requested` event, call the Cloud Panel, record the outcome with the same
//! correlation id, and redirect with a flash message (POST/redirect/GET).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::server_href;
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::servers::{
    AddHdds, CloneServer, NewHdd, PowerAction, PowerMethod, ReinstallImage, ServerAction,
    UpdateHardware, UpdateServer,
};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{
    AccountParam, Act, Change, Target, Then, Upstream, check_id, check_typed_name, chosen_id,
};
use crate::web::confirm::{self, Confirmation};
use crate::web::error::AppResult;
use crate::web::org::OrgCtx;
use crate::web::{flash, redirect};

/// The common start of every handler: a valid id, the permission, the
/// account the form's address names (the organisation's default when it
/// names none, never another tab's choice).
async fn begin<'a>(
    ctx: &'a OrgCtx,
    session: &'a Session,
    account: &AccountParam,
    id: &str,
    permission: Permission,
) -> AppResult<Act<'a>> {
    check_id(id)?;
    Act::begin(ctx, session, account, permission, |up| Target {
        kind: "server",
        id: id.to_owned(),
        page: up.server_href(ctx, id),
        list: up.list_href(ctx),
    })
    .await
}

/// A form value that cannot be used before the account is open: said in a
/// flash message, nothing sent.
fn invalid(
    session: &Session,
    ctx: &OrgCtx,
    account: &AccountParam,
    id: &str,
    message: &str,
) -> AppResult<HttpResponse> {
    flash::error(session, message.to_owned());
    Ok(redirect(&format!(
        "{}{}",
        server_href(ctx, id),
        account.query()
    )))
}

type ServerPath = web::Path<(String, String)>;
type SubPath = web::Path<(String, String, String)>;

// ---- overview ----

#[derive(Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

pub async fn rename(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ServerPath,
    form: web::Form<RenameForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let name = form.name.trim().to_owned();
    let description = form.description.trim().to_owned();
    let act = begin(&ctx, &session, &account, &id, perms::SERVERS_SET_NAME).await?;
    if name.is_empty() || name.chars().count() > 128 {
        return act.invalid("The name needs 1 to 128 characters.");
    }
    if description.chars().count() > 256 {
        return act.invalid("The description may have at most 256 characters.");
    }
    // Changing the description needs its own flag. A member without it may
    // rename only when the panel can see that the description stays as it
    // is; when the server cannot be read, that cannot be told, so the
    // change is refused and nothing goes upstream (fail closed). An older
    // answer shown because the API failed cannot tell either.
    if !ctx.can(perms::SERVERS_SET_DESCRIPTION) {
        let unreadable = |why: &str| {
            act.invalid(&format!(
                "Nothing was changed: the panel could not read the server to check that \
                 its description stays as it is, which your role may not change ({why})."
            ))
        };
        match act.up.client().get_server(&id).await {
            Ok(current) if current.stale => {
                let why = current
                    .stale_reason
                    .map(|r| r.describe())
                    .unwrap_or_default();
                return unreadable(&why);
            }
            Ok(current) if current.value.description == description => {}
            Ok(_) => {
                ctx.require(perms::SERVERS_SET_DESCRIPTION).await?;
            }
            Err(e) => return unreadable(&e.user_message()),
        }
    }
    let body = UpdateServer {
        name: name.clone(),
        description: description.clone(),
    };
    let change = Change {
        action: "server.rename",
        details: json!({ "name": name, "description": description }),
        success: "Saved: {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().update_server(&id, &body))
        .await
}

// ---- power ----

#[derive(Deserialize)]
pub struct PowerForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    recovery_image_id: String,
}

pub async fn power(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ServerPath,
    form: web::Form<PowerForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let (action, permission, audit_action) = match form.action.as_str() {
        "POWER_ON" => (
            PowerAction::PowerOn,
            perms::SERVERS_START,
            "server.power_on",
        ),
        "POWER_OFF" => (
            PowerAction::PowerOff,
            perms::SERVERS_SHUTDOWN,
            "server.power_off",
        ),
        "REBOOT" => (PowerAction::Reboot, perms::SERVERS_RESTART, "server.reboot"),
        _ => {
            check_id(&id)?;
            return invalid(
                &session,
                &ctx,
                &account,
                &id,
                "Choose power on, power off or reboot.",
            );
        }
    };
    let act = begin(&ctx, &session, &account, &id, permission).await?;
    let method = match (&action, form.method.as_str()) {
        (PowerAction::PowerOn, _) => None,
        (_, "SOFTWARE" | "") => Some(PowerMethod::Software),
        (_, "HARDWARE") => Some(PowerMethod::Hardware),
        _ => {
            return act.invalid("The method is either software or hardware.");
        }
    };
    // Recovery mode is a kind of reboot; other actions ignore the field.
    let recovery_image_id = match action {
        PowerAction::Reboot => chosen_id(&form.recovery_image_id)?,
        _ => None,
    };
    let body = ServerAction {
        action: action.clone(),
        method: method.clone(),
        recovery_mode: recovery_image_id.as_ref().map(|_| true),
        recovery_image_id: recovery_image_id.clone(),
    };
    let verb = match (&action, &recovery_image_id) {
        (PowerAction::PowerOn, _) => "Powering on {name}.",
        (PowerAction::PowerOff, _) => "Powering off {name}.",
        (_, Some(_)) => "Rebooting {name} into recovery mode.",
        _ => "Rebooting {name}.",
    };
    let change = Change {
        action: audit_action,
        details: json!({
            "action": action.as_str(),
            "method": method.as_ref().map(|m| m.as_str().to_owned()),
            "recovery_image_id": recovery_image_id,
        }),
        success: verb.into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().server_action(&id, &body))
        .await
}

// ---- hardware ----

#[derive(Deserialize)]
pub struct ResizeForm {
    #[serde(default)]
    fixed_instance_size_id: String,
    #[serde(default)]
    vcore: String,
    #[serde(default)]
    cores_per_processor: String,
    #[serde(default)]
    ram: String,
}

/// Checks custom hardware against the API's ranges; the message names the field.
pub fn parse_hardware(vcore: &str, cores: &str, ram: &str) -> Result<(u32, u32, f64), String> {
    let vcore: u32 = vcore
        .trim()
        .parse()
        .map_err(|_| "vCores must be a whole number from 1 to 16.".to_owned())?;
    if !(1..=16).contains(&vcore) {
        return Err("vCores must be from 1 to 16.".into());
    }
    let cores: u32 = cores
        .trim()
        .parse()
        .map_err(|_| "Cores per processor must be a whole number from 1 to 16.".to_owned())?;
    if !(1..=16).contains(&cores) {
        return Err("Cores per processor must be from 1 to 16.".into());
    }
    if cores > vcore {
        return Err("Cores per processor cannot be greater than the number of vCores.".into());
    }
    if !(cores == 1 || cores.is_multiple_of(2) || cores == vcore) {
        return Err(
            "Cores per processor must be 1, an even number, or the number of vCores.".into(),
        );
    }
    let ram: f64 = ram
        .trim()
        .parse()
        .map_err(|_| "RAM must be a number of GB from 1 to 128.".to_owned())?;
    if !(1.0..=128.0).contains(&ram) || (ram * 2.0).fract() != 0.0 {
        return Err("RAM must be from 1 to 128 GB in steps of 0.5.".into());
    }
    Ok((vcore, cores, ram))
}

/// A disk size: 20 to 2000 GB in steps of 20.
pub fn parse_disk(size: &str) -> Result<u32, String> {
    let size: u32 = size
        .trim()
        .parse()
        .map_err(|_| "The disk size must be a whole number of GB.".to_owned())?;
    if !(20..=2000).contains(&size) || !size.is_multiple_of(20) {
        return Err("The disk size must be from 20 to 2000 GB in steps of 20.".into());
    }
    Ok(size)
}

pub async fn resize(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ServerPath,
    form: web::Form<ResizeForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(&ctx, &session, &account, &id, perms::SERVERS_RESIZE).await?;
    let (body, details) = if let Some(fixed) = chosen_id(&form.fixed_instance_size_id)? {
        (
            UpdateHardware {
                fixed_instance_size_id: Some(fixed.clone()),
                ..UpdateHardware::default()
            },
            json!({ "fixed_instance_size_id": fixed }),
        )
    } else {
        match parse_hardware(&form.vcore, &form.cores_per_processor, &form.ram) {
            Ok((vcore, cores, ram)) => (
                UpdateHardware {
                    vcore: Some(vcore),
                    cores_per_processor: Some(cores),
                    ram: Some(ram),
                    ..UpdateHardware::default()
                },
                json!({ "vcore": vcore, "cores_per_processor": cores, "ram": ram }),
            ),
            Err(message) => return act.invalid(&message),
        }
    };
    let change = Change {
        action: "server.resize",
        details,
        success: "Resizing {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().update_server_hardware(&id, &body))
        .await
}

#[derive(Deserialize)]
pub struct DiskForm {
    #[serde(default)]
    size: String,
}

pub async fn add_hdd(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ServerPath,
    form: web::Form<DiskForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(&ctx, &session, &account, &id, perms::SERVERS_RESIZE).await?;
    let size = match parse_disk(&form.size) {
        Ok(size) => size,
        Err(message) => return act.invalid(&message),
    };
    let body = AddHdds {
        hdds: vec![NewHdd::extra(size)],
    };
    let change = Change {
        action: "server.hdd_add",
        details: json!({ "size": size }),
        success: format!("Adding a {size} GB disk to {{name}}."),
        then: Then::Page,
    };
    act.run(change, act.up.client().add_server_hdds(&id, &body))
        .await
}

pub async fn resize_hdd(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: SubPath,
    form: web::Form<DiskForm>,
) -> AppResult<HttpResponse> {
    let (_, id, hdd_id) = path.into_inner();
    check_id(&hdd_id)?;
    let act = begin(&ctx, &session, &account, &id, perms::SERVERS_RESIZE).await?;
    let size = match parse_disk(&form.size) {
        Ok(size) => size,
        Err(message) => return act.invalid(&message),
    };
    let change = Change {
        action: "server.hdd_resize",
        details: json!({ "hdd_id": hdd_id, "size": size }),
        success: format!("Resizing a disk of {{name}} to {size} GB."),
        then: Then::Page,
    };
    act.run(
        change,
        act.up.client().resize_server_hdd(&id, &hdd_id, size),
    )
    .await
}

pub async fn remove_hdd(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: SubPath,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (_, id, hdd_id) = path.into_inner();
    check_id(&hdd_id)?;
    let act = begin(&ctx, &session, &account, &id, perms::SERVERS_RESIZE).await?;
    if !form.given() {
        return act.unconfirmed("remove the disk");
    }
    let change = Change {
        action: "server.hdd_remove",
        details: json!({ "hdd_id": hdd_id }),
        success: "Removing a disk from {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().delete_server_hdd(&id, &hdd_id))
        .await
}

// ---- image ----

#[derive(Deserialize)]
pub struct ReinstallForm {
    #[serde(default)]
    image_id: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm_name: String,
}

pub async fn reinstall(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ServerPath,
    form: web::Form<ReinstallForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(&ctx, &session, &account, &id, perms::SERVERS_REINSTALL).await?;
    let form = form.into_inner();
    let Some(image_id) = chosen_id(&form.image_id)? else {
        return act.invalid("Choose the image to install.");
    };
    let password = (!form.password.is_empty()).then_some(form.password);
    if let Some(p) = &password
        && !(8..=64).contains(&p.chars().count())
    {
        return act.invalid("The new root password needs 8 to 64 characters.");
    }
    if let Err(message) = confirm_name(&act.up, &id, &form.confirm_name).await {
        return act.invalid(&message);
    }
    let body = ReinstallImage {
        id: image_id.clone(),
        password,
        ..ReinstallImage::default()
    };
    let change = Change {
        action: "server.reinstall",
        details: json!({ "image_id": image_id, "password_set": body.password.is_some() }),
        success: "Reinstalling {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().reinstall_server_image(&id, &body))
        .await
}

/// Destructive actions need the server's name typed exactly.
async fn confirm_name(up: &Upstream, id: &str, typed: &str) -> Result<(), String> {
    let server = up
        .client()
        .get_server(id)
        .await
        .map_err(|e| e.user_message())?;
    check_typed_name("server's name", &server.value.name, typed)
}

// ---- IPs ----

pub async fn add_ip(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ServerPath,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(&ctx, &session, &account, &id, perms::SERVERS_ASSIGN_IP).await?;
    let body = crate::cloudpanel::servers::AddServerIp {
        type_ip: Some(crate::cloudpanel::common::IpType::parse("IPV4")),
    };
    let change = Change {
        action: "server.ip_add",
        details: json!({ "type": "IPV4" }),
        success: "Adding an IPv4 address to {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().add_server_ip(&id, &body))
        .await
}

#[derive(Deserialize)]
pub struct RemoveIpForm {
    #[serde(default)]
    keep_ip: Option<String>,
    #[serde(default)]
    confirm: String,
}

pub async fn remove_ip(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: SubPath,
    form: web::Form<RemoveIpForm>,
) -> AppResult<HttpResponse> {
    let (_, id, ip_id) = path.into_inner();
    check_id(&ip_id)?;
    let act = begin(&ctx, &session, &account, &id, perms::SERVERS_ASSIGN_IP).await?;
    if !confirm::is_yes(&form.confirm) {
        return act.unconfirmed("remove the IP address");
    }
    let keep_ip = form.keep_ip.as_deref() == Some("true");
    let change = Change {
        action: "server.ip_remove",
        details: json!({ "ip_id": ip_id, "keep_ip": keep_ip }),
        success: if keep_ip {
            "Released an IP address from {name}; it stays in the account.".into()
        } else {
            "Removed an IP address from {name}.".into()
        },
        then: Then::Page,
    };
    act.run(
        change,
        act.up.client().delete_server_ip(&id, &ip_id, keep_ip),
    )
    .await
}

#[derive(Deserialize)]
pub struct FirewallForm {
    #[serde(default)]
    firewall_policy_id: String,
}

pub async fn ip_firewall(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: SubPath,
    form: web::Form<FirewallForm>,
) -> AppResult<HttpResponse> {
    let (_, id, ip_id) = path.into_inner();
    check_id(&ip_id)?;
    let act = begin(
        &ctx,
        &session,
        &account,
        &id,
        perms::FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS,
    )
    .await?;
    let Some(policy) = chosen_id(&form.firewall_policy_id)? else {
        return act.invalid("Choose a firewall policy.");
    };
    let change = Change {
        action: "server.ip_firewall_policy",
        details: json!({ "ip_id": ip_id, "firewall_policy_id": policy }),
        success: "Assigning the firewall policy to an IP of {name}.".into(),
        then: Then::Page,
    };
    act.run(
        change,
        act.up
            .client()
            .set_server_ip_firewall_policy(&id, &ip_id, &policy),
    )
    .await
}

#[derive(Deserialize)]
pub struct LoadBalancerForm {
    #[serde(default)]
    load_balancer_id: String,
}

pub async fn ip_add_lb(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: SubPath,
    form: web::Form<LoadBalancerForm>,
) -> AppResult<HttpResponse> {
    let (_, id, ip_id) = path.into_inner();
    check_id(&ip_id)?;
    let act = begin(
        &ctx,
        &session,
        &account,
        &id,
        perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS,
    )
    .await?;
    let Some(lb) = chosen_id(&form.load_balancer_id)? else {
        return act.invalid("Choose a load balancer.");
    };
    let change = Change {
        action: "server.ip_load_balancer_add",
        details: json!({ "ip_id": ip_id, "load_balancer_id": lb }),
        success: "Attaching an IP of {name} to the load balancer.".into(),
        then: Then::Page,
    };
    act.run(
        change,
        act.up
            .client()
            .add_server_ip_load_balancer(&id, &ip_id, &lb),
    )
    .await
}

pub async fn ip_remove_lb(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String, String, String)>,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (_, id, ip_id, lb_id) = path.into_inner();
    check_id(&ip_id)?;
    check_id(&lb_id)?;
    let act = begin(
        &ctx,
        &session,
        &account,
        &id,
        perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS,
    )
    .await?;
    if !form.given() {
        return act.unconfirmed("detach the IP from the load balancer");
    }
    let change = Change {
        action: "server.ip_load_balancer_remove",
        details: json!({ "ip_id": ip_id, "load_balancer_id": lb_id }),
        success: "Detaching an IP of {name} from the load balancer.".into(),
        then: Then::Page,
    };
    act.run(
        change,
        act.up
            .client()
            .remove_server_ip_load_balancer(&id, &ip_id, &lb_id),
    )
    .await
}

// ---- private networks ----

#[derive(Deserialize)]
pub struct NetworkForm {
    #[serde(default)]
    private_network_id: String,
}

pub async fn attach_network(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ServerPath,
    form: web::Form<NetworkForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(
        &ctx,
        &session,
        &account,
        &id,
        perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
    )
    .await?;
    let Some(network) = chosen_id(&form.private_network_id)? else {
        return act.invalid("Choose a private network.");
    };
    let change = Change {
        action: "server.private_network_attach",
        details: json!({ "private_network_id": network }),
        success: "Attaching {name} to the private network.".into(),
        then: Then::Page,
    };
    act.run(
        change,
        act.up.client().add_server_private_network(&id, &network),
    )
    .await
}

pub async fn detach_network(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: SubPath,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (_, id, network_id) = path.into_inner();
    check_id(&network_id)?;
    let act = begin(
        &ctx,
        &session,
        &account,
        &id,
        perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
    )
    .await?;
    if !form.given() {
        return act.unconfirmed("take the server out of the private network");
    }
    let change = Change {
        action: "server.private_network_detach",
        details: json!({ "private_network_id": network_id }),
        success: "Detaching {name} from the private network.".into(),
        then: Then::Page,
    };
    act.run(
        change,
        act.up
            .client()
            .remove_server_private_network(&id, &network_id),
    )
    .await
}

// ---- snapshots ----

pub async fn create_snapshot(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ServerPath,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(
        &ctx,
        &session,
        &account,
        &id,
        perms::SERVERS_MANAGE_SNAPSHOT,
    )
    .await?;
    let change = Change {
        action: "server.snapshot_create",
        details: Value::Null,
        success: "Taking a snapshot of {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().create_server_snapshot(&id))
        .await
}

/// Restoring overwrites the disks: the server's name is typed to confirm.
#[derive(Deserialize)]
pub struct RestoreForm {
    #[serde(default)]
    confirm_name: String,
}

pub async fn restore_snapshot(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: SubPath,
    form: web::Form<RestoreForm>,
) -> AppResult<HttpResponse> {
    let (_, id, snapshot_id) = path.into_inner();
    check_id(&snapshot_id)?;
    let act = begin(
        &ctx,
        &session,
        &account,
        &id,
        perms::SERVERS_MANAGE_SNAPSHOT,
    )
    .await?;
    if let Err(message) = confirm_name(&act.up, &id, &form.confirm_name).await {
        return act.invalid(&message);
    }
    let change = Change {
        action: "server.snapshot_restore",
        details: json!({ "snapshot_id": snapshot_id }),
        success: "Restoring {name} from its snapshot.".into(),
        then: Then::Page,
    };
    act.run(
        change,
        act.up.client().restore_server_snapshot(&id, &snapshot_id),
    )
    .await
}

pub async fn delete_snapshot(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: SubPath,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (_, id, snapshot_id) = path.into_inner();
    check_id(&snapshot_id)?;
    let act = begin(
        &ctx,
        &session,
        &account,
        &id,
        perms::SERVERS_MANAGE_SNAPSHOT,
    )
    .await?;
    if !form.given() {
        return act.unconfirmed("delete the snapshot");
    }
    let change = Change {
        action: "server.snapshot_delete",
        details: json!({ "snapshot_id": snapshot_id }),
        success: "Deleting the snapshot of {name}.".into(),
        then: Then::Page,
    };
    act.run(
        change,
        act.up.client().delete_server_snapshot(&id, &snapshot_id),
    )
    .await
}

// ---- DVD ----

#[derive(Deserialize)]
pub struct DvdForm {
    #[serde(default)]
    iso_id: String,
}

pub async fn load_dvd(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ServerPath,
    form: web::Form<DvdForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(&ctx, &session, &account, &id, perms::SERVERS_MANAGE_DVD).await?;
    let Some(iso) = chosen_id(&form.iso_id)? else {
        return act.invalid("Choose an ISO image.");
    };
    let change = Change {
        action: "server.dvd_load",
        details: json!({ "iso_id": iso }),
        success: "Loading the DVD into {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().load_server_dvd(&id, &iso))
        .await
}

pub async fn eject_dvd(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ServerPath,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(&ctx, &session, &account, &id, perms::SERVERS_MANAGE_DVD).await?;
    let change = Change {
        action: "server.dvd_eject",
        details: Value::Null,
        success: "Ejecting the DVD of {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().eject_server_dvd(&id)).await
}

// ---- clone and delete ----

#[derive(Deserialize)]
pub struct CloneForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    datacenter_id: String,
}

pub async fn clone(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ServerPath,
    form: web::Form<CloneForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(&ctx, &session, &account, &id, perms::SERVERS_CLONE).await?;
    let name = form.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 128 {
        return act.invalid("The copy's name needs 1 to 128 characters.");
    }
    let datacenter_id = chosen_id(&form.datacenter_id)?;
    let body = CloneServer {
        name: name.clone(),
        datacenter_id: datacenter_id.clone(),
    };
    let event = NewEvent::new("server.clone", Outcome::Requested)
        .target("server", &id, "")
        .details(json!({ "name": name, "datacenter_id": datacenter_id }));
    let pending = act.up.account.request(event).await?;
    match act.up.client().clone_server(&id, &body).await {
        // The answer is the new server: the user goes to it. The outcome
        // names the source server, as the request did.
        Ok(copy) => {
            pending.finish(Outcome::Succeeded, None, None).await?;
            flash::success(&session, format!("Cloning into {}.", copy.name));
            let then = if copy.id.is_empty() {
                act.page().to_owned()
            } else {
                act.up.server_href(&ctx, &copy.id)
            };
            Ok(redirect(&then))
        }
        Err(e) => {
            pending
                .finish(Outcome::Failed, e.status(), Some(e.user_message()))
                .await?;
            flash::cloud_error(&session, &e);
            Ok(redirect(act.page()))
        }
    }
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm_name: String,
    #[serde(default)]
    keep_ips: Option<String>,
}

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ServerPath,
    form: web::Form<DeleteForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(&ctx, &session, &account, &id, perms::SERVERS_DELETE).await?;
    if let Err(message) = confirm_name(&act.up, &id, &form.confirm_name).await {
        return act.invalid(&message);
    }
    let keep_ip = form.keep_ips.as_deref() == Some("true");
    let change = Change {
        action: "server.delete",
        details: json!({ "keep_ip": keep_ip }),
        success: if keep_ip {
            "Deleting {name}; its IP addresses stay in the account.".into()
        } else {
            "Deleting {name}.".into()
        },
        then: Then::List,
    };
    act.run(change, act.up.client().delete_server(&id, keep_ip))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hardware_ranges_are_checked_with_the_fields_name() {
        assert_eq!(parse_hardware("2", "1", "4").unwrap(), (2, 1, 4.0));
        assert_eq!(
            parse_hardware("4", "4", "0.5").unwrap_err(),
            "RAM must be from 1 to 128 GB in steps of 0.5."
        );
        assert!(
            parse_hardware("17", "1", "4")
                .unwrap_err()
                .contains("vCores")
        );
        assert!(
            parse_hardware("2", "4", "4")
                .unwrap_err()
                .contains("greater than")
        );
        assert!(parse_hardware("6", "3", "4").unwrap_err().contains("even"));
        assert!(
            parse_hardware("x", "1", "4")
                .unwrap_err()
                .contains("whole number")
        );
        assert!(parse_hardware("2", "1", "4.3").is_err());
    }

    #[test]
    fn disk_sizes_follow_the_api_steps() {
        assert_eq!(parse_disk("40").unwrap(), 40);
        assert!(parse_disk("30").is_err());
        assert!(parse_disk("2020").is_err());
        assert!(parse_disk("").is_err());
    }
}
