//! Creating a private network and editing one: name, description, the
//! address range (network address and subnet mask) and, on creation, the
//! datacenter. Every value is checked before anything is sent, and the form
//! comes back with what was typed and a message beside each bad field.
//!
//! Editing needs a flag per kind of value: the name, the description and
//! the address range each have their own. The form offers only what the
//! member may change; a change to anything else is refused like any
//! missing permission (403, audited as denied), nothing sent.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::FAMILY;
use super::view::badge;
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::networks::{CreatePrivateNetwork, PrivateNetwork, UpdatePrivateNetwork};
use crate::domain::{Ipv4Subnet, SubnetField, parse_resource_description, parse_resource_name};
use crate::rbac::{Permission, perms};
use crate::web::cloud::among;
use crate::web::cloud::recorded;
use crate::web::cloud::{
    AccountParam, Change, Choices, Fallback, Object, Upstream, connect, found,
};
use crate::web::error::AppResult;
use crate::web::networks::parts::{
    FieldErrors, api_field_errors, chosen_datacenter, datacenter_choices, datacenter_label,
    form_problem,
};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::{flash, redirect, render};

/// The form's fields, as the API names them.
const FIELDS: &[&str] = &[
    "name",
    "description",
    "datacenter_id",
    "network_address",
    "subnet_mask",
];

/// The posted form; a field the page did not offer is absent.
#[derive(Debug, Default, Deserialize)]
pub struct Input {
    name: Option<String>,
    description: Option<String>,
    datacenter_id: Option<String>,
    network_address: Option<String>,
    subnet_mask: Option<String>,
}

/// What the form shows: what was typed, or the network's current values.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub name: String,
    pub description: String,
    pub datacenter_id: String,
    pub network_address: String,
    pub subnet_mask: String,
}

impl Values {
    fn typed(input: Input) -> Self {
        Self {
            name: input.name.unwrap_or_default(),
            description: input.description.unwrap_or_default(),
            datacenter_id: input.datacenter_id.unwrap_or_default(),
            network_address: input.network_address.unwrap_or_default(),
            subnet_mask: input.subnet_mask.unwrap_or_default(),
        }
    }

    fn of(network: &PrivateNetwork) -> Self {
        Self {
            name: network.name.clone(),
            description: network.description.clone(),
            datacenter_id: network.datacenter.id.clone(),
            network_address: network.network_address.clone(),
            subnet_mask: network.subnet_mask.clone(),
        }
    }

    /// The network's values with what the form changed; a field it did not
    /// send stays as it is.
    fn edited(network: &PrivateNetwork, input: Input) -> Self {
        let current = Self::of(network);
        Self {
            name: input.name.unwrap_or(current.name),
            description: input.description.unwrap_or(current.description),
            datacenter_id: current.datacenter_id,
            network_address: input.network_address.unwrap_or(current.network_address),
            subnet_mask: input.subnet_mask.unwrap_or(current.subnet_mask),
        }
    }
}

/// The values, parsed.
struct Checked {
    name: String,
    description: String,
    subnet: Option<Ipv4Subnet>,
}

impl Checked {
    fn address(&self) -> String {
        self.subnet.map(|s| s.address()).unwrap_or_default()
    }

    fn mask(&self) -> String {
        self.subnet.map(|s| s.mask()).unwrap_or_default()
    }
}

fn check(v: &Values) -> Result<Checked, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = parse_resource_name(&v.name).unwrap_or_else(|e| {
        errors.insert("name", e);
        String::new()
    });
    let description = parse_resource_description(&v.description).unwrap_or_else(|e| {
        errors.insert("description", e);
        String::new()
    });
    let subnet = Ipv4Subnet::parse(&v.network_address, &v.subnet_mask).unwrap_or_else(|problems| {
        for (field, message) in problems {
            let key = match field {
                SubnetField::Address => "network_address",
                SubnetField::Mask => "subnet_mask",
            };
            errors.entry(key).or_insert(message);
        }
        None
    });
    if errors.is_empty() {
        Ok(Checked {
            name,
            description,
            subnet,
        })
    } else {
        Err(errors)
    }
}

/// Which values the member may change.
pub struct May {
    pub name: bool,
    pub description: bool,
    pub network: bool,
}

impl May {
    fn all() -> Self {
        Self {
            name: true,
            description: true,
            network: true,
        }
    }

    fn of(ctx: &OrgCtx) -> Self {
        Self {
            name: ctx.can(perms::PRIVATE_NETWORK_SET_NAME),
            description: ctx.can(perms::PRIVATE_NETWORK_SET_DESCRIPTION),
            network: ctx.can(perms::PRIVATE_NETWORK_SET_NETWORK_INFO),
        }
    }
}

/// The flag that opens the edit form: the first of the three the member
/// holds; a member with none is refused for the name's.
fn edit_permission(ctx: &OrgCtx) -> Permission {
    [
        perms::PRIVATE_NETWORK_SET_NAME,
        perms::PRIVATE_NETWORK_SET_DESCRIPTION,
        perms::PRIVATE_NETWORK_SET_NETWORK_INFO,
    ]
    .into_iter()
    .find(|p| ctx.can(*p))
    .unwrap_or(perms::PRIVATE_NETWORK_SET_NAME)
}

#[derive(Template)]
#[template(path = "private_networks/form.html")]
struct FormPage<'a> {
    page: &'a PageCtx,
    v: &'a Values,
    errors: &'a FieldErrors,
    problem: Option<String>,
    action: String,
    back_href: String,
    /// The network being edited; `None` on the create form.
    editing: Option<&'a PrivateNetwork>,
    datacenter: String,
    may: May,
    datacenters: Choices,
    busy: Option<String>,
}

impl FormPage<'_> {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

struct Form<'a> {
    v: &'a Values,
    errors: &'a FieldErrors,
    problem: Option<String>,
    status: StatusCode,
}

fn show_create(
    ctx: &OrgCtx,
    up: &Upstream,
    datacenters: Choices,
    form: Form<'_>,
) -> AppResult<HttpResponse> {
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        form.status,
        &FormPage {
            page: &page,
            v: form.v,
            errors: form.errors,
            problem: form.problem,
            action: FAMILY.list_on(ctx, up),
            back_href: FAMILY.list_on(ctx, up),
            editing: None,
            datacenter: String::new(),
            may: May::all(),
            datacenters,
            busy: None,
        },
    )
}

fn show_edit(
    ctx: &OrgCtx,
    up: &Upstream,
    network: &PrivateNetwork,
    form: Form<'_>,
) -> AppResult<HttpResponse> {
    let href = FAMILY.href(ctx, &network.id);
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        form.status,
        &FormPage {
            page: &page,
            v: form.v,
            errors: form.errors,
            problem: form.problem,
            action: format!("{href}/edit{}", up.query()),
            back_href: format!("{href}{}", up.query()),
            editing: Some(network),
            datacenter: datacenter_label(&network.datacenter),
            may: May::of(ctx),
            datacenters: Choices::default(),
            busy: badge(network).busy_reason("private network", "Changes", false),
        },
    )
}

pub async fn new(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::PRIVATE_NETWORK_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    let datacenters = datacenter_choices(&up).await;
    show_create(
        &ctx,
        &up,
        datacenters,
        Form {
            v: &Values::default(),
            errors: &FieldErrors::new(),
            problem: None,
            status: StatusCode::OK,
        },
    )
}

pub async fn create(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    input: web::Form<Input>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::PRIVATE_NETWORK_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let v = Values::typed(input.into_inner());
    let datacenters = datacenter_choices(&up).await;
    let datacenter = chosen_datacenter(&v.datacenter_id, &datacenters);
    let checked = match (check(&v), datacenter) {
        (Ok(checked), Ok(datacenter)) => (checked, datacenter),
        (checked, datacenter) => {
            let mut errors = checked.err().unwrap_or_default();
            if let Err(e) = datacenter {
                errors.insert("datacenter_id", e);
            }
            let form = Form {
                v: &v,
                errors: &errors,
                problem: None,
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            return show_create(&ctx, &up, datacenters, form);
        }
    };
    let (checked, datacenter_id) = checked;
    let body = CreatePrivateNetwork {
        name: checked.name.clone(),
        description: (!checked.description.is_empty()).then(|| checked.description.clone()),
        datacenter_id,
        network_address: checked.subnet.map(|s| s.address()),
        subnet_mask: checked.subnet.map(|s| s.mask()),
    };
    let change = Change::new(
        "private_network.create",
        json!({
            "name": body.name,
            "description": body.description,
            "datacenter_id": body.datacenter_id,
            "network_address": body.network_address,
            "subnet_mask": body.subnet_mask,
        }),
        "Creating {name}: it is being configured.",
    );
    let again = (&ctx, &up, &v);
    crate::web::cloud::create(
        &ctx,
        &session,
        &up,
        &FAMILY,
        change,
        &body.name,
        up.client().create_private_network(&body),
        among(FIELDS),
        |errors, problem| async move {
            let form = Form {
                v: again.2,
                errors: &errors,
                problem: Some(problem),
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            show_create(again.0, again.1, datacenters, form)
        },
    )
    .await
}

/// The network, or the page's own 404 / Cloud Panel problem.
async fn load(ctx: &OrgCtx, up: &Upstream, id: &str) -> AppResult<PrivateNetwork> {
    Ok(found(
        ctx,
        "this private network",
        up.client().get_private_network(id).await,
    )?
    .value)
}

pub async fn edit(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, edit_permission(&ctx)).await?;
    let network = load(&ctx, &up, &object.id).await?;
    let form = Form {
        v: &Values::of(&network),
        errors: &FieldErrors::new(),
        problem: None,
        status: StatusCode::OK,
    };
    show_edit(&ctx, &up, &network, form)
}

/// The edit form is a page of its own: a bad value or a refusal shows it
/// again (422) with what was typed and the message beside each field.
pub async fn update(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    input: web::Form<Input>,
) -> AppResult<HttpResponse> {
    let id = object.id.as_str();
    let act = object
        .act(&ctx, &session, edit_permission(&ctx), &FAMILY)
        .await?;
    let up = &act.up;
    let network = load(&ctx, up, id).await?;
    let v = Values::edited(&network, input.into_inner());
    let checked = match check(&v) {
        Ok(checked) => checked,
        Err(errors) => {
            let form = Form {
                v: &v,
                errors: &errors,
                problem: None,
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            return show_edit(&ctx, up, &network, form);
        }
    };

    // Each changed value needs its own flag; a value that stays as it is needs none.
    let name_changed = checked.name != network.name;
    let description_changed = checked.description != network.description;
    let range_changed =
        checked.address() != network.network_address || checked.mask() != network.subnet_mask;
    for (changed, permission) in [
        (name_changed, perms::PRIVATE_NETWORK_SET_NAME),
        (description_changed, perms::PRIVATE_NETWORK_SET_DESCRIPTION),
        (range_changed, perms::PRIVATE_NETWORK_SET_NETWORK_INFO),
    ] {
        if changed {
            ctx.require(permission).await?;
        }
    }
    let page = act.page();
    if !(name_changed || description_changed || range_changed) {
        flash::info(
            &session,
            format!(
                "Nothing to save: {} already has these values.",
                network.name
            ),
        );
        return Ok(redirect(page));
    }

    let body = UpdatePrivateNetwork {
        // The API wants the name on every update.
        name: checked.name.clone(),
        description: description_changed.then(|| checked.description.clone()),
        network_address: range_changed.then(|| checked.address()),
        subnet_mask: range_changed.then(|| checked.mask()),
    };
    let mut details = Map::new();
    if name_changed {
        details.insert("name".into(), json!(body.name));
    }
    if let Some(d) = &body.description {
        details.insert("description".into(), json!(d));
    }
    if range_changed {
        details.insert("network_address".into(), json!(body.network_address));
        details.insert("subnet_mask".into(), json!(body.subnet_mask));
    }
    let event = NewEvent::new("private_network.update", Outcome::Requested)
        .target(FAMILY.kind, id, &network.name)
        .details(Value::Object(details));
    let answer = recorded(
        up,
        event,
        up.client().update_private_network(id, &body),
        |n: &PrivateNetwork| (n.id.clone(), n.name.clone()),
    )
    .await?;
    match answer {
        Ok(saved) => {
            let name = if saved.name.is_empty() {
                checked.name
            } else {
                saved.name
            };
            flash::success(&session, format!("Saved {name}."));
            Ok(redirect(page))
        }
        // Waiting in the account's queue (news, not a problem with the
        // form), or gone meanwhile (the list).
        Err(e) if e.is_queued() || matches!(e, CloudError::NotFound { .. }) => Ok(act.refused(&e)),
        Err(e) => {
            let errors = api_field_errors(&e, among(FIELDS));
            let form = Form {
                v: &v,
                problem: Some(form_problem(&e, !errors.is_empty(), "Nothing was changed.")),
                errors: &errors,
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            show_edit(&ctx, up, &network, form)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_value_is_named_beside_its_field() {
        let v = Values {
            name: " ".into(),
            description: "x".repeat(300),
            network_address: "192.168.1.300".into(),
            subnet_mask: "255.0.255.0".into(),
            ..Values::default()
        };
        let errors = check(&v).err().unwrap();
        for field in ["name", "description", "network_address", "subnet_mask"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }

    #[test]
    fn an_edit_keeps_what_the_form_did_not_send() {
        let network = PrivateNetwork {
            name: "backend".into(),
            description: "db traffic".into(),
            network_address: "192.168.10.0".into(),
            subnet_mask: "255.255.255.0".into(),
            ..PrivateNetwork::default()
        };
        let v = Values::edited(
            &network,
            Input {
                name: Some("backend-2".into()),
                ..Input::default()
            },
        );
        assert_eq!(v.name, "backend-2");
        assert_eq!(v.description, "db traffic");
        let checked = check(&v).ok().unwrap();
        assert_eq!(checked.address(), "192.168.10.0");
        assert_eq!(checked.mask(), "255.255.255.0");
    }
}
