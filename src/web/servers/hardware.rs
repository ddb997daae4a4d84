//! The hardware card: resizing the server (a fixed size or custom vCores,
//! cores and RAM) and adding, resizing and removing its disks. The ranges
//! are [`Hardware`] and [`DiskSize`]'s, which the create form shares.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::FAMILY;
use crate::cloudpanel::servers::{AddHdds, NewHdd, UpdateHardware};
use crate::domain::{DiskSize, Hardware};
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Then, chosen_id};
use crate::web::confirm::Confirmation;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

#[derive(Deserialize, Serialize)]
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

pub async fn resize(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<ResizeForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::SERVERS_RESIZE, &FAMILY)
        .await?
        .keeping("resize", &*form);
    let planned = planned_resize(
        &form.fixed_instance_size_id,
        &form.vcore,
        &form.cores_per_processor,
        &form.ram,
    )?;
    let (body, details) = match planned {
        Ok(planned) => planned,
        Err(message) => return act.invalid(&message),
    };
    let change = Change {
        action: "server.resize",
        details,
        success: "Resizing {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().update_server_hardware(id, &body))
        .await
}

/// A resize as the hardware card and the API send it: the fixed size when
/// one is chosen, else the custom vCores, cores and RAM; with what the audit
/// log records of it. A bad custom value is the first problem's message; a
/// chosen size that is not an id is refused like an unknown address.
pub(crate) fn planned_resize(
    fixed_instance_size_id: &str,
    vcore: &str,
    cores_per_processor: &str,
    ram: &str,
) -> AppResult<Result<(UpdateHardware, Value), String>> {
    if let Some(fixed) = chosen_id(fixed_instance_size_id)? {
        return Ok(Ok((
            UpdateHardware {
                fixed_instance_size_id: Some(fixed.clone()),
                ..UpdateHardware::default()
            },
            json!({ "fixed_instance_size_id": fixed }),
        )));
    }
    Ok(Hardware::parse(vcore, cores_per_processor, ram).map(|hw| {
        (
            UpdateHardware {
                vcore: Some(hw.vcore()),
                cores_per_processor: Some(hw.cores_per_processor()),
                ram: Some(hw.ram_gb()),
                ..UpdateHardware::default()
            },
            json!({
                "vcore": hw.vcore(),
                "cores_per_processor": hw.cores_per_processor(),
                "ram": hw.ram_gb(),
            }),
        )
    }))
}

/// A disk's size in GB, as the disk forms and the API take it.
pub(crate) fn disk_size(raw: &str) -> Result<u32, String> {
    DiskSize::parse(raw).map(|size| size.gb())
}

#[derive(Deserialize, Serialize)]
pub struct DiskForm {
    #[serde(default)]
    size: String,
}

pub async fn add_hdd(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<DiskForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::SERVERS_RESIZE, &FAMILY)
        .await?
        .keeping("add-hdd", &*form);
    let size = match disk_size(&form.size) {
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
    act.run(change, act.up.client().add_server_hdds(id, &body))
        .await
}

pub async fn resize_hdd(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<DiskForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let hdd_id = object.other("hdd_id")?;
    let act = object
        .act(&ctx, &session, perms::SERVERS_RESIZE, &FAMILY)
        .await?;
    let size = match disk_size(&form.size) {
        Ok(size) => size,
        Err(message) => return act.invalid(&message),
    };
    let change = Change {
        action: "server.hdd_resize",
        details: json!({ "hdd_id": hdd_id, "size": size }),
        success: format!("Resizing a disk of {{name}} to {size} GB."),
        then: Then::Page,
    };
    act.run(change, act.up.client().resize_server_hdd(id, hdd_id, size))
        .await
}

pub async fn remove_hdd(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let hdd_id = object.other("hdd_id")?;
    let act = object
        .act(&ctx, &session, perms::SERVERS_RESIZE, &FAMILY)
        .await?;
    if !form.given() {
        return act.unconfirmed("remove the disk");
    }
    let change = Change {
        action: "server.hdd_remove",
        details: json!({ "hdd_id": hdd_id }),
        success: "Removing a disk from {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().delete_server_hdd(id, hdd_id))
        .await
}
