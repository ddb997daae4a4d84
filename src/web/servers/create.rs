//! Creating a server: a fixed instance size, a baremetal model or custom
//! hardware; an image; a datacenter; a password or SSH keys; and the
//! optional firewall policy, load balancer and monitoring policy. Every
//! value is checked before anything is sent, and the form keeps what was typed.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde_json::json;

use super::FAMILY;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::catalogue::Appliance;
use crate::cloudpanel::servers::{CreateHardware, CreateServer, NewHdd};
use crate::domain::{DiskSize, Hardware};
use crate::rbac::perms;
use crate::web::cloud::{
    AccountParam, Change, Choice, Choices, Fallback, Upstream, check_id, chosen_id, connect, create,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// What the user typed, kept to fill the form again (never the password).
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub name: String,
    pub description: String,
    pub hardware_mode: String,
    pub fixed_instance_size_id: String,
    pub baremetal_model_id: String,
    pub vcore: String,
    pub cores_per_processor: String,
    pub ram: String,
    pub hdd_size: String,
    pub appliance_id: String,
    pub datacenter_id: String,
    pub ssh_keys: Vec<String>,
    pub firewall_policy_id: String,
    pub load_balancer_id: String,
    pub monitoring_policy_id: String,
    pub power_on: bool,
}

impl Values {
    fn defaults() -> Self {
        Self {
            hardware_mode: "fixed".into(),
            vcore: "1".into(),
            cores_per_processor: "1".into(),
            ram: "1".into(),
            hdd_size: "40".into(),
            power_on: true,
            ..Self::default()
        }
    }

    /// Reads an urlencoded body; repeated `ssh_key` fields make the key list.
    fn parse(body: &[u8]) -> (Self, String) {
        let mut v = Self::default();
        let mut password = String::new();
        for (key, value) in url::form_urlencoded::parse(body) {
            let value = value.into_owned();
            match key.as_ref() {
                "name" => v.name = value.trim().to_owned(),
                "description" => v.description = value.trim().to_owned(),
                "hardware_mode" => v.hardware_mode = value,
                "fixed_instance_size_id" => v.fixed_instance_size_id = value,
                "baremetal_model_id" => v.baremetal_model_id = value,
                "vcore" => v.vcore = value,
                "cores_per_processor" => v.cores_per_processor = value,
                "ram" => v.ram = value,
                "hdd_size" => v.hdd_size = value,
                "appliance_id" => v.appliance_id = value,
                "datacenter_id" => v.datacenter_id = value,
                "ssh_key" if !value.is_empty() => v.ssh_keys.push(value),
                "firewall_policy_id" => v.firewall_policy_id = value,
                "load_balancer_id" => v.load_balancer_id = value,
                "monitoring_policy_id" => v.monitoring_policy_id = value,
                "power_on" => v.power_on = value == "true",
                "password" => password = value,
                _ => {}
            }
        }
        (v, password)
    }

    pub fn has_key(&self, id: &str) -> bool {
        self.ssh_keys.iter().any(|k| k == id)
    }
}

/// The options of every select on the form.
pub struct Options {
    sizes: Choices,
    baremetal_models: Choices,
    appliances: Choices,
    datacenters: Choices,
    ssh_keys: Choices,
    firewall_policies: Choices,
    load_balancers: Choices,
    monitoring_policies: Choices,
}

impl Options {
    fn problems(&self) -> Vec<String> {
        [
            &self.sizes,
            &self.baremetal_models,
            &self.appliances,
            &self.datacenters,
            &self.ssh_keys,
            &self.firewall_policies,
            &self.load_balancers,
            &self.monitoring_policies,
        ]
        .iter()
        .filter_map(|c| c.problem.clone())
        .collect()
    }
}

async fn load_options(up: &Upstream) -> Options {
    let c = up.client();
    let all = ListQuery::all();
    let (sizes, models, appliances, datacenters, keys, firewalls, balancers, monitoring) = futures_util::join!(
        c.list_fixed_instance_sizes(),
        c.list_baremetal_models(),
        c.list_server_appliances(&all),
        c.list_datacenters(&all),
        c.list_ssh_keys(&all),
        c.list_firewall_policies(&all),
        c.list_load_balancers(&all),
        c.list_monitoring_policies(&all),
    );
    Options {
        sizes: Choices::from("the instance sizes", sizes, |s| {
            let hw = &s.hardware;
            Choice::of(
                &s.id,
                &format!(
                    "{} · {} vCore · {} GB RAM · {} GB disk",
                    s.name,
                    hw.vcore,
                    super::format_gb(hw.ram),
                    hw.total_disk_gb()
                ),
            )
        }),
        baremetal_models: Choices::from("the baremetal models", models, |s| {
            Choice::of(&s.id, &s.name)
        }),
        appliances: Choices::from("the images", appliances, |a| {
            Choice::of(
                &a.id,
                &if a.os.is_empty() {
                    a.name.clone()
                } else {
                    format!("{} ({})", a.name, a.os)
                },
            )
        }),
        datacenters: Choices::from("the datacenters", datacenters, |d| {
            Choice::of(&d.id, &format!("{} ({})", d.location, d.country_code))
        }),
        ssh_keys: Choices::from("the SSH keys", keys, |k| Choice::of(&k.id, &k.name)),
        firewall_policies: Choices::from("the firewall policies", firewalls, |p| {
            Choice::of(&p.id, &p.name)
        }),
        load_balancers: Choices::from("the load balancers", balancers, |p| {
            Choice::of(&p.id, &p.name)
        }),
        monitoring_policies: Choices::from("the monitoring policies", monitoring, |p| {
            Choice::of(&p.id, &p.name)
        }),
    }
}

#[derive(Template)]
#[template(path = "servers/create.html")]
struct CreatePage<'a> {
    page: &'a PageCtx,
    v: &'a Values,
    o: &'a Options,
    errors: &'a BTreeMap<&'static str, String>,
    problem: Option<String>,
    load_problems: Vec<String>,
    action: String,
    list_href: String,
}

impl CreatePage<'_> {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

async fn show(
    ctx: &OrgCtx,
    up: &Upstream,
    v: &Values,
    errors: &BTreeMap<&'static str, String>,
    problem: Option<String>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let o = load_options(up).await;
    let page = ctx.page.clone().with_section("servers");
    render(
        status,
        &CreatePage {
            page: &page,
            v,
            load_problems: o.problems(),
            o: &o,
            errors,
            problem,
            action: up.list_href(ctx),
            list_href: up.list_href(ctx),
        },
    )
}

pub async fn form(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SERVERS_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    show(
        &ctx,
        &up,
        &Values::defaults(),
        &BTreeMap::new(),
        None,
        StatusCode::OK,
    )
    .await
}

/// An optional id from a select: empty is none; anything else must look like an id.
/// On this form a malformed id is a message beside its field, not a 404.
fn optional_id(raw: &str) -> Result<Option<String>, String> {
    chosen_id(raw).map_err(|_| "Choose one of the listed options.".to_owned())
}

/// Turns the typed values into the API request, or the problems per field.
pub(crate) fn build(
    v: &Values,
    password: &str,
    appliances: &[Appliance],
) -> Result<CreateServer, BTreeMap<&'static str, String>> {
    let mut errors = BTreeMap::new();
    let name_len = v.name.chars().count();
    if name_len == 0 || name_len > 128 {
        errors.insert(
            "name",
            "Give the server a name of 1 to 128 characters.".to_owned(),
        );
    }
    if v.description.chars().count() > 256 {
        errors.insert(
            "description",
            "The description may have at most 256 characters.".to_owned(),
        );
    }
    let mut server_type = None;
    let hardware = match v.hardware_mode.as_str() {
        "fixed" => match optional_id(&v.fixed_instance_size_id) {
            Ok(Some(id)) => Some(CreateHardware::fixed(id)),
            _ => {
                errors.insert(
                    "fixed_instance_size_id",
                    "Choose an instance size.".to_owned(),
                );
                None
            }
        },
        "baremetal" => match optional_id(&v.baremetal_model_id) {
            Ok(Some(id)) => {
                server_type = Some(crate::cloudpanel::common::ServerType::parse("baremetal"));
                Some(CreateHardware::baremetal(id))
            }
            _ => {
                errors.insert("baremetal_model_id", "Choose a baremetal model.".to_owned());
                None
            }
        },
        "custom" => {
            let hw = Hardware::parse(&v.vcore, &v.cores_per_processor, &v.ram);
            let disk = DiskSize::parse(&v.hdd_size);
            match (hw, disk) {
                (Ok(hw), Ok(disk)) => Some(CreateHardware::custom(
                    hw.vcore(),
                    hw.cores_per_processor(),
                    hw.ram_gb(),
                    vec![NewHdd::main(disk.gb())],
                )),
                (hw, disk) => {
                    if let Err(e) = hw {
                        errors.insert("hardware", e);
                    }
                    if let Err(e) = disk {
                        errors.insert("hdd_size", e);
                    }
                    None
                }
            }
        }
        _ => {
            errors.insert(
                "hardware_mode",
                "Choose a fixed size, custom hardware or a baremetal model.".to_owned(),
            );
            None
        }
    };
    let appliance = match optional_id(&v.appliance_id) {
        Ok(Some(id)) => Some(id),
        _ => {
            errors.insert("appliance_id", "Choose the image to install.".to_owned());
            None
        }
    };
    let datacenter = optional_id(&v.datacenter_id).unwrap_or_else(|e| {
        errors.insert("datacenter_id", e);
        None
    });
    if let (Some(appliance), Some(dc)) = (&appliance, &datacenter)
        && let Some(a) = appliances.iter().find(|a| &a.id == appliance)
        && !a.available_in(dc)
    {
        errors.insert(
            "datacenter_id",
            format!("The image {} is not available in this datacenter.", a.name),
        );
    }
    let password_len = password.chars().count();
    if !password.is_empty() && !(8..=64).contains(&password_len) {
        errors.insert(
            "password",
            "The root password needs 8 to 64 characters.".to_owned(),
        );
    }
    let mut keys = Vec::new();
    for key in &v.ssh_keys {
        match check_id(key) {
            Ok(k) => keys.push(k.to_owned()),
            Err(_) => {
                errors.insert("ssh_key", "Choose SSH keys from the list.".to_owned());
            }
        }
    }
    let mut extra = |field: &'static str, raw: &str| {
        optional_id(raw).unwrap_or_else(|e| {
            errors.insert(field, e);
            None
        })
    };
    let firewall_policy_id = extra("firewall_policy_id", &v.firewall_policy_id);
    let load_balancer_id = extra("load_balancer_id", &v.load_balancer_id);
    let monitoring_policy_id = extra("monitoring_policy_id", &v.monitoring_policy_id);

    match (hardware, appliance) {
        (Some(hardware), Some(appliance)) if errors.is_empty() => Ok(CreateServer {
            description: (!v.description.is_empty()).then(|| v.description.clone()),
            server_type,
            datacenter_id: datacenter,
            // With keys and no password, password login is turned off.
            ssh_password: (!keys.is_empty() && password.is_empty()).then_some(false),
            public_key: (!keys.is_empty()).then_some(keys),
            password: (!password.is_empty()).then(|| password.to_owned()),
            power_on: Some(v.power_on),
            firewall_policy_id,
            load_balancer_id,
            monitoring_policy_id,
            ..CreateServer::new(v.name.clone(), appliance, hardware)
        }),
        _ => Err(errors),
    }
}

pub async fn submit(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SERVERS_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let (values, password) = Values::parse(&body);
    let appliances = up
        .client()
        .list_server_appliances(&ListQuery::all())
        .await
        .map(|f| f.value)
        .unwrap_or_default();
    let request = match build(&values, &password, &appliances) {
        Ok(request) => request,
        Err(errors) => {
            return show(
                &ctx,
                &up,
                &values,
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };

    let change = Change::new(
        "server.create",
        json!({
            "name": request.name,
            "hardware": {
                "fixed_instance_size_id": request.hardware.fixed_instance_size_id,
                "baremetal_model_id": request.hardware.baremetal_model_id,
                "vcore": request.hardware.vcore,
                "cores_per_processor": request.hardware.cores_per_processor,
                "ram": request.hardware.ram,
            },
            "appliance_id": request.appliance_id,
            "datacenter_id": request.datacenter_id,
            "ssh_keys": request.public_key.as_ref().map_or(0, Vec::len),
            "password_set": request.password.is_some(),
        }),
        "Creating {name}: it is deploying now.",
    );
    let again = (&ctx, &up, &values);
    create(
        &ctx,
        &session,
        &up,
        &FAMILY,
        change,
        &request.name,
        up.client().create_server(&request),
        form_field,
        |fields, problem| async move {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show(again.0, again.1, again.2, &fields, Some(problem), status).await
        },
    )
    .await
}

/// The form field an API field name belongs to.
pub(crate) fn form_field(api_field: &str) -> Option<&'static str> {
    let field = api_field.trim_start_matches("hardware.");
    Some(match field {
        "name" => "name",
        "description" => "description",
        "password" => "password",
        "appliance_id" => "appliance_id",
        "datacenter_id" => "datacenter_id",
        "fixed_instance_size_id" => "fixed_instance_size_id",
        "baremetal_model_id" => "baremetal_model_id",
        "vcore" | "cores_per_processor" | "ram" | "hardware" | "ngcs.vm.cores" | "ngcs.vm.ram" => {
            "hardware"
        }
        "hdds" | "size" | "ngcs.vm.hdd" | "ngcs.vm.hdd.size" => "hdd_size",
        "public_key" | "rsa_key" => "ssh_key",
        "firewall_policy_id" => "firewall_policy_id",
        "load_balancer_id" => "load_balancer_id",
        "monitoring_policy_id" => "monitoring_policy_id",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Values {
        Values {
            name: "web-1".into(),
            hardware_mode: "fixed".into(),
            fixed_instance_size_id: "8C626C1A7005D0D1F527143C413D461E".into(),
            appliance_id: "A1".into(),
            ..Values::defaults()
        }
    }

    #[test]
    fn a_fixed_size_server_is_built() {
        let request = build(&valid(), "", &[]).unwrap();
        assert_eq!(request.name, "web-1");
        assert_eq!(
            request.hardware.fixed_instance_size_id.as_deref(),
            Some("8C626C1A7005D0D1F527143C413D461E")
        );
        assert_eq!(request.password, None);
    }

    #[test]
    fn a_custom_server_is_built_from_the_typed_hardware() {
        let v = Values {
            hardware_mode: "custom".into(),
            vcore: "4".into(),
            cores_per_processor: "2".into(),
            ram: "1.5".into(),
            hdd_size: "60".into(),
            ..valid()
        };
        let hw = build(&v, "", &[]).unwrap().hardware;
        assert_eq!(
            (hw.vcore, hw.cores_per_processor, hw.ram),
            (Some(4), Some(2), Some(1.5))
        );
        assert_eq!(hw.hdds.map(|h| h[0].size), Some(60));
    }

    #[test]
    fn every_bad_field_is_named() {
        let v = Values {
            name: String::new(),
            hardware_mode: "custom".into(),
            vcore: "40".into(),
            hdd_size: "25".into(),
            appliance_id: String::new(),
            ..Values::defaults()
        };
        let errors = build(&v, "short", &[]).unwrap_err();
        for field in ["name", "hardware", "hdd_size", "appliance_id", "password"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }

    #[test]
    fn ssh_keys_alone_turn_password_login_off() {
        let v = Values {
            ssh_keys: vec!["K1".into()],
            ..valid()
        };
        let request = build(&v, "", &[]).unwrap();
        assert_eq!(request.ssh_password, Some(false));
        assert_eq!(request.public_key, Some(vec!["K1".to_owned()]));
    }

    #[test]
    fn repeated_keys_are_read_from_the_body() {
        let (v, password) =
            Values::parse(b"name=a&ssh_key=K1&ssh_key=K2&password=secret+pw&power_on=true");
        assert_eq!(v.ssh_keys, vec!["K1", "K2"]);
        assert_eq!(password, "secret pw");
        assert!(v.power_on);
    }
}
