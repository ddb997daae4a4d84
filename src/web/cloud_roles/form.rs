//! The role's name forms: creating a role (the API takes only a name),
//! editing one (name and description, each behind its own flag) and
//! cloning one under a new name. Bad values come back beside their field
//! with what was typed, and nothing is sent; the API's refusal (a built-in
//! role) comes back the same way, above the form.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::FAMILY;
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::access::{Role, UpdateRole};
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::domain::parse_resource_name;
use crate::rbac::perms;
use crate::web::cloud::queued;
use crate::web::cloud::{
    AccountParam, Changed, Editable, Fallback, Family, FieldErrors, Form, May, NameFlags, Names,
    Object, Upstream, among, api_field_errors, check_id, checked_names, connect, form_problem,
    found, recorded,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::{flash, redirect, render};

const FIELDS: &[&str] = &["name", "description"];

const FLAGS: NameFlags = NameFlags {
    name: perms::ROLES_SET_NAME,
    description: perms::ROLES_SET_DESCRIPTION,
};

/// The posted form; a field the page did not offer is absent.
#[derive(Debug, Default, Deserialize)]
pub struct Input {
    name: Option<String>,
    description: Option<String>,
}

/// What the form shows: what was typed, or the role's current values.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub name: String,
    pub description: String,
}

impl Values {
    /// The role's values with what the form changed; a field it did not
    /// send stays as it is.
    fn edited(role: &Role, input: Input) -> Self {
        Self {
            name: input.name.unwrap_or_else(|| role.name.clone()),
            description: input
                .description
                .unwrap_or_else(|| role.description.clone()),
        }
    }
}

/// Which of the three forms this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Edit,
    Clone,
}

#[derive(Template)]
#[template(path = "cloud_roles/form.html")]
struct FormPage<'a> {
    page: &'a PageCtx,
    mode: Mode,
    v: &'a Values,
    errors: &'a FieldErrors,
    problem: Option<String>,
    action: String,
    back_href: String,
    panel_roles_href: String,
    /// The role edited or cloned; `None` on the create form.
    role: Option<&'a Role>,
    may: May,
}

impl FormPage<'_> {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

fn show(
    ctx: &OrgCtx,
    up: &Upstream,
    mode: Mode,
    role: Option<&Role>,
    form: Form<'_, Values>,
) -> AppResult<HttpResponse> {
    let (action, back_href, may) = match (mode, role) {
        (Mode::Edit, Some(r)) => (
            format!("{}/edit{}", FAMILY.href(ctx, &r.id), up.query()),
            FAMILY.page_href(ctx, up, &r.id),
            FLAGS.may(ctx),
        ),
        (Mode::Clone, Some(r)) => (
            format!("{}/clone{}", FAMILY.href(ctx, &r.id), up.query()),
            FAMILY.page_href(ctx, up, &r.id),
            May {
                name: true,
                description: false,
            },
        ),
        _ => (
            FAMILY.list_on(ctx, up),
            FAMILY.list_on(ctx, up),
            May {
                name: true,
                description: false,
            },
        ),
    };
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        form.status,
        &FormPage {
            page: &page,
            mode,
            v: form.v,
            errors: &form.errors,
            problem: form.problem,
            action,
            back_href,
            panel_roles_href: ctx.href("roles"),
            role,
            may,
        },
    )
}

/// The name, checked as the API keeps it; the error lands beside the field.
pub(crate) fn check_name(raw: &str, errors: &mut FieldErrors) -> String {
    parse_resource_name(raw).unwrap_or_else(|e| {
        errors.insert("name", e);
        String::new()
    })
}

/// The role, or the page's own 404 / Cloud Panel problem.
async fn load(ctx: &OrgCtx, up: &Upstream, id: &str) -> AppResult<Role> {
    Ok(found(ctx, "this Cloud Panel role", up.client().get_role(id).await)?.value)
}

// ---- create ----

pub async fn new(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::ROLES_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    let v = Values::default();
    show(&ctx, &up, Mode::Create, None, Form::fresh(&v))
}

pub async fn create(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    input: web::Form<Input>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::ROLES_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let v = Values {
        name: input.into_inner().name.unwrap_or_default(),
        description: String::new(),
    };
    let mut errors = FieldErrors::new();
    let name = check_name(&v.name, &mut errors);
    if !errors.is_empty() {
        return show(&ctx, &up, Mode::Create, None, Form::invalid(&v, errors));
    }
    let event = NewEvent::new("cloud_role.create", Outcome::Requested)
        .target(FAMILY.kind, "", &name)
        .details(json!({ "name": name }));
    let answer = recorded(&up, event, up.client().create_role(&name), |r: &Role| {
        (r.id.clone(), r.name.clone())
    })
    .await?;
    match answer {
        Ok(role) => {
            flash::success(
                &session,
                format!(
                    "Created the Cloud Panel role {name}. Tick what its users may do, then add users."
                ),
            );
            if check_id(&role.id).is_err() {
                return Ok(redirect(&FAMILY.list_on(&ctx, &up)));
            }
            Ok(redirect(&FAMILY.page_href(&ctx, &up, &role.id)))
        }
        Err(e) => {
            // Waiting in the account's queue: news, not a problem with the form.
            if let Some(queued) = queued(&session, &e, &FAMILY.list_on(&ctx, &up)) {
                return Ok(queued);
            }
            let errors = api_field_errors(&e, among(FIELDS));
            let problem = form_problem(&e, !errors.is_empty(), "Nothing was created.");
            show(
                &ctx,
                &up,
                Mode::Create,
                None,
                Form::refused(&v, errors, problem),
            )
        }
    }
}

// ---- edit ----

/// The role's edit page: its name and description.
pub struct Edit;

impl Editable for Edit {
    type Object = Role;
    type Input = Input;
    type Values = Values;
    type Checked = Names;
    type Body = UpdateRole;
    const FAMILY: &'static Family = &FAMILY;
    const ACTION: &'static str = "cloud_role.update";
    const WHAT: &'static str = "this Cloud Panel role";
    const FIELDS: &'static [&'static str] = FIELDS;
    const FLAGS: NameFlags = FLAGS;

    async fn get(client: &AccountClient, id: &str) -> Result<Fetched<Role>, CloudError> {
        client.get_role(id).await
    }

    async fn update(
        client: &AccountClient,
        id: &str,
        body: &UpdateRole,
    ) -> Result<Role, CloudError> {
        client.update_role(id, body).await
    }

    fn description(role: &Role) -> &str {
        &role.description
    }

    fn edited(role: &Role, input: Input) -> Values {
        Values::edited(role, input)
    }

    fn check(v: &Values) -> Result<Names, FieldErrors> {
        checked_names(&v.name, &v.description)
    }

    /// Only what changed is sent (the API takes each field on its own).
    fn body(n: &Names, changed: Changed) -> UpdateRole {
        UpdateRole {
            name: changed.name.then(|| n.name.clone()),
            description: changed.description.then(|| n.description.clone()),
            state: None,
        }
    }

    fn show(
        ctx: &OrgCtx,
        up: &Upstream,
        role: &Role,
        form: Form<'_, Values>,
    ) -> AppResult<HttpResponse> {
        show(ctx, up, Mode::Edit, Some(role), form)
    }
}

// ---- clone ----

/// A copy's name, checked: the API's rules, and not the role's own.
pub(crate) fn clone_name(role: &Role, raw: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = check_name(raw, &mut errors);
    if errors.is_empty() && name == role.name {
        errors.insert("name", "The copy needs a name of its own.".into());
    }
    if errors.is_empty() {
        Ok(name)
    } else {
        Err(errors)
    }
}

/// What the audit log keeps of a clone of `role` named `name`.
pub(crate) fn clone_details(role: &Role, name: &str) -> serde_json::Value {
    json!({ "name": name, "from": role.name })
}

pub async fn clone_form(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, perms::ROLES_CLONE).await?;
    let role = load(&ctx, &up, &object.id).await?;
    let v = Values {
        name: format!("{} copy", role.name),
        description: String::new(),
    };
    show(&ctx, &up, Mode::Clone, Some(&role), Form::fresh(&v))
}

pub async fn clone(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    input: web::Form<Input>,
) -> AppResult<HttpResponse> {
    let id = object.id.as_str();
    let act = object
        .act(&ctx, &session, perms::ROLES_CLONE, &FAMILY)
        .await?;
    let up = &act.up;
    let role = load(&ctx, up, id).await?;
    let v = Values {
        name: input.into_inner().name.unwrap_or_default(),
        description: String::new(),
    };
    let name = match clone_name(&role, &v.name) {
        Ok(name) => name,
        Err(errors) => {
            let form = Form::invalid(&v, errors);
            return show(&ctx, up, Mode::Clone, Some(&role), form);
        }
    };
    let event = NewEvent::new("cloud_role.clone", Outcome::Requested)
        .target(FAMILY.kind, id, &role.name)
        .details(clone_details(&role, &name));
    let answer = recorded(up, event, up.client().clone_role(id, &name), |r: &Role| {
        (r.id.clone(), r.name.clone())
    })
    .await?;
    match answer {
        Ok(copy) => {
            flash::success(
                &session,
                format!(
                    "Created {name} from {} with the same permissions.",
                    role.name
                ),
            );
            if check_id(&copy.id).is_err() {
                return Ok(redirect(act.list()));
            }
            Ok(redirect(&FAMILY.page_href(&ctx, up, &copy.id)))
        }
        Err(CloudError::NotFound { .. }) => {
            flash::error(
                &session,
                "This no longer exists in the Cloud Panel: it was removed meanwhile.",
            );
            Ok(redirect(act.list()))
        }
        Err(e) => {
            // Waiting in the account's queue: news, not a problem with the form.
            if let Some(queued) = queued(&session, &e, act.list()) {
                return Ok(queued);
            }
            let errors = api_field_errors(&e, among(&["name"]));
            let problem = form_problem(&e, !errors.is_empty(), "Nothing was created.");
            let form = Form::refused(&v, errors, problem);
            show(&ctx, up, Mode::Clone, Some(&role), form)
        }
    }
}
