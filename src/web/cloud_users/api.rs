//! A Cloud Panel user's API access: on or off, and the addresses its key
//! may be used from (`users.manage_api`). Addresses are checked before
//! anything is sent; removing one takes the confirm step.

use std::net::IpAddr;

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::actions::current;
use super::{Acted, FAMILY};
use crate::rbac::perms;
use crate::web::cloud::{Change, FieldErrors, Object};
use crate::web::confirm;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

/// At most this many addresses in one request.
const MAX_IPS: usize = 20;

/// Addresses separated by spaces or commas, each an IPv4 or IPv6 address,
/// without repeats; written the way the Cloud Panel writes them.
pub fn parse_ips(raw: &str) -> Result<Vec<String>, String> {
    let mut ips: Vec<String> = Vec::new();
    for piece in raw.split(|c: char| c == ',' || c.is_whitespace()) {
        if piece.is_empty() {
            continue;
        }
        let ip: IpAddr = piece.parse().map_err(|_| {
            format!("“{piece}” is not an IP address; write addresses such as 203.0.113.7 or 2001:db8::1, without ranges.")
        })?;
        let ip = ip.to_string();
        if !ips.contains(&ip) {
            ips.push(ip);
        }
    }
    if ips.is_empty() {
        return Err("Enter at least one IP address.".into());
    }
    if ips.len() > MAX_IPS {
        return Err(format!("Allow at most {MAX_IPS} addresses at a time."));
    }
    Ok(ips)
}

#[derive(Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    active: String,
}

pub async fn set_active(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<ActiveForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::USERS_MANAGE_API, &FAMILY)
        .await?;
    let active = match form.active.as_str() {
        "true" => true,
        "false" => false,
        _ => return act.invalid("Choose whether API access is on or off. Nothing was changed."),
    };
    let change = api_change(active);
    let client = act.up.client();
    act.run(change, async {
        client
            .set_user_api_active(id, active)
            .await
            .map(|u| Acted::of(&u))
    })
    .await
}

/// Turning API access on or off.
pub(crate) fn api_change(active: bool) -> Change {
    if active {
        Change::new(
            "cloud_user.api_enable",
            json!({ "active": true }),
            "API access is on for {name}; its key works now.",
        )
    } else {
        Change::new(
            "cloud_user.api_disable",
            json!({ "active": false }),
            "API access is off for {name}; its key no longer works.",
        )
    }
}

/// An address already on the allow-list is said, not sent again.
pub(crate) fn none_allowed(ips: &[String], allowed: &[String]) -> Result<(), String> {
    match ips.iter().find(|ip| allowed.contains(ip)) {
        Some(already) => Err(format!("{already} is already allowed.")),
        None => Ok(()),
    }
}

/// Allowing `ips` for the user `name`.
pub(crate) fn ips_added(name: &str, ips: &[String]) -> Change {
    Change::new(
        "cloud_user.api_ips_add",
        json!({ "ips": ips }),
        format!("{name} may now use its key from {}.", ips.join(", ")),
    )
}

/// The allowed address to remove, written the way the Cloud Panel writes it.
pub(crate) fn chosen_ip(raw: &str) -> Result<String, &'static str> {
    raw.trim()
        .parse::<IpAddr>()
        .map(|ip| ip.to_string())
        .map_err(|_| "Choose an allowed address to remove. Nothing was changed.")
}

/// No longer allowing `ip`.
pub(crate) fn ip_removed(ip: &str) -> Change {
    Change::new(
        "cloud_user.api_ips_remove",
        json!({ "ip": ip }),
        format!("{ip} is no longer among {{name}}'s allowed addresses."),
    )
}

#[derive(Deserialize, Serialize)]
pub struct IpsInput {
    #[serde(default)]
    ips: String,
}

pub async fn add_ips(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<IpsInput>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::USERS_MANAGE_API, &FAMILY)
        .await?
        .keeping("add-ips", &*form);
    // The typed addresses are refused beside their field, kept as typed.
    let refuse = |error: &str| {
        act.invalid_fields(FieldErrors::from([(
            "ips",
            format!("{error} Nothing was sent."),
        )]))
    };
    let ips = match parse_ips(&form.ips) {
        Ok(ips) => ips,
        Err(error) => return refuse(&error),
    };
    let user = match current(&act, id).await {
        Ok(user) => user,
        Err(response) => return Ok(response),
    };
    // The allow-list as the API has it now: an address already on it is said, not re-sent.
    let allowed = match act.up.client().list_user_api_ips(id).await {
        Ok(fetched) => fetched.value,
        Err(_) => user.api.allowed_ips.clone(),
    };
    if let Err(error) = none_allowed(&ips, &allowed) {
        return refuse(&error);
    }
    let change = ips_added(&user.name, &ips);
    let client = act.up.client();
    act.run(change, async {
        client
            .add_user_api_ips(id, &ips)
            .await
            .map(|u| Acted::of(&u))
    })
    .await
}

#[derive(Deserialize)]
pub struct RemoveIpForm {
    #[serde(default)]
    ip: String,
    #[serde(default)]
    confirm: String,
}

pub async fn remove_ip(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<RemoveIpForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::USERS_MANAGE_API, &FAMILY)
        .await?;
    let ip = match chosen_ip(&form.ip) {
        Ok(ip) => ip,
        Err(message) => return act.invalid(message),
    };
    if !confirm::is_yes(&form.confirm) {
        return act.unconfirmed(&format!("remove {ip} from the allowed addresses"));
    }
    let change = ip_removed(&ip);
    let client = act.up.client();
    act.run(change, async {
        client
            .remove_user_api_ip(id, &ip)
            .await
            .map(|u| Acted::of(&u))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_from_a_typed_list() {
        assert_eq!(
            parse_ips(" 203.0.113.7, 2001:DB8::1 203.0.113.7 ").unwrap(),
            ["203.0.113.7", "2001:db8::1"]
        );
        assert!(parse_ips("").unwrap_err().contains("at least one"));
        assert!(
            parse_ips("10.0.0.0/8")
                .unwrap_err()
                .contains("not an IP address")
        );
        assert!(parse_ips("300.1.1.1").is_err());
    }
}
