//! Creating a VPN (name, description, datacenter) and editing one (name
//! and description, each behind its own flag). Every value is checked
//! before anything is sent, and the form comes back with what was typed and
//! a message beside each bad field. A change to a value the member may not
//! change is refused like any missing permission (403, audited as denied).

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
use crate::cloudpanel::common::NameDescription;
use crate::cloudpanel::networks::{CreateVpn, Vpn};
use crate::domain::{parse_resource_description, parse_resource_name};
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

const FIELDS: &[&str] = &["name", "description", "datacenter_id"];

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
    fn typed(input: Input) -> Self {
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

fn check(v: &Values) -> Result<(String, String), FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = parse_resource_name(&v.name).unwrap_or_else(|e| {
        errors.insert("name", e);
        String::new()
    });
    let description = parse_resource_description(&v.description).unwrap_or_else(|e| {
        errors.insert("description", e);
        String::new()
    });
    if errors.is_empty() {
        Ok((name, description))
    } else {
        Err(errors)
    }
}

/// Which values the member may change.
pub struct May {
    pub name: bool,
    pub description: bool,
}

/// The flag that opens the edit form: the first of the two the member
/// holds; a member with neither is refused for the name's.
fn edit_permission(ctx: &OrgCtx) -> Permission {
    if !ctx.can(perms::VPN_SET_NAME) && ctx.can(perms::VPN_SET_DESCRIPTION) {
        perms::VPN_SET_DESCRIPTION
    } else {
        perms::VPN_SET_NAME
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
            may: May {
                name: true,
                description: true,
            },
            datacenters,
            busy: None,
        },
    )
}

fn show_edit(ctx: &OrgCtx, up: &Upstream, vpn: &Vpn, form: Form<'_>) -> AppResult<HttpResponse> {
    let href = FAMILY.href(ctx, &vpn.id);
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
            editing: Some(vpn),
            datacenter: datacenter_label(&vpn.datacenter),
            may: May {
                name: ctx.can(perms::VPN_SET_NAME),
                description: ctx.can(perms::VPN_SET_DESCRIPTION),
            },
            datacenters: Choices::default(),
            busy: badge(vpn).busy_reason("VPN", "Changes", false),
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
    let tenant = ctx.require(perms::VPN_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let v = Values::typed(input.into_inner());
    let datacenters = datacenter_choices(&up).await;
    let (name, description, datacenter_id) =
        match (check(&v), chosen_datacenter(&v.datacenter_id, &datacenters)) {
            (Ok((name, description)), Ok(datacenter)) => (name, description, datacenter),
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
    let body = CreateVpn {
        name,
        description: (!description.is_empty()).then_some(description),
        datacenter_id,
    };
    let change = Change::new(
        "vpn.create",
        json!({
            "name": body.name,
            "description": body.description,
            "datacenter_id": body.datacenter_id,
        }),
        "Created {name}. Download its configuration file to connect.",
    );
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

/// The VPN, or the page's own 404 / Cloud Panel problem.
async fn load(ctx: &OrgCtx, up: &Upstream, id: &str) -> AppResult<Vpn> {
    Ok(found(ctx, "this VPN", up.client().get_vpn(id).await)?.value)
}

pub async fn edit(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, edit_permission(&ctx)).await?;
    let vpn = load(&ctx, &up, &object.id).await?;
    let form = Form {
        v: &Values::of(&vpn),
        errors: &FieldErrors::new(),
        problem: None,
        status: StatusCode::OK,
    };
    show_edit(&ctx, &up, &vpn, form)
}

/// The edit page's form comes back on that page (HTTP 422), like a create
/// form: it is a page of its own, not a form on the VPN's page.
pub async fn update(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    input: web::Form<Input>,
) -> AppResult<HttpResponse> {
    let act = object
        .act(&ctx, &session, edit_permission(&ctx), &FAMILY)
        .await?;
    let (id, up) = (&object.id, &act.up);
    let vpn = load(&ctx, up, id).await?;
    let v = Values::edited(&vpn, input.into_inner());
    let (name, description) = match check(&v) {
        Ok(checked) => checked,
        Err(errors) => {
            let form = Form {
                v: &v,
                errors: &errors,
                problem: None,
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            return show_edit(&ctx, up, &vpn, form);
        }
    };

    // Each changed value needs its own flag; a value that stays needs none.
    let name_changed = name != vpn.name;
    let description_changed = description != vpn.description;
    if name_changed {
        ctx.require(perms::VPN_SET_NAME).await?;
    }
    if description_changed {
        ctx.require(perms::VPN_SET_DESCRIPTION).await?;
    }
    let page = act.page();
    if !(name_changed || description_changed) {
        flash::info(
            &session,
            format!("Nothing to save: {} already has these values.", vpn.name),
        );
        return Ok(redirect(page));
    }

    let body = NameDescription {
        name: name_changed.then(|| name.clone()),
        description: description_changed.then(|| description.clone()),
    };
    let mut details = Map::new();
    if let Some(n) = &body.name {
        details.insert("name".into(), json!(n));
    }
    if let Some(d) = &body.description {
        details.insert("description".into(), json!(d));
    }
    let event = NewEvent::new("vpn.update", Outcome::Requested)
        .target(FAMILY.kind, id, &vpn.name)
        .details(Value::Object(details));
    let answer = recorded(up, event, up.client().update_vpn(id, &body), |v: &Vpn| {
        (v.id.clone(), v.name.clone())
    })
    .await?;
    match answer {
        Ok(saved) => {
            let shown = if saved.name.is_empty() {
                name
            } else {
                saved.name
            };
            flash::success(&session, format!("Saved {shown}."));
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
            show_edit(&ctx, up, &vpn, form)
        }
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
        assert_eq!(check(&v).unwrap(), ("office".into(), String::new()));
        let bad = Values {
            name: String::new(),
            description: "x".repeat(257),
            ..Values::default()
        };
        let errors = check(&bad).unwrap_err();
        assert!(errors.contains_key("name") && errors.contains_key("description"));
    }
}
