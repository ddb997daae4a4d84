//! The hardware card: resizing the server (a fixed size or custom vCores,
//! cores and RAM) and adding, resizing and removing its disks, with the
//! range checks the create form shares.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::target::{ServerPath, SubPath, begin};
use crate::cloudpanel::servers::{AddHdds, NewHdd, UpdateHardware};
use crate::rbac::perms;
use crate::web::cloud::{AccountParam, Change, Then, check_id, chosen_id};
use crate::web::confirm::Confirmation;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

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
