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
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::FAMILY;
use super::view::badge;
use crate::cloudpanel::networks::{CreatePrivateNetwork, PrivateNetwork, UpdatePrivateNetwork};
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::domain::{Ipv4Subnet, SubnetField};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{
    AccountParam, Change, Changed, Choices, Editable, Fallback, Family, Form, NameFlags, Names,
    Upstream, among, check_names, connect,
};
use crate::web::error::AppResult;
use crate::web::networks::parts::{
    FieldErrors, chosen_datacenter, datacenter_choices, datacenter_label,
};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// The form's fields, as the API names them.
const FIELDS: &[&str] = &[
    "name",
    "description",
    "datacenter_id",
    "network_address",
    "subnet_mask",
];

const FLAGS: NameFlags = NameFlags {
    name: perms::PRIVATE_NETWORK_SET_NAME,
    description: perms::PRIVATE_NETWORK_SET_DESCRIPTION,
};

/// The address range's flag.
const RANGE: Permission = perms::PRIVATE_NETWORK_SET_NETWORK_INFO;

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
    pub(crate) fn typed(input: Input) -> Self {
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
pub struct Checked {
    names: Names,
    subnet: Option<Ipv4Subnet>,
}

impl AsRef<Names> for Checked {
    fn as_ref(&self) -> &Names {
        &self.names
    }
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
    let (name, description) = check_names(&v.name, &v.description, &mut errors);
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
            names: Names { name, description },
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
            name: ctx.can(FLAGS.name),
            description: ctx.can(FLAGS.description),
            network: ctx.can(RANGE),
        }
    }
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

/// The create page (`network` none) or the network's edit page.
fn show(
    ctx: &OrgCtx,
    up: &Upstream,
    network: Option<&PrivateNetwork>,
    datacenters: Choices,
    form: Form<'_, Values>,
) -> AppResult<HttpResponse> {
    let frame = FLAGS.frame(&FAMILY, ctx, up, network.map(|n| n.id.as_str()));
    render(
        form.status,
        &FormPage {
            page: &frame.page,
            v: form.v,
            errors: &form.errors,
            problem: form.problem,
            action: frame.action,
            back_href: frame.back_href,
            editing: network,
            datacenter: network
                .map(|n| datacenter_label(&n.datacenter))
                .unwrap_or_default(),
            may: network.map_or_else(May::all, |_| May::of(ctx)),
            datacenters,
            busy: network.and_then(|n| badge(n).busy_reason("private network", "Changes", false)),
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
    show(
        &ctx,
        &up,
        None,
        datacenters,
        Form::fresh(&Values::default()),
    )
}

/// A creation's body, or the message beside each bad field: the values and,
/// among `datacenters`, the datacenter.
pub(crate) fn create_body(
    v: &Values,
    datacenters: &Choices,
) -> Result<CreatePrivateNetwork, FieldErrors> {
    let datacenter = chosen_datacenter(&v.datacenter_id, datacenters);
    let (checked, datacenter_id) = match (check(v), datacenter) {
        (Ok(checked), Ok(datacenter)) => (checked, datacenter),
        (checked, datacenter) => {
            let mut errors = checked.err().unwrap_or_default();
            if let Err(e) = datacenter {
                errors.insert("datacenter_id", e);
            }
            return Err(errors);
        }
    };
    Ok(CreatePrivateNetwork {
        name: checked.names.name.clone(),
        description: (!checked.names.description.is_empty())
            .then(|| checked.names.description.clone()),
        datacenter_id,
        network_address: checked.subnet.map(|s| s.address()),
        subnet_mask: checked.subnet.map(|s| s.mask()),
    })
}

/// A creation, described for the audit log and the member.
pub(crate) fn create_change(body: &CreatePrivateNetwork) -> Change {
    Change::new(
        "private_network.create",
        json!({
            "name": body.name,
            "description": body.description,
            "datacenter_id": body.datacenter_id,
            "network_address": body.network_address,
            "subnet_mask": body.subnet_mask,
        }),
        "Creating {name}: it is being configured.",
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
    let body = match create_body(&v, &datacenters) {
        Ok(body) => body,
        Err(errors) => return show(&ctx, &up, None, datacenters, Form::invalid(&v, errors)),
    };
    let change = create_change(&body);
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
            let form = Form::refused(again.2, errors, problem);
            show(again.0, again.1, None, datacenters, form)
        },
    )
    .await
}

/// The network's edit page: its name, description and address range (its
/// own flag). It is a page of its own: a bad value or a refusal shows it
/// again (422) with what was typed and the message beside each field.
pub struct Edit;

impl Editable for Edit {
    type Object = PrivateNetwork;
    type Input = Input;
    type Values = Values;
    type Checked = Checked;
    type Body = UpdatePrivateNetwork;
    const FAMILY: &'static Family = &FAMILY;
    const ACTION: &'static str = "private_network.update";
    const WHAT: &'static str = "this private network";
    const FIELDS: &'static [&'static str] = FIELDS;
    const FLAGS: NameFlags = FLAGS;
    const OTHER: Option<Permission> = Some(RANGE);

    async fn get(client: &AccountClient, id: &str) -> Result<Fetched<PrivateNetwork>, CloudError> {
        client.get_private_network(id).await
    }

    async fn update(
        client: &AccountClient,
        id: &str,
        body: &UpdatePrivateNetwork,
    ) -> Result<PrivateNetwork, CloudError> {
        client.update_private_network(id, body).await
    }

    fn description(network: &PrivateNetwork) -> &str {
        &network.description
    }

    fn edited(network: &PrivateNetwork, input: Input) -> Values {
        Values::edited(network, input)
    }

    fn check(v: &Values) -> Result<Checked, FieldErrors> {
        check(v)
    }

    /// The address range: the address or the mask.
    fn other_changed(network: &PrivateNetwork, checked: &Checked) -> bool {
        checked.address() != network.network_address || checked.mask() != network.subnet_mask
    }

    fn body(checked: &Checked, changed: Changed) -> UpdatePrivateNetwork {
        UpdatePrivateNetwork {
            // The API wants the name on every update.
            name: checked.names.name.clone(),
            description: changed
                .description
                .then(|| checked.names.description.clone()),
            network_address: changed.other.then(|| checked.address()),
            subnet_mask: changed.other.then(|| checked.mask()),
        }
    }

    fn other_details(checked: &Checked, details: &mut Map<String, Value>) {
        details.insert("network_address".into(), json!(checked.address()));
        details.insert("subnet_mask".into(), json!(checked.mask()));
    }

    fn show(
        ctx: &OrgCtx,
        up: &Upstream,
        network: &PrivateNetwork,
        form: Form<'_, Values>,
    ) -> AppResult<HttpResponse> {
        show(ctx, up, Some(network), Choices::default(), form)
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
