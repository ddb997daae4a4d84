//! Creating a VPN (name, description, datacenter) and editing one (name
//! and description, each behind its own flag). Every value is checked
//! before anything is sent, and the form comes back with what was typed and
//! a message beside each bad field. A change to a value the member may not
//! change is refused like any missing permission (403, audited as denied).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::FAMILY;
use super::view::badge;
use crate::cloudpanel::common::NameDescription;
use crate::cloudpanel::networks::{CreateVpn, Vpn};
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::rbac::perms;
use crate::web::cloud::{
    AccountParam, Change, Changed, Choices, Editable, Fallback, Family, Form, May, NameFlags,
    Names, Upstream, among, checked_names, connect,
};
use crate::web::error::AppResult;
use crate::web::networks::parts::{
    FieldErrors, chosen_datacenter, datacenter_choices, datacenter_label,
};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

const FIELDS: &[&str] = &["name", "description", "datacenter_id"];

const FLAGS: NameFlags = NameFlags {
    name: perms::VPN_SET_NAME,
    description: perms::VPN_SET_DESCRIPTION,
};

/// The posted form; a field the page did not offer is absent.
#[derive(Debug, Default, Deserialize)]
pub struct Input {
    name: Option<String>,
    description: Option<String>,
    datacenter_id: Option<String>,
}

/// What the form shows: what was typed, or the VPN's current values.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub name: String,
    pub description: String,
    pub datacenter_id: String,
}

impl Values {
    pub(crate) fn typed(input: Input) -> Self {
        Self {
            name: input.name.unwrap_or_default(),
            description: input.description.unwrap_or_default(),
            datacenter_id: input.datacenter_id.unwrap_or_default(),
        }
    }

    fn of(vpn: &Vpn) -> Self {
        Self {
            name: vpn.name.clone(),
            description: vpn.description.clone(),
            datacenter_id: vpn.datacenter.id.clone(),
        }
    }

    /// The VPN's values with what the form changed; a field it did not send
    /// stays as it is.
    fn edited(vpn: &Vpn, input: Input) -> Self {
        let current = Self::of(vpn);
        Self {
            name: input.name.unwrap_or(current.name),
            description: input.description.unwrap_or(current.description),
            datacenter_id: current.datacenter_id,
        }
    }
}

#[derive(Template)]
#[template(path = "vpns/form.html")]
struct FormPage<'a> {
    page: &'a PageCtx,
    v: &'a Values,
    errors: &'a FieldErrors,
    problem: Option<String>,
    action: String,
    back_href: String,
    /// The VPN being edited; `None` on the create form.
    editing: Option<&'a Vpn>,
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

/// The create page (`vpn` none) or the VPN's edit page.
fn show(
    ctx: &OrgCtx,
    up: &Upstream,
    vpn: Option<&Vpn>,
    datacenters: Choices,
    form: Form<'_, Values>,
) -> AppResult<HttpResponse> {
    let frame = FLAGS.frame(&FAMILY, ctx, up, vpn.map(|v| v.id.as_str()));
    render(
        form.status,
        &FormPage {
            page: &frame.page,
            v: form.v,
            errors: &form.errors,
            problem: form.problem,
            action: frame.action,
            back_href: frame.back_href,
            editing: vpn,
            datacenter: vpn
                .map(|v| datacenter_label(&v.datacenter))
                .unwrap_or_default(),
            may: frame.may,
            datacenters,
            busy: vpn.and_then(|v| badge(v).busy_reason("VPN", "Changes", false)),
        },
    )
}

pub async fn new(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::VPN_CREATE).await?;
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

/// A creation's body, or the message beside each bad field: the name, the
/// description and, among `datacenters`, the datacenter.
pub(crate) fn create_body(v: &Values, datacenters: &Choices) -> Result<CreateVpn, FieldErrors> {
    match (
        checked_names(&v.name, &v.description),
        chosen_datacenter(&v.datacenter_id, datacenters),
    ) {
        (Ok(Names { name, description }), Ok(datacenter_id)) => Ok(CreateVpn {
            name,
            description: (!description.is_empty()).then_some(description),
            datacenter_id,
        }),
        (checked, datacenter) => {
            let mut errors = checked.err().unwrap_or_default();
            if let Err(e) = datacenter {
                errors.insert("datacenter_id", e);
            }
            Err(errors)
        }
    }
}

/// A creation, described for the audit log and the member.
pub(crate) fn create_change(body: &CreateVpn) -> Change {
    Change::new(
        "vpn.create",
        json!({
            "name": body.name,
            "description": body.description,
            "datacenter_id": body.datacenter_id,
        }),
        "Created {name}. Download its configuration file to connect.",
    )
}

pub async fn create(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    input: web::Form<Input>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::VPN_CREATE).await?;
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
        up.client().create_vpn(&body),
        among(FIELDS),
        |errors, problem| async move {
            let form = Form::refused(again.2, errors, problem);
            show(again.0, again.1, None, datacenters, form)
        },
    )
    .await
}

/// The VPN's edit page: its name and description. It is a page of its
/// own, not a form on the VPN's page: a bad value comes back on it (422).
pub struct Edit;

impl Editable for Edit {
    type Object = Vpn;
    type Input = Input;
    type Values = Values;
    type Checked = Names;
    type Body = NameDescription;
    const FAMILY: &'static Family = &FAMILY;
    const ACTION: &'static str = "vpn.update";
    const WHAT: &'static str = "this VPN";
    const FIELDS: &'static [&'static str] = FIELDS;
    const FLAGS: NameFlags = FLAGS;

    async fn get(client: &AccountClient, id: &str) -> Result<Fetched<Vpn>, CloudError> {
        client.get_vpn(id).await
    }

    async fn update(
        client: &AccountClient,
        id: &str,
        body: &NameDescription,
    ) -> Result<Vpn, CloudError> {
        client.update_vpn(id, body).await
    }

    fn description(vpn: &Vpn) -> &str {
        &vpn.description
    }

    fn edited(vpn: &Vpn, input: Input) -> Values {
        Values::edited(vpn, input)
    }

    fn check(v: &Values) -> Result<Names, FieldErrors> {
        checked_names(&v.name, &v.description)
    }

    fn body(n: &Names, changed: Changed) -> NameDescription {
        NameDescription {
            name: changed.name.then(|| n.name.clone()),
            description: changed.description.then(|| n.description.clone()),
        }
    }

    fn show(
        ctx: &OrgCtx,
        up: &Upstream,
        vpn: &Vpn,
        form: Form<'_, Values>,
    ) -> AppResult<HttpResponse> {
        show(ctx, up, Some(vpn), Choices::default(), form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_keeps_what_the_form_did_not_send() {
        let vpn = Vpn {
            name: "office".into(),
            description: "from the office".into(),
            ..Vpn::default()
        };
        let v = Values::edited(
            &vpn,
            Input {
                description: Some("  ".into()),
                ..Input::default()
            },
        );
        assert_eq!(
            Edit::check(&v).unwrap(),
            Names {
                name: "office".into(),
                description: String::new()
            }
        );
        let bad = Values {
            name: String::new(),
            description: "x".repeat(257),
            ..Values::default()
        };
        let errors = Edit::check(&bad).unwrap_err();
        assert!(errors.contains_key("name") && errors.contains_key("description"));
    }
}
